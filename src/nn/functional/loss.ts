/**
 * Loss functions: torch.nn.functional's `binary_cross_entropy`, `binary_cross_entropy_with_logits`,
 * `mse_loss`, `l1_loss`, `nll_loss` and `cross_entropy`, with PyTorch 1.13's forward values, gradients,
 * reductions and error messages.
 *
 * Where tfjs's own gradient differs from torch's (BCE's clamped logs at exactly 0 and 1, `|x|` at 0,
 * the stable logits formula, NLL's scatter), the op is a `tf.customGrad` carrying torch's backward formula.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, ValueError } from '../../errors';

/** How a loss reduces its per-element values: torch's `reduction` argument. */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /** Rescaling weight of each element, broadcastable to the input's shape. Default: `null`. */
  weight?: tf.Tensor | null;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of positive examples, broadcastable to the input's shape (usually `[C]`, one per class). Default: `null`. */
  posWeight?: tf.Tensor | null;
}

/** Options of {@link mseLoss} and {@link l1Loss}. */
export interface ReductionOptions {
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of {@link nllLoss}. */
export interface NLLLossOptions {
  /** Weight of each class, `[C]`. Default: `null` (all 1). */
  weight?: tf.Tensor | null;
  /** A target value that contributes neither loss nor gradient, and is left out of the mean. Default: `-100`. */
  ignoreIndex?: number;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** In [0, 1]: mixes the target with the uniform distribution over classes. Default: `0`. */
  labelSmoothing?: number;
}

// ---------------------------------------------------------------------------------------------------
// Shared checks

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkReduction(reduction: string): void {
  if (!REDUCTIONS.includes(reduction)) {
    throw new ValueError(`${reduction} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`);
  }
}

/** numpy/torch broadcasting of two shapes, with torch's message when they do not broadcast. */
function broadcastShape(a: readonly number[], b: readonly number[], where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${where}: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton ` +
          `dimension ${i} (shapes ${fmt(a)} and ${fmt(b)})`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** A weight (or pos_weight) must broadcast to the loss's shape without growing it, as torch's in-place ops require. */
function checkWeightShape(weight: tf.Tensor, shape: readonly number[], what: string, where: string): void {
  const b = broadcastShape(shape, weight.shape, where);
  if (!sameShape(b, shape)) {
    throw new ShapeError(
      `${where}: ${what} of shape ${fmt(weight.shape)} broadcasts the loss of shape ${fmt(shape)} to ${fmt(b)}; ` +
        `expected a ${what} broadcastable to ${fmt(shape)}`,
    );
  }
}

/** The value and torch's backward formula of a {@link customOp}. */
interface CustomResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** `tf.customGrad` with argument types: `f(...inputs, save)` returns the value and its gradient formula. */
function customOp<A extends tf.Tensor[]>(
  f: (...args: [...A, tf.GradSaveFunc]) => CustomResult,
): (...inputs: A) => tf.Tensor {
  type Loose = Parameters<typeof tf.customGrad>[0];
  return tf.customGrad(f as unknown as Loose) as unknown as (...inputs: A) => tf.Tensor;
}

function reduce(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'sum') return tf.sum(loss);
  if (reduction === 'mean') return tf.mean(loss);
  return loss;
}

// ---------------------------------------------------------------------------------------------------
// Binary cross-entropy

/** Elementwise `-(t log x + (1 - t) log(1 - x))` with each log clamped at -100, and torch's gradients. */
const bceElementwise = customOp((x: tf.Tensor, t: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, t]);
  // torch: (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100)
  const value = tf.sub(
    tf.mul(tf.sub(t, 1), tf.maximum(tf.log(tf.sub(1, x)), -100)),
    tf.mul(t, tf.maximum(tf.log(x), -100)),
  );
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [sx, st] = saved;
    // torch's binary_cross_entropy_backward: grad * (x - t) / max((1 - x) * x, 1e-12)
    const dx = tf.div(tf.mul(dy, tf.sub(sx, st)), tf.maximum(tf.mul(tf.sub(1, sx), sx), 1e-12));
    // torch's binary_cross_entropy_target_backward: -logit(x) * grad (not clamped)
    const dt = tf.mul(tf.neg(tf.log(tf.div(sx, tf.sub(1, sx)))), dy);
    return [dx, dt];
  };
  return { value, gradFunc };
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
  throw new ValueError(
    `${where}: all elements of input should be between 0 and 1, got values in [${min}, ${max}]` +
      (nan ? ` and ${nan} NaN` : '') +
      ` (input shape ${fmt(input.shape)}; apply a sigmoid first, ` +
      `or use binaryCrossEntropyWithLogits on the raw scores)`,
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
 * @param options the options below. Default: `{}`.
 * @param options.weight per-element rescaling weight. Default: `null`.
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
 * @throws ShapeError when the target's shape differs from the input's, or the weight does not broadcast.
 * @throws ValueError when an input value is outside [0, 1] (or NaN), or the reduction is unknown.
 * @example
 * ```ts
 * const p = tf.sigmoid(tf.tensor2d([[0.3], [-1.2]]));
 * const loss = F.binaryCrossEntropy(p, tf.tensor2d([[1], [0]])); // scalar, mean over 2 elements
 * ```
 */
export function binaryCrossEntropy(
  input: tf.Tensor,
  target: tf.Tensor,
  { weight = null, reduction = 'mean' }: BinaryCrossEntropyOptions = {},
): tf.Tensor {
  const where = 'binaryCrossEntropy';
  checkReduction(reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${where}: using a target size (${fmt(target.shape)}) that is different to the input size ` +
        `(${fmt(input.shape)}); torch 1.13 rejects this too. Please ensure they have the same size ` +
        `(e.g. reshape the target to ${fmt(input.shape)}).`,
    );
  }
  if (weight) checkWeightShape(weight, input.shape, 'weight', where);
  checkProbabilities(input, where);
  return tf.tidy(() => {
    let loss = bceElementwise(tf.cast(input, 'float32'), tf.cast(target, 'float32'));
    if (weight) loss = tf.mul(loss, weight);
    return reduce(loss, reduction);
  });
}

