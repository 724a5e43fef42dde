/**
 * The convolution family of functional ops (torch's `F.conv2d`, `F.conv_transpose2d`) on NCHW tensors with
 * torch's weight layouts, computed by tfjs's NHWC kernels.
 *
 * Each op is one `tf.customGrad` node: the forward pass transposes to NHWC, splits groups, inserts the
 * dilation holes into the filter and runs tfjs's `Conv2D` / `Conv2DBackpropInput` kernels; the backward
 * pass computes the input, weight and bias gradients directly with the `Conv2DBackpropInput`,
 * `Conv2D` and `Conv2DBackpropFilter` kernels. So the ops need no registered tfjs gradient (tfjs-core's
 * CommonJS bundle registers none), support dilation with any stride (tfjs's own conv gradients assert
 * dilation 1), and record a single tape node per call.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { needsInputGrad } from '../../autograd/tape';
import { ShapeError, ValueError } from '../../errors';

/** An int, or an `[height, width]` pair (torch's `_pair`). */
export type IntOrPair = number | [number, number];

/** Keyword arguments of {@link conv2d} (torch's `stride`, `padding`, `dilation`, `groups`). */
export interface Conv2dOptions {
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrPair;
  /**
   * Implicit zero padding on both sides, or `'valid'` (none) or `'same'` (output as large as the input;
   * stride 1 only; an odd total padding puts the extra row/column at the bottom/right, as torch does).
   * Default: `0`.
   */
  padding?: IntOrPair | 'same' | 'valid';
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrPair;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
}

/** Keyword arguments of {@link convTranspose2d} (torch's `stride`, `padding`, `output_padding`, `groups`, `dilation`). */
export interface ConvTranspose2dOptions {
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrPair;
  /** `dilation * (kernel_size - 1) - padding` zero padding is added to both sides of the input. Default: `0`. */
  padding?: IntOrPair;
  /** Additional size added to one side (bottom/right) of the output shape. Default: `0`. */
  outputPadding?: IntOrPair;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrPair;
}

type Pair = [number, number];

/**
 * torch's `_pair` (torch/nn/modules/utils.py): an int repeated twice, or an `[height, width]` pair,
 * checked to be integers.
 *
 * @param v the int or pair.
 * @param name the argument's name, for the error message.
 * @param where the function or module, for the error message.
 * @returns `[height, width]`.
 * @throws ValueError for anything but an integer or a pair of integers.
 *
 * @example
 * ```ts
 * toPair(3, 'kernel_size', 'Conv2d'); // [3, 3]
 * ```
 */
export function toPair(v: IntOrPair, name: string, where: string): Pair {
  const p: number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [NaN];
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x))) {
    throw new ValueError(`${where}: expected ${name} to be an int or a pair of ints [height, width], got ${fmt(v)}`);
  }
  return [p[0], p[1]];
}

function fmt(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
}

function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkGroups(groups: number, where: string): void {
  if (!Number.isInteger(groups) || groups < 1) {
    throw new ValueError(`${where}: expected groups to be a positive int, got ${fmt(groups)}`);
  }
}

function checkPositive(p: Pair, name: string, where: string): void {
  if (p[0] < 1 || p[1] < 1) throw new ValueError(`${where}: expected ${name} to be positive, got ${fmt(p)}`);
}

function checkNonNegative(p: Pair, name: string, where: string): void {
  if (p[0] < 0 || p[1] < 0) throw new ValueError(`${where}: expected ${name} to be non-negative, got ${fmt(p)}`);
}

function checkFloat(t: tf.Tensor, name: string, where: string): void {
  if (t.dtype !== 'float32') {
    throw new ShapeError(`${where}: expected ${name} to be float32, got ${t.dtype} (shape ${shapeStr(t.shape)})`);
  }
}

/** Input rank 3 (unbatched `[C, H, W]`) or 4 (`[N, C, H, W]`), as torch 1.13 accepts. */
function checkInputRank(input: tf.Tensor, where: string): void {
  if (input.rank !== 3 && input.rank !== 4) {
    throw new ShapeError(
      `${where}: expected 3-D (unbatched) or 4-D (batched) input, got ${input.rank}-D input of shape ${shapeStr(input.shape)}`,
    );
  }
}

