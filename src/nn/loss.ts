/**
 * Loss modules: torch.nn's `BCELoss`, `BCEWithLogitsLoss`, `MSELoss`, `L1Loss`, `NLLLoss` and
 * `CrossEntropyLoss`, each a thin `forward(input, target)` over the functional op in
 * `nn/functional/loss.ts`. Class weights are buffers with torch's state-dict keys (`weight`, `pos_weight`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, int, isOptionsObject, signature, tensor, type ArgsOf } from '../args';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
} from './functional/loss';
import { ctcLoss } from './functional/loss-ctc';
import { labelSmoothingArg } from './functional/loss-nll';
import {
  LOSS_PARAMS,
  legacyReduction,
  legacyReductionArg,
  reductionArg,
  WEIGHTED_LOSS_PARAMS,
} from './functional/utils';
import { Module } from './module';

export type { Reduction } from './functional/loss';

const LOSS = signature('Loss', LOSS_PARAMS);

/**
 * Base of the losses (torch's `_Loss`): holds the reduction, resolved from `reduction` and torch's deprecated
 * `size_average`/`reduce` as torch 1.13 does.
 */
export class Loss extends Module {
  /** `'none'` | `'mean'` | `'sum'`. */
  readonly reduction: Reduction;

  /**
   * A subclass passes its parsed `sizeAverage`, `reduce` and `reduction`; anything else (`new nn.Loss(...)`
   * itself, or a subclass of the user's) is parsed as torch's `_Loss(size_average=None, reduce=None,
   * reduction='mean')`, so a wrong type or an unknown option is an error here too.
   * @param args the parsed arguments, or torch's.
   */
  constructor(
    ...args:
      | [parsed: { sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction }]
      | ArgsOf<typeof LOSS>
  ) {
    super();
    const first = args[0];
    const fromSubclass =
      args.length === 1 &&
      isOptionsObject(first) &&
      'sizeAverage' in first &&
      'reduce' in first &&
      'reduction' in first;
    const { sizeAverage, reduce, reduction } = fromSubclass
      ? LOSS.parse(
          [{ sizeAverage: first.sizeAverage, reduce: first.reduce, reduction: first.reduction }],
          new.target.name || 'Loss',
        )
      : LOSS.parse(args, new.target.name || 'Loss');
    this.reduction = legacyReduction(sizeAverage, reduce, reduction);
  }

  /** torch's losses print no arguments: `BCELoss()`. */
  override extraRepr(): string {
    return '';
  }
}

/** Base of the losses with a class/element weight buffer (torch's `_WeightedLoss`). */
export class WeightedLoss extends Loss {
  /** The `weight` buffer (state-dict key `weight`), or `null` when none was given (then not in the state dict). */
  readonly weight: tf.Variable | null;

  /** @param parsed the parsed `weight` and reduction arguments. */
  constructor(parsed: {
    weight: tf.Tensor | null;
    sizeAverage: boolean | null;
    reduce: boolean | null;
    reduction: Reduction;
  }) {
    super(parsed);
    this.weight = this.registerBuffer('weight', parsed.weight);
  }
}

