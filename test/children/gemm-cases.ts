// The GEMM and GEMM-convolution cases of test/gemm-relaxed.test.ts, shared with its child process (which runs them
// under `--experimental-wasm-relaxed-simd`). Each case runs one build of the hand-assembled GEMM on the wasm backend
// and the same product on the cpu backend, and reports the largest difference relative to the largest |product|.
import * as tf from '@tensorflow/tfjs-core';

import { Gemm, type GemmTile, gemmConv2D } from '../../src/backends/wasm/gemm-relaxed';
import { gemmMatMul } from '../../src/backends/wasm/batch-matmul';
import { WasmHeap } from '../../src/backends/wasm/internals';
import { winogradConv2D } from '../../src/backends/wasm/winograd';

/** One case's outcome: the build, the configuration and the relative difference from the cpu backend. */
export interface CaseResult {
  name: string;
  diff: number;
  size: number;
}

/** Deterministic values in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function relDiff(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (x.length !== ref.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    const d = Math.abs(x[i] - ref[i]);
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  }
  return diff / (scale || 1);
}

// [m, k, n]: below one tile, odd, exactly one tile, several panels with a partial one, deep (K chunks).
const MATMULS: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [17, 33, 9],
  [37, 70, 24],
  [130, 600, 20],
  [9, 1100, 16],
];

// x [n, h, w, c], filter [kh, kw, c, o], stride, pad, dilation.
const CONVS: { x: number[]; f: number[]; s: number | [number, number]; p: 'same' | 'valid' | number; d: number }[] = [
  { x: [2, 7, 7, 5], f: [3, 3, 5, 6], s: 1, p: 1, d: 1 },
  { x: [1, 9, 8, 3], f: [4, 4, 3, 9], s: 2, p: 1, d: 1 },
  { x: [3, 6, 5, 16], f: [2, 3, 16, 8], s: [1, 2], p: 'same', d: 1 },
  { x: [2, 10, 10, 4], f: [3, 3, 4, 12], s: 1, p: 2, d: 2 },
  { x: [1, 5, 5, 40], f: [1, 1, 40, 13], s: 1, p: 'valid', d: 1 },
  { x: [2, 4, 4, 70], f: [3, 3, 70, 8], s: 1, p: 1, d: 1 },
];

// 3x3 stride-1 convolutions for Winograd F(2x2, 3x3): odd and even output sizes, padding 0-2, one channel.
const WINOGRAD: { x: number[]; o: number; p: 'same' | 'valid' | number }[] = [
  { x: [2, 4, 4, 8], o: 16, p: 1 },
  { x: [1, 7, 5, 3], o: 5, p: 1 },
  { x: [3, 6, 9, 1], o: 1, p: 'valid' },
  { x: [1, 5, 6, 17], o: 9, p: 2 },
  { x: [2, 3, 3, 40], o: 12, p: 'same' },
];

/** Small cache blocking, so that these small cases cross every chunk boundary. */
const TILES: { tile: GemmTile; blocking?: { mc: number; kc: number } }[] = [
  { tile: { mr: 4, nv: 2 } },
  { tile: { mr: 4, nv: 2 }, blocking: { mc: 8, kc: 16 } },
  { tile: { mr: 3, nv: 3 }, blocking: { mc: 9, kc: 64 } },
  { tile: { mr: 2, nv: 4 }, blocking: { mc: 6, kc: 33 } },
];

async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/**
 * Runs every case with the `fma` (relaxed SIMD) or plain build on the wasm backend and the same product on the cpu
 * backend, on `threads` threads (this one and helper threads, which need a threaded wasm backend and
 * `installGemmThreads`). Both backends must be registered; leaves the wasm backend active.
 */
