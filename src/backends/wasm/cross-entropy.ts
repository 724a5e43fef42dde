/**
 * Cross entropy over class-index targets (`F.crossEntropy` without class weights or label smoothing) as two wasm
 * kernels: the forward pass gives each row's loss `logsumexp(x) - x[target]` and its `logsumexp`; the backward pass
 * writes `softmax(x) * g - onehot(target) * g` in one sweep. They replace the composed `logSoftmax` + NLL (Max, Sub,
 * Exp, Sum, Log, Sub, a gather, then the gradients' Exp, Sum, Mul, Sub and a scatter), which on a language model's
 * `[700, 10000]` logits read and write every element about ten times; here every element is read twice forward
 * and once backward.
 *
 * The exponentials run in WebAssembly SIMD, four at a time, assembled here with `simd.ts`'s assembler: Cephes' `expf`
 * (range reduction by `ln 2` in two parts, a degree-5 polynomial, the power of two built in the exponent bits), within
 * 2 ulp of `Math.exp` over the range softmax uses; below `-87.34` the result is exactly 0. Sums accumulate in float64.
 * Without SIMD the kernels run the same loops in JS with `Math.exp`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';
import { type Fn, asm, assembleModule } from './simd';

/** Kernel names (namespaced: they are not tfjs's). Core-safe: `F.crossEntropy` checks for them by name. */
export const CrossEntropyKernel = {
  /**
   * `{logits [M, C], target [M] int32}`, attrs `{ignoreIndex}` → `[loss [M], lse [M]]`: per row
   * `lse = log(sum(exp(x)))` and `loss = lse - x[target]`; rows whose target is `ignoreIndex` get 0 for both.
   */
  Forward: 'TfjsTorchCrossEntropy',
  /**
   * `{logits, lse, target, g [M]}`, attrs `{ignoreIndex}` → `dx [M, C] = (exp(x - lse) - onehot(target)) * g` per row,
   * rows whose target is `ignoreIndex` all zero.
   */
  Backward: 'TfjsTorchCrossEntropyGrad',
} as const;

// ---------------------------------------------------------------------------------------------------
// The SIMD module

/** The module's exports; `n4` = float count, a multiple of 4. */
interface ExpOps {
  /** Largest of `n4` floats at `x` (NaN if any is NaN). */
  rowMax(x: number, n4: number): number;
  /** Float64 sum of `exp(x - shift)` over `n4` floats at `x`. */
  expSum(x: number, n4: number, shift: number): number;
  /** `out = exp(x - shift) * scale` over `n4` floats. */
  expScale(x: number, out: number, n4: number, shift: number, scale: number): void;
}

const { I32, F32, V128, get, set, tee, i32c, simd, I32_ADD, I32_GE_U, LOAD, STORE } = asm;
const F64 = 0x7c;

const f32x4 = (v: number) => simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
const i32x4 = (v: number) => simd(0x0c, ...new Uint8Array(new Int32Array([v, v, v, v]).buffer));
const F32X4_SPLAT = simd(0x13);
const F32X4_LT = simd(0x43);
const V128_ANDNOT = simd(0x4f);
const F64X2_PROMOTE_LOW = simd(0x5f);
const F32X4_NEAREST = simd(0x6a);
const I32X4_SHL = simd(0xab);
const I32X4_ADD = simd(0xae);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F32X4_MIN = simd(0xe8);
const F32X4_MAX = simd(0xe9);
const F64X2_ADD = simd(0xf0);
const I32X4_TRUNC_SAT_F32X4_S = simd(0xf8);
const F32X4_EXTRACT = (lane: number) => simd(0x1f, lane);
const F64X2_EXTRACT = (lane: number) => simd(0x21, lane);
const SHUFFLE_HIGH_TO_LOW = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
const F32_MAX = [0x97];
const F64_ADD = [0xa0];

/** Below this, `exp` is 0 (the smallest normal float's exponent); above `EXP_HI` it overflows. */
const EXP_LO = -87.33654;
const EXP_HI = 88.37626;

/**
 * `exp(v)` for the v128 in local `v`, left on the stack (Cephes' expf). Scratch v128 locals: `xc`, `n`, `r`.
 * NaN stays NaN; below {@link EXP_LO} gives +0.
 */
