/**
 * Fused kernels for the `wasm` backend, loops over the wasm heap (in WebAssembly SIMD where available, see ./simd.ts,
 * else in JS): BatchNorm's training forward and backward passes, LeakyReLU / ReLU and their gradient, and an `Identity`
 * that shares its input's memory (the stock one copies it, and tfjs clones every tensor that a custom gradient saves).
 *
 * Each replaces a chain of tfjs kernels (BatchNorm: Mean, Sub, Square, Mean, Add, Rsqrt, Mul, Add and, backward, two
 * Sums over the leading axes plus six elementwise kernels), so it reads and writes each element once or twice instead
 * of ten times, and allocates no intermediate tensors. Sums are accumulated in float64.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { ShapeError } from '../../errors';
import { WasmHeap } from './internals';
import { simdOps } from './simd';

type Args<I, A = Record<string, never>> = { inputs: I; attrs: A; backend: unknown };

/** `[N, C, S]` view of a tensor with channels on axis 1 (S = product of the spatial sizes, 1 for `[N, C]`). */
function ncs(kernel: string, shape: number[]): [number, number, number] {
  if (shape.length < 2) throw new ShapeError(`${kernel}: expected input [N, C, ...], got shape [${shape.join(', ')}]`);
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
  const {
    inputs: { x, weight, bias },
    attrs: { eps },
    backend,
  } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = ncs(kernel, x.shape);
  const y = heap.alloc(x.shape);
  const meanT = heap.alloc([c]);
  const invstdT = heap.alloc([c]);
  const varT = heap.alloc([c]);
  const ops = simdOps(heap.memory());
  const xPtr = heap.ptr(x);
  const yPtr = heap.ptr(y);
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const w = channelParam(heap, weight, c, 1);
  const b = channelParam(heap, bias, c, 0);
  const meanV = heap.f32(meanT);
  const invstdV = heap.f32(invstdT);
  const varV = heap.f32(varT);
  const m = n * s;
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
    const mean = shift + s1 / m;
    const variance = Math.max((s2 - (s1 * s1) / m) / m, 0);
    const invstd = Math.fround(1 / Math.sqrt(variance + eps));
    const alpha = Math.fround(invstd * w[ch]);
    const beta = Math.fround(b[ch] - Math.fround(mean) * alpha);
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) ops!.affine(xPtr + 4 * base, yPtr + 4 * base, s4, alpha, beta);
      for (let k = base + s4; k < base + s; k++) yv[k] = xv[k] * alpha + beta;
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
  args: Args<{
    dy: tf.TensorInfo;
    x: tf.TensorInfo;
    mean: tf.TensorInfo;
    invstd: tf.TensorInfo;
    weight?: tf.TensorInfo;
  }>,
): tf.TensorInfo[] {
  const kernel = 'TfjsTorchBatchNormGrad';
  const {
    inputs: { dy, x, mean, invstd, weight },
    backend,
  } = args;
  const heap = new WasmHeap(backend, kernel);
  const [n, c, s] = ncs(kernel, x.shape);
  const dx = heap.alloc(x.shape);
  const dw = heap.alloc([c]);
  const db = heap.alloc([c]);
  const ops = simdOps(heap.memory());
  const dyPtr = heap.ptr(dy);
  const xPtr = heap.ptr(x);
  const dxPtr = heap.ptr(dx);
  const dyv = heap.f32(dy);
  const xv = heap.f32(x);
  const dxv = heap.f32(dx);
  const meanV = heap.f32(mean);
  const invstdV = heap.f32(invstd);
  const w = channelParam(heap, weight, c, 1);
  const dwv = heap.f32(dw);
  const dbv = heap.f32(db);
  const m = n * s;
  const s4 = ops ? s & ~3 : 0;
  for (let ch = 0; ch < c; ch++) {
    const mu = meanV[ch];
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
    const istd = invstdV[ch];
    dwv[ch] = dot * istd;
    dbv[ch] = sumDy;
    const meanDy = Math.fround(sumDy / m);
    const proj = Math.fround((dot / m) * istd * istd);
    const scale = Math.fround(istd * w[ch]);
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      if (s4 > 0) ops!.bnGradApply(dyPtr + 4 * base, xPtr + 4 * base, dxPtr + 4 * base, s4, mu, proj, meanDy, scale);
      for (let k = base + s4; k < base + s; k++) dxv[k] = (dyv[k] - meanDy - (xv[k] - mu) * proj) * scale;
    }
  }
  return [dx, dw, db];
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
