/**
 * Fused kernels for the `wasm` backend, loops over the wasm heap (in WebAssembly SIMD where available, see ./simd.ts,
 * else in JS): BatchNorm's training forward and backward passes, LeakyReLU / ReLU and their gradient, and an `Identity`
 * that shares its input's memory (the stock one copies it, and tfjs clones every tensor that a custom gradient saves).
 *
 * Each replaces a chain of tfjs kernels (BatchNorm: Mean, Sub, Square, Mean, Add, Rsqrt, Mul, Add and, backward, two
 * Sums over the leading axes plus six elementwise kernels), so it reads and writes each element once or twice instead
 * of ten times, and allocates no intermediate tensors. Sums are accumulated in float64.
 *
 * The BatchNorm kernels take channels on axis 1 (`[N, C, ...]`: a pass per channel over its N planes), or, with the
 * attr `channelsLast`, on the last axis (`[..., C]`, a row-major `[M, C]`: passes over the rows, 4 channels per SIMD
 * instruction, see ./simd-columns.ts). Both layouts share the per-channel formulas; only the order of the sums differs.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { ShapeError } from '../../errors';
import { WasmHeap } from './internals';
import { simdOps } from './simd';
import { type ColumnOps, columnOps } from './simd-columns';

type Args<I, A = Record<string, never>> = { inputs: I; attrs: A; backend: unknown };

/**
 * `[N, C, S]` view of a tensor with channels on axis 1 (S = product of the spatial sizes, 1 for `[N, C]`), or with
 * `channelsLast` on the last axis (N = product of the other sizes, S = 1). Each channel has N * S values.
 */
function channelView(kernel: string, shape: number[], channelsLast = false): [number, number, number] {
  const layout = channelsLast ? '[..., C]' : '[N, C, ...]';
  if (shape.length < 2) throw new ShapeError(`${kernel}: expected input ${layout}, got shape [${shape.join(', ')}]`);
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  return channelsLast
    ? [size(shape.slice(0, -1)), shape[shape.length - 1], 1]
    : [shape[0], shape[1], size(shape.slice(2))];
}

/** A float32 view of a per-channel parameter, or `fill` repeated when the input is absent. */
function channelParam(heap: WasmHeap, t: tf.TensorInfo | undefined, c: number, fill: number): Float32Array {
  return t ? heap.f32(t) : new Float32Array(c).fill(fill);
}

/**
 * Heap scratch for the channels-last SIMD loops (./simd-columns.ts): `vectors` float32 vectors of `c4` values (the
 * per-column parameters) and the float64 accumulators of two sums per column, 16-byte aligned. Allocate it after the
 * kernel's outputs and take its views after every allocation; `free` it at the end.
 */
class ColumnScratch {
  private readonly t: tf.TensorInfo;
  /** Byte offset of the accumulators (`4 * c4` float64), then of the vectors. */
  readonly acc: number;

  constructor(
    private readonly heap: WasmHeap,
    private readonly c4: number,
    vectors: number,
  ) {
    this.t = heap.alloc([c4 * (8 + vectors) + 4]);
    this.acc = (heap.ptr(this.t) + 15) & ~15;
  }

  /** Byte offset of vector `i`. */
  vector(i: number): number {
    return this.acc + 32 * this.c4 + 4 * this.c4 * i;
  }

  /** Copies the first `c4` values of `values` into vector `i`; returns its byte offset. */
  put(i: number, values: Float32Array): number {
    new Float32Array(this.heap.memory()!.buffer, this.vector(i), this.c4).set(values.subarray(0, this.c4));
    return this.vector(i);
  }

  /** The accumulators, zeroed. */
  zeroedSums(): Float64Array {
    return new Float64Array(this.heap.memory()!.buffer, this.acc, 4 * this.c4).fill(0);
  }

  free(): void {
    this.heap.free(this.t);
  }
}

/** Copies the two sums of each of the first `c4` columns out of `acc` (see ./simd-columns.ts) to `s1`, `s2`. */
function readColumnSums(acc: Float64Array, c4: number, s1: Float64Array, s2: Float64Array): void {
  for (let ch = 0; ch < c4; ch++) {
    const k = (ch >> 2) * 8 + (ch & 3);
    s1[ch] = acc[k];
    s2[ch] = acc[k + 4];
  }
}

