/**
 * Fused kernels for the `wasm` backend, written as plain loops over the wasm heap: BatchNorm's training forward and
 * backward passes, LeakyReLU / ReLU and their gradient, and an `Identity` that shares its input's memory (the stock one
 * copies it, and tfjs clones every tensor that a custom gradient saves).
 *
 * Each replaces a chain of tfjs kernels (BatchNorm: Mean, Sub, Square, Mean, Add, Rsqrt, Mul, Add and, backward, two
 * Sums over the leading axes plus six elementwise kernels), so it reads and writes each element once or twice instead
 * of ten times, and allocates no intermediate tensors. Sums are accumulated in float64.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { ShapeError } from '../../errors';
import { WasmHeap } from './internals';

type Args<I, A = Record<string, never>> = { inputs: I; attrs: A; backend: unknown };

/** `[N, C, S]` view of a tensor with channels on axis 1 (S = product of the spatial sizes, 1 for `[N, C]`). */
function ncs(kernel: string, shape: number[]): [number, number, number] {
  if (shape.length < 2) throw new ShapeError(`${kernel}: expected input [N, C, ...], got shape [${shape}]`);
  const s = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[0], shape[1], s];
}

/** A float32 view of a per-channel parameter, or `fill` repeated when the input is absent. */
function channelParam(heap: WasmHeap, t: tf.TensorInfo | undefined, c: number, fill: number): Float32Array {
  return t ? heap.f32(t) : new Float32Array(c).fill(fill);
}

/**
 * BatchNorm, training mode, channels on axis 1: batch mean and biased variance per channel (one shifted pass, float64),
 * `invstd = 1 / sqrt(var + eps)`, and `y = x * alpha + beta` with `alpha = invstd * weight`,
 * `beta = bias - mean * alpha` (torch's `batch_norm_cpu_transform_input`). Outputs `[y, mean, invstd, var]`.
 */
export function batchNormTrainWasm(
  args: Args<{ x: tf.TensorInfo; weight?: tf.TensorInfo; bias?: tf.TensorInfo }, { eps: number }>,
): tf.TensorInfo[] {
  const kernel = 'TfjsTorchBatchNormTrain';
  const { inputs: { x, weight, bias }, attrs: { eps }, backend } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = ncs(kernel, x.shape);
  const y = heap.alloc(x.shape);
  const meanT = heap.alloc([c]);
  const invstdT = heap.alloc([c]);
  const varT = heap.alloc([c]);
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const w = channelParam(heap, weight, c, 1);
  const b = channelParam(heap, bias, c, 0);
  const meanV = heap.f32(meanT);
  const invstdV = heap.f32(invstdT);
  const varV = heap.f32(varT);
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    // One pass for both sums, shifted by the channel's first value so that sum² - sum·sum cannot cancel badly;
    // float64 sums of float32 data (torch: two passes in float). Two accumulators each halve the add latency chain.
    const shift = xv[ch * s];
    let s1a = 0;
    let s1b = 0;
    let s2a = 0;
    let s2b = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      const end = base + s;
      let k = base;
      for (; k + 1 < end; k += 2) {
        const d0 = xv[k] - shift;
        const d1 = xv[k + 1] - shift;
        s1a += d0;
        s1b += d1;
        s2a += d0 * d0;
        s2b += d1 * d1;
      }
      if (k < end) {
        const d = xv[k] - shift;
        s1a += d;
        s2a += d * d;
      }
    }
    const s1 = s1a + s1b;
    const mean = shift + s1 / m;
    const variance = Math.max((s2a + s2b - (s1 * s1) / m) / m, 0);
    const invstd = Math.fround(1 / Math.sqrt(variance + eps));
    const alpha = Math.fround(invstd * w[ch]);
    const beta = Math.fround(b[ch] - Math.fround(mean) * alpha);
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      for (let k = base; k < base + s; k++) yv[k] = xv[k] * alpha + beta;
    }
    meanV[ch] = mean;
    invstdV[ch] = invstd;
    varV[ch] = variance;
  }
  return [y, meanT, invstdT, varT];
}

/**
 * torch's `batch_norm_backward` in training mode: `dx = (dy - mean(dy) - (x - mean) * invstd² * mean(dy * (x - mean)))
 * * invstd * weight`, `dweight = sum(dy * (x - mean)) * invstd`, `dbias = sum(dy)`. Outputs `[dx, dweight, dbias]`.
 */