function checkBias(bias: tf.Tensor | null | undefined, channels: number, weight: tf.Tensor, where: string): void {
  if (bias == null) return;
  checkFloat(bias, 'bias', where);
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new ShapeError(
      `${where}: expected bias to be 1-D with ${channels} elements for weight of shape ${shapeStr(weight.shape)}, ` +
        `got bias of shape ${shapeStr(bias.shape)}`,
    );
  }
}

/** The NCHW spatial size of `input`, batched or not. */
function spatial(input: tf.Tensor): Pair {
  return [input.shape[input.rank - 2], input.shape[input.rank - 1]];
}

/** tfjs explicit padding for an NHWC tensor. */
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** NCHW (or unbatched CHW) to NHWC. */
function toNHWC(x: tf.Tensor): tf.Tensor4D {
  const x4 = x.rank === 3 ? tf.reshape(x, [1, ...x.shape]) : x;
  return tf.transpose(x4, [0, 2, 3, 1]) as tf.Tensor4D;
}

/** NHWC back to NCHW, unbatched again when `rank` is 3. */
function fromNHWC(x: tf.Tensor4D, rank: number): tf.Tensor {
  const y = tf.transpose(x, [0, 3, 1, 2]);
  return rank === 3 ? tf.reshape(y, y.shape.slice(1)) : y;
}

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

/**
 * One tape node computing `forward(...inputs)` whose gradient is `backward(dy, inputs)` (one gradient per
 * input, same order). The inputs are kept for backward by tfjs's `save`, so callers may dispose theirs.
 */
function customOp(
  inputs: tf.Tensor[],
  forward: (...xs: tf.Tensor[]) => tf.Tensor,
  backward: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[],
): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const xs = args as tf.Tensor[];
    save(xs);
    return { value: forward(...xs), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved) };
  });
  return op(...inputs);
}

/** The geometry of one forward convolution, in tfjs terms (explicit, possibly asymmetric padding). */
interface ConvGeometry {
  stride: Pair;
  dilation: Pair;
  groups: number;
  pad: ExplicitPad;
}

/**
 * The convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[out, in/groups, kH, kW]`) and
 * optional `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW).
 */