/** The inputs and outputs of BatchNorm's per-channel statistics ({@link trainChannel}). */
interface TrainStats {
  /** Values per channel. */
  m: number;
  eps: number;
  w: Float32Array;
  b: Float32Array;
  mean: Float32Array;
  invstd: Float32Array;
  variance: Float32Array;
  /** `y = x * alpha + beta`, per channel. */
  alpha: Float32Array;
  beta: Float32Array;
}

/**
 * Channel `ch`'s mean, biased variance, invstd and affine coefficients, from the float64 sums `s1`, `s2` of `x - shift`
 * and of its square over its `m` values, written into `o`.
 */
function trainChannel(o: TrainStats, ch: number, shift: number, s1: number, s2: number): void {
  const mean = shift + s1 / o.m;
  const variance = Math.max((s2 - (s1 * s1) / o.m) / o.m, 0);
  const invstd = Math.fround(1 / Math.sqrt(variance + o.eps));
  o.alpha[ch] = Math.fround(invstd * o.w[ch]);
  o.beta[ch] = Math.fround(o.b[ch] - Math.fround(mean) * o.alpha[ch]);
  o.mean[ch] = mean;
  o.invstd[ch] = invstd;
  o.variance[ch] = variance;
}

/**
 * BatchNorm, training mode: batch mean and biased variance per channel (one shifted pass, float64),
 * `invstd = 1 / sqrt(var + eps)`, and `y = x * alpha + beta` with `alpha = invstd * weight`,
 * `beta = bias - mean * alpha` (torch's `batch_norm_cpu_transform_input`). Outputs `[y, mean, invstd, var]`.
 * Channels on axis 1 (`[N, C, ...]`), or on the last axis (`[..., C]`) with the attr `channelsLast`.
 */
export function batchNormTrainWasm(
  args: Args<
    { x: tf.TensorInfo; weight?: tf.TensorInfo; bias?: tf.TensorInfo },
    { eps: number; channelsLast?: boolean }
  >,
): tf.TensorInfo[] {
  const kernel = 'TfjsTorchBatchNormTrain';
  const {
    inputs: { x, weight, bias },
    attrs: { eps, channelsLast },
    backend,
  } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = channelView(kernel, x.shape, channelsLast);
  const y = heap.alloc(x.shape);
  const meanT = heap.alloc([c]);
  const invstdT = heap.alloc([c]);
  const varT = heap.alloc([c]);
  const cols = channelsLast ? columnOps(heap.memory()) : null;
  const scratch = cols && c >= 4 ? new ColumnScratch(heap, c & ~3, 3) : null;
  const o: TrainStats = {
    m: n * s,
    eps,
    w: channelParam(heap, weight, c, 1),
    b: channelParam(heap, bias, c, 0),
    mean: heap.f32(meanT),
    invstd: heap.f32(invstdT),
    variance: heap.f32(varT),
    alpha: new Float32Array(c),
    beta: new Float32Array(c),
  };
  if (channelsLast) trainColumns(heap, x, y, c, o, cols, scratch);
  else trainPlanes(heap, x, y, n, c, s, o);
  scratch?.free();
  return [y, meanT, invstdT, varT];
}

