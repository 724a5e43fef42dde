/**
 * torch's learning-rate schedules that scale the learning rate epoch by epoch from a formula: `LambdaLR`,
 * `MultiplicativeLR`, `StepLR`, `MultiStepLR`, `ConstantLR`, `LinearLR`, `ExponentialLR`, `PolynomialLR`,
 * `CosineAnnealingLR` (torch 1.13's chainable forms and closed forms).
 * @module
 */
import { any, type ArgsOf, int, intList, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { num, type Optimizer } from './optimizer';
import { groupsOf, LAST, LRScheduler } from './scheduler';

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
