/**
 * A register-blocked float32 GEMM for the wasm backend's memory, assembled here (as `simd.ts`'s module is), in two
 * builds of the same code: WebAssembly relaxed SIMD's fused multiply-add (`f32x4.relaxed_madd`, where the runtime has
 * it: Node 22+, Chrome 114+, Node 20 with `--experimental-wasm-relaxed-simd`) and plain SIMD128 (`f32x4.mul` +
 * `f32x4.add`, the instructions XNNPACK's wasm build uses), so that the two compare like with like.
 *
 * `C[M, N] (+)= A · B` where row `m` of A is read through an indirection table: for tap `t` it is the `kc` floats at
 * `ind[t * M + m]` (a byte pointer), so the same kernel is a plain GEMM (one tap, row pointers) and a convolution
 * without im2col (one tap per filter position, pointers to input pixels or to a zero row), as XNNPACK's "igemm".
 * B is packed into panels of `nr` columns (`[panels, K, nr]`, zero-padded); the micro-kernel keeps an `mr x nr` block
 * of C in registers (`mr * nr / 4` vectors) and reads each A element once per panel as a broadcast.
 *
 * Measured (docs/performance.md, "Relaxed-SIMD GEMM"): ~50 GFLOP/s per thread in cache on Zen 4 for both builds (its
 * adds run on pipes of their own, so FMA saves nothing there), 1.2-1.3x XNNPACK's rate on the DCGAN's convolutions.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type Fn, type SimdOps, asm, assembleModule, simdOps } from './simd';
import { type WasmHeap, memoryViews } from './internals';

const { I32, V128, uleb, get, set, tee, i32c, simd, I32_ADD, ZERO } = asm;

/** Register blocking of the micro-kernel: `mr` rows of C by `4 * nv` columns. */
export interface GemmTile {
  mr: number;
  nv: number;
}

/** The tile used by default (measured best on x86-64 with V8's 15 allocatable vector registers; see bench/gemm.ts). */
export const DEFAULT_TILE: GemmTile = { mr: 4, nv: 2 };

const I32_SUB = [0x6b];
const I32_MUL = [0x6c];
const I32_EQZ = [0x45];
const I32_NE = [0x47];
const i32load = (offset: number) => [0x28, 2, ...uleb(offset)];
const vload = (offset: number) => simd(0x00, 0, ...uleb(offset));
const vstore = (offset: number) => simd(0x0b, 0, ...uleb(offset));
const loadSplat32 = (offset: number) => simd(0x09, 0, ...uleb(offset));
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
/** `f32x4.relaxed_madd(a, b, c) = a * b + c` (final relaxed-SIMD opcode 0x105; V8 11+ emits vfmadd with FMA3). */
const F32X4_RELAXED_MADD = simd(0x105);
const block = (body: number[]) => [0x02, 0x40, ...body, 0x0b];
const loop = (body: number[]) => [0x03, 0x40, ...body, 0x0b];
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];
const addTo = (local: number, amount: number[]) => [...get(local), ...amount, ...I32_ADD, ...set(local)];

/**
 * The micro-kernel for exactly `mr` rows per block, looping over `blocks` blocks and `panels` panels:
 * `k(ind, blocks, taps, kc, koff, bp, panels, panelStride, out, ldc, acc, tapStride)`, all byte offsets / counts.
 */
