import type * as tf from '@tensorflow/tfjs-core';

import { bool, int, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { linear } from './functional/linear';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';

const LINEAR = signature('Linear', [
  ['inFeatures', int({ min: 1 })],
  ['outFeatures', int({ min: 0 })],
  ['bias', bool().default(true)],
]);

/**
 * Applies `y = x Wᵀ + b` (torch's `nn.Linear`).
 *
 * Mirrors [torch.nn.Linear](https://pytorch.org/docs/1.13/generated/torch.nn.Linear.html).
 *
 * Shape:
 * - input: `[*, inFeatures]`; output: `[*, outFeatures]`.
 *
 * Attributes:
 * - `weight` `[outFeatures, inFeatures]`, initialised from U(-√k, √k), k = 1/inFeatures
 *   (kaiming-uniform with a = √5, as torch's `reset_parameters`).
 * - `bias` `[outFeatures]` from U(-√k, √k), or `null` with `bias: false`.
 *
 * Arguments (positionally in this order, or any of them in a trailing options object, as in Python):
 * - `inFeatures` size of each input sample.
 * - `outFeatures` size of each output sample.
 * - `bias` learn an additive bias. Default: `true`.
 * @example
 * ```ts
 * const fc = new nn.Linear(100, 128 * 7 * 7);
 * const y = fc.forward(tf.randomNormal([8, 100])); // [8, 6272]
 * new nn.Linear(4, 2, false);            // torch's Linear(4, 2, False)
 * new nn.Linear(4, 2, { bias: false });  // torch's Linear(4, 2, bias=False)
 * ```
 */
export class Linear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  readonly weight: Parameter;
  /** `[outFeatures]`, or `null` with `bias: false`. */
  readonly bias: Parameter | null;

  /** @param args `inFeatures, outFeatures, bias?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof LINEAR>) {
    super();
    const { inFeatures, outFeatures, bias } = LINEAR.parse(args);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.createParameter('weight', [outFeatures, inFeatures]);
    this.bias = bias ? this.createParameter('bias', [outFeatures]) : this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** torch's `reset_parameters`: kaiming-uniform weight (a = √5) and fan-in uniform bias. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}

/**
 * Returns its input unchanged (torch's `nn.Identity`); a placeholder that keeps a model's structure.
 *
 * Mirrors [torch.nn.Identity](https://pytorch.org/docs/1.13/generated/torch.nn.Identity.html).
 *
 * Shape: any; output is the input.
 * @example
 * ```ts
 * new nn.Identity().forward(x) === x; // true
 * ```
 */
export class Identity extends Module {
  /**
   * Ignores its arguments, as torch's `Identity(*args, **kwargs)`.
   * @param _args anything.
   */
  constructor(..._args: unknown[]) {
    super();
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return input;
  }
}
