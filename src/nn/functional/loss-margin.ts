/**
 * Margin and embedding losses: torch.nn.functional's `hinge_embedding_loss`, `soft_margin_loss`,
 * `multilabel_soft_margin_loss`, `multilabel_margin_loss`, `multi_margin_loss`, `cosine_embedding_loss`,
 * `margin_ranking_loss`, `triplet_margin_loss` and `triplet_margin_with_distance_loss`, with PyTorch 1.13's formulas,
 * reductions, argument checks and error texts. Hinges are `max(z, 0)`, whose gradient passes at `z = 0` as torch's
 * `clamp_min`; the multi-margin hinges count only `z > 0`, as torch's kernels.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, func, int, signature, tensor, type ArgsOf } from '../../args';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkTensors, legacyReduction, legacyReductionArg, reduce, reductionArg, sameShape } from './utils';

const LEGACY = [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
] as const;

const HINGE = signature('F.hingeEmbeddingLoss', [['margin', float().default(1)], ...LEGACY]);

/**
 * Hinge embedding loss for targets `y ∈ {1, -1}`: `x` where `y = 1`, `max(0, margin - x)` where `y = -1` (torch sums
 * both terms for any other target value: `x·[y≠-1] + max(0, margin - x)·[y≠1]`).
 *
 * Mirrors [torch.nn.functional.hinge_embedding_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.hinge_embedding_loss.html).
 *
 * Shape: input `[*]`, target `[*]` (same shape); output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input distances.
 * @param target `1` or `-1` per element.
 * @param args torch's `margin=1.0, size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing
 *   options object.
 * @example
 * ```ts
 * F.hingeEmbeddingLoss(dist, tf.tensor1d([1, -1, 1]), { margin: 2 });
 * ```
 */
export function hingeEmbeddingLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof HINGE>): tf.Tensor {
  const where = 'F.hingeEmbeddingLoss';
  const { margin, sizeAverage, reduce: legacy, reduction: r } = HINGE.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const zeros = tf.zerosLike(input);
    const marginTerm = tf.where(tf.notEqual(target, 1), tf.maximum(tf.sub(margin, input), 0), zeros);
    const selfTerm = tf.where(tf.notEqual(target, -1), input, zeros);
    return reduce(tf.add(marginTerm, selfTerm), reduction);
  });
}

const SOFT_MARGIN = signature('F.softMarginLoss', LEGACY);

/**
 * Two-class logistic loss `log(1 + exp(-y · x))` for targets `y ∈ {1, -1}`.
 *
 * Mirrors [torch.nn.functional.soft_margin_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.soft_margin_loss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param input scores.
 * @param target `1` or `-1` per element.
 * @param args torch's `size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing options object.
 * @example
 * ```ts
 * F.softMarginLoss(scores, tf.tensor1d([1, -1]));
 * ```
 */
export function softMarginLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof SOFT_MARGIN>): tf.Tensor {
  const where = 'F.softMarginLoss';
  const { sizeAverage, reduce: legacy, reduction: r } = SOFT_MARGIN.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => reduce(tf.log1p(tf.exp(tf.neg(tf.mul(input, target)))), reduction));
}

const MULTILABEL_SOFT_MARGIN = signature('F.multilabelSoftMarginLoss', [['weight', tensor().optional()], ...LEGACY]);

/**
 * Multi-label one-versus-all logistic loss: per sample, the mean over the `C` classes of
 * `-(t · logσ(x) + (1 - t) · logσ(-x))`, times the per-class `weight`.
 *
 * Mirrors [torch.nn.functional.multilabel_soft_margin_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.multilabel_soft_margin_loss.html).
 *
 * Shape: input `[N, C]` (or `[C]`), target the same shape (0/1); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * @param input scores.
 * @param target 0/1 labels of each class.
 * @param args torch's `weight=None, size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing
 *   options object.
 * @example
 * ```ts
 * F.multilabelSoftMarginLoss(scores, labels);
 * ```
 */
export function multilabelSoftMarginLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  ...args: ArgsOf<typeof MULTILABEL_SOFT_MARGIN>
): tf.Tensor {
  const where = 'F.multilabelSoftMarginLoss';
  const { weight, sizeAverage, reduce: legacy, reduction: r } = MULTILABEL_SOFT_MARGIN.parse(args);
  checkTensors(where, { input, target });
  if (input.rank < 1) throw new ShapeError(`${where}: expected an input with a class dimension, got a scalar`);
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    let loss = tf.neg(tf.add(tf.mul(target, logSigmoid(input)), tf.mul(tf.sub(1, target), logSigmoid(tf.neg(input)))));
    if (weight) loss = tf.mul(loss, weight);
    const classDim = input.rank - 1;
    return reduce(tf.div(tf.sum(loss, classDim), input.shape[classDim] as number), reduction);
  });
}

