/**
 * Loss modules: torch.nn's `BCELoss`, `BCEWithLogitsLoss`, `MSELoss`, `L1Loss`, `NLLLoss` and
 * `CrossEntropyLoss`, each a thin `forward(input, target)` over the functional op in
 * `nn/functional/loss.ts`. Class weights are buffers with torch's state-dict keys (`weight`, `pos_weight`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { ValueError } from '../errors';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
} from './functional/loss';
import { Module } from './module';

export type { Reduction } from './functional/loss';

function checkReduction(reduction: string, where: string): Reduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new ValueError(
      `${where}: ${reduction} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`,
    );
  }
  return reduction;
}

/** Base of the losses (torch's `_Loss`): holds the reduction. */
class Loss extends Module {
  /** `'none'` | `'mean'` | `'sum'`. */
  readonly reduction: Reduction;

  constructor(reduction: Reduction) {
    super();
    this.reduction = checkReduction(reduction, this.typeName);
  }

  /** torch's losses print no arguments: `BCELoss()`. */
  override extraRepr(): string {
    return '';
  }
}

/** Base of the losses with a class/element weight buffer (torch's `_WeightedLoss`). */
class WeightedLoss extends Loss {
  /** The `weight` buffer (state-dict key `weight`), or `null` when none was given (then not in the state dict). */
  readonly weight: tf.Variable | null;

  constructor(weight: tf.Tensor | null, reduction: Reduction) {
    super(reduction);
    this.weight = this.registerBuffer('weight', weight);
  }
}

/** Options of {@link BCELoss}. */
export interface BCELossOptions {
  /** Rescaling weight of each element, broadcastable to the input; a buffer. Default: `null`. */
  weight?: tf.Tensor | null;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/**
 * Binary cross-entropy between probabilities and targets, the loss of the reference DCGAN
 * (`criterion = nn.BCELoss()`): see {@link binaryCrossEntropy} (log terms clamped at -100, torch's
 * gradient at exactly 0 and 1, one boolean read per call to check the input range).
 *
 * Mirrors [torch.nn.BCELoss](https://pytorch.org/docs/1.13/generated/torch.nn.BCELoss.html).
 *
 * Shape:
 * - input: `[*]`, probabilities in [0, 1]; target: `[*]`, the same shape.
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * State: buffer `weight` (only when given).
 *
 * @param options.weight per-element weight. Default: `null`.
 * @param options.reduction Default: `'mean'`.
 * @example
 * ```ts
 * const criterion = new nn.BCELoss();
 * const loss = criterion.forward(discriminator.forward(x), torch.full([batch], 1)); // D's output is [batch]
 * ```
 */
export class BCELoss extends WeightedLoss {
  constructor({ weight = null, reduction = 'mean' }: BCELossOptions = {}) {
    super(weight, reduction);
  }

  /**
   * The loss of probabilities `input` against `target`.
   * @param input probabilities `[*]`.
   * @param target targets `[*]`, the input's shape.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Options of {@link BCEWithLogitsLoss}. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples, broadcastable to the input (usually `[C]`); a buffer. Default: `null`. */
  posWeight?: tf.Tensor | null;
}

/**
 * A sigmoid and binary cross-entropy in one numerically stable step: see {@link binaryCrossEntropyWithLogits}.
 *
 * Mirrors [torch.nn.BCEWithLogitsLoss](https://pytorch.org/docs/1.13/generated/torch.nn.BCEWithLogitsLoss.html).
 *
 * Shape:
 * - input: `[*]`, logits; target: `[*]`, the same shape.
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * State: buffers `weight` and `pos_weight` (each only when given), in that order.
 *
 * @param options.weight per-element weight. Default: `null`.
 * @param options.reduction Default: `'mean'`.
 * @param options.posWeight per-class weight of positives. Default: `null`.
 * @example
 * ```ts
 * const criterion = new nn.BCEWithLogitsLoss({ posWeight: tf.tensor1d([3]) });
 * criterion.forward(logits, labels);
 * ```
 */
export class BCEWithLogitsLoss extends Loss {
  /** The `weight` buffer, or `null`. */
  readonly weight: tf.Variable | null;
  /** The `pos_weight` buffer (torch's key), or `null`. */
  readonly posWeight: tf.Variable | null;

  constructor({ weight = null, reduction = 'mean', posWeight = null }: BCEWithLogitsLossOptions = {}) {
    super(reduction);
    this.weight = this.registerBuffer('weight', weight);
    this.posWeight = this.registerBuffer('pos_weight', posWeight);
  }

