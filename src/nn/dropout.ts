import type * as tf from '@tensorflow/tfjs-core';

import { checkP, dropout } from './functional/dropout';
import { Module } from './module';
import { pyBool, pyFloat } from '../repr';

/**
 * During training, zeroes each element with probability `p` and scales the others by `1 / (1 - p)`;
 * in eval mode, the identity (torch's `nn.Dropout`).
 *
 * Mirrors [torch.nn.Dropout](https://pytorch.org/docs/1.13/generated/torch.nn.Dropout.html).
 *
 * Shape: any; output has the input's shape.
 * @param p probability of an element to be zeroed. Default: `0.5`.
 * @param options.inplace accepted for porting; changes nothing. Default: `false`.
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.25);
 * drop.eval().forward(x); // x unchanged
 * ```
 */
export class Dropout extends Module {
  /** Probability of an element to be zeroed. */
  readonly p: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  constructor(p = 0.5, { inplace = false }: { inplace?: boolean } = {}) {
    super();
    checkP(p);
    this.p = p;
    this.inplace = inplace;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return dropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
