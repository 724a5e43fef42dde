/**
 * The base of torch's learning-rate schedulers (`torch.optim.lr_scheduler`): the {@link Scheduler} interface,
 * the {@link LRScheduler} class (torch 1.13's chainable forms, `initial_lr` and `last_epoch` semantics, state
 * dicts, verbose printing), torch's warnings, and the per-group helpers every schedule uses. The schedules are in
 * `scheduler-decay.ts`, `scheduler-cyclic.ts`, `scheduler-plateau.ts` and `scheduler-composite.ts`.
 * @module
 */
import { bool, int } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { snakeCase } from '../repr';
import { Optimizer } from './optimizer';

/** torch's deprecation warning for `scheduler.step(epoch)`. */
export const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from ' +
  'None, the closed form is used instead of the new chainable form, where available. Please open an issue if ' +
  'you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';

const STEP_ORDER_WARNING =
  'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should ' +
  'call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will ' +
  'result in PyTorch skipping the first value of the learning rate schedule. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

const warned = new Set<string>();

/** Python's `warnings.warn` with the default filter: each message once per process. @internal */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}

/** Python's `'{:.4e}'.format(x)`. */
function sci4(x: number): string {
  return x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A parameter group as the schedulers read and write it (`lr`, `initialLr`, `momentum`, `betas`, ...). */
export type Group = Record<string, unknown> & {
  /** The group's learning rate. */
  lr: number;
};

/** The groups of `optimizer` as schedulers see them. @internal */
export function groupsOf(optimizer: Optimizer<object>): Group[] {
  return optimizer.paramGroups as unknown as Group[];
}

/** Checks that `optimizer` is an {@link Optimizer} (torch's `TypeError: X is not an Optimizer`). @internal */
export function checkOptimizer(optimizer: unknown): Optimizer<object> {
  if (!(optimizer instanceof Optimizer)) {
    const name = optimizer == null ? String(optimizer) : ((optimizer as object).constructor?.name ?? typeof optimizer);
    throw new ArgumentTypeError(`${name} is not an Optimizer`);
  }
  return optimizer as Optimizer<object>;
}

/** A value per parameter group: one for all, or a list of exactly one per group (torch's `_format_param`). @internal */
export function perGroup<T>(name: string, optimizer: Optimizer<object>, value: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new ValueError(`expected ${n} values for ${name}, got ${value.length}`);
    return [...value];
  }
  return Array(n).fill(value);
}

/** A scheduler's state dict: torch's attribute names (`last_epoch`, `base_lrs`, `_step_count`, ...). */
export type SchedulerStateDict = Record<string, unknown>;

/** What every scheduler offers: `step`, `getLastLr`, `stateDict`, `loadStateDict`. */
export interface Scheduler {
  /** The optimizer whose learning rates are scheduled. */
  readonly optimizer: Optimizer<object>;
  /** Advances the schedule one step (after `optimizer.step()`). */
  step(...args: never[]): void;
  /** The learning rates the last step set, one per group (torch's `get_last_lr()`). */
  getLastLr(): number[];
  /** The scheduler's state (torch's `state_dict()`). */
  stateDict(): SchedulerStateDict;
  /** Restores a state from {@link stateDict} (torch's `load_state_dict`). */
  loadStateDict(sd: SchedulerStateDict): void;
}

/**
 * Base class of the epoch-indexed schedulers (torch's `torch.optim.lr_scheduler._LRScheduler`).
 *
 * Mirrors [torch.optim.lr_scheduler](https://pytorch.org/docs/1.13/optim.html#how-to-adjust-learning-rate).
 * On construction with `lastEpoch = -1` every group gets `initialLr` (torch's `initial_lr`) = its `lr`; with
 * another `lastEpoch` (resuming) every group must already have one. The constructor takes the first step
 * (epoch 0). Each {@link step} increments `lastEpoch` and writes `getLr()` into the groups; subclasses
 * implement torch's chainable `get_lr` (and `_get_closed_form_lr` for `step(epoch)`).
 *
 * @param optimizer the wrapped optimizer.
 * @param lastEpoch the index of the last epoch. Default: `-1` (start).
 * @param verbose print each update (torch's message). Default: `false`.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, 1, 0.7);
 * for (let epoch = 1; epoch <= 14; epoch++) { train(epoch); scheduler.step(); }
 * ```
 */
export abstract class LRScheduler implements Scheduler {
  /** The optimizer whose learning rates are scheduled. */
  readonly optimizer: Optimizer<object>;
  /** Each group's `initialLr` at construction (torch's `base_lrs`). */
  baseLrs: number[];
  /** The index of the last epoch (torch's `last_epoch`). */
  lastEpoch: number;
  /** Whether each update is printed. */
  verbose: boolean;
  /** Calls of {@link step} so far, the constructor's included (torch's `_step_count`). @internal */
  stepCount = 0;
  /** The learning rates the last step set. */
  protected lastLr: number[] = [];

