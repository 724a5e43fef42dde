/**
 * torch's learning-rate schedulers (`torch.optim.lr_scheduler`): the base class and the schedules that scale
 * the learning rate step by step (lambda, step, multi-step, constant, linear, exponential, polynomial,
 * cosine). torch 1.13's chainable forms, `initial_lr` and `last_epoch` semantics, exactly.
 * @module
 */
import { any, type ArgsOf, bool, int, intList, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { snakeCase } from '../repr';
import { num, Optimizer } from './optimizer';

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

const LAST = [
  ['lastEpoch', int({ min: -1 }).default(-1)],
  ['verbose', bool().default(false)],
] as const;

/** A learning-rate factor as a function of the epoch (torch's `lr_lambda`). */
export type LrLambda = (epoch: number) => number;

function lambdas(name: string, optimizer: Optimizer<object>, lrLambda: LrLambda | LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda) && typeof lrLambda !== 'function') {
    throw new ArgumentTypeError(
      `${name}(): lrLambda must be a function or a list of functions, got ${typeof lrLambda}`,
    );
  }
  if (Array.isArray(lrLambda)) {
    if (lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
    lrLambda.forEach((f, i) => {
      if (typeof f !== 'function') {
        throw new ArgumentTypeError(`${name}(): lrLambda[${i}] must be a function, got ${typeof f}`);
      }
    });
    return [...lrLambda];
  }
  return Array(n).fill(lrLambda);
}

const lrLambdaArg = any<LrLambda | LrLambda[]>('a function or a list of functions');

const LAMBDA_LR = signature('LambdaLR', [['lrLambda', lrLambdaArg], ...LAST]);

/**
 * Sets each group's learning rate to its initial one times `lrLambda(epoch)` (torch's `LambdaLR`).
 *
 * Mirrors [LambdaLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.LambdaLR.html):
 * `lr = initial_lr · λ(lastEpoch)`. The state dict leaves the functions out, as torch.
 *
 * @param optimizer the wrapped optimizer.
 * @param args `lrLambda` (a function of the epoch, or one per group), `lastEpoch` (default `-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new LambdaLR(optimizer, (epoch) => 0.95 ** epoch);
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** One function per group. */
  lrLambdas: LrLambda[];

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `lrLambda, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof LAMBDA_LR>) {
    const a = LAMBDA_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.lrLambdas = lambdas('LambdaLR', this.optimizer, a.lrLambda);
    this.initialStep();
  }

  protected override stateExcludes(): string[] {
    return ['lrLambdas'];
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}

const MULTIPLICATIVE_LR = signature('MultiplicativeLR', [['lrLambda', lrLambdaArg], ...LAST]);

/**
 * Multiplies each group's learning rate by `lrLambda(epoch)` at every step (torch's `MultiplicativeLR`).
 *
 * Mirrors [MultiplicativeLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.MultiplicativeLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `lrLambda` (a function of the epoch, or one per group), `lastEpoch` (default `-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new MultiplicativeLR(optimizer, () => 0.95);
 * ```
 */
export class MultiplicativeLR extends LRScheduler {
  /** One function per group. */
  lrLambdas: LrLambda[];

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `lrLambda, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof MULTIPLICATIVE_LR>) {
    const a = MULTIPLICATIVE_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.lrLambdas = lambdas('MultiplicativeLR', this.optimizer, a.lrLambda);
    this.initialStep();
  }

  protected override stateExcludes(): string[] {
    return ['lrLambdas'];
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch > 0) return groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
    return groups.map((g) => g.lr);
  }
}

const STEP_LR = signature('StepLR', [['stepSize', int({ min: 1 })], ['gamma', num().default(0.1)], ...LAST]);

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs (torch's `StepLR`).
 *
 * Mirrors [StepLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.StepLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `stepSize` (epochs between decays, ≥ 1), `gamma` (default `0.1`), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * // pytorch/examples' mnist: StepLR(optimizer, step_size=1, gamma=args.gamma)
 * const scheduler = new StepLR(optimizer, 1, 0.7);
 * ```
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  stepSize: number;
  /** The decay factor. */
  gamma: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `stepSize, gamma, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof STEP_LR>) {
    const a = STEP_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.stepSize = a.stepSize;
    this.gamma = a.gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

const MULTI_STEP_LR = signature('MultiStepLR', [['milestones', intList()], ['gamma', num().default(0.1)], ...LAST]);

/**
 * Multiplies the learning rate by `gamma` at each milestone epoch (torch's `MultiStepLR`; a milestone listed
 * twice decays twice).
 *
 * Mirrors [MultiStepLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.MultiStepLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `milestones` (epoch indices), `gamma` (default `0.1`), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new MultiStepLR(optimizer, [30, 80], 0.1);
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed (torch's `Counter`). */
  milestones: Record<number, number>;
  /** The decay factor. */
  gamma: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `milestones, gamma, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof MULTI_STEP_LR>) {
    const a = MULTI_STEP_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.milestones = {};
    for (const m of a.milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = a.gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    const count = this.milestones[this.lastEpoch];
    if (!count) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, c] of Object.entries(this.milestones)) if (Number(m) <= this.lastEpoch) passed += c;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

const CONSTANT_LR = signature('ConstantLR', [
  ['factor', num().default(1 / 3)],
  ['totalIters', int().default(5)],
  ...LAST,
]);

/**
 * Multiplies the learning rate by `factor` until epoch `totalIters` (torch's `ConstantLR`).
 *
 * Mirrors [ConstantLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ConstantLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `factor` (in [0, 1], default `1/3`), `totalIters` (`5`), `lastEpoch` (`-1`), `verbose`.
 * @throws ValueError with torch's message for a factor outside [0, 1].
 * @example
 * ```ts
 * const warmup = new ConstantLR(optimizer, 0.5, 4);
 * ```
 */
export class ConstantLR extends LRScheduler {
  /** The factor applied until `totalIters`. */
  factor: number;
  /** Epochs the factor applies for. */
  totalIters: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `factor, totalIters, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof CONSTANT_LR>) {
    const a = CONSTANT_LR.parse(args);
    if (a.factor > 1 || a.factor < 0)
      throw new ValueError('Constant multiplicative factor expected to be between 0 and 1.');
    super(optimizer, a.lastEpoch, a.verbose);
    this.factor = a.factor;
    this.totalIters = a.totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + done * (1 - this.factor)));
  }
}

