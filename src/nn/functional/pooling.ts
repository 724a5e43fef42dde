/**
 * The pooling family of functional ops (torch's `F.max_pool1d/2d`, `F.avg_pool1d/2d`, `F.adaptive_avg_pool1d/2d`,
 * `F.adaptive_max_pool1d/2d`, `F.lp_pool1d/2d`, `F.max_unpool1d/2d`) on channels-first tensors.
 *
 * Every window op goes through one differentiable gather, {@link WindowPatches}: the (padded) input's windows laid
 * out as `[B, C, H_out, W_out, kH * kW]`, so max, average and adaptive pooling are reductions over the last axis,
 * with torch's window positions (padding, dilation, ceil mode) decided once by index lists. Its backward sums the
 * patches' gradients back with 0/1 matrices (no scatter kernel). Max pooling's backward routes each output's
 * gradient to the first maximum of its window, as torch's CPU kernel does, and never uses tfjs's `MaxPoolGrad`
 * (tfjs-backend-wasm 4.22's is wrong for windows of negative values). Where the backend has the library's NCHW
 * max-pooling kernels (wasm), max pooling is one op over them instead ({@link FusedMaxPool2d}).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, Arg, bool, float, int, ints, signature, tensor } from '../../args';
import { defineFunction } from '../../autograd/function';
import { hasFusedKernel } from '../../backends/fused-kernels';
import { type MaxPoolAttrs, PoolKernel } from '../../backends/wasm/max-pool';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkFloat } from './utils';
import {
  type AxisWindows,
  FirstMax,
  WindowPatches,
  adaptiveWindows,
  from4d,
  insideTaps,
  slidingWindows,
  to4d,
} from './windows';

function checkPoolInput(input: tf.Tensor, n: number, where: string): void {
  if (!(input instanceof tf.Tensor)) throw new ShapeError(`${where}: expected a tf.Tensor input, got ${typeof input}`);
  if (input.rank !== n + 1 && input.rank !== n + 2) {
    throw new ShapeError(
      `${where}: expected ${n + 1}-D (unbatched) or ${n + 2}-D (batched) input, got ${input.rank}-D input of shape ${formatShape(input.shape)}`,
    );
  }
  checkFloat(input, 'input', where);
  if (input.shape.slice(-n).some((s) => s < 1) || (input.rank === n + 2 && (input.shape[1] ?? 0) < 1)) {
    throw new ShapeError(
      `${where}: expected non-empty spatial and channel dimensions, got input of shape ${formatShape(input.shape)}`,
    );
  }
}

/** The windows of a pooling op, checked as torch checks them (pad at most half the kernel, output not empty). */
function poolWindows(
  where: string,
  input: tf.Tensor,
  n: number,
  k: number[],
  s: number[],
  p: number[],
  d: number[],
  ceilMode: boolean,
): [AxisWindows, AxisWindows] {
  for (let i = 0; i < n; i++) {
    if (p[i] > k[i] / 2) {
      throw new ValueError(
        `${where}: pad should be at most half of kernel size, but got pad=${p[i]} and kernel_size=${k[i]}`,
      );
    }
  }
  const size = input.shape.slice(-n);
  const axes = size.map((len, i) => slidingWindows(len, k[i], s[i], p[i], d[i], ceilMode));
  if (axes.some((a) => a.out < 1)) {
    throw new ShapeError(
      `${where}: given input of shape ${formatShape(input.shape)}, the calculated output size ` +
        `(${axes.map((a) => a.out).join(' x ')}) is too small (kernel ${formatShape(k)}, stride ${formatShape(s)}, ` +
        `padding ${formatShape(p)}, dilation ${formatShape(d)})`,
    );
  }
  const unit: AxisWindows = { out: 1, k: 1, idx: new Int32Array([0]), pad: [0, 0] };
  return n === 1 ? [unit, axes[0]] : [axes[0], axes[1]];
}

