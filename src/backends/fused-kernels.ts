/**
 * Names of the fused kernels that the functional ops use when the active backend has them (the `wasm` backend after
 * `registerWasmTrainingKernels`), and the check that picks them. Core-safe: imports no backend.
 *
 * Each fused kernel computes in one pass what the generic path computes with several tfjs kernels, to torch's
 * formulas; on backends without them the functional ops run their generic tfjs composition.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** Kernel names (namespaced: they are not tfjs's). */
export const FusedKernel = {
  /**
   * `{x, weight, bias}`, attrs `{eps, channelsLast}` → `[y, mean, invstd, biasedVar]`: BatchNorm in training mode.
   * Channels on axis 1 (`[N, C, ...]`), or with `channelsLast: true` on the last axis (`[..., C]`, rank >= 2);
   * `mean`, `invstd` and `biasedVar` are `[C]`, `y` has `x`'s shape. `weight` and `bias` (`[C]`) are optional.
   */
  BatchNormTrain: 'TfjsTorchBatchNormTrain',
  /**
   * `{dy, x, mean, invstd, weight}`, attrs `{channelsLast}` → `[dx, dweight, dbias]`: torch's `batch_norm_backward`
   * (training mode), channels laid out as `BatchNormTrain`'s `channelsLast` says. `weight` is optional.
   */
  BatchNormGrad: 'TfjsTorchBatchNormGrad',
  /** `{x}`, attrs `{alpha}` → `x > 0 ? x : alpha * x`. */
  LeakyRelu: 'TfjsTorchLeakyRelu',
  /**
   * `{dy, x}`, attrs `{alpha}` → `x > 0 ? dy : alpha * dy` (exactly 0 for `alpha = 0`, as torch's threshold_backward).
   * For `alpha >= 0`, `x` may be the forward output instead of the input: it is positive exactly where the input is.
   */
  LeakyReluGrad: 'TfjsTorchLeakyReluGrad',
} as const;

/**
 * Whether the active backend has the fused kernel `name`.
 * @param name one of {@link FusedKernel}'s values.
 * @example
 * ```ts
 * const y = hasFusedKernel(FusedKernel.LeakyRelu)
 *   ? tf.engine().runKernel(FusedKernel.LeakyRelu, { x }, { alpha: 0.2 })
 *   : tf.leakyRelu(x, 0.2);
 * ```
 */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}
