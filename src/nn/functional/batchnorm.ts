import * as tf from '@tensorflow/tfjs-core';

import { noGrad } from '../../autograd/tape';
import { FusedKernel, hasFusedKernel } from '../../backends/fused-kernels';
import { ShapeError, ValueError } from '../../errors';

/** Options of {@link batchNorm}, torch's keyword arguments. */
export interface BatchNormOptions {
  /** Per-channel scale `[C]` (BatchNorm's `weight`). Default: none (1). */
  weight?: tf.Tensor | null;
  /** Per-channel shift `[C]` (BatchNorm's `bias`). Default: none (0). */
  bias?: tf.Tensor | null;
  /** Normalise with batch statistics and update the running ones (`true`), or use the running ones. Default: `false`. */
  training?: boolean;
  /** Weight of the new batch statistic in the running average: `running = (1 - momentum) * running + momentum * batch`. Default: `0.1`. */
  momentum?: number;
  /** Added to the variance for numerical stability. Default: `1e-5`. */
  eps?: number;
}

/**
 * Batch normalisation over the channel dimension 1 (torch's `F.batch_norm`).
 *
 * Mirrors [torch.nn.functional.batch_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html).
 * In training, each channel is normalised with the batch mean and the *biased* batch variance, and the
 * running statistics (when given) are updated in place with the *unbiased* variance, exactly as torch.
 * The backward pass is torch's closed form (one fused gradient, not a chain of elementwise gradients).
 *
 * Shape:
 * - input: `[N, C]`, `[N, C, L]` or `[N, C, H, W]`; output: same.
 * - runningMean, runningVar, weight, bias: `[C]`.
 *
 * @param input the input, channels in dimension 1.
 * @param runningMean running mean `tf.Variable` `[C]`, updated in place in training; or `null`.
 * @param runningVar running variance `tf.Variable` `[C]`, updated in place in training; or `null`.
 * @example
 * ```ts
 * const y = F.batchNorm(x, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias, training: true, momentum: 0.8 });
 * ```
 */
export function batchNorm(
  input: tf.Tensor,
  runningMean: tf.Variable | null,
  runningVar: tf.Variable | null,
  { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions = {},
): tf.Tensor {
  if (input.rank < 2)
    throw new ShapeError(
      `batch_norm: expected input with at least 2 dimensions [N, C, ...], got shape [${input.shape.join(', ')}]`,
    );
  const C = input.shape[1] as number;
  const check = (t: tf.Tensor | null, name: string) => {
    if (t != null && (t.rank !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(
        `batch_norm: ${name} should contain ${C} elements (input[1] of input shape [${input.shape.join(', ')}]), not shape [${t.shape.join(', ')}]`,
      );
    }
  };
  check(runningMean, 'running_mean');
  check(runningVar, 'running_var');
  check(weight, 'weight');
  check(bias, 'bias');
  const axes = [0, ...Array.from({ length: input.rank - 2 }, (_, i) => i + 2)];
  const bshape = input.shape.map((d, i) => (i === 1 ? d : 1));
  const perChannel = input.size / C;
  if (training) {
    if (perChannel <= 1) {
      throw new ValueError(
        `Expected more than 1 value per channel when training, got input size [${input.shape.join(', ')}]`,
      );
    }
    if (!(eps > 0)) throw new ValueError(`batch_norm: eps must be positive, got ${eps}`);
    return trainingBatchNorm(input, runningMean, runningVar, weight, bias, momentum, eps, axes, bshape, perChannel);
  }
  if (runningMean == null || runningVar == null) {
    throw new ValueError(
      'batch_norm: running_mean and running_var must be defined in evaluation mode (training=false)',
    );
  }
  const scale = tf.rsqrt(tf.add(runningVar, eps));
  let y = tf.mul(tf.sub(input, tf.reshape(runningMean, bshape)), tf.reshape(scale, bshape));
  if (weight != null) y = tf.mul(y, tf.reshape(weight, bshape));
  if (bias != null) y = tf.add(y, tf.reshape(bias, bshape));
  return y;
}

function trainingBatchNorm(
  input: tf.Tensor,
  runningMean: tf.Variable | null,
  runningVar: tf.Variable | null,
  weight: tf.Tensor | null,
  bias: tf.Tensor | null,
  momentum: number,
  eps: number,
  axes: number[],
  bshape: number[],
  n: number,
): tf.Tensor {
  let batchMean: tf.Tensor | null = null;
  let batchVar: tf.Tensor | null = null;
  const C = input.shape[1] as number;
  const w = weight ?? tf.ones([C]);
  const b = bias ?? tf.zeros([C]);
  const keepStats = (mean: tf.Tensor, variance: tf.Tensor) => {
    batchMean = mean;
    batchVar = variance;
  };
  const f =
    hasFusedKernel(FusedKernel.BatchNormTrain) && hasFusedKernel(FusedKernel.BatchNormGrad)
      ? fusedTrainingOp(eps, keepStats)
      : compositeTrainingOp(eps, axes, bshape, n, keepStats);
  const out = f(input, w, b);
  if (weight == null) w.dispose();
  if (bias == null) b.dispose();
  noGrad(() => {
    tf.tidy(() => {
      if (runningMean != null)
        runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(batchMean!, momentum)));
      if (runningVar != null) {
        const unbiased = tf.mul(batchVar!, n / (n - 1));
        runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
      }
    });
  });
  (batchMean as tf.Tensor | null)?.dispose();
  (batchVar as tf.Tensor | null)?.dispose();
  return out;
}