/**
 * torch's flat indices (`h * W + w` in the unpadded input) of the window taps chosen by `arg` (`[B, C, Oh, Ow]`,
 * the tap's position in its window).
 */
function flatIndices(arg: tf.Tensor, h: AxisWindows, w: AxisWindows, width: number): tf.Tensor {
  return tf.tidy(() => {
    const int = (v: number) => tf.scalar(v, 'int32');
    const ki = tf.cast(tf.floorDiv(arg, int(w.k)), 'int32');
    const kj = tf.sub(arg, tf.mul(ki, int(w.k)));
    const oh = tf.reshape(tf.range(0, h.out, 1, 'int32'), [h.out, 1]);
    const ow = tf.range(0, w.out, 1, 'int32');
    const rows = tf.tensor1d(
      Int32Array.from(h.idx, (v) => v - h.pad[0]),
      'int32',
    );
    const cols = tf.tensor1d(
      Int32Array.from(w.idx, (v) => v - w.pad[0]),
      'int32',
    );
    const hIdx = tf.gather(rows, tf.add(tf.mul(oh, int(h.k)), ki));
    const wIdx = tf.gather(cols, tf.add(tf.mul(ow, int(w.k)), kj));
    return tf.add(tf.mul(hIdx, int(width)), wIdx);
  });
}

/** Max pooling over given windows of a 4-D input: `[out, indices]`. */
function maxOver(x4: tf.Tensor, h: AxisWindows, w: AxisWindows, withIndices: boolean): [tf.Tensor, tf.Tensor | null] {
  const patches = WindowPatches(x4, h, w, Number.NEGATIVE_INFINITY);
  const [height, width] = x4.shape.slice(2) as [number, number];
  const inside = insideTaps(h, w, height, width);
  const [out, arg] = FirstMax(patches, inside);
  const indices = withIndices ? flatIndices(arg, h, w, width) : null;
  // Neither backward reads these (FirstMax saved its own reference to arg).
  tf.dispose([patches, arg, inside ?? []]);
  return [out, indices];
}

/**
 * Max pooling of a 4-D `[B, C, H, W]` input over the backend's NCHW kernels ({@link PoolKernel}): `[y, indices]`,
 * torch's values and indices; the gradient goes to each window's chosen tap.
 */
