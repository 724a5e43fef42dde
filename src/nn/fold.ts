/**
 * torch's `nn.Unfold` and `nn.Fold` (`torch/nn/modules/fold.py`), thin over {@link unfold} and {@link fold}.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, any, signature } from '../args';
import { pyRepr } from '../repr';
import { fold, unfold } from './functional/fold';
import { Module } from './module';

const given = (v: unknown) => pyRepr(Array.isArray(v) ? Object.freeze([...v]) : v);

const UNFOLD = signature('Unfold', [
  ['kernelSize', any<number | number[]>('an int or 2 ints')],
  ['dilation', any<number | number[]>('an int or 2 ints').default(1)],
  ['padding', any<number | number[]>('an int or 2 ints').default(0)],
  ['stride', any<number | number[]>('an int or 2 ints').default(1)],
]);
const FOLD = signature('Fold', [['outputSize', any<number | number[]>('an int or 2 ints')], ...UNFOLD.params]);

/**
 * Extracts sliding local blocks of a batched image as columns (torch's `nn.Unfold`); the arguments are checked by
 * {@link unfold} on every call, as torch does.
 *
 * Mirrors [torch.nn.Unfold](https://pytorch.org/docs/1.13/generated/torch.nn.Unfold.html).
 *
 * Shape: `[N, C, H, W]` to `[N, C * kH * kW, L]`.
 *
 * Arguments: `kernelSize`, `dilation = 1`, `padding = 0`, `stride = 1`.
 * @example
 * ```ts
 * new nn.Unfold([2, 3]).forward(tf.zeros([2, 5, 3, 4])).shape; // [2, 30, 4]
 * ```
 */
export class Unfold extends Module {
  /** The block size. */
  readonly kernelSize: number | number[];
  /** The spacing of a block's taps. */
  readonly dilation: number | number[];
  /** Implicit zero padding. */
  readonly padding: number | number[];
  /** The step between blocks. */
  readonly stride: number | number[];
  /** @param args `kernelSize, dilation?, padding?, stride?`. */
  constructor(...args: ArgsOf<typeof UNFOLD>) {
    super();
    const a = UNFOLD.parse(args);
    this.kernelSize = a.kernelSize;
    this.dilation = a.dilation;
    this.padding = a.padding;
    this.stride = a.stride;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return unfold(input, this.kernelSize as [number, number], {
      dilation: this.dilation as [number, number],
      padding: this.padding as [number, number],
      stride: this.stride as [number, number],
    });
  }
  override extraRepr(): string {
    return `kernel_size=${given(this.kernelSize)}, dilation=${given(this.dilation)}, padding=${given(this.padding)}, stride=${given(this.stride)}`;
  }
}

/**
 * Sums columns of sliding blocks back into a batched image (torch's `nn.Fold`).
 *
 * Mirrors [torch.nn.Fold](https://pytorch.org/docs/1.13/generated/torch.nn.Fold.html).
 *
 * Shape: `[N, C * kH * kW, L]` to `[N, C, *outputSize]`.
 *
 * Arguments: `outputSize`, `kernelSize`, `dilation = 1`, `padding = 0`, `stride = 1`.
 * @example
 * ```ts
 * new nn.Fold([4, 5], 2).forward(tf.zeros([1, 12, 12])).shape; // [1, 3, 4, 5]
 * ```
 */
export class Fold extends Module {
  /** The image size. */
  readonly outputSize: number | number[];
  /** The block size. */
  readonly kernelSize: number | number[];
  /** The spacing of a block's taps. */
  readonly dilation: number | number[];
  /** Implicit zero padding. */
  readonly padding: number | number[];
  /** The step between blocks. */
  readonly stride: number | number[];
  /** @param args `outputSize, kernelSize, dilation?, padding?, stride?`. */
  constructor(...args: ArgsOf<typeof FOLD>) {
    super();
    const a = FOLD.parse(args);
    this.outputSize = a.outputSize;
    this.kernelSize = a.kernelSize;
    this.dilation = a.dilation;
    this.padding = a.padding;
    this.stride = a.stride;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return fold(input, this.outputSize as [number, number], this.kernelSize as [number, number], {
      dilation: this.dilation as [number, number],
      padding: this.padding as [number, number],
      stride: this.stride as [number, number],
    });
  }
  override extraRepr(): string {
    return `output_size=${given(this.outputSize)}, kernel_size=${given(this.kernelSize)}, dilation=${given(this.dilation)}, padding=${given(this.padding)}, stride=${given(this.stride)}`;
  }
}
