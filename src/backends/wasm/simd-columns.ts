/**
 * BatchNorm's loops over channels-last data in WebAssembly SIMD: a row-major `[rows, c]` float32 matrix whose columns
 * are the channels, 4 columns per instruction, each column with its own parameters and float64 sums. A module of its
 * own, assembled with `simd.ts`'s assembler and importing the wasm backend's memory as the other hand-assembled ones.
 *
 * Each function covers the first `c4` columns (a multiple of 4) of every row; callers finish the last `c % 4` in JS.
 * Counts are in floats, pointers are byte offsets (not necessarily 16-byte aligned). Per-column parameters are
 * float32 vectors of `c4` values on the heap, indexed as the columns. The reductions add into float64 accumulators
 * at `acc` (zeroed by the caller), 64 bytes per group of 4 columns `4g .. 4g+3`: two f64x2 of the first sum
 * (columns `4g, 4g+1` then `4g+2, 4g+3`), then two of the second. They run 4 rows at a time, so that a group's
 * accumulators are loaded and stored once per 4 rows, then the remaining rows one at a time.
 * @module
 */
import { type Fn, asm, boundOps } from './simd';
import { op, toBytes } from './simd-math';

const {
  I32,
  V128,
  get,
  set,
  tee,
  i32c,
  simd,
  I32_ADD,
  LOAD,
  STORE,
  advance,
  affineOf,
  bnGradOf,
  loopBytes16,
  loopUntil,
} = asm;
const { F64X2_PROMOTE_LOW, F64X2_ADD, SHUFFLE_HIGH_TO_LOW } = op;
const F64X2_SUB = simd(0xf1);
const F64X2_MUL = simd(0xf2);
const I32_MUL = [0x6c];
const I32_GT_U = [0x4b];

/** The module's exports. */
export interface ColumnOps {
  /**
   * Adds the float64 sums over the rows of `x[r, j] - shift[j]` and of its square to `acc`, for each column `j < c4`.
   * `shift` is float32 (`c4`), `acc` as the module's comment says.
   */
  colSums(x: number, rows: number, c: number, c4: number, shift: number, acc: number): void;
  /** `out[r, j] = x[r, j] * alpha[j] + beta[j]` for each column `j < c4` (float32 arithmetic). */
  colAffine(x: number, out: number, rows: number, c: number, c4: number, alpha: number, beta: number): void;
  /** Adds the float64 sums over the rows of `dy[r, j]` and of `dy[r, j] * (x[r, j] - mu[j])` to `acc`, for `j < c4`. */
  colDots(dy: number, x: number, rows: number, c: number, c4: number, mu: number, acc: number): void;
  /**
   * `out[r, j] = (dy - meanDy[j] - (x - mu[j]) * proj[j]) * scale[j]` for each column `j < c4` (BatchNorm's input
   * gradient, float32 arithmetic in the order of `simd.ts`'s `bnGradApply`).
   */
  colGradApply(
    dy: number,
    x: number,
    out: number,
    rows: number,
    c: number,
    c4: number,
    mu: number,
    proj: number,
    meanDy: number,
    scale: number,
  ): void;
}

/** `v128.load` / `v128.store` at a constant byte offset from the address on the stack (align=1). */
const loadAt = (offset: number) => simd(0x00, 0, ...asm.uleb(offset));
const storeAt = (offset: number) => simd(0x0b, 0, ...asm.uleb(offset));
/** The high two f32 lanes of the v128 in local `v` moved to the low half, promoted to f64x2. */
const promoteHigh = (v: number) => [...get(v), ...get(v), ...SHUFFLE_HIGH_TO_LOW, ...F64X2_PROMOTE_LOW];
/** `local += value` for the f64x2 local `acc`, `value` left on the stack by `value`. */
const addTo = (acc: number, value: number[]) => [...value, ...get(acc), ...F64X2_ADD, ...set(acc)];

/**
 * A loop over the rows `k` at a time while `k` rows are left: `body`, then the pointer locals `ptrs` advanced by `k`
 * rows (`rowBytes` a local) and the row counter `r` by `k`.
 */
