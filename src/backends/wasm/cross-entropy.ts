/**
 * Cross entropy over class-index targets (`F.crossEntropy` without class weights or label smoothing) as two wasm
 * kernels: the forward pass gives each row's loss `logsumexp(x) - x[target]` and its `logsumexp`; the backward pass
 * writes `softmax(x) * g - onehot(target) * g` in one sweep. They replace the composed `logSoftmax` + NLL (Max, Sub,
 * Exp, Sum, Log, Sub, a gather, then the gradients' Exp, Sum, Mul, Sub and a scatter), which on a language model's
 * `[700, 10000]` logits read and write every element about ten times; here every element is read twice forward
 * and once backward.
 *
 * The exponentials run in WebAssembly SIMD, four at a time (`simd-math.ts`'s `exp`: within 1 ulp of `Math.exp`,
 * exactly 0 below `-87.34`). Sums accumulate in float64.
 * Without SIMD the kernels run the same loops in JS with `Math.exp`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';
import { type Fn, asm, assembleModule } from './simd';
import { at, expOf, f32x4, loop16, op, toBytes } from './simd-math';

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

const { I32, F32, V128, get, set, tee, LOAD, STORE } = asm;
const F64 = 0x7c;
const { F32X4_SPLAT, F64X2_PROMOTE_LOW, F32X4_SUB, F32X4_MUL, F32X4_MAX, F64X2_ADD, F32X4_EXTRACT, F64X2_EXTRACT } = op;
const { SHUFFLE_HIGH_TO_LOW, F32_MAX, F64_ADD } = op;

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
  const tv = heap.i32(target);
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
  const tv = heap.i32(target);
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
