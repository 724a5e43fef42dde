/**
 * `Conv2DBackpropFilter` for the wasm backend, which tfjs-backend-wasm 4.22 lacks (tfjs issue #8474), so conv
 * layers cannot train on it without this kernel.
 *
 * dW `[kH*kW*inC, outC]` = colsᵀ `[kH*kW*inC, rows]` @ dy `[rows, outC]`, with `rows` = batch*outH*outW and colsᵀ the
 * transposed im2col of x, built directly in that layout so the GEMM runs on XNNPACK with untransposed operands and
 * batch 1. Large batches are processed in chunks whose partial products are summed. Any stride, dilation and padding.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { MAX_COLUMN_FLOATS } from './conv-backprop-input';
import { type ConvBackpropAttrs, type ConvGeometry, convGeometry, explicitPad, requireFloat32 } from './geometry';
import { WasmHeap } from './internals';

const KERNEL = 'Conv2DBackpropFilter';

/**
 * Fills `cols[(kh*kW + kw)*C + c][r]` with `x[n, i*s_h - pad_t + kh*d_h, j*s_w - pad_l + kw*d_w, c]` (0 outside x),
 * `r` running over `(n, i, j)` for `n` in `[n0, n0 + nb)`.
 */
function im2colTransposed(x: Float32Array, cols: Float32Array, g: ConvGeometry, n0: number, nb: number): void {
  const { inC, h, w } = g;
  const rows = nb * h.outSize * w.outSize;
  for (let kh = 0; kh < h.kernel; kh++) {
    for (let kw = 0; kw < w.kernel; kw++) {
      const tapBase = (kh * w.kernel + kw) * inC * rows;
      let r = 0;
      for (let n = n0; n < n0 + nb; n++) {
        for (let i = 0; i < h.outSize; i++) {
          const y = i * h.stride - h.padBefore + kh * h.dilation;
          if (y < 0 || y >= h.inSize) {
            for (let c = 0; c < inC; c++) cols.fill(0, tapBase + c * rows + r, tapBase + c * rows + r + w.outSize);
            r += w.outSize;
            continue;
          }
          const rowBase = (n * h.inSize + y) * w.inSize;
          for (let j = 0; j < w.outSize; j++, r++) {
            const xc = j * w.stride - w.padBefore + kw * w.dilation;
            let dst = tapBase + r;
            if (xc < 0 || xc >= w.inSize) {
              for (let c = 0; c < inC; c++, dst += rows) cols[dst] = 0;
            } else {
              const src = (rowBase + xc) * inC;
              for (let c = 0; c < inC; c++, dst += rows) cols[dst] = x[src + c];
            }
          }
        }
      }
    }
  }
}

/**
 * dW as a convolution, with the batch as channels and dy as the filter: `dW[c, kh, kw, o] = conv(x as [C, H, W, N],
 * dy as [outH, outW, N, O])` at stride = the forward dilation (1) and dilation = the forward stride. XNNPACK's conv
 * reads x through an indirection buffer, so this skips im2col (a third of the im2col method's time) and runs at its
 * forward-conv rate (~30 GFLOP/s against ~22, measured on the article's layers). It needs enough channels on both
 * sides to fill the GEMM tiles, and many outputs: otherwise im2col, or, for 1-2 output channels at stride 1,
 * {@link shiftedDyMethod}.
 */
const CONV_METHOD_MIN_CHANNELS = 16;
/** Output channels at or below which the GEMM is a matrix-vector product that XNNPACK runs slowly. */
const FEW_OUT_CHANNELS = 2;

function convMethod(heap: WasmHeap, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { inC, outC, h, w } = g;
  // Forward rows used: up to (outH-1)*s + (K-1)*d + 1 - pad; the conv must see exactly that many, padded or cropped.
  const needH = (h.outSize - 1) * h.stride + (h.kernel - 1) * h.dilation + 1 - h.padBefore;
  const needW = (w.outSize - 1) * w.stride + (w.kernel - 1) * w.dilation + 1 - w.padBefore;
  if (needH < 1 || needW < 1) return heap.zeros([h.kernel, w.kernel, inC, outC]); // every window lies in the padding
  const xT = heap.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const cropped = needH < h.inSize || needW < w.inSize;
  const xIn = cropped
    ? heap.slice(xT, [0, 0, 0, 0], [inC, Math.min(needH, h.inSize), Math.min(needW, w.inSize), g.batch])
    : xT;
  if (cropped) heap.free(xT);
  const dyT = heap.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const out = heap.run(
    'Conv2D',
    { x: xIn, filter: dyT },
    {
      strides: [1, 1],
      dilations: [h.stride, w.stride],
      pad: explicitPad(h.padBefore, Math.max(needH - h.inSize, 0), w.padBefore, Math.max(needW - w.inSize, 0)),
      dataFormat: 'NHWC',
    },
  );
  heap.free(xIn);
  heap.free(dyT);
  // [C, kH, kW, O] -> [kH, kW, C, O]
  const dW = heap.alloc([h.kernel, w.kernel, inC, outC]);
  const src = heap.f32(out);
  const dst = heap.f32(dW);
  const taps = h.kernel * w.kernel;
  for (let c = 0; c < inC; c++) {
    for (let t = 0; t < taps; t++) {
      for (let o = 0; o < outC; o++) dst[(t * inC + c) * outC + o] = src[(c * taps + t) * outC + o];
    }
  }
  heap.free(out);
  return dW;
}