function kernel(mr: number, nv: number, fma: boolean): Fn {
  const nr = 4 * nv;
  // Parameters.
  const IND = 0;
  const BLOCKS = 1;
  const TAPS = 2;
  const KC = 3;
  const KOFF = 4;
  const BP = 5;
  const PANELS = 6;
  const PANEL_STRIDE = 7;
  const OUT = 8;
  const LDC = 9;
  const ACC = 10;
  const TAP_STRIDE = 11;
  // Locals.
  let next = 12;
  const local = () => next++;
  const indB = local(); // this block's first pointer (tap 0)
  const indT = local(); // this tap's pointers
  const o = local(); // this block's C row 0
  const blk = local();
  const t = local();
  const k = local();
  const b = local(); // packed B cursor
  const p = Array.from({ length: mr }, local); // A row cursors
  const i32Count = next - 12;
  const acc = Array.from({ length: mr * nv }, local);
  const bv = Array.from({ length: nv }, local);
  const a = local();
  const v128Count = next - 12 - i32Count;

  const step = () => {
    const code: number[] = [];
    for (let j = 0; j < nv; j++) code.push(...get(b), ...vload(16 * j), ...set(bv[j]));
    for (let r = 0; r < mr; r++) {
      code.push(...get(p[r]), ...loadSplat32(0), ...set(a));
      for (let j = 0; j < nv; j++) {
        const c = acc[r * nv + j];
        if (fma) code.push(...get(a), ...get(bv[j]), ...get(c), ...F32X4_RELAXED_MADD, ...set(c));
        else code.push(...get(a), ...get(bv[j]), ...F32X4_MUL, ...get(c), ...F32X4_ADD, ...set(c));
      }
    }
    return code;
  };
  const advance = () => {
    const code = addTo(b, i32c(nr * 4));
    for (let r = 0; r < mr; r++) code.push(...addTo(p[r], i32c(4)));
    code.push(...get(k), ...i32c(1), ...I32_SUB, ...set(k));
    return code;
  };
  const rowOffset = (r: number) => (r === 0 ? get(o) : [...get(o), ...get(LDC), ...i32c(r), ...I32_MUL, ...I32_ADD]);

  const init: number[] = [];
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nv; j++) {
      init.push(
        ...get(ACC),
        0x04,
        V128,
        ...rowOffset(r),
        ...vload(16 * j),
        0x05,
        ...ZERO,
        0x0b,
        ...set(acc[r * nv + j]),
      );
    }
  }
  const store: number[] = [];
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nv; j++) store.push(...rowOffset(r), ...get(acc[r * nv + j]), ...vstore(16 * j));
  }
  const loadPointers: number[] = [];
  for (let r = 0; r < mr; r++) {
    loadPointers.push(...get(indT), ...i32load(4 * r), ...get(KOFF), ...I32_ADD, ...set(p[r]));
  }
  const tapLoop = loop([
    ...loadPointers,
    ...addTo(indT, get(TAP_STRIDE)),
    ...get(KC),
    ...set(k),
    // One k per iteration: TurboFan hoists the loads of an unrolled body above its FMAs, and the extra live vectors
    // spill (x64 has 15 allocatable vector registers); 4x8 keeps 8 accumulators + 2 B + 4 A in registers.
    ...block(loop([...get(k), ...I32_EQZ, ...brIf(1), ...step(), ...advance(), ...br(0)])),
    ...get(t),
    ...i32c(1),
    ...I32_SUB,
    ...tee(t),
    ...i32c(0),
    ...I32_NE,
    ...brIf(0),
  ]);
  const blockLoop = loop([
    ...init,
    ...get(indB),
    ...set(indT),
    ...get(BP),
    ...set(b),
    ...get(TAPS),
    ...set(t),
    ...tapLoop,
    ...store,
    ...addTo(indB, i32c(4 * mr)),
    ...addTo(o, [...get(LDC), ...i32c(mr), ...I32_MUL]),
    ...get(blk),
    ...i32c(1),
    ...I32_SUB,
    ...tee(blk),
    ...i32c(0),
    ...I32_NE,
    ...brIf(0),
  ]);
  const panelLoop = loop([
    ...get(IND),
    ...set(indB),
    ...get(OUT),
    ...set(o),
    ...get(BLOCKS),
    ...set(blk),
    ...blockLoop,
    ...addTo(BP, get(PANEL_STRIDE)),
    ...addTo(OUT, i32c(nr * 4)),
    ...get(PANELS),
    ...i32c(1),
    ...I32_SUB,
    ...tee(PANELS),
    ...i32c(0),
    ...I32_NE,
    ...brIf(0),
  ]);
  return {
    name: `k${mr}`,
    params: new Array(12).fill(I32),
    results: [],
    locals: [...new Array(i32Count).fill(I32), ...new Array(v128Count).fill(V128)],
    body: panelLoop,
  };
}

/**
 * The module's bytes: kernels `k1` ... `k<mr>` of the tile, with relaxed-SIMD FMA (`fma`) or plain mul + add.
 * @param tile register blocking.
 * @param fma use `f32x4.relaxed_madd`.
 * @param shared import the memory as shared (the threaded backend's).
 */
export function gemmModuleBytes(tile: GemmTile, fma: boolean, shared: boolean): Uint8Array<ArrayBuffer> {
  return assembleModule(
    Array.from({ length: tile.mr }, (_, i) => kernel(i + 1, tile.nv, fma)),
    shared,
  );
}