export function batchNormGradWasm(
  args: Args<{ dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; invstd: tf.TensorInfo; weight?: tf.TensorInfo }>,
): tf.TensorInfo[] {
  const kernel = 'TfjsTorchBatchNormGrad';
  const { inputs: { dy, x, mean, invstd, weight }, backend } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = ncs(kernel, x.shape);
  const dx = heap.alloc(x.shape);
  const dw = heap.alloc([c]);
  const db = heap.alloc([c]);
  const dyv = heap.f32(dy);
  const xv = heap.f32(x);
  const dxv = heap.f32(dx);
  const meanV = heap.f32(mean);
  const invstdV = heap.f32(invstd);
  const w = channelParam(heap, weight, c, 1);
  const dwv = heap.f32(dw);
  const dbv = heap.f32(db);
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    const mu = meanV[ch];
    let sumA = 0;
    let sumB = 0;
    let dotA = 0;
    let dotB = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      const end = base + s;
      let k = base;
      for (; k + 1 < end; k += 2) {
        const g0 = dyv[k];
        const g1 = dyv[k + 1];
        sumA += g0;
        sumB += g1;
        dotA += g0 * (xv[k] - mu);
        dotB += g1 * (xv[k + 1] - mu);
      }
      if (k < end) {
        sumA += dyv[k];
        dotA += dyv[k] * (xv[k] - mu);
      }
    }
    const sumDy = sumA + sumB;
    const dot = dotA + dotB;
    const istd = invstdV[ch];
    dwv[ch] = dot * istd;
    dbv[ch] = sumDy;
    const meanDy = sumDy / m;
    const proj = (dot / m) * istd * istd;
    const scale = istd * w[ch];
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      for (let k = base; k < base + s; k++) dxv[k] = (dyv[k] - meanDy - (xv[k] - mu) * proj) * scale;
    }
  }
  return [dx, dw, db];
}

/** `[alpha, 1]`, indexed by `x > 0`: a table lookup instead of a branch, which mispredicts on activations. */
const slopes = new Float64Array(2);

/** `x > 0 ? x : alpha * x`. */
export function leakyReluWasm(args: Args<{ x: tf.TensorInfo }, { alpha: number }>): tf.TensorInfo {
  const { inputs: { x }, attrs: { alpha }, backend } = args;
  const heap = new WasmHeap(backend, 'TfjsTorchLeakyRelu');
  const y = heap.alloc(x.shape);
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  slopes[0] = Math.fround(alpha);
  slopes[1] = 1;
  for (let k = 0; k < xv.length; k++) {
    const v = xv[k];
    yv[k] = v * slopes[+(v > 0)];
  }
  return y;
}

/** `x > 0 ? dy : alpha * dy`; exactly +0 where `x <= 0` when `alpha` is 0 (torch's `threshold_backward`). */
export function leakyReluGradWasm(args: Args<{ dy: tf.TensorInfo; x: tf.TensorInfo }, { alpha: number }>): tf.TensorInfo {
  const { inputs: { dy, x }, attrs: { alpha }, backend } = args;
  const heap = new WasmHeap(backend, 'TfjsTorchLeakyReluGrad');
  const dx = heap.alloc(x.shape);
  const dyv = heap.f32(dy);
  const xv = heap.f32(x);
  const dxv = heap.f32(dx);
  if (alpha === 0) {
    // dy's bits where x > 0, else all zero bits (+0): a mask, not a multiplication (0 * Infinity is NaN).
    const dyBits = new Int32Array(dyv.buffer, dyv.byteOffset, dyv.length);
    const dxBits = new Int32Array(dxv.buffer, dxv.byteOffset, dxv.length);
    for (let k = 0; k < xv.length; k++) dxBits[k] = dyBits[k] & -(+(xv[k] > 0));
  } else {
    slopes[0] = Math.fround(alpha);
    slopes[1] = 1;
    for (let k = 0; k < xv.length; k++) dxv[k] = dyv[k] * slopes[+(xv[k] > 0)];
  }
  return dx;
}

/** `Identity` sharing the input's memory (reference-counted, as the cpu backend's), instead of copying it. */
export function identityWasm(args: Args<{ x: tf.TensorInfo }>): tf.TensorInfo {
  const { inputs: { x }, backend } = args;
  const b = backend as { incRef(dataId: object): void };
  b.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
