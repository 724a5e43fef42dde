import type * as tf from '@tensorflow/tfjs-core';

import * as F from './functional/activation';
import { Module } from './module';
import { pyFloat } from '../repr';

/**
 * `max(0, x)` elementwise (torch's `nn.ReLU`).
 * Mirrors [torch.nn.ReLU](https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html).
 *
 * Shape: any; output has the input's shape.
 * @param options.inplace accepted for porting; tfjs tensors are immutable, so it changes nothing. Default: `false`.
 * @example
 * ```ts
 * new nn.ReLU().forward(tf.tensor([-1, 2])); // [0, 2]
 * ```
 */
export class ReLU extends Module {
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  constructor({ inplace = false }: { inplace?: boolean } = {}) {
    super();
    this.inplace = inplace;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.relu(input);
  }
  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/**
 * `x` if `x > 0`, else `negativeSlope * x` (torch's `nn.LeakyReLU`).
 * Mirrors [torch.nn.LeakyReLU](https://pytorch.org/docs/1.13/generated/torch.nn.LeakyReLU.html).
 *
 * Shape: any; output has the input's shape.
 * @param negativeSlope slope for negative inputs. Default: `0.01`.
 * @param options.inplace accepted for porting; changes nothing. Default: `false`.
 * @example
 * ```ts
 * new nn.LeakyReLU(0.2).forward(tf.tensor([-1, 2])); // [-0.2, 2]
 * ```
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  constructor(negativeSlope = 0.01, { inplace = false }: { inplace?: boolean } = {}) {
    super();
    this.negativeSlope = negativeSlope;
    this.inplace = inplace;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/**
 * Hyperbolic tangent elementwise (torch's `nn.Tanh`).
 * Mirrors [torch.nn.Tanh](https://pytorch.org/docs/1.13/generated/torch.nn.Tanh.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Tanh().forward(x);
 * ```
 */
export class Tanh extends Module {
  override forward(input: tf.Tensor): tf.Tensor {
    return F.tanh(input);
  }
}

/**
 * Logistic sigmoid elementwise (torch's `nn.Sigmoid`).
 * Mirrors [torch.nn.Sigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.Sigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Sigmoid().forward(x);
 * ```
 */
export class Sigmoid extends Module {
  override forward(input: tf.Tensor): tf.Tensor {
    return F.sigmoid(input);
  }
}