/** Torch's stable BCE-with-logits formula and gradients; `pw` is the broadcast pos_weight or null. */
function bceLogitsElementwise(x: tf.Tensor, t: tf.Tensor, pw: tf.Tensor | null): tf.Tensor {
  const f = customOp((sx: tf.Tensor, st: tf.Tensor, save: tf.GradSaveFunc) => {
    save(pw ? [sx, st, pw] : [sx, st]);
    // (1 - t) * x + (1 + (pw - 1) * t) * (log(1 + exp(-|x|)) + max(-x, 0))
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(sx)))), tf.relu(tf.neg(sx)));
    const logWeight = pw ? tf.add(tf.mul(tf.sub(pw, 1), st), 1) : null;
    const value = tf.add(tf.mul(tf.sub(1, st), sx), logWeight ? tf.mul(logWeight, softplusNeg) : softplusNeg);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [gx, gt, gpw] = saved;
      let dx: tf.Tensor;
      let dt: tf.Tensor;
      if (gpw) {
        // torch: ((pw * t + 1 - t) * sigmoid(x) - pw * t) * grad; target: log_sigmoid(-x) - pw * log_sigmoid(x)
        const pt = tf.mul(gpw, gt);
        dx = tf.mul(tf.sub(tf.mul(tf.sub(tf.add(pt, 1), gt), tf.sigmoid(gx)), pt), dy);
        dt = tf.mul(tf.sub(tf.logSigmoid(tf.neg(gx)), tf.mul(gpw, tf.logSigmoid(gx))), dy);
      } else {
        dx = tf.mul(tf.sub(tf.sigmoid(gx), gt), dy);
        dt = tf.mul(tf.neg(gx), dy);
      }
      return [dx, dt];
    };
    return { value, gradFunc };
  });
  return f(x, t);
}

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
 * @param options the options below. Default: `{}`.
 * @param options.weight per-element rescaling weight. Default: `null`.
 * @param options.posWeight weight of the positive term, per class. Default: `null` (1).
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
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
  { weight = null, posWeight = null, reduction = 'mean' }: BinaryCrossEntropyWithLogitsOptions = {},
): tf.Tensor {
  const where = 'binaryCrossEntropyWithLogits';
  checkReduction(reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${where}: target size (${fmt(target.shape)}) must be the same as input size (${fmt(input.shape)})`,
    );
  }
  if (weight) checkWeightShape(weight, input.shape, 'weight', where);
  if (posWeight) checkWeightShape(posWeight, input.shape, 'posWeight', where);
  return tf.tidy(() => {
    const pw = posWeight ? tf.broadcastTo(tf.cast(posWeight, 'float32'), input.shape) : null;
    let loss = bceLogitsElementwise(tf.cast(input, 'float32'), tf.cast(target, 'float32'), pw);
    if (weight) loss = tf.mul(loss, weight);
    return reduce(loss, reduction);
  });
}

// ---------------------------------------------------------------------------------------------------
// Regression losses

/** `|d|` whose gradient is `sign(d)` (0 at 0, as torch's `abs` backward), unlike tfjs's (-1 at 0). */
const absSgn = customOp((d: tf.Tensor, save: tf.GradSaveFunc) => {
  save([d]);
  return { value: tf.abs(d), gradFunc: (dy: tf.Tensor, [sd]: tf.Tensor[]) => tf.mul(dy, tf.sign(sd)) };
});

/**
 * Target/input shapes of mse/l1: torch broadcasts a different but broadcastable target with a warning,
 * and raises when they don't broadcast. Returns both broadcast explicitly, so their gradients reduce back.
 */
function regressionPair(input: tf.Tensor, target: tf.Tensor, where: string): [tf.Tensor, tf.Tensor] {
  if (sameShape(input.shape, target.shape)) return [input, target];
  const shape = broadcastShape(input.shape, target.shape, where);
  console.warn(
    `${where}: using a target size (${fmt(target.shape)}) that is different to the input size ` +
      `(${fmt(input.shape)}). This will likely lead to incorrect results due to broadcasting. ` +
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
 * @param options the options below. Default: `{}`.
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
 * @throws ShapeError when input and target do not broadcast.
 * @throws ValueError when the reduction is unknown.
 * @example
 * ```ts
 * F.mseLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2, 5])); // 4/3
 * ```
 */
export function mseLoss(input: tf.Tensor, target: tf.Tensor, { reduction = 'mean' }: ReductionOptions = {}): tf.Tensor {
  checkReduction(reduction);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, 'mseLoss');
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
 * @param options the options below. Default: `{}`.
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
 * @throws ShapeError when input and target do not broadcast.
 * @throws ValueError when the reduction is unknown.
 * @example
 * ```ts
 * F.l1Loss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2, 5]), { reduction: 'sum' }); // 2
 * ```
 */
export function l1Loss(input: tf.Tensor, target: tf.Tensor, { reduction = 'mean' }: ReductionOptions = {}): tf.Tensor {
  checkReduction(reduction);
  return tf.tidy(() => {
    const [x, y] = regressionPair(input, target, 'l1Loss');
    return reduce(absSgn(tf.sub(x, y)), reduction);
  });
}

// ---------------------------------------------------------------------------------------------------
// Negative log-likelihood and cross-entropy

interface ClassLayout {
  classes: number;
  /** Shape of the unreduced loss: the target's shape (`[]` for unbatched input). */
  lossShape: number[];
}

/** The class dimension's size: dimension 1, or 0 for unbatched `[C]` input. */
function classCount(shape: readonly number[]): number {
  return (shape.length === 1 ? shape[0] : shape[1]) as number;
}

/** `[N, C, d1, ...]` → `[N·d1·..., C]` (and `[C]` → `[1, C]`): the class dimension last, as tfjs's softmax wants. */
function classesLast(x: tf.Tensor): tf.Tensor2D {
  const c = classCount(x.shape);
  if (x.rank <= 2) return tf.reshape(x, [-1, c]) as tf.Tensor2D;
  const perm = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1];
  return tf.reshape(tf.transpose(x, perm), [-1, c]) as tf.Tensor2D;
}

function checkClassWeight(weight: tf.Tensor | null, classes: number, where: string, prefix = ''): void {
  if (weight && weight.size !== classes) {
    throw new ShapeError(
      `${where}: ${prefix}weight tensor should be defined either for all ${classes} classes or no classes ` +
        `but got weight tensor of shape: ${fmt(weight.shape)}`,
    );
  }
}

/** torch's nll_loss_nd shape rules for class-index targets. */
function classTargetLayout(input: tf.Tensor, target: tf.Tensor, where: string): ClassLayout {
  if (input.rank < 1)
    throw new ShapeError(`${where}: expected 1 or more dimensions (got 0), input shape ${fmt(input.shape)}`);
  if (target.dtype !== 'int32') {
    throw new ShapeError(
      `${where}: expected an int32 target of class indices (torch: Long), got ${target.dtype} of shape ` +
        `${fmt(target.shape)}; for class probabilities the target must have the input's shape ${fmt(input.shape)}`,
    );
  }
  const classes = classCount(input.shape);
  if (input.rank === 1) {
    if (target.rank !== 0) {
      throw new ShapeError(
        `${where}: size mismatch (got input: ${fmt(input.shape)}, target: ${fmt(target.shape)}); ` +
          'an unbatched [C] input takes a 0-D target',
      );
    }
    return { classes, lossShape: [] };
  }
  if (target.rank === 0 || target.shape[0] !== input.shape[0]) {
    throw new ShapeError(
      `${where}: expected input batch_size (${input.shape[0]}) to match target batch_size ` +
        `(${target.rank === 0 ? 'a 0-D target' : target.shape[0]}); input ${fmt(input.shape)}, target ${fmt(target.shape)}`,
    );
  }
  if (input.rank === 2 && target.rank !== 1) {
    throw new ShapeError(
      `${where}: 0D or 1D target tensor expected, multi-target not supported (input ${fmt(input.shape)}, ` +
        `target ${fmt(target.shape)})`,
    );
  }
  const expected = [input.shape[0] as number, ...input.shape.slice(2)];
  if (!sameShape(expected, target.shape)) {
    throw new ShapeError(
      `${where}: expected target size ${fmt(expected)}, got ${fmt(target.shape)} (input ${fmt(input.shape)})`,
    );
  }
  return { classes, lossShape: target.shape.slice() };
}

