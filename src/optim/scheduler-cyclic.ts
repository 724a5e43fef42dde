/**
 * torch's cyclic and composite learning-rate schedulers: `CosineAnnealingWarmRestarts`, `CyclicLR`,
 * `OneCycleLR` (with momentum / beta1 cycling), `ReduceLROnPlateau`, `SequentialLR`, `ChainedScheduler`.
 * @module
 */
import { any, type ArgsOf, bool, float, func, int, intList, oneOf, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { snakeCase } from '../repr';
import type { Optimizer } from './optimizer';
import { num } from './optimizer';
import {
  checkOptimizer,
  EPOCH_DEPRECATION_WARNING,
  type Group,
  groupsOf,
  LRScheduler,
  perGroup,
  type Scheduler,
  type SchedulerStateDict,
  warnOnce,
} from './scheduler';

const LAST = [
  ['lastEpoch', int({ min: -1 }).default(-1)],
  ['verbose', bool().default(false)],
] as const;

const WARM_RESTARTS = signature('CosineAnnealingWarmRestarts', [
  ['T0', num()],
  ['TMult', num().default(1)],
  ['etaMin', num().default(0)],
  ...LAST,
]);

/**
 * Cosine annealing with warm restarts, SGDR (torch's `CosineAnnealingWarmRestarts`): the cosine restarts every
 * `T0·TMult^i` epochs. `step(epoch)` accepts fractional epochs (`step(epoch + i / iters)` within an epoch).
 *
 * Mirrors [CosineAnnealingWarmRestarts](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `T0` (first period, int ≥ 1), `TMult` (period growth, int ≥ 1, default `1`), `etaMin` (`0`),
 *   `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new CosineAnnealingWarmRestarts(optimizer, 10, 2);
 * for (let epoch = 0; epoch < 20; epoch++) for (let i = 0; i < iters; i++) { train(); scheduler.step(epoch + i / iters); }
 * ```
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** The first period. */
  t0: number;
  /** The current period. */
  tI: number;
  /** Period growth factor. */
  tMult: number;
  /** The minimum learning rate. */
  etaMin: number;
  /** Epochs since the last restart (fractional with `step(epoch)`). */
  tCur: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `T0, TMult, etaMin, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof WARM_RESTARTS>) {
    const a = WARM_RESTARTS.parse(args);
    if (a.T0 <= 0 || !Number.isInteger(a.T0)) throw new ValueError(`Expected positive integer T_0, but got ${a.T0}`);
    if (a.TMult < 1 || !Number.isInteger(a.TMult)) {
      throw new ValueError(`Expected integer T_mult >= 1, but got ${a.TMult}`);
    }
    super(optimizer, a.lastEpoch, a.verbose);
    this.t0 = a.T0;
    this.tI = a.T0;
    this.tMult = a.TMult;
    this.etaMin = a.etaMin;
    this.tCur = a.lastEpoch;
    this.initialStep();
  }

  protected override getLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2,
    );
  }

  /**
   * Advances one epoch, or jumps to `epoch` (may be fractional).
   * @param epoch the (fractional) epoch; default: the next one.
   */
  override step(epoch?: number): void {
    if ((epoch === undefined || epoch === null) && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined || epoch === null) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (typeof epoch !== 'number' || Number.isNaN(epoch)) {
        throw new ArgumentTypeError(`CosineAnnealingWarmRestarts.step(): epoch must be a number, got ${typeof epoch}`);
      }
      if (epoch < 0) throw new ValueError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.apply(this.getLr(), epoch);
  }
}

const CYCLIC_LR = signature('CyclicLR', [
  ['baseLr', any<number | number[]>('a number or one per group')],
  ['maxLr', any<number | number[]>('a number or one per group')],
  ['stepSizeUp', num().default(2000)],
  ['stepSizeDown', num().optional()],
  ['mode', oneOf(['triangular', 'triangular2', 'exp_range']).default('triangular')],
  ['gamma', num().default(1.0)],
  ['scaleFn', func<(x: number) => number>().optional()],
  ['scaleMode', oneOf(['cycle', 'iterations']).default('cycle')],
  ['cycleMomentum', bool().default(true)],
  ['baseMomentum', any<number | number[]>('a number or one per group').default(0.8)],
  ['maxMomentum', any<number | number[]>('a number or one per group').default(0.9)],
  ...LAST,
]);

/**
 * Cycles the learning rate between `baseLr` and `maxLr` (torch's `CyclicLR`: `'triangular'`,
 * `'triangular2'`, `'exp_range'` or a custom `scaleFn`), and the momentum inversely (`cycleMomentum`, needs
 * an optimizer with `momentum`). Step it after every batch.
 *
 * Mirrors [CyclicLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CyclicLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `baseLr`, `maxLr` (numbers or one per group), `stepSizeUp` (default `2000`), `stepSizeDown`
 *   (`stepSizeUp`), `mode` (`'triangular'`), `gamma` (`1`), `scaleFn` (`null`), `scaleMode` (`'cycle'`),
 *   `cycleMomentum` (`true`), `baseMomentum` (`0.8`), `maxMomentum` (`0.9`), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new CyclicLR(sgd, 0.01, 0.1, { stepSizeUp: 20, mode: 'triangular2' });
 * ```
 */
export class CyclicLR extends LRScheduler {
  /** Each group's upper learning rate. */
  maxLrs: number[];
  /** Steps in a cycle. */
  totalSize: number;
  /** The fraction of a cycle spent increasing. */
  stepRatio: number;
  /** The policy. */
  mode: string;
  /** `'exp_range'`'s decay. */
  gamma: number;
  /** Whether the scale function takes the cycle number or the iteration. */
  scaleMode: string;
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Each group's lower momentum. */
  baseMomentums: number[] = [];
  /** Each group's upper momentum. */
  maxMomentums: number[] = [];
  private readonly scaleFnCustom: ((x: number) => number) | null;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args torch's arguments positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof CYCLIC_LR>) {
    const a = CYCLIC_LR.parse(args);
    const opt = checkOptimizer(optimizer);
    const baseLrs = perGroup('base_lr', opt, a.baseLr);
    const groups = groupsOf(opt);
    if (a.lastEpoch === -1) baseLrs.forEach((lr, i) => (groups[i].lr = lr));
    const maxLrs = perGroup('max_lr', opt, a.maxLr);
    const up = a.stepSizeUp;
    const down = a.stepSizeDown ?? up;
    let baseMomentums: number[] = [];
    let maxMomentums: number[] = [];
    if (a.cycleMomentum) {
      if (!('momentum' in opt.defaults)) {
        throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      }
      const bm = perGroup('base_momentum', opt, a.baseMomentum);
      if (a.lastEpoch === -1) bm.forEach((m, i) => (groups[i].momentum = m));
      baseMomentums = groups.map((g) => g.momentum as number);
      maxMomentums = perGroup('max_momentum', opt, a.maxMomentum);
    }
    super(opt, a.lastEpoch, a.verbose);
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = a.mode;
    this.gamma = a.gamma;
    this.scaleFnCustom = a.scaleFn;
    this.scaleMode = a.scaleFn ? a.scaleMode : a.mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = a.cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  protected override stateExcludes(): string[] {
    return ['scaleFnCustom'];
  }

  /** The scale at cycle (or iteration) `x`. */
  scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  protected override getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === 'cycle' ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * this.scaleFn(at));
    if (this.cycleMomentum) {
      const groups = groupsOf(this.optimizer);
      this.baseMomentums.forEach((bm, i) => {
        const mm = this.maxMomentums[i];
        groups[i].momentum = mm - (mm - bm) * scaleFactor * this.scaleFn(at);
      });
    }
    return lrs;
  }
}

