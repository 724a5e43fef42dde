/**
 * Margin and embedding loss modules: torch.nn's `HingeEmbeddingLoss`, `SoftMarginLoss`, `MultiLabelSoftMarginLoss`,
 * `MultiLabelMarginLoss`, `MultiMarginLoss`, `CosineEmbeddingLoss`, `MarginRankingLoss`, `TripletMarginLoss` and
 * `TripletMarginWithDistanceLoss`, each a thin `forward` over its F op in `nn/functional/loss-margin.ts`. Class
 * weights are buffers with torch's key `weight`; the modules print as torch's (`MultiMarginLoss()`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, float, func, int, signature, type ArgsOf } from '../args';
import { ValueError } from '../errors';
import {
  cosineEmbeddingLoss,
  type DistanceFunction,
  hingeEmbeddingLoss,
  marginRankingLoss,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  multiMarginLoss,
  pairwiseDistanceP,
  softMarginLoss,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
} from './functional/loss-margin';
import { LOSS_PARAMS, reductionArg, WEIGHTED_LOSS_PARAMS } from './functional/utils';
import { Loss, WeightedLoss } from './loss';
import { Module } from './module';

/**
 * torch's `PairwiseDistance()` with its defaults (p = 2, eps = 1e-6), the default distance of
 * {@link TripletMarginWithDistanceLoss}; it prints as torch's child `(distance_function): PairwiseDistance()`.
 */
class PairwiseDistance extends Module {
  override forward(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return pairwiseDistanceP(x1, x2);
  }
}

const HINGE_EMBEDDING_LOSS = signature('HingeEmbeddingLoss', [['margin', float().default(1)], ...LOSS_PARAMS]);

/**
 * Hinge embedding loss for `±1` targets: see {@link hingeEmbeddingLoss}.
 *
 * Mirrors [torch.nn.HingeEmbeddingLoss](https://pytorch.org/docs/1.13/generated/torch.nn.HingeEmbeddingLoss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `margin` (1), `sizeAverage`, `reduce`
 * (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.HingeEmbeddingLoss(2).forward(dist, labels);
 * ```
 */
export class HingeEmbeddingLoss extends Loss {
  /** The margin of the `-1` targets. */
  readonly margin: number;

  /** @param args torch's `margin, size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof HINGE_EMBEDDING_LOSS>) {
    const a = HINGE_EMBEDDING_LOSS.parse(args);
    super(a);
    this.margin = a.margin;
  }

  /**
   * The loss.
   * @param input distances `[*]`.
   * @param target `±1` `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

const SOFT_MARGIN_LOSS = signature('SoftMarginLoss', LOSS_PARAMS);

/**
 * Two-class logistic loss for `±1` targets: see {@link softMarginLoss}.
 *
 * Mirrors [torch.nn.SoftMarginLoss](https://pytorch.org/docs/1.13/generated/torch.nn.SoftMarginLoss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order): `sizeAverage`, `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.SoftMarginLoss().forward(scores, labels);
 * ```
 */
export class SoftMarginLoss extends Loss {
  /** @param args torch's `size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof SOFT_MARGIN_LOSS>) {
    super(SOFT_MARGIN_LOSS.parse(args));
  }

  /**
   * The loss.
   * @param input scores `[*]`.
   * @param target `±1` `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return softMarginLoss(input, target, { reduction: this.reduction });
  }
}

const MULTI_LABEL_SOFT_MARGIN_LOSS = signature('MultiLabelSoftMarginLoss', WEIGHTED_LOSS_PARAMS);

/**
 * Multi-label one-versus-all logistic loss: see {@link multilabelSoftMarginLoss}.
 *
 * Mirrors [torch.nn.MultiLabelSoftMarginLoss](https://pytorch.org/docs/1.13/generated/torch.nn.MultiLabelSoftMarginLoss.html).
 *
 * Shape: input `[N, C]`, target `[N, C]` (0/1); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * State: buffer `weight` (only when given).
 *
 * Arguments (torch's order): `weight` (null), `sizeAverage`, `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.MultiLabelSoftMarginLoss().forward(scores, labels);
 * ```
 */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  /** @param args torch's `weight, size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof MULTI_LABEL_SOFT_MARGIN_LOSS>) {
    super(MULTI_LABEL_SOFT_MARGIN_LOSS.parse(args));
  }

  /**
   * The loss.
   * @param input scores `[N, C]`.
   * @param target 0/1 labels `[N, C]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

const MULTI_LABEL_MARGIN_LOSS = signature('MultiLabelMarginLoss', LOSS_PARAMS);

/**
 * Multi-class multi-label hinge loss: see {@link multilabelMarginLoss}.
 *
 * Mirrors [torch.nn.MultiLabelMarginLoss](https://pytorch.org/docs/1.13/generated/torch.nn.MultiLabelMarginLoss.html).
 *
 * Shape: input `[C]` or `[N, C]`; target int32 of the same shape, `-1`-terminated class indices; output a scalar,
 * or `[N]` with `reduction: 'none'`.
 *
 * Arguments (torch's order): `sizeAverage`, `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.MultiLabelMarginLoss().forward(scores, tf.tensor2d([[3, 0, -1, 1]], undefined, 'int32'));
 * ```
 */
export class MultiLabelMarginLoss extends Loss {
  /** @param args torch's `size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof MULTI_LABEL_MARGIN_LOSS>) {
    super(MULTI_LABEL_MARGIN_LOSS.parse(args));
  }

  /**
   * The loss.
   * @param input scores `[N, C]`.
   * @param target int32 class indices `[N, C]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return multilabelMarginLoss(input, target, { reduction: this.reduction });
  }
}

const MULTI_MARGIN_LOSS = signature('MultiMarginLoss', [
  ['p', int().default(1)],
  ['margin', float().default(1)],
  ...WEIGHTED_LOSS_PARAMS,
]);

/**
 * Multi-class hinge loss: see {@link multiMarginLoss}.
 *
 * Mirrors [torch.nn.MultiMarginLoss](https://pytorch.org/docs/1.13/generated/torch.nn.MultiMarginLoss.html).
 *
 * Shape: input `[N, C]` or `[C]`; target int32 `[N]` or `[]`; output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * State: buffer `weight` `[C]` (only when given).
 *
 * Arguments (torch's order): `p` (1 or 2; 1), `margin` (1), `weight` (null), `sizeAverage`, `reduce` (deprecated),
 * `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.MultiMarginLoss(2, 0.5).forward(scores, labels);
 * ```
 */
export class MultiMarginLoss extends WeightedLoss {
  /** The hinge's power, 1 or 2. */
  readonly p: 1 | 2;
  /** The margin. */
  readonly margin: number;

