/**
 * torch's `nn.Bilinear` (in torch's `torch/nn/modules/linear.py`, beside Linear).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, int, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { bilinear } from './functional/bilinear';
import { uniform_ } from './init';
import { Module } from './module';
import { pyBool } from '../repr';

const BILINEAR = signature('Bilinear', [
  ['in1Features', int({ min: 1 })],
  ['in2Features', int({ min: 1 })],
  ['outFeatures', int({ min: 1 })],
  ['bias', bool().default(true)],
]);

/**
 * Bilinear transform of two inputs `y = x1ᵀ A x2 + b` (torch's `nn.Bilinear`).
 *
 * Mirrors [torch.nn.Bilinear](https://pytorch.org/docs/1.13/generated/torch.nn.Bilinear.html).
 *
 * Shape: `input1` `[*, in1Features]`, `input2` `[*, in2Features]` (same leading dims); output `[*, outFeatures]`.
 *
 * Attributes (torch's layout and init, drawn from the library's generator as torch draws them):
 * - `weight` `[outFeatures, in1Features, in2Features]` from U(-√k, √k), k = 1/in1Features.
 * - `bias` `[outFeatures]` from U(-√k, √k), or `null` with `bias: false`.
 *
 * Arguments (positionally in this order, or in a trailing options object): `in1Features`, `in2Features`,
 * `outFeatures`, `bias` (default `true`).
 * @example
 * ```ts
 * const m = new nn.Bilinear(20, 30, 40);
 * m.forward(tf.randomNormal([128, 20]), tf.randomNormal([128, 30])); // [128, 40]
 * ```
 */
export class Bilinear extends Module {
  /** Size of each first input sample. */
  readonly in1Features: number;
  /** Size of each second input sample. */
  readonly in2Features: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** `[outFeatures, in1Features, in2Features]`. */
  readonly weight: Parameter;
  /** `[outFeatures]`, or `null` with `bias: false`. */
  readonly bias: Parameter | null;

  /** @param args `in1Features, in2Features, outFeatures, bias?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof BILINEAR>) {
    super();
    const a = BILINEAR.parse(args);
    this.in1Features = a.in1Features;
    this.in2Features = a.in2Features;
    this.outFeatures = a.outFeatures;
    this.weight = this.createParameter('weight', [a.outFeatures, a.in1Features, a.in2Features]);
    this.bias = a.bias ? this.createParameter('bias', [a.outFeatures]) : this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** torch's `reset_parameters`: weight, then bias, from U(-1/√in1Features, 1/√in1Features). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  override forward(input1: tf.Tensor, input2: tf.Tensor): tf.Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias != null)}`;
  }
}
