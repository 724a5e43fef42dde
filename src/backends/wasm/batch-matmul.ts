/**
 * `BatchMatMul` for the wasm backend on the library's own GEMM (`gemm-relaxed.ts`), for every float32 product whose
 * batch dimensions are equal or absent on one side:
 * - transposed operands are read as they are (B packed from its transpose, A transposed once in SIMD blocks), where
 *   the stock kernel runs XNNPACK only for untransposed single matrices and a reference loop (~1 GFLOP/s) otherwise;
 * - small products run on this thread alone: XNNPACK's thread pool wakes and waits for its workers on every call, which
 *   made many small products (an LSTM cell unrolled in a loop) ~2x slower with the two threads `initBackend()` starts
 *   than with one; large ones (over {@link THREADED_MIN_FLOPS}) use the GEMM's helper threads where they exist.
 * Other cases (integer data, broadcasting between two batch shapes) and `TFJS_TORCH_WASM_GEMM=off` go to the stock
 * kernel (a single product with a transposed operand: transposed first, so that it stays on XNNPACK). Each output
 * element is a float32 sum in `k` order (mul then add), as the cpu backend's.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../../errors';
import type { Gemm, GemmThreads } from './gemm-relaxed';
import { ownGemm } from './gemm-policy';
import { WasmHeap, memoryViews, runStockKernel } from './internals';
import { simdOps } from './simd';
import { transposeMatrices } from './transpose';

const KERNEL = 'BatchMatMul';

/** Multiply-adds (times 2) from which a product runs on the GEMM's helper threads, when there are any. */
export const THREADED_MIN_FLOPS = 16e6;

interface BatchMatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
  backend: unknown;
}

const product = (dims: number[]) => dims.reduce((x, y) => x * y, 1);

/**
 * Which matrix of a `lead`-batched operand output batch `i` reads: all of them (`'each'`), always the one (`'one'`),
 * or `null` when the operand's batch shape broadcasts otherwise (left to the stock kernel).
 */
function batchUse(lead: number[], outLead: number[]): 'each' | 'one' | null {
  if (product(lead) === 1) return 'one';
  const padded = [...Array(outLead.length - lead.length).fill(1), ...lead];
  return padded.every((d, i) => d === outLead[i]) ? 'each' : null;
}

/** A packed B kept between products: its tensor's data, the packing's parameters and the raw memory holding it. */
interface PackedB {
  dataId: object;
  heap: WasmHeap;
  gemm: Gemm;
  k: number;
  n: number;
  transposed: boolean;
  ptr: number;
}

/**
 * The packed copies of the B operands that come back: a weight is multiplied at every time step of a recurrence, by
 * the forward and the backward products, until the optimizer replaces it (which gives it new data). An operand is
 * kept from its second product on (activations, each multiplied once, do not push the weights out), in raw heap
 * memory rather than tensors (the backend's tensor count stays the user's); the least recently used goes first.
 * tfjs tensors never change their data, so a tensor's data identifies its values.
 */
class PackCache {
  private readonly kept: PackedB[] = [];
  private readonly seen: object[] = [];
  private static readonly KEPT = 12;
  private static readonly SEEN = 32;

  /** The byte offset of `b`'s packed copy, packing it now if it has come before; `null` for a first sighting. */
  lookup(heap: WasmHeap, gemm: Gemm, b: tf.TensorInfo, k: number, n: number, transposed: boolean): number | null {
    const i = this.kept.findIndex(
      (e) =>
        e.dataId === b.dataId &&
        e.heap.sameBackend(heap) &&
        e.gemm === gemm &&
        e.k === k &&
        e.n === n &&
        e.transposed === transposed,
    );
    if (i >= 0) {
      const [e] = this.kept.splice(i, 1);
      this.kept.unshift(e);
      return e.ptr;
    }
    if (!this.seen.includes(b.dataId)) {
      this.seen.unshift(b.dataId);
      if (this.seen.length > PackCache.SEEN) this.seen.pop();
      return null;
    }
    const ptr = heap.mallocBytes(4 * gemm.packedSize(k, n));
    packInto(gemm, heap, heap.ptr(b), ptr, k, n, transposed);
    this.kept.unshift({ dataId: b.dataId, heap, gemm, k, n, transposed, ptr });
    if (this.kept.length > PackCache.KEPT) {
      const old = this.kept.pop()!;
      old.heap.freeBytes(old.ptr);
    }
    return ptr;
  }
}

const packCache = new PackCache();

/** The largest packed B the cache keeps (1 MB). */
const PACK_CACHE_MAX_FLOATS = 1 << 18;

/** Packs B (`transposed`: given as `Bᵀ [n, k]`) from byte offset `bPtr` into the GEMM's layout at byte offset `dst`. */
function packInto(gemm: Gemm, heap: WasmHeap, bPtr: number, dst: number, k: number, n: number, transposed: boolean) {
  const { f32 } = memoryViews(heap.memory()!);
  if (transposed) gemm.packBT(f32, bPtr / 4, dst / 4, k, n);
  else gemm.packB(f32, bPtr / 4, dst / 4, k, n);
}