/** torch's "Target 5 is out of bounds.", after one boolean read of the target. */
function checkTargetRange(target: tf.Tensor, classes: number, ignoreIndex: number, where: string): void {
  const bad = tf.tidy(() =>
    tf.any(
      tf.logicalAnd(
        tf.logicalOr(tf.less(target, 0), tf.greaterEqual(target, classes)),
        tf.notEqual(target, ignoreIndex),
      ),
    ),
  );
  const isBad = bad.dataSync()[0] !== 0;
  bad.dispose();
  if (!isBad) return;
  const values = target.dataSync();
  const v = Array.from(values).find((x) => (x < 0 || x >= classes) && x !== ignoreIndex);
  throw new ValueError(
    `${where}: Target ${v} is out of bounds (expected class indices in [0, ${classes}) or ignoreIndex ` +
      `${ignoreIndex}; target shape ${fmt(target.shape)})`,
  );
}

/**
 * The NLL core on `[M, C]` scores and `[M]` int32 targets: `-w[t]·x[i, t]`, ignored rows 0, reduced as torch
 * (mean = sum / total weight of non-ignored rows). Its gradient is torch's scatter, so rows that are
 * ignored get exactly 0 (also when every row is ignored and the mean is NaN).
 */
function nllRows(
  x: tf.Tensor2D,
  t: tf.Tensor1D,
  weight: tf.Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
): tf.Tensor {
  const [m, c] = x.shape;
  const valid = tf.notEqual(t, ignoreIndex);
  const safeT = tf.where(valid, t, tf.zerosLike(t));
  const w = weight ? tf.gather(tf.reshape(tf.cast(weight, 'float32'), [c]), safeT) : tf.ones([m]);
  const rowIdx = tf.range(0, m, 1, 'int32');
  const f = customOp((sx: tf.Tensor, save: tf.GradSaveFunc) => {
    const picked = tf.gather(tf.reshape(sx, [m * c]), tf.add(tf.mul(rowIdx, tf.scalar(c, 'int32')), safeT));
    const rowLoss = tf.where(valid, tf.neg(tf.mul(picked, w)), tf.zerosLike(picked));
    let value: tf.Tensor;
    let totalWeight = tf.scalar(1);
    if (reduction === 'none') value = rowLoss;
    else if (reduction === 'sum') value = tf.sum(rowLoss);
    else {
      totalWeight = tf.sum(tf.where(valid, w, tf.zerosLike(w)));
      value = tf.div(tf.sum(rowLoss), totalWeight);
    }
    // Saved (cloned and kept by the engine) because the caller's tidy disposes these before backward runs.
    save([valid, w, tf.stack([rowIdx, safeT], 1), totalWeight]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [sValid, sW, indices, sTotal] = saved;
      // torch: grad_input[i][t_i] = -w[t_i] * (mean ? grad / total_weight : grad); every other entry 0
      const g = reduction === 'mean' ? tf.div(dy, sTotal) : dy;
      const rowGrad = tf.neg(tf.mul(sW, reduction === 'none' ? g : tf.broadcastTo(g, [m])));
      return tf.scatterND(indices, tf.where(sValid, rowGrad, tf.zerosLike(rowGrad)), [m, c]);
    };
    return { value, gradFunc };
  });
  return f(x);
}

