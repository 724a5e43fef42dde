/**
 * torch's distance functions: `F.cosineSimilarity`, `F.pairwiseDistance`, and `F.normalize` (Lp-normalisation
 * along a dim), with torch's eps handling.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, checkTensors, float, int, normalizeDim, signature } from '../../args';
import { ShapeError, formatShape } from '../../errors';
import { broadcastShapes, pNorm } from '../../ops/common';

const COSINE = signature('F.cosineSimilarity', [
  ['dim', int().default(1)],
  ['eps', float({ gt: 0 }).default(1e-8)],
]);

/**
 * Cosine similarity along `dim`, broadcasting: `x1·x2 / sqrt(max(||x1||² ||x2||², eps²))` (torch's
 * [`F.cosine_similarity`](https://pytorch.org/docs/1.13/generated/torch.nn.functional.cosine_similarity.html)).
 *
 * Shape: `x1`, `x2` broadcastable; the output drops `dim`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim of the vectors. Default: `1`.
 * - `eps`: lower bound of the norms' product. Default: `1e-8`.
 * @param x1 first input.
 * @param x2 second input.
 * @example
 * ```ts
 * F.cosineSimilarity(a, b, -1);
 * ```
 */
export function cosineSimilarity(x1: tf.Tensor, x2: tf.Tensor, ...args: ArgsOf<typeof COSINE>): tf.Tensor {
  checkTensors('F.cosineSimilarity', { x1, x2 });
  const { dim, eps } = COSINE.parse(args);
  const shape = broadcastShapes([x1.shape, x2.shape], 'F.cosineSimilarity');
  const d = normalizeDim(dim, shape.length, 'F.cosineSimilarity');
  const w12 = tf.sum(tf.mul(x1, x2), d);
  const n1 = tf.sum(tf.square(x1), x1.rank === shape.length ? d : d - (shape.length - x1.rank));
  const n2 = tf.sum(tf.square(x2), x2.rank === shape.length ? d : d - (shape.length - x2.rank));
  return tf.div(w12, tf.sqrt(tf.maximum(tf.mul(n1, n2), eps * eps)));
}

const PAIRWISE = signature('F.pairwiseDistance', [
  ['p', float({ allowInfinity: true }).default(2)],
  ['eps', float({ min: 0 }).default(1e-6)],
  ['keepdim', bool().default(false)],
]);

/**
 * The p-norm of `x1 - x2 + eps` along the last dim (torch's
 * [`F.pairwise_distance`](https://pytorch.org/docs/1.13/generated/torch.nn.functional.pairwise_distance.html)).
 *
 * Shape: `[N, D]` or `[D]` inputs (broadcastable); output `[N]` (or `[N, 1]` with `keepdim`).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `p`: the norm's order. Default: `2`.
 * - `eps`: added to the difference, against division by zero. Default: `1e-6`.
 * - `keepdim`: keep the last dim. Default: `false`.
 * @param x1 first input.
 * @param x2 second input.
 * @example
 * ```ts
 * F.pairwiseDistance(anchor, positive);
 * ```
 */
export function pairwiseDistance(x1: tf.Tensor, x2: tf.Tensor, ...args: ArgsOf<typeof PAIRWISE>): tf.Tensor {
  checkTensors('F.pairwiseDistance', { x1, x2 });
  const { p, eps, keepdim } = PAIRWISE.parse(args);
  const shape = broadcastShapes([x1.shape, x2.shape], 'F.pairwiseDistance');
  if (shape.length === 0) throw new ShapeError('F.pairwiseDistance: inputs must have at least 1 dimension');
  return pNorm(tf.add(tf.sub(x1, x2), eps), p, [shape.length - 1], keepdim);
}

const NORMALIZE = signature('F.normalize', [
  ['p', float({ allowInfinity: true }).default(2)],
  ['dim', int().default(1)],
  ['eps', float({ min: 0 }).default(1e-12)],
]);

/**
 * Divides by the Lp norm along `dim`, at least `eps` (torch's
 * [`F.normalize`](https://pytorch.org/docs/1.13/generated/torch.nn.functional.normalize.html)).
 *
 * Shape: any; the output has the input's shape.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `p`: the norm's order. Default: `2`.
 * - `dim`: the dim. Default: `1`.
 * - `eps`: smallest divisor. Default: `1e-12`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * F.normalize(embeddings, 2, -1);
 * ```
 */
export function normalize(input: tf.Tensor, ...args: ArgsOf<typeof NORMALIZE>): tf.Tensor {
  checkTensors('F.normalize', { input });
  const { p, dim, eps } = NORMALIZE.parse(args);
  const d = normalizeDim(dim, input.rank, 'F.normalize');
  if (input.rank === 0)
    throw new ShapeError(`F.normalize: expected at least a 1-D input, got shape ${formatShape(input.shape)}`);
  return tf.div(input, tf.maximum(pNorm(input, p, [d], true), eps));
}

const ONE_HOT = signature('F.oneHot', [['numClasses', int({ min: -1 }).default(-1)]]);

/**
 * One-hot encoding of int32 class indices (torch's
 * [`F.one_hot`](https://pytorch.org/docs/1.13/generated/torch.nn.functional.one_hot.html)); int32 output (torch's
 * int64). With `numClasses = -1` it is one more than the largest index (read synchronously).
 *
 * Shape: `[*]` to `[*, numClasses]`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `numClasses`: number of classes. Default: `-1` (inferred).
 * @param tensor int32 indices in `[0, numClasses)`.
 * @example
 * ```ts
 * F.oneHot(labels, 10);
 * ```
 */
export function oneHot(tensor: tf.Tensor, ...args: ArgsOf<typeof ONE_HOT>): tf.Tensor {
  checkTensors('F.oneHot', { tensor });
  const { numClasses } = ONE_HOT.parse(args);
  if (tensor.dtype !== 'int32') {
    throw new ShapeError(`F.oneHot: one_hot is only applicable to index tensor (int32 here), got ${tensor.dtype}`);
  }
  const v = tensor.dataSync();
  let max = -1;
  for (const x of v) {
    if (x < 0) throw new ShapeError(`F.oneHot: Class values must be non-negative (got ${x}).`);
    max = Math.max(max, x);
  }
  const n = numClasses === -1 ? max + 1 : numClasses;
  if (numClasses === -1 && tensor.size === 0) {
    throw new ShapeError('F.oneHot: Can not infer total number of classes from empty tensor.');
  }
  if (max >= n) throw new ShapeError(`F.oneHot: Class values must be smaller than num_classes (got ${max} for ${n}).`);
  return tf.reshape(tf.oneHot(tf.reshape(tensor, [tensor.size]), n, 1, 0, 'int32'), [...tensor.shape, n]);
}