function rowSteps(r: number, rows: number, k: number, rowBytes: number, ptrs: number[], body: number[]): number[] {
  const next = ptrs.flatMap((p) => advance(p, [...get(rowBytes), ...i32c(k), ...I32_MUL]));
  // Exit when fewer than k rows are left.
  const exit = [...get(r), ...i32c(k), ...I32_ADD, ...get(rows), ...I32_GT_U];
  return loopUntil(exit, [...body, ...next, ...advance(r, i32c(k))]);
}

/**
 * What one row adds to a group's four f64x2 accumulators: gets the row's pointer locals `ptrs` (the group's first
 * column), the f64x2 locals `lo` / `hi` (the column parameter of columns 0-1 / 2-3), `acc` (4 locals, in `acc`'s
 * memory order) and scratch v128 locals `tmp`.
 */
type RowStep = (ptrs: number[], lo: number, hi: number, acc: number[], tmp: number[]) => number[];

/**
 * A column reduction `name(src_0, ..., rows, c, c4, param, acc)` over `nSrc` matrices: for each group of 4 columns,
 * the float32 `param` vector promoted to two f64x2, the accumulators loaded, `step` run for each row, and stored.
 */
function reduction(name: string, nSrc: number, nTmp: number, step: RowStep): Fn {
  const [rows, c, c4, param, acc] = [nSrc, nSrc + 1, nSrc + 2, nSrc + 3, nSrc + 4];
  const [r, j, a] = [nSrc + 5, nSrc + 6, nSrc + 7];
  const ptrs = Array.from({ length: nSrc }, (_, i) => nSrc + 8 + i);
  const v = nSrc + 8 + nSrc; // first v128 local: lo, hi, 4 accumulators, then nTmp scratch
  const [lo, hi] = [v, v + 1];
  const accs = [v + 2, v + 3, v + 4, v + 5];
  const tmp = Array.from({ length: nTmp }, (_, i) => v + 6 + i);
  const group = (k: number): number[] => [
    ...ptrs.flatMap((p, i) => [...get(i), ...get(j), ...I32_ADD, ...set(p)]),
    ...get(acc),
    ...get(j),
    ...i32c(2),
    0x74, // i32.shl: 64 bytes of accumulators per 16 bytes of columns
    ...I32_ADD,
    ...set(a),
    ...get(param),
    ...get(j),
    ...I32_ADD,
    ...LOAD,
    ...tee(hi),
    ...F64X2_PROMOTE_LOW,
    ...set(lo),
    ...promoteHigh(hi),
    ...set(hi),
    ...accs.flatMap((x, i) => [...get(a), ...loadAt(16 * i), ...set(x)]),
    ...step(ptrs, lo, hi, accs, tmp),
    ...Array.from({ length: k - 1 }, () => [
      ...ptrs.flatMap((p) => [...get(p), ...get(c), ...I32_ADD, ...set(p)]),
      ...step(ptrs, lo, hi, accs, tmp),
    ]).flat(),
    ...accs.flatMap((x, i) => [...get(a), ...get(x), ...storeAt(16 * i)]),
  ];
  const rowsOf = (k: number) =>
    rowSteps(r, rows, k, c, [...Array(nSrc).keys()], [...i32c(0), ...set(j), ...loopBytes16(j, c4, group(k))]);
  return {
    name,
    params: [...Array(nSrc + 5).fill(I32)],
    results: [],
    locals: [I32, I32, I32, ...Array(nSrc).fill(I32), ...Array(6 + nTmp).fill(V128)],
    body: [...toBytes(c), ...toBytes(c4), ...rowsOf(4), ...rowsOf(1)],
  };
}

/**
 * An elementwise map `name(src_0, ..., out, rows, c, c4, param_0, ...)`: `out[r, j] = f(...)` for `j < c4`, where
 * `compute(src, param)` leaves the v128 on the stack, given the instructions that load `src_i[r, j]` / `param_i[j]`.
 */
