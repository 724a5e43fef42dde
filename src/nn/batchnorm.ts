import * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { noGrad } from '../autograd/tape';
import { ShapeError, formatShape } from '../errors';
import { pyBool, pyFloat } from '../repr';
import { batchNorm, batchNormChannelsLast } from './functional/batchnorm';
import { ones_ } from './init';
import { Module } from './module';

const BATCH_NORM = signature('BatchNorm', [
  ['numFeatures', int({ min: 1 })],
  ['eps', float({ min: 0 }).default(1e-5)],
  // torch accepts any float; a value outside [0, 1] is almost always a Keras momentum misread.
  ['momentum', float({ min: 0, max: 1 }).optional().default(0.1)],
  ['affine', bool().default(true)],
  ['trackRunningStats', bool().default(true)],
]);

/**
 * The options object of the BatchNorm layers: `eps` (1e-5), `momentum` (0.1, torch's convention: the weight of the
 * new batch statistic; Keras' `momentum` is `1 - momentum`; `null` gives a cumulative average), `affine` (true),
 * `trackRunningStats` (true).
 */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability. Default: `1e-5`. */
  eps?: number;
  /** Weight of the new batch statistic (torch's convention), or `null` for a cumulative average. Default: `0.1`. */
  momentum?: number | null;
  /** Learnable per-channel `weight` (init 1) and `bias` (init 0). Default: `true`. */
  affine?: boolean;
  /** Keep running statistics (buffers `running_mean`, `running_var`, `num_batches_tracked`). Default: `true`. */
  trackRunningStats?: boolean;
  /** `C`, the number of channels (usually given positionally). */
  numFeatures?: number;
}

/**
 * Shared implementation of `BatchNorm1d` / `BatchNorm2d` (torch's `_BatchNorm`, see
 * [torch.nn.BatchNorm2d](https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html)); use those.
 * `instanceof nn.BatchNormBase` matches both.
 *
 * Shape: input `[N, C, ...]`; output: same. The subclasses fix the accepted ranks.
 *
 * @example
 * ```ts
 * for (const m of model.modules()) if (m instanceof nn.BatchNormBase) m.resetRunningStats();
 * ```
 */
export abstract class BatchNormBase extends Module {
  /** `C`, the number of channels. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Weight of the new batch statistic in the running ones (torch's sense), or `null` for a cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether the running-statistics buffers exist (and eval mode uses them). */
  readonly trackRunningStats: boolean;
  /** `[numFeatures]`, init 1; `null` when not affine. */
  readonly weight: Parameter | null;
  /** `[numFeatures]`, init 0; `null` when not affine. */
  readonly bias: Parameter | null;
  /** Buffer `running_mean` `[numFeatures]`, init 0. */
  readonly runningMean: tf.Variable | null;
  /** Buffer `running_var` `[numFeatures]`, init 1. */
  readonly runningVar: tf.Variable | null;
  /** Buffer `num_batches_tracked` (int32 here, int64 in torch): train-mode forward passes so far. */
  readonly numBatchesTracked: tf.Variable | null;

  /**
   * @param args `numFeatures, eps?, momentum?, affine?, trackRunningStats?`, positionally in torch's order or in a
   *   trailing options object.
   */
  constructor(...args: ArgsOf<typeof BATCH_NORM>) {
    super();
    const { numFeatures, eps, momentum, affine, trackRunningStats } = BATCH_NORM.parse(args, new.target.name);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine
      ? this.createParameter('weight', [numFeatures], ones_)
      : this.registerParameter('weight', null);
    this.bias = affine ? this.createParameter('bias', [numFeatures]) : this.registerParameter('bias', null);
    // registerBuffer copies into a variable: the initial values are temporaries.
    const buffer = (name: string, init: () => tf.Tensor) => {
      if (!trackRunningStats) return this.registerBuffer(name, null);
      const t = init();
      try {
        return this.registerBuffer(name, t);
      } finally {
        t.dispose();
      }
    };
    this.runningMean = buffer('running_mean', () => tf.zeros([numFeatures]));
    this.runningVar = buffer('running_var', () => tf.ones([numFeatures]));
    this.numBatchesTracked = buffer('num_batches_tracked', () => tf.scalar(0, 'int32'));
  }

  /** Resets the running statistics to mean 0, variance 1, and 0 batches (torch's `reset_running_stats`). */
  resetRunningStats(): void {
    noGrad(() =>
      tf.tidy(() => {
        this.runningMean?.assign(tf.zerosLike(this.runningMean));
        this.runningVar?.assign(tf.onesLike(this.runningVar));
        this.numBatchesTracked?.assign(tf.scalar(0, 'int32'));
      }),
    );
  }

  /** Resets running statistics and the affine parameters (weight 1, bias 0), as torch's `reset_parameters`. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() =>
      tf.tidy(() => {
        this.weight?.assign(tf.onesLike(this.weight));
        this.bias?.assign(tf.zerosLike(this.bias));
      }),
    );
  }

  /** Throws unless `input` has a rank this layer accepts. */
  protected abstract checkInputDim(input: tf.Tensor): void;

