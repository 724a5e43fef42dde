/**
 * Loss functions: torch.nn.functional's `binary_cross_entropy`, `binary_cross_entropy_with_logits`,
 * `mse_loss` and `l1_loss`, with PyTorch 1.13's forward values, gradients, reductions and error messages
 * (`nll_loss` and `cross_entropy` are in `loss-nll.ts`).
 *
 * Where tfjs's own gradient differs from torch's (BCE's clamped logs at exactly 0 and 1, `|x|` at 0,
 * the stable logits formula), the op is a {@link defineFunction} carrying torch's backward formula.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ProbabilityRangeError, ShapeError, formatShape } from '../../errors';
import {
  broadcastShapes,
  checkTensors,
  legacyReduction,
  legacyReductionArg,
  reduce,
  reductionArg,
  sameShape,
  type Reduction,
} from './utils';

export type { Reduction } from './utils';
export { crossEntropy, nllLoss, type CrossEntropyOptions, type NLLLossOptions } from './loss-nll';

const BCE = signature('F.binaryCrossEntropy', [
  ['weight', tensor().optional()],
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);

const BCE_LOGITS = signature('F.binaryCrossEntropyWithLogits', [
  ['weight', tensor().optional()],
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
  ['posWeight', tensor().optional()],
]);

const MSE = signature('F.mseLoss', [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);

const L1 = signature('F.l1Loss', MSE.params);

/**
 * Options of {@link binaryCrossEntropy}: `weight` (per-element rescaling, broadcastable to the input; default
 * `null`), torch's deprecated `sizeAverage`/`reduce`, and `reduction` (default `'mean'`).
 */
export interface BinaryCrossEntropyOptions {
  /** Rescaling weight of each element, broadcastable to the input's shape. Default: `null`. */
  weight?: tf.Tensor | null;
  /** torch's deprecated `size_average` (overrides `reduction` when given). Default: `null`. */
  sizeAverage?: boolean | null;
  /** torch's deprecated `reduce` (overrides `reduction` when given). Default: `null`. */
  reduce?: boolean | null;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of {@link binaryCrossEntropyWithLogits}: those of {@link binaryCrossEntropy} and `posWeight`. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of positive examples, broadcastable to the input's shape (usually `[C]`). Default: `null`. */
  posWeight?: tf.Tensor | null;
}