let relaxedSupport: boolean | undefined;

/** Whether this runtime validates a module using `f32x4.relaxed_madd` (WebAssembly relaxed SIMD). */
export function hasRelaxedSimd(): boolean {
  if (relaxedSupport === undefined) {
    try {
      relaxedSupport = WebAssembly.validate(gemmModuleBytes({ mr: 1, nv: 1 }, true, false));
    } catch {
      relaxedSupport = false;
    }
  }
  return relaxedSupport;
}

type KernelFn = (
  ind: number,
  blocks: number,
  taps: number,
  kc: number,
  koff: number,
  bp: number,
  panels: number,
  panelStride: number,
  out: number,
  ldc: number,
  acc: number,
  tapStride: number,
) => void;

/** Cache blocking: rows of A per pass over the panels, and depth of one pass (floats). */
export interface GemmBlocking {
  mc: number;
  kc: number;
}

const DEFAULT_BLOCKING: GemmBlocking = { mc: 96, kc: 512 };

/**
 * One build of the GEMM bound to a wasm memory. Every pointer is a byte offset into that memory; the caller keeps the
 * buffers alive and passes the scratch space the methods ask for.
 */
export class Gemm {
  private readonly kernels: KernelFn[];
  /** The module's bytes (helper threads instantiate the same). */
  readonly bytes: Uint8Array<ArrayBuffer>;
  private helpers = new Map<number, GemmThreads | null>();
  /** The SIMD copies and transposes that pack B. */
  private readonly ops: SimdOps;
  /** Where {@link plan} writes (reused: a plan is consumed by `run` before the next is made). */
  private planBuffer = new Int32Array(256);

  constructor(
    memory: WebAssembly.Memory,
    /** Register blocking. */
    readonly tile: GemmTile,
    /** Whether this build uses relaxed SIMD's FMA. */
    readonly fma: boolean,
    /** Cache blocking. */
    readonly blocking: GemmBlocking = DEFAULT_BLOCKING,
  ) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.bytes = gemmModuleBytes(tile, fma, shared);
    const module = new WebAssembly.Module(this.bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    this.kernels = Array.from({ length: tile.mr }, (_, i) => exports[`k${i + 1}`] as KernelFn);
    const ops = simdOps(memory);
    if (!ops) throw new Error('WebAssembly SIMD is unavailable');
    this.ops = ops;
  }

  /**
   * `count - 1` helper threads for this build on `memory` (shared), made once by the factory that Node's entry sets;
   * `null` where there is none.
   */
  threads(memory: WebAssembly.Memory, count: number): GemmThreads | null {
    if (count < 2 || !threadsFactory) return null;
    if (!this.helpers.has(count)) {
      let t: GemmThreads | null = null;
      try {
        t = threadsFactory(this.bytes, memory, this.tile.mr, count - 1);
      } catch {
        t = null;
      }
      this.helpers.set(count, t);
    }
    return this.helpers.get(count)!;
  }

  /** Columns per panel. */
  get nr(): number {
    return 4 * this.tile.nv;
  }

  /** Floats of packed B for a `[k, n]` matrix. */
  packedSize(k: number, n: number): number {
    return Math.ceil(n / this.nr) * k * this.nr;
  }

  /**
   * Packs row-major `b [k, n]` (in `f32`, a view of the whole memory, at float index `src`) into panels at float
   * index `dst`: full panels as strided SIMD copies, a last partial one zero-padded in JavaScript.
   */
  packB(f32: Float32Array, src: number, dst: number, k: number, n: number): void {
    const nr = this.nr;
    const full = Math.floor(n / nr);
    for (let p = 0; p < full; p++) {
      this.ops.copyRows(4 * (src + p * nr), 4 * (dst + p * k * nr), k, nr, 4 * n, 4 * nr);
    }
    this.packTail(f32, dst + full * k * nr, k, n - full * nr, (i, j) => src + i * n + full * nr + j);
  }

