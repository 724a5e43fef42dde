/**
 * Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions on the wasm backend (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015): each 2x2 output tile comes from a 4x4 input tile as `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`,
 * so the channel sums are 16 GEMMs `V[ξν] [tiles, inC] @ U[ξν] [inC, outC]` on the own GEMM (`gemm-relaxed.ts`): 16
 * multiply-adds per tile and channel pair instead of 36, 2.25x fewer, plus O(elements) transforms in JS.
 *
 * Not on the kernels' path: measured on the DCGAN's one qualifying layer (D's Conv(128, 256, 3, 1, 1) at 4x4, its
 * forward and input gradient; G's 3x3 conv has one output channel), the JS transforms cost more than the 2.25x fewer
 * multiply-adds save (38 vs 31 ms per call for the direct GEMM conv, see docs/performance.md); kept, tested and in
 * bench/gemm.ts for transforms in SIMD later.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import type { Gemm, GemmThreads } from './gemm-relaxed';
import type { WasmHeap } from './internals';

/** Whether `info` is a convolution this file computes: 3x3, stride 1, dilation 1. */
export function isWinogradConv(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

/** `U[ξν][c][o] = (G g Gᵀ)[ξ][ν]` for filter `g = w[:, :, c, o]` (HWIO). */
function transformFilter(w: Float32Array, inC: number, outC: number, u: Float32Array): void {
  const plane = inC * outC;
  const t = new Float64Array(12);
  for (let c = 0; c < inC; c++) {
    for (let o = 0; o < outC; o++) {
      // t = G g: rows (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2), per column kw.
      for (let kw = 0; kw < 3; kw++) {
        const g0 = w[(kw * inC + c) * outC + o];
        const g1 = w[((3 + kw) * inC + c) * outC + o];
        const g2 = w[((6 + kw) * inC + c) * outC + o];
        t[kw] = g0;
        t[3 + kw] = 0.5 * (g0 + g1 + g2);
        t[6 + kw] = 0.5 * (g0 - g1 + g2);
        t[9 + kw] = g2;
      }
      const dst = c * outC + o;
      for (let r = 0; r < 4; r++) {
        const g0 = t[3 * r];
        const g1 = t[3 * r + 1];
        const g2 = t[3 * r + 2];
        u[4 * r * plane + dst] = g0;
        u[(4 * r + 1) * plane + dst] = 0.5 * (g0 + g1 + g2);
        u[(4 * r + 2) * plane + dst] = 0.5 * (g0 - g1 + g2);
        u[(4 * r + 3) * plane + dst] = g2;
      }
    }
  }
}

/**
 * The convolution of NHWC `x` with the 3x3 HWIO `filter` at stride 1 (padding in `info`), by F(2x2, 3x3) on `gemm`.
 * Returns a new `[batch, outH, outW, outC]` tensor.
 */
export function winogradConv2D(
  heap: WasmHeap,
  gemm: Gemm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  threads: GemmThreads | null = null,
): tf.TensorInfo {
  const { batchSize: batch, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow } = info;
  const O = info.outChannels;
  const { top, left } = info.padInfo;
  const th = Math.ceil(oh / 2);
  const tw = Math.ceil(ow / 2);
  const tiles = batch * th * tw;
  const y = heap.alloc([batch, oh, ow, O]);
  if (tiles === 0 || O === 0) return y;
  const v = heap.alloc([16, tiles, C]);
  const m = heap.alloc([16, tiles, O]);
  const u = new Float32Array(16 * C * O);
  transformFilter(heap.f32(filter), C, O, u);
  const packed = heap.alloc([16 * gemm.packedSize(C, O)]);
  const uT = heap.upload(u, [16, C, O]);
  const ind = heap.alloc([tiles]);
  const scratch = O % gemm.nr === 0 ? null : heap.alloc([tiles * gemm.nr]);
  const mem = heap.memory()!;
  const f32 = new Float32Array(mem.buffer);
  const xs = heap.ptr(x) / 4;
  const vs = heap.ptr(v) / 4;
  // V[ξν][tile][c] = (Bᵀ d B)[ξ][ν], d the 4x4 input tile at (2i - top, 2j - left), zero outside x.
  const plane = tiles * C;
  const d = new Float32Array(16);
  let tile = 0;
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < th; i++) {
      for (let j = 0; j < tw; j++, tile++) {
        const y0 = 2 * i - top;
        const x0 = 2 * j - left;
        const inside = y0 >= 0 && x0 >= 0 && y0 + 4 <= H && x0 + 4 <= W;
        for (let c = 0; c < C; c++) {
          for (let r = 0; r < 4; r++) {
            const yy = y0 + r;
            for (let s = 0; s < 4; s++) {
              const xx = x0 + s;
              d[4 * r + s] =
                inside || (yy >= 0 && yy < H && xx >= 0 && xx < W) ? f32[xs + ((n * H + yy) * W + xx) * C + c] : 0;
            }
          }
          // Rows: Bᵀ d.
          for (let s = 0; s < 4; s++) {
            const d0 = d[s];
            const d1 = d[4 + s];
            const d2 = d[8 + s];
            const d3 = d[12 + s];
            d[s] = d0 - d2;
            d[4 + s] = d1 + d2;
            d[8 + s] = d2 - d1;
            d[12 + s] = d1 - d3;
          }
          // Columns: (Bᵀ d) B.
          const at = vs + tile * C + c;
          for (let r = 0; r < 4; r++) {
            const d0 = d[4 * r];
            const d1 = d[4 * r + 1];
            const d2 = d[4 * r + 2];
            const d3 = d[4 * r + 3];
            f32[at + 4 * r * plane] = d0 - d2;
            f32[at + (4 * r + 1) * plane] = d1 + d2;
            f32[at + (4 * r + 2) * plane] = d2 - d1;
            f32[at + (4 * r + 3) * plane] = d1 - d3;
          }
        }
      }
    }
  }
  // M[ξν] = V[ξν] @ U[ξν]: 16 GEMMs through one row table (rows of V[0]; the others are `plane` floats further).
  const packedSize = gemm.packedSize(C, O);
  const us = heap.ptr(uT) / 4;
  const ps = heap.ptr(packed) / 4;
  for (let k = 0; k < 16; k++) gemm.packB(f32, us + k * C * O, ps + k * packedSize, C, O);
  const rows = new Int32Array(mem.buffer, heap.ptr(ind), tiles);
  const scratchPtr = scratch ? heap.ptr(scratch) : 0;
  for (let k = 0; k < 16; k++) {
    const base = heap.ptr(v) + 4 * k * plane;
    for (let t = 0; t < tiles; t++) rows[t] = base + 4 * C * t;
    const out = heap.ptr(m) + 4 * k * tiles * O;
    gemm.run(
      mem,
      heap.ptr(ind),
      tiles,
      1,
      C,
      heap.ptr(packed) + 4 * k * packedSize,
      O,
      out,
      false,
      scratchPtr,
      threads,
    );
  }
  // Y = Aᵀ M A per tile, Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]]; only the outputs inside y.
  const ms = heap.ptr(m) / 4;
  const ys = heap.ptr(y) / 4;
  const mPlane = tiles * O;
  tile = 0;
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < th; i++) {
      for (let j = 0; j < tw; j++, tile++) {
        const rowsOut = Math.min(2, oh - 2 * i);
        const colsOut = Math.min(2, ow - 2 * j);
        const src = ms + tile * O;
        const dst = ys + ((n * oh + 2 * i) * ow + 2 * j) * O;
        for (let o = 0; o < O; o++) {
          const p = src + o;
          // t = Aᵀ M (2 x 4), then t A (2 x 2).
          const t00 = f32[p] + f32[p + 4 * mPlane] + f32[p + 8 * mPlane];
          const t01 = f32[p + mPlane] + f32[p + 5 * mPlane] + f32[p + 9 * mPlane];
          const t02 = f32[p + 2 * mPlane] + f32[p + 6 * mPlane] + f32[p + 10 * mPlane];
          const t03 = f32[p + 3 * mPlane] + f32[p + 7 * mPlane] + f32[p + 11 * mPlane];
          f32[dst + o] = t00 + t01 + t02;
          if (colsOut > 1) f32[dst + O + o] = t01 - t02 - t03;
          if (rowsOut > 1) {
            const t10 = f32[p + 4 * mPlane] - f32[p + 8 * mPlane] - f32[p + 12 * mPlane];
            const t11 = f32[p + 5 * mPlane] - f32[p + 9 * mPlane] - f32[p + 13 * mPlane];
            const t12 = f32[p + 6 * mPlane] - f32[p + 10 * mPlane] - f32[p + 14 * mPlane];
            const t13 = f32[p + 7 * mPlane] - f32[p + 11 * mPlane] - f32[p + 15 * mPlane];
            f32[dst + ow * O + o] = t10 + t11 + t12;
            if (colsOut > 1) f32[dst + (ow + 1) * O + o] = t11 - t12 - t13;
          }
        }
      }
    }
  }
  for (const t of [v, m, packed, uT, ind]) heap.free(t);
  if (scratch) heap.free(scratch);
  return y;
}
