/**
 * `Conv2D` for the wasm backend: the stock XNNPACK convolution, except for convolutions to 1-2 output channels
 * (a DCGAN generator's last layer), which XNNPACK runs at ~4 GFLOP/s: those are one GEMM to every tap's partial
 * output, `Y[pixel, (tap, o)] = x[pixel, :] @ W[:, (tap, o)]`, then a shift-and-add of the taps.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { MAX_COLUMN_FLOATS } from './conv-backprop-input';
import { gemmConv2D } from './gemm-relaxed';
import { ownGemm } from './gemm-policy';
import { WasmHeap, runStockKernel } from './internals';

const KERNEL = 'Conv2D';

/** Output channels up to which the GEMM method replaces XNNPACK's convolution. */
const FEW_OUT_CHANNELS = 2;
/** Largest `taps * outC` (GEMM columns) for the GEMM method; wider ones would waste memory on partial outputs. */
const MAX_GEMM_COLUMNS = 32;
/**
 * Smallest depth `taps * inC` and output channels for which our own GEMM (`gemm-relaxed.ts`) replaces XNNPACK's
 * convolution where {@link ownGemm} allows it: measured faster on the DCGAN's convs, slower at depth 16.
 */
const OWN_GEMM_MIN_DEPTH = 64;
const OWN_GEMM_MIN_OUT_CHANNELS = 8;

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Conv2DArgs = { inputs: { x: tf.TensorInfo; filter: tf.TensorInfo }; attrs: Conv2DAttrs; backend: unknown };

/** The kernel function: tfjs's `Conv2D` inputs and attrs. */
export function conv2DWasm(args: Conv2DArgs): tf.TensorInfo {
  const {
    inputs: { x, filter },
    attrs,
  } = args;
  if (
    (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4
  ) {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const taps = info.filterHeight * info.filterWidth;
    if (
      info.outChannels <= FEW_OUT_CHANNELS &&
      taps * info.outChannels <= MAX_GEMM_COLUMNS &&
      info.strideHeight === 1 &&
      info.strideWidth === 1 &&
      info.dilationHeight === 1 &&
      info.dilationWidth === 1 &&
      info.batchSize > 0 &&
      info.outHeight > 0 &&
      info.outWidth > 0 &&
      info.inChannels === filter.shape[2]
    ) {
      return gemmShiftAdd(new WasmHeap(args.backend, KERNEL), x, filter, info);
    }
    if (
      taps * info.inChannels >= OWN_GEMM_MIN_DEPTH &&
      info.outChannels >= OWN_GEMM_MIN_OUT_CHANNELS &&
      info.inChannels === filter.shape[2]
    ) {
      const heap = new WasmHeap(args.backend, KERNEL);
      const own = ownGemm(heap.memory(), args.backend, true);
      if (own) return gemmConv2D(heap, own.gemm, x, filter, info, own.threads);
    }
  }
  return runStockKernel(KERNEL, args);
}

function gemmShiftAdd(
  heap: WasmHeap,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const {
    batchSize: batch,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: oh,
    outWidth: ow,
    outChannels: O,
  } = info;
  const kH = info.filterHeight;
  const kW = info.filterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const cols = kH * kW * O;
  // W[c, (tap, o)] from HWIO filter[(tap, c), o].
  const f = heap.f32(filter);
  const wm = new Float32Array(C * cols);
  for (let t = 0; t < kH * kW; t++) {
    for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) wm[c * cols + t * O + o] = f[(t * C + c) * O + o];
  }
  const wT = heap.upload(wm, [C, cols]);
  const y = heap.zeros([batch, oh, ow, O]);
  const perImage = H * W;
  const chunk = Math.max(1, Math.floor(MAX_COLUMN_FLOATS / (perImage * Math.max(cols, C))));
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    const rows = nb * perImage;
    const xChunk = nb === batch ? x : heap.copyRange(x, n0 * perImage * C, [rows, C]);
    const part = heap.matMul(xChunk, wT, rows, C, cols);
    if (xChunk !== x) heap.free(xChunk);
    const p = heap.f32(part);
    const out = heap.f32(y);
    // y[n, i, j, o] += part[(n, i - top + kh, j - left + kw), (kh, kw, o)] for every tap inside x.
    for (let kh = 0; kh < kH; kh++) {
      const i0 = Math.max(top - kh, 0);
      const i1 = Math.min(H + top - kh, oh);
      for (let kw = 0; kw < kW; kw++) {
        const j0 = Math.max(left - kw, 0);
        const j1 = Math.min(W + left - kw, ow);
        const tapCol = (kh * kW + kw) * O;
        for (let n = 0; n < nb; n++) {
          for (let i = i0; i < i1; i++) {
            let src = ((n * H + i - top + kh) * W + (j0 - left + kw)) * cols + tapCol;
            let dst = (((n0 + n) * oh + i) * ow + j0) * O;
            for (let j = j0; j < j1; j++, src += cols, dst += O) {
              for (let o = 0; o < O; o++) out[dst + o] += p[src + o];
            }
          }
        }
      }
    }
    heap.free(part);
  }
  heap.free(wT);
  return y;
}
