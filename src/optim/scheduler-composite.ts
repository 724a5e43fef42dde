/**
 * torch's schedulers made of other schedulers: `SequentialLR` (one after another, switching at milestones) and
 * `ChainedScheduler` (all together, their factors multiplied).
 * @module
 */
import { any, type ArgsOf, intList, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import type { Optimizer } from './optimizer';
import { checkOptimizer, groupsOf, LAST, LRScheduler, type Scheduler, type SchedulerStateDict } from './scheduler';

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