function expOf(v: number, xc: number, n: number, r: number): number[] {
  return [
    // xc = clamp(v); n = nearest(xc * log2(e)); r = xc - n * ln2 (in two parts: n * C1 is exact)
    ...get(v),
    ...f32x4(EXP_LO),
    ...F32X4_MAX,
    ...f32x4(EXP_HI),
    ...F32X4_MIN,
    ...tee(xc),
    ...f32x4(Math.LOG2E),
    ...F32X4_MUL,
    ...F32X4_NEAREST,
    ...set(n),
    ...get(xc),
    ...get(n),
    ...f32x4(0.693359375),
    ...F32X4_MUL,
    ...F32X4_SUB,
    ...get(n),
    ...f32x4(-2.1219444e-4),
    ...F32X4_MUL,
    ...F32X4_SUB,
    ...set(r),
    // p(r) = ((((p0 r + p1) r + p2) r + p3) r + p4) r + p5; exp(r) = p r² + r + 1
    ...f32x4(1.98756915e-4),
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(1.3981999507e-3),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(8.3334519073e-3),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(4.1665795894e-2),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(1.6666665459e-1),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(5.0000001201e-1),
    ...F32X4_ADD,
    ...get(r),
    ...get(r),
    ...F32X4_MUL,
    ...F32X4_MUL,
    ...get(r),
    ...F32X4_ADD,
    ...f32x4(1),
    ...F32X4_ADD,
    // * 2^n, built in the exponent bits
    ...get(n),
    ...I32X4_TRUNC_SAT_F32X4_S,
    ...i32x4(127),
    ...I32X4_ADD,
    ...i32c(23),
    ...I32X4_SHL,
    ...F32X4_MUL,
    // exactly 0 below the range (NaN compares false and stays NaN)
    ...get(v),
    ...f32x4(EXP_LO),
    ...F32X4_LT,
    ...V128_ANDNOT,
  ];
}

/** A loop over byte offsets `i = 0, 16, ...` below `bytes` (locals), running `body` each time. */
function loop16(i: number, bytes: number, body: number[]): number[] {
  return [
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...get(i),
    ...get(bytes),
    ...I32_GE_U,
    0x0d,
    1, // br_if 1 (exit)
    ...body,
    ...get(i),
    ...i32c(16),
    ...I32_ADD,
    ...set(i),
    0x0c,
    0, // br 0
    0x0b,
    0x0b, // end loop, end block
  ];
}

/** `n4` floats (local `n`) -> bytes, in place. */
const toBytes = (n: number) => [...get(n), ...i32c(2), 0x74 /* i32.shl */, ...set(n)];
const at = (ptr: number, i: number) => [...get(ptr), ...get(i), ...I32_ADD];

function functions(): Fn[] {
  // rowMax(x 0, n 1) -> f32; locals: i 2, acc 3
  const rowMax: Fn = {
    name: 'rowMax',
    params: [I32, I32],
    results: [F32],
    locals: [I32, V128],
    body: [
      ...toBytes(1),
      ...f32x4(Number.NEGATIVE_INFINITY),
      ...set(3),
      ...loop16(2, 1, [...at(0, 2), ...LOAD, ...get(3), ...F32X4_MAX, ...set(3)]),
      ...get(3),
      ...F32X4_EXTRACT(0),
      ...get(3),
      ...F32X4_EXTRACT(1),
      ...F32_MAX,
      ...get(3),
      ...F32X4_EXTRACT(2),
      ...F32_MAX,
      ...get(3),
      ...F32X4_EXTRACT(3),
      ...F32_MAX,
    ],
  };
  // expSum(x 0, n 1, shift 2 f32) -> f64; locals: i 3, vs 4, v 5, xc 6, nn 7, r 8, e 9, acc 10
  const expSum: Fn = {
    name: 'expSum',
    params: [I32, I32, F32],
    results: [F64],
    locals: [I32, V128, V128, V128, V128, V128, V128, V128],
    body: [
      ...toBytes(1),
      ...get(2),
      ...F32X4_SPLAT,
      ...set(4),
      ...loop16(3, 1, [
        ...at(0, 3),
        ...LOAD,
        ...get(4),
        ...F32X4_SUB,
        ...set(5),
        ...expOf(5, 6, 7, 8),
        ...tee(9),
        ...F64X2_PROMOTE_LOW,
        ...get(10),
        ...F64X2_ADD,
        ...get(9),
        ...get(9),
        ...SHUFFLE_HIGH_TO_LOW,
        ...F64X2_PROMOTE_LOW,
        ...F64X2_ADD,
        ...set(10),
      ]),
      ...get(10),
      ...F64X2_EXTRACT(0),
      ...get(10),
      ...F64X2_EXTRACT(1),
      ...F64_ADD,
    ],
  };
  // expScale(x 0, out 1, n 2, shift 3 f32, scale 4 f32); locals: i 5, vs 6, vscale 7, v 8, xc 9, nn 10, r 11
  const expScale: Fn = {
    name: 'expScale',
    params: [I32, I32, I32, F32, F32],
    results: [],
    locals: [I32, V128, V128, V128, V128, V128, V128],
    body: [
      ...toBytes(2),
      ...get(3),
      ...F32X4_SPLAT,
      ...set(6),
      ...get(4),
      ...F32X4_SPLAT,
      ...set(7),
      ...loop16(5, 2, [
        ...at(1, 5),
        ...at(0, 5),
        ...LOAD,
        ...get(6),
        ...F32X4_SUB,
        ...set(8),
        ...expOf(8, 9, 10, 11),
        ...get(7),
        ...F32X4_MUL,
        ...STORE,
      ]),
    ],
  };
  return [rowMax, expSum, expScale];
}

const instances = new WeakMap<WebAssembly.Memory, ExpOps | null>();

