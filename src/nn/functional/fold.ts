/**
 * torch's `F.unfold` (im2col: the sliding blocks of a batched image as columns) and `F.fold` (col2im: the blocks
 * summed back into an image), over the window machinery in `./windows`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, ints, signature } from '../../args';
import { ShapeError, formatShape } from '../../errors';
import { checkFloat } from './utils';
import { type AxisWindows, WindowPatches, scatterPatches, slidingWindows } from './windows';

const blockArgs = [
  ['kernelSize', ints(2, { min: 1 })],
  ['dilation', ints(2, { min: 1 }).default([1, 1])],
  ['padding', ints(2, { min: 0 }).default([0, 0])],
  ['stride', ints(2, { min: 1 }).default([1, 1])],
] as const;
const UNFOLD = signature('F.unfold', blockArgs);
const FOLD = signature('F.fold', [['outputSize', ints(2, { min: 1 })], ...blockArgs]);

interface BlockArgs {
  kernelSize: number[];
  dilation: number[];
  padding: number[];
  stride: number[];
}

/** The blocks' windows over an `[H, W]` image; every block must fit the padded image. */
function blocks(where: string, size: number[], a: BlockArgs, shapeText: string): [AxisWindows, AxisWindows] {
  const axes = [0, 1].map((i) =>
    slidingWindows(
      size[i] as number,
      a.kernelSize[i] as number,
      a.stride[i] as number,
      a.padding[i] as number,
      a.dilation[i] as number,
      false,
    ),
  ) as [AxisWindows, AxisWindows];
  if (axes.some((x) => x.out < 1)) {
    throw new ShapeError(
      `${where}: the kernel ${formatShape(a.kernelSize)} (dilation ${formatShape(a.dilation)}) is larger than the padded ` +
        `input (padding ${formatShape(a.padding)}) for ${shapeText}: no sliding block fits`,
    );
  }
  return axes;
}

/**
 * Extracts the sliding local blocks of a batched image as columns (torch's `F.unfold`, im2col): each column holds
 * one block's `C * kH * kW` values, channel first, then the kernel positions row by row.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.unfold.html
 *
 * Shape: `[N, C, H, W]` (or unbatched `[C, H, W]`) to `[N, C * kH * kW, L]`, `L` = the number of blocks,
 * `prod(floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1))`.
 *
 * @param input float32 image.
 * @param args torch's `kernel_size, dilation=1, padding=0, stride=1`.
 * @returns the columns.
 * @example
 * ```ts
 * F.unfold(tf.zeros([2, 5, 3, 4]), [2, 3]).shape; // [2, 30, 4]
 * ```
 */
export function unfold(input: tf.Tensor, ...args: ArgsOf<typeof UNFOLD>): tf.Tensor {
  const where = 'F.unfold';
  const a = UNFOLD.parse(args);
  if (!(input instanceof tf.Tensor) || (input.rank !== 3 && input.rank !== 4)) {
    throw new ShapeError(
      `${where}: expected 3-D (unbatched) or 4-D (batched) input, got ${input instanceof tf.Tensor ? `${input.rank}-D input of shape ${formatShape(input.shape)}` : typeof input}`,
    );
  }
  checkFloat(input, 'input', where);
  const x4 = input.rank === 3 ? tf.expandDims(input, 0) : input;
  const [b, c, h, w] = x4.shape as [number, number, number, number];
  const [rows, cols] = blocks(where, [h, w], a, `input of shape ${formatShape(input.shape)}`);
  const patches = WindowPatches(x4, rows, cols, 0); // [B, C, Oh, Ow, kk]
  const kk = rows.k * cols.k;
  const out = tf.reshape(tf.transpose(patches, [0, 1, 4, 2, 3]), [b, c * kk, rows.out * cols.out]);
  return input.rank === 3 ? tf.squeeze(out, [0]) : out;
}

/**
 * Sums columns of sliding blocks back into a batched image (torch's `F.fold`, col2im), the adjoint of
 * {@link unfold}: overlapping blocks add up.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.fold.html
 *
 * Shape: `[N, C * kH * kW, L]` (or unbatched `[C * kH * kW, L]`) to `[N, C, *output_size]`; `L` must be the number
 * of blocks that fit `output_size`.
 *
 * @param input float32 columns.
 * @param args torch's `output_size, kernel_size, dilation=1, padding=0, stride=1`.
 * @returns the image.
 * @example
 * ```ts
 * F.fold(tf.zeros([1, 3 * 2 * 2, 12]), [4, 5], 2).shape; // [1, 3, 4, 5]
 * ```
 */
export function fold(input: tf.Tensor, ...args: ArgsOf<typeof FOLD>): tf.Tensor {
  const where = 'F.fold';
  const a = FOLD.parse(args);
  if (!(input instanceof tf.Tensor) || (input.rank !== 2 && input.rank !== 3)) {
    throw new ShapeError(
      `${where}: expected 2-D (unbatched) or 3-D (batched) input, got ${input instanceof tf.Tensor ? `${input.rank}-D input of shape ${formatShape(input.shape)}` : typeof input}`,
    );
  }
  checkFloat(input, 'input', where);
  const x3 = input.rank === 2 ? tf.expandDims(input, 0) : input;
  const [b, ckk, l] = x3.shape as [number, number, number];
  const [rows, cols] = blocks(where, a.outputSize, a, `output_size ${formatShape(a.outputSize)}`);
  const kk = rows.k * cols.k;
  if (ckk % kk !== 0) {
    throw new ShapeError(
      `${where}: expected size of input's dimension ${input.rank - 2} to be divisible by the product of kernel_size (${kk}), but got input of shape ${formatShape(input.shape)}`,
    );
  }
  if (l !== rows.out * cols.out) {
    throw new ShapeError(
      `${where}: given output_size=${formatShape(a.outputSize)}, kernel_size=${formatShape(a.kernelSize)}, dilation=${formatShape(a.dilation)}, padding=${formatShape(a.padding)}, stride=${formatShape(a.stride)}, expected size of input's dimension ${input.rank - 1} to match the calculated number of sliding blocks ${rows.out} * ${cols.out} = ${rows.out * cols.out}, but got input of shape ${formatShape(input.shape)}`,
    );
  }
  const c = ckk / kk;
  const patches = tf.transpose(tf.reshape(x3, [b, c, kk, rows.out, cols.out]), [0, 1, 3, 4, 2]);
  const out = scatterPatches(patches, rows, cols, [b, c, ...a.outputSize]);
  return input.rank === 2 ? tf.squeeze(out, [0]) : out;
}
