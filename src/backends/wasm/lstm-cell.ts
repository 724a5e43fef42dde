/**
 * The LSTM recurrence of one layer in one direction as two wasm kernels, forward and backward through time, each ONE
 * kernel call for the whole sequence instead of ~15 (forward) and ~30 (backward) tfjs kernels per time step. Each
 * step runs the hidden-side gate matmul on the library's GEMM (`W_hh` packed once per call, the previous state's rows
 * read in place; `StepMatMul`) and the gate arithmetic (sigmoid, tanh, the
 * cell update and their derivatives) in one loop over the heap that reads the step's rows in place, where the
 * composed path slices them out (tfjs-backend-wasm's `Slice` copies its whole input first) and splits, concatenates
 * and re-stacks them.
 *
 * The arithmetic is the composed path's (`src/nn/functional/rnn.ts`), operation by operation in float32, so the
 * kernels agree with the `cpu` backend's kernels up to the GEMM's summation order and, in the WebAssembly SIMD loops
 * (four floats per instruction, `simd-math.ts`), the last bit or two of `sigmoid` and `tanh`. Without SIMD, and for
 * the last `H mod 4` units of each row, the same loops run in JS (`Math.fround` after each operation).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';
import { type Fn, asm, boundOps } from './simd';
import { type Scratch, at, f32x4, loop16, op, sigmoidOf, tanhOf, toBytes } from './simd-math';
import { StepMatMul, addRows, checkShape, prevStep, sigmoidF32 } from './recurrence';

/** Kernel names (namespaced: they are not tfjs's). Core-safe: the functional op checks for them by name. */
export const LstmKernel = {
  /**
   * `{xp [T, B, 4H] (or [T·B, 4H]), h0 [B, H], c0 [B, H], wHh [4H, H], bhh [4H]}`, attrs `{reverse}` → `[hs, cs
   * [T, B, H], acts [T, B, 4H], hN, cN [B, H]]`: `xp` is the input projection of every step with `b_ih` added, and each step's
   * gates are `xp + (h W_hhᵀ + b_hh)` (torch's association); `hs`/`cs` are the states
   * after each step and `acts` the activated gates `i, f, g, o` (torch's order), each in the step's own slot
   * (`reverse` fills `T-1` first); `hN`/`cN` are copies of the last step's states.
   */
  Forward: 'TfjsTorchLstmForward',
  /**
   * `{dOut, dhN, dcN, acts, cs, c0, wHh [4H, H]}` (shapes as {@link LstmKernel.Forward}'s), attrs `{reverse}` →
   * `[dG [T·B, 4H], dh0, dc0]`: the gradients of every step's gate pre-activations (rows in `xp`'s order, as the
   * weight gradients' products read them) and of the initial states.
   */
  Backward: 'TfjsTorchLstmBackward',
} as const;

// ---------------------------------------------------------------------------------------------------
// The SIMD loops: one row of one step, `n4` units (a multiple of 4), gate blocks `hb` bytes apart.

interface CellOps {
  /**
   * Forward: pre-activations `x + gh` (4 gate blocks each), `cPrev` → `act` (i, f, g, o), `c`, `h`.
   */
  gates(x: number, gh: number, cPrev: number, act: number, c: number, h: number, n4: number, hb: number): void;
  /**
   * Backward: `dh + dOut`, `act`, `c`, `cPrev` and the cell gradient `dc` (updated in place to the previous step's) →
   * the gate gradients, written to `dGt` and `dG`.
   */
  grads(
    dh: number,
    dOut: number,
    act: number,
    c: number,
    cPrev: number,
    dc: number,
    dGt: number,
    dG: number,
    n4: number,
    hb: number,
  ): void;
  /**
   * Copies `rows` runs of `n` floats (any `n`), the runs `srcStride` / `dstStride` bytes apart: the last `H mod 4`
   * units of every row into and out of the block that one SIMD call processes.
   */
  copyRuns(src: number, dst: number, rows: number, n: number, srcStride: number, dstStride: number): void;
}

const { I32, V128, get, set, tee, i32c, I32_ADD, I32_GE_U, LOAD, STORE, advance, loopUntil } = asm;
const { F32X4_ADD, F32X4_SUB, F32X4_MUL } = op;