/**
 * Products `A · B` on the wasm heap with one `B [k, n]` packed for the GEMM once (a recurrence's hidden weights,
 * used at every step): A is given by a byte pointer to `m` rows of `k` floats, C written row-major at a pointer.
 * It allocates everything it needs when made, so that `run` never grows the memory; `free` releases it.
 */
export class HeapMatMul {
  /** One heap block: the packed B (unless kept by the pack cache), then the row table (`maxRows` words), then the last panel's scratch. */
  private readonly block: tf.TensorInfo;
  private readonly packedFloats: number;

  private constructor(
    private readonly heap: WasmHeap,
    private readonly gemm: Gemm,
    private readonly threads: GemmThreads | null,
    private readonly k: number,
    private readonly n: number,
    private readonly maxRows: number,
    /** The pack cache's copy of B, or `null`: B packed into the block. */
    private readonly keptB: number | null,
  ) {
    this.packedFloats = keptB === null ? gemm.packedSize(k, n) : 0;
    const scratch = n % gemm.nr === 0 ? 0 : maxRows * gemm.nr;
    this.block = heap.alloc([this.packedFloats + Math.max(maxRows, 1) + scratch]);
  }

  /** Byte offsets of the packed B, the row table and the scratch. */
  private pointers(): [number, number, number] {
    const base = this.heap.ptr(this.block);
    const ind = base + 4 * this.packedFloats;
    return [this.keptB ?? base, ind, ind + 4 * Math.max(this.maxRows, 1)];
  }

  /**
   * A product with `b` packed (`transposed`: `b` holds `Bᵀ [n, k]`), for `A` of up to `maxRows` rows; `null` where the
   * library's GEMM is off or unavailable (the caller then uses `heap.matMul`). With `reuse`, a `b` that comes back
   * (a weight) is packed once for all its products (see `PackCache`); without, it is packed for this product alone
   * (and {@link pack} may replace it).
   */
  static create(
    heap: WasmHeap,
    backend: unknown,
    b: tf.TensorInfo,
    k: number,
    n: number,
    transposed: boolean,
    maxRows: number,
    reuse = false,
  ): HeapMatMul | null {
    const own = ownGemm(heap.memory(), backend, 2 * maxRows * k * n >= THREADED_MIN_FLOPS);
    if (!own) return null;
    // The cache may grow the memory: before this product's own allocations. Small weights only: packing matters
    // where products are small, and the cache holds at most `KEPT` × 1 MB.
    const small = own.gemm.packedSize(k, n) <= PACK_CACHE_MAX_FLOATS;
    const kept = reuse && small ? packCache.lookup(heap, own.gemm, b, k, n, transposed) : null;
    if (kept !== null) return new HeapMatMul(heap, own.gemm, own.threads, k, n, maxRows, kept);
    return HeapMatMul.withGemm(heap, own.gemm, own.threads, b, k, n, transposed, maxRows);
  }

  /** As {@link HeapMatMul.create}, on a given GEMM build and helper threads (tests and benches compare builds). */
  static withGemm(
    heap: WasmHeap,
    gemm: Gemm,
    threads: GemmThreads | null,
    b: tf.TensorInfo,
    k: number,
    n: number,
    transposed: boolean,
    maxRows: number,
  ): HeapMatMul {
    const mm = new HeapMatMul(heap, gemm, threads, k, n, maxRows, null);
    mm.pack(heap.ptr(b), transposed);
    return mm;
  }

  /** Packs another `B` (same shape) from byte offset `bPtr` (not for a B the pack cache keeps). */
  pack(bPtr: number, transposed: boolean): void {
    if (this.keptB !== null) throw new BackendError("HeapMatMul: B is the pack cache's, not to be replaced");
    packInto(this.gemm, this.heap, bPtr, this.pointers()[0], this.k, this.n, transposed);
  }

  /**
   * `C [m, n] = A · B` (`accumulate`: `C += A · B`) for `m <= maxRows` rows of A at byte offset `aPtr`, C at byte
   * offset `cPtr`.
   */
  run(aPtr: number, m: number, cPtr: number, accumulate = false): void {
    if (m > this.maxRows) throw new BackendError(`HeapMatMul: ${m} rows, made for at most ${this.maxRows}`);
    if (m === 0) return;
    const mem = this.heap.memory()!;
    const [packed, indPtr, scratch] = this.pointers();
    const { i32 } = memoryViews(mem);
    for (let r = 0, at = indPtr / 4; r < m; r++) i32[at + r] = aPtr + 4 * this.k * r;
    this.gemm.run(mem, indPtr, m, 1, this.k, packed, this.n, cPtr, accumulate, scratch, this.threads);
  }