const ONE_CYCLE_LR = signature('OneCycleLR', [
  ['maxLr', any<number | number[]>('a number or one per group')],
  ['totalSteps', int().optional()],
  ['epochs', int().optional()],
  ['stepsPerEpoch', int().optional()],
  ['pctStart', float().default(0.3)],
  ['annealStrategy', oneOf(['cos', 'linear']).default('cos')],
  ['cycleMomentum', bool().default(true)],
  ['baseMomentum', any<number | number[]>('a number or one per group').default(0.85)],
  ['maxMomentum', any<number | number[]>('a number or one per group').default(0.95)],
  ['divFactor', num().default(25)],
  ['finalDivFactor', num().default(1e4)],
  ['threePhase', bool().default(false)],
  ...LAST,
]);

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (torch's `OneCycleLR`): the learning rate rises from `maxLr / divFactor` to `maxLr`
 * over `pctStart` of the steps, then anneals (`'cos'` or `'linear'`) to `initial / finalDivFactor`;
 * `threePhase` mirrors the rise before the final anneal. With `cycleMomentum` the momentum (or Adam's β₁)
 * moves inversely between `maxMomentum` and `baseMomentum`. Step it after every batch.
 *
 * Mirrors [OneCycleLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.OneCycleLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `maxLr` (a number or one per group), `totalSteps` or `epochs` and `stepsPerEpoch`,
 *   `pctStart` (`0.3`), `annealStrategy` (`'cos'`), `cycleMomentum` (`true`), `baseMomentum` (`0.85`),
 *   `maxMomentum` (`0.95`), `divFactor` (`25`), `finalDivFactor` (`1e4`), `threePhase` (`false`),
 *   `lastEpoch` (`-1`), `verbose`.
 * @throws ValueError with torch's messages (no total steps, stepping past `totalSteps`, ...).
 * @example
 * ```ts
 * const scheduler = new OneCycleLR(optimizer, 0.01, { stepsPerEpoch: loader.length, epochs: 10 });
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  totalSteps: number;
  /** Whether momentum (or β₁) is cycled. */
  cycleMomentum: boolean;
  /** Whether the optimizer's β₁ is cycled rather than `momentum`. */
  useBeta1 = false;
  /** `'cos'` or `'linear'`. */
  annealStrategy: 'cos' | 'linear';
  private readonly phases: Phase[];

  /**
   * @param optimizer the wrapped optimizer.
   * @param args torch's arguments positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof ONE_CYCLE_LR>) {
    const a = ONE_CYCLE_LR.parse(args);
    const opt = checkOptimizer(optimizer);
    let total: number;
    if (a.totalSteps == null && a.epochs == null && a.stepsPerEpoch == null) {
      throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (a.totalSteps != null) {
      if (a.totalSteps <= 0) throw new ValueError(`Expected positive integer total_steps, but got ${a.totalSteps}`);
      total = a.totalSteps;
    } else {
      if (a.epochs == null || a.epochs <= 0)
        throw new ValueError(`Expected positive integer epochs, but got ${a.epochs}`);
      if (a.stepsPerEpoch == null || a.stepsPerEpoch <= 0) {
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${a.stepsPerEpoch}`);
      }
      total = a.epochs * a.stepsPerEpoch;
    }
    const p = a.pctStart;
    const phases: Phase[] = a.threePhase
      ? [
          {
            endStep: p * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * p * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: p * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    if (p < 0 || p > 1) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${p}`);
    const groups = groupsOf(opt);
    const maxLrs = perGroup('max_lr', opt, a.maxLr);
    if (a.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / a.divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / a.finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (a.cycleMomentum) {
      if (!('momentum' in opt.defaults) && !('betas' in opt.defaults)) {
        throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      }
      useBeta1 = 'betas' in opt.defaults;
      const maxM = perGroup('max_momentum', opt, a.maxMomentum);
      const baseM = perGroup('base_momentum', opt, a.baseMomentum);
      if (a.lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = Object.freeze([maxM[i], ...(g.betas as number[]).slice(1)]);
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    super(opt, a.lastEpoch, a.verbose);
    this.totalSteps = total;
    this.phases = phases;
    this.annealStrategy = a.annealStrategy;
    this.cycleMomentum = a.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  protected override stateExcludes(): string[] {
    return ['phases'];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  protected override getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(
        `Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    return groupsOf(this.optimizer).map((g: Group) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum)
            momentum = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = Object.freeze([momentum, ...(g.betas as number[]).slice(1)]);
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

const PLATEAU = signature('ReduceLROnPlateau', [
  ['mode', oneOf(['min', 'max']).default('min')],
  ['factor', num().default(0.1)],
  ['patience', int({ min: 0 }).default(10)],
  ['threshold', num().default(1e-4)],
  ['thresholdMode', oneOf(['rel', 'abs']).default('rel')],
  ['cooldown', int({ min: 0 }).default(0)],
  ['minLr', any<number | number[]>('a number or one per group').default(0)],
  ['eps', num().default(1e-8)],
  ['verbose', bool().default(false)],
]);

/**
 * Reduces the learning rate by `factor` when a metric has stopped improving for `patience` epochs
 * (torch's `ReduceLROnPlateau`); `step(metric)` once per epoch.
 *
 * Mirrors [ReduceLROnPlateau](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html).
 * Improvement is `a < best·(1 - threshold)` (`mode: 'min'`, `thresholdMode: 'rel'`), `a < best - threshold`
 * (`'abs'`), and the mirror images for `'max'`. After a reduction, `cooldown` epochs pass before bad epochs
 * count again; a change smaller than `eps` is skipped; no group goes below its `minLr`.
 *
 * @param optimizer the wrapped optimizer.
 * @param args `mode` (`'min'`), `factor` (`0.1`, < 1), `patience` (`10`), `threshold` (`1e-4`),
 *   `thresholdMode` (`'rel'`), `cooldown` (`0`), `minLr` (`0`, or one per group), `eps` (`1e-8`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new ReduceLROnPlateau(optimizer, 'min', { patience: 2 });
 * scheduler.step(validationLoss);
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  /** The optimizer whose learning rates are scheduled. */
  readonly optimizer: Optimizer<object>;
  /** The reduction factor. */
  factor: number;
  /** Each group's lower bound. */
  minLrs: number[];
  /** Epochs without improvement tolerated. */
  patience: number;
  /** Whether reductions are printed. */
  verbose: boolean;
  /** Epochs to wait after a reduction. */
  cooldown: number;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** `'min'` or `'max'`. */
  mode: 'min' | 'max';
  /** How much better counts as better. */
  threshold: number;
  /** `'rel'` or `'abs'`. */
  thresholdMode: 'rel' | 'abs';
  /** The best metric so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** The worst value for the mode (±Infinity). */
  modeWorse: number;
  /** Smallest change applied. */
  eps: number;
  /** The last epoch seen. */
  lastEpoch = 0;
  private lastLr: number[] = [];

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps, verbose`, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof PLATEAU>) {
    const a = PLATEAU.parse(args);
    if (a.factor >= 1) throw new ValueError('Factor should be < 1.0.');
    this.optimizer = checkOptimizer(optimizer);
    this.factor = a.factor;
    this.minLrs = Array.isArray(a.minLr)
      ? (() => {
          const n = this.optimizer.paramGroups.length;
          if (a.minLr.length !== n) throw new ValueError(`expected ${n} min_lrs, got ${a.minLr.length}`);
          return [...a.minLr];
        })()
      : Array(this.optimizer.paramGroups.length).fill(a.minLr);
    this.patience = a.patience;
    this.verbose = a.verbose;
    this.cooldown = a.cooldown;
    this.mode = a.mode;
    this.threshold = a.threshold;
    this.thresholdMode = a.thresholdMode;
    this.eps = a.eps;
    this.modeWorse = a.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.best = this.modeWorse;
  }

  /** Whether a cooldown is running. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best` under the mode and threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /**
   * Records one epoch's metric and reduces the learning rates when it has plateaued.
   * @param metrics the metric (a number, or a one-element tensor's value).
   * @param epoch deprecated in torch: the epoch number.
   */
  step(metrics: number | { dataSync(): ArrayLike<number> }, epoch?: number): void {
    const current = typeof metrics === 'number' ? metrics : Number(metrics?.dataSync?.()[0]);
    if (typeof metrics !== 'number' && !(metrics && typeof metrics.dataSync === 'function')) {
      throw new ArgumentTypeError(`ReduceLROnPlateau.step(): metrics must be a number, got ${typeof metrics}`);
    }
    if (epoch === undefined || epoch === null) epoch = this.lastEpoch + 1;
    else warnOnce(EPOCH_DEPRECATION_WARNING);
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  private reduceLr(epoch: number): void {
    groupsOf(this.optimizer).forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) {
        g.lr = next;
        if (this.verbose) {
          const e = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
          console.log(
            `Epoch ${e}: reducing learning rate of group ${i} to ${next.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2')}.`,
          );
        }
      }
    });
  }

  /** The learning rates after the last step (torch's `_last_lr`; before any step, an empty list). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The state under torch's attribute names (`best`, `num_bad_epochs`, `cooldown_counter`, ...). */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer') continue;
      out[k === 'lastLr' ? '_last_lr' : snakeCase(k)] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  /**
   * Restores a state from {@link stateDict}.
   * @param sd torch's attribute names and values.
   */
  loadStateDict(sd: SchedulerStateDict): void {
    const fields = new Map(Object.keys(this).map((k) => [k === 'lastLr' ? '_last_lr' : snakeCase(k), k]));
    for (const [k, v] of Object.entries(sd)) {
      const f = fields.get(k);
      if (f !== undefined && f !== 'optimizer') (this as Record<string, unknown>)[f] = Array.isArray(v) ? [...v] : v;
    }
  }
}

