/**
 * Regression and likelihood loss modules: torch.nn's `SmoothL1Loss`, `HuberLoss`, `KLDivLoss`, `PoissonNLLLoss` and
 * `GaussianNLLLoss`, each a thin `forward` over its F op in `nn/functional/loss-regression.ts`. They print as torch's
 * (`SmoothL1Loss()`) and hold no state.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, float, oneOf, signature, type ArgsOf } from '../args';
import { gaussianNllLoss, huberLoss, klDiv, poissonNllLoss, smoothL1Loss } from './functional/loss-regression';
import { LOSS_PARAMS, legacyReductionArg, type Reduction, reductionArg } from './functional/utils';
import { Loss } from './loss';

const NO_LEGACY = { sizeAverage: null, reduce: null } as const;

const SMOOTH_L1_LOSS = signature('SmoothL1Loss', [...LOSS_PARAMS, ['beta', float({ min: 0 }).default(1)]]);

/**
 * Smooth L1 loss (quadratic below `beta`, linear above): see {@link smoothL1Loss}.
 *
 * Mirrors [torch.nn.SmoothL1Loss](https://pytorch.org/docs/1.13/generated/torch.nn.SmoothL1Loss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `sizeAverage`, `reduce` (deprecated),
 * `reduction` (`'mean'`), `beta` (1).
 * @example
 * ```ts
 * new nn.SmoothL1Loss({ beta: 0.5 }).forward(pred, target);
 * ```
 */
export class SmoothL1Loss extends Loss {
  /** The threshold between the quadratic and the linear part. */
  readonly beta: number;

  /** @param args torch's `size_average, reduce, reduction, beta`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof SMOOTH_L1_LOSS>) {
    const a = SMOOTH_L1_LOSS.parse(args);
    super(a);
    this.beta = a.beta;
  }

  /**
   * The loss of `input` against `target`.
   * @param input predictions `[*]`.
   * @param target targets `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

const HUBER_LOSS = signature('HuberLoss', [
  ['reduction', reductionArg().default('mean')],
  ['delta', float({ gt: 0 }).default(1)],
]);

/**
 * Huber loss (quadratic below `delta`, `delta`-scaled linear above): see {@link huberLoss}.
 *
 * Mirrors [torch.nn.HuberLoss](https://pytorch.org/docs/1.13/generated/torch.nn.HuberLoss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `reduction` (`'mean'`), `delta` (1).
 * @example
 * ```ts
 * new nn.HuberLoss('sum', 2).forward(pred, target);
 * ```
 */
export class HuberLoss extends Loss {
  /** The threshold between the quadratic and the linear part. */
  readonly delta: number;

  /** @param args torch's `reduction, delta`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof HUBER_LOSS>) {
    const a = HUBER_LOSS.parse(args);
    super({ ...NO_LEGACY, reduction: a.reduction });
    this.delta = a.delta;
  }

  /**
   * The loss of `input` against `target`.
   * @param input predictions `[*]`.
   * @param target targets `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

const KL_DIV_LOSS = signature('KLDivLoss', [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', oneOf(['none', 'mean', 'sum', 'batchmean']).default('mean')],
  ['logTarget', bool().default(false)],
]);

/**
 * Kullback-Leibler divergence loss: see {@link klDiv} (`reduction: 'batchmean'` is the mathematical KL).
 *
 * Mirrors [torch.nn.KLDivLoss](https://pytorch.org/docs/1.13/generated/torch.nn.KLDivLoss.html).
 *
 * Shape: input `[*]` (log-probabilities), target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `sizeAverage`, `reduce` (deprecated),
 * `reduction` (`'mean'`; also `'batchmean'`), `logTarget` (false).
 * @example
 * ```ts
 * new nn.KLDivLoss({ reduction: 'batchmean' }).forward(tf.logSoftmax(logits), probs);
 * ```
 */
export class KLDivLoss extends Loss {
  /** `'none'`, `'mean'`, `'sum'` or `'batchmean'` (after torch's legacy rule). */
  readonly klReduction: Reduction | 'batchmean';
  /** Whether the target is given as log-probabilities. */
  readonly logTarget: boolean;