function columnMap(
  name: string,
  nSrc: number,
  nParam: number,
  compute: (src: (i: number) => number[], param: (i: number) => number[]) => number[],
): Fn {
  const [out, rows, c, c4] = [nSrc, nSrc + 1, nSrc + 2, nSrc + 3];
  const [r, j] = [nSrc + 4 + nParam, nSrc + 5 + nParam];
  const load = (p: number) => [...get(p), ...get(j), ...I32_ADD, ...LOAD];
  const body = [...get(out), ...get(j), ...I32_ADD, ...compute(load, (i) => load(nSrc + 4 + i)), ...STORE];
  return {
    name,
    params: Array(nSrc + 4 + nParam).fill(I32),
    results: [],
    locals: [I32, I32],
    body: [
      ...toBytes(c),
      ...toBytes(c4),
      ...rowSteps(r, rows, 1, c, [...Array(nSrc + 1).keys()], [...i32c(0), ...set(j), ...loopBytes16(j, c4, body)]),
    ],
  };
}

function columnFunctions(): Fn[] {
  // colSums(x, rows, c, c4, shift, acc): d = x - shift; s1 += d; s2 += d * d (accs: s1 lo, s1 hi, s2 lo, s2 hi)
  const sumsHalf = (half: number[], shift: number, s1: number, s2: number, d: number) => [
    ...half,
    ...get(shift),
    ...F64X2_SUB,
    ...tee(d),
    ...addTo(s1, []),
    ...addTo(s2, [...get(d), ...get(d), ...F64X2_MUL]),
  ];
  const sums = reduction('colSums', 1, 2, ([p], lo, hi, [s1lo, s1hi, s2lo, s2hi], [v, d]) => [
    ...get(p),
    ...LOAD,
    ...tee(v),
    ...sumsHalf(F64X2_PROMOTE_LOW, lo, s1lo, s2lo, d),
    ...sumsHalf(promoteHigh(v), hi, s1hi, s2hi, d),
  ]);
  // colDots(dy, x, rows, c, c4, mu, acc): sumDy += dy; dot += dy * (x - mu) (accs: sumDy lo, hi, dot lo, hi)
  const dotsHalf = (dy: number[], x: number[], mu: number, sdy: number, dot: number, g: number) => [
    ...dy,
    ...tee(g),
    ...addTo(sdy, []),
    ...addTo(dot, [...get(g), ...x, ...get(mu), ...F64X2_SUB, ...F64X2_MUL]),
  ];
  const dots = reduction('colDots', 2, 3, ([pdy, px], lo, hi, [sdLo, sdHi, dotLo, dotHi], [vdy, vx, g]) => [
    ...get(pdy),
    ...LOAD,
    ...set(vdy),
    ...get(px),
    ...LOAD,
    ...set(vx),
    ...dotsHalf([...get(vdy), ...F64X2_PROMOTE_LOW], [...get(vx), ...F64X2_PROMOTE_LOW], lo, sdLo, dotLo, g),
    ...dotsHalf(promoteHigh(vdy), promoteHigh(vx), hi, sdHi, dotHi, g),
  ]);
  // colAffine(x, out, rows, c, c4, alpha, beta)
  const affine = columnMap('colAffine', 1, 2, (src, param) => affineOf(src(0), param(0), param(1)));
  // colGradApply(dy, x, out, rows, c, c4, mu, proj, meanDy, scale)
  const gradApply = columnMap('colGradApply', 2, 4, (src, param) =>
    bnGradOf(src(0), param(2), src(1), param(0), param(1), param(3)),
  );
  return [sums, affine, dots, gradApply];
}

const instances = new WeakMap<WebAssembly.Memory, ColumnOps | null>();

/**
 * The column loops bound to `memory`, or `null` where WebAssembly SIMD is unavailable (callers then run JS loops).
 * Compiled once per memory.
 * @param memory the wasm backend's memory (`WasmHeap.memory()`).
 * @example
 * ```ts
 * const ops = columnOps(heap.memory());
 * if (ops) ops.colAffine(heap.ptr(x), heap.ptr(y), rows, c, c & ~3, alphaPtr, betaPtr);
 * ```
 */
export function columnOps(memory: WebAssembly.Memory | undefined): ColumnOps | null {
  return boundOps(instances, memory, columnFunctions);
}
