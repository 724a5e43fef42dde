/**
 * What the fused recurrent-layer kernels (`lstm-cell.ts`, `gru-cell.ts`) share: their input checks, the order in
 * which a layer visits its time steps, and the float32 sigmoid of their JavaScript tails.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';

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