/**
 * `log σ(x) = -(max(-x, 0) + log1p(exp(-|x|)))`, composed of ops whose gradients read only saved tensors (tfjs's
 * `tf.logSigmoid` gradient re-reads its input, which a `tf.tidy` may have freed by backward time).
 */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.add(tf.relu(tf.neg(x)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
}

/** `[N, C]` (or `[C]` as `[1, C]`) and the per-sample loss shape (`[N]`, or `[]` for a 1-D input). */
function rows(input: tf.Tensor, where: string): { n: number; c: number; lossShape: number[] } {
  if (input.rank === 1) return { n: 1, c: input.shape[0] as number, lossShape: [] };
  if (input.rank === 2)
    return { n: input.shape[0] as number, c: input.shape[1] as number, lossShape: [input.shape[0] as number] };
  throw new ShapeError(`${where}: expected a 1-D [C] or 2-D [N, C] input, got shape ${formatShape(input.shape)}`);
}

const MULTILABEL_MARGIN = signature('F.multilabelMarginLoss', LEGACY);

/**
 * Multi-class multi-label hinge loss: per sample, `Σ_j Σ_{i ∉ targets} max(0, 1 - (x[y_j] - x[i])) / C` over the
 * target classes `y_j`, which are the target row's entries up to its first `-1`.
 *
 * Mirrors [torch.nn.functional.multilabel_margin_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.multilabel_margin_loss.html).
 *
 * Shape: input `[C]` or `[N, C]`; target int32 of the same shape (class indices, then `-1` padding); output a scalar,
 * or `[N]` (`[]` for 1-D input) with `reduction: 'none'`.
 *
 * @param input scores.
 * @param target int32 class indices, `-1`-terminated.
 * @param args torch's `size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing options object.
 * @example
 * ```ts
 * F.multilabelMarginLoss(tf.tensor2d([[0.1, 0.2, 0.4, 0.8]]), tf.tensor2d([[3, 0, -1, 1]], undefined, 'int32')); // 0.85
 * ```
 */
export function multilabelMarginLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  ...args: ArgsOf<typeof MULTILABEL_MARGIN>
): tf.Tensor {
  const where = 'F.multilabelMarginLoss';
  const { sizeAverage, reduce: legacy, reduction: r } = MULTILABEL_MARGIN.parse(args);
  checkTensors(where, { input, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  const { n, c, lossShape } = rows(input, where);
  if (!sameShape(input.shape, target.shape) || target.dtype !== 'int32') {
    throw new ShapeError(
      `${where}: inconsistent target size: expected an int32 target of the input's shape ${formatShape(input.shape)}, ` +
        `got ${target.dtype} ${formatShape(target.shape)}`,
    );
  }
  // Which classes are targets, and how often (torch iterates the target list, so a repeated class counts twice).
  const t = target.dataSync();
  const count = new Float32Array(n * c);
  const isTarget = new Float32Array(n * c);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < c; k++) {
      const y = t[s * c + k] as number;
      if (y === -1) break;
      if (y < -1 || y >= c) throw new ValueError(`${where}: target ${y} is out of bounds (expected -1 or [0, ${c}))`);
      count[s * c + y]! += 1;
      isTarget[s * c + y] = 1;
    }
  }
  return tf.tidy(() => {
    const x = tf.reshape(input, [n, c]);
    // z[s, j, i] = 1 - x[s, j] + x[s, i], for target j and non-target i
    const z = tf.add(tf.sub(1, tf.reshape(x, [n, c, 1])), tf.reshape(x, [n, 1, c]));
    const pairWeight = tf.mul(
      tf.reshape(tf.tensor2d(count, [n, c]), [n, c, 1]),
      tf.reshape(tf.sub(1, tf.tensor2d(isTarget, [n, c])), [n, 1, c]),
    );
    const hinge = tf.mul(tf.relu(z), pairWeight);
    const loss = tf.div(tf.sum(hinge, [1, 2]), c);
    return reduce(tf.reshape(loss, lossShape), reduction);
  });
}

const MULTI_MARGIN = signature('F.multiMarginLoss', [
  ['p', int().default(1)],
  ['margin', float().default(1)],
  ['weight', tensor().optional()],
  ...LEGACY,
]);

