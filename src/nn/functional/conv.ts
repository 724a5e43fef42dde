/**
 * The convolution family of functional ops (torch's `F.conv1d`, `F.conv2d`, `F.conv_transpose1d`,
 * `F.conv_transpose2d`) on channels-first tensors with torch's weight layouts, computed by tfjs's NHWC kernels.
 *
 * Each op is one {@link defineFunction} node: the forward pass transposes to NHWC, splits groups, inserts the
 * dilation holes into the filter and runs tfjs's `Conv2D` / `Conv2DBackpropInput` kernels; the backward pass
 * computes the input, weight and bias gradients directly with the `Conv2DBackpropInput`, `Conv2D` and
 * `Conv2DBackpropFilter` kernels. So the ops need no registered tfjs gradient, support dilation with any stride
 * (tfjs's own conv gradients assert dilation 1), and record a single tape node per call. The 1-d ops are the 2-d
 * ones over a unit height (exact: the height kernel, stride and padding are 1, 1 and 0).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, int, ints, oneOf, signature, tensor, union } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkFloat, fromChannelsLast, ntuple, toChannelsLast } from './utils';

/** An int, or an `[height, width]` pair (torch's `_pair`). */
export type IntOrPair = number | [number, number];

type Pair = [number, number];
/** An int, or one int per spatial dimension (torch's `_single`/`_pair`). */
export type IntOrInts = number | readonly number[];

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

const CONV_TRANSPOSE1D = signature('convTranspose1d', [
  ['bias', tensor().optional()],
  ['stride', ints(1, { min: 1 }).default([1])],
  ['padding', ints(1, { min: 0 }).default([0])],
  ['outputPadding', ints(1, { min: 0 }).default([0])],
  ['groups', int({ min: 1 }).default(1)],
  ['dilation', ints(1, { min: 1 }).default([1])],
]);