/** {@link batchNormTrainWasm} for `[N, C, S]`: a pass over each channel's N planes of S values. */
function trainPlanes(
  heap: WasmHeap,
  x: tf.TensorInfo,
  y: tf.TensorInfo,
  n: number,
  c: number,
  s: number,
  o: TrainStats,
) {
  const ops = simdOps(heap.memory());
  const xPtr = heap.ptr(x);
  const yPtr = heap.ptr(y);
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const s4 = ops ? s & ~3 : 0; // elements per plane done with SIMD; the rest in JS
  for (let ch = 0; ch < c; ch++) {
    // Sums of x - shift and its square, shifted by the channel's first value so that they cannot cancel badly;
    // float64 sums of float32 data (torch: two passes in float).
    const shift = xv[ch * s];
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) {
        const [a1, a2] = ops!.sums(xPtr + 4 * base, s4, shift);
        s1 += a1;
        s2 += a2;
      }
      for (let k = base + s4; k < base + s; k++) {
        const d = xv[k] - shift;
        s1 += d;
        s2 += d * d;
      }
    }
    trainChannel(o, ch, shift, s1, s2);
    const alpha = o.alpha[ch];
    const beta = o.beta[ch];
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) ops!.affine(xPtr + 4 * base, yPtr + 4 * base, s4, alpha, beta);
      for (let k = base + s4; k < base + s; k++) yv[k] = xv[k] * alpha + beta;
    }
  }
}

/**
 * {@link batchNormTrainWasm} for a row-major `[M, C]`: the first `C & ~3` columns by the SIMD column loops (when
 * `cols` and `scratch` are given), the others in JS, row by row. Each channel's shift is its value in row 0.
 */
function trainColumns(
  heap: WasmHeap,
  x: tf.TensorInfo,
  y: tf.TensorInfo,
  c: number,
  o: TrainStats,
  cols: ColumnOps | null,
  scratch: ColumnScratch | null,
) {
  const xPtr = heap.ptr(x);
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const c4 = scratch ? c & ~3 : 0;
  const shift = xv.slice(0, c);
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  if (c4 > 0) {
    const acc = scratch!.zeroedSums();
    cols!.colSums(xPtr, o.m, c, c4, scratch!.put(0, shift), scratch!.acc);
    readColumnSums(acc, c4, s1, s2);
  }
  for (let base = 0; base < xv.length; base += c) {
    for (let ch = c4; ch < c; ch++) {
      const d = xv[base + ch] - shift[ch];
      s1[ch] += d;
      s2[ch] += d * d;
    }
  }
  for (let ch = 0; ch < c; ch++) trainChannel(o, ch, shift[ch], s1[ch], s2[ch]);
  if (c4 > 0) cols!.colAffine(xPtr, heap.ptr(y), o.m, c, c4, scratch!.put(1, o.alpha), scratch!.put(2, o.beta));
  for (let base = 0; base < xv.length; base += c) {
    for (let ch = c4; ch < c; ch++) yv[base + ch] = xv[base + ch] * o.alpha[ch] + o.beta[ch];
  }
}

/** The inputs and outputs of BatchNorm's per-channel gradient coefficients ({@link gradChannel}). */
interface GradStats {
  /** Values per channel. */
  m: number;
  invstd: Float32Array;
  w: Float32Array;
  dw: Float32Array;
  db: Float32Array;
  /** `dx = (dy - meanDy - (x - mean) * proj) * scale`, per channel. */
  meanDy: Float32Array;
  proj: Float32Array;
  scale: Float32Array;
}

/** Channel `ch`'s weight and bias gradients and `dx` coefficients from its float64 sums of dy and dy * (x - mean). */
function gradChannel(o: GradStats, ch: number, sumDy: number, dot: number): void {
  const istd = o.invstd[ch];
  o.dw[ch] = dot * istd;
  o.db[ch] = sumDy;
  o.meanDy[ch] = sumDy / o.m;
  o.proj[ch] = (dot / o.m) * istd * istd;
  o.scale[ch] = istd * o.w[ch];
}

/**
 * torch's `batch_norm_backward` in training mode: `dx = (dy - mean(dy) - (x - mean) * invstd² * mean(dy * (x - mean)))
 * * invstd * weight`, `dweight = sum(dy * (x - mean)) * invstd`, `dbias = sum(dy)`. Outputs `[dx, dweight, dbias]`.
 * Channels on axis 1 (`[N, C, ...]`), or on the last axis (`[..., C]`) with the attr `channelsLast`.
 */