/** `base + i + k * hb` for the gate block `k`, with `hbK[k]` the locals holding 0, hb, 2 hb, 3 hb (k > 0). */
function gateAt(base: number, i: number, k: number, hbK: number[]): number[] {
  return k === 0 ? at(base, i) : [...at(base, i), ...get(hbK[k]), ...I32_ADD];
}

function cellFunctions(): Fn[] {
  // gates(x 0, gh 1, cp 2, act 3, c 4, h 5, n 6, hb 7); locals: i 8, hb2 9, hb3 10 (i32);
  // I 11, F 12, G 13, O 14, C 15, T 16, scratch 17-22 (v128)
  const g = { i: 8, hb: [0, 7, 9, 10], I: 11, F: 12, G: 13, O: 14, C: 15, T: 16 };
  const gs: Scratch = { v: 17, xc: 18, n: 19, r: 20, a: 21, z: 22 };
  const pre = (k: number) => [
    ...gateAt(0, g.i, k, g.hb),
    ...LOAD,
    ...gateAt(1, g.i, k, g.hb),
    ...LOAD,
    ...F32X4_ADD,
    ...set(g.T),
  ];
  const store = (ptr: number, k: number, local: number) => [...gateAt(ptr, g.i, k, g.hb), ...get(local), ...STORE];
  const gates: Fn = {
    name: 'gates',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, ...new Array(12).fill(V128)],
    body: [
      ...get(7),
      ...get(7),
      ...I32_ADD,
      ...tee(9),
      ...get(7),
      ...I32_ADD,
      ...set(10),
      ...toBytes(6),
      ...loop16(g.i, 6, [
        ...pre(0),
        ...sigmoidOf(g.T, gs),
        ...set(g.I),
        ...pre(1),
        ...sigmoidOf(g.T, gs),
        ...set(g.F),
        ...pre(2),
        ...tanhOf(g.T, gs),
        ...set(g.G),
        ...pre(3),
        ...sigmoidOf(g.T, gs),
        ...set(g.O),
        // c = f * cPrev + i * g
        ...get(g.F),
        ...at(2, g.i),
        ...LOAD,
        ...F32X4_MUL,
        ...get(g.I),
        ...get(g.G),
        ...F32X4_MUL,
        ...F32X4_ADD,
        ...set(g.C),
        ...store(3, 0, g.I),
        ...store(3, 1, g.F),
        ...store(3, 2, g.G),
        ...store(3, 3, g.O),
        ...store(4, 0, g.C),
        // h = o * tanh(c)
        ...at(5, g.i),
        ...get(g.O),
        ...tanhOf(g.C, gs),
        ...F32X4_MUL,
        ...STORE,
      ]),
    ],
  };
  // grads(dh 0, dOut 1, act 2, c 3, cp 4, dc 5, dGt 6, dG 7, n 8, hb 9); locals: i 10, hb2 11, hb3 12 (i32);
  // I 13, F 14, G 15, O 16, DH 17, TC 18, DC 19, T 20, scratch 21-26 (v128)
  const d = { i: 10, hb: [0, 9, 11, 12], I: 13, F: 14, G: 15, O: 16, DH: 17, TC: 18, DC: 19, T: 20 };
  const ds: Scratch = { v: 21, xc: 22, n: 23, r: 24, a: 25, z: 26 };
  const load = (ptr: number, k: number) => [...gateAt(ptr, d.i, k, d.hb), ...LOAD];
  const oneMinus = (x: number[]) => [...f32x4(1), ...x, ...F32X4_SUB];
  // dGt[k] = dG[k] = value (left in T)
  const storeGrad = (k: number, value: number[]) => [
    ...gateAt(6, d.i, k, d.hb),
    ...value,
    ...tee(d.T),
    ...STORE,
    ...gateAt(7, d.i, k, d.hb),
    ...get(d.T),
    ...STORE,
  ];
  const mul = (a: number[], b: number[]) => [...a, ...b, ...F32X4_MUL];
  const grads: Fn = {
    name: 'grads',
    params: new Array(10).fill(I32),
    results: [],
    locals: [I32, I32, I32, ...new Array(14).fill(V128)],
    body: [
      ...get(9),
      ...get(9),
      ...I32_ADD,
      ...tee(11),
      ...get(9),
      ...I32_ADD,
      ...set(12),
      ...toBytes(8),
      ...loop16(d.i, 8, [
        ...load(2, 0),
        ...set(d.I),
        ...load(2, 1),
        ...set(d.F),
        ...load(2, 2),
        ...set(d.G),
        ...load(2, 3),
        ...set(d.O),
        // dhNew = dh + dOut; tc = tanh(c)
        ...load(0, 0),
        ...load(1, 0),
        ...F32X4_ADD,
        ...set(d.DH),
        ...load(3, 0),
        ...set(d.T),
        ...tanhOf(d.T, ds),
        ...set(d.TC),
        // dcNew = dc + (dhNew * o) * (1 - tc * tc)
        ...load(5, 0),
        ...mul(mul(get(d.DH), get(d.O)), oneMinus(mul(get(d.TC), get(d.TC)))),
        ...F32X4_ADD,
        ...set(d.DC),
        ...storeGrad(0, mul(mul(get(d.DC), get(d.G)), mul(get(d.I), oneMinus(get(d.I))))),
        ...storeGrad(1, mul(mul(get(d.DC), load(4, 0)), mul(get(d.F), oneMinus(get(d.F))))),
        ...storeGrad(2, mul(mul(get(d.DC), get(d.I)), oneMinus(mul(get(d.G), get(d.G))))),
        ...storeGrad(3, mul(mul(get(d.DH), get(d.TC)), mul(get(d.O), oneMinus(get(d.O))))),
        // dc = dcNew * f
        ...at(5, d.i),
        ...mul(get(d.DC), get(d.F)),
        ...STORE,
      ]),
    ],
  };
  return [gates, grads, copyRuns()];
}

