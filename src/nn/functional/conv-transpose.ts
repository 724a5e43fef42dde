/**
 * The transposed convolutions (torch's `F.conv_transpose1d`, `F.conv_transpose2d`) on channels-first tensors with
 * torch's weight layouts, and their output size and output padding, computed by tfjs's NHWC kernels.
 *
 * Each op is one {@link defineFunction} node: the forward pass is tfjs's `Conv2DBackpropInput` over the
 * dilated, grouped filter; the backward pass computes the input, weight and bias gradients directly with the
 * `Conv2D` and `Conv2DBackpropFilter` kernels (see `conv-kernels.ts`). The 1-d op is the 2-d one over a unit
 * height. In a channels-last run (`nn/channels-last.ts`) the same node takes and returns NHWC activations
 * ({@link convTranspose2dChannelsLast}).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, describeValue, int, ints, signature, tensor } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../../errors';
import {
  type ExplicitPad,
  type IntOrInts,
  type IntOrPair,
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
import { fromChannelsLast, nchwShape, ntuple } from './utils';

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

/** The spatial output size of a transposed convolution for one dimension (torch's formula). */
function transposedSize(size: number, k: number, s: number, p: number, op: number, d: number): number {
  return (size - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

const SIZE_OPTIONS = signature('convTranspose2dOutputSize', [
  ['stride', ints(2).optional()],
  ['padding', ints(2).optional()],
  ['outputPadding', ints(2).optional()],
  ['dilation', ints(2).optional()],
]);
const PADDING_OPTIONS = signature('convTranspose2dOutputPadding', [
  ['stride', ints(2).optional()],
  ['padding', ints(2).optional()],
  ['dilation', ints(2).optional()],
]);

/** Refuses a size list that is not an array of `n` (any number if omitted) non-negative ints, naming it. */
function checkSizeList(where: string, name: string, v: unknown, n?: number): void {
  if (!Array.isArray(v) || (n !== undefined && v.length !== n) || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    const want = n === undefined ? 'a list of non-negative ints' : `${n} non-negative ints`;
    throw new ArgumentTypeError(`${where}: expected ${name} to be ${want}, got ${describeValue(v)}`);
  }
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
  options: { stride?: IntOrInts; padding?: IntOrInts; outputPadding?: IntOrInts; dilation?: IntOrInts } = {},
): [number, number] {
  const where = 'convTranspose2dOutputSize';
  checkSizeList(where, 'inputSize', inputSize, 2);
  SIZE_OPTIONS.parseOptions(options);
  const { stride = 1, padding = 0, outputPadding = 0, dilation = 1 } = options;
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
  options: { stride?: IntOrInts; padding?: IntOrInts; dilation?: IntOrInts } = {},
): [number, number] {
  const where = 'convTranspose2dOutputPadding';
  checkSizeList(where, 'inputShape', inputShape);
  checkSizeList(where, 'outputSize', outputSize);
  PADDING_OPTIONS.parseOptions(options);
  const { stride = 1, padding = 0, dilation = 1 } = options;
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
  /** `x` and the result are NHWC (a channels-last run, `nn/channels-last.ts`) instead of NCHW / CHW. */
  channelsLast: boolean;
}

/**
 * The transposed convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[in, out/groups, kH, kW]`)
 * and optional `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW).
 */
const ConvTranspose = defineFunction({
  name: 'ConvTranspose2d',
  forward(ctx, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, geo: TransposeGeometry) {
    const { stride, dilation, groups, dims, outC, channelsLast } = geo;
    const [dimH, dimW] = dims;
    ctx.geo = geo;
    ctx.saveForBackward(x, w);
    const xN = channelsLast ? (x as tf.Tensor4D) : nhwc(x);
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
    const yb = b != null ? tf.add(y, b) : y;
    return channelsLast ? yb : fromChannelsLast(yb, x.rank);
  },
  backward(ctx, dy: tf.Tensor) {
    const { stride, dilation, groups, dims, channelsLast } = ctx.geo as TransposeGeometry;
    const [dimH, dimW] = dims;
    const [x, w] = ctx.savedTensors;
    const [needX, needW, needB] = ctx.needsInputGrad;
    const db = needB ? biasGrad(dy, channelsLast) : null;
    if (dimH.len < 1 || dimW.len < 1) return [null, null, db, null];
    const pad: ExplicitPad = [
      [0, 0],
      [dimH.padBefore, dimH.padAfter],
      [dimW.padBefore, dimW.padAfter],
      [0, 0],
    ];
    const toNhwc = (t: tf.Tensor) => (channelsLast ? (t as tf.Tensor4D) : nhwc(t));
    const xN = needW ? toNhwc(x) : null;
    let dyN = toNhwc(dy);
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
    const dx = needX ? fromKernelLayout(concatGroups(dxs, 3), x, channelsLast) : null;
    // HWIO filters with I = out/groups, O = in: back to torch's [in, out/groups, kH, kW].
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : null;
    return [dx, dw, db, null];
  },
});

/** The parsed arguments of a transposed convolution. */
export interface ConvTransposeArgs {
  bias: tf.Tensor | null;
  stride: number[];
  padding: number[];
  outputPadding: number[];
  groups: number;
  dilation: number[];
}

/**
 * The checks of an `n`-d transposed convolution of an input of NCHW (or CHW) `shape` that need the operands'
 * sizes, and the output size per spatial dimension.
 */
function transposedOut(where: string, n: number, shape: readonly number[], weight: tf.Tensor, a: ConvTransposeArgs) {
  const { bias, stride: s, padding: p, outputPadding: op, groups, dilation: d } = a;
  const [inC, outPerGroup] = weight.shape;
  const k = weight.shape.slice(2);
  const channels = shape[shape.length - n - 1];
  if (channels !== inC) {
    throw new ShapeError(
      `${where}: expected input[${shape.length - n - 1}] (channels) to be weight[0] = ${inC}, ` +
        `got ${channels} for input of shape ${formatShape(shape)}`,
    );
  }
  checkBias(bias, outPerGroup * groups, weight, where);
  const out = shape.slice(-n).map((x, i) => transposedSize(x, k[i], s[i], p[i], op[i], d[i]));
  if (out.some((x) => x < 1)) {
    throw new ShapeError(
      `${where}: calculated output size per channel (${out.join(' x ')}) is too small, for input of shape ` +
        `${formatShape(shape)}, kernel (${k.join(' x ')}), stride ${formatShape(s)}, padding ${formatShape(p)}, dilation ${formatShape(d)}`,
    );
  }
  return out;
}

/** Checks what needs no operand: output padding below stride or dilation. */
function checkOutputPadding(where: string, n: number, a: ConvTransposeArgs): void {
  const { stride: s, outputPadding: op, dilation: d } = a;
  for (let i = 0; i < n; i++) {
    if (op[i] >= s[i] && op[i] >= d[i]) {
      throw new ValueError(
        `${where}: output padding must be smaller than either stride or dilation, got outputPadding=${op[i]}, ` +
          `stride=${s[i]}, dilation=${d[i]}${n === 2 ? (i === 0 ? ' (height)' : ' (width)') : ''}`,
      );
    }
  }
}

/** The 2-d op's geometry for output size `out` (height, width). */
function geometry2d(a: ConvTransposeArgs, weight: tf.Tensor, out: number[], channelsLast: boolean): TransposeGeometry {
  const { stride: s, padding: p, outputPadding: op, dilation: d, groups } = a;
  const dims = out.map((o, i) => transposedDim(p[i], op[i], o)) as [TransposedDim, TransposedDim];
  return {
    stride: s as Pair,
    dilation: d as Pair,
    groups,
    dims,
    outC: (weight.shape[1] as number) * groups,
    channelsLast,
  };
}

/** Checks and runs an `n`-d transposed convolution (n = 1 or 2) through the 2-d op. */
function convTransposeNd(
  where: string,
  n: number,
  input: tf.Tensor,
  weight: tf.Tensor,
  a: ConvTransposeArgs,
): tf.Tensor {
  checkOutputPadding(where, n, a);
  checkConvOperands(where, n, input, weight, a.groups, true);
  const out = transposedOut(where, n, input.shape, weight, a);
  if (n === 2) return ConvTranspose(input, weight, a.bias, geometry2d(a, weight, out, false));
  const { stride: s, padding: p, outputPadding: op, dilation: d } = a;
  const geo: TransposeGeometry = {
    ...geometry2d({ ...a, stride: [1, s[0]], dilation: [1, d[0]] }, weight, [1, out[0]], false),
    dims: [transposedDim(0, 0, 1), transposedDim(p[0], op[0], out[0])],
  };
  return tf.squeeze(ConvTranspose(unitHeight(input), unitHeight(weight), a.bias, geo), [input.rank - 1]);
}

/**
 * The output shape of {@link convTranspose2d} for a batched NCHW input of `shape`, without running it.
 * @throws as `convTranspose2d` does for sizes that do not fit.
 */
export function convTranspose2dOutputShape(shape: readonly number[], weight: tf.Tensor, a: ConvTransposeArgs) {
  checkOutputPadding('convTranspose2d', 2, a);
  return [shape[0], (weight.shape[1] as number) * a.groups, ...transposedOut('convTranspose2d', 2, shape, weight, a)];
}

/**
 * {@link convTranspose2d} in a channels-last run (`nn/channels-last.ts`): `x` is the NHWC form of the NCHW input,
 * and so is the result. Checked as `convTranspose2d` checks the NCHW input.
 */
export function convTranspose2dChannelsLast(x: tf.Tensor, weight: tf.Tensor, a: ConvTransposeArgs): tf.Tensor {
  checkOutputPadding('convTranspose2d', 2, a);
  checkConvOperands('convTranspose2d', 2, x, weight, a.groups, true);
  const out = transposedOut('convTranspose2d', 2, nchwShape(x.shape), weight, a);
  return ConvTranspose(x, weight, a.bias, geometry2d(a, weight, out, true));
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