/** Forward: `where(valid, s, 0)`; backward: `where(valid, dy, 0)` (no `0 · inf` when a mean divides by 0). */
function maskRows(s: tf.Tensor, valid: tf.Tensor): tf.Tensor {
  const f = customOp((a: tf.Tensor, save: tf.GradSaveFunc) => {
    save([valid]);
    return {
      value: tf.where(valid, a, tf.zerosLike(a)),
      gradFunc: (dy: tf.Tensor, [sValid]: tf.Tensor[]) => tf.where(sValid, dy, tf.zerosLike(dy)),
    };
  });
  return f(s);
}

/**
 * Negative log-likelihood loss on log-probabilities `input` and class indices `target`:
 * `ℓ_i = -w[t_i] · input[i, t_i]`, with `ignoreIndex` targets contributing nothing. The mean divides
 * by the sum of the weights of the non-ignored targets, as torch does (NaN when every target is ignored).
 *
 * Mirrors [torch.nn.functional.nll_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.nll_loss.html).
 *
 * Checking that every target is a valid class (torch's "Target 5 is out of bounds.") costs one
 * synchronous read of a single boolean per call.
 *
 * Shape:
 * - input: `[N, C]`, `[C]` (unbatched), or `[N, C, d1, d2, ...]` (K-dimensional, e.g. per pixel).
 * - target: int32 `[N]`, `[]`, or `[N, d1, d2, ...]`, values in [0, C) or `ignoreIndex`.
 * - weight: `[C]`.
 * - output: a scalar, or the target's shape with `reduction: 'none'`.
 *
 * @param input log-probabilities, e.g. a `logSoftmax` over dimension 1.
 * @param target int32 class indices.
 * @param options the options below. Default: `{}`.
 * @param options.weight per-class weight. Default: `null`.
 * @param options.ignoreIndex target value to ignore. Default: `-100`.
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
 * @throws ShapeError on a float target, mismatched batch or spatial sizes, or a weight not of `C` elements.
 * @throws ValueError on a target outside [0, C) that is not `ignoreIndex`, or an unknown reduction.
 * @example
 * ```ts
 * const logp = tf.logSoftmax(tf.tensor2d([[1, 2, 3], [1, 0, 0]]));
 * F.nllLoss(logp, tf.tensor1d([2, 0], 'int32'));
 * ```
 */