  /**
   * The loss of logits `input` against `target`.
   * @param input logits `[*]`.
   * @param target targets `[*]`, the input's shape.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}

/** Options of {@link MSELoss} and {@link L1Loss}. */
export interface LossOptions {
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/**
 * Mean squared error: see {@link mseLoss}.
 *
 * Mirrors [torch.nn.MSELoss](https://pytorch.org/docs/1.13/generated/torch.nn.MSELoss.html).
 *
 * Shape:
 * - input: `[*]`; target: `[*]`, the same shape (a broadcastable one warns, as in torch).
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param options.reduction Default: `'mean'`.
 * @example
 * ```ts
 * new nn.MSELoss().forward(pred, target);
 * ```
 */
export class MSELoss extends Loss {
  constructor({ reduction = 'mean' }: LossOptions = {}) {
    super(reduction);
  }

  /**
   * The mean squared error of `input` against `target`.
   * @param input predictions `[*]`.
   * @param target targets `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error: see {@link l1Loss}.
 *
 * Mirrors [torch.nn.L1Loss](https://pytorch.org/docs/1.13/generated/torch.nn.L1Loss.html).
 *
 * Shape:
 * - input: `[*]`; target: `[*]`, the same shape (a broadcastable one warns, as in torch).
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * @param options.reduction Default: `'mean'`.
 * @example
 * ```ts
 * new nn.L1Loss({ reduction: 'sum' }).forward(pred, target);
 * ```
 */
export class L1Loss extends Loss {
  constructor({ reduction = 'mean' }: LossOptions = {}) {
    super(reduction);
  }

  /**
   * The mean absolute error of `input` against `target`.
   * @param input predictions `[*]`.
   * @param target targets `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Options of {@link NLLLoss}. */
export interface NLLLossModuleOptions {
  /** Per-class weight `[C]`; a buffer. Default: `null`. */
  weight?: tf.Tensor | null;
  /** Target value that is ignored. Default: `-100`. */
  ignoreIndex?: number;
  /** `'none'` | `'mean'` | `'sum'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/**
 * Negative log-likelihood of class indices under log-probabilities: see {@link nllLoss}.
 *
 * Mirrors [torch.nn.NLLLoss](https://pytorch.org/docs/1.13/generated/torch.nn.NLLLoss.html).
 *
 * Shape:
 * - input: `[N, C]`, `[C]`, or `[N, C, d1, ...]`; target: int32 `[N]`, `[]`, or `[N, d1, ...]`.
 * - output: a scalar, or the target's shape with `reduction: 'none'`.
 *
 * State: buffer `weight` (only when given).
 *
 * @param options.weight Default: `null`.
 * @param options.ignoreIndex Default: `-100`.
 * @param options.reduction Default: `'mean'`.
 * @example
 * ```ts
 * new nn.NLLLoss().forward(tf.logSoftmax(logits), labels);
 * ```
 */
export class NLLLoss extends WeightedLoss {
  /** Target value that is ignored. */
  readonly ignoreIndex: number;

  constructor({ weight = null, ignoreIndex = -100, reduction = 'mean' }: NLLLossModuleOptions = {}) {
    super(weight, reduction);
    this.ignoreIndex = ignoreIndex;
  }

  /**
   * The negative log-likelihood of the `target` classes.
   * @param input log-probabilities `[N, C, ...]`.
   * @param target int32 class indices `[N, ...]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Options of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossOptions extends NLLLossModuleOptions {
  /** Smoothing in [0, 1]. Default: `0`. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits against class indices or class probabilities: see {@link crossEntropy}.
 *
 * Mirrors [torch.nn.CrossEntropyLoss](https://pytorch.org/docs/1.13/generated/torch.nn.CrossEntropyLoss.html).
 *
 * Shape:
 * - input: `[N, C]`, `[C]`, or `[N, C, d1, ...]`.
 * - target: int32 `[N]` / `[]` / `[N, d1, ...]`, or float32 of the input's shape (probabilities).
 * - output: a scalar, or the input's shape without dimension 1 with `reduction: 'none'`.
 *
 * State: buffer `weight` (only when given).
 *
 * @param options.weight Default: `null`.
 * @param options.ignoreIndex Default: `-100`.
 * @param options.reduction Default: `'mean'`.
 * @param options.labelSmoothing Default: `0`.
 * @throws ValueError for `labelSmoothing > 1` or an unknown reduction.
 * @example
 * ```ts
 * const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * criterion.forward(logits, tf.tensor1d([3, 0], 'int32'));
 * ```
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** Target value that is ignored. */
  readonly ignoreIndex: number;
  /** Amount of label smoothing. */
  readonly labelSmoothing: number;

  constructor({
    weight = null,
    ignoreIndex = -100,
    reduction = 'mean',
    labelSmoothing = 0,
  }: CrossEntropyLossOptions = {}) {
    super(weight, reduction);
    if (labelSmoothing > 1) {
      throw new ValueError(`CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
    }
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }

  /**
   * The cross-entropy of logits `input` against `target`.
   * @param input logits `[N, C, ...]`.
   * @param target int32 class indices `[N, ...]`, or probabilities of the input's shape.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}