/**
 * dW for 1-2 output channels at stride 1, dilation 1, as one GEMM whose long side is the batch's pixels:
 * `R[(kh, kw, o), c] = sum over pixels (n, y, x) of dy[n, y + pad_t - kh, x + pad_l - kw, o] * x[n, y, x, c]`, with the
 * shifted copies of dy (zero outside) built as the left operand and x, untouched, as the right one; `dW[kh, kw, c, o] =
 * R[(kh, kw, o), c]`. Large batches are processed in chunks of images whose partial products are summed.
 */
function shiftedDyMethod(heap: WasmHeap, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { batch, inC, outC, h, w } = g;
  const taps = h.kernel * w.kernel;
  const m = taps * outC;
  const perImage = h.inSize * w.inSize;
  const chunk = Math.max(1, Math.floor(MAX_COLUMN_FLOATS / (perImage * m)));
  let acc: Float64Array | null = null;
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    const k = nb * perImage;
    const shifted = heap.alloc([m, k]);
    const xChunk = nb === batch ? x : heap.copyRange(x, n0 * perImage * inC, [k, inC]);
    const a = heap.f32(shifted);
    const d = heap.f32(dy);
    for (let kh = 0; kh < h.kernel; kh++) {
      for (let kw = 0; kw < w.kernel; kw++) {
        // Columns x whose dy column j = x + pad_l - kw lies inside dy.
        const x0 = Math.min(Math.max(kw - w.padBefore, 0), w.inSize);
        const x1 = Math.max(Math.min(w.outSize + kw - w.padBefore, w.inSize), x0);
        for (let o = 0; o < outC; o++) {
          let dst = ((kh * w.kernel + kw) * outC + o) * k;
          for (let n = n0; n < n0 + nb; n++) {
            for (let y = 0; y < h.inSize; y++, dst += w.inSize) {
              const i = y + h.padBefore - kh;
              if (i < 0 || i >= h.outSize) {
                a.fill(0, dst, dst + w.inSize);
                continue;
              }
              a.fill(0, dst, dst + x0);
              let src = ((n * h.outSize + i) * w.outSize + (x0 + w.padBefore - kw)) * outC + o;
              for (let xx = x0; xx < x1; xx++, src += outC) a[dst + xx] = d[src];
              a.fill(0, dst + x1, dst + w.inSize);
            }
          }
        }
      }
    }
    const part = heap.matMul(shifted, xChunk, m, k, inC);
    heap.free(shifted);
    if (xChunk !== x) heap.free(xChunk);
    const pv = heap.f32(part);
    if (acc === null) acc = Float64Array.from(pv);
    else for (let t = 0; t < acc.length; t++) acc[t] += pv[t];
    heap.free(part);
  }
  // R[(tap, o), c] -> dW[tap, c, o]
  const dW = heap.alloc([h.kernel, w.kernel, inC, outC]);
  const out = heap.f32(dW);
  for (let t = 0; t < taps; t++) {
    for (let o = 0; o < outC; o++) {
      for (let c = 0; c < inC; c++) out[(t * inC + c) * outC + o] = acc![(t * outC + o) * inC + c];
    }
  }
  return dW;
}

/**
 * The kernel function: `inputs {x, dy}`, attrs of tfjs's `Conv2DBackpropFilter` (plus optional `dilations`).
 * Returns dW of shape `attrs.filterShape` (HWIO).
 */
export function conv2DBackpropFilterWasm(args: {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  attrs: ConvBackpropAttrs & { filterShape: number[] };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { x, dy },
    attrs,
    backend,
  } = args;
  requireFloat32(KERNEL, { x, dy });
  const heap = new WasmHeap(backend, KERNEL);
  const g = convGeometry(KERNEL, x.shape, attrs.filterShape, dy.shape, attrs);
  const unitDilation = g.h.dilation === 1 && g.w.dilation === 1;
  if (g.batch > 0 && g.outC <= FEW_OUT_CHANNELS && unitDilation && g.h.stride === 1 && g.w.stride === 1) {
    return shiftedDyMethod(heap, x, dy, g);
  }
  if (
    g.batch > 0 &&
    unitDilation &&
    (g.outC <= FEW_OUT_CHANNELS || (g.inC >= CONV_METHOD_MIN_CHANNELS && g.outC >= CONV_METHOD_MIN_CHANNELS))
  ) {
    return convMethod(heap, x, dy, g);
  }
  const { batch, inC, outC, h, w } = g;
  const kkc = h.kernel * w.kernel * inC;
  const perImage = h.outSize * w.outSize;
  const chunk = Math.max(1, Math.floor(MAX_COLUMN_FLOATS / (perImage * kkc)));
  let acc: tf.TensorInfo | null = null;
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    const rows = nb * perImage;
    const cols = heap.alloc([kkc, rows]);
    const dyChunk = nb === batch ? dy : heap.copyRange(dy, n0 * perImage * outC, [rows, outC]);
    im2colTransposed(heap.f32(x), heap.f32(cols), g, n0, nb);
    const part = heap.matMul(cols, dyChunk, kkc, rows, outC);
    heap.free(cols);
    if (dyChunk !== dy) heap.free(dyChunk);
    if (acc === null) {
      acc = part;
    } else {
      const a = heap.f32(acc);
      const p = heap.f32(part);
      for (let k = 0; k < a.length; k++) a[k] += p[k];
      heap.free(part);
    }
  }
  if (acc === null) acc = heap.zeros([kkc, outC]); // batch 0
  return { ...acc, shape: [h.kernel, w.kernel, inC, outC] };
}