const LINEAR_LR = signature('LinearLR', [
  ['startFactor', num().default(1 / 3)],
  ['endFactor', num().default(1.0)],
  ['totalIters', int().default(5)],
  ...LAST,
]);

/**
 * Scales the learning rate linearly from `startFactor` to `endFactor` over `totalIters` epochs (torch's `LinearLR`).
 *
 * Mirrors [LinearLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.LinearLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `startFactor` (default `1/3`), `endFactor` (`1`), `totalIters` (`5`), `lastEpoch` (`-1`), `verbose`.
 * @throws ValueError with torch's messages for factors outside [0, 1].
 * @example
 * ```ts
 * const warmup = new LinearLR(optimizer, 0.1, 1, 10);
 * ```
 */
export class LinearLR extends LRScheduler {
  /** The factor at epoch 0. */
  startFactor: number;
  /** The factor from `totalIters` on. */
  endFactor: number;
  /** Epochs of the ramp. */
  totalIters: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `startFactor, endFactor, totalIters, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof LINEAR_LR>) {
    const a = LINEAR_LR.parse(args);
    if (a.startFactor > 1 || a.startFactor < 0) {
      throw new ValueError('Starting multiplicative factor expected to be between 0 and 1.');
    }
    if (a.endFactor > 1 || a.endFactor < 0)
      throw new ValueError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, a.lastEpoch, a.verbose);
    this.startFactor = a.startFactor;
    this.endFactor = a.endFactor;
    this.totalIters = a.totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return groups.map((g) => g.lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map(
      (b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters),
    );
  }
}

const EXPONENTIAL_LR = signature('ExponentialLR', [['gamma', num()], ...LAST]);

/**
 * Multiplies the learning rate by `gamma` every epoch (torch's `ExponentialLR`).
 *
 * Mirrors [ExponentialLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ExponentialLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `gamma` (the decay factor), `lastEpoch` (default `-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new ExponentialLR(optimizer, 0.9);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** The decay factor. */
  gamma: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `gamma, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof EXPONENTIAL_LR>) {
    const a = EXPONENTIAL_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.gamma = a.gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

const POLYNOMIAL_LR = signature('PolynomialLR', [
  ['totalIters', int().default(5)],
  ['power', num().default(1.0)],
  ...LAST,
]);

/**
 * Decays the learning rate by a polynomial of the remaining fraction of `totalIters` (torch's `PolynomialLR`).
 *
 * Mirrors [PolynomialLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.PolynomialLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `totalIters` (default `5`), `power` (`1`), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new PolynomialLR(optimizer, 100, 2);
 * ```
 */
export class PolynomialLR extends LRScheduler {
  /** Epochs until the learning rate reaches 0. */
  totalIters: number;
  /** The polynomial's power. */
  power: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `totalIters, power, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof POLYNOMIAL_LR>) {
    const a = POLYNOMIAL_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.totalIters = a.totalIters;
    this.power = a.power;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const decay = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

const COSINE_ANNEALING_LR = signature('CosineAnnealingLR', [['TMax', num()], ['etaMin', num().default(0)], ...LAST]);

/**
 * Anneals the learning rate along a cosine from its initial value to `etaMin` over `TMax` epochs (torch's
 * `CosineAnnealingLR`, in torch's recursive form: values follow torch's even after `lr` is changed by hand).
 *
 * Mirrors [CosineAnnealingLR](https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html).
 *
 * @param optimizer the wrapped optimizer.
 * @param args `TMax` (half-period in epochs), `etaMin` (default `0`), `lastEpoch` (`-1`), `verbose`.
 * @example
 * ```ts
 * const scheduler = new CosineAnnealingLR(optimizer, 50);
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half-period, in epochs. */
  tMax: number;
  /** The minimum learning rate. */
  etaMin: number;

  /**
   * @param optimizer the wrapped optimizer.
   * @param args `TMax, etaMin, lastEpoch, verbose` positionally, or options.
   */
  constructor(optimizer: Optimizer<object>, ...args: ArgsOf<typeof COSINE_ANNEALING_LR>) {
    const a = COSINE_ANNEALING_LR.parse(args);
    super(optimizer, a.lastEpoch, a.verbose);
    this.tMax = a.TMax;
    this.etaMin = a.etaMin;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }
}

/** Python's `a % b` (the sign of `b`). @internal */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
