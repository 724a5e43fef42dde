/**
 * What the convolution ops ({@link conv2d} in `conv.ts`, {@link convTranspose2d} in `conv-transpose.ts`) share
 * over tfjs's NHWC kernels: input/bias checks, NCHW → NHWC and torch → HWIO layouts, dilation holes in the
 * filter, group slicing, the filter-gradient kernel and the bias gradient.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, formatShape } from '../../errors';
import { checkFloat, fromChannelsLast, toChannelsLast } from './utils';

/** An int, or an `[height, width]` pair (torch's `_pair`). */
export type IntOrPair = number | [number, number];

/** Two ints: `[height, width]`. */
export type Pair = [number, number];
/** An int, or one int per spatial dimension (torch's `_single`/`_pair`). */
export type IntOrInts = number | readonly number[];

/** The kernel's dimension names in a weight's shape, for error messages (1-d, 2-d). */
const KERNEL_DIMS = ['kL', 'kH, kW'];

/**
 * What every `n`-d convolution checks before any kernel runs: the input's rank and dtype, the weight's type, dtype
 * and rank (`[out, in/groups, *k]`; transposed `[in, out/groups, *k]`), and `weight[0]` divisible by `groups`.
 */
export function checkConvOperands(
  where: string,
  n: number,
  input: tf.Tensor,
  weight: tf.Tensor,
  groups: number,
  transposed: boolean,
): void {
  checkConvInputRank(input, n, where);
  checkFloat(input, 'input', where);
  if (!(weight instanceof tf.Tensor))
    throw new ShapeError(`${where}: expected a tf.Tensor weight, got ${typeof weight}`);
  checkFloat(weight, 'weight', where);
  const [first, second] = transposed ? ['in', 'out'] : ['out', 'in'];
  if (weight.rank !== n + 2) {
    throw new ShapeError(
      `${where}: expected weight to be ${n + 2}-D [${first}, ${second}/groups, ${KERNEL_DIMS[n - 1]}], got shape ${formatShape(weight.shape)}`,
    );
  }
  if (weight.shape[0] % groups !== 0) {
    throw new ShapeError(
      `${where}: expected weight[0] (${first} channels) to be divisible by groups = ${groups}, got weight of shape ${formatShape(weight.shape)}`,
    );
  }
}

/** Input rank `n + 1` (unbatched `[C, *spatial]`) or `n + 2` (`[N, C, *spatial]`), as torch 1.13 accepts. */
function checkConvInputRank(input: tf.Tensor, n: number, where: string): void {
  if (!(input instanceof tf.Tensor)) {
    throw new ShapeError(`${where}: expected a tf.Tensor input, got ${input === null ? 'null' : typeof input}`);
  }
  if (input.rank !== n + 1 && input.rank !== n + 2) {
    throw new ShapeError(
      `${where}: expected ${n + 1}-D (unbatched) or ${n + 2}-D (batched) input, got ${input.rank}-D input of shape ${formatShape(input.shape)}`,
    );
  }
}

/** An optional bias: float, 1-d, one element per output channel. */
export function checkBias(bias: tf.Tensor | null, channels: number, weight: tf.Tensor, where: string): void {
  if (bias == null) return;
  checkFloat(bias, 'bias', where);
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new ShapeError(
      `${where}: expected bias to be 1-D with ${channels} elements for weight of shape ${formatShape(weight.shape)}, ` +
        `got bias of shape ${formatShape(bias.shape)}`,
    );
  }
}

/** tfjs explicit padding for an NHWC tensor. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Inserts `d - 1` zeros between the taps of an HWIO filter: a dilated convolution is a plain convolution
 * with this `[(kH-1)*dH+1, (kW-1)*dW+1, I, O]` filter.
 */
export function dilateFilter(f: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  if (dh === 1 && dw === 1) return f;
  const [kh, kw, ci, co] = f.shape;
  const holes = tf.pad(tf.reshape(f, [kh, 1, kw, 1, ci, co]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const spread = tf.reshape(holes, [kh * dh, kw * dw, ci, co]) as tf.Tensor4D;
  return tf.slice(spread, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]);
}

/** The taps of a dilated filter's gradient that belong to real filter elements (inverse of {@link dilateFilter}). */
export function undilateFilter(f: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  if (dh === 1 && dw === 1) return f;
  const [kh, kw, ci, co] = f.shape;
  return tf.stridedSlice(f, [0, 0, 0, 0], [kh, kw, ci, co], [dh, dw, 1, 1]) as tf.Tensor4D;
}

/** Channel slice `[g * size, (g + 1) * size)` of an NHWC tensor or the last axis of an HWIO filter. */
export function group<T extends tf.Tensor4D>(t: T, g: number, groups: number): T {
  if (groups === 1) return t;
  const size = t.shape[3] / groups;
  return tf.slice(t, [0, 0, 0, g * size], [-1, -1, -1, size]) as T;
}

/** The groups' results joined along `axis` (the one part itself when there is a single group). */
export function concatGroups(parts: tf.Tensor4D[], axis: number): tf.Tensor4D {
  return parts.length === 1 ? parts[0] : (tf.concat(parts, axis) as tf.Tensor4D);
}

/** An NCHW (or CHW) tensor as NHWC. */
export const nhwc = (x: tf.Tensor) => toChannelsLast(x, 2) as tf.Tensor4D;
/** torch's `[out, in, kH, kW]` (or transposed `[in, out, kH, kW]`) as tfjs's dilated HWIO filter. */
export const hwio = (w: tf.Tensor, dilation: Pair) =>
  dilateFilter(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, dilation);

/** tfjs's `Conv2DBackpropFilter` kernel (no public op in tfjs-core 4.22): the filter gradient of a conv. */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: number[],
  stride: Pair,
  pad: ExplicitPad,
): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: stride,
    pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * The bias gradient: `dy` summed over everything but the channels (axis `rank - 3` of an NCHW or CHW tensor, the
 * last axis of a channels-last run's NHWC one).
 */
export function biasGrad(dy: tf.Tensor, channelsLast = false): tf.Tensor {
  if (channelsLast) return tf.sum(dy, [0, 1, 2]);
  return dy.rank === 3 ? tf.sum(dy, [1, 2]) : tf.sum(dy, [0, 2, 3]);
}

/** A kernel's NHWC result in the op's layout: as it is in a channels-last run, else `like`'s NCHW or CHW shape. */
export function fromKernelLayout(y: tf.Tensor4D, like: tf.Tensor, channelsLast: boolean): tf.Tensor {
  return channelsLast ? y : tf.reshape(fromChannelsLast(y, 4), like.shape);
}

/** `[C, L]` / `[N, C, L]` (and `[O, I, k]` weights) with a unit height inserted, for the 2-d kernels. */
export const unitHeight = (t: tf.Tensor) => tf.expandDims(t, t.rank - 1);