const BCE_LOSS = signature('BCELoss', WEIGHTED_LOSS_PARAMS);
const BCE_WITH_LOGITS_LOSS = signature('BCEWithLogitsLoss', [
  ...WEIGHTED_LOSS_PARAMS,
  ['posWeight', tensor().optional()],
]);
const MSE_LOSS = signature('MSELoss', LOSS_PARAMS);
const L1_LOSS = signature('L1Loss', LOSS_PARAMS);
const NLL_LOSS = signature('NLLLoss', [
  ['weight', tensor().optional()],
  ['sizeAverage', legacyReductionArg()],
  ['ignoreIndex', int().default(-100)],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);
const CROSS_ENTROPY_LOSS = signature('CrossEntropyLoss', [
  ...NLL_LOSS.params,
  ['labelSmoothing', labelSmoothingArg().default(0)],
]);

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
 * Arguments (torch's order; positionally or in a trailing options object, with torch's deprecated
 * `sizeAverage`/`reduce` too):
 * - `weight` per-element weight; default `null`.
 * - `reduction` default `'mean'`.
 * @example
 * ```ts
 * const criterion = new nn.BCELoss();
 * const loss = criterion.forward(discriminator.forward(x), torch.full([batch], 1)); // D's output is [batch]
 * ```
 */
export class BCELoss extends WeightedLoss {
  /** @param args torch's `weight, size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof BCE_LOSS>) {
    super(BCE_LOSS.parse(args));
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
 * Arguments (torch's order; positionally or in a trailing options object, with torch's deprecated
 * `sizeAverage`/`reduce` too):
 * - `weight` per-element weight; default `null`.
 * - `reduction` default `'mean'`.
 * - `posWeight` per-class weight of positives; default `null`.
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

  /**
   * @param args torch's `weight, size_average, reduce, reduction, pos_weight`, positionally or in a trailing
   *   options object.
   */
  constructor(...args: ArgsOf<typeof BCE_WITH_LOGITS_LOSS>) {
    const a = BCE_WITH_LOGITS_LOSS.parse(args);
    super(a);
    this.weight = this.registerBuffer('weight', a.weight);
    this.posWeight = this.registerBuffer('pos_weight', a.posWeight);
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

/**
 * Mean squared error: see {@link mseLoss}.
 *
 * Mirrors [torch.nn.MSELoss](https://pytorch.org/docs/1.13/generated/torch.nn.MSELoss.html).
 *
 * Shape:
 * - input: `[*]`; target: `[*]`, the same shape (a broadcastable one warns, as in torch).
 * - output: a scalar, or `[*]` with `reduction: 'none'`.
 *
 * - `reduction` default `'mean'`.
 * @example
 * ```ts
 * new nn.MSELoss().forward(pred, target);
 * ```
 */
export class MSELoss extends Loss {
  /** @param args torch's `size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof MSE_LOSS>) {
    super(MSE_LOSS.parse(args));
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
 * - `reduction` default `'mean'`.
 * @example
 * ```ts
 * new nn.L1Loss({ reduction: 'sum' }).forward(pred, target);
 * ```
 */
export class L1Loss extends Loss {
  /** @param args torch's `size_average, reduce, reduction`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof MSE_LOSS>) {
    super(L1_LOSS.parse(args));
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
 * Arguments (torch's order; positionally or in a trailing options object, with torch's deprecated
 * `sizeAverage`/`reduce` too):
 * - `weight` default `null`.
 * - `ignoreIndex` default `-100`.
 * - `reduction` default `'mean'`.
 * @example
 * ```ts
 * new nn.NLLLoss().forward(tf.logSoftmax(logits), labels);
 * ```
 */
export class NLLLoss extends WeightedLoss {
  /** Target value that is ignored. */
  readonly ignoreIndex: number;

  /**
   * @param args torch's `weight, size_average, ignore_index, reduce, reduction`, positionally or in a trailing
   *   options object.
   */
  constructor(...args: ArgsOf<typeof NLL_LOSS>) {
    const a = NLL_LOSS.parse(args);
    super(a);
    this.ignoreIndex = a.ignoreIndex;
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
 * Arguments (torch's order; positionally or in a trailing options object, with torch's deprecated
 * `sizeAverage`/`reduce` too):
 * - `weight` default `null`.
 * - `ignoreIndex` default `-100`.
 * - `reduction` default `'mean'`.
 * - `labelSmoothing` default `0`.
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

  /**
   * @param args torch's `weight, size_average, ignore_index, reduce, reduction, label_smoothing`, positionally or
   *   in a trailing options object.
   */
  constructor(...args: ArgsOf<typeof CROSS_ENTROPY_LOSS>) {
    const a = CROSS_ENTROPY_LOSS.parse(args);
    super(a);
    this.ignoreIndex = a.ignoreIndex;
    this.labelSmoothing = a.labelSmoothing;
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

const CTC_LOSS = signature('CTCLoss', [
  ['blank', int({ min: 0 }).default(0)],
  ['reduction', reductionArg().default('mean')],
  ['zeroInfinity', bool().default(false)],
]);

/**
 * The Connectionist Temporal Classification loss: see {@link ctcLoss} (torch's recursion and gradient).
 *
 * Mirrors [torch.nn.CTCLoss](https://pytorch.org/docs/1.13/generated/torch.nn.CTCLoss.html).
 *
 * Shape: log_probs `[T, N, C]` (or `[T, C]`), targets int32 `[N, S]` or 1-D concatenated, inputLengths and
 * targetLengths `[N]`; output a scalar, or `[N]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `blank` (0), `reduction` (`'mean'`),
 * `zeroInfinity` (false).
 * @example
 * ```ts
 * const ctc = new nn.CTCLoss();
 * ctc.forward(tf.logSoftmax(logits), targets, inputLengths, targetLengths);
 * ```
 */
export class CTCLoss extends Loss {
  /** The blank label. */
  readonly blank: number;
  /** Whether infinite losses (and their gradients) become 0. */
  readonly zeroInfinity: boolean;

  /** @param args torch's `blank, reduction, zero_infinity`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof CTC_LOSS>) {
    const a = CTC_LOSS.parse(args);
    super({ sizeAverage: null, reduce: null, reduction: a.reduction });
    this.blank = a.blank;
    this.zeroInfinity = a.zeroInfinity;
  }

  /**
   * The loss.
   * @param logProbs log-probabilities `[T, N, C]`.
   * @param targets int32 targets `[N, S]` or concatenated.
   * @param inputLengths `[N]` lengths of the inputs.
   * @param targetLengths `[N]` lengths of the targets.
   */
  override forward(
    logProbs: tf.Tensor,
    targets: tf.Tensor,
    inputLengths: tf.Tensor | number[],
    targetLengths: tf.Tensor | number[],
  ): tf.Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank,
      reduction: this.reduction,
      zeroInfinity: this.zeroInfinity,
    });
  }
}