/** `copyRuns(src 0, dst 1, rows 2, n 3 (turned into bytes), srcStride 4, dstStride 5)`; locals: r 6, j 7 (i32). */
function copyRuns(): Fn {
  const [src, dst, rows, n, srcStride, dstStride, r, j] = [0, 1, 2, 3, 4, 5, 6, 7];
  const F32_LOAD = [0x2a, 0x02, 0x00];
  const F32_STORE = [0x38, 0x02, 0x00];
  // for (r = 0; r < rows; r++) { for (j = 0; j < n bytes; j += 4) dst[j] = src[j]; src += srcStride; ... }
  const loop = (counter: number, limit: number, body: number[]) =>
    loopUntil([...get(counter), ...get(limit), ...I32_GE_U], body);
  return {
    name: 'copyRuns',
    params: new Array(6).fill(I32),
    results: [],
    locals: [I32, I32],
    body: [
      ...toBytes(n),
      ...loop(r, rows, [
        ...i32c(0),
        ...set(j),
        ...loop(j, n, [...at(dst, j), ...at(src, j), ...F32_LOAD, ...F32_STORE, ...advance(j, i32c(4))]),
        ...advance(src, get(srcStride)),
        ...advance(dst, get(dstStride)),
        ...advance(r, i32c(1)),
      ]),
    ],
  };
}

const instances = new WeakMap<WebAssembly.Memory, CellOps | null>();

/** The loops bound to `memory`, or null where WebAssembly SIMD is unavailable. Compiled once per memory. */
function cellOps(memory: WebAssembly.Memory | undefined): CellOps | null {
  return boundOps(instances, memory, cellFunctions);
}

/**
 * The forward gate arithmetic of step `t` in JS (no WebAssembly SIMD): `acts`, `cs` and `hs` of the step from `xp`,
 * the step's hidden-side product `gh` and the previous cell state (`cPrev` at element `cPrevOff`), in float32.
 */
function jsGates(
  heap: WasmHeap,
  ts: Record<'xp' | 'gh' | 'hs' | 'cs' | 'acts' | 'cPrev', tf.TensorInfo>,
  t: number,
  B: number,
  H: number,
  cPrevOff: number,
): void {
  const [xv, ghv, hv, cv, av, cPrev] = [ts.xp, ts.gh, ts.hs, ts.cs, ts.acts, ts.cPrev].map((x) => heap.f32(x));
  const H4 = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = b * H4; // row of gh
    const x0 = t * B * H4 + g0; // row of xp and acts
    const s0 = (t * B + b) * H; // row of hs and cs
    const cp0 = cPrevOff + b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(fr(xv[x0 + j] + ghv[g0 + j]));
      const f = sigmoid(fr(xv[x0 + H + j] + ghv[g0 + H + j]));
      const g = fr(Math.tanh(fr(xv[x0 + 2 * H + j] + ghv[g0 + 2 * H + j])));
      const o = sigmoid(fr(xv[x0 + 3 * H + j] + ghv[g0 + 3 * H + j]));
      const c = fr(fr(f * cPrev[cp0 + j]) + fr(i * g));
      av[x0 + j] = i;
      av[x0 + H + j] = f;
      av[x0 + 2 * H + j] = g;
      av[x0 + 3 * H + j] = o;
      cv[s0 + j] = c;
      hv[s0 + j] = o * fr(Math.tanh(c));
    }
  }
}

