import * as tf from '@tensorflow/tfjs-core';

import { bool, float, signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { isGradEnabled, noGrad } from '../../autograd/tape';
import { FusedKernel, hasFusedKernel } from '../../backends/fused-kernels';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkFloat } from './utils';

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

const BATCH_NORM = signature('F.batchNorm', [
  ['runningMean', tensor().optional()],
  ['runningVar', tensor().optional()],
  ['weight', tensor().optional()],
  ['bias', tensor().optional()],
  ['training', bool().default(false)],
  ['momentum', float().default(0.1)],
  ['eps', float({ min: 0 }).default(1e-5)],
]);

/**
 * Batch normalisation over the channel dimension 1 (torch's `F.batch_norm`).
 *
 * Mirrors [torch.nn.functional.batch_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html).
 * In training, each channel is normalised with the batch mean and the *biased* batch variance, and the
 * running statistics (when given) are updated in place with the *unbiased* variance, exactly as torch.
 * The backward pass is torch's closed form (one fused gradient, not a chain of elementwise gradients).
 *
 * Shape:
 * - input: `[N, C, *]` (`[N, C]`, `[N, C, L]`, `[N, C, H, W]`, `[N, C, D, H, W]`); output: same.
 * - runningMean, runningVar, weight, bias: `[C]`.
 *
 * @param input the input, channels in dimension 1.
 * @param args torch's `running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05`,
 *   positionally or in a trailing options object (camelCase). `runningMean`/`runningVar` are `tf.Variable`s `[C]`
 *   updated in place in training, or `null`.
 * @example
 * ```ts
 * const y = F.batchNorm(x, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias, training: true, momentum: 0.8 });
 * ```
 */