export function batchNormGradWasm(
  args: Args<
    {
      dy: tf.TensorInfo;
      x: tf.TensorInfo;
      mean: tf.TensorInfo;
      invstd: tf.TensorInfo;
      weight?: tf.TensorInfo;
    },
    { channelsLast?: boolean }
  >,
): tf.TensorInfo[] {
  const kernel = 'TfjsTorchBatchNormGrad';
  const {
    inputs: { dy, x, mean, invstd, weight },
    attrs: { channelsLast },
    backend,
  } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = channelView(kernel, x.shape, channelsLast);
  const dx = heap.alloc(x.shape);
  const dw = heap.alloc([c]);
  const db = heap.alloc([c]);
  const cols = channelsLast ? columnOps(heap.memory()) : null;
  const scratch = cols && c >= 4 ? new ColumnScratch(heap, c & ~3, 4) : null;
  const o: GradStats = {
    m: n * s,
    invstd: heap.f32(invstd),
    w: channelParam(heap, weight, c, 1),
    dw: heap.f32(dw),
    db: heap.f32(db),
    meanDy: new Float32Array(c),
    proj: new Float32Array(c),
    scale: new Float32Array(c),
  };
  const t = { dy, x, dx, mean: heap.f32(mean) };
  if (channelsLast) gradColumns(heap, t, c, o, cols, scratch);
  else gradPlanes(heap, t, n, c, s, o);
  scratch?.free();
  return [dx, dw, db];
}

/** The tensors of {@link batchNormGradWasm}, and the batch mean's values. */
interface GradTensors {
  dy: tf.TensorInfo;
  x: tf.TensorInfo;
  dx: tf.TensorInfo;
  mean: Float32Array;
}

/** {@link batchNormGradWasm} for `[N, C, S]`: a pass over each channel's N planes of S values. */
function gradPlanes(heap: WasmHeap, t: GradTensors, n: number, c: number, s: number, o: GradStats) {
  const ops = simdOps(heap.memory());
  const dyPtr = heap.ptr(t.dy);
  const xPtr = heap.ptr(t.x);
  const dxPtr = heap.ptr(t.dx);
  const dyv = heap.f32(t.dy);
  const xv = heap.f32(t.x);
  const dxv = heap.f32(t.dx);
  const s4 = ops ? s & ~3 : 0;
  for (let ch = 0; ch < c; ch++) {
    const mu = t.mean[ch];
    let sumDy = 0;
    let dot = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) {
        const [a1, a2] = ops!.dots(dyPtr + 4 * base, xPtr + 4 * base, s4, mu);
        sumDy += a1;
        dot += a2;
      }
      for (let k = base + s4; k < base + s; k++) {
        sumDy += dyv[k];
        dot += dyv[k] * (xv[k] - mu);
      }
    }
    gradChannel(o, ch, sumDy, dot);
    const meanDy = o.meanDy[ch];
    const proj = o.proj[ch];
    const scale = o.scale[ch];
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) ops!.bnGradApply(dyPtr + 4 * base, xPtr + 4 * base, dxPtr + 4 * base, s4, mu, proj, meanDy, scale);
      for (let k = base + s4; k < base + s; k++) dxv[k] = (dyv[k] - meanDy - (xv[k] - mu) * proj) * scale;
    }
  }
}

/** {@link batchNormGradWasm} for a row-major `[M, C]`, as {@link trainColumns}. */
function gradColumns(
  heap: WasmHeap,
  t: GradTensors,
  c: number,
  o: GradStats,
  cols: ColumnOps | null,
  scratch: ColumnScratch | null,
) {
  const dyPtr = heap.ptr(t.dy);
  const xPtr = heap.ptr(t.x);
  const dyv = heap.f32(t.dy);
  const xv = heap.f32(t.x);
  const dxv = heap.f32(t.dx);
  const mu = t.mean;
  const c4 = scratch ? c & ~3 : 0;
  const sumDy = new Float64Array(c);
  const dot = new Float64Array(c);
  if (c4 > 0) {
    const acc = scratch!.zeroedSums();
    cols!.colDots(dyPtr, xPtr, o.m, c, c4, scratch!.put(0, mu), scratch!.acc);
    readColumnSums(acc, c4, sumDy, dot);
  }
  for (let base = 0; base < xv.length; base += c) {
    for (let ch = c4; ch < c; ch++) {
      sumDy[ch] += dyv[base + ch];
      dot[ch] += dyv[base + ch] * (xv[base + ch] - mu[ch]);
    }
  }
  for (let ch = 0; ch < c; ch++) gradChannel(o, ch, sumDy[ch], dot[ch]);
  if (c4 > 0) {
    const [pMu, pProj, pMeanDy, pScale] = [mu, o.proj, o.meanDy, o.scale].map((v, i) => scratch!.put(i, v));
    cols!.colGradApply(dyPtr, xPtr, heap.ptr(t.dx), o.m, c, c4, pMu, pProj, pMeanDy, pScale);
  }
  for (let base = 0; base < xv.length; base += c) {
    for (let ch = c4; ch < c; ch++) {
      dxv[base + ch] = (dyv[base + ch] - o.meanDy[ch] - (xv[base + ch] - mu[ch]) * o.proj[ch]) * o.scale[ch];
    }
  }
}