const CONV_TRANSPOSE2D = signature('convTranspose2d', [
  ['bias', tensor().optional()],
  ['stride', ints(2, { min: 1 }).default([1, 1])],
  ['padding', ints(2, { min: 0 }).default([0, 0])],
  ['outputPadding', ints(2, { min: 0 }).default([0, 0])],
  ['groups', int({ min: 1 }).default(1)],
  ['dilation', ints(2, { min: 1 }).default([1, 1])],
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

/** Keyword arguments of {@link convTranspose2d} and {@link convTranspose1d} (torch's names, camelCase). */
export interface ConvTranspose2dOptions {
  /** Optional bias `[C_out]`. Default: `null`. */
  bias?: tf.Tensor | null;
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrInts;
  /** `dilation * (kernel_size - 1) - padding` zero padding is added to both sides of the input. Default: `0`. */
  padding?: IntOrInts;
  /** Additional size added to one side of the output. Default: `0`. */
  outputPadding?: IntOrInts;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrInts;
}

/** Keyword arguments of {@link convTranspose1d}: as {@link ConvTranspose2dOptions}. */
export type ConvTranspose1dOptions = ConvTranspose2dOptions;

const KERNEL_DIMS = ['kL', 'kH, kW'];

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

function checkBias(bias: tf.Tensor | null, channels: number, weight: tf.Tensor, where: string): void {
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
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Inserts `d - 1` zeros between the taps of an HWIO filter: a dilated convolution is a plain convolution
 * with this `[(kH-1)*dH+1, (kW-1)*dW+1, I, O]` filter.
 */
function dilateFilter(f: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
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
function undilateFilter(f: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  if (dh === 1 && dw === 1) return f;
  const [kh, kw, ci, co] = f.shape;
  return tf.stridedSlice(f, [0, 0, 0, 0], [kh, kw, ci, co], [dh, dw, 1, 1]) as tf.Tensor4D;
}

/** Channel slice `[g * size, (g + 1) * size)` of an NHWC tensor or the last axis of an HWIO filter. */
function group<T extends tf.Tensor4D>(t: T, g: number, groups: number): T {
  if (groups === 1) return t;
  const size = t.shape[3] / groups;
  return tf.slice(t, [0, 0, 0, g * size], [-1, -1, -1, size]) as T;
}

function concatGroups(parts: tf.Tensor4D[], axis: number): tf.Tensor4D {
  return parts.length === 1 ? parts[0] : (tf.concat(parts, axis) as tf.Tensor4D);
}

const nhwc = (x: tf.Tensor) => toChannelsLast(x, 2) as tf.Tensor4D;
/** torch's `[out, in, kH, kW]` (or transposed `[in, out, kH, kW]`) as tfjs's dilated HWIO filter. */
const hwio = (w: tf.Tensor, dilation: Pair) => dilateFilter(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, dilation);

/** tfjs's `Conv2DBackpropFilter` kernel (no public op in tfjs-core 4.22): the filter gradient of a conv. */
function conv2dFilterGrad(
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

/** The geometry of one forward convolution, in tfjs terms (explicit, possibly asymmetric padding). */
interface ConvGeometry {
  stride: Pair;
  dilation: Pair;
  groups: number;
  pad: ExplicitPad;
}

/** The bias gradient: `dy` summed over everything but the channels (axis `rank - 3` of an NCHW or CHW tensor). */
function biasGrad(dy: tf.Tensor): tf.Tensor {
  return dy.rank === 3 ? tf.sum(dy, [1, 2]) : tf.sum(dy, [0, 2, 3]);
}

/**
 * The convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[out, in/groups, kH, kW]`) and optional
 * `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW).
 */
const Conv = defineFunction({
  name: 'Conv2d',
  forward(ctx, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, geo: ConvGeometry) {
    const { stride, dilation, groups, pad } = geo;
    ctx.geo = geo;
    ctx.saveForBackward(x, w);
    const xN = nhwc(x);
    const f = hwio(w, dilation);
    const parts: tf.Tensor4D[] = [];
    for (let g = 0; g < groups; g++) parts.push(tf.conv2d(group(xN, g, groups), group(f, g, groups), stride, pad));
    let y: tf.Tensor = concatGroups(parts, 3);
    if (b != null) y = tf.add(y, b);
    return fromChannelsLast(y, x.rank);
  },
  backward(ctx, dy: tf.Tensor) {
    const { stride, dilation, groups, pad } = ctx.geo as ConvGeometry;
    const [x, w] = ctx.savedTensors;
    // Input gradients nobody will read (a network's input, frozen weights) are not computed.
    const [needX, needW, needB] = ctx.needsInputGrad;
    const dyN = nhwc(dy);
    const xN = needW ? nhwc(x) : null;
    const f = needX ? hwio(w, dilation) : null;
    const dxs: tf.Tensor4D[] = [];
    const dfs: tf.Tensor4D[] = [];
    const [n, h, wd] = [dyN.shape[0], x.shape[x.rank - 2], x.shape[x.rank - 1]];
    const cPerGroup = x.shape[x.rank - 3] / groups;
    const [outC, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
    const filterShape = [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1, inPerGroup, outC / groups];
    for (let g = 0; g < groups; g++) {
      const dyg = group(dyN, g, groups);
      if (f) dxs.push(tf.conv2dTranspose(dyg, group(f, g, groups), [n, h, wd, cPerGroup], stride, pad));
      if (xN) dfs.push(conv2dFilterGrad(group(xN, g, groups), dyg, filterShape, stride, pad));
    }
    const dx = needX ? tf.reshape(fromChannelsLast(concatGroups(dxs, 3), 4), x.shape) : null;
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : null;
    return [dx, dw, needB ? biasGrad(dy) : null, null];
  },
});

/** The parsed arguments of a forward convolution. */
interface ConvArgs {
  bias: tf.Tensor | null;
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  groups: number;
}

/** `[C, L]` / `[N, C, L]` (and `[O, I, k]` weights) with a unit height inserted, for the 2-d kernels. */
const unitHeight = (t: tf.Tensor) => tf.expandDims(t, t.rank - 1);

/** Checks and runs an `n`-d convolution (n = 1 or 2) through the 2-d op. */
function convNd(where: string, n: number, input: tf.Tensor, weight: tf.Tensor, a: ConvArgs): tf.Tensor {
  const { bias, stride: s, dilation: d, groups, padding } = a;
  checkConvInputRank(input, n, where);
  checkFloat(input, 'input', where);
  if (!(weight instanceof tf.Tensor))
    throw new ShapeError(`${where}: expected a tf.Tensor weight, got ${typeof weight}`);
  checkFloat(weight, 'weight', where);
  if (weight.rank !== n + 2) {
    throw new ShapeError(
      `${where}: expected weight to be ${n + 2}-D [out, in/groups, ${KERNEL_DIMS[n - 1]}], got shape ${formatShape(weight.shape)}`,
    );
  }
  const [outC, inPerGroup] = weight.shape;
  const k = weight.shape.slice(2);
  if (outC % groups !== 0) {
    throw new ShapeError(
      `${where}: expected weight[0] (out channels) to be divisible by groups = ${groups}, got weight of shape ${formatShape(weight.shape)}`,
    );
  }
  const channels = input.shape[input.rank - n - 1];
  if (channels !== inPerGroup * groups) {
    throw new ShapeError(
      `${where}: expected input[${input.rank - n - 1}] (channels) to be weight[1]*groups = ${inPerGroup * groups}, ` +
        `got ${channels} for input of shape ${formatShape(input.shape)}`,
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
  const size = input.shape.slice(-n);
  const padded = size.map((x, i) => x + pads[i][0] + pads[i][1]);
  if (padded.some((x, i) => x < ek[i])) {
    throw new ShapeError(
      `${where}: calculated padded input size per channel (${padded.join(' x ')}) is smaller than the ` +
        `kernel size (${ek.join(' x ')}, dilation included), for input of shape ${formatShape(input.shape)}`,
    );
  }
  if (n === 2) {
    const geo: ConvGeometry = {
      stride: s as Pair,
      dilation: d as Pair,
      groups,
      pad: [[0, 0], pads[0], pads[1], [0, 0]],
    };
    return Conv(input, weight, bias, geo);
  }
  const geo: ConvGeometry = { stride: [1, s[0]], dilation: [1, d[0]], groups, pad: [[0, 0], [0, 0], pads[0], [0, 0]] };
  return tf.squeeze(Conv(unitHeight(input), unitHeight(weight), bias, geo), [input.rank - 1]);
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

/** The spatial output size of a transposed convolution for one dimension (torch's formula). */
function transposedSize(size: number, k: number, s: number, p: number, op: number, d: number): number {
  return (size - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

/**
 * The output size of a transposed convolution, as torch documents it:
 * `(H - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1`, per dimension.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html
 *
 * @param inputSize the input's spatial size `[H, W]`.
 * @param kernelSize the kernel size, int or `[kH, kW]`.
 * @param options `stride` (default `1`), `padding` (default `0`), `outputPadding` (default `0`),
 *   `dilation` (default `1`).
 * @returns `[H_out, W_out]`.
 *
 * @example
 * ```ts
 * convTranspose2dOutputSize([7, 7], 4, { stride: 2, padding: 1 }); // [14, 14]
 * ```
 */
export function convTranspose2dOutputSize(
  inputSize: [number, number],
  kernelSize: IntOrPair,
  {
    stride = 1,
    padding = 0,
    outputPadding = 0,
    dilation = 1,
  }: { stride?: IntOrInts; padding?: IntOrInts; outputPadding?: IntOrInts; dilation?: IntOrInts } = {},
): [number, number] {
  const where = 'convTranspose2dOutputSize';
  const [k, s, p, op, d] = [
    ['kernelSize', kernelSize],
    ['stride', stride],
    ['padding', padding],
    ['outputPadding', outputPadding],
    ['dilation', dilation],
  ].map(([name, v]) => ntuple(v as IntOrInts, 2, name as string, where));
  return [0, 1].map((i) => transposedSize(inputSize[i], k[i], s[i], p[i], op[i], d[i])) as [number, number];
}

/**
 * The output padding that makes an `n`-d transposed convolution produce `outputSize` (torch's
 * `_ConvTransposeNd._output_padding`).
 */
export function transposedOutputPadding(
  where: string,
  n: number,
  inputShape: readonly number[],
  outputSize: readonly number[],
  k: readonly number[],
  s: readonly number[],
  p: readonly number[],
  d: readonly number[],
): number[] {
  const nonSpatial = inputShape.length === n + 2 ? 2 : 1;
  let size = [...outputSize];
  if (size.length === nonSpatial + n) size = size.slice(nonSpatial);
  if (size.length !== n) {
    throw new ValueError(
      `${where}: for ${inputShape.length}-D input, output_size must have ${n} or ${nonSpatial + n} elements ` +
        `(got ${outputSize.length}: ${formatShape(outputSize)})`,
    );
  }
  const inSize = inputShape.slice(-n);
  const minSizes = inSize.map((x, i) => transposedSize(x, k[i], s[i], p[i], 0, d[i]));
  const maxSizes = minSizes.map((m, i) => m + s[i] - 1);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(size[i]) || size[i] < minSizes[i] || size[i] > maxSizes[i]) {
      throw new ValueError(
        `${where}: requested an output size of ${formatShape(size)}, but valid sizes range from ${formatShape(minSizes)} to ` +
          `${formatShape(maxSizes)} (for an input of spatial size ${formatShape(inSize)})`,
      );
    }
  }
  return size.map((x, i) => x - minSizes[i]);
}

/**
 * The output padding that makes a transposed convolution produce `outputSize`, as torch's
 * `ConvTranspose2d._output_padding` computes it for `forward(input, output_size)`: `outputSize` is
 * `[H, W]`, or the full shape (`[N, C, H, W]`, or `[C, H, W]` for unbatched input), and must lie between
 * the natural size and the natural size plus `stride - 1`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html
 *
 * @param inputShape the input's shape, `[N, C, H, W]` or unbatched `[C, H, W]`.
 * @param outputSize the requested output size.
 * @param kernelSize the kernel size, int or `[kH, kW]`.
 * @param options `stride` (default `1`), `padding` (default `0`), `dilation` (default `1`).
 * @returns the `[height, width]` output padding to pass to {@link convTranspose2d}.
 * @throws ValueError when `outputSize` has the wrong length or a size outside the valid range.
 *
 * @example
 * ```ts
 * convTranspose2dOutputPadding([1, 4, 5, 5], [10, 9], 3, { stride: 2, padding: 1 }); // [1, 0]
 * ```
 */
export function convTranspose2dOutputPadding(
  inputShape: readonly number[],
  outputSize: readonly number[],
  kernelSize: IntOrPair,
  { stride = 1, padding = 0, dilation = 1 }: { stride?: IntOrInts; padding?: IntOrInts; dilation?: IntOrInts } = {},
): [number, number] {
  const where = 'convTranspose2dOutputPadding';
  const [k, s, p, d] = [
    ['kernelSize', kernelSize],
    ['stride', stride],
    ['padding', padding],
    ['dilation', dilation],
  ].map(([name, v]) => ntuple(v as IntOrInts, 2, name as string, where));
  return transposedOutputPadding(where, 2, inputShape, outputSize, k, s, p, d) as [number, number];
}

/**
 * How a transposed convolution maps onto tfjs's `Conv2DBackpropInput` for one spatial dimension: it is
 * the input gradient of a forward convolution over a tensor of length `len`, padded `padBefore` /
 * `padAfter`, whose output has the transposed conv's input length. Output padding beyond `padding`
 * covers positions no filter tap reaches: `extra` zeros appended after the `len` computed ones.
 */
interface TransposedDim {
  len: number;
  padBefore: number;
  padAfter: number;
  extra: number;
}

function transposedDim(p: number, op: number, outSize: number): TransposedDim {
  // Forward conv of length L with pads (p, pb) yields floor((L + p + pb - K) / s) + 1 = H exactly when
  // L + pb = outSize + p - op; pick pb >= 0 and L as large as possible.
  const padAfter = Math.max(0, p - op);
  const extra = Math.max(0, op - p);
  return { len: outSize - extra, padBefore: p, padAfter, extra };
}

/** The geometry of one transposed convolution, in tfjs terms. */
interface TransposeGeometry {
  stride: Pair;
  dilation: Pair;
  groups: number;
  dims: [TransposedDim, TransposedDim];
  outC: number;
}

/**
 * The transposed convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[in, out/groups, kH, kW]`)
 * and optional `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW).
 */
const ConvTranspose = defineFunction({
  name: 'ConvTranspose2d',
  forward(ctx, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, geo: TransposeGeometry) {
    const { stride, dilation, groups, dims, outC } = geo;
    const [dimH, dimW] = dims;
    ctx.geo = geo;
    ctx.saveForBackward(x, w);
    const xN = nhwc(x);
    let y: tf.Tensor4D;
    if (dimH.len < 1 || dimW.len < 1) {
      // No filter tap reaches any output position (tiny inputs with large padding and output padding).
      y = tf.zeros([xN.shape[0], dimH.len + dimH.extra, dimW.len + dimW.extra, outC]);
    } else {
      const f = hwio(w, dilation);
      const pad: ExplicitPad = [
        [0, 0],
        [dimH.padBefore, dimH.padAfter],
        [dimW.padBefore, dimW.padAfter],
        [0, 0],
      ];
      const parts: tf.Tensor4D[] = [];
      for (let g = 0; g < groups; g++) {
        const shape: [number, number, number, number] = [xN.shape[0], dimH.len, dimW.len, outC / groups];
        parts.push(tf.conv2dTranspose(group(xN, g, groups), group(f, g, groups), shape, stride, pad));
      }
      y = concatGroups(parts, 3);
      if (dimH.extra > 0 || dimW.extra > 0) {
        y = tf.pad(y, [
          [0, 0],
          [0, dimH.extra],
          [0, dimW.extra],
          [0, 0],
        ]);
      }
    }
    return fromChannelsLast(b != null ? tf.add(y, b) : y, x.rank);
  },
  backward(ctx, dy: tf.Tensor) {
    const { stride, dilation, groups, dims } = ctx.geo as TransposeGeometry;
    const [dimH, dimW] = dims;
    const [x, w] = ctx.savedTensors;
    const [needX, needW, needB] = ctx.needsInputGrad;
    const db = needB ? biasGrad(dy) : null;
    if (dimH.len < 1 || dimW.len < 1) return [null, null, db, null];
    const pad: ExplicitPad = [
      [0, 0],
      [dimH.padBefore, dimH.padAfter],
      [dimW.padBefore, dimW.padAfter],
      [0, 0],
    ];
    const xN = needW ? nhwc(x) : null;
    let dyN = nhwc(dy);
    if (dimH.extra > 0 || dimW.extra > 0) dyN = tf.slice(dyN, [0, 0, 0, 0], [-1, dimH.len, dimW.len, -1]);
    const f = hwio(w, dilation);
    const dxs: tf.Tensor4D[] = [];
    const dfs: tf.Tensor4D[] = [];
    for (let g = 0; g < groups; g++) {
      const fg = group(f, g, groups);
      const dyg = group(dyN, g, groups);
      if (needX) dxs.push(tf.conv2d(dyg, fg, stride, pad));
      // The transposed conv is the input gradient of a conv from dy-space to x-space, whose filter gradient is this.
      if (xN) dfs.push(conv2dFilterGrad(dyg, group(xN, g, groups), fg.shape, stride, pad));
    }
    const dx = needX ? tf.reshape(fromChannelsLast(concatGroups(dxs, 3), 4), x.shape) : null;
    // HWIO filters with I = out/groups, O = in: back to torch's [in, out/groups, kH, kW].
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : null;
    return [dx, dw, db, null];
  },
});

/** The parsed arguments of a transposed convolution. */
interface ConvTransposeArgs {
  bias: tf.Tensor | null;
  stride: number[];
  padding: number[];
  outputPadding: number[];
  groups: number;
  dilation: number[];
}

/** Checks and runs an `n`-d transposed convolution (n = 1 or 2) through the 2-d op. */
function convTransposeNd(
  where: string,
  n: number,
  input: tf.Tensor,
  weight: tf.Tensor,
  a: ConvTransposeArgs,
): tf.Tensor {
  const { bias, stride: s, padding: p, outputPadding: op, groups, dilation: d } = a;
  for (let i = 0; i < n; i++) {
    if (op[i] >= s[i] && op[i] >= d[i]) {
      throw new ValueError(
        `${where}: output padding must be smaller than either stride or dilation, got outputPadding=${op[i]}, ` +
          `stride=${s[i]}, dilation=${d[i]}${n === 2 ? (i === 0 ? ' (height)' : ' (width)') : ''}`,
      );
    }
  }
  checkConvInputRank(input, n, where);
  checkFloat(input, 'input', where);
  if (!(weight instanceof tf.Tensor))
    throw new ShapeError(`${where}: expected a tf.Tensor weight, got ${typeof weight}`);
  checkFloat(weight, 'weight', where);
  if (weight.rank !== n + 2) {
    throw new ShapeError(
      `${where}: expected weight to be ${n + 2}-D [in, out/groups, ${KERNEL_DIMS[n - 1]}], got shape ${formatShape(weight.shape)}`,
    );
  }
  const [inC, outPerGroup] = weight.shape;
  const k = weight.shape.slice(2);
  if (inC % groups !== 0) {
    throw new ShapeError(
      `${where}: expected weight[0] (in channels) to be divisible by groups = ${groups}, got weight of shape ${formatShape(weight.shape)}`,
    );
  }
  const channels = input.shape[input.rank - n - 1];
  if (channels !== inC) {
    throw new ShapeError(
      `${where}: expected input[${input.rank - n - 1}] (channels) to be weight[0] = ${inC}, ` +
        `got ${channels} for input of shape ${formatShape(input.shape)}`,
    );
  }
  const outC = outPerGroup * groups;
  checkBias(bias, outC, weight, where);
  const size = input.shape.slice(-n);
  const out = size.map((x, i) => transposedSize(x, k[i], s[i], p[i], op[i], d[i]));
  if (out.some((x) => x < 1)) {
    throw new ShapeError(
      `${where}: calculated output size per channel (${out.join(' x ')}) is too small, for input of shape ` +
        `${formatShape(input.shape)}, kernel (${k.join(' x ')}), stride ${formatShape(s)}, padding ${formatShape(p)}, dilation ${formatShape(d)}`,
    );
  }
  if (n === 2) {
    const dims: [TransposedDim, TransposedDim] = [
      transposedDim(p[0], op[0], out[0]),
      transposedDim(p[1], op[1], out[1]),
    ];
    return ConvTranspose(input, weight, bias, { stride: s as Pair, dilation: d as Pair, groups, dims, outC });
  }
  const geo: TransposeGeometry = {
    stride: [1, s[0]],
    dilation: [1, d[0]],
    groups,
    dims: [transposedDim(0, 0, 1), transposedDim(p[0], op[0], out[0])],
    outC,
  };
  return tf.squeeze(ConvTranspose(unitHeight(input), unitHeight(weight), bias, geo), [input.rank - 1]);
}

/**
 * Applies a 2D transposed convolution operator over an input image composed of several input planes,
 * sometimes also called "deconvolution", as torch's `torch.nn.functional.conv_transpose2d`. It is the
 * gradient of {@link conv2d} with respect to its input. Differentiable with respect to `input`, `weight`
 * and `bias`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose2d.html
 *
 * Shape:
 * - input: `[N, C_in, H, W]` or unbatched `[C_in, H, W]`
 * - weight: `[C_in, C_out / groups, kH, kW]`
 * - bias: `[C_out]`
 * - output: `[N, C_out, H_out, W_out]` (unbatched `[C_out, H_out, W_out]`), where
 *   `H_out = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + output_padding[0] + 1`,
 *   and likewise `W_out`.
 *
 * @param input the input, float32.
 * @param weight the filters, in torch's transposed layout.
 * @param args torch's `bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1`, positionally
 *   or in a trailing options object (`outputPadding` must be smaller than either stride or dilation).
 * @returns the output, NCHW.
 * @throws ShapeError for a wrong rank, a channel count that does not match `weight`, a bias of the
 *   wrong size, or a non-positive output size.
 * @throws ValueError for a non-positive stride, dilation or groups, a negative padding, or an output
 *   padding not smaller than stride or dilation.
 *
 * @example
 * ```ts
 * const z = tf.randomNormal([8, 128, 7, 7]);
 * const w = tf.randomNormal([128, 64, 4, 4]);
 * const y = F.convTranspose2d(z, w, null, { stride: 2, padding: 1 }); // [8, 64, 14, 14]
 * ```
 */
export function convTranspose2d(
  input: tf.Tensor,
  weight: tf.Tensor,
  ...args: ArgsOf<typeof CONV_TRANSPOSE2D>
): tf.Tensor {
  return convTransposeNd('convTranspose2d', 2, input, weight, CONV_TRANSPOSE2D.parse(args));
}

/**
 * Applies a 1D transposed convolution operator over an input signal composed of several input planes, as
 * torch's `torch.nn.functional.conv_transpose1d`. Differentiable with respect to `input`, `weight` and `bias`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose1d.html
 *
 * Shape:
 * - input: `[N, C_in, L]` or unbatched `[C_in, L]`; weight: `[C_in, C_out / groups, kL]`; bias: `[C_out]`
 * - output: `[N, C_out, L_out]`, `L_out = (L - 1) * stride - 2 * padding + dilation * (kL - 1) + output_padding + 1`.
 *
 * @param input the input, float32.
 * @param weight the filters, in torch's transposed layout.
 * @param args torch's `bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1`, positionally
 *   or in a trailing options object.
 * @returns the output.
 * @example
 * ```ts
 * F.convTranspose1d(tf.randomNormal([2, 4, 9]), tf.randomNormal([4, 3, 4]), null, 2, 1).shape; // [2, 3, 18]
 * ```
 */
export function convTranspose1d(
  input: tf.Tensor,
  weight: tf.Tensor,
  ...args: ArgsOf<typeof CONV_TRANSPOSE1D>
): tf.Tensor {
  return convTransposeNd('convTranspose1d', 1, input, weight, CONV_TRANSPOSE1D.parse(args));
}