  override forward(input: tf.Tensor): tf.Tensor {
    this.checkInputDim(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `${this.typeName}(${this.numFeatures}): expected input[1] (channels) to be ${this.numFeatures}, ` +
          `got ${input.shape[1]} for input of shape ${formatShape(input.shape)}`,
      );
    }
    return this.normalize(input, false);
  }

  /** Whether `forward` normalises with batch statistics (train mode, or no running statistics to use). */
  private get batchStatistics(): boolean {
    return this.training || (this.runningMean == null && this.runningVar == null);
  }

  /** `forward` on a checked input, with its channels on axis 1 or (`channelsLast`) on the last axis. */
  protected normalize(input: tf.Tensor, channelsLast: boolean): tf.Tensor {
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      const n = this.numBatchesTracked;
      noGrad(() => tf.tidy(() => n.assign(tf.add(n, tf.scalar(1, 'int32')))));
      if (this.momentum === null) factor = 1 / (n.dataSync()[0] as number);
    }
    const useRunning = !this.training || this.trackRunningStats;
    const runningMean = useRunning ? this.runningMean : null;
    const runningVar = useRunning ? this.runningVar : null;
    const a = { weight: this.weight, bias: this.bias, training: this.batchStatistics, momentum: factor, eps: this.eps };
    return channelsLast
      ? batchNormChannelsLast(input, { runningMean, runningVar, ...a })
      : batchNorm(input, runningMean, runningVar, a);
  }

  /**
   * `forward`'s output shape for a 4-d input of `shape` in a channels-last run (`BatchNorm2d`'s), or `null` where
   * `forward` would refuse the input.
   */
  protected normalizedShape(shape: readonly number[]): number[] | null {
    if (shape[1] !== this.numFeatures) return null;
    const perChannel = shape.reduce((a, b) => a * b, 1) / this.numFeatures;
    if (this.batchStatistics && (perChannel <= 1 || !(this.eps > 0))) return null;
    return [...shape];
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

/**
 * Batch normalisation over `[N, C, H, W]` (torch's `nn.BatchNorm2d`).
 *
 * Mirrors [torch.nn.BatchNorm2d](https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html):
 * in train mode it normalises with the batch statistics (biased variance) and updates the running
 * statistics with the unbiased variance, `running = (1 - momentum) * running + momentum * batch`; in eval
 * mode it uses the running statistics.
 *
 * **Porting from Keras:** Keras' `BatchNormalization(momentum=0.8)` means torch's `momentum=0.2`. The
 * reference article passes `momentum=0.8` to torch too, which weights each new batch at 80%; this class
 * does what torch does with that value.
 *
 * Shape: input `[N, C, H, W]`; output: same.
 *
 * Arguments (positionally in this order, or any of them in a trailing options object, as in Python):
 * `numFeatures` (`C`), `eps` (1e-5), `momentum` (0.1; `null` = cumulative average), `affine` (true),
 * `trackRunningStats` (true).
 * @example
 * ```ts
 * const bn = new nn.BatchNorm2d(64, { momentum: 0.8 });
 * const y = bn.forward(tf.randomNormal([8, 64, 14, 14]));
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: tf.Tensor): void {
    if (input.rank !== 4)
      throw new ShapeError(
        `BatchNorm2d: expected 4D input (got ${input.rank}D input of shape ${formatShape(input.shape)})`,
      );
  }

  /** `forward`'s output shape for an input of `shape` in a channels-last run, or `null`. */
  channelsLastShape(shape: readonly number[]): number[] | null {
    return this.normalizedShape(shape);
  }

  /** `forward` on the NHWC form of its input, in a channels-last run: the NHWC form of its output. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return this.normalize(x, true);
  }
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]` (torch's `nn.BatchNorm1d`); see {@link BatchNorm2d}
 * for the semantics.
 *
 * Mirrors [torch.nn.BatchNorm1d](https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm1d.html).
 *
 * Shape: input `[N, C]` or `[N, C, L]`; output: same.
 *
 * Arguments: as {@link BatchNorm2d}'s.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(16);
 * bn.forward(tf.randomNormal([4, 16]));
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: tf.Tensor): void {
    if (input.rank !== 2 && input.rank !== 3) {
      throw new ShapeError(
        `BatchNorm1d: expected 2D or 3D input (got ${input.rank}D input of shape ${formatShape(input.shape)})`,
      );
    }
  }
}

/**
 * Batch normalisation over `[N, C, D, H, W]` (torch's `nn.BatchNorm3d`); see {@link BatchNorm2d} for the
 * semantics.
 *
 * Mirrors [torch.nn.BatchNorm3d](https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm3d.html).
 *
 * Shape: input `[N, C, D, H, W]`; output: same.
 *
 * Arguments: as {@link BatchNorm2d}'s.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm3d(4, { affine: false });
 * bn.forward(tf.randomNormal([2, 4, 3, 5, 5]));
 * ```
 */
export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(input: tf.Tensor): void {
    if (input.rank !== 5)
      throw new ShapeError(
        `BatchNorm3d: expected 5D input (got ${input.rank}D input of shape ${formatShape(input.shape)})`,
      );
  }
}