/**
 * The backward gate arithmetic of step `t` in JS (no WebAssembly SIMD): the step's gate gradients into `dG` and the
 * cell-state gradient `dc` updated in place to the previous step's, from `dh`, `dOut`, `acts`, `cs` and `cPrev`.
 */
function jsGrads(
  heap: WasmHeap,
  ts: Record<'dh' | 'dOut' | 'acts' | 'cs' | 'cPrev' | 'dc' | 'dG', tf.TensorInfo>,
  t: number,
  B: number,
  H: number,
  cPrevOff: number,
): void {
  const [dhV, dOutV, av, cv, cPrev, dc, dGv] = [ts.dh, ts.dOut, ts.acts, ts.cs, ts.cPrev, ts.dc, ts.dG].map((x) =>
    heap.f32(x),
  );
  const H4 = 4 * H;
  for (let b = 0; b < B; b++) {
    const a0 = (t * B + b) * H4; // row of acts and dG
    const s0 = (t * B + b) * H; // row of dOut and cs
    const cp0 = cPrevOff + b * H;
    for (let j = 0, k = b * H; j < H; j++, k++) {
      const i = av[a0 + j];
      const f = av[a0 + H + j];
      const g = av[a0 + 2 * H + j];
      const o = av[a0 + 3 * H + j];
      const dhNew = fr(dhV[k] + dOutV[s0 + j]);
      const tc = fr(Math.tanh(cv[s0 + j]));
      const dcNew = fr(dc[k] + fr(fr(dhNew * o) * fr(1 - fr(tc * tc))));
      dGv[a0 + j] = fr(fr(dcNew * g) * fr(i * fr(1 - i)));
      dGv[a0 + H + j] = fr(fr(dcNew * cPrev[cp0 + j]) * fr(f * fr(1 - f)));
      dGv[a0 + 2 * H + j] = fr(fr(dcNew * i) * fr(1 - fr(g * g)));
      dGv[a0 + 3 * H + j] = fr(fr(dhNew * tc) * fr(o * fr(1 - o)));
      dc[k] = dcNew * f;
    }
  }
}

/** A field of the tail block and where its units live: `[field, first unit of row 0 (bytes), bytes between rows]`. */
type TailField = [field: number, ptr: number, rowBytes: number];

/**
 * Copies the last `r = H mod 4` units of each of `B` rows between tensors and the tail block at `tp` (`toTail`: into
 * the block), field `f` of the block holding `U` floats (row `b`'s units at `b * r`).
 */
function moveTail(
  ops: CellOps,
  tp: number,
  U: number,
  B: number,
  r: number,
  toTail: boolean,
  fields: TailField[],
): void {
  for (const [f, ptr, rowBytes] of fields) {
    const block = tp + 4 * f * U;
    if (toTail) ops.copyRuns(ptr, block, B, r, rowBytes, 4 * r);
    else ops.copyRuns(block, ptr, B, r, 4 * r, rowBytes);
  }
}

type Args<I, A> = { inputs: I; attrs: A; backend: unknown };

const fr = Math.fround;

const sigmoid = sigmoidF32;