/** The module bound to `memory`, or null where WebAssembly SIMD is unavailable. Compiled once per memory. */
function expOps(memory: WebAssembly.Memory | undefined): ExpOps | null {
  if (memory === undefined) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let ops: ExpOps | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(assembleModule(functions(), shared));
    ops = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ExpOps;
  } catch {
    ops = null;
  }
  instances.set(memory, ops);
  return ops;
}

// ---------------------------------------------------------------------------------------------------
// The kernels

type Args<I> = { inputs: I; attrs: { ignoreIndex: number }; backend: unknown };

function checkRows(kernel: string, logits: tf.TensorInfo, rowTensors: Record<string, tf.TensorInfo>): [number, number] {
  if (logits.shape.length !== 2 || logits.dtype !== 'float32') {
    throw new BackendError(
      `${kernel}: expected float32 logits [M, C], got ${logits.dtype} ${formatShape(logits.shape)}`,
    );
  }
  const [m, c] = logits.shape;
  for (const [what, t] of Object.entries(rowTensors)) {
    if (t.shape.length !== 1 || t.shape[0] !== m) {
      throw new BackendError(`${kernel}: expected ${what} of shape [${m}], got ${formatShape(t.shape)}`);
    }
  }
  return [m, c];
}

/** An int32 view of a tensor on the heap (valid until the next allocation). */
function int32View(heap: WasmHeap, t: tf.TensorInfo, kernel: string): Int32Array {
  const memory = heap.memory();
  if (t.dtype !== 'int32' || !memory) {
    throw new BackendError(`${kernel}: expected an int32 target on the wasm heap, got ${t.dtype}`);
  }
  return new Int32Array(memory.buffer, heap.ptr(t), t.shape[0]);
}

/** {@link CrossEntropyKernel.Forward} on the wasm backend. */
export function crossEntropyWasm(args: Args<{ logits: tf.TensorInfo; target: tf.TensorInfo }>): tf.TensorInfo[] {
  const kernel = CrossEntropyKernel.Forward;
  const {
    inputs: { logits, target },
    attrs: { ignoreIndex },
    backend,
  } = args;
  const [m, c] = checkRows(kernel, logits, { target });
  const heap = new WasmHeap(backend, kernel);
  const loss = heap.alloc([m]);
  const lse = heap.alloc([m]);
  const ops = expOps(heap.memory());
  const c4 = ops ? c & ~3 : 0;
  const base = heap.ptr(logits);
  const xv = heap.f32(logits);
  const tv = int32View(heap, target, kernel);
  const lossV = heap.f32(loss);
  const lseV = heap.f32(lse);
  for (let row = 0; row < m; row++) {
    const t = tv[row];
    if (t === ignoreIndex) {
      lossV[row] = 0;
      lseV[row] = 0;
      continue;
    }
    const r0 = row * c;
    let max = c4 > 0 ? ops!.rowMax(base + 4 * r0, c4) : Number.NEGATIVE_INFINITY;
    for (let k = r0 + c4; k < r0 + c; k++) max = Math.max(max, xv[k]);
    let sum = c4 > 0 ? ops!.expSum(base + 4 * r0, c4, max) : 0;
    for (let k = r0 + c4; k < r0 + c; k++) sum += Math.exp(xv[k] - max);
    const l = max + Math.log(sum);
    lseV[row] = l;
    lossV[row] = l - xv[r0 + t];
  }
  return [loss, lse];
}

/** {@link CrossEntropyKernel.Backward} on the wasm backend. */
export function crossEntropyGradWasm(
  args: Args<{ logits: tf.TensorInfo; lse: tf.TensorInfo; target: tf.TensorInfo; g: tf.TensorInfo }>,
): tf.TensorInfo {
  const kernel = CrossEntropyKernel.Backward;
  const {
    inputs: { logits, lse, target, g },
    attrs: { ignoreIndex },
    backend,
  } = args;
  const [m, c] = checkRows(kernel, logits, { lse, target, g });
  const heap = new WasmHeap(backend, kernel);
  const dx = heap.alloc([m, c]);
  const ops = expOps(heap.memory());
  const c4 = ops ? c & ~3 : 0;
  const xPtr = heap.ptr(logits);
  const dxPtr = heap.ptr(dx);
  const xv = heap.f32(logits);
  const dxv = heap.f32(dx);
  const lseV = heap.f32(lse);
  const gv = heap.f32(g);
  const tv = int32View(heap, target, kernel);
  for (let row = 0; row < m; row++) {
    const t = tv[row];
    const r0 = row * c;
    if (t === ignoreIndex) {
      dxv.fill(0, r0, r0 + c);
      continue;
    }
    const l = lseV[row];
    const s = gv[row];
    if (c4 > 0) ops!.expScale(xPtr + 4 * r0, dxPtr + 4 * r0, c4, l, s);
    for (let k = r0 + c4; k < r0 + c; k++) dxv[k] = Math.exp(xv[k] - l) * s;
    dxv[r0 + t] -= s;
  }
  return dx;
}