function convOp(geo: ConvGeometry, rank: number, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const { stride, dilation, groups, pad } = geo;
  const run = (xIn: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor => {
    const xN = toNHWC(xIn);
    const f = dilateFilter(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, dilation);
    const parts: tf.Tensor4D[] = [];
    for (let g = 0; g < groups; g++) parts.push(tf.conv2d(group(xN, g, groups), group(f, g, groups), stride, pad));
    let y = concatGroups(parts, 3);
    if (b != null) y = tf.add(y, b);
    return fromNHWC(y, rank);
  };
  // Input gradients nobody will read (a network's input, frozen weights) are not computed.
  const needX = needsInputGrad(x);
  const needW = needsInputGrad(weight);
  const backward = (dy: tf.Tensor, xIn: tf.Tensor, w: tf.Tensor): [tf.Tensor, tf.Tensor] => {
    const dyN = toNHWC(dy);
    const xN = needW ? toNHWC(xIn) : null;
    const f = needX ? dilateFilter(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, dilation) : null;
    const dxs: tf.Tensor4D[] = [];
    const dfs: tf.Tensor4D[] = [];
    const [n, h, wd] = [dyN.shape[0], ...spatial(xIn)];
    const cPerGroup = (xIn.shape[xIn.rank - 3] as number) / groups;
    const [outC, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
    const filterShape = [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1, inPerGroup, outC / groups];
    for (let g = 0; g < groups; g++) {
      const dyg = group(dyN, g, groups);
      if (f) dxs.push(tf.conv2dTranspose(dyg, group(f, g, groups), [n, h, wd, cPerGroup], stride, pad));
      if (xN) dfs.push(conv2dFilterGrad(group(xN, g, groups), dyg, filterShape, stride, pad));
    }
    const dx = needX ? tf.reshape(fromNHWC(concatGroups(dxs, 3), 4), xIn.shape) : tf.zeros(xIn.shape);
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : tf.zeros(w.shape);
    return [dx, dw];
  };
  const biasGrad = (dy: tf.Tensor): tf.Tensor => tf.sum(dy, rank === 3 ? [1, 2] : [0, 2, 3]);
  if (bias == null)
    return customOp(
      [x, weight],
      (xIn, w) => run(xIn, w, null),
      (dy, [xIn, w]) => backward(dy, xIn, w),
    );
  return customOp([x, weight, bias], run, (dy, [xIn, w]) => [...backward(dy, xIn, w), biasGrad(dy)]);
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
 * @param bias optional bias. Default: `null`.
 * @param options `stride` (default `1`), `padding` (int, pair, `'valid'` or `'same'`; default `0`),
 *   `dilation` (default `1`), `groups` (default `1`).
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
 * ```
 */
export function conv2d(
  input: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | null = null,
  { stride = 1, padding = 0, dilation = 1, groups = 1 }: Conv2dOptions = {},
): tf.Tensor {
  const where = 'conv2d';
  const s = toPair(stride, 'stride', where);
  const d = toPair(dilation, 'dilation', where);
  checkPositive(s, 'stride', where);
  checkPositive(d, 'dilation', where);
  checkGroups(groups, where);
  checkInputRank(input, where);
  checkFloat(input, 'input', where);
  checkFloat(weight, 'weight', where);
  if (weight.rank !== 4) {
    throw new ShapeError(
      `${where}: expected weight to be 4-D [out, in/groups, kH, kW], got shape ${shapeStr(weight.shape)}`,
    );
  }
  const [outC, inPerGroup, kh, kw] = weight.shape;
  if (outC % groups !== 0) {
    throw new ShapeError(
      `${where}: expected weight[0] (out channels) to be divisible by groups = ${groups}, got weight of shape ${shapeStr(weight.shape)}`,
    );
  }
  const channels = input.shape[input.rank - 3];
  if (channels !== inPerGroup * groups) {
    throw new ShapeError(
      `${where}: expected input[${input.rank - 3}] (channels) to be weight[1]*groups = ${inPerGroup * groups}, ` +
        `got ${channels} for input of shape ${shapeStr(input.shape)}`,
    );
  }
  checkBias(bias, outC, weight, where);

  const ek: Pair = [d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1];
  let pads: [number, number, number, number];
  if (typeof padding === 'string') {
    if (padding === 'valid') {
      pads = [0, 0, 0, 0];
    } else if (padding === 'same') {
      if (s[0] !== 1 || s[1] !== 1) {
        throw new ValueError(
          `${where}: padding='same' is not supported for strided convolutions, got stride=${fmt(s)}`,
        );
      }
      // torch: total = dilation * (k - 1), total // 2 on the top/left, the rest on the bottom/right.
      const th = ek[0] - 1;
      const tw = ek[1] - 1;
      pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
    } else {
      throw new ValueError(`${where}: invalid padding string ${fmt(padding)}, should be one of 'valid', 'same'`);
    }
  } else {
    const p = toPair(padding, 'padding', where);
    checkNonNegative(p, 'padding', where);
    pads = [p[0], p[0], p[1], p[1]];
  }
  const [h, w] = spatial(input);
  const padded: Pair = [h + pads[0] + pads[1], w + pads[2] + pads[3]];
  if (padded[0] < ek[0] || padded[1] < ek[1]) {
    throw new ShapeError(
      `${where}: calculated padded input size per channel (${padded[0]} x ${padded[1]}) is smaller than the ` +
        `kernel size (${ek[0]} x ${ek[1]}, dilation included), for input of shape ${shapeStr(input.shape)}`,
    );
  }
  const geo: ConvGeometry = { stride: s, dilation: d, groups, pad: explicitPad(...pads) };
  return convOp(geo, input.rank, input, weight, bias);
}

/** The spatial output size of {@link convTranspose2d} for one dimension (torch's formula). */
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
  { stride = 1, padding = 0, outputPadding = 0, dilation = 1 }: Omit<ConvTranspose2dOptions, 'groups'> = {},
): [number, number] {
  const where = 'convTranspose2dOutputSize';
  const k = toPair(kernelSize, 'kernelSize', where);
  const s = toPair(stride, 'stride', where);
  const p = toPair(padding, 'padding', where);
  const op = toPair(outputPadding, 'outputPadding', where);
  const d = toPair(dilation, 'dilation', where);
  return [
    transposedSize(inputSize[0], k[0], s[0], p[0], op[0], d[0]),
    transposedSize(inputSize[1], k[1], s[1], p[1], op[1], d[1]),
  ];
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
  { stride = 1, padding = 0, dilation = 1 }: Pick<ConvTranspose2dOptions, 'stride' | 'padding' | 'dilation'> = {},
): [number, number] {
  const where = 'convTranspose2dOutputPadding';
  const k = toPair(kernelSize, 'kernelSize', where);
  const s = toPair(stride, 'stride', where);
  const p = toPair(padding, 'padding', where);
  const d = toPair(dilation, 'dilation', where);
  const nonSpatial = inputShape.length === 4 ? 2 : 1;
  let size = [...outputSize];
  if (size.length === nonSpatial + 2) size = size.slice(nonSpatial);
  if (size.length !== 2) {
    throw new ValueError(
      `${where}: for ${inputShape.length}-D input, output_size must have 2 or ${nonSpatial + 2} elements ` +
        `(got ${outputSize.length}: ${fmt(outputSize)})`,
    );
  }
  const inSize = inputShape.slice(-2);
  const minSizes = [0, 1].map((i) => transposedSize(inSize[i], k[i], s[i], p[i], 0, d[i]));
  const maxSizes = [0, 1].map((i) => minSizes[i] + s[i] - 1);
  for (let i = 0; i < 2; i++) {
    if (!Number.isInteger(size[i]) || size[i] < minSizes[i] || size[i] > maxSizes[i]) {
      throw new ValueError(
        `${where}: requested an output size of ${fmt(size)}, but valid sizes range from ${fmt(minSizes)} to ` +
          `${fmt(maxSizes)} (for an input of spatial size ${fmt(inSize)})`,
      );
    }
  }
  return [size[0] - minSizes[0], size[1] - minSizes[1]];
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
 * @param bias optional bias. Default: `null`.
 * @param options `stride` (default `1`), `padding` (default `0`), `outputPadding` (default `0`; must
 *   be smaller than either stride or dilation), `groups` (default `1`), `dilation` (default `1`).
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
  bias: tf.Tensor | null = null,
  { stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1 }: ConvTranspose2dOptions = {},
): tf.Tensor {
  const where = 'convTranspose2d';
  const s = toPair(stride, 'stride', where);
  const p = toPair(padding, 'padding', where);
  const op = toPair(outputPadding, 'outputPadding', where);
  const d = toPair(dilation, 'dilation', where);
  checkPositive(s, 'stride', where);
  checkPositive(d, 'dilation', where);
  checkNonNegative(p, 'padding', where);
  checkNonNegative(op, 'outputPadding', where);
  checkGroups(groups, where);
  for (let i = 0; i < 2; i++) {
    if (op[i] >= s[i] && op[i] >= d[i]) {
      throw new ValueError(
        `${where}: output padding must be smaller than either stride or dilation, got outputPadding=${op[i]}, ` +
          `stride=${s[i]}, dilation=${d[i]} (${i === 0 ? 'height' : 'width'})`,
      );
    }
  }
  checkInputRank(input, where);
  checkFloat(input, 'input', where);
  checkFloat(weight, 'weight', where);
  if (weight.rank !== 4) {
    throw new ShapeError(
      `${where}: expected weight to be 4-D [in, out/groups, kH, kW], got shape ${shapeStr(weight.shape)}`,
    );
  }
  const [inC, outPerGroup, kh, kw] = weight.shape;
  if (inC % groups !== 0) {
    throw new ShapeError(
      `${where}: expected weight[0] (in channels) to be divisible by groups = ${groups}, got weight of shape ${shapeStr(weight.shape)}`,
    );
  }
  const channels = input.shape[input.rank - 3];
  if (channels !== inC) {
    throw new ShapeError(
      `${where}: expected input[${input.rank - 3}] (channels) to be weight[0] = ${inC}, ` +
        `got ${channels} for input of shape ${shapeStr(input.shape)}`,
    );
  }
  const outC = outPerGroup * groups;
  checkBias(bias, outC, weight, where);
  const [h, w] = spatial(input);
  const out: Pair = [transposedSize(h, kh, s[0], p[0], op[0], d[0]), transposedSize(w, kw, s[1], p[1], op[1], d[1])];
  if (out[0] < 1 || out[1] < 1) {
    throw new ShapeError(
      `${where}: calculated output size per channel (${out[0]} x ${out[1]}) is too small, for input of shape ` +
        `${shapeStr(input.shape)}, kernel (${kh} x ${kw}), stride ${fmt(s)}, padding ${fmt(p)}, dilation ${fmt(d)}`,
    );
  }
  const dims = [transposedDim(p[0], op[0], out[0]), transposedDim(p[1], op[1], out[1])] as const;
  return convTransposeOp({ stride: s, dilation: d, groups }, dims, outC, input.rank, input, weight, bias);
}

/**
 * The transposed convolution of NCHW (or CHW) `x` with the torch-layout `weight` (`[in, out/groups, kH, kW]`)
 * and optional `bias`, as one differentiable op computed in NHWC. Returns NCHW (or CHW).
 */
function convTransposeOp(
  { stride, dilation, groups }: Omit<ConvGeometry, 'pad'>,
  [dimH, dimW]: readonly [TransposedDim, TransposedDim],
  outC: number,
  rank: number,
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | null,
): tf.Tensor {
  const pad = explicitPad(dimH.padBefore, dimH.padAfter, dimW.padBefore, dimW.padAfter);
  // No filter tap reaches any output position (tiny inputs with large padding and output padding).
  const empty = dimH.len < 1 || dimW.len < 1;
  const extraPad: Array<[number, number]> = [
    [0, 0],
    [0, dimH.extra],
    [0, dimW.extra],
    [0, 0],
  ];
  const filterOf = (w: tf.Tensor) => dilateFilter(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, dilation);

  const run = (xIn: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor => {
    const xN = toNHWC(xIn);
    let y: tf.Tensor4D;
    if (empty) {
      y = tf.zeros([xN.shape[0], dimH.len + dimH.extra, dimW.len + dimW.extra, outC]);
    } else {
      const f = filterOf(w);
      const parts: tf.Tensor4D[] = [];
      for (let g = 0; g < groups; g++) {
        const shape: [number, number, number, number] = [xN.shape[0], dimH.len, dimW.len, outC / groups];
        parts.push(tf.conv2dTranspose(group(xN, g, groups), group(f, g, groups), shape, stride, pad));
      }
      y = concatGroups(parts, 3);
      if (dimH.extra > 0 || dimW.extra > 0) y = tf.pad(y, extraPad);
    }
    if (b != null) y = tf.add(y, b);
    return fromNHWC(y, rank);
  };
  // Input gradients nobody will read (a network's input, frozen weights) are not computed.
  const needX = needsInputGrad(x);
  const needW = needsInputGrad(weight);
  const backward = (dy: tf.Tensor, xIn: tf.Tensor, w: tf.Tensor): [tf.Tensor, tf.Tensor] => {
    if (empty) return [tf.zerosLike(xIn), tf.zerosLike(w)];
    const xN = needW ? toNHWC(xIn) : null;
    let dyN = toNHWC(dy);
    if (dimH.extra > 0 || dimW.extra > 0) dyN = tf.slice(dyN, [0, 0, 0, 0], [-1, dimH.len, dimW.len, -1]);
    const f = filterOf(w);
    const dxs: tf.Tensor4D[] = [];
    const dfs: tf.Tensor4D[] = [];
    for (let g = 0; g < groups; g++) {
      const fg = group(f, g, groups);
      const dyg = group(dyN, g, groups);
      if (needX) dxs.push(tf.conv2d(dyg, fg, stride, pad));
      // The transposed conv is the input gradient of a conv from dy-space to x-space, whose filter gradient is this.
      if (xN) dfs.push(conv2dFilterGrad(dyg, group(xN, g, groups), fg.shape, stride, pad));
    }
    const dx = needX ? tf.reshape(fromNHWC(concatGroups(dxs, 3), 4), xIn.shape) : tf.zeros(xIn.shape);
    // HWIO filters with I = out/groups, O = in: back to torch's [in, out/groups, kH, kW].
    const dw = needW ? tf.transpose(undilateFilter(concatGroups(dfs, 3), dilation), [3, 2, 0, 1]) : tf.zeros(w.shape);
    return [dx, dw];
  };
  const biasGrad = (dy: tf.Tensor): tf.Tensor => tf.sum(dy, rank === 3 ? [1, 2] : [0, 2, 3]);
  if (bias == null)
    return customOp(
      [x, weight],
      (xIn, w) => run(xIn, w, null),
      (dy, [xIn, w]) => backward(dy, xIn, w),
    );
  return customOp([x, weight, bias], run, (dy, [xIn, w]) => [...backward(dy, xIn, w), biasGrad(dy)]);
}
