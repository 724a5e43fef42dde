/**
 * The softmax-family modules (`Softmax`, `LogSoftmax`, `Softmin`, `Softmax2d`) and `GLU`: activations along one
 * dimension (in torch's `torch/nn/modules/activation.py`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { int, signature, type ArgsOf } from '../args';
import { checkInputRank } from './functional/utils';
import { glu, logSoftmax, softmax, softmin } from './functional/softmax';
import { Module } from './module';

const dimSignature = (where: string) => signature(where, [['dim', int().optional()]]);
const SOFTMAX = dimSignature('Softmax');
const LOG_SOFTMAX = dimSignature('LogSoftmax');
const SOFTMIN = dimSignature('Softmin');
const dimRepr = (dim: number | null) => `dim=${dim === null ? 'None' : dim}`;

/**
 * Softmax along `dim` (torch's `nn.Softmax`).
 * Mirrors [torch.nn.Softmax](https://pytorch.org/docs/1.13/generated/torch.nn.Softmax.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Softmax(1).forward(logits);
 * ```
 */
export class Softmax extends Module {
  /** The dimension normalised over; `null` is torch's deprecated implicit choice (see `F.softmax`). */
  readonly dim: number | null;
  /** @param args `dim?` (default `null`). */
  constructor(...args: ArgsOf<typeof SOFTMAX>) {
    super();
    this.dim = SOFTMAX.parse(args).dim;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return softmax(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

/**
 * Log-softmax along `dim` (torch's `nn.LogSoftmax`).
 * Mirrors [torch.nn.LogSoftmax](https://pytorch.org/docs/1.13/generated/torch.nn.LogSoftmax.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.LogSoftmax(1).forward(logits);
 * ```
 */
export class LogSoftmax extends Module {
  /** The dimension normalised over; `null` is torch's deprecated implicit choice. */
  readonly dim: number | null;
  /** @param args `dim?` (default `null`). */
  constructor(...args: ArgsOf<typeof LOG_SOFTMAX>) {
    super();
    this.dim = LOG_SOFTMAX.parse(args).dim;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

/**
 * Softmin along `dim`, `softmax(-x)` (torch's `nn.Softmin`).
 * Mirrors [torch.nn.Softmin](https://pytorch.org/docs/1.13/generated/torch.nn.Softmin.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Softmin(1).forward(x);
 * ```
 */
export class Softmin extends Module {
  /** The dimension normalised over; `null` is torch's deprecated implicit choice. */
  readonly dim: number | null;
  /** @param args `dim?` (default `null`). */
  constructor(...args: ArgsOf<typeof SOFTMIN>) {
    super();
    this.dim = SOFTMIN.parse(args).dim;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return softmin(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

const SOFTMAX2D = signature('Softmax2d', []);

/**
 * Softmax over the channels of each spatial location (torch's `nn.Softmax2d`: dim -3).
 * Mirrors [torch.nn.Softmax2d](https://pytorch.org/docs/1.13/generated/torch.nn.Softmax2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output as the input.
 * @example
 * ```ts
 * new nn.Softmax2d().forward(tf.randomNormal([2, 3, 4, 4]));
 * ```
 */
export class Softmax2d extends Module {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof SOFTMAX2D>) {
    super();
    SOFTMAX2D.parse(args);
  }
  override forward(input: tf.Tensor): tf.Tensor {
    checkInputRank(input, [3, 4], 'Softmax2d');
    return softmax(input, -3);
  }
}

const GLU_SIG = signature('GLU', [['dim', int().default(-1)]]);

/**
 * Gated linear unit (torch's `nn.GLU`): `a * sigmoid(b)` for the halves `a`, `b` of the input along `dim`.
 * Mirrors [torch.nn.GLU](https://pytorch.org/docs/1.13/generated/torch.nn.GLU.html).
 *
 * Shape: input `[*, 2n, *]`; output `[*, n, *]`.
 * @example
 * ```ts
 * new nn.GLU().forward(tf.randomNormal([4, 6])); // [4, 3]
 * ```
 */
export class GLU extends Module {
  /** The dimension split in halves. */
  readonly dim: number;
  /** @param args `dim?` (default `-1`). */
  constructor(...args: ArgsOf<typeof GLU_SIG>) {
    super();
    this.dim = GLU_SIG.parse(args).dim;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
