/**
 * Regression and likelihood losses: torch.nn.functional's `smooth_l1_loss`, `huber_loss`, `kl_div`,
 * `poisson_nll_loss` and `gaussian_nll_loss`, with PyTorch 1.13's formulas, reductions, argument checks and error
 * texts. Their gradients are those of the composed tfjs ops, which equal torch's away from the kinks.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, oneOf, signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { regressionPair } from './loss';
import { checkTensors, legacyReduction, legacyReductionArg, reduce, reductionArg, sameShape } from './utils';

const SMOOTH_L1 = signature('F.smoothL1Loss', [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
  ['beta', float().default(1)],
]);

/**
 * Smooth L1 loss: `0.5 d² / β` where `|d| < β`, else `|d| - 0.5 β`, with `d = x - y` (`β = 0` is the L1 loss).
 *
 * Mirrors [torch.nn.functional.smooth_l1_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.smooth_l1_loss.html).
 * A target of a different but broadcastable shape is broadcast with a warning, as torch.
 *
 * Shape: input `[*]`, target `[*]` (same shape); output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input predictions.
 * @param target targets.
 * @param args torch's `size_average=None, reduce=None, reduction='mean', beta=1.0`, positionally or in a trailing
 *   options object. `beta` must be non-negative.
 * @example
 * ```ts
 * F.smoothL1Loss(pred, target, { beta: 0.5 });
 * ```
 */
export function smoothL1Loss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof SMOOTH_L1>): tf.Tensor {
  const where = 'F.smoothL1Loss';
  const { sizeAverage, reduce: legacy, reduction: r, beta } = SMOOTH_L1.parse(args);
  checkTensors(where, { input, target });
  if (beta < 0)
    throw new ValueError(`${where}: smooth_l1_loss does not support negative values for beta (got ${beta})`);
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, where);
    const d = tf.sub(x, y);
    const a = tf.abs(d);
    const loss =
      beta === 0 ? a : tf.where(tf.less(a, beta), tf.div(tf.mul(0.5, tf.square(d)), beta), tf.sub(a, 0.5 * beta));
    return reduce(loss, reduction);
  });
}

const HUBER = signature('F.huberLoss', [
  ['reduction', reductionArg().default('mean')],
  ['delta', float().default(1)],
]);

/**
 * Huber loss: `0.5 d²` where `|d| < δ`, else `δ (|d| - 0.5 δ)`, with `d = x - y`.
 *
 * Mirrors [torch.nn.functional.huber_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.huber_loss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input predictions.
 * @param target targets.
 * @param args torch's `reduction='mean', delta=1.0`, positionally or in a trailing options object; `delta > 0`.
 * @example
 * ```ts
 * F.huberLoss(pred, target, { delta: 2 });
 * ```
 */
export function huberLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof HUBER>): tf.Tensor {
  const where = 'F.huberLoss';
  const { reduction, delta } = HUBER.parse(args);
  checkTensors(where, { input, target });
  if (!(delta > 0))
    throw new ValueError(`${where}: huber_loss does not support non-positive values for delta (got ${delta})`);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, where);
    const d = tf.sub(x, y);
    const a = tf.abs(d);
    const loss = tf.where(tf.less(a, delta), tf.mul(0.5, tf.square(d)), tf.mul(delta, tf.sub(a, 0.5 * delta)));
    return reduce(loss, reduction);
  });
}

const KL_DIV = signature('F.klDiv', [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', oneOf(['none', 'mean', 'sum', 'batchmean']).default('mean')],
  ['logTarget', bool().default(false)],
]);

/** `t · log(t)`, 0 where `t = 0` (torch's `xlogy(t, t)`), with a finite gradient `log(t) + 1` where `t > 0`. */
function xlogx(t: tf.Tensor): tf.Tensor {
  const pos = tf.greater(t, 0);
  const safe = tf.where(pos, t, tf.onesLike(t));
  return tf.where(pos, tf.mul(t, tf.log(safe)), tf.zerosLike(t));
}

/**
 * Kullback-Leibler divergence of `target` from the log-probabilities `input`: `t · (log t - x)` (torch's
 * `xlogy(t, t) - t · x`), or `exp(t) · (t - x)` with `logTarget`. `'batchmean'` divides the sum by the batch size
 * (the mathematical KL); `'mean'` divides by the number of elements, with torch's warning.
 *
 * Mirrors [torch.nn.functional.kl_div](https://pytorch.org/docs/1.13/generated/torch.nn.functional.kl_div.html).
 *
 * Shape: input `[*]`, target `[*]` (same shape); output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input log-probabilities.
 * @param target probabilities (or log-probabilities with `logTarget`).
 * @param args torch's `size_average=None, reduce=None, reduction='mean', log_target=False`, positionally or in a
 *   trailing options object; `reduction` is `'none'`, `'mean'`, `'sum'` or `'batchmean'`.
 * @example
 * ```ts
 * F.klDiv(tf.logSoftmax(logits), targetProbs, { reduction: 'batchmean' });
 * ```
 */