/** Options of {@link mseLoss} and {@link l1Loss}: `reduction` (and torch's deprecated `sizeAverage`/`reduce`). */
export interface ReductionOptions {
  /** torch's deprecated `size_average` (overrides `reduction` when given). Default: `null`. */
  sizeAverage?: boolean | null;
  /** torch's deprecated `reduce` (overrides `reduction` when given). Default: `null`. */
  reduce?: boolean | null;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

// ---------------------------------------------------------------------------------------------------
// Shared checks

/** A weight (or pos_weight) must broadcast to the loss's shape without growing it, as torch's in-place ops require. */
export function checkWeightShape(weight: tf.Tensor, shape: readonly number[], what: string, where: string): void {
  const b = broadcastShapes(shape, weight.shape, where);
  if (!sameShape(b, shape)) {
    throw new ShapeError(
      `${where}: ${what} of shape ${formatShape(weight.shape)} broadcasts the loss of shape ${formatShape(shape)} to ${formatShape(b)}; ` +
        `expected a ${what} broadcastable to ${formatShape(shape)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Binary cross-entropy

/** Elementwise `-(t log x + (1 - t) log(1 - x))` with each log clamped at -100, and torch's gradients. */
const BCEElementwise = defineFunction({
  name: 'BinaryCrossEntropy',
  forward(ctx, x: tf.Tensor, t: tf.Tensor) {
    ctx.saveForBackward(x, t);
    // torch: (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100)
    return tf.sub(tf.mul(tf.sub(t, 1), tf.maximum(tf.log(tf.sub(1, x)), -100)), tf.mul(t, tf.maximum(tf.log(x), -100)));
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, t] = ctx.savedTensors;
    return [
      // torch's binary_cross_entropy_backward: grad * (x - t) / max((1 - x) * x, 1e-12)
      tf.div(tf.mul(dy, tf.sub(x, t)), tf.maximum(tf.mul(tf.sub(1, x), x), 1e-12)),
      // torch's binary_cross_entropy_target_backward: -logit(x) * grad (not clamped)
      ctx.needsInputGrad[1] ? tf.mul(tf.neg(tf.log(tf.div(x, tf.sub(1, x)))), dy) : null,
    ];
  },
});

/** Throws torch's "all elements of input should be between 0 and 1", after one boolean read. */
function checkProbabilities(input: tf.Tensor, where: string): void {
  const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.logicalAnd(tf.greaterEqual(input, 0), tf.lessEqual(input, 1)))));
  const isBad = bad.dataSync()[0] !== 0;
  bad.dispose();
  if (!isBad) return;
  const data = input.dataSync();
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  for (const v of data) {
    if (Number.isNaN(v)) nan++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  throw new ProbabilityRangeError(
    `${where}: all elements of input should be between 0 and 1, got values in [${min}, ${max}]` +
      (nan ? ` and ${nan} NaN` : '') +
      ` (input shape ${formatShape(input.shape)}; apply a sigmoid first, ` +
      `or use binaryCrossEntropyWithLogits on the raw scores)`,
    nan,
  );
}

/**
 * Binary cross-entropy between probabilities `input` and targets `target`:
 * `ℓ = -w · (t · log(x) + (1 - t) · log(1 - x))`, each log clamped at -100 as torch does, so inputs of
 * exactly 0 or 1 give finite losses (100 per wrong-and-certain element). The gradient is torch's
 * `grad · (x - t) / max((1 - x) · x, 1e-12)` (times the weight), so it is finite at 0 and 1 too.
 * Targets may be soft (any value in [0, 1]); the gradient w.r.t. the target is torch's `-logit(x)`.
 *
 * Mirrors [torch.nn.functional.binary_cross_entropy](https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy.html).
 *
 * Checking that every input lies in [0, 1], as torch does, costs one synchronous read of a single
 * boolean per call (a GPU sync on WebGL/WebGPU backends).
 *
 * Shape:
 * - input: `[*]`, any shape, values in [0, 1].
 * - target: `[*]`, the same shape as the input.
 * - weight: broadcastable to the input's shape.
 * - output: a scalar, or `[*]` (the input's shape) with `reduction: 'none'`.
 *
 * @param input probabilities, e.g. a sigmoid's output.
 * @param target targets in [0, 1], the input's shape.
 * @param args torch's `weight=None, size_average=None, reduce=None, reduction='mean'`, positionally or in a
 *   trailing options object: `weight` per-element rescaling weight; `sizeAverage`/`reduce` torch's deprecated
 *   reduction flags (either one overrides `reduction`, as in torch); `reduction` `'none'` | `'mean'` | `'sum'`.
 * @throws ShapeError when the target's shape differs from the input's, or the weight does not broadcast.
 * @throws ValueError when an input value is outside [0, 1] (or NaN), or the reduction is unknown.
 * @example
 * ```ts
 * const p = tf.sigmoid(tf.tensor2d([[0.3], [-1.2]]));
 * const loss = F.binaryCrossEntropy(p, tf.tensor2d([[1], [0]])); // scalar, mean over 2 elements
 * ```
 */
export function binaryCrossEntropy(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof BCE>): tf.Tensor {
  const where = 'F.binaryCrossEntropy';
  const { weight, sizeAverage, reduce: legacy, reduction: r } = BCE.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${where}: using a target size (${formatShape(target.shape)}) that is different to the input size ` +
        `(${formatShape(input.shape)}); torch 1.13 rejects this too. Please ensure they have the same size ` +
        `(e.g. reshape the target to ${formatShape(input.shape)}).`,
    );
  }
  if (weight) checkWeightShape(weight, input.shape, 'weight', where);
  checkProbabilities(input, where);
  return tf.tidy(() => {
    let loss = BCEElementwise(tf.cast(input, 'float32'), tf.cast(target, 'float32'));
    if (weight) loss = tf.mul(loss, weight);
    return reduce(loss, reduction);
  });
}

/** Torch's stable BCE-with-logits formula and gradients; `pw` is the broadcast pos_weight or null. */
const BCEWithLogitsElementwise = defineFunction({
  name: 'BinaryCrossEntropyWithLogits',
  forward(ctx, x: tf.Tensor, t: tf.Tensor, pw: tf.Tensor | null) {
    ctx.saveForBackward(...(pw ? [x, t, pw] : [x, t]));
    // (1 - t) * x + (1 + (pw - 1) * t) * (log(1 + exp(-|x|)) + max(-x, 0))
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(tf.neg(x)));
    const logWeight = pw ? tf.add(tf.mul(tf.sub(pw, 1), t), 1) : null;
    return tf.add(tf.mul(tf.sub(1, t), x), logWeight ? tf.mul(logWeight, softplusNeg) : softplusNeg);
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, t, pw] = ctx.savedTensors;
    if (pw) {
      // torch: ((pw * t + 1 - t) * sigmoid(x) - pw * t) * grad; target: log_sigmoid(-x) - pw * log_sigmoid(x)
      const pt = tf.mul(pw, t);
      return [
        tf.mul(tf.sub(tf.mul(tf.sub(tf.add(pt, 1), t), tf.sigmoid(x)), pt), dy),
        ctx.needsInputGrad[1] ? tf.mul(tf.sub(tf.logSigmoid(tf.neg(x)), tf.mul(pw, tf.logSigmoid(x))), dy) : null,
        null,
      ];
    }
    return [tf.mul(tf.sub(tf.sigmoid(x), t), dy), ctx.needsInputGrad[1] ? tf.mul(tf.neg(x), dy) : null, null];
  },
});

