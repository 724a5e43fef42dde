/**
 * Normalisation layers other than batch norm: `LayerNorm`, `GroupNorm`, `InstanceNorm1d/2d`, `LocalResponseNorm`
 * (torch's `torch/nn/modules/normalization.py` and `instancenorm.py`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, signature, type ArgsOf } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import type { Parameter } from '../autograd/parameter';
import { groupNorm, instanceNorm, layerNorm, localResponseNorm, shapeArg, toShape } from './functional/normalization';
import { checkInputRank } from './functional/utils';
import { ones_ } from './init';
import { Module } from './module';
import { pyBool, pyFloat, pyTuple } from '../repr';

const LAYER_NORM = signature('LayerNorm', [
  ['normalizedShape', shapeArg()],
  ['eps', float({ min: 0 }).default(1e-5)],
  ['elementwiseAffine', bool().default(true)],
]);

/**
 * Layer normalisation over the trailing `normalizedShape` (torch's `nn.LayerNorm`), with an elementwise affine
 * transform.
 *
 * Mirrors [torch.nn.LayerNorm](https://pytorch.org/docs/1.13/generated/torch.nn.LayerNorm.html).
 *
 * Shape: input `[*, ...normalizedShape]`; output as the input.
 *
 * Attributes: `weight` (ones) and `bias` (zeros) of shape `normalizedShape`, or `null` without `elementwiseAffine`.
 *
 * Arguments (positionally in this order, or in a trailing options object):
 * - `normalizedShape` an int or a list of ints: the trailing dimensions to normalise over.
 * - `eps` added to the variance. Default: `1e-5`.
 * - `elementwiseAffine` learn `weight` and `bias`. Default: `true`.
 * @example
 * ```ts
 * const ln = new nn.LayerNorm(16);
 * ln.forward(tf.randomNormal([8, 10, 16])); // [8, 10, 16]
 * new nn.LayerNorm([10, 16], { elementwiseAffine: false });
 * ```
 */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly elementwiseAffine: boolean;
  /** Elementwise scale `normalizedShape`, or `null`. */
  readonly weight: Parameter | null;
  /** Elementwise shift `normalizedShape`, or `null`. */
  readonly bias: Parameter | null;

  /** @param args `normalizedShape, eps?, elementwiseAffine?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof LAYER_NORM>) {
    super();
    const a = LAYER_NORM.parse(args);
    this.normalizedShape = toShape(a.normalizedShape);
    this.eps = a.eps;
    this.elementwiseAffine = a.elementwiseAffine;
    this.weight = a.elementwiseAffine
      ? this.createParameter('weight', this.normalizedShape, ones_)
      : this.registerParameter('weight', null);
    this.bias = a.elementwiseAffine
      ? this.createParameter('bias', this.normalizedShape)
      : this.registerParameter('bias', null);
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

const GROUP_NORM = signature('GroupNorm', [
  ['numGroups', int({ min: 1 })],
  ['numChannels', int({ min: 1 })],
  ['eps', float({ min: 0 }).default(1e-5)],
  ['affine', bool().default(true)],
]);

/**
 * Group normalisation (torch's `nn.GroupNorm`): per sample, each of `numGroups` groups of channels is normalised
 * over its channels and positions, then scaled and shifted per channel.
 *
 * Mirrors [torch.nn.GroupNorm](https://pytorch.org/docs/1.13/generated/torch.nn.GroupNorm.html).
 *
 * Shape: input `[N, numChannels, *]`; output as the input.
 *
 * Attributes: `weight` (ones) and `bias` (zeros) `[numChannels]`, or `null` without `affine`.
 *
 * Arguments (positionally in this order, or in a trailing options object):
 * - `numGroups` number of groups; must divide `numChannels`.
 * - `numChannels` channels expected in the input.
 * - `eps` added to the variance. Default: `1e-5`.
 * - `affine` learn `weight` and `bias`. Default: `true`.
 * @example
 * ```ts
 * new nn.GroupNorm(4, 16).forward(tf.randomNormal([2, 16, 8, 8]));
 * ```
 */
export class GroupNorm extends Module {
  /** Number of groups. */
  readonly numGroups: number;
  /** Channels expected in the input. */
  readonly numChannels: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Per-channel scale `[numChannels]`, or `null`. */
  readonly weight: Parameter | null;
  /** Per-channel shift `[numChannels]`, or `null`. */
  readonly bias: Parameter | null;