  /**
   * Packs `b [k, n]` given transposed, as row-major `bT [n, k]` (in `f32`, a view of the whole memory, at float
   * index `src`), into panels at float index `dst`, as {@link packB} packs `b`: each full panel is the transpose of
   * `nr` rows of `bT` (SIMD 4x4 blocks, its last `k % 4` columns in JavaScript).
   */
  packBT(f32: Float32Array, src: number, dst: number, k: number, n: number): void {
    const nr = this.nr;
    const full = Math.floor(n / nr);
    const k4 = k & ~3;
    for (let p = 0; p < full; p++) {
      const s = src + p * nr * k;
      const d = dst + p * k * nr;
      if (k4 > 0) this.ops.transposeBlocks(4 * s, 4 * d, nr, k, nr, k4);
      for (let j = 0; j < nr; j++) for (let i = k4; i < k; i++) f32[d + i * nr + j] = f32[s + j * k + i];
    }
    this.packTail(f32, dst + full * k * nr, k, n - full * nr, (i, j) => src + (full * nr + j) * k + i);
  }

  /** Writes a last panel of `w < nr` columns (`at(i, j)`: float index of row `i`, column `j`), zero-padded. */
  private packTail(f32: Float32Array, d0: number, k: number, w: number, at: (i: number, j: number) => number): void {
    if (w === 0) return;
    const nr = this.nr;
    for (let i = 0, d = d0; i < k; i++, d += nr) {
      for (let j = 0; j < w; j++) f32[d + j] = f32[at(i, j)];
      for (let j = w; j < nr; j++) f32[d + j] = 0;
    }
  }

  /**
   * `C[m, n] (+)= A · B` with A's rows given by the indirection table `ind` (Int32, `[taps, m]`, byte pointers to
   * `kc` floats each; `K = taps * kc`) and B packed by {@link packB} at byte offset `bp`. `c` is row-major with `n`
   * columns; `scratch` is `m * nr` floats for a last partial panel (unused when `n` is a multiple of `nr`).
   * Row chunks run on this thread and on the {@link GemmThreads} helpers when given (shared memory).
   */
  run(
    mem: WebAssembly.Memory,
    ind: number,
    m: number,
    taps: number,
    kc: number,
    bp: number,
    n: number,
    c: number,
    accumulate: boolean,
    scratch: number,
    threads: GemmThreads | null = null,
  ): void {
    const nr = this.nr;
    const ldc = 4 * n;
    const tail = n % nr;
    if (tail > 0 && accumulate) copyColumns(mem, c, ldc, n - tail, scratch, 4 * nr, m, tail);
    const plan = this.plan(ind, m, taps, kc, bp, n, c, accumulate, scratch);
    const shared = threads && plan.tasks > 1 ? threads.start(plan) : null;
    if (shared) {
      runTasks(shared.calls, this.kernels, shared.counter);
      threads!.wait();
    } else {
      runTasks(plan.calls, this.kernels);
    }
    if (tail > 0) copyColumns(mem, scratch, 4 * nr, 0, c + 4 * (n - tail), ldc, m, tail);
  }

  /**
   * The kernel calls of {@link run}, one task per chunk of `mc` rows (its depth chunks in order, so tasks are
   * independent): an Int32 array laid out for {@link runTasks}.
   */
  private plan(
    ind: number,
    m: number,
    taps: number,
    kc: number,
    bp: number,
    n: number,
    c: number,
    accumulate: boolean,
    scratch: number,
  ): { calls: Int32Array; tasks: number } {
    const { mr } = this.tile;
    const nr = this.nr;
    const ldc = 4 * n;
    const panelStride = 4 * taps * kc * nr;
    const full = Math.floor(n / nr);
    const tail = n - full * nr;
    // Depth chunks: whole taps, or slices of one tap's kc.
    const tapsPerChunk = Math.max(1, Math.floor(this.blocking.kc / kc));
    const kcChunk = taps === 1 ? Math.min(kc, this.blocking.kc) : kc;
    const mc = Math.max(mr, this.blocking.mc - (this.blocking.mc % mr));
    const tasks = Math.ceil(m / mc);
    const chunks = Math.ceil(taps / tapsPerChunk) * Math.ceil(kc / kcChunk);
    // At most four kernel calls per task and depth chunk (full / rest rows, full / tail panels).
    const words = 2 + tasks + tasks * chunks * 4 * CALL_WORDS;
    if (this.planBuffer.length < words) this.planBuffer = new Int32Array(Math.max(words, 2 * this.planBuffer.length));
    const out = this.planBuffer;
    out[0] = tasks;
    const offsets = 1;
    let at = offsets + tasks + 1;
    for (let task = 0; task < tasks; task++) {
      out[offsets + task] = at;
      const m0 = task * mc;
      const rows = Math.min(mc, m - m0);
      const blocks = Math.floor(rows / mr);
      const rest = rows - blocks * mr;
      for (let t0 = 0; t0 < taps; t0 += tapsPerChunk) {
        const nt = Math.min(tapsPerChunk, taps - t0);
        for (let k0 = 0; k0 < kc; k0 += kcChunk) {
          const kk = Math.min(kcChunk, kc - k0);
          const acc = accumulate || t0 > 0 || k0 > 0 ? 1 : 0;
          const bpChunk = bp + 4 * (t0 * kc + k0) * nr;
          const indChunk = ind + 4 * (t0 * m + m0);
          const call = (rowsMr: number, r0: number, nb: number, b: number, panels: number, o: number, ld: number) => {
            out.set([rowsMr - 1, indChunk + 4 * r0, nb, nt, kk, 4 * k0, b, panels, panelStride, o, ld, acc, 4 * m], at);
            at += CALL_WORDS;
          };
          if (full > 0) {
            if (blocks > 0) call(mr, 0, blocks, bpChunk, full, c + ldc * m0, ldc);
            if (rest > 0) call(rest, blocks * mr, 1, bpChunk, full, c + ldc * (m0 + blocks * mr), ldc);
          }
          if (tail > 0) {
            const o = scratch + 4 * nr * m0;
            const bpTail = bpChunk + full * panelStride;
            if (blocks > 0) call(mr, 0, blocks, bpTail, 1, o, 4 * nr);
            if (rest > 0) call(rest, blocks * mr, 1, bpTail, 1, o + 4 * nr * blocks * mr, 4 * nr);
          }
        }
      }
    }
    out[offsets + tasks] = at;
    return { calls: out.subarray(0, at), tasks };
  }
}

