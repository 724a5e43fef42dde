/**
 * Normalisation layers other than batch norm: `LayerNorm`, `GroupNorm`, `InstanceNorm1d/2d`, `LocalResponseNorm`
 * (torch's `torch/nn/modules/normalization.py` and `instancenorm.py`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, float, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { layerNorm, shapeArg, toShape } from './functional/normalization';
import { ones_ } from './init';
import { Module } from './module';
import { pyBool, pyFloat, pyTuple } from '../repr';

const LAYER_NORM = signature('LayerNorm', [
  ['normalizedShape', shapeArg()],
  ['eps', float({ min: 0 }).default(1e-5)],
  ['elementwiseAffine', bool().default(true)],
]);

/**
 * Layer normalisation over the trailing `normalizedShape` (torch's `nn.LayerNorm`), with an elementwise affine
 * transform.
 *
 * Mirrors [torch.nn.LayerNorm](https://pytorch.org/docs/1.13/generated/torch.nn.LayerNorm.html).
 *
 * Shape: input `[*, ...normalizedShape]`; output as the input.
 *
 * Attributes: `weight` (ones) and `bias` (zeros) of shape `normalizedShape`, or `null` without `elementwiseAffine`.
 *
 * Arguments (positionally in this order, or in a trailing options object):
 * - `normalizedShape` an int or a list of ints: the trailing dimensions to normalise over.
 * - `eps` added to the variance. Default: `1e-5`.
 * - `elementwiseAffine` learn `weight` and `bias`. Default: `true`.
 * @example
 * ```ts
 * const ln = new nn.LayerNorm(16);
 * ln.forward(tf.randomNormal([8, 10, 16])); // [8, 10, 16]
 * new nn.LayerNorm([10, 16], { elementwiseAffine: false });
 * ```
 */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly elementwiseAffine: boolean;
  /** Elementwise scale `normalizedShape`, or `null`. */
  readonly weight: Parameter | null;
  /** Elementwise shift `normalizedShape`, or `null`. */
  readonly bias: Parameter | null;

  /** @param args `normalizedShape, eps?, elementwiseAffine?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof LAYER_NORM>) {
    super();
    const a = LAYER_NORM.parse(args);
    this.normalizedShape = toShape(a.normalizedShape);
    this.eps = a.eps;
    this.elementwiseAffine = a.elementwiseAffine;
    this.weight = a.elementwiseAffine
      ? this.createParameter('weight', this.normalizedShape, ones_)
      : this.registerParameter('weight', null);
    this.bias = a.elementwiseAffine
      ? this.createParameter('bias', this.normalizedShape)
      : this.registerParameter('bias', null);
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
