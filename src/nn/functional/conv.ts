/**
 * The convolutions (torch's `F.conv1d`, `F.conv2d`) on channels-first tensors with torch's weight layouts,
 * computed by tfjs's NHWC kernels; the family's transposed ops (`F.conv_transpose1d`, `F.conv_transpose2d`) are in
 * `conv-transpose.ts` and exported from here too, the shared kernel helpers in `conv-kernels.ts`.
 *
 * Each op is one {@link defineFunction} node: the forward pass transposes to NHWC, splits groups, inserts the
 * dilation holes into the filter and runs tfjs's `Conv2D` kernel; the backward pass computes the input, weight
 * and bias gradients directly with the `Conv2DBackpropInput`, `Conv2D` and `Conv2DBackpropFilter` kernels. So the
 * ops need no registered tfjs gradient, support dilation with any stride (tfjs's own conv gradients assert
 * dilation 1), and record a single tape node per call. The 1-d ops are the 2-d ones over a unit height (exact:
 * the height kernel, stride and padding are 1, 1 and 0). In a channels-last run (`nn/channels-last.ts`) the same
 * node takes and returns NHWC activations, with no transpose of its own ({@link conv2dChannelsLast}).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, int, ints, oneOf, signature, tensor, union } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';
import {
  type ExplicitPad,
  type IntOrInts,
  type Pair,
  biasGrad,
  checkBias,
  checkConvOperands,
  concatGroups,
  conv2dFilterGrad,
  fromKernelLayout,
  group,
  hwio,
  nhwc,
  undilateFilter,
  unitHeight,
} from './conv-kernels';
import { fromChannelsLast, nchwShape } from './utils';

export type { IntOrInts, IntOrPair } from './conv-kernels';
export {
  type ConvTranspose1dOptions,
  type ConvTranspose2dOptions,
  type ConvTransposeArgs,
  convTranspose1d,
  convTranspose2d,
  convTranspose2dChannelsLast,
  convTranspose2dOutputShape,
  convTranspose2dOutputPadding,
  convTranspose2dOutputSize,
  transposedOutputPadding,
} from './conv-transpose';

const paddingArg = <N extends number>(n: N) =>
  union(ints(n, { min: 0 }), oneOf(['same', 'valid'] as const)).default(Array(n).fill(0) as never);

const CONV1D = signature('conv1d', [
  ['bias', tensor().optional()],
  ['stride', ints(1, { min: 1 }).default([1])],
  ['padding', paddingArg(1)],
  ['dilation', ints(1, { min: 1 }).default([1])],
  ['groups', int({ min: 1 }).default(1)],
]);

const CONV2D = signature('conv2d', [
  ['bias', tensor().optional()],
  ['stride', ints(2, { min: 1 }).default([1, 1])],
  ['padding', paddingArg(2)],
  ['dilation', ints(2, { min: 1 }).default([1, 1])],
  ['groups', int({ min: 1 }).default(1)],
]);

/** Keyword arguments of {@link conv2d} and {@link conv1d} (torch's names, camelCase). */
export interface Conv2dOptions {
  /** Optional bias `[C_out]`. Default: `null`. */
  bias?: tf.Tensor | null;
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrInts;
  /** Zero padding on both sides, or `'valid'` / `'same'` (stride 1 only). Default: `0`. */
  padding?: IntOrInts | 'same' | 'valid';
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrInts;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
}

/** Keyword arguments of {@link conv1d}: as {@link Conv2dOptions}, one int per size. */
export type Conv1dOptions = Conv2dOptions;

/** The geometry of one forward convolution, in tfjs terms (explicit, possibly asymmetric padding). */
interface ConvGeometry {
  stride: Pair;
  dilation: Pair;
  groups: number;
  pad: ExplicitPad;
  /** `x` and the result are NHWC (a channels-last run, `nn/channels-last.ts`) instead of NCHW / CHW. */
  channelsLast: boolean;
}

/**
 * The convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[out, in/groups, kH, kW]`) and optional
 * `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW); NHWC in, NHWC out with `channelsLast`.
 */