/**
 * Multi-class hinge loss: per sample, `Σ_{i ≠ y} max(0, margin - x[y] + x[i])^p · w[y] / C`.
 *
 * Mirrors [torch.nn.functional.multi_margin_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.multi_margin_loss.html).
 *
 * Shape: input `[N, C]` or `[C]`; target int32 `[N]` or `[]`; weight `[C]`; output a scalar, or `[N]` with
 * `reduction: 'none'`.
 *
 * @param input scores.
 * @param target int32 class indices.
 * @param args torch's `p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'`, positionally
 *   or in a trailing options object; `p` is 1 or 2.
 * @example
 * ```ts
 * F.multiMarginLoss(scores, labels, { p: 2, margin: 0.5 });
 * ```
 */
export function multiMarginLoss(input: tf.Tensor, target: tf.Tensor, ...args: ArgsOf<typeof MULTI_MARGIN>): tf.Tensor {
  const where = 'F.multiMarginLoss';
  const { p, margin, weight, sizeAverage, reduce: legacy, reduction: r } = MULTI_MARGIN.parse(args);
  checkTensors(where, { input, target });
  if (p !== 1 && p !== 2) throw new ValueError(`${where}: only p == 1 and p == 2 supported (got ${p})`);
  const reduction = legacyReduction(sizeAverage, legacy, r);
  const { n, c, lossShape } = rows(input, where);
  if (target.dtype !== 'int32' || target.size !== n || target.rank > 1) {
    throw new ShapeError(
      `${where}: inconsistent target size: expected an int32 target of shape ${formatShape(lossShape)} for input ` +
        `${formatShape(input.shape)}, got ${target.dtype} ${formatShape(target.shape)}`,
    );
  }
  if (weight && (weight.rank !== 1 || weight.size !== c)) {
    throw new ShapeError(`${where}: expected a weight of shape [${c}], got ${formatShape(weight.shape)}`);
  }
  const t = Array.from(target.dataSync());
  const bad = t.find((y) => y < 0 || y >= c);
  if (bad !== undefined) throw new ValueError(`${where}: target ${bad} is out of bounds (expected [0, ${c}))`);
  return tf.tidy(() => {
    const x = tf.reshape(input, [n, c]);
    const y = tf.tensor1d(t, 'int32');
    const flatIdx = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(c, 'int32')), y);
    const xy = tf.reshape(tf.gather(tf.reshape(x, [n * c]), flatIdx), [n, 1]);
    const others = tf.sub(1, tf.oneHot(y, c));
    let h = tf.relu(tf.add(tf.sub(margin, xy), x));
    if (p === 2) h = tf.square(h);
    if (weight) h = tf.mul(h, tf.reshape(tf.gather(weight, y), [n, 1]));
    const loss = tf.div(tf.sum(tf.mul(h, others), 1), c);
    return reduce(tf.reshape(loss, lossShape), reduction);
  });
}

const COSINE_EMBEDDING = signature('F.cosineEmbeddingLoss', [['margin', float().default(0)], ...LEGACY]);

/**
 * Cosine embedding loss: `1 - cos(x1, x2)` where `y = 1`, `max(0, cos(x1, x2) - margin)` where `y = -1`, the cosine
 * computed as torch's `Σ x1·x2 / sqrt((Σ x1² + 1e-12)(Σ x2² + 1e-12))`.
 *
 * Mirrors [torch.nn.functional.cosine_embedding_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.cosine_embedding_loss.html).
 *
 * Shape: input1, input2 `[N, D]` with target `[N]`, or `[D]` with a 0-D target; output a scalar, or `[N]` with
 * `reduction: 'none'`.
 *
 * @param input1 first embeddings.
 * @param input2 second embeddings.
 * @param target `1` (similar) or `-1` (dissimilar).
 * @param args torch's `margin=0, size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing
 *   options object.
 * @example
 * ```ts
 * F.cosineEmbeddingLoss(a, b, tf.tensor1d([1, -1]), { margin: 0.2 });
 * ```
 */