  /** @param args `numGroups, numChannels, eps?, affine?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof GROUP_NORM>) {
    super();
    const a = GROUP_NORM.parse(args);
    if (a.numChannels % a.numGroups !== 0) {
      throw new ValueError(
        `GroupNorm: num_channels must be divisible by num_groups (got numChannels=${a.numChannels}, numGroups=${a.numGroups})`,
      );
    }
    this.numGroups = a.numGroups;
    this.numChannels = a.numChannels;
    this.eps = a.eps;
    this.affine = a.affine;
    this.weight = a.affine
      ? this.createParameter('weight', [a.numChannels], ones_)
      : this.registerParameter('weight', null);
    this.bias = a.affine ? this.createParameter('bias', [a.numChannels]) : this.registerParameter('bias', null);
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

const INSTANCE_NORM = signature('InstanceNorm', [
  ['numFeatures', int({ min: 1 })],
  ['eps', float({ min: 0 }).default(1e-5)],
  ['momentum', float({ min: 0, max: 1 }).default(0.1)],
  ['affine', bool().default(false)],
  ['trackRunningStats', bool().default(false)],
]);

/**
 * Base of `InstanceNorm1d` and `InstanceNorm2d` (torch's `_InstanceNorm`): parameters, running statistics and the
 * forward over `F.instanceNorm`, with unbatched inputs handled as torch (a batch of one).
 */
export abstract class InstanceNormBase extends Module {
  /** Channels `C` of the input. */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of the new statistic in the running averages. */
  readonly momentum: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;
  /** Per-channel scale `[C]` (ones), or `null` without `affine`. */
  readonly weight: Parameter | null;
  /** Per-channel shift `[C]` (zeros), or `null` without `affine`. */
  readonly bias: Parameter | null;
  /** Buffer `running_mean` `[C]`, or `null` without `trackRunningStats`. */
  readonly runningMean: tf.Variable | null;
  /** Buffer `running_var` `[C]`, or `null` without `trackRunningStats`. */
  readonly runningVar: tf.Variable | null;
  /** Buffer `num_batches_tracked` (int32 here, int64 in torch; instance norm never advances it, as torch). */
  readonly numBatchesTracked: tf.Variable | null;
  private readonly where: string;
  private readonly spatialRank: number;

  /**
   * @param where the class name, for error messages.
   * @param spatialRank 1 for `InstanceNorm1d`, 2 for `InstanceNorm2d`.
   * @param args `numFeatures, eps?` (`1e-5`), `momentum?` (`0.1`), `affine?` (`false`), `trackRunningStats?`
   *   (`false`), positionally or in a trailing options object.
   */
  protected constructor(where: string, spatialRank: number, args: ArgsOf<typeof INSTANCE_NORM>) {
    super();
    if (new.target === InstanceNormBase) {
      // reachable from JavaScript only (the class is abstract): torch's `_InstanceNorm` is private too
      throw new ArgumentTypeError(
        "InstanceNormBase is an abstract base class (torch's private _InstanceNorm): construct InstanceNorm1d, InstanceNorm2d or InstanceNorm3d",
      );
    }
    const a = INSTANCE_NORM.parse(args, where);
    this.where = where;
    this.spatialRank = spatialRank;
    this.numFeatures = a.numFeatures;
    this.eps = a.eps;
    this.momentum = a.momentum;
    this.affine = a.affine;
    this.trackRunningStats = a.trackRunningStats;
    const c = a.numFeatures;
    this.weight = a.affine ? this.createParameter('weight', [c], ones_) : this.registerParameter('weight', null);
    this.bias = a.affine ? this.createParameter('bias', [c]) : this.registerParameter('bias', null);
    const buffer = (key: string, init: () => tf.Tensor) => {
      if (!a.trackRunningStats) return this.registerBuffer(key, null);
      const t = init();
      try {
        return this.registerBuffer(key, t);
      } finally {
        t.dispose();
      }
    };
    this.runningMean = buffer('running_mean', () => tf.zeros([c]));
    this.runningVar = buffer('running_var', () => tf.ones([c]));
    this.numBatchesTracked = buffer('num_batches_tracked', () => tf.scalar(0, 'int32'));
  }

