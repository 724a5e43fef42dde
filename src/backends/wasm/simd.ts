/**
 * A small WebAssembly SIMD module, assembled here byte by byte, that runs the fused elementwise kernels' loops on the
 * wasm backend's own memory: 4 floats per instruction and no branches, where a JS loop does one float and, on
 * activations, mispredicts the sign test. It imports tfjs's `WebAssembly.Memory`, so it reads and writes tensors in
 * place; pointers are byte offsets of tensor data, counts are multiples of 4 floats (callers finish the tail in JS).
 * @module
 */

/** The module's exports. `n4` = float count, a multiple of 4. */
export interface SimdOps {
  /** `out = x > 0 ? dy : +0`. */
  reluGrad(dy: number, x: number, out: number, n4: number): void;
  /** `out = x > 0 ? dy : alpha * dy`. */
  leakyGrad(dy: number, x: number, out: number, n4: number, alpha: number): void;
  /** `out = x > 0 ? x : alpha * x`. */
  leaky(x: number, out: number, n4: number, alpha: number): void;
  /** `out = x * a + b`. */
  affine(x: number, out: number, n4: number, a: number, b: number): void;
  /** `out = a + b`. */
  add(a: number, b: number, out: number, n4: number): void;
  /** `out = (dy - meanDy - (x - mu) * proj) * scale` (BatchNorm's input gradient). */
  bnGradApply(
    dy: number,
    x: number,
    out: number,
    n4: number,
    mu: number,
    proj: number,
    meanDy: number,
    scale: number,
  ): void;
  /** Float64 sums of `x - shift` and of its square. */
  sums(x: number, n4: number, shift: number): [number, number];
  /** Float64 sums of `dy` and of `dy * (x - mu)`. */
  dots(dy: number, x: number, n4: number, mu: number): [number, number];
  /**
   * Transposes the `rows4 x cols4` top-left corner (multiples of 4) of a row-major `[rows, cols]` float matrix at `src`
   * into the `[cols, rows]` matrix at `dst`, in 4x4 blocks.
   */
  transposeBlocks(src: number, dst: number, rows: number, cols: number, rows4: number, cols4: number): void;
  /** Copies `rows` runs of `n4` floats, the runs `srcStride` / `dstStride` bytes apart. */
  copyRows(src: number, dst: number, rows: number, n4: number, srcStride: number, dstStride: number): void;
}

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

// Instructions.
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_GE_U = [0x4f];
const F64_ADD = [0xa0];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const LOAD = simd(0x00, 0, 0); // v128.load align=1 offset=0 (tensors are not guaranteed 16-byte aligned)
const STORE = simd(0x0b, 0, 0);
const F32X4_SPLAT = simd(0x13);
const F64X2_SPLAT = simd(0x14);
const F32X4_GT = simd(0x44);
const V128_AND = simd(0x4e);
const BITSELECT = simd(0x52);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F64X2_ADD = simd(0xf0);
const F64X2_SUB = simd(0xf1);
const F64X2_MUL = simd(0xf2);
const PROMOTE_LOW = simd(0x5f);
const ZERO = simd(0x0c, ...new Array(16).fill(0));
/** The high two f32 lanes moved to the low half (for promote_low). */
const HIGH_TO_LOW = (a: number) => [
  ...get(a),
  ...get(a),
  ...simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
];
const EXTRACT = (lane: number) => simd(0x21, lane);

/** `ptr + i` for a pointer local and the byte-offset local `i`. */
const at = (ptr: number, i: number): number[] => [...get(ptr), ...get(i), ...I32_ADD];

/**
 * `block { loop { if (exit) break; body; continue } }`: `exit` leaves an i32 condition on the stack, `body` runs while
 * it is 0 (and advances whatever `exit` tests).
 */
function loopUntil(exit: number[], body: number[]): number[] {
  return [
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...exit,
    0x0d,
    1, // br_if 1 (exit)
    ...body,
    0x0c,
    0, // br 0
    0x0b,
    0x0b, // end loop, end block
  ];
}