/** `[alpha, 1]`, indexed by `x > 0`: a table lookup instead of a branch, which mispredicts on activations. */
const slopes = new Float64Array(2);

/** `x > 0 ? x : alpha * x`. */
export function leakyReluWasm(args: Args<{ x: tf.TensorInfo }, { alpha: number }>): tf.TensorInfo {
  const {
    inputs: { x },
    attrs: { alpha },
    backend,
  } = args;
  const heap = new WasmHeap(backend, 'TfjsTorchLeakyRelu');
  const y = heap.alloc(x.shape);
  const ops = simdOps(heap.memory());
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const a = Math.fround(alpha);
  const n4 = ops ? xv.length & ~3 : 0;
  if (n4 > 0) ops!.leaky(heap.ptr(x), heap.ptr(y), n4, a);
  slopes[0] = a;
  slopes[1] = 1;
  for (let k = n4; k < xv.length; k++) {
    const v = xv[k];
    yv[k] = v * slopes[+(v > 0)];
  }
  return y;
}

/** `x > 0 ? dy : alpha * dy`; exactly +0 where `x <= 0` when `alpha` is 0 (torch's `threshold_backward`). */
export function leakyReluGradWasm(
  args: Args<{ dy: tf.TensorInfo; x: tf.TensorInfo }, { alpha: number }>,
): tf.TensorInfo {
  const {
    inputs: { dy, x },
    attrs: { alpha },
    backend,
  } = args;
  const heap = new WasmHeap(backend, 'TfjsTorchLeakyReluGrad');
  const dx = heap.alloc(x.shape);
  const ops = simdOps(heap.memory());
  const dyv = heap.f32(dy);
  const xv = heap.f32(x);
  const dxv = heap.f32(dx);
  const a = Math.fround(alpha);
  const n4 = ops ? xv.length & ~3 : 0;
  if (n4 > 0) {
    if (a === 0) ops!.reluGrad(heap.ptr(dy), heap.ptr(x), heap.ptr(dx), n4);
    else ops!.leakyGrad(heap.ptr(dy), heap.ptr(x), heap.ptr(dx), n4, a);
  }
  if (a === 0) {
    // dy's bits where x > 0, else all zero bits (+0): a mask, not a multiplication (0 * Infinity is NaN).
    const dyBits = new Int32Array(dyv.buffer, dyv.byteOffset, dyv.length);
    const dxBits = new Int32Array(dxv.buffer, dxv.byteOffset, dxv.length);
    for (let k = n4; k < xv.length; k++) dxBits[k] = dyBits[k] & -+(xv[k] > 0);
  } else {
    slopes[0] = a;
    slopes[1] = 1;
    for (let k = n4; k < xv.length; k++) dxv[k] = dyv[k] * slopes[+(xv[k] > 0)];
  }
  return dx;
}

/** `Identity` sharing the input's memory (reference-counted, as the cpu backend's), instead of copying it. */
export function identityWasm(args: Args<{ x: tf.TensorInfo }>): tf.TensorInfo {
  const {
    inputs: { x },
    backend,
  } = args;
  const b = backend as { incRef(dataId: object): void };
  b.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
