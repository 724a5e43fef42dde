/**
 * What the fused recurrent-layer kernels (`lstm-cell.ts`, `gru-cell.ts`) share: their input checks, the order in
 * which a layer visits its time steps, the hidden-side product of every step, and the float32 sigmoid of their
 * JavaScript tails.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { HeapMatMul } from './batch-matmul';
import type { WasmHeap } from './internals';
import { simdOps } from './simd';

/** `sigmoid(x)` rounded to float32, as the composed path's float32 `Sigmoid` kernel gives it. */
export function sigmoidF32(x: number): number {
  return Math.fround(1 / (1 + Math.exp(-x)));
}

/**
 * Throws a BackendError naming the kernel and the input unless `t` has exactly the shape `expected`.
 * @param kernel the kernel's name.
 * @param what the input's name.
 * @param t the input.
 * @param expected its shape.
 */
export function checkShape(kernel: string, what: string, t: tf.TensorInfo, expected: number[]): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new BackendError(
      `${kernel}: expected ${what} of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`,
    );
  }
}

/**
 * The step processed before step `t` (the previous one in time, or the next when `reverse`), or -1 for the first.
 * @param t the step.
 * @param T the number of steps.
 * @param reverse whether the layer runs backwards in time.
 */
export function prevStep(t: number, T: number, reverse: boolean): number {
  return reverse ? (t < T - 1 ? t + 1 : -1) : t - 1;
}

/**
 * The hidden-side product of every step of a recurrence, `A · W` (`transposed`: `A · Wᵀ`) for `rows` rows of A read in
 * place: on the library's GEMM with W packed once for all steps, else (the GEMM off) on the backend's `BatchMatMul`
 * with A copied out and W transposed once. Take heap views after each `run` (the fallback allocates).
 */
export class StepMatMul {
  private readonly own: HeapMatMul | null;
  /** The fallback's `[k, n]` weight (a transposed copy this owns when `transposed`). */
  private readonly w: tf.TensorInfo | null = null;
  private readonly transposedCopy: boolean;

  /**
   * @param heap the kernel's heap.
   * @param backend the wasm backend.
   * @param w the weight, `[k, n]` (or `[n, k]` when `transposed`).
   * @param k A's columns.
   * @param n C's columns.
   * @param transposed whether `w` holds `Wᵀ`.
   * @param rows A's rows.
   */
  constructor(
    private readonly heap: WasmHeap,
    backend: unknown,
    w: tf.TensorInfo,
    private readonly k: number,
    private readonly n: number,
    transposed: boolean,
    private readonly rows: number,
  ) {
    this.own = HeapMatMul.create(heap, backend, w, k, n, transposed, rows, true);
    if (!this.own) this.w = transposed ? heap.run('Transpose', { x: w }, { perm: [1, 0] }) : w;
    this.transposedCopy = !this.own && transposed;
  }

  /** `out [rows, n] = A · W` for the rows of A at byte offset `aPtr`. */
  run(aPtr: number, out: tf.TensorInfo): void {
    if (this.own) {
      this.own.run(aPtr, this.rows, this.heap.ptr(out));
      return;
    }
    const a = this.heap.alloc([this.rows, this.k]);
    this.heap.f32(a).set(this.heap.floatsAt(aPtr, this.rows * this.k));
    const c = this.heap.matMul(a, this.w!, this.rows, this.k, this.n);
    this.heap.f32(out).set(this.heap.f32(c));
    this.heap.free(a);
    this.heap.free(c);
  }

  /** Releases the packed or transposed weight. */
  free(): void {
    this.own?.free();
    if (this.transposedCopy) this.heap.free(this.w!);
  }
}

/**
 * Adds the `[n]` row `bias` to each of the `rows` rows of the `[rows, n]` tensor `t` in place (SIMD where the
 * backend has it): a step's hidden-side bias, added to its product as torch adds a linear map's bias.
 */
export function addRows(heap: WasmHeap, t: tf.TensorInfo, bias: tf.TensorInfo, rows: number, n: number): void {
  const ops = simdOps(heap.memory());
  const n4 = ops ? n & ~3 : 0;
  const [tPtr, bPtr] = [heap.ptr(t), heap.ptr(bias)];
  if (n4 > 0) for (let r = 0; r < rows; r++) ops!.add(tPtr + 4 * r * n, bPtr, tPtr + 4 * r * n, n4);
  if (n4 === n) return;
  const tv = heap.f32(t);
  const bv = heap.f32(bias);
  for (let r = 0; r < rows; r++) for (let j = n4; j < n; j++) tv[r * n + j] += bv[j];
}