  /** Releases the tables (and the packed B, unless the pack cache keeps it). */
  free(): void {
    this.heap.free(this.block);
  }
}

/**
 * `a @ b` for row-major `a: [m, k]`, `b: [k, n]` float32 tensors on the wasm heap, into a new `[m, n]` tensor (or
 * accumulated into `out`), with a given GEMM build and helper threads (tests and benches compare builds).
 */
export function gemmMatMul(
  heap: WasmHeap,
  gemm: Gemm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  m: number,
  k: number,
  n: number,
  out?: tf.TensorInfo,
  threads: GemmThreads | null = null,
): tf.TensorInfo {
  const c = out ?? heap.alloc([m, n]);
  if (m > 0 && n > 0 && k > 0) {
    const mm = HeapMatMul.withGemm(heap, gemm, threads, b, k, n, false, m);
    mm.run(heap.ptr(a), m, heap.ptr(c), out !== undefined);
    mm.free();
  } else if (out === undefined) {
    heap.f32(c).fill(0);
  }
  return c;
}

/**
 * The stock kernel on untransposed operands (its XNNPACK path) for one product with a transposed operand, the
 * transposes made by the backend's `Transpose`; other cases as they come.
 */
function stockUntransposed(
  heap: WasmHeap,
  args: BatchMatMulArgs,
  outLead: number[],
  m: number,
  k: number,
  n: number,
): tf.TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  if (product(outLead) !== 1 || (!transposeA && !transposeB)) return runStockKernel(KERNEL, args);
  const plain = (t: tf.TensorInfo, transposed: boolean, rows: number, cols: number) =>
    transposed ? heap.run('Transpose', { x: { ...t, shape: [cols, rows] } }, { perm: [1, 0] }) : t;
  const a2 = plain(a, transposeA, m, k);
  const b2 = plain(b, transposeB, k, n);
  const out = runStockKernel(KERNEL, {
    ...args,
    inputs: { a: { ...a2, shape: [1, m, k] }, b: { ...b2, shape: [1, k, n] } },
    attrs: { transposeA: false, transposeB: false },
  });
  if (a2 !== a) heap.free(a2);
  if (b2 !== b) heap.free(b2);
  return { ...out, shape: [...outLead, m, n] };
}

/** The kernel function: tfjs's `BatchMatMul` inputs `{a, b}` and attrs `{transposeA, transposeB}`. */
export function batchMatMulWasm(args: BatchMatMulArgs): tf.TensorInfo {
  const {
    inputs: { a, b },
    attrs: { transposeA, transposeB },
    backend,
  } = args;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return runStockKernel(KERNEL, args);
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [k2, n] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  const leadA = a.shape.slice(0, -2);
  const leadB = b.shape.slice(0, -2);
  const outLead = tf.backend_util.assertAndGetBroadcastShape(leadA, leadB);
  const useA = batchUse(leadA, outLead);
  const useB = batchUse(leadB, outLead);
  const batch = product(outLead);
  const heap = new WasmHeap(backend, KERNEL);
  const ops = simdOps(heap.memory());
  if (k !== k2 || !useA || !useB || !ops) return runStockKernel(KERNEL, args);
  if (batch * m * n === 0 || k === 0) {
    // An empty sum is 0 (the stock kernel leaves the output uninitialised for k = 0).
    const out = heap.alloc([...outLead, m, n]);
    heap.f32(out).fill(0);
    return out;
  }
  // One B for every batch and A untransposed: the batches' rows are one matrix.
  const merged = useB === 'one' && !transposeA && useA === 'each';
  const rows = merged ? batch * m : m;
  // A B shared by every batch may be a weight: packed once for all its products.
  const mm = HeapMatMul.create(heap, backend, b, k, n, transposeB, rows, useB === 'one');
  if (!mm) return stockUntransposed(heap, args, outLead, m, k, n);
  const out = heap.alloc([...outLead, m, n]);
  const aT = transposeA ? heap.alloc([m, k]) : null;
  const [aPtr, bPtr, cPtr] = [a, b, out].map((t) => heap.ptr(t));
  for (let g = 0; g < (merged ? 1 : batch); g++) {
    if (useB === 'each' && g > 0) mm.pack(bPtr + 4 * g * k * n, transposeB);
    let rowsPtr = aPtr + 4 * (useA === 'each' ? g : 0) * m * k;
    if (aT) {
      const tPtr = heap.ptr(aT);
      const { f32 } = memoryViews(heap.memory()!);
      transposeMatrices(f32.subarray(rowsPtr / 4), f32.subarray(tPtr / 4), rowsPtr, tPtr, 1, k, m, ops);
      rowsPtr = tPtr;
    }
    mm.run(rowsPtr, rows, cPtr + 4 * g * m * n);
  }
  mm.free();
  if (aT) heap.free(aT);
  return out;
}