/** `local += by` for an i32 local; `by` leaves the increment on the stack. */
const advance = (local: number, by: number[]) => [...get(local), ...by, ...I32_ADD, ...set(local)];

/** A loop over byte offsets `i = 0, 16, ...` below `bytes` (locals), running `body` each time. */
function loopBytes16(i: number, bytes: number, body: number[]): number[] {
  return loopUntil([...get(i), ...get(bytes), ...I32_GE_U], [...body, ...advance(i, i32c(16))]);
}

/** A loop over byte offsets `i = 0, 16, ...` below `4 * n4` (local `n`, turned into bytes), running `body`. */
function loop16(i: number, n: number, body: number[]): number[] {
  return [...get(n), ...i32c(2), 0x74 /* i32.shl */, ...set(n), ...loopBytes16(i, n, body)];
}

/** `x * a + b` in float32 (an f32x4 left on the stack), each operand given as the instructions that push it. */
const affineOf = (x: number[], a: number[], b: number[]) => [...x, ...a, ...F32X4_MUL, ...b, ...F32X4_ADD];

/**
 * BatchNorm's input gradient `(dy - meanDy - (x - mu) * proj) * scale` in float32 ops, each operand given as the
 * instructions that push it: one formula for the per-plane loop here and the per-column one (`simd-columns.ts`), so
 * that the two layouts round alike.
 */
const bnGradOf = (dy: number[], meanDy: number[], x: number[], mu: number[], proj: number[], scale: number[]) => [
  ...dy,
  ...meanDy,
  ...F32X4_SUB,
  ...x,
  ...mu,
  ...F32X4_SUB,
  ...proj,
  ...F32X4_MUL,
  ...F32X4_SUB,
  ...scale,
  ...F32X4_MUL,
];

/** One function of a hand-assembled module: its signature (value types), extra locals and body bytes. */
export interface Fn {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: number[];
}

