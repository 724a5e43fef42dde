/**
 * torch's `ReduceLROnPlateau`: lowers the learning rate when a metric has stopped improving.
 * @module
 */
import { any, type ArgsOf, bool, int, oneOf, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { snakeCase } from '../repr';
import { num, type Optimizer } from './optimizer';
import {
  checkOptimizer,
  EPOCH_DEPRECATION_WARNING,
  groupsOf,
  type Scheduler,
  type SchedulerStateDict,
  warnOnce,
} from './scheduler';

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