export function nllLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  { weight = null, ignoreIndex = -100, reduction = 'mean' }: NLLLossOptions = {},
): tf.Tensor {
  const where = 'nllLoss';
  checkReduction(reduction);
  const layout = classTargetLayout(input, target, where);
  checkClassWeight(weight, layout.classes, where);
  checkTargetRange(target, layout.classes, ignoreIndex, where);
  return tf.tidy(() => {
    const loss = nllRows(
      classesLast(tf.cast(input, 'float32')),
      tf.reshape(target, [-1]) as tf.Tensor1D,
      weight,
      ignoreIndex,
      reduction,
    );
    return reduction === 'none' ? tf.reshape(loss, layout.lossShape) : loss;
  });
}

/**
 * Cross-entropy between logits `input` and a target: `logSoftmax` over the class dimension (1, or 0
 * for unbatched input) followed by the NLL. The target is either
 * - class indices (int32, the input's shape without the class dimension), with `ignoreIndex`, per-class
 *   `weight`, and `labelSmoothing` mixing each one-hot target with the uniform distribution, exactly as
 *   torch does it (the smoothing term is weighted and masked too, and its mean divides by the same total
 *   weight), or
 * - class probabilities (float32, the input's own shape), optionally smoothed; the mean then divides
 *   by the number of rows `N · d1 · ...`, whatever the weights.
 *
 * Mirrors [torch.nn.functional.cross_entropy](https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html).
 * Class-index targets cost one synchronous read of a single boolean per call (the bounds check).
 *
 * Shape:
 * - input: `[N, C]`, `[C]` (unbatched), or `[N, C, d1, d2, ...]`.
 * - target: int32 `[N]` / `[]` / `[N, d1, ...]` class indices, or float32 of the input's shape (probabilities).
 * - weight: `[C]`.
 * - output: a scalar, or the input's shape without the class dimension with `reduction: 'none'`.
 *
 * @param input unnormalised scores (logits).
 * @param target class indices or class probabilities.
 * @param options the options below. Default: `{}`.
 * @param options.weight per-class weight. Default: `null`.
 * @param options.ignoreIndex class-index target to ignore; must stay negative for probability targets. Default: `-100`.
 * @param options.reduction `'none'` | `'mean'` | `'sum'`. Default: `'mean'`.
 * @param options.labelSmoothing amount of smoothing in [0, 1]. Default: `0`.
 * @throws ShapeError on shape, dtype or weight-size mismatches (see {@link nllLoss}).
 * @throws ValueError on out-of-range targets, `labelSmoothing > 1`, a non-negative `ignoreIndex` with
 *   probability targets, or an unknown reduction.
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 0.5, -1], [0, 0, 3]]);
 * F.crossEntropy(logits, tf.tensor1d([0, 2], 'int32'), { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(
  input: tf.Tensor,
  target: tf.Tensor,
  { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 }: CrossEntropyOptions = {},
): tf.Tensor {
  const where = 'crossEntropy';
  checkReduction(reduction);
  if (input.rank < 1)
    throw new ShapeError(`${where}: expected 1 or more dimensions (got 0), input shape ${fmt(input.shape)}`);
  const classes = classCount(input.shape);
  if (labelSmoothing > 1) {
    throw new ValueError(`${where}: label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  }

  if (sameShape(input.shape, target.shape)) {
    // Class probabilities.
    if (target.dtype !== 'float32') {
      throw new ShapeError(
        `${where}: expected floating point type for target with class probabilities, got ${target.dtype} ` +
          `(target shape ${fmt(target.shape)} equals the input's, so it is read as probabilities)`,
      );
    }
    if (ignoreIndex >= 0) {
      throw new ValueError(
        `${where}: ignore_index is not supported for floating point target (got ignoreIndex ${ignoreIndex})`,
      );
    }
    checkClassWeight(weight, classes, where, 'cross_entropy: ');
    return tf.tidy(() => {
      const logp = tf.logSoftmax(classesLast(input));
      let t: tf.Tensor = classesLast(target);
      if (labelSmoothing > 0) t = tf.add(tf.mul(t, 1 - labelSmoothing), labelSmoothing / classes);
      let prod = tf.mul(logp, t);
      if (weight) prod = tf.mul(prod, tf.reshape(weight, [classes]));
      if (reduction === 'none') {
        const lossShape = input.rank === 1 ? [] : [input.shape[0] as number, ...input.shape.slice(2)];
        return tf.reshape(tf.neg(tf.sum(prod, 1)), lossShape);
      }
      const total = tf.neg(tf.sum(prod));
      return reduction === 'sum' ? total : tf.div(total, input.size / classes);
    });
  }

  // Class indices.
  const layout = classTargetLayout(input, target, where);
  checkClassWeight(weight, classes, where);
  checkTargetRange(target, classes, ignoreIndex, where);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(classesLast(input));
    const t = tf.reshape(target, [-1]) as tf.Tensor1D;
    let loss = nllRows(logp, t, weight, ignoreIndex, reduction);
    if (labelSmoothing > 0) {
      const valid = tf.notEqual(t, ignoreIndex);
      const w = weight ? tf.reshape(weight, [classes]) : null;
      const smooth = maskRows(tf.neg(tf.sum(w ? tf.mul(logp, w) : logp, 1)), valid);
      let smoothLoss: tf.Tensor;
      if (reduction === 'none') smoothLoss = smooth;
      else if (reduction === 'sum') smoothLoss = tf.sum(smooth);
      else {
        // torch divides by the total weight of the non-ignored targets, as nll_loss's mean does.
        const safeT = tf.where(valid, t, tf.zerosLike(t));
        const rowW = w ? tf.gather(w, safeT) : tf.ones([t.size]);
        smoothLoss = tf.div(tf.sum(smooth), tf.sum(tf.where(valid, rowW, tf.zerosLike(rowW))));
      }
      loss = tf.add(tf.mul(loss, 1 - labelSmoothing), tf.mul(smoothLoss, labelSmoothing / classes));
    }
    return reduction === 'none' ? tf.reshape(loss, layout.lossShape) : loss;
  });
}