function functions(): Fn[] {
  const fns: Fn[] = [];
  // reluGrad(dy 0, x 1, out 2, n 3) locals: i 4
  fns.push({
    name: 'reluGrad',
    params: [I32, I32, I32, I32],
    results: [],
    locals: [I32],
    body: loop16(4, 3, [
      ...at(2, 4),
      ...at(0, 4),
      ...LOAD,
      ...at(1, 4),
      ...LOAD,
      ...ZERO,
      ...F32X4_GT,
      ...V128_AND,
      ...STORE,
    ]),
  });
  // leakyGrad(dy 0, x 1, out 2, n 3, alpha 4) locals: i 5, a 6 (v128), g 7 (v128)
  fns.push({
    name: 'leakyGrad',
    params: [I32, I32, I32, I32, F32],
    results: [],
    locals: [I32, V128, V128],
    body: [
      ...get(4),
      ...F32X4_SPLAT,
      ...set(6),
      ...loop16(5, 3, [
        ...at(2, 5),
        ...at(0, 5),
        ...LOAD,
        ...tee(7),
        ...get(7),
        ...get(6),
        ...F32X4_MUL,
        ...at(1, 5),
        ...LOAD,
        ...ZERO,
        ...F32X4_GT,
        ...BITSELECT,
        ...STORE,
      ]),
    ],
  });
  // leaky(x 0, out 1, n 2, alpha 3) locals: i 4, a 5, v 6
  fns.push({
    name: 'leaky',
    params: [I32, I32, I32, F32],
    results: [],
    locals: [I32, V128, V128],
    body: [
      ...get(3),
      ...F32X4_SPLAT,
      ...set(5),
      ...loop16(4, 2, [
        ...at(1, 4),
        ...at(0, 4),
        ...LOAD,
        ...tee(6),
        ...get(6),
        ...get(5),
        ...F32X4_MUL,
        ...get(6),
        ...ZERO,
        ...F32X4_GT,
        ...BITSELECT,
        ...STORE,
      ]),
    ],
  });
  // affine(x 0, out 1, n 2, a 3, b 4) locals: i 5, va 6, vb 7
  fns.push({
    name: 'affine',
    params: [I32, I32, I32, F32, F32],
    results: [],
    locals: [I32, V128, V128],
    body: [
      ...get(3),
      ...F32X4_SPLAT,
      ...set(6),
      ...get(4),
      ...F32X4_SPLAT,
      ...set(7),
      ...loop16(5, 2, [...at(1, 5), ...affineOf([...at(0, 5), ...LOAD], get(6), get(7)), ...STORE]),
    ],
  });
  // add(a 0, b 1, out 2, n 3) locals: i 4
  fns.push({
    name: 'add',
    params: [I32, I32, I32, I32],
    results: [],
    locals: [I32],
    body: loop16(4, 3, [...at(2, 4), ...at(0, 4), ...LOAD, ...at(1, 4), ...LOAD, ...F32X4_ADD, ...STORE]),
  });
  // bnGradApply(dy 0, x 1, out 2, n 3, mu 4, proj 5, meanDy 6, scale 7) locals: i 8, vmu 9, vproj 10, vmdy 11, vscale 12
  fns.push({
    name: 'bnGradApply',
    params: [I32, I32, I32, I32, F32, F32, F32, F32],
    results: [],
    locals: [I32, V128, V128, V128, V128],
    body: [
      ...get(4),
      ...F32X4_SPLAT,
      ...set(9),
      ...get(5),
      ...F32X4_SPLAT,
      ...set(10),
      ...get(6),
      ...F32X4_SPLAT,
      ...set(11),
      ...get(7),
      ...F32X4_SPLAT,
      ...set(12),
      ...loop16(8, 3, [
        ...at(2, 8),
        ...bnGradOf([...at(0, 8), ...LOAD], get(11), [...at(1, 8), ...LOAD], get(9), get(10), get(12)),
        ...STORE,
      ]),
    ],
  });
  // sums(x 0, n 1, shift 2 f64) -> (f64, f64); locals: i 3, vs 4, s1 5, s2 6, v 7, lo 8
  const accumulate = (v: number, lo: number, s1: number, s2: number, shift: number) => [
    // lo = promote(v) - shift; s1 += lo; s2 += lo * lo
    ...PROMOTE_LOW,
    ...get(shift),
    ...F64X2_SUB,
    ...tee(lo),
    ...get(s1),
    ...F64X2_ADD,
    ...set(s1),
    ...get(lo),
    ...get(lo),
    ...F64X2_MUL,
    ...get(s2),
    ...F64X2_ADD,
    ...set(s2),
  ];
  const horizontal = (acc: number) => [...get(acc), ...EXTRACT(0), ...get(acc), ...EXTRACT(1), ...F64_ADD];
  fns.push({
    name: 'sums',
    params: [I32, I32, F64],
    results: [F64, F64],
    locals: [I32, V128, V128, V128, V128, V128],
    body: [
      ...get(2),
      ...F64X2_SPLAT,
      ...set(4),
      ...ZERO,
      ...set(5),
      ...ZERO,
      ...set(6),
      ...loop16(3, 1, [
        ...at(0, 3),
        ...LOAD,
        ...tee(7),
        ...accumulate(7, 8, 5, 6, 4),
        ...HIGH_TO_LOW(7),
        ...accumulate(7, 8, 5, 6, 4),
      ]),
      ...horizontal(5),
      ...horizontal(6),
    ],
  });
  // dots(dy 0, x 1, n 2, mu 3 f64) -> (f64, f64); locals: i 4, vmu 5, sdy 6, sdot 7, vdy 8, vx 9, g 10
  const dotStep = (lowDy: number[], lowX: number[]) => [
    ...lowDy,
    ...PROMOTE_LOW,
    ...tee(10),
    ...get(6),
    ...F64X2_ADD,
    ...set(6),
    ...get(10),
    ...lowX,
    ...PROMOTE_LOW,
    ...get(5),
    ...F64X2_SUB,
    ...F64X2_MUL,
    ...get(7),
    ...F64X2_ADD,
    ...set(7),
  ];
  fns.push({
    name: 'dots',
    params: [I32, I32, I32, F64],
    results: [F64, F64],
    locals: [I32, V128, V128, V128, V128, V128, V128],
    body: [
      ...get(3),
      ...F64X2_SPLAT,
      ...set(5),
      ...ZERO,
      ...set(6),
      ...ZERO,
      ...set(7),
      ...loop16(4, 2, [
        ...at(0, 4),
        ...LOAD,
        ...set(8),
        ...at(1, 4),
        ...LOAD,
        ...set(9),
        ...dotStep(get(8), get(9)),
        ...dotStep(HIGH_TO_LOW(8), HIGH_TO_LOW(9)),
      ]),
      ...horizontal(6),
      ...horizontal(7),
    ],
  });
  // transposeBlocks(src 0, dst 1, rows 2, cols 3, rows4 4, cols4 5)
  // locals: i 6, j 7, srcRow 8 (bytes between source rows), dstRow 9, p 10 (source block), q 11 (dest block),
  // r0..r3 12-15, t0..t3 16-19 (v128)
  const shuffle = (a: number, b: number, lanes: number[]) => [
    ...get(a),
    ...get(b),
    ...simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  ];
  const loadRow = (k: number, r: number) => [
    ...get(10),
    ...get(8),
    ...i32c(k),
    0x6c /* i32.mul */,
    ...I32_ADD,
    ...LOAD,
    ...set(r),
  ];
  const storeRow = (k: number, v: number[]) => [...get(11), ...get(9), ...i32c(k), 0x6c, ...I32_ADD, ...v, ...STORE];
  fns.push({
    name: 'transposeBlocks',
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128],
    body: [
      ...get(3),
      ...i32c(2),
      0x74,
      ...set(8), // srcRow = cols * 4
      ...get(2),
      ...i32c(2),
      0x74,
      ...set(9), // dstRow = rows * 4
      0x02,
      0x40,
      0x03,
      0x40, // block, loop over block rows i
      ...get(6),
      ...get(4),
      ...I32_GE_U,
      0x0d,
      1,
      ...i32c(0),
      ...set(7),
      0x02,
      0x40,
      0x03,
      0x40, // block, loop over block cols j
      ...get(7),
      ...get(5),
      ...I32_GE_U,
      0x0d,
      1,
      // p = src + (i * cols + j) * 4; q = dst + (j * rows + i) * 4
      ...get(0),
      ...get(6),
      ...get(3),
      0x6c,
      ...get(7),
      ...I32_ADD,
      ...i32c(2),
      0x74,
      ...I32_ADD,
      ...set(10),
      ...get(1),
      ...get(7),
      ...get(2),
      0x6c,
      ...get(6),
      ...I32_ADD,
      ...i32c(2),
      0x74,
      ...I32_ADD,
      ...set(11),
      ...loadRow(0, 12),
      ...loadRow(1, 13),
      ...loadRow(2, 14),
      ...loadRow(3, 15),
      ...shuffle(12, 13, [0, 4, 1, 5]),
      ...set(16), // a0 b0 a1 b1
      ...shuffle(12, 13, [2, 6, 3, 7]),
      ...set(17), // a2 b2 a3 b3
      ...shuffle(14, 15, [0, 4, 1, 5]),
      ...set(18), // c0 d0 c1 d1
      ...shuffle(14, 15, [2, 6, 3, 7]),
      ...set(19), // c2 d2 c3 d3
      ...storeRow(0, shuffle(16, 18, [0, 1, 4, 5])), // a0 b0 c0 d0
      ...storeRow(1, shuffle(16, 18, [2, 3, 6, 7])),
      ...storeRow(2, shuffle(17, 19, [0, 1, 4, 5])),
      ...storeRow(3, shuffle(17, 19, [2, 3, 6, 7])),
      ...get(7),
      ...i32c(4),
      ...I32_ADD,
      ...set(7),
      0x0c,
      0,
      0x0b,
      0x0b,
      ...get(6),
      ...i32c(4),
      ...I32_ADD,
      ...set(6),
      0x0c,
      0,
      0x0b,
      0x0b,
    ],
  });
  // copyRows(src 0, dst 1, rows 2, n 3, srcStride 4, dstStride 5) locals: i 6, r 7
  fns.push({
    name: 'copyRows',
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32],
    body: [
      ...get(3),
      ...i32c(2),
      0x74,
      ...set(3),
      0x02,
      0x40,
      0x03,
      0x40, // block, loop (rows)
      ...get(7),
      ...get(2),
      ...I32_GE_U,
      0x0d,
      1,
      ...i32c(0),
      ...set(6),
      0x02,
      0x40,
      0x03,
      0x40, // block, loop (one run)
      ...get(6),
      ...get(3),
      ...I32_GE_U,
      0x0d,
      1,
      ...at(1, 6),
      ...at(0, 6),
      ...LOAD,
      ...STORE,
      ...get(6),
      ...i32c(16),
      ...I32_ADD,
      ...set(6),
      0x0c,
      0,
      0x0b,
      0x0b,
      ...get(0),
      ...get(4),
      ...I32_ADD,
      ...set(0),
      ...get(1),
      ...get(5),
      ...I32_ADD,
      ...set(1),
      ...get(7),
      ...i32c(1),
      ...I32_ADD,
      ...set(7),
      0x0c,
      0,
      0x0b,
      0x0b,
    ],
  });
  return fns;
}

