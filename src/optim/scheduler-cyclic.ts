/**
 * torch's cyclic learning-rate schedulers: `CosineAnnealingWarmRestarts`, `CyclicLR` and `OneCycleLR` (with
 * momentum / beta1 cycling).
 * @module
 */
import { any, type ArgsOf, bool, float, func, int, oneOf, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { num, type Optimizer } from './optimizer';
import { checkOptimizer, type Group, groupsOf, LAST, LRScheduler, perGroup } from './scheduler';

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
