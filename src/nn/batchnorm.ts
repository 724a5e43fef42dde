import * as tf from '@tensorflow/tfjs-core';

import { Parameter } from '../autograd/parameter';
import { noGrad } from '../autograd/tape';
import { ShapeError, ValueError } from '../errors';
import { batchNorm } from './functional/batchnorm';
import { checkPositiveInt } from './linear';
import { Module } from './module';
import { pyBool, pyFloat } from '../repr';

/** Options of the BatchNorm layers, torch's keyword arguments. */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability. Default: `1e-5`. */
  eps?: number;
  /**
   * Weight of the new batch statistic: `running = (1 - momentum) * running + momentum * batch`
   * (torch's convention; Keras' `momentum` is the opposite, `1 - momentum`). `null` gives a cumulative
   * moving average. Default: `0.1`.
   */
  momentum?: number | null;
  /** Learnable per-channel `weight` (init 1) and `bias` (init 0). Default: `true`. */
  affine?: boolean;
  /** Keep running statistics (buffers `running_mean`, `running_var`, `num_batches_tracked`). Default: `true`. */
  trackRunningStats?: boolean;
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

  constructor(
    numFeatures: number,
    { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true }: BatchNormOptions = {},
  ) {
    super();
    checkPositiveInt(numFeatures, 'num_features', this.typeName);
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) {
      // torch accepts any float; a value outside [0, 1] is almost always a Keras momentum misread.
      throw new ValueError(`${this.typeName}: momentum must be in [0, 1] or null, got ${momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = this.registerParameter('weight', affine ? new Parameter(tf.ones([numFeatures])) : null);
    this.bias = this.registerParameter('bias', affine ? new Parameter(tf.zeros([numFeatures])) : null);
    this.runningMean = this.registerBuffer('running_mean', trackRunningStats ? tf.zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', trackRunningStats ? tf.ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer(
      'num_batches_tracked',
      trackRunningStats ? tf.scalar(0, 'int32') : null,
    );
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
          `got ${input.shape[1]} for input of shape [${input.shape.join(', ')}]`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      const n = this.numBatchesTracked;
      noGrad(() => tf.tidy(() => n.assign(tf.add(n, tf.scalar(1, 'int32')))));
      if (this.momentum === null) factor = 1 / (n.dataSync()[0] as number);
    }
    const bnTraining = this.training || (this.runningMean == null && this.runningVar == null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(input, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    });
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
 * @param numFeatures `C`, the number of channels.
 * @param options eps (1e-5), momentum (0.1; `null` = cumulative average), affine (true), trackRunningStats (true).
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
        `BatchNorm2d: expected 4D input (got ${input.rank}D input of shape [${input.shape.join(', ')}])`,
      );
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
 * @param numFeatures `C`.
 * @param options eps (1e-5), momentum (0.1; `null` = cumulative average), affine (true), trackRunningStats (true).
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
        `BatchNorm1d: expected 2D or 3D input (got ${input.rank}D input of shape [${input.shape.join(', ')}])`,
      );
    }
  }
}