  override forward(input: tf.Tensor): tf.Tensor {
    checkInputRank(input, [this.spatialRank + 1, this.spatialRank + 2], this.where);
    const unbatched = input.rank === this.spatialRank + 1;
    const x = unbatched ? tf.expandDims(input, 0) : input;
    const y = instanceNorm(
      x,
      this.runningMean,
      this.runningVar,
      this.weight,
      this.bias,
      this.training || !this.trackRunningStats,
      this.momentum,
      this.eps,
    );
    return unbatched ? tf.squeeze(y, [0]) : y;
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

/**
 * Instance normalisation of `[N, C, L]` (or unbatched `[C, L]`) inputs (torch's `nn.InstanceNorm1d`): each channel
 * of each sample normalised over its length. Without `trackRunningStats` (default) eval mode normalises the same
 * way; with it, training updates the running statistics and eval mode uses them, as torch.
 *
 * Mirrors [torch.nn.InstanceNorm1d](https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output as the input.
 *
 * Attributes: `weight`/`bias` `[C]` with `affine`; buffers `running_mean`, `running_var`, `num_batches_tracked`
 * with `trackRunningStats`.
 * @example
 * ```ts
 * new nn.InstanceNorm1d(8, { affine: true }).forward(tf.randomNormal([4, 8, 20]));
 * ```
 */
export class InstanceNorm1d extends InstanceNormBase {
  /**
   * @param args `numFeatures, eps?` (`1e-5`), `momentum?` (`0.1`), `affine?` (`false`), `trackRunningStats?`
   *   (`false`), positionally or in a trailing options object.
   */
  constructor(...args: ArgsOf<typeof INSTANCE_NORM>) {
    super('InstanceNorm1d', 1, args);
  }
}

/**
 * Instance normalisation of `[N, C, H, W]` (or unbatched `[C, H, W]`) inputs (torch's `nn.InstanceNorm2d`, as in
 * style-transfer networks): each channel of each sample normalised over its positions.
 *
 * Mirrors [torch.nn.InstanceNorm2d](https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output as the input.
 *
 * Attributes: `weight`/`bias` `[C]` with `affine`; buffers `running_mean`, `running_var`, `num_batches_tracked`
 * with `trackRunningStats`.
 * @example
 * ```ts
 * new nn.InstanceNorm2d(128, { affine: true }).forward(tf.randomNormal([1, 128, 32, 32]));
 * ```
 */
export class InstanceNorm2d extends InstanceNormBase {
  /**
   * @param args `numFeatures, eps?` (`1e-5`), `momentum?` (`0.1`), `affine?` (`false`), `trackRunningStats?`
   *   (`false`), positionally or in a trailing options object.
   */
  constructor(...args: ArgsOf<typeof INSTANCE_NORM>) {
    super('InstanceNorm2d', 2, args);
  }
}

const LOCAL_RESPONSE_NORM = signature('LocalResponseNorm', [
  ['size', int({ min: 1 })],
  ['alpha', float().default(1e-4)],
  ['beta', float().default(0.75)],
  ['k', float().default(1)],
]);

/**
 * Local response normalisation across channels (torch's `nn.LocalResponseNorm`).
 *
 * Mirrors [torch.nn.LocalResponseNorm](https://pytorch.org/docs/1.13/generated/torch.nn.LocalResponseNorm.html).
 *
 * Shape: input `[N, C, *]` (3-D or more); output as the input.
 *
 * Arguments: `size` (neighbouring channels), `alpha` (`1e-4`), `beta` (`0.75`), `k` (`1`), positionally or in a
 * trailing options object.
 * @example
 * ```ts
 * new nn.LocalResponseNorm(5, 1e-4, 0.75, 2).forward(tf.randomNormal([1, 96, 55, 55]));
 * ```
 */
export class LocalResponseNorm extends Module {
  /** Number of neighbouring channels. */
  readonly size: number;
  /** Multiplicative factor. */
  readonly alpha: number;
  /** Exponent. */
  readonly beta: number;
  /** Additive factor. */
  readonly k: number;

  /** @param args `size, alpha?, beta?, k?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof LOCAL_RESPONSE_NORM>) {
    super();
    ({ size: this.size, alpha: this.alpha, beta: this.beta, k: this.k } = LOCAL_RESPONSE_NORM.parse(args));
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return localResponseNorm(input, this.size, this.alpha, this.beta, this.k);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