  /**
   * @param args torch's `p, margin, weight, size_average, reduce, reduction`, positionally or in a trailing options
   *   object.
   */
  constructor(...args: ArgsOf<typeof MULTI_MARGIN_LOSS>) {
    const a = MULTI_MARGIN_LOSS.parse(args);
    if (a.p !== 1 && a.p !== 2) throw new ValueError(`MultiMarginLoss: only p == 1 and p == 2 supported (got ${a.p})`);
    if (a.weight != null && a.weight.rank !== 1) {
      throw new ValueError(`MultiMarginLoss: weight must be 1-D [C], got ${a.weight.rank}-D`);
    }
    super(a);
    this.p = a.p;
    this.margin = a.margin;
  }

  /**
   * The loss.
   * @param input scores `[N, C]`.
   * @param target int32 class indices `[N]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return multiMarginLoss(input, target, {
      p: this.p,
      margin: this.margin,
      weight: this.weight,
      reduction: this.reduction,
    });
  }
}

const COSINE_EMBEDDING_LOSS = signature('CosineEmbeddingLoss', [['margin', float().default(0)], ...LOSS_PARAMS]);

/**
 * Cosine embedding loss for `±1` targets: see {@link cosineEmbeddingLoss}.
 *
 * Mirrors [torch.nn.CosineEmbeddingLoss](https://pytorch.org/docs/1.13/generated/torch.nn.CosineEmbeddingLoss.html).
 *
 * Shape: input1, input2 `[N, D]` (or `[D]`), target `[N]` (or `[]`); output a scalar, or `[N]` with
 * `reduction: 'none'`.
 *
 * Arguments (torch's order): `margin` (0), `sizeAverage`, `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.CosineEmbeddingLoss(0.2).forward(a, b, labels);
 * ```
 */
export class CosineEmbeddingLoss extends Loss {
  /** The margin of the `-1` targets. */
  readonly margin: number;