const Conv = defineFunction({
  name: 'Conv2d',
  forward(ctx, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, geo: ConvGeometry) {
    const { stride, dilation, groups, pad, channelsLast } = geo;
    ctx.geo = geo;
    ctx.saveForBackward(x, w);
    const xN = channelsLast ? (x as tf.Tensor4D) : nhwc(x);
    const f = hwio(w, dilation);
    const parts: tf.Tensor4D[] = [];
    for (let g = 0; g < groups; g++) parts.push(tf.conv2d(group(xN, g, groups), group(f, g, groups), stride, pad));
    let y: tf.Tensor = concatGroups(parts, 3);
    if (b != null) y = tf.add(y, b);
    return channelsLast ? y : fromChannelsLast(y, x.rank);
  },
  backward(ctx, dy: tf.Tensor) {
    const { stride, dilation, groups, pad, channelsLast } = ctx.geo as ConvGeometry;
    const [x, w] = ctx.savedTensors;
    // Input gradients nobody will read (a network's input, frozen weights) are not computed.
    const [needX, needW, needB] = ctx.needsInputGrad;
    const toNhwc = (t: tf.Tensor) => (channelsLast ? (t as tf.Tensor4D) : nhwc(t));
    const dyN = toNhwc(dy);
    const xN = needW ? toNhwc(x) : null;
    const f = needX ? hwio(w, dilation) : null;
    const dxs: tf.Tensor4D[] = [];
    const dfs: tf.Tensor4D[] = [];
    const [c, h, wd] = (channelsLast ? [x.shape[3], x.shape[1], x.shape[2]] : x.shape.slice(-3)) as Triple;
    const n = dyN.shape[0];
    const cPerGroup = c / groups;
    const [outC, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
    const filterShape = [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1, inPerGroup, outC / groups];
    for (let g = 0; g < groups; g++) {
      const dyg = group(dyN, g, groups);
      if (f) dxs.push(tf.conv2dTranspose(dyg, group(f, g, groups), [n, h, wd, cPerGroup], stride, pad));
      if (xN) dfs.push(conv2dFilterGrad(group(xN, g, groups), dyg, filterShape, stride, pad));
    }
    const dx = needX ? fromKernelLayout(concatGroups(dxs, 3), x, channelsLast) : null;
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : null;
    return [dx, dw, needB ? biasGrad(dy, channelsLast) : null, null];
  },
});

type Triple = [number, number, number];

/** The parsed arguments of a forward convolution. */
export interface ConvArgs {
  bias: tf.Tensor | null;
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  groups: number;
}

/**
 * The shape checks of an `n`-d convolution of an input of NCHW (or CHW) `shape` that need the operands' sizes,
 * and the padding per spatial dimension that gives (torch's split for `'same'`) with the output size.
 */
function convPads(
  where: string,
  n: number,
  shape: readonly number[],
  weight: tf.Tensor,
  a: ConvArgs,
): { pads: Pair[]; out: number[] } {
  const { bias, stride: s, dilation: d, groups, padding } = a;
  const [outC, inPerGroup] = weight.shape;
  const k = weight.shape.slice(2);
  const channels = shape[shape.length - n - 1];
  if (channels !== inPerGroup * groups) {
    throw new ShapeError(
      `${where}: expected input[${shape.length - n - 1}] (channels) to be weight[1]*groups = ${inPerGroup * groups}, ` +
        `got ${channels} for input of shape ${formatShape(shape)}`,
    );
  }
  checkBias(bias, outC, weight, where);
  const ek = k.map((kk, i) => d[i] * (kk - 1) + 1);
  let pads: Pair[];
  if (padding === 'valid') {
    pads = ek.map(() => [0, 0]);
  } else if (padding === 'same') {
    if (s.some((x) => x !== 1)) {
      throw new ValueError(
        `${where}: padding='same' is not supported for strided convolutions, got stride=${formatShape(s)}`,
      );
    }
    // torch: total = dilation * (k - 1), total // 2 before, the rest after.
    pads = ek.map((e) => [(e - 1) >> 1, e - 1 - ((e - 1) >> 1)]);
  } else {
    pads = padding.map((p) => [p, p]);
  }
  const size = shape.slice(-n);
  const padded = size.map((x, i) => x + pads[i][0] + pads[i][1]);
  if (padded.some((x, i) => x < ek[i])) {
    throw new ShapeError(
      `${where}: calculated padded input size per channel (${padded.join(' x ')}) is smaller than the ` +
        `kernel size (${ek.join(' x ')}, dilation included), for input of shape ${formatShape(shape)}`,
    );
  }
  return { pads, out: padded.map((x, i) => Math.floor((x - ek[i]) / s[i]) + 1) };
}

/** The 2-d op's geometry for `pads` (height, width). */
function geometry2d(a: ConvArgs, pads: Pair[], channelsLast: boolean): ConvGeometry {
  const pad: ExplicitPad = [[0, 0], pads[0], pads[1], [0, 0]];
  return { stride: a.stride as Pair, dilation: a.dilation as Pair, groups: a.groups, pad, channelsLast };
}

/** Checks and runs an `n`-d convolution (n = 1 or 2) through the 2-d op. */
function convNd(where: string, n: number, input: tf.Tensor, weight: tf.Tensor, a: ConvArgs): tf.Tensor {
  checkConvOperands(where, n, input, weight, a.groups, false);
  const { pads } = convPads(where, n, input.shape, weight, a);
  if (n === 2) return Conv(input, weight, a.bias, geometry2d(a, pads, false));
  const geo = geometry2d({ ...a, stride: [1, a.stride[0]], dilation: [1, a.dilation[0]] }, [[0, 0], pads[0]], false);
  return tf.squeeze(Conv(unitHeight(input), unitHeight(weight), a.bias, geo), [input.rank - 1]);
}

/**
 * The output shape of {@link conv2d} for a batched NCHW input of `shape`, without running it.
 * @throws as `conv2d` does for sizes that do not fit.
 */
export function conv2dOutputShape(shape: readonly number[], weight: tf.Tensor, a: ConvArgs): number[] {
  return [shape[0], weight.shape[0], ...convPads('conv2d', 2, shape, weight, a).out];
}

/**
 * {@link conv2d} in a channels-last run (`nn/channels-last.ts`): `x` is the NHWC form of the NCHW input, and so
 * is the result. Checked as `conv2d` checks the NCHW input.
 */
export function conv2dChannelsLast(x: tf.Tensor, weight: tf.Tensor, a: ConvArgs): tf.Tensor {
  checkConvOperands('conv2d', 2, x, weight, a.groups, false);
  const { pads } = convPads('conv2d', 2, nchwShape(x.shape), weight, a);
  return Conv(x, weight, a.bias, geometry2d(a, pads, true));
}

/**
 * Applies a 2D convolution over an input image composed of several input planes, as torch's
 * `torch.nn.functional.conv2d`. Differentiable with respect to `input`, `weight` and `bias`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html
 *
 * Shape:
 * - input: `[N, C_in, H, W]` or unbatched `[C_in, H, W]`
 * - weight: `[C_out, C_in / groups, kH, kW]`
 * - bias: `[C_out]`
 * - output: `[N, C_out, H_out, W_out]` (unbatched `[C_out, H_out, W_out]`), where
 *   `H_out = floor((H + 2 * padding[0] - dilation[0] * (kH - 1) - 1) / stride[0] + 1)`, and likewise `W_out`.
 *
 * @param input the input, float32.
 * @param weight the filters, in torch's layout.
 * @param args torch's `bias=None, stride=1, padding=0, dilation=1, groups=1`, positionally or in a trailing
 *   options object. `padding` is an int, a pair, `'valid'` (none) or `'same'` (stride 1 only; an odd total
 *   padding puts the extra row/column at the bottom/right, as torch does).
 * @returns the convolved output, NCHW.
 * @throws ShapeError for a wrong rank, a channel count that does not match `weight` and `groups`, a bias
 *   of the wrong size, or a kernel larger than the padded input.
 * @throws ValueError for a non-positive stride, dilation or groups, a negative padding, an unknown
 *   padding string, or `'same'` with a stride other than 1.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([8, 1, 28, 28]);
 * const w = tf.randomNormal([32, 1, 4, 4]);
 * const y = F.conv2d(x, w, null, { stride: 2, padding: 1 }); // [8, 32, 14, 14]
 * F.conv2d(x, w, null, 2, 1); // the same, positionally as torch
 * ```
 */
export function conv2d(input: tf.Tensor, weight: tf.Tensor, ...args: ArgsOf<typeof CONV2D>): tf.Tensor {
  return convNd('conv2d', 2, input, weight, CONV2D.parse(args));
}

/**
 * Applies a 1D convolution over an input signal composed of several input planes, as torch's
 * `torch.nn.functional.conv1d`. Differentiable with respect to `input`, `weight` and `bias`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv1d.html
 *
 * Shape:
 * - input: `[N, C_in, L]` or unbatched `[C_in, L]`
 * - weight: `[C_out, C_in / groups, kL]`
 * - bias: `[C_out]`
 * - output: `[N, C_out, L_out]`, `L_out = floor((L + 2 * padding - dilation * (kL - 1) - 1) / stride + 1)`.
 *
 * @param input the input, float32.
 * @param weight the filters, in torch's layout.
 * @param args torch's `bias=None, stride=1, padding=0, dilation=1, groups=1` (padding may be `'same'` or
 *   `'valid'`), positionally or in a trailing options object.
 * @returns the convolved output.
 * @example
 * ```ts
 * const y = F.conv1d(tf.randomNormal([4, 2, 50]), tf.randomNormal([8, 2, 5]), null, { padding: 2 }); // [4, 8, 50]
 * ```
 */
export function conv1d(input: tf.Tensor, weight: tf.Tensor, ...args: ArgsOf<typeof CONV1D>): tf.Tensor {
  return convNd('conv1d', 1, input, weight, CONV1D.parse(args));
}