const SEQUENTIAL_LR = signature('SequentialLR', [
  ['schedulers', any<LRScheduler[]>('a list of schedulers')],
  ['milestones', intList()],
  ...LAST,
]);

/**
 * Runs schedulers one after another, switching at the milestone epochs (torch's `SequentialLR`).
 *
 * Mirrors [SequentialLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.SequentialLR.html).
 *
 * @param optimizer the wrapped optimizer (every scheduler must wrap it).
 * @param args `schedulers`, `milestones` (one fewer than schedulers), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const warmup = new LinearLR(optimizer, 0.1, 1, 5);
 * const decay = new ExponentialLR(optimizer, 0.9);
 * const scheduler = new SequentialLR(optimizer, [warmup, decay], [5]);
 * ```
 */
export class SequentialLR implements Scheduler {
  /** The optimizer whose learning rates are scheduled. */
  readonly optimizer: Optimizer<object>;
  /** The schedulers, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: number[];
  /** The index of the last epoch. */
  lastEpoch: number;
  private lastLr: number[];

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `schedulers, milestones, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof SEQUENTIAL_LR>) {
    const a = SEQUENTIAL_LR.parse(args);
    this.optimizer = checkOptimizer(optimizer);
    const list = a.schedulers;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => s instanceof LRScheduler)) {
      throw new ArgumentTypeError('SequentialLR(): schedulers must be a non-empty list of LR schedulers');
    }
    list.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new ValueError(
          'Sequential Schedulers expects all schedulers to belong to the same optimizer, but ' +
            `got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (a.milestones.length !== list.length - 1) {
      throw new ValueError(
        'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone ' +
          `points, but got number of schedulers ${list.length} and the number of milestones to be equal to ${a.milestones.length}`,
      );
    }
    this.schedulers = [...list];
    this.milestones = [...a.milestones];
    this.lastEpoch = a.lastEpoch + 1;
    for (const g of groupsOf(this.optimizer)) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  /** Advances the active scheduler (restarting the next one at its milestone). */
  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** The learning rates the last step set. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** torch's state: `last_epoch`, `_milestones`, `_last_lr` and each scheduler's state in `_schedulers`. */
  stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /**
   * Restores a state from {@link stateDict}.
   * @param sd the state.
   */
  loadStateDict(sd: SchedulerStateDict): void {
    if (typeof sd.last_epoch === 'number') this.lastEpoch = sd.last_epoch;
    if (Array.isArray(sd._last_lr)) this.lastLr = [...(sd._last_lr as number[])];
    (sd._schedulers as SchedulerStateDict[] | undefined)?.forEach((s, i) => this.schedulers[i]?.loadStateDict(s));
  }
}