/**
 * Training-mode batch norm as one tape node over the backend's fused kernels: one pass for the statistics and the
 * output, one for the gradients. Saves the input (alive anyway: it is the previous layer's output) and the per-channel
 * mean and invstd, not a normalised copy. `stats` receives the kept batch mean and biased variance `[C]`.
 */
function fusedTrainingOp(
  eps: number,
  stats: (mean: tf.Tensor, variance: tf.Tensor) => void,
): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x, wt, bt, save) => {
    const [y, mean, invstd, variance] = tf
      .engine()
      .runKernel(FusedKernel.BatchNormTrain, { x: x as tf.Tensor, weight: wt as tf.Tensor, bias: bt as tf.Tensor }, {
        eps,
      } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    stats(tf.keep(mean), tf.keep(variance));
    (save as (ts: tf.Tensor[]) => void)([x as tf.Tensor, mean, invstd, wt as tf.Tensor]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [xs, mu, istd, wv]: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(FusedKernel.BatchNormGrad, { dy, x: xs, mean: mu, invstd: istd, weight: wv }, {}) as tf.Tensor[],
    };
  }) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}

/** Training-mode batch norm composed of tfjs ops (backends without the fused kernels), as one tape node. */
function compositeTrainingOp(
  eps: number,
  axes: number[],
  bshape: number[],
  n: number,
  stats: (mean: tf.Tensor, variance: tf.Tensor) => void,
): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x, wt, bt, save) => {
    const xt = x as tf.Tensor;
    const C = xt.shape[1] as number;
    const mean = tf.mean(xt, axes, true);
    const xc = tf.sub(xt, mean);
    const variance = tf.mean(tf.square(xc), axes, true);
    const invstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, invstd);
    const y = tf.add(tf.mul(xhat, tf.reshape(wt as tf.Tensor, bshape)), tf.reshape(bt as tf.Tensor, bshape));
    stats(tf.keep(tf.reshape(mean, [C])), tf.keep(tf.reshape(variance, [C])));
    (save as (ts: tf.Tensor[]) => void)([xhat, invstd, wt as tf.Tensor]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, istd, wv] = saved;
        const dyw = tf.mul(dy, tf.reshape(wv, bshape));
        const sumDyw = tf.sum(dyw, axes, true);
        const sumDywXhat = tf.sum(tf.mul(dyw, xh), axes, true);
        // torch's batch_norm_backward: dx = invstd * (dy*w - mean(dy*w) - xhat * mean(dy*w*xhat))
        const dx = tf.mul(istd, tf.sub(tf.sub(dyw, tf.div(sumDyw, n)), tf.mul(xh, tf.div(sumDywXhat, n))));
        const dw = tf.reshape(tf.sum(tf.mul(dy, xh), axes), [C]);
        const db = tf.reshape(tf.sum(dy, axes), [C]);
        return [dx, dw, db];
      },
    };
  }) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}