  /** @param args torch's `size_average, reduce, reduction, log_target`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof KL_DIV_LOSS>) {
    const a = KL_DIV_LOSS.parse(args);
    const legacy = a.sizeAverage !== null || a.reduce !== null;
    super({ ...a, reduction: a.reduction === 'batchmean' ? 'sum' : a.reduction });
    this.klReduction = legacy ? this.reduction : a.reduction;
    this.logTarget = a.logTarget;
  }

  /**
   * The divergence of `target` from `input`.
   * @param input log-probabilities `[*]`.
   * @param target probabilities (or log-probabilities) `[*]`.
   */
  override forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return klDiv(input, target, { reduction: this.klReduction, logTarget: this.logTarget });
  }
}

const POISSON_NLL_LOSS = signature('PoissonNLLLoss', [
  ['logInput', bool().default(true)],
  ['full', bool().default(false)],
  ['sizeAverage', legacyReductionArg()],
  ['eps', float().default(1e-8)],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
]);

/**
 * Poisson negative log-likelihood: see {@link poissonNllLoss}.
 *
 * Mirrors [torch.nn.PoissonNLLLoss](https://pytorch.org/docs/1.13/generated/torch.nn.PoissonNLLLoss.html).
 *
 * Shape: input `[*]`, target `[*]`; output a scalar, or `[*]` with `reduction: 'none'`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `logInput` (true), `full` (false),
 * `sizeAverage` (deprecated), `eps` (1e-8), `reduce` (deprecated), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.PoissonNLLLoss({ full: true }).forward(logRate, counts);
 * ```
 */
export class PoissonNLLLoss extends Loss {
  /** Whether the input is the log-rate. */
  readonly logInput: boolean;
  /** Whether Stirling's term is added. */
  readonly full: boolean;
  /** Added to the rate before its log (`logInput: false`). */
  readonly eps: number;

  /**
   * @param args torch's `log_input, full, size_average, eps, reduce, reduction`, positionally or in a trailing options
   *   object.
   */
  constructor(...args: ArgsOf<typeof POISSON_NLL_LOSS>) {
    const a = POISSON_NLL_LOSS.parse(args);
    super(a);
    this.logInput = a.logInput;
    this.full = a.full;
    this.eps = a.eps;
  }

  /**
   * The negative log-likelihood of `target` counts.
   * @param logInput the (log-)rate `[*]`.
   * @param target counts `[*]`.
   */
  override forward(logInput: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return poissonNllLoss(logInput, target, {
      logInput: this.logInput,
      full: this.full,
      eps: this.eps,
      reduction: this.reduction,
    });
  }
}

const GAUSSIAN_NLL_LOSS = signature('GaussianNLLLoss', [
  ['full', bool().default(false)],
  ['eps', float({ min: 0 }).default(1e-6)],
  ['reduction', reductionArg().default('mean')],
]);

/**
 * Gaussian negative log-likelihood: see {@link gaussianNllLoss}.
 *
 * Mirrors [torch.nn.GaussianNLLLoss](https://pytorch.org/docs/1.13/generated/torch.nn.GaussianNLLLoss.html)
 * (its arguments are keyword-only in torch; here they may also come positionally).
 *
 * Shape: input `[N, *]`, target `[N, *]`, var `[N, *]` or one dimension less or a last dimension of 1; output a
 * scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * Arguments (an options object): `full` (false), `eps` (1e-6), `reduction` (`'mean'`).
 * @example
 * ```ts
 * new nn.GaussianNLLLoss({ full: true }).forward(mean, target, variance);
 * ```
 */
export class GaussianNLLLoss extends Loss {
  /** Whether the constant `0.5 log(2π)` is added. */
  readonly full: boolean;
  /** The variance's lower clamp. */
  readonly eps: number;

  /** @param args torch's `full, eps, reduction`, in an options object (or positionally). */
  constructor(...args: ArgsOf<typeof GAUSSIAN_NLL_LOSS>) {
    const a = GAUSSIAN_NLL_LOSS.parse(args);
    super({ ...NO_LEGACY, reduction: a.reduction });
    this.full = a.full;
    this.eps = a.eps;
  }

  /**
   * The negative log-likelihood of `target` under N(`input`, `variance`).
   * @param input predicted means.
   * @param target samples.
   * @param variance predicted variances (torch's `var`).
   */
  override forward(input: tf.Tensor, target: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    return gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}
