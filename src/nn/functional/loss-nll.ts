/**
 * Classification losses: torch.nn.functional's `nll_loss` and `cross_entropy` (class-index targets with
 * `ignore_index`, class weights and label smoothing, or class-probability targets), on `[N, C]`, `[C]` and
 * `[N, C, d1, ...]` inputs, with PyTorch 1.13's values, gradients and error messages.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, float, int, signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { isGradEnabled, noGrad } from '../../autograd/tape';
import { hasFusedKernel } from '../../backends/fused-kernels';
import { CrossEntropyKernel } from '../../backends/wasm/cross-entropy';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkTensors, legacyReduction, legacyReductionArg, reductionArg, sameShape, type Reduction } from './utils';

/**
 * torch's `label_smoothing`: a number at most 1, with torch's message otherwise. torch 1.13 checks only the upper
 * bound and treats a negative value as 0 (no smoothing); so does this. NaN is refused, as torch's check refuses it.
 */
export const labelSmoothingArg = (): Arg<number> =>
  new Arg<number>('a number <= 1', (v, ctx) => {
    const x = float().check(v, ctx);
    if (x > 1) throw new ValueError(`${ctx.where}: label_smoothing must be between 0.0 and 1.0. Got: ${x}`);
    return x;
  });

const NLL = signature('F.nllLoss', [
  ['weight', tensor().optional()],
  ['sizeAverage', legacyReductionArg()],
  ['ignoreIndex', int().default(-100)],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);

const CROSS_ENTROPY = signature('F.crossEntropy', [...NLL.params, ['labelSmoothing', labelSmoothingArg().default(0)]]);

/**
 * Options of {@link nllLoss}: `weight` (per class, `[C]`; default `null`), `ignoreIndex` (default `-100`),
 * `reduction` (default `'mean'`), torch's deprecated `sizeAverage`/`reduce`.
 */
export interface NLLLossOptions {
  /** Weight of each class, `[C]`. Default: `null` (all 1). */
  weight?: tf.Tensor | null;
  /** torch's deprecated `size_average` (overrides `reduction` when given). Default: `null`. */
  sizeAverage?: boolean | null;
  /** A target value that contributes neither loss nor gradient, and is left out of the mean. Default: `-100`. */
  ignoreIndex?: number;
  /** torch's deprecated `reduce` (overrides `reduction` when given). Default: `null`. */
  reduce?: boolean | null;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}: those of {@link nllLoss} and `labelSmoothing` (at most 1; default `0`). */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** At most 1: mixes the target with the uniform distribution over classes (negative: none, as torch). Default: `0`. */
  labelSmoothing?: number;
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
        `but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
}

/** torch's nll_loss_nd shape rules for class-index targets. */
function classTargetLayout(input: tf.Tensor, target: tf.Tensor, where: string): ClassLayout {
  if (input.rank < 1)
    throw new ShapeError(`${where}: expected 1 or more dimensions (got 0), input shape ${formatShape(input.shape)}`);
  if (target.dtype !== 'int32') {
    throw new ShapeError(
      `${where}: expected an int32 target of class indices (torch: Long), got ${target.dtype} of shape ` +
        `${formatShape(target.shape)}; for class probabilities the target must have the input's shape ${formatShape(input.shape)}`,
    );
  }
  const classes = classCount(input.shape);
  if (input.rank === 1) {
    if (target.rank !== 0) {
      throw new ShapeError(
        `${where}: size mismatch (got input: ${formatShape(input.shape)}, target: ${formatShape(target.shape)}); ` +
          'an unbatched [C] input takes a 0-D target',
      );
    }
    return { classes, lossShape: [] };
  }
  if (target.rank === 0 || target.shape[0] !== input.shape[0]) {
    throw new ShapeError(
      `${where}: expected input batch_size (${input.shape[0]}) to match target batch_size ` +
        `(${target.rank === 0 ? 'a 0-D target' : target.shape[0]}); input ${formatShape(input.shape)}, target ${formatShape(target.shape)}`,
    );
  }
  if (input.rank === 2 && target.rank !== 1) {
    throw new ShapeError(
      `${where}: 0D or 1D target tensor expected, multi-target not supported (input ${formatShape(input.shape)}, ` +
        `target ${formatShape(target.shape)})`,
    );
  }
  const expected = [input.shape[0] as number, ...input.shape.slice(2)];
  if (!sameShape(expected, target.shape)) {
    throw new ShapeError(
      `${where}: expected target size ${formatShape(expected)}, got ${formatShape(target.shape)} (input ${formatShape(input.shape)})`,
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
      `${ignoreIndex}; target shape ${formatShape(target.shape)})`,
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
  const c = x.shape[1];
  const valid = tf.notEqual(t, ignoreIndex);
  const safeT = tf.where(valid, t, tf.zerosLike(t));
  const w = weight ? tf.gather(tf.reshape(tf.cast(weight, 'float32'), [c]), safeT) : tf.ones([t.size]);
  return NLLRows(x, valid, safeT, w, reduction);
}

const NLLRows = defineFunction({
  name: 'NLLLoss',
  forward(ctx, x: tf.Tensor, valid: tf.Tensor, safeT: tf.Tensor, w: tf.Tensor, reduction: Reduction) {
    const [m, c] = x.shape as [number, number];
    const rowIdx = tf.range(0, m, 1, 'int32');
    const picked = tf.gather(tf.reshape(x, [m * c]), tf.add(tf.mul(rowIdx, tf.scalar(c, 'int32')), safeT));
    const rowLoss = tf.where(valid, tf.neg(tf.mul(picked, w)), tf.zerosLike(picked));
    let value: tf.Tensor;
    let totalWeight = tf.scalar(1);
    if (reduction === 'none') value = rowLoss;
    else if (reduction === 'sum') value = tf.sum(rowLoss);
    else {
      totalWeight = tf.sum(tf.where(valid, w, tf.zerosLike(w)));
      value = tf.div(tf.sum(rowLoss), totalWeight);
    }
    ctx.shape = [m, c];
    ctx.reduction = reduction;
    ctx.saveForBackward(valid, w, tf.stack([rowIdx, safeT], 1), totalWeight);
    return value;
  },
  backward(ctx, dy: tf.Tensor) {
    const [valid, w, indices, totalWeight] = ctx.savedTensors;
    const [m, c] = ctx.shape as [number, number];
    const reduction = ctx.reduction as Reduction;
    // torch: grad_input[i][t_i] = -w[t_i] * (mean ? grad / total_weight : grad); every other entry 0
    const g = reduction === 'mean' ? tf.div(dy, totalWeight) : dy;
    const rowGrad = tf.neg(tf.mul(w, reduction === 'none' ? g : tf.broadcastTo(g, [m])));
    const masked = tf.where(valid, rowGrad, tf.zerosLike(rowGrad));
    if (isGradEnabled()) {
      // A createGraph backward differentiates this gradient again (in dy): a one-hot product (ScatterNd has no
      // gradient in tfjs).
      const safeT = noGrad(() => tf.reshape(tf.slice(indices, [0, 1], [m, 1]), [m]));
      return [tf.mul(tf.oneHot(safeT, c), tf.reshape(masked, [m, 1])), null, null, null, null];
    }
    return [tf.scatterND(indices, masked, [m, c]), null, null, null, null];
  },
});

/** Forward: `where(valid, s, 0)`; backward: `where(valid, dy, 0)` (no `0 · inf` when a mean divides by 0). */
const MaskRows = defineFunction({
  name: 'MaskRows',
  forward(ctx, s: tf.Tensor, valid: tf.Tensor) {
    ctx.saveForBackward(valid);
    return tf.where(valid, s, tf.zerosLike(s));
  },
  backward(ctx, dy: tf.Tensor) {
    return [tf.where(ctx.savedTensors[0], dy, tf.zerosLike(dy)), null];
  },
});

/**
 * Cross entropy of `[M, C]` logits and `[M]` class indices, without class weights or label smoothing, as one kernel
 * each way (`CrossEntropyKernel`, the wasm backend's): the values of `logSoftmax` + {@link nllRows}, the gradient
 * `(softmax - onehot) * g` per row (0 on ignored rows) written in one sweep.
 */
const FusedCrossEntropy = defineFunction({
  name: 'CrossEntropyLoss',
  forward(ctx, x: tf.Tensor, t: tf.Tensor, ignoreIndex: number, reduction: Reduction) {
    const attrs = { ignoreIndex } as unknown as tf.NamedAttrMap;
    const [rowLoss, lse] = tf.engine().runKernel(CrossEntropyKernel.Forward, { logits: x, target: t }, attrs) as [
      tf.Tensor,
      tf.Tensor,
    ];
    // mean: over the non-ignored rows (NaN when there are none), as nll_loss's mean
    const count = reduction === 'mean' ? tf.sum(tf.cast(tf.notEqual(t, ignoreIndex), 'float32')) : tf.scalar(1);
    ctx.attrs = attrs;
    ctx.reduction = reduction;
    ctx.saveForBackward(x, lse, t, count);
    if (reduction === 'none') return rowLoss;
    const total = tf.sum(rowLoss);
    return reduction === 'sum' ? total : tf.div(total, count);
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, lse, t, count] = ctx.savedTensors;
    const reduction = ctx.reduction as Reduction;
    const g = reduction === 'none' ? dy : tf.broadcastTo(reduction === 'mean' ? tf.div(dy, count) : dy, [x.shape[0]]);
    if (isGradEnabled()) {
      // A createGraph backward differentiates this gradient again (in x and dy): (softmax(x) - onehot) * g per row,
      // 0 on ignored rows, in recorded ops (the fused kernel has no gradient).
      const c = x.shape[1] as number;
      const valid = noGrad(() =>
        tf.reshape(tf.notEqual(t, (ctx.attrs as { ignoreIndex: number }).ignoreIndex), [-1, 1]),
      );
      const onehot = noGrad(() => tf.oneHot(tf.where(tf.reshape(valid, [-1]), t, tf.zerosLike(t)), c));
      const rows = tf.mul(tf.sub(tf.softmax(x), onehot), tf.reshape(g, [-1, 1]));
      return [tf.where(tf.broadcastTo(valid, x.shape), rows, tf.zerosLike(rows)), null, null, null];
    }
    const inputs = { logits: x, lse, target: t, g };
    const dx = tf.engine().runKernel(CrossEntropyKernel.Backward, inputs, ctx.attrs as tf.NamedAttrMap) as tf.Tensor;
    return [dx, null, null, null];
  },
});

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
 * @param args torch's `weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'`,
 *   positionally or in a trailing options object: per-class `weight`, the target value to ignore, torch's
 *   deprecated `sizeAverage`/`reduce` (either one overrides `reduction`), the reduction.
 * @throws ShapeError on a float target, mismatched batch or spatial sizes, or a weight not of `C` elements.
 * @throws ValueError on a target outside [0, C) that is not `ignoreIndex`, or an unknown reduction.
 * @example
 * ```ts
 * const logp = tf.logSoftmax(tf.tensor2d([[1, 2, 3], [1, 0, 0]]));
 * F.nllLoss(logp, tf.tensor1d([2, 0], 'int32'));
 * ```
 */
export function nllLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof NLL>): tf.Tensor {
  const where = 'F.nllLoss';
  const { weight, sizeAverage, ignoreIndex, reduce: legacy, reduction: r } = NLL.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
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
 * @param args torch's `weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean',
 *   label_smoothing=0.0`, positionally or in a trailing options object. `ignoreIndex` must stay negative for
 *   probability targets; `labelSmoothing` is at most 1 (a negative value means none, as torch).
 * @throws ShapeError on shape, dtype or weight-size mismatches (see {@link nllLoss}).
 * @throws ValueError on out-of-range targets, `labelSmoothing > 1`, a non-negative `ignoreIndex` with
 *   probability targets, or an unknown reduction.
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 0.5, -1], [0, 0, 3]]);
 * F.crossEntropy(logits, tf.tensor1d([0, 2], 'int32'), { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof CROSS_ENTROPY>): tf.Tensor {
  const where = 'F.crossEntropy';
  const { weight, sizeAverage, ignoreIndex, reduce: legacy, reduction: r, labelSmoothing } = CROSS_ENTROPY.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  if (input.rank < 1)
    throw new ShapeError(`${where}: expected 1 or more dimensions (got 0), input shape ${formatShape(input.shape)}`);
  const classes = classCount(input.shape);

  if (sameShape(input.shape, target.shape)) {
    // Class probabilities.
    if (target.dtype !== 'float32') {
      throw new ShapeError(
        `${where}: expected floating point type for target with class probabilities, got ${target.dtype} ` +
          `(target shape ${formatShape(target.shape)} equals the input's, so it is read as probabilities)`,
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
  if (input.rank === 2 && input.dtype === 'float32' && !weight && !(labelSmoothing > 0)) {
    if (hasFusedKernel(CrossEntropyKernel.Forward)) {
      return FusedCrossEntropy(input, target, ignoreIndex, reduction) as tf.Tensor;
    }
  }
  return tf.tidy(() => {
    const logp = tf.logSoftmax(classesLast(input));
    const t = tf.reshape(target, [-1]) as tf.Tensor1D;
    let loss = nllRows(logp, t, weight, ignoreIndex, reduction);
    if (labelSmoothing > 0) {
      const valid = tf.notEqual(t, ignoreIndex);
      const w = weight ? tf.reshape(weight, [classes]) : null;
      const smooth = MaskRows(tf.neg(tf.sum(w ? tf.mul(logp, w) : logp, 1)), valid);
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
