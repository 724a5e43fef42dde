/**
 * `Transpose` for the wasm backend: permutations that swap two groups of trailing axes (NCHW <-> NHWC, a matrix
 * transpose) are batched matrix transposes, done in 4x4 SIMD blocks (./simd.ts) at about twice the stock kernel's
 * speed; other permutations, and other dtypes, go to the stock kernel.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { WasmHeap, runStockKernel } from './internals';
import { simdOps } from './simd';

const KERNEL = 'Transpose';

/**
 * `[batch, rows, cols]` when `perm` keeps its first axes and swaps the next group of axes with the last group
 * (`[0, 2, 3, 1]`: 1 kept, rows = C, cols = H*W), else `null`.
 */
export function batchedMatrixTranspose(shape: number[], perm: number[]): [number, number, number] | null {
  const r = perm.length;
  if (shape.length !== r) return null;
  let p = 0;
  while (p < r && perm[p] === p) p++;
  if (p >= r - 1) return null;
  const q = perm[p] - p; // axes p .. p+q-1 move to the end
  if (q < 1 || q >= r - p) return null;
  for (let k = 0; k < r - p - q; k++) if (perm[p + k] !== p + q + k) return null;
  for (let k = 0; k < q; k++) if (perm[r - q + k] !== p + k) return null;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return [prod(0, p), prod(p, p + q), prod(p + q, r)];
}

/** The kernel function: tfjs's `Transpose` inputs `{x}` and attrs `{perm}`. */
export function transposeWasm(args: {
  inputs: { x: tf.TensorInfo };
  attrs: { perm: number[] };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { x },
    attrs: { perm },
    backend,
  } = args;
  const split = x.dtype === 'float32' ? batchedMatrixTranspose(x.shape, perm) : null;
  const heap = split ? new WasmHeap(backend, KERNEL) : null;
  const ops = heap ? simdOps(heap.memory()) : null;
  if (!split || !heap || !ops) return runStockKernel(KERNEL, args);
  const [batch, rows, cols] = split;
  const out = heap.alloc(perm.map((a) => x.shape[a]));
  transposeMatrices(heap.f32(x), heap.f32(out), heap.ptr(x), heap.ptr(out), batch, rows, cols, ops);
  return out;
}

/**
 * Transposes `batch` row-major `[rows, cols]` float32 matrices at byte offset `srcPtr` into `[cols, rows]` ones at
 * `dstPtr` (not overlapping), the 4x4 blocks with `ops` and the edges in JavaScript. `src` and `dst` are float32
 * views of the same memory starting at those offsets' tensors (or the whole memory, with the pointers 0-based).
 */
export function transposeMatrices(
  src: Float32Array,
  dst: Float32Array,
  srcPtr: number,
  dstPtr: number,
  batch: number,
  rows: number,
  cols: number,
  ops: NonNullable<ReturnType<typeof simdOps>>,
): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    if (rows4 > 0 && cols4 > 0) ops.transposeBlocks(srcPtr + 4 * base, dstPtr + 4 * base, rows, cols, rows4, cols4);
    // The edges outside the 4x4 blocks: rows from rows4 (every column), then columns from cols4 (the other rows).
    for (let i = rows4; i < rows; i++)
      for (let j = 0; j < cols; j++) dst[base + j * rows + i] = src[base + i * cols + j];
    for (let i = 0; i < rows4; i++)
      for (let j = cols4; j < cols; j++) dst[base + j * rows + i] = src[base + i * cols + j];
  }
}