/** {@link LstmKernel.Forward} on the wasm backend. */
export function lstmForwardWasm(
  args: Args<
    { xp: tf.TensorInfo; h0: tf.TensorInfo; c0: tf.TensorInfo; wHh: tf.TensorInfo; bhh: tf.TensorInfo },
    { reverse: boolean }
  >,
): tf.TensorInfo[] {
  const kernel = LstmKernel.Forward;
  const {
    inputs: { xp, h0, c0, wHh, bhh },
    attrs: { reverse },
    backend,
  } = args;
  const B = h0.shape[0];
  const H4 = xp.shape[xp.shape.length - 1];
  const T = xp.shape.length === 3 ? xp.shape[0] : xp.shape[0] / B;
  if ((xp.shape.length !== 3 && xp.shape.length !== 2) || H4 % 4 !== 0 || !Number.isInteger(T)) {
    throw new BackendError(`${kernel}: expected xp of shape [T, B, 4H] or [T·B, 4H], got ${formatShape(xp.shape)}`);
  }
  if (xp.shape.length === 3) checkShape(kernel, 'xp', xp, [T, B, H4]);
  const H = H4 / 4;
  checkShape(kernel, 'h0', h0, [B, H]);
  checkShape(kernel, 'c0', c0, [B, H]);
  checkShape(kernel, 'wHh', wHh, [H4, H]);
  checkShape(kernel, 'bhh', bhh, [H4]);
  const heap = new WasmHeap(backend, kernel);
  const hs = heap.alloc([T, B, H]);
  const cs = heap.alloc([T, B, H]);
  const acts = heap.alloc([T, B, H4]);
  const n = B * H;
  const ops = cellOps(heap.memory());
  const h4 = ops ? H & ~3 : 0; // units per row done in SIMD; the rest in JS
  const gh = heap.alloc([B, H4]);
  const hidden = new StepMatMul(heap, backend, wHh, H, H4, true, B);
  // The last H mod 4 units of every row, gathered into one SIMD call per step (x, gh 4U each, cPrev U | act 4U, c, h U).
  const U = (B * (H - h4) + 3) & ~3;
  const tail = ops && U > 0 ? heap.zeros([15 * U]) : null;
  const [xPtr, hsPtr, csPtr, actsPtr, ghPtr] = [xp, hs, cs, acts, gh].map((t) => heap.ptr(t));
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    hidden.run(p < 0 ? heap.ptr(h0) : hsPtr + 4 * p * n, gh);
    addRows(heap, gh, bhh, B, H4);
    const cPrevPtr = p < 0 ? heap.ptr(c0) : csPtr;
    const cPrevOff = p < 0 ? 0 : p * n;
    if (!ops) {
      jsGates(heap, { xp, gh, hs, cs, acts, cPrev: p < 0 ? c0 : cs }, t, B, H, cPrevOff);
      continue;
    }
    for (let b = 0; b < B && h4 > 0; b++) {
      const g0 = b * H4; // row of gh
      const x0 = t * B * H4 + g0; // row of xp and acts
      const s0 = t * n + b * H; // row of hs and cs
      ops.gates(
        xPtr + 4 * x0,
        ghPtr + 4 * g0,
        cPrevPtr + 4 * (cPrevOff + b * H),
        actsPtr + 4 * x0,
        csPtr + 4 * s0,
        hsPtr + 4 * s0,
        h4,
        4 * H,
      );
    }
    if (tail) {
      const tp = heap.ptr(tail);
      const [row, row4, at0] = [4 * H, 4 * H4, 4 * (t * B * H4 + h4)];
      const gateFields = (first: number, ptr: number): TailField[] =>
        [0, 1, 2, 3].map((g) => [first + g, ptr + 4 * g * H, row4]);
      moveTail(ops, tp, U, B, H - h4, true, [
        ...gateFields(0, xPtr + at0),
        ...gateFields(4, ghPtr + 4 * h4),
        [8, cPrevPtr + 4 * (cPrevOff + h4), row],
      ]);
      ops.gates(tp, tp + 16 * U, tp + 32 * U, tp + 36 * U, tp + 52 * U, tp + 56 * U, U, 4 * U);
      moveTail(ops, tp, U, B, H - h4, false, [
        ...gateFields(9, actsPtr + at0),
        [13, csPtr + 4 * (t * n + h4), row],
        [14, hsPtr + 4 * (t * n + h4), row],
      ]);
    }
  }
  hidden.free();
  heap.free(gh);
  if (tail) heap.free(tail);
  const last = (reverse ? 0 : T - 1) * n;
  return [hs, cs, acts, heap.copyRange(hs, last, [B, H]), heap.copyRange(cs, last, [B, H])];
}

