/**
 * `Conv2DBackpropInput` for the wasm backend: the input gradient of conv2d, which is also conv2dTranspose's
 * forward pass. tfjs-backend-wasm's own kernel is a plain loop, 8-10x slower than a forward conv of the same FLOPs;
 * this one runs on the backend's XNNPACK Conv2D.
 *
 * Stride s > 1 is split by output phase: dx row `s*a + r` only receives filter taps `k ≡ (r + pad) mod s`, so each of
 * the s_h*s_w phases is a stride-1 convolution of dy with a flipped, channel-transposed sub-filter (exactly the
 * FLOPs of the gradient, no inserted zeros), scattered into dx. Stride 1 is a single such phase. Very few input
 * channels (the conv2dTranspose output) make XNNPACK's conv inefficient, so that case is one GEMM
 * `dy @ filterᵀ` followed by an overlap-add (col2im), which also covers dilation > 1 together with stride > 1.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import {
  type Axis,
  type ConvBackpropAttrs,
  type ConvGeometry,
  convGeometry,
  explicitPad,
  requireFloat32,
} from './geometry';
import { WasmHeap } from './internals';
import { simdOps } from './simd';

const KERNEL = 'Conv2DBackpropInput';

/** Input channels at or below which the GEMM + col2im method beats per-phase XNNPACK convs (measured, 2 cores). */
const COL2IM_MAX_CHANNELS = 4;
/** Largest column matrix (floats) materialised at once by the GEMM methods; bigger batches are processed in chunks. */
export const MAX_COLUMN_FLOATS = 1 << 22;

/** The dx positions `r, r + s, ...` of one axis and how a stride-1 conv of dy produces them. */
interface AxisPhase {
  first: number;
  count: number;
  /** Filter taps in the sub-conv's order (flipped). Empty when no tap reaches this phase: it is all zeros. */
  taps: number[];
  dilation: number;
  /** Padding of dy before/after along this axis; negative means crop. */
  padBefore: number;
  padAfter: number;
}

function axisPhases(a: Axis): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < a.stride; r++) {
    const count = r < a.inSize ? Math.ceil((a.inSize - r) / a.stride) : 0;
    // dx[s*i + r] = sum over taps k with (r + pad - k*d) divisible by s of dy[(s*i + r + pad - k*d) / s] * w[k];
    // phases only when s == 1 or d == 1, so k*d ≡ k (mod s) whenever s > 1.
    const q = (r + a.padBefore) % a.stride;
    const c0 = Math.floor((r + a.padBefore) / a.stride);
    const m = q < a.kernel ? Math.ceil((a.kernel - q) / a.stride) : 0;
    const taps = Array.from({ length: m }, (_, j) => q + a.stride * (m - 1 - j));
    phases.push({
      first: r,
      count,
      taps,
      dilation: a.dilation,
      padBefore: (m - 1) * a.dilation - c0,
      padAfter: count + c0 - a.outSize,
    });
  }
  return phases;
}

/** Phase `(ph, pw)` has nothing to compute: no dx positions, no taps, or every tap reads only padding. */
function isEmpty(ph: AxisPhase, pw: AxisPhase, outH: number, outW: number): boolean {
  return (
    ph.count === 0 ||
    pw.count === 0 ||
    ph.taps.length === 0 ||
    pw.taps.length === 0 ||
    outH + Math.min(ph.padBefore, 0) + Math.min(ph.padAfter, 0) <= 0 ||
    outW + Math.min(pw.padBefore, 0) + Math.min(pw.padAfter, 0) <= 0
  );
}

/** `sub[mh, mw, o, c] = w[tapsH[mh], tapsW[mw], c, o]`: a flipped, channel-transposed sub-filter. */
function subFilter(
  w: Float32Array,
  kW: number,
  inC: number,
  outC: number,
  tapsH: number[],
  tapsW: number[],
): Float32Array {
  const sub = new Float32Array(tapsH.length * tapsW.length * inC * outC);
  let dst = 0;
  for (const th of tapsH) {
    for (const tw of tapsW) {
      const src = (th * kW + tw) * inC * outC;
      for (let o = 0; o < outC; o++) {
        for (let c = 0; c < inC; c++) sub[dst + c] = w[src + c * outC + o];
        dst += inC;
      }
    }
  }
  return sub;
}

function phaseMethod(heap: WasmHeap, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { batch, inC, outC, h, w } = g;
  const phasesH = axisPhases(h);
  const phasesW = axisPhases(w);
  const single = phasesH.length === 1 && phasesW.length === 1;
  let anyEmpty = false;
  for (const ph of phasesH) for (const pw of phasesW) anyEmpty ||= isEmpty(ph, pw, h.outSize, w.outSize);

  if (single && anyEmpty) return heap.zeros([batch, h.inSize, w.inSize, inC]);
  // Stride 1: the one phase's conv output is dx. Otherwise phases are scattered into dx; empty ones leave zeros.
  const dx = single
    ? null
    : anyEmpty
      ? heap.zeros([batch, h.inSize, w.inSize, inC])
      : heap.alloc([batch, h.inSize, w.inSize, inC]);
  for (const ph of phasesH) {
    for (const pw of phasesW) {
      if (isEmpty(ph, pw, h.outSize, w.outSize)) continue;
      const cropTop = Math.max(-ph.padBefore, 0);
      const cropLeft = Math.max(-pw.padBefore, 0);
      const rows = h.outSize - cropTop - Math.max(-ph.padAfter, 0);
      const cols = w.outSize - cropLeft - Math.max(-pw.padAfter, 0);
      const cropped = rows !== h.outSize || cols !== w.outSize;
      const input = cropped ? heap.slice(dy, [0, cropTop, cropLeft, 0], [batch, rows, cols, outC]) : dy;
      const sub = heap.upload(subFilter(heap.f32(filter), w.kernel, inC, outC, ph.taps, pw.taps), [
        ph.taps.length,
        pw.taps.length,
        outC,
        inC,
      ]);
      const out = heap.run(
        'Conv2D',
        { x: input, filter: sub },
        {
          strides: [1, 1],
          dilations: [ph.dilation, pw.dilation],
          pad: explicitPad(
            Math.max(ph.padBefore, 0),
            Math.max(ph.padAfter, 0),
            Math.max(pw.padBefore, 0),
            Math.max(pw.padAfter, 0),
          ),
          dataFormat: 'NHWC',
        },
      );
      heap.free(sub);
      if (cropped) heap.free(input);
      if (dx === null) return out;
      scatterPhase(heap, out, dx, batch, ph, pw, h, w, inC);
      heap.free(out);
    }
  }
  return dx!;
}