/** Words of one kernel call in a plan: the kernel (`rows - 1`) and its 12 arguments. */
export const CALL_WORDS = 13;

/**
 * Runs a plan's tasks (`[tasks, offset of each task..., end, calls...]`, each call {@link CALL_WORDS} words) until
 * none is left. With a `counter` shared by several threads, each takes the next task from `counter[0]` and counts the
 * tasks it finished in `counter[1]` (notifying there after the last one); alone, it runs them all in order.
 * Also the body of the helper threads' loop (they get this function's source), so it uses nothing from outside.
 */
export function runTasks(calls: Int32Array, kernels: ((...args: number[]) => void)[], counter?: Int32Array): void {
  for (let next = 0; ; next++) {
    const task = counter ? Atomics.add(counter, 0, 1) : next;
    // Read after taking the task: the counter is past any plan while the next one is written, then reset to 0.
    const tasks = calls[0];
    if (task >= tasks) return;
    for (let at = calls[1 + task]; at < calls[2 + task]; at += 13) {
      kernels[calls[at]](
        calls[at + 1],
        calls[at + 2],
        calls[at + 3],
        calls[at + 4],
        calls[at + 5],
        calls[at + 6],
        calls[at + 7],
        calls[at + 8],
        calls[at + 9],
        calls[at + 10],
        calls[at + 11],
        calls[at + 12],
      );
    }
    if (counter && Atomics.add(counter, 1, 1) + 1 === tasks) Atomics.notify(counter, 1);
  }
}

/**
 * Helper threads that take tasks of a GEMM plan on the same shared memory (Node: `src/node/gemm-threads.ts`).
 * `start` copies the plan where they read it, wakes them and returns that copy and the task counter (or `null`: run
 * alone); this thread then takes tasks too, and `wait` returns when every task is done.
 */
export interface GemmThreads {
  start(plan: { calls: Int32Array; tasks: number }): { calls: Int32Array; counter: Int32Array } | null;
  wait(): void;
}

/** Makes the helper threads of one GEMM build: the module's bytes, its memory, and how many helpers. */
export type GemmThreadsFactory = (
  bytes: Uint8Array,
  memory: WebAssembly.Memory,
  kernels: number,
  helpers: number,
) => GemmThreads | null;

let threadsFactory: GemmThreadsFactory | null = null;

/** Lets the GEMM run on helper threads where the memory is shared (set by Node's entry, `src/node/gemm-threads.ts`). */
export function setGemmThreadsFactory(factory: GemmThreadsFactory | null): void {
  threadsFactory = factory;
}