const FusedMaxPool2d = defineFunction({
  name: 'MaxPool2d',
  forward(ctx, x: tf.Tensor, attrs: MaxPoolAttrs) {
    const [y, indices] = tf
      .engine()
      .runKernel(PoolKernel.MaxPool2d, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    ctx.saveForBackward(indices);
    ctx.inSize = x.shape.slice(2);
    return [y, indices];
  },
  backward(ctx, [dy]: tf.Tensor[]) {
    const [indices] = ctx.savedTensors;
    return [ScatterAtIndices(dy, indices, ctx.inSize as [number, number]), null];
  },
});

/**
 * Adds each `[B, C, H_out, W_out]` value into a zero `[B, C, H, W]` plane at its flat index `h * W + w` (max
 * pooling's backward). Differentiable in the values (a createGraph backward differentiates it): its gradient
 * gathers at the indices.
 */
const ScatterAtIndices = defineFunction({
  name: 'MaxPool2dBackward',
  forward(ctx, dy: tf.Tensor, indices: tf.Tensor, inSize: [number, number]) {
    ctx.saveForBackward(indices);
    return tf.engine().runKernel(PoolKernel.MaxPool2dGrad, { dy, indices }, {
      inSize,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
  },
  backward(ctx, ddx: tf.Tensor) {
    const [indices] = ctx.savedTensors;
    const [b, c, oh, ow] = indices.shape as number[];
    const planes = tf.reshape(ddx, [b * c, -1]);
    const picked = tf.gather(planes, tf.reshape(indices, [b * c, oh * ow]), 1, 1);
    return [tf.reshape(picked, indices.shape), null, null];
  },
});

const poolSizes = <N extends number>(n: N) =>
  [
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['padding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
  ] as const;

const maxPoolSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ...poolSizes(n),
    ['dilation', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['ceilMode', bool().default(false)],
    ['returnIndices', bool().default(false)],
  ]);

const MAX_POOL1D = maxPoolSignature('F.max_pool1d', 1);
const MAX_POOL2D = maxPoolSignature('F.max_pool2d', 2);

function maxPoolNd(
  where: string,
  n: number,
  input: tf.Tensor,
  a: ReturnType<typeof MAX_POOL2D.parse>,
): tf.Tensor | [tf.Tensor, tf.Tensor] {
  checkPoolInput(input, n, where);
  const k = a.kernelSize as number[];
  const s = (a.stride as number[] | null) ?? k;
  const [h, w] = poolWindows(where, input, n, k, s, a.padding, a.dilation, a.ceilMode);
  const x4 = to4d(input, n);
  let out: tf.Tensor;
  let indices: tf.Tensor | null;
  if (hasFusedKernel(PoolKernel.MaxPool2d) && hasFusedKernel(PoolKernel.MaxPool2dGrad)) {
    // [along H, along W]: 1-d pooling is 2-d over a height-1 plane.
    const hw = (v: number[], one: number): [number, number] => (n === 1 ? [one, v[0]] : [v[0], v[1]]);
    const attrs: MaxPoolAttrs = {
      kernel: hw(k, 1),
      stride: hw(s, 1),
      padding: hw(a.padding, 0),
      dilation: hw(a.dilation, 1),
      outSize: [h.out, w.out],
    };
    [out, indices] = FusedMaxPool2d(x4, attrs);
    if (!a.returnIndices) {
      indices.dispose(); // the backward keeps its own reference
      indices = null;
    }
  } else {
    [out, indices] = maxOver(x4, h, w, a.returnIndices);
  }
  const y = from4d(out, n, input.rank);
  return indices ? [y, from4d(indices, n, input.rank)] : y;
}

/**
 * 2D max pooling over an input of several planes (torch's `F.max_pool2d`). Differentiable; the gradient of each
 * output goes to the first maximum of its window, as torch.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_pool2d.html
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`, with
 * `H_out = floor((H + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)` (ceil with `ceilMode`, where
 * the last window must start inside the input or the left padding).
 *
 * @param input float32 input.
 * @param args torch's `kernel_size, stride=None (kernel_size), padding=0, dilation=1, ceil_mode=False,
 *   return_indices=False`, positionally or in a trailing options object.
 * @returns the pooled tensor, or `[output, indices]` with `returnIndices` (int32 flat indices `h * W + w` into
 *   each input plane, torch's).
 * @example
 * ```ts
 * F.maxPool2d(tf.randomNormal([1, 3, 8, 8]), 3, 2, 1).shape; // [1, 3, 4, 4]
 * const [y, idx] = F.maxPool2d(x, 2, { returnIndices: true }) as [tf.Tensor, tf.Tensor];
 * ```
 */
export function maxPool2d(input: tf.Tensor, ...args: ArgsOf<typeof MAX_POOL2D>): tf.Tensor | [tf.Tensor, tf.Tensor] {
  return maxPoolNd('F.max_pool2d', 2, input, MAX_POOL2D.parse(args));
}

/**
 * 1D max pooling (torch's `F.max_pool1d`); see {@link maxPool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_pool1d.html
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * @param input float32 input.
 * @param args torch's `kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False`.
 * @returns the pooled tensor, or `[output, indices]` with `returnIndices`.
 * @example
 * ```ts
 * F.maxPool1d(tf.randomNormal([2, 4, 9]), 3).shape; // [2, 4, 3]
 * ```
 */
export function maxPool1d(input: tf.Tensor, ...args: ArgsOf<typeof MAX_POOL1D>): tf.Tensor | [tf.Tensor, tf.Tensor] {
  return maxPoolNd('F.max_pool1d', 1, input, MAX_POOL1D.parse(args) as never);
}

const AVG_POOL1D = signature('F.avg_pool1d', [
  ...poolSizes(1),
  ['ceilMode', bool().default(false)],
  ['countIncludePad', bool().default(true)],
]);

const AVG_POOL2D = signature('F.avg_pool2d', [
  ...poolSizes(2),
  ['ceilMode', bool().default(false)],
  ['countIncludePad', bool().default(true)],
  ['divisorOverride', int().optional()],
]);

interface AvgArgs {
  kernelSize: number[];
  stride: number[] | null;
  padding: number[];
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride?: number | null;
}

/** torch's divisor of one average-pooling window along one axis: `[counted with padding, counted without]`. */
function divisors(len: number, a: AxisWindows, k: number, s: number, p: number): [number[], number[]] {
  const withPad: number[] = [];
  const without: number[] = [];
  for (let o = 0; o < a.out; o++) {
    const start = o * s - p;
    const end = Math.min(start + k, len + p);
    withPad.push(end - start);
    without.push(Math.min(end, len) - Math.max(start, 0));
  }
  return [withPad, without];
}

function avgPoolNd(where: string, n: number, input: tf.Tensor, a: AvgArgs): tf.Tensor {
  checkPoolInput(input, n, where);
  if (a.divisorOverride === 0) throw new ValueError(`${where}: divisor must be not zero`);
  const k = a.kernelSize;
  const s = a.stride ?? k;
  const [h, w] = poolWindows(where, input, n, k, s, a.padding, Array(n).fill(1), a.ceilMode);
  const x4 = to4d(input, n);
  const sum = tf.sum(WindowPatches(x4, h, w, 0), -1);
  const [hw, hn] =
    n === 1 ? [[1], [1]] : divisors(x4.shape[2] as number, h, k[0] as number, s[0] as number, a.padding[0] as number);
  const [ww, wn] = divisors(
    x4.shape[3] as number,
    w,
    k[n - 1] as number,
    s[n - 1] as number,
    a.padding[n - 1] as number,
  );
  const div = new Float32Array(h.out * w.out);
  for (let i = 0; i < h.out; i++) {
    for (let j = 0; j < w.out; j++) {
      div[i * w.out + j] = a.divisorOverride ?? (a.countIncludePad ? hw[i] * ww[j] : hn[i] * wn[j]);
    }
  }
  return from4d(tf.div(sum, tf.tensor2d(div, [h.out, w.out])), n, input.rank);
}

/**
 * 2D average pooling (torch's `F.avg_pool2d`): the mean of each window, with torch's divisor rules
 * (`countIncludePad` counts the zero padding but never ceil mode's overhang; `divisorOverride` replaces it).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.avg_pool2d.html
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`,
 * `H_out = floor((H + 2 * padding - kernel_size) / stride + 1)` (ceil with `ceilMode`).
 *
 * @param input float32 input.
 * @param args torch's `kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
 *   divisor_override=None`.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.avgPool2d(tf.randomNormal([1, 3, 7, 7]), 3, 2, 1, { countIncludePad: false }).shape; // [1, 3, 4, 4]
 * ```
 */
export function avgPool2d(input: tf.Tensor, ...args: ArgsOf<typeof AVG_POOL2D>): tf.Tensor {
  return avgPoolNd('F.avg_pool2d', 2, input, AVG_POOL2D.parse(args));
}

/**
 * 1D average pooling (torch's `F.avg_pool1d`); see {@link avgPool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.avg_pool1d.html
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * @param input float32 input.
 * @param args torch's `kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True`.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.avgPool1d(tf.randomNormal([2, 4, 9]), 3, 2).shape; // [2, 4, 4]
 * ```
 */
export function avgPool1d(input: tf.Tensor, ...args: ArgsOf<typeof AVG_POOL1D>): tf.Tensor {
  return avgPoolNd('F.avg_pool1d', 1, input, AVG_POOL1D.parse(args));
}

/** An adaptive pooling's `output_size`: an int, or `n` entries each an int or `null` (keep the input's size). */
export function outputSizeArg(n: number): Arg<number | Array<number | null>> {
  const text = `an int or ${n} ints or nulls`;
  return new Arg(text, (v, { where, name }) => {
    const list = typeof v === 'number' ? Array(n).fill(v) : v;
    if (
      !Array.isArray(list) ||
      list.length !== n ||
      !list.every((x) => x === null || (typeof x === 'number' && Number.isInteger(x) && x >= 0))
    ) {
      throw new ValueError(`${where}(): argument '${name}' must be ${text} (each >= 0), got ${JSON.stringify(v)}`);
    }
    return list as Array<number | null>;
  }) as Arg<number | Array<number | null>>;
}

const ADAPTIVE_AVG1D = signature('F.adaptive_avg_pool1d', [['outputSize', outputSizeArg(1)]]);
const ADAPTIVE_AVG2D = signature('F.adaptive_avg_pool2d', [['outputSize', outputSizeArg(2)]]);
const ADAPTIVE_MAX1D = signature('F.adaptive_max_pool1d', [
  ['outputSize', outputSizeArg(1)],
  ['returnIndices', bool().default(false)],
]);
const ADAPTIVE_MAX2D = signature('F.adaptive_max_pool2d', [
  ['outputSize', outputSizeArg(2)],
  ['returnIndices', bool().default(false)],
]);

/** The adaptive windows of an `n`-d input, the `null` sizes replaced by the input's. */
function adaptive(where: string, input: tf.Tensor, n: number, size: Array<number | null>) {
  checkPoolInput(input, n, where);
  const spatial = input.shape.slice(-n);
  const out = size.map((o, i) => o ?? spatial[i]);
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      `${where}: output size ${formatShape(out)} must be positive, for input of shape ${formatShape(input.shape)}`,
    );
  }
  const axes = spatial.map((len, i) => adaptiveWindows(len, out[i]));
  const unit = adaptiveWindows(1, 1);
  return n === 1 ? [unit, axes[0]] : [axes[0], axes[1]];
}

/** The `[out, len]` averaging matrix of adaptive windows: row `o` is `1 / size` over window `o`. */
function averaging(a: AxisWindows & { len: Int32Array }, length: number): tf.Tensor2D {
  const m = new Float32Array(a.out * length);
  for (let o = 0; o < a.out; o++) for (let j = 0; j < a.len[o]; j++) m[o * length + a.idx[o * a.k + j]] = 1 / a.len[o];
  return tf.tensor2d(m, [a.out, length]);
}

function adaptiveAvgNd(where: string, n: number, input: tf.Tensor, size: Array<number | null>): tf.Tensor {
  const [h, w] = adaptive(where, input, n, size);
  const x4 = to4d(input, n);
  const [b, c, height, width] = x4.shape;
  // Separable: y = A_h x A_wᵀ, two matrix products (differentiable on every backend).
  const cols = tf.matMul(tf.reshape(x4, [-1, width]), averaging(w, width), false, true);
  const t = tf.transpose(tf.reshape(cols, [b * c, height, w.out]), [0, 2, 1]);
  const rows = tf.matMul(tf.reshape(t, [-1, height]), averaging(h, height), false, true);
  const y = tf.transpose(tf.reshape(rows, [b, c, w.out, h.out]), [0, 1, 3, 2]);
  return from4d(y, n, input.rank);
}

/**
 * 2D adaptive average pooling (torch's `F.adaptive_avg_pool2d`): output of a given size, window `o` spanning
 * `[floor(o * H / H_out), ceil((o + 1) * H / H_out))`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_avg_pool2d.html
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, *output_size]`.
 *
 * @param input float32 input.
 * @param args torch's `output_size`: an int or `[H_out, W_out]`, an entry `null` keeping the input's size.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.adaptiveAvgPool2d(tf.randomNormal([2, 8, 7, 7]), 1).shape; // [2, 8, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(input: tf.Tensor, ...args: ArgsOf<typeof ADAPTIVE_AVG2D>): tf.Tensor {
  return adaptiveAvgNd(
    'F.adaptive_avg_pool2d',
    2,
    input,
    ADAPTIVE_AVG2D.parse(args).outputSize as Array<number | null>,
  );
}

/**
 * 1D adaptive average pooling (torch's `F.adaptive_avg_pool1d`); see {@link adaptiveAvgPool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_avg_pool1d.html
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, output_size]`.
 *
 * @param input float32 input.
 * @param args torch's `output_size`.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.adaptiveAvgPool1d(tf.randomNormal([2, 4, 9]), 4).shape; // [2, 4, 4]
 * ```
 */
export function adaptiveAvgPool1d(input: tf.Tensor, ...args: ArgsOf<typeof ADAPTIVE_AVG1D>): tf.Tensor {
  return adaptiveAvgNd(
    'F.adaptive_avg_pool1d',
    1,
    input,
    ADAPTIVE_AVG1D.parse(args).outputSize as Array<number | null>,
  );
}

function adaptiveMaxNd(
  where: string,
  n: number,
  input: tf.Tensor,
  size: Array<number | null>,
  returnIndices: boolean,
): tf.Tensor | [tf.Tensor, tf.Tensor] {
  const [h, w] = adaptive(where, input, n, size);
  const [out, indices] = maxOver(to4d(input, n), h, w, returnIndices);
  const y = from4d(out, n, input.rank);
  return indices ? [y, from4d(indices, n, input.rank)] : y;
}

/**
 * 2D adaptive max pooling (torch's `F.adaptive_max_pool2d`), windows as {@link adaptiveAvgPool2d}'s.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_max_pool2d.html
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, *output_size]`.
 *
 * @param input float32 input.
 * @param args torch's `output_size, return_indices=False`.
 * @returns the pooled tensor, or `[output, indices]` (int32 flat indices into each input plane).
 * @example
 * ```ts
 * F.adaptiveMaxPool2d(tf.randomNormal([1, 2, 9, 7]), [4, 3]).shape; // [1, 2, 4, 3]
 * ```
 */
export function adaptiveMaxPool2d(
  input: tf.Tensor,
  ...args: ArgsOf<typeof ADAPTIVE_MAX2D>
): tf.Tensor | [tf.Tensor, tf.Tensor] {
  const a = ADAPTIVE_MAX2D.parse(args);
  return adaptiveMaxNd('F.adaptive_max_pool2d', 2, input, a.outputSize as Array<number | null>, a.returnIndices);
}

/**
 * 1D adaptive max pooling (torch's `F.adaptive_max_pool1d`); see {@link adaptiveMaxPool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_max_pool1d.html
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, output_size]`.
 *
 * @param input float32 input.
 * @param args torch's `output_size, return_indices=False`.
 * @returns the pooled tensor, or `[output, indices]`.
 * @example
 * ```ts
 * F.adaptiveMaxPool1d(tf.randomNormal([2, 4, 9]), 4).shape; // [2, 4, 4]
 * ```
 */
export function adaptiveMaxPool1d(
  input: tf.Tensor,
  ...args: ArgsOf<typeof ADAPTIVE_MAX1D>
): tf.Tensor | [tf.Tensor, tf.Tensor] {
  const a = ADAPTIVE_MAX1D.parse(args);
  return adaptiveMaxNd('F.adaptive_max_pool1d', 1, input, a.outputSize as Array<number | null>, a.returnIndices);
}

const lpSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ['normType', float({ gt: 0, allowInfinity: false })],
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['ceilMode', bool().default(false)],
  ]);