/**
 * Binary cross-entropy on raw scores (logits): a sigmoid followed by {@link binaryCrossEntropy}, computed
 * stably in one step as torch does:
 * `ℓ = w · ((1 - t) · x + (1 + (pw - 1) · t) · (log(1 + exp(-|x|)) + max(-x, 0)))`.
 * The gradient is torch's `w · ((pw·t + 1 - t) · σ(x) - pw·t)`.
 *
 * Mirrors [torch.nn.functional.binary_cross_entropy_with_logits](https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy_with_logits.html).
 *
 * Shape:
 * - input: `[*]`, any shape (logits).
 * - target: `[*]`, the same shape as the input, values in [0, 1].
 * - weight, posWeight: broadcastable to the input's shape (posWeight usually `[C]` for `[N, C]` input).
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input logits.
 * @param target targets in [0, 1], the input's shape.
 * @param args torch's `weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None`,
 *   positionally or in a trailing options object (`posWeight`: weight of the positive term, per class).
 * @throws ShapeError when the target's shape differs from the input's, or a weight does not broadcast.
 * @throws ValueError when the reduction is unknown.
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2.0, -1.0, 0.5]]);
 * const loss = F.binaryCrossEntropyWithLogits(logits, tf.tensor2d([[1, 0, 1]]), { posWeight: tf.tensor1d([1, 2, 3]) });
 * ```
 */