  /** @param args torch's `margin, size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof COSINE_EMBEDDING_LOSS>) {
    const a = COSINE_EMBEDDING_LOSS.parse(args);
    super(a);
    this.margin = a.margin;
  }

  /**
   * The loss.
   * @param input1 first embeddings `[N, D]`.
   * @param input2 second embeddings `[N, D]`.
   * @param target `±1` `[N]`.
   */
  override forward(input1: tf.Tensor, input2: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

const MARGIN_RANKING_LOSS = signature('MarginRankingLoss', [['margin', float().default(0)], ...LOSS_PARAMS]);

/**
 * Margin ranking loss for `±1` targets: see {@link marginRankingLoss}.
 *
 * Mirrors [torch.nn.MarginRankingLoss](https://pytorch.org/docs/1.13/generated/torch.nn.MarginRankingLoss.html).
 *
 * Shape: input1, input2, target `[N]` (or `[]`); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * Arguments (torch's order): `margin` (0), `sizeAverage`, `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.MarginRankingLoss(0.1).forward(s1, s2, labels);
 * ```
 */
export class MarginRankingLoss extends Loss {
  /** The margin. */
  readonly margin: number;

  /** @param args torch's `margin, size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof MARGIN_RANKING_LOSS>) {
    const a = MARGIN_RANKING_LOSS.parse(args);
    super(a);
    this.margin = a.margin;
  }

  /**
   * The loss.
   * @param input1 first scores `[N]`.
   * @param input2 second scores `[N]`.
   * @param target `±1` `[N]`.
   */
  override forward(input1: tf.Tensor, input2: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

const TRIPLET_MARGIN_LOSS = signature('TripletMarginLoss', [
  ['margin', float().default(1)],
  ['p', float({ gt: 0, allowInfinity: true }).default(2)],
  ['eps', float().default(1e-6)],
  ['swap', bool().default(false)],
  ...LOSS_PARAMS,
]);

/**
 * Triplet margin loss with the pairwise p-norm distance: see {@link tripletMarginLoss}.
 *
 * Mirrors [torch.nn.TripletMarginLoss](https://pytorch.org/docs/1.13/generated/torch.nn.TripletMarginLoss.html).
 *
 * Shape: anchor, positive, negative `[N, D]` (or `[D]`); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * Arguments (torch's order): `margin` (1), `p` (2), `eps` (1e-6), `swap` (false), `sizeAverage`, `reduce`
 * (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.TripletMarginLoss({ margin: 0.5, swap: true }).forward(a, p, n);
 * ```
 */
export class TripletMarginLoss extends Loss {
  /** The margin. */
  readonly margin: number;
  /** The norm's order. */
  readonly p: number;
  /** Added to the differences before the norm. */
  readonly eps: number;
  /** Whether the distance swap is used. */
  readonly swap: boolean;

  /**
   * @param args torch's `margin, p, eps, swap, size_average, reduce, reduction`, positionally or in a trailing
   *   options object.
   */
  constructor(...args: ArgsOf<typeof TRIPLET_MARGIN_LOSS>) {
    const a = TRIPLET_MARGIN_LOSS.parse(args);
    super(a);
    this.margin = a.margin;
    this.p = a.p;
    this.eps = a.eps;
    this.swap = a.swap;
  }

  /**
   * The loss.
   * @param anchor anchors `[N, D]`.
   * @param positive positives `[N, D]`.
   * @param negative negatives `[N, D]`.
   */
  override forward(anchor: tf.Tensor, positive: tf.Tensor, negative: tf.Tensor): tf.Tensor {
    return tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin,
      p: this.p,
      eps: this.eps,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}

const TRIPLET_MARGIN_WITH_DISTANCE_LOSS = signature('TripletMarginWithDistanceLoss', [
  ['distanceFunction', func<DistanceFunction>().optional()],
  ['margin', float().default(1)],
  ['swap', bool().default(false)],
  ['reduction', reductionArg().default('mean')],
]);

/**
 * Triplet margin loss with any distance function: see {@link tripletMarginWithDistanceLoss}.
 *
 * Mirrors [torch.nn.TripletMarginWithDistanceLoss](https://pytorch.org/docs/1.13/generated/torch.nn.TripletMarginWithDistanceLoss.html)
 * (keyword-only arguments in torch).
 *
 * Shape: anchor, positive, negative `[N, D]` (or `[D]`); output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * Arguments (an options object): `distanceFunction` (null: torch's pairwise distance), `margin` (1), `swap`
 * (false), `reduction` (`'mean'`).
 * @example
 * ```ts
 * const l1 = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.abs(tf.sub(x, y)), -1);
 * new nn.TripletMarginWithDistanceLoss({ distanceFunction: l1, margin: 0.5 }).forward(a, p, n);
 * ```
 */
export class TripletMarginWithDistanceLoss extends Loss {
  /** The distance: the given function, or a `PairwiseDistance` child module (torch's default). */
  readonly distanceFunction: DistanceFunction | Module;
  /** The margin. */
  readonly margin: number;
  /** Whether the distance swap is used. */
  readonly swap: boolean;

  /** @param args torch's `distance_function, margin, swap, reduction`, in an options object (or positionally). */
  constructor(...args: ArgsOf<typeof TRIPLET_MARGIN_WITH_DISTANCE_LOSS>) {
    const a = TRIPLET_MARGIN_WITH_DISTANCE_LOSS.parse(args);
    super({ sizeAverage: null, reduce: null, reduction: a.reduction });
    // torch: distance_function if given, else a PairwiseDistance() child (printed, as any Module attribute).
    this.distanceFunction = a.distanceFunction ?? this.registerModule('distance_function', new PairwiseDistance());
    this.margin = a.margin;
    this.swap = a.swap;
  }

  /**
   * The loss.
   * @param anchor anchors `[N, D]`.
   * @param positive positives `[N, D]`.
   * @param negative negatives `[N, D]`.
   */
  override forward(anchor: tf.Tensor, positive: tf.Tensor, negative: tf.Tensor): tf.Tensor {
    const d = this.distanceFunction;
    return tripletMarginWithDistanceLoss(anchor, positive, negative, {
      distanceFunction: d instanceof Module ? (x1, x2) => d.forward(x1, x2) : d,
      margin: this.margin,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}
