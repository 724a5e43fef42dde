/**
 * Distance modules: `nn.CosineSimilarity`, `nn.PairwiseDistance`, thin over `F.cosineSimilarity` and
 * `F.pairwiseDistance`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, float, int, signature } from '../args';
import { cosineSimilarity, pairwiseDistance } from './functional/distance';
import { Module } from './module';

const COSINE = signature('CosineSimilarity', [
  ['dim', int().default(1)],
  ['eps', float({ gt: 0 }).default(1e-8)],
]);

/**
 * Cosine similarity along `dim` (torch's
 * [`nn.CosineSimilarity`](https://pytorch.org/docs/1.13/generated/torch.nn.CosineSimilarity.html)), over
 * {@link cosineSimilarity}.
 *
 * Shape: `x1`, `x2` broadcastable, `[*, D, *]`; output without the `dim`.
 *
 * Arguments (positionally, or in a trailing options object): `dim` (default `1`), `eps` (default `1e-8`).
 * @example
 * ```ts
 * new nn.CosineSimilarity(1, 1e-6).forward(a, b);
 * ```
 */
export class CosineSimilarity extends Module {
  /** The dim of the vectors. */
  readonly dim: number;
  /** Lower bound of the norms' product. */
  readonly eps: number;

  /** @param args `dim?, eps?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof COSINE>) {
    super();
    const { dim, eps } = COSINE.parse(args);
    this.dim = dim;
    this.eps = eps;
  }

  override forward(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}

const PAIRWISE = signature('PairwiseDistance', [
  ['p', float({ allowInfinity: true }).default(2)],
  ['eps', float({ min: 0 }).default(1e-6)],
  ['keepdim', bool().default(false)],
]);

/**
 * The p-norm distance between rows (torch's
 * [`nn.PairwiseDistance`](https://pytorch.org/docs/1.13/generated/torch.nn.PairwiseDistance.html)), over
 * {@link pairwiseDistance}.
 *
 * Shape: `[N, D]` or `[D]` inputs; output `[N]` (`[N, 1]` with `keepdim`).
 *
 * Arguments (positionally, or in a trailing options object): `p` (default `2`), `eps` (default `1e-6`),
 * `keepdim` (default `false`).
 * @example
 * ```ts
 * new nn.PairwiseDistance().forward(a, b);
 * ```
 */
export class PairwiseDistance extends Module {
  /** The norm's order. */
  readonly p: number;
  /** Added to the difference. */
  readonly eps: number;
  /** Keep the last dim. */
  readonly keepdim: boolean;

  /** @param args `p?, eps?, keepdim?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof PAIRWISE>) {
    super();
    const { p, eps, keepdim } = PAIRWISE.parse(args);
    this.p = p;
    this.eps = eps;
    this.keepdim = keepdim;
  }

  override forward(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return pairwiseDistance(x1, x2, this.p, this.eps, this.keepdim);
  }
}