/** {@link LstmKernel.Backward} on the wasm backend. */
export function lstmBackwardWasm(
  args: Args<
    {
      dOut: tf.TensorInfo;
      dhN: tf.TensorInfo;
      dcN: tf.TensorInfo;
      acts: tf.TensorInfo;
      cs: tf.TensorInfo;
      c0: tf.TensorInfo;
      wHh: tf.TensorInfo;
    },
    { reverse: boolean }
  >,
): tf.TensorInfo[] {
  const kernel = LstmKernel.Backward;
  const {
    inputs: { dOut, dhN, dcN, acts, cs, c0, wHh },
    attrs: { reverse },
    backend,
  } = args;
  if (acts.shape.length !== 3 || acts.shape[2] % 4 !== 0) {
    throw new BackendError(`${kernel}: expected acts of shape [T, B, 4H], got ${formatShape(acts.shape)}`);
  }
  const [T, B, H4] = acts.shape;
  const H = H4 / 4;
  for (const [what, t, shape] of [
    ['dOut', dOut, [T, B, H]],
    ['cs', cs, [T, B, H]],
    ['dhN', dhN, [B, H]],
    ['dcN', dcN, [B, H]],
    ['c0', c0, [B, H]],
    ['wHh', wHh, [H4, H]],
  ] as const) {
    checkShape(kernel, what, t, [...shape]);
  }
  const heap = new WasmHeap(backend, kernel);
  const n = B * H;
  const dG = heap.alloc([T * B, H4]);
  const dcT = heap.copyRange(dcN, 0, [B, H]); // the cell state's gradient, updated in place step by step
  // The hidden state's gradient: dhN, then one buffer that each step's product overwrites after its gates read it.
  const dhBuffer = heap.alloc([B, H]);
  const hidden = new StepMatMul(heap, backend, wHh, H4, H, false, B);
  const ops = cellOps(heap.memory());
  const h4 = ops ? H & ~3 : 0;
  // The last H mod 4 units of every row in one SIMD call per step (dh, dOut U | act 4U | c, cPrev, dc U | dG 4U).
  const U = (B * (H - h4) + 3) & ~3;
  const tail = ops && U > 0 ? heap.zeros([13 * U]) : null;
  const [dOutPtr, actsPtr, csPtr, dGPtr, dcPtr] = [dOut, acts, cs, dG, dcT].map((t) => heap.ptr(t));
  let dh = dhN;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    const dhPtr = heap.ptr(dh);
    const cPrevPtr = p < 0 ? heap.ptr(c0) : csPtr;
    const cPrevOff = p < 0 ? 0 : p * n;
    if (!ops) {
      jsGrads(heap, { dh, dOut, acts, cs, cPrev: p < 0 ? c0 : cs, dc: dcT, dG }, t, B, H, cPrevOff);
    }
    for (let b = 0; ops && b < B && h4 > 0; b++) {
      const a0 = t * B * H4 + b * H4; // row of acts and dG
      const s0 = t * n + b * H; // row of dOut and cs
      const k0 = b * H; // row of dh and dc
      ops.grads(
        dhPtr + 4 * k0,
        dOutPtr + 4 * s0,
        actsPtr + 4 * a0,
        csPtr + 4 * s0,
        cPrevPtr + 4 * (cPrevOff + b * H),
        dcPtr + 4 * k0,
        dGPtr + 4 * a0,
        dGPtr + 4 * a0,
        h4,
        4 * H,
      );
    }
    if (ops && tail) {
      const tp = heap.ptr(tail);
      const [row, row4, at0, st0] = [4 * H, 4 * H4, 4 * (t * B * H4 + h4), 4 * (t * n + h4)];
      const gateFields = (first: number, ptr: number): TailField[] =>
        [0, 1, 2, 3].map((g) => [first + g, ptr + 4 * g * H, row4]);
      const dcField: TailField = [8, dcPtr + 4 * h4, row];
      moveTail(ops, tp, U, B, H - h4, true, [
        [0, dhPtr + 4 * h4, row],
        [1, dOutPtr + st0, row],
        ...gateFields(2, actsPtr + at0),
        [6, csPtr + st0, row],
        [7, cPrevPtr + 4 * (cPrevOff + h4), row],
        dcField,
      ]);
      const dGtail = tp + 36 * U;
      ops.grads(tp, tp + 4 * U, tp + 8 * U, tp + 24 * U, tp + 28 * U, tp + 32 * U, dGtail, dGtail, U, 4 * U);
      moveTail(ops, tp, U, B, H - h4, false, [...gateFields(9, dGPtr + at0), dcField]);
    }
    hidden.run(dGPtr + 4 * t * B * H4, dhBuffer);
    dh = dhBuffer;
  }
  hidden.free();
  if (tail) heap.free(tail);
  const dh0 = dh === dhN ? heap.copyRange(dhN, 0, [B, H]) : dh;
  if (dh0 !== dhBuffer) heap.free(dhBuffer);
  return [dG, dh0, dcT];
}