export function klDiv(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof KL_DIV>): tf.Tensor {
  const where = 'F.klDiv';
  const { sizeAverage, reduce: legacy, reduction, logTarget } = KL_DIV.parse(args);
  checkTensors(where, { input, target });
  let r: 'none' | 'mean' | 'sum';
  if (sizeAverage !== null || legacy !== null) r = legacyReduction(sizeAverage, legacy, 'mean');
  else {
    if (reduction === 'mean') {
      console.warn(
        "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides " +
          "only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the " +
          "same as 'batchmean' in the next major release.",
      );
    }
    r = reduction === 'batchmean' ? 'sum' : reduction;
  }
  return tf.tidy(() => {
    const [x, t] = regressionPair(input, target, where, false);
    const loss = logTarget ? tf.mul(tf.exp(t), tf.sub(t, x)) : tf.sub(xlogx(t), tf.mul(t, x));
    const reduced = reduce(loss, r);
    return reduction === 'batchmean' && input.rank !== 0 ? tf.div(reduced, input.shape[0] as number) : reduced;
  });
}

const POISSON_NLL = signature('F.poissonNllLoss', [
  ['logInput', bool().default(true)],
  ['full', bool().default(false)],
  ['sizeAverage', legacyReductionArg()],
  ['eps', float().default(1e-8)],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);

/**
 * Negative log-likelihood of a Poisson-distributed `target` with rate `input`: `exp(x) - t · x` (`logInput`), or
 * `x - t · log(x + eps)`; with `full`, Stirling's term `t log t - t + 0.5 log(2π t)` is added where `t > 1`.
 *
 * Mirrors [torch.nn.functional.poisson_nll_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.poisson_nll_loss.html).
 *
 * Shape: input `[*]`, target `[*]` (broadcastable); output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input the log-rate (or the rate with `logInput: false`).
 * @param target counts.
 * @param args torch's `log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, reduction='mean'`,
 *   positionally or in a trailing options object.
 * @example
 * ```ts
 * F.poissonNllLoss(logRate, counts, { full: true });
 * ```
 */
export function poissonNllLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof POISSON_NLL>): tf.Tensor {
  const where = 'F.poissonNllLoss';
  const { logInput, full, sizeAverage, eps, reduce: legacy, reduction: r } = POISSON_NLL.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const [x, t] = regressionPair(input, target, where, false);
    let loss = logInput ? tf.sub(tf.exp(x), tf.mul(t, x)) : tf.sub(x, tf.mul(t, tf.log(tf.add(x, eps))));
    if (full) {
      const big = tf.greater(t, 1);
      const safe = tf.where(big, t, tf.onesLike(t));
      const stirling = tf.add(tf.sub(tf.mul(safe, tf.log(safe)), safe), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, safe))));
      loss = tf.add(loss, tf.where(big, stirling, tf.zerosLike(stirling)));
    }
    return reduce(loss, reduction);
  });
}

const GAUSSIAN_NLL = signature('F.gaussianNllLoss', [
  ['var', tensor()],
  ['full', bool().default(false)],
  ['eps', float({ min: 0 }).default(1e-6)],
  ['reduction', reductionArg().default('mean')],
]);

/** `max(v, eps)` in the forward, identity in the backward: torch clamps `var` under `no_grad`. */
const ClampMinNoGrad = defineFunction({
  name: 'ClampMinNoGrad',
  forward(_ctx, v: tf.Tensor, eps: number) {
    return tf.maximum(v, eps);
  },
  backward(_ctx, dy: tf.Tensor) {
    return [dy, null];
  },
});

/**
 * Gaussian negative log-likelihood: `0.5 (log(max(var, eps)) + (x - y)² / max(var, eps))` (+ `0.5 log(2π)` with
 * `full`). `var` has the input's shape, or one dimension less, or a last dimension of 1 (one variance per sample);
 * the clamp at `eps` is not differentiated, as torch's.
 *
 * Mirrors [torch.nn.functional.gaussian_nll_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.gaussian_nll_loss.html).
 *
 * Shape: input `[N, *]`, target `[N, *]`, var `[N, *]`, `[N, *-1]` or `[N, *-1, 1]`; output a scalar, or the
 * broadcast shape with `reduction: 'none'`.
 *
 * @param input the predicted means.
 * @param target the samples.
 * @param args torch's `var, full=False, eps=1e-06, reduction='mean'`, positionally or in a trailing options object.
 * @example
 * ```ts
 * F.gaussianNllLoss(mean, target, variance, { full: true });
 * ```
 */
export function gaussianNllLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof GAUSSIAN_NLL>): tf.Tensor {
  const where = 'F.gaussianNllLoss';
  const { var: variance, full, eps, reduction } = GAUSSIAN_NLL.parse(args);
  checkTensors(where, { input, target });
  let varShape = variance.shape;
  if (!sameShape(varShape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (input.rank > 0 && sameShape(lead, varShape)) varShape = [...varShape, 1];
    else if (!(varShape.length > 0 && sameShape(lead, varShape.slice(0, -1)) && varShape[varShape.length - 1] === 1)) {
      throw new ShapeError(
        `${where}: var is of incorrect size: expected ${formatShape(input.shape)}, ${formatShape(lead)} or ` +
          `${formatShape([...lead, 1])} for input ${formatShape(input.shape)}, got ${formatShape(variance.shape)}`,
      );
    }
  }
  const negative = tf.tidy(() => tf.any(tf.less(variance, 0)));
  const bad = negative.dataSync()[0] !== 0;
  negative.dispose();
  if (bad) throw new ValueError(`${where}: var has negative entry/entries`);
  return tf.tidy(() => {
    const v = ClampMinNoGrad(tf.reshape(variance, varShape), eps);
    let loss = tf.mul(0.5, tf.add(tf.log(v), tf.div(tf.square(tf.sub(input, target)), v)));
    if (full) loss = tf.add(loss, 0.5 * Math.log(2 * Math.PI));
    return reduce(loss, reduction);
  });
}