/** The module's bytes; `shared` memories (the threaded backend's) must be imported as shared, with a maximum. */
export function simdModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return assembleModule(functions(), shared);
}

/**
 * A module of `fns` (exported by their names) importing `env.memory`, plain or `shared`. Also used by the other
 * hand-assembled modules (the GEMM in `gemm-relaxed.ts`).
 */
export function assembleModule(fns: Fn[], shared: boolean): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const bodies = fns.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

const instances = new WeakMap<WebAssembly.Memory, SimdOps | null>();

/**
 * The SIMD ops bound to `memory`, or `null` where WebAssembly SIMD is unavailable (the callers then run their JS
 * loops). Compiled once per memory.
 * @param memory the wasm backend's memory (`WasmHeap.memory()`).
 * @example
 * ```ts
 * const ops = simdOps(heap.memory());
 * if (ops) ops.affine(heap.ptr(x), heap.ptr(y), x.size & ~3, scale, shift);
 * ```
 */
export function simdOps(memory: WebAssembly.Memory | undefined): SimdOps | null {
  return boundOps(instances, memory, functions);
}

/**
 * The exports of the module of `fns()` bound to `memory`, or `null` where it does not compile (no WebAssembly SIMD)
 * or `memory` is `undefined`. Compiled once per memory, remembered in `cache`.
 * @param cache one per module: the exports (or `null`) by memory.
 * @param memory the wasm backend's memory (`WasmHeap.memory()`).
 * @param fns the module's functions, assembled on the first call for a memory.
 */
export function boundOps<T>(
  cache: WeakMap<WebAssembly.Memory, T | null>,
  memory: WebAssembly.Memory | undefined,
  fns: () => Fn[],
): T | null {
  if (memory === undefined) return null;
  if (cache.has(memory)) return cache.get(memory)!;
  let ops: T | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(assembleModule(fns(), shared));
    ops = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as T;
  } catch {
    ops = null;
  }
  cache.set(memory, ops);
  return ops;
}

/** The assembler's pieces (encodings, value types, instructions), for the other hand-assembled modules. */
export const asm = {
  I32,
  F32,
  V128,
  uleb,
  sleb,
  get,
  set,
  tee,
  i32c,
  simd,
  I32_ADD,
  I32_GE_U,
  LOAD,
  STORE,
  ZERO,
  at,
  advance,
  affineOf,
  bnGradOf,
  loopUntil,
  loopBytes16,
};