const LP_POOL1D = lpSignature('F.lp_pool1d', 1);
const LP_POOL2D = lpSignature('F.lp_pool2d', 2);

function lpPoolNd(where: string, n: number, input: tf.Tensor, a: ReturnType<typeof LP_POOL2D.parse>): tf.Tensor {
  checkPoolInput(input, n, where);
  const k = a.kernelSize as number[];
  const args = {
    kernelSize: k,
    stride: a.stride as number[] | null,
    padding: Array(n).fill(0),
    ceilMode: a.ceilMode,
    countIncludePad: true,
  };
  // torch: (sign(out) * relu(|out|) * prod(kernel)) ** (1 / p), out = avg_pool(x ** p).
  const out = avgPoolNd(where, n, tf.pow(input, a.normType), args);
  const area = k.reduce((x, y) => x * y, 1);
  return tf.pow(tf.mul(tf.mul(tf.sign(out), tf.relu(tf.abs(out))), area), 1 / a.normType);
}

/**
 * 2D power-average pooling (torch's `F.lp_pool2d`): `(sum over the window of x^p)^(1/p)`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.lp_pool2d.html
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]` as {@link avgPool2d} without padding.
 *
 * @param input float32 input.
 * @param args torch's `norm_type, kernel_size, stride=None, ceil_mode=False`.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.lpPool2d(tf.randomNormal([1, 2, 6, 6]), 2, 3).shape; // [1, 2, 2, 2]
 * ```
 */