export function cosineEmbeddingLoss(
  input1: tf.Tensor,
  input2: tf.Tensor,
  target: tf.Tensor,
  ...args: ArgsOf<typeof COSINE_EMBEDDING>
): tf.Tensor {
  const where = 'F.cosineEmbeddingLoss';
  const { margin, sizeAverage, reduce: legacy, reduction: r } = COSINE_EMBEDDING.parse(args);
  checkTensors(where, { input1, input2, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  const d = target.rank;
  if (d !== 0 && d !== 1) throw new ShapeError(`${where}: 0D or 1D target tensor expected, multi-target not supported`);
  if (input1.rank !== d + 1 || input2.rank !== d + 1) {
    throw new ShapeError(
      `${where}: ${d}D target tensor expects ${d + 1}D input tensors, but found inputs with sizes ` +
        `${formatShape(input1.shape)} and ${formatShape(input2.shape)}.`,
    );
  }
  return tf.tidy(() => {
    const prod = tf.sum(tf.mul(input1, input2), d);
    const mag1 = tf.add(tf.sum(tf.square(input1), d), 1e-12);
    const mag2 = tf.add(tf.sum(tf.square(input2), d), 1e-12);
    const cos = tf.div(prod, tf.sqrt(tf.mul(mag1, mag2)));
    const zeros = tf.zerosLike(cos);
    const pos = tf.where(tf.equal(target, 1), tf.sub(1, cos), zeros);
    const neg = tf.where(tf.equal(target, -1), tf.maximum(tf.sub(cos, margin), 0), zeros);
    return reduce(tf.add(pos, neg), reduction);
  });
}

const MARGIN_RANKING = signature('F.marginRankingLoss', [['margin', float().default(0)], ...LEGACY]);

/**
 * Margin ranking loss `max(0, -y · (x1 - x2) + margin)` for targets `y ∈ {1, -1}` (which input should rank higher).
 *
 * Mirrors [torch.nn.functional.margin_ranking_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.margin_ranking_loss.html).
 *
 * Shape: input1, input2, target `[N]` (or `[]`), all of the same rank; output a scalar, or `[N]` with
 * `reduction: 'none'`.
 *
 * @param input1 first scores.
 * @param input2 second scores.
 * @param target `1` or `-1`.
 * @param args torch's `margin=0, size_average=None, reduce=None, reduction='mean'`, positionally or in a trailing
 *   options object.
 * @example
 * ```ts
 * F.marginRankingLoss(s1, s2, tf.tensor1d([1, -1, 1]), { margin: 0.1 });
 * ```
 */
export function marginRankingLoss(
  input1: tf.Tensor,
  input2: tf.Tensor,
  target: tf.Tensor,
  ...args: ArgsOf<typeof MARGIN_RANKING>
): tf.Tensor {
  const where = 'F.marginRankingLoss';
  const { margin, sizeAverage, reduce: legacy, reduction: r } = MARGIN_RANKING.parse(args);
  checkTensors(where, { input1, input2, target });
  const reduction = legacyReduction(sizeAverage, legacy, r);
  if (input1.rank !== input2.rank || input1.rank !== target.rank) {
    throw new ShapeError(
      `${where}: All input tensors should have same dimension but got sizes: input1: ${formatShape(input1.shape)}, ` +
        `input2: ${formatShape(input2.shape)}, target: ${formatShape(target.shape)}`,
    );
  }
  return tf.tidy(() =>
    reduce(tf.maximum(tf.add(tf.neg(tf.mul(target, tf.sub(input1, input2))), margin), 0), reduction),
  );
}

/**
 * torch's `pairwise_distance(x1, x2, p, eps)`: the p-norm of `x1 - x2 + eps` over the last dimension.
 * @param x1 `[N, D]` or `[D]`.
 * @param x2 broadcastable to `x1`.
 * @param p the norm's order (> 0, or `Infinity`).
 * @param eps added to the difference.
 */
export function pairwiseDistanceP(x1: tf.Tensor, x2: tf.Tensor, p = 2, eps = 1e-6): tf.Tensor {
  const d = tf.add(tf.sub(x1, x2), eps);
  const axis = Math.max(x1.rank, x2.rank) - 1;
  if (p === 2) return tf.sqrt(tf.sum(tf.square(d), axis));
  if (p === Infinity) return tf.max(tf.abs(d), axis);
  if (p === 1) return tf.sum(tf.abs(d), axis);
  return tf.pow(tf.sum(tf.pow(tf.abs(d), p), axis), 1 / p);
}

function checkTripletRanks(a: tf.Tensor, p: tf.Tensor, n: tf.Tensor, where: string): void {
  if (a.rank !== p.rank || p.rank !== n.rank) {
    throw new ShapeError(
      `${where}: All inputs should have same dimension but got ${a.rank}D, ${p.rank}D and ${n.rank}D inputs.`,
    );
  }
}

const TRIPLET_MARGIN = signature('F.tripletMarginLoss', [
  ['margin', float().default(1)],
  ['p', float({ gt: 0, allowInfinity: true }).default(2)],
  ['eps', float().default(1e-6)],
  ['swap', bool().default(false)],
  ...LEGACY,
]);

/**
 * Triplet margin loss `max(0, margin + d(a, p) - d(a, n))` with torch's pairwise p-norm distance of
 * `a - x + eps`; with `swap`, `d(a, n)` is `min(d(a, n), d(p, n))`.
 *
 * Mirrors [torch.nn.functional.triplet_margin_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.triplet_margin_loss.html).
 *
 * Shape: anchor, positive, negative `[N, D]` (or `[D]`); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * @param anchor anchors.
 * @param positive positive examples.
 * @param negative negative examples.
 * @param args torch's `margin=1.0, p=2, eps=1e-06, swap=False, size_average=None, reduce=None, reduction='mean'`,
 *   positionally or in a trailing options object.
 * @example
 * ```ts
 * F.tripletMarginLoss(a, p, n, { margin: 0.5, swap: true });
 * ```
 */
export function tripletMarginLoss(
  anchor: tf.Tensor,
  positive: tf.Tensor,
  negative: tf.Tensor,
  ...args: ArgsOf<typeof TRIPLET_MARGIN>
): tf.Tensor {
  const where = 'F.tripletMarginLoss';
  const { margin, p, eps, swap, sizeAverage, reduce: legacy, reduction: r } = TRIPLET_MARGIN.parse(args);
  checkTensors(where, { anchor, positive, negative });
  checkTripletRanks(anchor, positive, negative, where);
  const reduction = legacyReduction(sizeAverage, legacy, r);
  return tf.tidy(() => {
    const dPos = pairwiseDistanceP(anchor, positive, p, eps);
    let dNeg = pairwiseDistanceP(anchor, negative, p, eps);
    if (swap) dNeg = tf.minimum(dNeg, pairwiseDistanceP(positive, negative, p, eps));
    return reduce(tf.maximum(tf.sub(tf.add(dPos, margin), dNeg), 0), reduction);
  });
}

/** A distance between two batches of embeddings: `[N, D]` pairs to `[N]` (torch's `distance_function`). */
export type DistanceFunction = (x1: tf.Tensor, x2: tf.Tensor) => tf.Tensor;

const TRIPLET_DISTANCE = signature('F.tripletMarginWithDistanceLoss', [
  ['distanceFunction', func<DistanceFunction>().optional()],
  ['margin', float().default(1)],
  ['swap', bool().default(false)],
  ['reduction', reductionArg().default('mean')],
]);

/**
 * Triplet margin loss with any distance: `max(0, margin + d(a, p) - d(a, n))`, `d` defaulting to torch's
 * `pairwise_distance` (2-norm of `x1 - x2 + 1e-6`); with `swap`, `d(a, n)` is `min(d(a, n), d(p, n))`.
 *
 * Mirrors [torch.nn.functional.triplet_margin_with_distance_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.triplet_margin_with_distance_loss.html)
 * (its arguments after the tensors are keyword-only in torch; here they may also come positionally).
 *
 * Shape: anchor, positive, negative `[N, D]` (or `[D]`); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * @param anchor anchors.
 * @param positive positive examples.
 * @param negative negative examples.
 * @param args torch's `distance_function=None, margin=1.0, swap=False, reduction='mean'`, in an options object.
 * @example
 * ```ts
 * const cosineDistance = (x: tf.Tensor, y: tf.Tensor) => tf.sub(1, F.cosineSimilarity(x, y));
 * F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosineDistance, margin: 0.3 });
 * ```
 */
export function tripletMarginWithDistanceLoss(
  anchor: tf.Tensor,
  positive: tf.Tensor,
  negative: tf.Tensor,
  ...args: ArgsOf<typeof TRIPLET_DISTANCE>
): tf.Tensor {
  const where = 'F.tripletMarginWithDistanceLoss';
  const { distanceFunction, margin, swap, reduction } = TRIPLET_DISTANCE.parse(args);
  checkTensors(where, { anchor, positive, negative });
  checkTripletRanks(anchor, positive, negative, where);
  const dist: DistanceFunction = distanceFunction ?? ((x1, x2) => pairwiseDistanceP(x1, x2));
  return tf.tidy(() => {
    const dPos = dist(anchor, positive);
    let dNeg = dist(anchor, negative);
    if (swap) dNeg = tf.minimum(dNeg, dist(positive, negative));
    return reduce(tf.maximum(tf.sub(tf.add(dPos, margin), dNeg), 0), reduction);
  });
}
