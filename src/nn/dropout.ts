/**
 * Dropout modules (torch's `torch/nn/modules/dropout.py`), thin over the `F.*` dropout ops: masks from the
 * library's generator, drawn as torch's CPU kernels draw them.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, signature, type ArgsOf } from '../args';
import { ArgumentTypeError } from '../errors';
import * as F from './functional/dropout';
import { Module } from './module';
import { pyBool, pyFloat } from '../repr';

const DROPOUT = signature('Dropout', [
  ['p', F.dropoutPArg()],
  ['inplace', bool().default(false)],
]);

/**
 * Base of the dropout modules (torch's `_DropoutNd`): `p` and `inplace`, checked as torch, printed
 * `p=0.5, inplace=False`.
 */
export abstract class DropoutNd extends Module {
  /** Probability of an element (or channel) to be dropped. */
  readonly p: number;
  /** Accepted for porting; tfjs tensors are immutable, so it changes nothing. */
  readonly inplace: boolean;
  private readonly op: (input: tf.Tensor, p: number, training: boolean) => tf.Tensor;
  /**
   * @param where the class name, for error messages.
   * @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object.
   * @param op the F op `forward` applies, with `p` and the training flag.
   */
  protected constructor(
    where: string,
    args: ArgsOf<typeof DROPOUT>,
    op: (input: tf.Tensor, p: number, training: boolean) => tf.Tensor,
  ) {
    super();
    if (new.target === DropoutNd) {
      throw new ArgumentTypeError(
        "DropoutNd is an abstract base class (torch's private _DropoutNd): construct Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout or FeatureAlphaDropout",
      );
    }
    const a = DROPOUT.parse(args, where);
    F.checkP(a.p);
    this.p = a.p;
    this.inplace = a.inplace;
    this.op = op;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return this.op(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * During training, zeroes each element with probability `p` and scales the others by `1 / (1 - p)`;
 * in eval mode, the identity (torch's `nn.Dropout`). Same mask as torch for the same seed.
 *
 * Mirrors [torch.nn.Dropout](https://pytorch.org/docs/1.13/generated/torch.nn.Dropout.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.25);
 * drop.eval().forward(x); // x unchanged
 * ```
 */
export class Dropout extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('Dropout', args, F.dropout);
  }
  /** Elementwise: in a channels-last run, the same output shape (see `nn/channels-last.ts`). */
  channelsLastShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** `forward` on the NHWC form of its input in a channels-last run: the mask `forward` draws, transposed. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return F.dropoutChannelsLast(x, this.p, this.training, false);
  }
}

/**
 * Zeroes whole channels `input[n, c]` of a 1-D signal with probability `p` in training (torch's `nn.Dropout1d`).
 * Same mask as torch for the same seed.
 *
 * Mirrors [torch.nn.Dropout1d](https://pytorch.org/docs/1.13/generated/torch.nn.Dropout1d.html).
 *
 * Shape: `[N, C, L]` or `[C, L]`; output as the input.
 * @example
 * ```ts
 * new nn.Dropout1d(0.2).forward(tf.randomNormal([8, 16, 100]));
 * ```
 */
export class Dropout1d extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('Dropout1d', args, F.dropout1d);
  }
}

/**
 * Zeroes whole feature maps `input[n, c]` with probability `p` in training (torch's `nn.Dropout2d`; a 3-D input
 * is read as `[N, C, L]`, as torch 1.13, with its warning). Same mask as torch for the same seed.
 *
 * Mirrors [torch.nn.Dropout2d](https://pytorch.org/docs/1.13/generated/torch.nn.Dropout2d.html).
 *
 * Shape: `[N, C, H, W]`; output as the input.
 * @example
 * ```ts
 * new nn.Dropout2d(0.2).forward(tf.randomNormal([8, 16, 10, 10]));
 * ```
 */
export class Dropout2d extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('Dropout2d', args, F.dropout2d);
  }
  /** In a channels-last run (4-d input), the same output shape (see `nn/channels-last.ts`). */
  channelsLastShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** `forward` on the NHWC form of a 4-d input in a channels-last run: the channel mask `forward` draws. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return F.dropoutChannelsLast(x, this.p, this.training, true);
  }
}

/**
 * Zeroes whole volumes `input[n, c]` with probability `p` in training (torch's `nn.Dropout3d`). Same mask as
 * torch for the same seed.
 *
 * Mirrors [torch.nn.Dropout3d](https://pytorch.org/docs/1.13/generated/torch.nn.Dropout3d.html).
 *
 * Shape: `[N, C, D, H, W]` or `[C, D, H, W]`; output as the input.
 * @example
 * ```ts
 * new nn.Dropout3d(0.2).forward(tf.randomNormal([2, 4, 3, 5, 5]));
 * ```
 */
export class Dropout3d extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('Dropout3d', args, F.dropout3d);
  }
}

/**
 * Alpha dropout for self-normalising networks (torch's `nn.AlphaDropout`): dropped elements take SELU's
 * saturation value, and the output is rescaled to keep zero mean and unit variance. Same mask as torch for the
 * same seed.
 *
 * Mirrors [torch.nn.AlphaDropout](https://pytorch.org/docs/1.13/generated/torch.nn.AlphaDropout.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Sequential(new nn.Linear(8, 8), new nn.SELU(), new nn.AlphaDropout(0.1));
 * ```
 */
export class AlphaDropout extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('AlphaDropout', args, F.alphaDropout);
  }
}

/**
 * Alpha dropout of whole channels `input[n, c]` (torch's `nn.FeatureAlphaDropout`). Same mask as torch for the
 * same seed.
 *
 * Mirrors [torch.nn.FeatureAlphaDropout](https://pytorch.org/docs/1.13/generated/torch.nn.FeatureAlphaDropout.html).
 *
 * Shape: `[N, C, *]`; output as the input.
 * @example
 * ```ts
 * new nn.FeatureAlphaDropout(0.2).forward(tf.randomNormal([8, 16, 10, 10]));
 * ```
 */
export class FeatureAlphaDropout extends DropoutNd {
  /** @param args `p?` (default `0.5`), `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof DROPOUT>) {
    super('FeatureAlphaDropout', args, F.featureAlphaDropout);
  }
}