export function lpPool2d(input: tf.Tensor, ...args: ArgsOf<typeof LP_POOL2D>): tf.Tensor {
  return lpPoolNd('F.lp_pool2d', 2, input, LP_POOL2D.parse(args));
}

/**
 * 1D power-average pooling (torch's `F.lp_pool1d`); see {@link lpPool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.lp_pool1d.html
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * @param input float32 input.
 * @param args torch's `norm_type, kernel_size, stride=None, ceil_mode=False`.
 * @returns the pooled tensor.
 * @example
 * ```ts
 * F.lpPool1d(tf.randomNormal([1, 2, 9]), 3, 3).shape; // [1, 2, 3]
 * ```
 */
export function lpPool1d(input: tf.Tensor, ...args: ArgsOf<typeof LP_POOL1D>): tf.Tensor {
  return lpPoolNd('F.lp_pool1d', 1, input, LP_POOL1D.parse(args) as never);
}

const unpoolSignature = <N extends number>(where: string, n: N) =>
  signature(where, [['indices', tensor(['int32'])], ...poolSizes(n), ['outputSize', outputSizeArg(n).optional()]]);
const MAX_UNPOOL1D = unpoolSignature('F.max_unpool1d', 1);
const MAX_UNPOOL2D = unpoolSignature('F.max_unpool2d', 2);