/**
 * Steps several schedulers together at every step, so their factors multiply (torch's `ChainedScheduler`).
 *
 * Mirrors [ChainedScheduler](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ChainedScheduler.html).
 *
 * @param schedulers schedulers of one optimizer.
 * @example
 * ```ts
 * const scheduler = new ChainedScheduler([new ConstantLR(opt, 0.1, 2), new ExponentialLR(opt, 0.9)]);
 * ```
 */
export class ChainedScheduler implements Scheduler {
  /** The optimizer whose learning rates are scheduled. */
  readonly optimizer: Optimizer<object>;
  /** The schedulers, stepped in order. */
  readonly schedulers: Scheduler[];
  private lastLr: number[];

  /** @param schedulers schedulers of one optimizer. */
  constructor(schedulers: Scheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new ArgumentTypeError('ChainedScheduler(): schedulers must be a non-empty list of schedulers');
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer) {
        throw new ValueError(
          'ChainedScheduler expects all schedulers to belong to the same optimizer, but ' +
            `got schedulers at index 0 and ${i} to be different`,
        );
      }
    });
    this.schedulers = [...schedulers];
    this.optimizer = schedulers[0].optimizer;
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  /** Steps every scheduler once. */
  step(): void {
    for (const s of this.schedulers) (s as { step(): void }).step();
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  /** The learning rates the last step set. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** torch's state: `_last_lr` and each scheduler's state in `_schedulers`. */
  stateDict(): SchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /**
   * Restores a state from {@link stateDict}.
   * @param sd the state.
   */
  loadStateDict(sd: SchedulerStateDict): void {
    if (Array.isArray(sd._last_lr)) this.lastLr = [...(sd._last_lr as number[])];
    (sd._schedulers as SchedulerStateDict[] | undefined)?.forEach((s, i) => this.schedulers[i]?.loadStateDict(s));
  }
}