export function batchNorm(input: tf.Tensor, ...args: ArgsOf<typeof BATCH_NORM>): tf.Tensor {
  const where = 'F.batchNorm';
  const { runningMean, runningVar, weight, bias, training, momentum, eps } = BATCH_NORM.parse(args);
  tensor().check(input, { where, name: 'input' });
  checkFloat(input, 'input', where);
  if (input.rank < 2)
    throw new ShapeError(
      `batch_norm: expected input with at least 2 dimensions [N, C, ...], got shape ${formatShape(input.shape)}`,
    );
  const C = input.shape[1] as number;
  const check = (t: tf.Tensor | null, name: string) => {
    if (t != null && (t.rank !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(
        `batch_norm: ${name} should contain ${C} elements (input[1] of input shape ${formatShape(input.shape)}), not shape ${formatShape(t.shape)}`,
      );
    }
  };
  check(runningMean, 'running_mean');
  check(runningVar, 'running_var');
  check(weight, 'weight');
  check(bias, 'bias');
  for (const [t, name] of [
    [runningMean, 'running_mean'],
    [runningVar, 'running_var'],
  ] as const) {
    if (training && t != null && !(t instanceof tf.Variable)) {
      throw new ValueError(`${where}: ${name} must be a tf.Variable to be updated in place in training, got a tensor`);
    }
  }
  return batchNormOn(input, false, { runningMean, runningVar, weight, bias, training, momentum, eps });
}

/** {@link batchNorm}'s arguments as parsed. */
export interface BatchNormArgs {
  runningMean: tf.Tensor | null;
  runningVar: tf.Tensor | null;
  weight: tf.Tensor | null;
  bias: tf.Tensor | null;
  training: boolean;
  momentum: number;
  eps: number;
}

/**
 * {@link batchNorm} in a channels-last run (`nn/channels-last.ts`): `input` holds an NCHW tensor as NHWC (channels
 * on the last axis), and so does the result. The caller has checked the shapes as `batchNorm` does on NCHW.
 */
export function batchNormChannelsLast(input: tf.Tensor, a: BatchNormArgs): tf.Tensor {
  return batchNormOn(input, true, a);
}

/** Batch norm of checked arguments, channels on axis 1 or (`channelsLast`) on the last axis. */
function batchNormOn(input: tf.Tensor, channelsLast: boolean, a: BatchNormArgs): tf.Tensor {
  const { runningMean, runningVar, weight, bias, training, momentum, eps } = a;
  const bshape = channelShape(input, channelsLast);
  const perChannel = input.size / channelCount(input, channelsLast);
  if (training) {
    if (perChannel <= 1) {
      throw new ValueError(
        `Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`,
      );
    }
    if (!(eps > 0)) throw new ValueError(`batch_norm: eps must be positive, got ${eps}`);
    return trainingBatchNorm(
      input,
      runningMean as tf.Variable | null,
      runningVar as tf.Variable | null,
      weight,
      bias,
      momentum,
      eps,
      perChannel,
      channelsLast,
    );
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
  n: number,
  channelsLast: boolean,
): tf.Tensor {
  let batchMean: tf.Tensor | null = null;
  let batchVar: tf.Tensor | null = null;
  const C = channelCount(input, channelsLast);
  const w = weight ?? tf.ones([C]);
  const b = bias ?? tf.zeros([C]);
  const keepStats: StatsSink = (mean, variance) => {
    batchMean = mean;
    batchVar = variance;
  };
  const op =
    hasFusedKernel(FusedKernel.BatchNormTrain) && hasFusedKernel(FusedKernel.BatchNormGrad)
      ? FusedBatchNormTrain
      : CompositeBatchNormTrain;
  const out = op(input, w, b, eps, keepStats, channelsLast);
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

/** Receives the kept batch mean and biased variance `[C]` of a training-mode forward. */
type StatsSink = (mean: tf.Tensor, variance: tf.Tensor) => void;

/**
 * Training-mode batch norm as one tape node over the backend's fused kernels: one pass for the statistics and the
 * output, one for the gradients. Saves the input (alive anyway: it is the previous layer's output) and the per-channel
 * mean and invstd, not a normalised copy.
 */
const FusedBatchNormTrain = defineFunction({
  name: 'BatchNormTrain',
  forward(ctx, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number, stats: StatsSink, channelsLast: boolean) {
    const attrs = { eps, channelsLast } as unknown as tf.NamedAttrMap;
    const [y, mean, invstd, variance] = tf
      .engine()
      .runKernel(FusedKernel.BatchNormTrain, { x, weight, bias }, attrs) as tf.Tensor[];
    stats(tf.keep(mean), tf.keep(variance));
    ctx.eps = eps;
    ctx.channelsLast = channelsLast;
    ctx.saveForBackward(x, mean, invstd, weight);
    return y;
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, mean, invstd, weight] = ctx.savedTensors;
    const { eps, channelsLast } = ctx as unknown as { eps: number; channelsLast: boolean };
    if (isGradEnabled()) return [...batchNormBackwardOfX(dy, x, weight, eps, channelsLast), null, null, null];
    const [dx, dw, db] = tf.engine().runKernel(FusedKernel.BatchNormGrad, { dy, x, mean, invstd, weight }, {
      channelsLast,
    } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return [dx, dw, db, null, null, null];
  },
});

/** Training-mode batch norm composed of tfjs ops (backends without the fused kernels), as one tape node. */
const CompositeBatchNormTrain = defineFunction({
  name: 'BatchNormTrain',
  forward(ctx, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number, stats: StatsSink, channelsLast: boolean) {
    const C = channelCount(x, channelsLast);
    const axes = reductionAxes(x.rank, channelsLast);
    const bshape = channelShape(x, channelsLast);
    const mean = tf.mean(x, axes, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), axes, true);
    const invstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, invstd);
    const y = tf.add(tf.mul(xhat, tf.reshape(weight, bshape)), tf.reshape(bias, bshape));
    stats(tf.keep(tf.reshape(mean, [C])), tf.keep(tf.reshape(variance, [C])));
    ctx.eps = eps;
    ctx.channelsLast = channelsLast;
    ctx.saveForBackward(xhat, invstd, weight, x);
    return y;
  },
  backward(ctx, dy: tf.Tensor) {
    const [xhat, invstd, weight, x] = ctx.savedTensors;
    const { eps, channelsLast } = ctx as unknown as { eps: number; channelsLast: boolean };
    if (isGradEnabled()) return [...batchNormBackwardOfX(dy, x, weight, eps, channelsLast), null, null, null];
    const C = channelCount(xhat, channelsLast);
    const axes = reductionAxes(xhat.rank, channelsLast);
    const n = xhat.size / C;
    const dyw = tf.mul(dy, tf.reshape(weight, channelShape(xhat, channelsLast)));
    const sumDyw = tf.sum(dyw, axes, true);
    const sumDywXhat = tf.sum(tf.mul(dyw, xhat), axes, true);
    // torch's batch_norm_backward: dx = invstd * (dy*w - mean(dy*w) - xhat * mean(dy*w*xhat))
    const dx = tf.mul(invstd, tf.sub(tf.sub(dyw, tf.div(sumDyw, n)), tf.mul(xhat, tf.div(sumDywXhat, n))));
    const dw = tf.reshape(tf.sum(tf.mul(dy, xhat), axes), [C]);
    const db = tf.reshape(tf.sum(dy, axes), [C]);
    return [dx, dw, db, null, null, null];
  },
});

/**
 * torch's `batch_norm_backward` (training mode) recomputed from `x` in recorded ops, for a `createGraph` backward
 * that differentiates the gradients again (through `x`'s statistics too); the saved statistics of the forward are
 * constants to the tape. Returns `[dx, dweight, dbias]`.
 */
function batchNormBackwardOfX(
  dy: tf.Tensor,
  x: tf.Tensor,
  weight: tf.Tensor,
  eps: number,
  channelsLast: boolean,
): tf.Tensor[] {
  const C = channelCount(x, channelsLast);
  const axes = reductionAxes(x.rank, channelsLast);
  const xc = tf.sub(x, tf.mean(x, axes, true));
  const invstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), axes, true), eps));
  const xhat = tf.mul(xc, invstd);
  const dyw = tf.mul(dy, tf.reshape(weight, channelShape(x, channelsLast)));
  const meanDyw = tf.mean(dyw, axes, true);
  const meanDywXhat = tf.mean(tf.mul(dyw, xhat), axes, true);
  const dx = tf.mul(invstd, tf.sub(tf.sub(dyw, meanDyw), tf.mul(xhat, meanDywXhat)));
  return [dx, tf.reshape(tf.sum(tf.mul(dy, xhat), axes), [C]), tf.reshape(tf.sum(dy, axes), [C])];
}

/** The channels' axis: 1, or the last in a channels-last run. */
const channelAxis = (rank: number, channelsLast: boolean) => (channelsLast ? rank - 1 : 1);

/** The number of channels of `x`. */
const channelCount = (x: tf.Tensor, channelsLast: boolean) => x.shape[channelAxis(x.rank, channelsLast)] as number;

/** Every dimension but the channels': what the statistics reduce over. */
function reductionAxes(rank: number, channelsLast: boolean): number[] {
  const axis = channelAxis(rank, channelsLast);
  return Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
}

/** `[1, C, 1, ...]` (channels-last: `[1, ..., 1, C]`): a `[C]` vector broadcast along the channels of `x`. */
function channelShape(x: tf.Tensor, channelsLast: boolean): number[] {
  const axis = channelAxis(x.rank, channelsLast);
  return x.shape.map((d, i) => (i === axis ? d : 1));
}