/**
 * Writes `x`'s values at flat `indices` of `[rows, size]` zeros (forward; an index given twice, as overlapping
 * pooling windows give, holds the value once, as torch's write); gathers the gradient back (backward, torch's).
 */
const ScatterRows = defineFunction({
  name: 'MaxUnpool',
  forward(ctx, x: tf.Tensor, indices: tf.Tensor, size: number) {
    const [rows, l] = x.shape as [number, number];
    const rowIds = tf.reshape(tf.tile(tf.reshape(tf.range(0, rows, 1, 'int32'), [rows, 1]), [1, l]), [-1, 1]);
    const where = tf.concat([rowIds, tf.reshape(indices, [-1, 1])], 1);
    ctx.saveForBackward(where);
    ctx.shape = x.shape;
    const sums = tf.scatterND(where, tf.reshape(x, [-1]), [rows, size]);
    const counts = tf.scatterND(where, tf.ones([rows * l]), [rows, size]);
    return tf.div(sums, tf.maximum(counts, 1));
  },
  backward(ctx, dy: tf.Tensor) {
    const [where] = ctx.savedTensors;
    return [tf.reshape(tf.gatherND(dy, where), ctx.shape as number[]), null, null];
  },
});

function maxUnpoolNd(where: string, n: number, input: tf.Tensor, a: ReturnType<typeof MAX_UNPOOL2D.parse>): tf.Tensor {
  checkPoolInput(input, n, where);
  const indices = a.indices;
  if (indices.shape.join() !== input.shape.join()) {
    throw new ShapeError(
      `${where}: expected indices of the input's shape ${formatShape(input.shape)}, got ${formatShape(indices.shape)}`,
    );
  }
  const k = a.kernelSize as number[];
  const s = (a.stride as number[] | null) ?? k;
  const p = a.padding as number[];
  const spatial = input.shape.slice(-n);
  const natural = spatial.map((len, i) => (len - 1) * s[i] - 2 * p[i] + k[i]);
  let out = natural;
  if (a.outputSize) {
    const given = a.outputSize as Array<number | null>;
    out = given.map((o, i) => o ?? natural[i]);
    for (let i = 0; i < n; i++) {
      if (out[i] < natural[i] - s[i] || out[i] > natural[i] + s[i]) {
        throw new ValueError(
          `${where}: invalid output_size ${formatShape(out)} (dim ${i} must be between ${natural[i] - s[i]} and ${natural[i] + s[i]})`,
        );
      }
    }
  }
  const plane = out.reduce((x, y) => x * y, 1);
  const flatIdx = tf.reshape(indices, [-1, spatial.reduce((x, y) => x * y, 1)]);
  const bad = tf.tidy(() => tf.any(tf.logicalOr(tf.less(flatIdx, 0), tf.greaterEqual(flatIdx, plane))).dataSync()[0]);
  if (bad) {
    flatIdx.dispose(); // a reshape of the caller's indices: nothing of it may outlive the refusal
    throw new ValueError(
      `${where}: found an invalid max index (indices must lie in [0, ${plane}) for output size ${formatShape(out)})`,
    );
  }
  const lead = input.shape.slice(0, input.rank - n);
  const y = ScatterRows(tf.reshape(input, [-1, flatIdx.shape[1] as number]), flatIdx, plane);
  return tf.reshape(y, [...lead, ...out]);
}