/** Writes a phase's result `[batch, ph.count, pw.count, C]` into dx at rows `ph.first + s_h*a`, cols `pw.first + s_w*b`. */
function scatterPhase(
  heap: WasmHeap,
  out: tf.TensorInfo,
  dxT: tf.TensorInfo,
  batch: number,
  ph: AxisPhase,
  pw: AxisPhase,
  h: Axis,
  w: Axis,
  c: number,
): void {
  const ops = simdOps(heap.memory());
  const c4 = ops ? c & ~3 : 0; // floats per pixel copied with SIMD; the rest in JS
  const src = heap.f32(out);
  const dx = heap.f32(dxT);
  const srcPtr = heap.ptr(out);
  const dxPtr = heap.ptr(dxT);
  const rowStride = w.inSize * c;
  const colStep = w.stride * c;
  let s = 0;
  for (let n = 0; n < batch; n++) {
    for (let a = 0; a < ph.count; a++) {
      const d0 = (n * h.inSize + ph.first + h.stride * a) * rowStride + pw.first * c;
      if (c4 > 0) ops!.copyRows(srcPtr + 4 * s, dxPtr + 4 * d0, pw.count, c4, 4 * c, 4 * colStep);
      if (c4 < c) {
        let d = d0;
        let t = s;
        for (let b = 0; b < pw.count; b++, d += colStep, t += c) {
          for (let k = c4; k < c; k++) dx[d + k] = src[t + k];
        }
      }
      s += pw.count * c;
    }
  }
}

function col2imMethod(heap: WasmHeap, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { batch, inC, outC, h, w } = g;
  const taps = h.kernel * w.kernel;
  const kkc = taps * inC;
  // filterᵀ: [outC, kH*kW*inC] from HWIO [kH*kW*inC, outC].
  const wSrc = heap.f32(filter);
  const wt = new Float32Array(outC * kkc);
  for (let t = 0; t < kkc; t++) for (let o = 0; o < outC; o++) wt[o * kkc + t] = wSrc[t * outC + o];
  const wT = heap.upload(wt, [outC, kkc]);
  const dx = heap.zeros([batch, h.inSize, w.inSize, inC]);
  const perImage = h.outSize * w.outSize;
  const chunk = Math.max(1, Math.floor(MAX_COLUMN_FLOATS / (perImage * kkc)));
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    const rows = nb * perImage;
    const dyChunk = nb === batch ? dy : heap.copyRange(dy, n0 * perImage * outC, [rows, outC]);
    const cols = heap.matMul(dyChunk, wT, rows, outC, kkc);
    if (dyChunk !== dy) heap.free(dyChunk);
    const colsV = heap.f32(cols);
    const dxV = heap.f32(dx);
    let row = 0;
    for (let n = n0; n < n0 + nb; n++) {
      for (let i = 0; i < h.outSize; i++) {
        for (let j = 0; j < w.outSize; j++, row++) {
          for (let kh = 0; kh < h.kernel; kh++) {
            const y = i * h.stride - h.padBefore + kh * h.dilation;
            if (y < 0 || y >= h.inSize) continue;
            for (let kw = 0; kw < w.kernel; kw++) {
              const x = j * w.stride - w.padBefore + kw * w.dilation;
              if (x < 0 || x >= w.inSize) continue;
              const d = ((n * h.inSize + y) * w.inSize + x) * inC;
              const s = row * kkc + (kh * w.kernel + kw) * inC;
              for (let c = 0; c < inC; c++) dxV[d + c] += colsV[s + c];
            }
          }
        }
      }
    }
    heap.free(cols);
  }
  heap.free(wT);
  return dx;
}

/**
 * The kernel function: `inputs {dy, filter}`, attrs of tfjs's `Conv2DBackpropInput` (plus optional `dilations`).
 * Returns dx of shape `attrs.inputShape`.
 */
export function conv2DBackpropInputWasm(args: {
  inputs: { dy: tf.TensorInfo; filter: tf.TensorInfo };
  attrs: ConvBackpropAttrs & { inputShape: number[] };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { dy, filter },
    attrs,
    backend,
  } = args;
  requireFloat32(KERNEL, { dy, filter });
  const heap = new WasmHeap(backend, KERNEL);
  const g = convGeometry(KERNEL, attrs.inputShape, filter.shape, dy.shape, attrs);
  const phasesNeedUnitDilation = (a: Axis) => a.stride === 1 || a.dilation === 1;
  if (g.inC <= COL2IM_MAX_CHANNELS || !phasesNeedUnitDilation(g.h) || !phasesNeedUnitDilation(g.w)) {
    return col2imMethod(heap, dy, filter, g);
  }
  return phaseMethod(heap, dy, filter, g);
}