export async function runGemmCases(fma: boolean, threads = 1): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let seed = 1;
  for (const { tile, blocking } of TILES) {
    const tileName = `${fma ? 'fma' : 'plain'} ${tile.mr}x${4 * tile.nv}${blocking ? ` blocking ${blocking.mc}x${blocking.kc}` : ''}${threads > 1 ? ` ${threads} threads` : ''}`;
    for (const [m, k, n] of MATMULS) {
      const a = values(m * k, seed++);
      const b = values(k * n, seed++);
      const ref = await on('cpu', () => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
      await tf.setBackend('wasm');
      const heap = new WasmHeap(tf.backend(), 'test');
      const gemm = new Gemm(heap.memory()!, tile, fma, blocking);
      const helpers = threads > 1 ? gemm.threads(heap.memory()!, threads) : null;
      if (threads > 1 && !helpers) throw new Error('no helper threads');
      const ta = tf.tensor2d(a, [m, k]);
      const tb = tf.tensor2d(b, [k, n]);
      const out = gemmMatMul(heap, gemm, ta, tb, m, k, n, undefined, helpers);
      results.push({ name: `${tileName} matMul ${m}x${k}x${n}`, diff: relDiff(heap.f32(out), ref), size: ref.length });
      // Accumulating into an existing C: C + A·B.
      const c0 = values(m * n, seed++);
      const acc = tf.tensor2d(c0, [m, n]);
      gemmMatMul(heap, gemm, ta, tb, m, k, n, acc, helpers);
      const sum = ref.map((v, i) => v + c0[i]);
      results.push({
        name: `${tileName} matMul += ${m}x${k}x${n}`,
        diff: relDiff(heap.f32(acc), sum),
        size: sum.length,
      });
      heap.free(out);
      tf.dispose([ta, tb, acc]);
    }
    for (const c of CONVS) {
      const x = values(
        c.x.reduce((p, q) => p * q),
        seed++,
      );
      const f = values(
        c.f.reduce((p, q) => p * q),
        seed++,
      );
      const x4 = c.x as [number, number, number, number];
      const f4 = c.f as [number, number, number, number];
      const ref = await on('cpu', () => tf.conv2d(tf.tensor4d(x, x4), tf.tensor4d(f, f4), c.s, c.p, 'NHWC', c.d));
      await tf.setBackend('wasm');
      const heap = new WasmHeap(tf.backend(), 'test');
      const gemm = new Gemm(heap.memory()!, tile, fma, blocking);
      const helpers = threads > 1 ? gemm.threads(heap.memory()!, threads) : null;
      const tx = tf.tensor4d(x, x4);
      const tw = tf.tensor4d(f, f4);
      const info = tf.backend_util.computeConv2DInfo(x4, f4, c.s, c.d, c.p, undefined, false, 'channelsLast');
      const out = gemmConv2D(heap, gemm, tx, tw, info, helpers);
      results.push({
        name: `${tileName} conv x=[${c.x}] w=[${c.f}] s=${c.s} p=${c.p} d=${c.d}`,
        diff: relDiff(heap.f32(out), ref),
        size: ref.length,
      });
      heap.free(out);
      tf.dispose([tx, tw]);
    }
    if (blocking) continue;
    for (const c of WINOGRAD) {
      const x4 = c.x as [number, number, number, number];
      const f4: [number, number, number, number] = [3, 3, c.x[3], c.o];
      const x = values(
        x4.reduce((p, q) => p * q),
        seed++,
      );
      const f = values(
        f4.reduce((p, q) => p * q),
        seed++,
      );
      const ref = await on('cpu', () => tf.conv2d(tf.tensor4d(x, x4), tf.tensor4d(f, f4), 1, c.p));
      await tf.setBackend('wasm');
      const heap = new WasmHeap(tf.backend(), 'test');
      const gemm = new Gemm(heap.memory()!, tile, fma);
      const helpers = threads > 1 ? gemm.threads(heap.memory()!, threads) : null;
      const tx = tf.tensor4d(x, x4);
      const tw = tf.tensor4d(f, f4);
      const info = tf.backend_util.computeConv2DInfo(x4, f4, 1, 1, c.p, undefined, false, 'channelsLast');
      const out = winogradConv2D(heap, gemm, tx, tw, info, helpers);
      results.push({
        name: `${tileName} winograd x=[${c.x}] o=${c.o} p=${c.p}`,
        diff: relDiff(heap.f32(out), ref),
        size: ref.length,
      });
      heap.free(out);
      tf.dispose([tx, tw]);
    }
  }
  return results;
}