/** Copies `cols` floats of `rows` rows from `src + 4 * col0` (row stride `srcLd` bytes) to `dst` (stride `dstLd`). */
function copyColumns(
  mem: WebAssembly.Memory,
  src: number,
  srcLd: number,
  col0: number,
  dst: number,
  dstLd: number,
  rows: number,
  cols: number,
): void {
  const { f32: f } = memoryViews(mem);
  let s = src / 4 + col0;
  let d = dst / 4;
  for (let r = 0; r < rows; r++, s += srcLd / 4, d += dstLd / 4) {
    for (let j = 0; j < cols; j++) f[d + j] = f[s + j];
  }
}

const builds = new WeakMap<WebAssembly.Memory, Map<string, Gemm | null>>();

/**
 * The GEMM build for `memory`: relaxed-SIMD FMA (`fma`, `null` where the runtime lacks it) or plain SIMD128
 * (`null` where WebAssembly SIMD is unavailable). Compiled once per memory and configuration.
 */
export function gemmFor(
  memory: WebAssembly.Memory | undefined,
  fma: boolean,
  tile: GemmTile = DEFAULT_TILE,
): Gemm | null {
  if (memory === undefined || (fma && !hasRelaxedSimd()) || simdOps(memory) === null) return null;
  let byKey = builds.get(memory);
  if (!byKey) builds.set(memory, (byKey = new Map()));
  const key = tile === DEFAULT_TILE ? (fma ? 'fma' : 'plain') : `${fma}:${tile.mr}x${tile.nv}`;
  if (!byKey.has(key)) {
    let g: Gemm | null = null;
    try {
      g = new Gemm(memory, tile, fma);
    } catch {
      g = null;
    }
    byKey.set(key, g);
  }
  return byKey.get(key)!;
}

/**
 * A 2-D convolution (NHWC input, HWIO filter, any stride, dilation and padding in `info`) as one GEMM over an
 * indirection table: row `(n, i, j)`, tap `(kh, kw)` points at input pixel `(n, i*s - pad + kh*d, ...)`'s `inC` floats,
 * or at a zero row outside the input, so no im2col copy is made. Returns a new `[batch, outH, outW, outC]` tensor.
 */
export function gemmConv2D(
  heap: WasmHeap,
  gemm: Gemm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  threads: GemmThreads | null = null,
): tf.TensorInfo {
  const { batchSize: batch, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow } = info;
  const O = info.outChannels;
  const kH = info.filterHeight;
  const kW = info.filterWidth;
  const m = batch * oh * ow;
  const taps = kH * kW;
  const k = taps * C;
  const y = heap.alloc([batch, oh, ow, O]);
  if (m === 0 || O === 0) return y;
  if (k === 0) {
    heap.f32(y).fill(0);
    return y;
  }
  const packed = heap.alloc([gemm.packedSize(k, O)]);
  const ind = heap.alloc([taps * m]);
  const zero = heap.alloc([C]);
  const scratch = O % gemm.nr === 0 ? null : heap.alloc([m * gemm.nr]);
  const mem = heap.memory()!;
  const f32 = new Float32Array(mem.buffer);
  const zeroPtr = heap.ptr(zero);
  f32.fill(0, zeroPtr / 4, zeroPtr / 4 + C);
  gemm.packB(f32, heap.ptr(filter) / 4, heap.ptr(packed) / 4, k, O);
  const table = new Int32Array(mem.buffer, heap.ptr(ind), taps * m);
  const x0 = heap.ptr(x);
  const { top, left } = info.padInfo;
  let e = 0;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < oh; i++) {
          const yy = i * info.strideHeight - top + kh * info.dilationHeight;
          if (yy < 0 || yy >= H) {
            table.fill(zeroPtr, e, e + ow);
            e += ow;
            continue;
          }
          const row = x0 + 4 * (n * H + yy) * W * C;
          for (let j = 0; j < ow; j++, e++) {
            const xx = j * info.strideWidth - left + kw * info.dilationWidth;
            table[e] = xx < 0 || xx >= W ? zeroPtr : row + 4 * xx * C;
          }
        }
      }
    }
  }
  const scratchPtr = scratch ? heap.ptr(scratch) : 0;
  gemm.run(mem, heap.ptr(ind), m, taps, C, heap.ptr(packed), O, heap.ptr(y), false, scratchPtr, threads);
  heap.free(packed);
  heap.free(ind);
  heap.free(zero);
  if (scratch) heap.free(scratch);
  return y;
}