export function binaryCrossEntropyWithLogits(
  input: tf.Tensor,
  target: tf.Tensor,
  ...args: ArgsOf<typeof BCE_LOGITS>
): tf.Tensor {
  const where = 'F.binaryCrossEntropyWithLogits';
  const { weight, sizeAverage, reduce: legacy, reduction: r, posWeight } = BCE_LOGITS.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${where}: target size (${formatShape(target.shape)}) must be the same as input size (${formatShape(input.shape)})`,
    );
  }
  if (weight) checkWeightShape(weight, input.shape, 'weight', where);
  if (posWeight) checkWeightShape(posWeight, input.shape, 'posWeight', where);
  return tf.tidy(() => {
    const pw = posWeight ? tf.broadcastTo(tf.cast(posWeight, 'float32'), input.shape) : null;
    let loss = BCEWithLogitsElementwise(tf.cast(input, 'float32'), tf.cast(target, 'float32'), pw);
    if (weight) loss = tf.mul(loss, weight);
    return reduce(loss, reduction);
  });
}

// ---------------------------------------------------------------------------------------------------
// Regression losses

/** `|d|` whose gradient is `sign(d)` (0 at 0, as torch's `abs` backward), unlike tfjs's (-1 at 0). */
export const AbsSgn = defineFunction({
  name: 'Abs',
  forward(ctx, d: tf.Tensor) {
    ctx.saveForBackward(d);
    return tf.abs(d);
  },
  backward(ctx, dy: tf.Tensor) {
    return [tf.mul(dy, tf.sign(ctx.savedTensors[0]))];
  },
});

/**
 * Target/input shapes of the elementwise losses: torch broadcasts a different but broadcastable target (mse, l1,
 * smooth_l1 and huber with a warning), and raises when they don't broadcast. Returns both broadcast explicitly, so
 * their gradients reduce back.
 * @param input the input.
 * @param target the target.
 * @param where the function, for messages.
 * @param warn warn about a different target shape, as torch's mse/l1/smooth-l1/huber do. Default: `true`.
 */
export function regressionPair(
  input: tf.Tensor,
  target: tf.Tensor,
  where: string,
  warn = true,
): [tf.Tensor, tf.Tensor] {
  if (sameShape(input.shape, target.shape)) return [input, target];
  const shape = broadcastShapes(input.shape, target.shape, where);
  if (warn)
    console.warn(
      `${where}: using a target size (${formatShape(target.shape)}) that is different to the input size ` +
        `(${formatShape(input.shape)}). This will likely lead to incorrect results due to broadcasting. ` +
        'Please ensure they have the same size.',
    );
  return [tf.broadcastTo(input, shape), tf.broadcastTo(target, shape)];
}

/**
 * Mean squared error `ℓ = (x - y)²`, reduced.
 *
 * Mirrors [torch.nn.functional.mse_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.mse_loss.html).
 * As in torch, a target of a different but broadcastable shape is broadcast with a warning
 * (`console.warn`); one that does not broadcast throws.
 *
 * Shape:
 * - input: `[*]`; target: `[*]`, the same shape (or broadcastable, with a warning).
 * - output: a scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @param input predictions.
 * @param target targets.
 * @param args torch's `size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing options
 *   object. Default reduction: `'mean'`.
 * @throws ShapeError when input and target do not broadcast.
 * @throws ValueError when the reduction is unknown.
 * @example
 * ```ts
 * F.mseLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2, 5])); // 4/3
 * ```
 */
export function mseLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof MSE>): tf.Tensor {
  const where = 'F.mseLoss';
  const { sizeAverage, reduce: legacy, reduction: r } = MSE.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, where);
    return reduce(tf.squaredDifference(x, y), reduction);
  });
}

/**
 * Mean absolute error `ℓ = |x - y|`, reduced. The gradient at `x = y` is 0, as in torch.
 *
 * Mirrors [torch.nn.functional.l1_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.l1_loss.html).
 * As in torch, a target of a different but broadcastable shape is broadcast with a warning.
 *
 * Shape:
 * - input: `[*]`; target: `[*]`, the same shape (or broadcastable, with a warning).
 * - output: a scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @param input predictions.
 * @param target targets.
 * @param args torch's `size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing options
 *   object. Default reduction: `'mean'`.
 * @throws ShapeError when input and target do not broadcast.
 * @throws ValueError when the reduction is unknown.
 * @example
 * ```ts
 * F.l1Loss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2, 5]), { reduction: 'sum' }); // 2
 * ```
 */
export function l1Loss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof L1>): tf.Tensor {
  const where = 'F.l1Loss';
  const { sizeAverage, reduce: legacy, reduction: r } = L1.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, where);
    return reduce(AbsSgn(tf.sub(x, y)), reduction);
  });
}