  /**
   * @param optimizer the wrapped optimizer.
   * @param lastEpoch the index of the last epoch; `-1` starts the schedule.
   * @param verbose print each update.
   */
  constructor(optimizer: Optimizer<object>, lastEpoch: number, verbose: boolean) {
    this.optimizer = checkOptimizer(optimizer);
    const groups = groupsOf(this.optimizer);
    if (lastEpoch === -1) {
      for (const g of groups) if (!('initialLr' in g)) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initialLr' in g)) {
          throw new ValueError(
            `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer ` +
              `(lastEpoch is ${lastEpoch}; a scheduler that does not start at -1 continues one whose optimizer has initial_lr)`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
  }

  /** Takes the first step (torch's `_initial_step`); subclasses call it at the end of their constructor. @internal */
  initialStep(): void {
    this.optimizer.stepCount = 0;
    this.stepCount = 0;
    this.step();
  }

  /** torch's chainable `get_lr()`: the learning rates for `lastEpoch`, from the current ones. */
  protected abstract getLr(): number[];

  /** torch's `_get_closed_form_lr()`, used by `step(epoch)`; `null` where torch has none. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advances the schedule (torch's `scheduler.step()`), after `optimizer.step()`. Warns once, with torch's
   * text, when called before the optimizer ever stepped.
   * @param epoch deprecated in torch: jump to this epoch, using the closed form where there is one.
   */
  step(epoch?: number): void {
    if (this.stepCount === 1 && this.optimizer.stepCount < 1) warnOnce(STEP_ORDER_WARNING);
    this.stepCount++;
    let values: number[];
    if (epoch === undefined || epoch === null) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      warnOnce(EPOCH_DEPRECATION_WARNING);
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.apply(values, epoch);
  }

  /** Writes `values` into the groups, prints them when verbose, and records them. @internal */
  protected apply(values: number[], epoch?: number): void {
    const groups = groupsOf(this.optimizer);
    values.forEach((lr, i) => {
      groups[i].lr = lr;
      this.printLr(i, lr, epoch);
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  private printLr(group: number, lr: number, epoch?: number): void {
    if (!this.verbose) return;
    if (epoch === undefined || epoch === null) console.log(`Adjusting learning rate of group ${group} to ${sci4(lr)}.`);
    else {
      const e = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
      console.log(`Epoch ${e}: adjusting learning rate of group ${group} to ${sci4(lr)}.`);
    }
  }

  /** The learning rates the last step set, one per group (torch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Fields left out of the state dict (functions, the optimizer). */
  protected stateExcludes(): string[] {
    return [];
  }

  /**
   * The scheduler's state under torch's attribute names (`last_epoch`, `base_lrs`, `_step_count`,
   * `_last_lr`, and each schedule's own: `step_size`, `gamma`, `T_max`, ...).
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    const skip = new Set(['optimizer', ...this.stateExcludes()]);
    for (const [k, v] of Object.entries(this)) {
      if (skip.has(k) || typeof v === 'function') continue;
      out[stateKey(k)] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  /**
   * Restores a state from {@link stateDict} (or a `parseTorchFile`d torch `scheduler.state_dict()`).
   * @param sd torch's attribute names and values.
   */
  loadStateDict(sd: SchedulerStateDict | Map<string, unknown>): void {
    const entries = sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
    const fields = new Map(Object.keys(this).map((k) => [stateKey(k), k]));
    for (const [k, v] of entries) {
      const field = fields.get(k);
      if (field === undefined || this.stateExcludes().includes(field)) continue;
      (this as Record<string, unknown>)[field] = Array.isArray(v) ? [...v] : typeof v === 'bigint' ? Number(v) : v;
    }
  }
}

/** torch's attribute name of a field: `lastEpoch` -> `last_epoch`, `stepCount` -> `_step_count`, `tMax` -> `T_max`. */
function stateKey(field: string): string {
  const special: Record<string, string> = {
    stepCount: '_step_count',
    lastLr: '_last_lr',
    tMax: 'T_max',
    t0: 'T_0',
    tI: 'T_i',
    tMult: 'T_mult',
    tCur: 'T_cur',
  };
  return special[field] ?? snakeCase(field);
}

/** torch's trailing `last_epoch=-1, verbose=False` arguments of every schedule. */
export const LAST = [
  ['lastEpoch', int({ min: -1 }).default(-1)],
  ['verbose', bool().default(false)],
] as const;