/**
 * Partial inverse of {@link maxPool2d} (torch's `F.max_unpool2d`): puts each value at its index (from
 * `maxPool2d(..., { returnIndices: true })`) in a zero plane.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_unpool2d.html
 *
 * Shape: input and indices `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`,
 * `H_out = (H - 1) * stride - 2 * padding + kernel_size`, or `output_size`.
 *
 * @param input float32 values.
 * @param args torch's `indices, kernel_size, stride=None, padding=0, output_size=None`.
 * @returns the unpooled tensor.
 * @example
 * ```ts
 * const [y, idx] = F.maxPool2d(x, 2, { returnIndices: true }) as [tf.Tensor, tf.Tensor];
 * F.maxUnpool2d(y, idx, 2); // x's shape, zeros except at the maxima
 * ```
 */
export function maxUnpool2d(input: tf.Tensor, ...args: ArgsOf<typeof MAX_UNPOOL2D>): tf.Tensor {
  return maxUnpoolNd('F.max_unpool2d', 2, input, MAX_UNPOOL2D.parse(args));
}

/**
 * Partial inverse of {@link maxPool1d} (torch's `F.max_unpool1d`); see {@link maxUnpool2d}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_unpool1d.html
 *
 * Shape: input and indices `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * @param input float32 values.
 * @param args torch's `indices, kernel_size, stride=None, padding=0, output_size=None`.
 * @returns the unpooled tensor.
 * @example
 * ```ts
 * F.maxUnpool1d(y, idx, 2);
 * ```
 */
export function maxUnpool1d(input: tf.Tensor, ...args: ArgsOf<typeof MAX_UNPOOL1D>): tf.Tensor {
  return maxUnpoolNd('F.max_unpool1d', 1, input, MAX_UNPOOL1D.parse(args) as never);
}
