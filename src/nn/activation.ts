/**
 * Elementwise activation modules (torch's `torch/nn/modules/activation.py`), each thin over its `F.*` op; the
 * softmax family is in `./softmax`. Arguments as Python takes them: positionally or in a trailing options object.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, oneOf, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import * as F from './functional/activation';
import * as G from './functional/gates';
import { constant_ } from './init';
import { Module } from './module';
import { ArgumentTypeError } from '../errors';
import { pyFloat, pyNumber } from '../repr';

const inplaceRepr = (inplace: boolean, sep = '') => (inplace ? `${sep}inplace=True` : '');

/** Refuses `new Base(...)` from JavaScript (the bases are abstract, as torch's are private). */
function refuseAbstract(base: string, concrete: string): never {
  throw new ArgumentTypeError(`${base} is an abstract base class: construct ${concrete}`);
}

/**
 * An elementwise op as a module, the base of {@link Activation} and {@link InplaceActivation}: `forward` applies the
 * op, and so does a channels-last run (`nn/channels-last.ts`) to the NHWC form of the input.
 */
export abstract class Elementwise extends Module {
  /** @param op the elementwise op. */
  protected constructor(private readonly op: (input: tf.Tensor) => tf.Tensor) {
    super();
    if (new.target === Elementwise) refuseAbstract('Elementwise', 'an activation such as ReLU or Tanh');
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return this.op(input);
  }
  /** In a channels-last run: the same shape. */
  channelsLastShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** In a channels-last run: the same op on the NHWC form. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return this.op(x);
  }
}

const NO_ARGS = signature('activation', []);

/**
 * Base of the activations without arguments (`Tanh`, `Sigmoid`, `Tanhshrink`, `Softsign`, `LogSigmoid`): accepts
 * at most an empty options object, as torch accepts no argument, and applies its elementwise op.
 */
export abstract class Activation extends Elementwise {
  /**
   * @param where the class name, for error messages.
   * @param args none (an empty options object is accepted).
   * @param op the elementwise op `forward` applies.
   */
  protected constructor(where: string, args: ArgsOf<typeof NO_ARGS>, op: (input: tf.Tensor) => tf.Tensor) {
    super(op);
    if (new.target === Activation) refuseAbstract('Activation', 'Tanh, Sigmoid, Tanhshrink, Softsign or LogSigmoid');
    NO_ARGS.parse(args, where);
  }
}

const INPLACE_ONLY = signature('activation', [['inplace', F.inplaceArg()]]);

/**
 * Base of the activations whose only argument is torch's `inplace` flag (`ReLU`, `SELU`, `SiLU`, `Mish`,
 * `Hardsigmoid`, `Hardswish`): parses it as torch does, prints `inplace=True` when set, and applies its op.
 */
export abstract class InplaceActivation extends Elementwise {
  /** Accepted for porting; tfjs tensors are immutable, so it changes nothing. */
  readonly inplace: boolean;
  /**
   * @param where the class name, for error messages.
   * @param args `inplace?` (default `false`), positionally or in an options object.
   * @param op the elementwise op `forward` applies.
   */
  protected constructor(where: string, args: ArgsOf<typeof INPLACE_ONLY>, op: (input: tf.Tensor) => tf.Tensor) {
    super(op);
    if (new.target === InplaceActivation)
      refuseAbstract('InplaceActivation', 'ReLU, SELU, SiLU, Mish, Hardsigmoid or Hardswish');
    this.inplace = INPLACE_ONLY.parse(args, where).inplace;
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/**
 * `max(0, x)` elementwise (torch's `nn.ReLU`).
 * Mirrors [torch.nn.ReLU](https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.ReLU().forward(tf.tensor([-1, 2])); // [0, 2]
 * ```
 */
export class ReLU extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('ReLU', args, F.relu);
  }
}

const LEAKY_RELU = signature('LeakyReLU', [
  ['negativeSlope', float().default(0.01)],
  ['inplace', F.inplaceArg()],
]);

/**
 * `x` if `x > 0`, else `negativeSlope * x` (torch's `nn.LeakyReLU`).
 * Mirrors [torch.nn.LeakyReLU](https://pytorch.org/docs/1.13/generated/torch.nn.LeakyReLU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.LeakyReLU(0.2).forward(tf.tensor([-1, 2])); // [-0.2, 2]
 * ```
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  /** @param args `negativeSlope?` (default `0.01`), `inplace?`. */
  constructor(...args: ArgsOf<typeof LEAKY_RELU>) {
    super();
    const a = LEAKY_RELU.parse(args);
    this.negativeSlope = a.negativeSlope;
    this.inplace = a.inplace;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }
  /** Elementwise: in a channels-last run, the same output shape (see `nn/channels-last.ts`). */
  channelsLastShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** Elementwise: in a channels-last run, the same op on the NHWC form. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

/**
 * Hyperbolic tangent elementwise (torch's `nn.Tanh`).
 * Mirrors [torch.nn.Tanh](https://pytorch.org/docs/1.13/generated/torch.nn.Tanh.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Tanh().forward(x);
 * ```
 */
export class Tanh extends Activation {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof NO_ARGS>) {
    super('Tanh', args, F.tanh);
  }
}

/**
 * Logistic sigmoid elementwise (torch's `nn.Sigmoid`).
 * Mirrors [torch.nn.Sigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.Sigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Sigmoid().forward(x);
 * ```
 */
export class Sigmoid extends Activation {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof NO_ARGS>) {
    super('Sigmoid', args, F.sigmoid);
  }
}

/** Base of `ELU` and `CELU`: the negative branch's scale `alpha` and torch's `inplace` flag. */
export abstract class AlphaActivation extends Module {
  /** Scale of the negative branch. */
  readonly alpha: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  private readonly op: (input: tf.Tensor, value: number) => tf.Tensor;
  /**
   * @param a the parsed `alpha` and `inplace`.
   * @param op the elementwise op `forward` applies with `alpha`.
   */
  protected constructor(a: { alpha: number; inplace: boolean }, op: (input: tf.Tensor, value: number) => tf.Tensor) {
    super();
    if (new.target === AlphaActivation) refuseAbstract('AlphaActivation', 'ELU or CELU');
    this.alpha = a.alpha;
    this.inplace = a.inplace;
    this.op = op;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return this.op(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

const ELU_SIG = signature('ELU', [
  ['alpha', float().default(1)],
  ['inplace', F.inplaceArg()],
]);

/**
 * Exponential linear unit `x > 0 ? x : alpha * (exp(x) - 1)` (torch's `nn.ELU`).
 * Mirrors [torch.nn.ELU](https://pytorch.org/docs/1.13/generated/torch.nn.ELU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.ELU(0.5).forward(x);
 * ```
 */
export class ELU extends AlphaActivation {
  /** @param args `alpha?` (default `1`), `inplace?`. */
  constructor(...args: ArgsOf<typeof ELU_SIG>) {
    super(ELU_SIG.parse(args), G.elu);
  }
}

const CELU_SIG = signature('CELU', [
  [
    'alpha',
    float()
      .refine((a) => (a === 0 ? 'must not be 0 (torch divides by it)' : null))
      .default(1),
  ],
  ['inplace', F.inplaceArg()],
]);

/**
 * Continuously differentiable ELU `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))` (torch's `nn.CELU`).
 * Mirrors [torch.nn.CELU](https://pytorch.org/docs/1.13/generated/torch.nn.CELU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.CELU(2).forward(x);
 * ```
 */
export class CELU extends AlphaActivation {
  /** @param args `alpha?` (default `1`, not 0), `inplace?`. */
  constructor(...args: ArgsOf<typeof CELU_SIG>) {
    super(CELU_SIG.parse(args), G.celu);
  }
}

/**
 * Scaled ELU with torch's constants (torch's `nn.SELU`).
 * Mirrors [torch.nn.SELU](https://pytorch.org/docs/1.13/generated/torch.nn.SELU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.SELU().forward(x);
 * ```
 */
export class SELU extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('SELU', args, G.selu);
  }
}

/**
 * `x * sigmoid(x)` (torch's `nn.SiLU`).
 * Mirrors [torch.nn.SiLU](https://pytorch.org/docs/1.13/generated/torch.nn.SiLU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.SiLU().forward(x);
 * ```
 */
export class SiLU extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('SiLU', args, G.silu);
  }
}

/**
 * `x * tanh(softplus(x))` (torch's `nn.Mish`).
 * Mirrors [torch.nn.Mish](https://pytorch.org/docs/1.13/generated/torch.nn.Mish.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Mish().forward(x);
 * ```
 */
export class Mish extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('Mish', args, G.mish);
  }
}

/**
 * `relu6(x + 3) / 6` (torch's `nn.Hardsigmoid`; prints `Hardsigmoid()` whatever `inplace`, as torch).
 * Mirrors [torch.nn.Hardsigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.Hardsigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Hardsigmoid().forward(x);
 * ```
 */
export class Hardsigmoid extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('Hardsigmoid', args, G.hardsigmoid);
  }
  override extraRepr(): string {
    return '';
  }
}

/**
 * `x * relu6(x + 3) / 6` (torch's `nn.Hardswish`; prints `Hardswish()` whatever `inplace`, as torch).
 * Mirrors [torch.nn.Hardswish](https://pytorch.org/docs/1.13/generated/torch.nn.Hardswish.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Hardswish().forward(x);
 * ```
 */
export class Hardswish extends InplaceActivation {
  /** @param args `inplace?` (default `false`), positionally or in an options object. */
  constructor(...args: ArgsOf<typeof INPLACE_ONLY>) {
    super('Hardswish', args, G.hardswish);
  }
  override extraRepr(): string {
    return '';
  }
}

const GELU_SIG = signature('GELU', [['approximate', oneOf(['none', 'tanh']).default('none')]]);

/**
 * Gaussian error linear unit (torch's `nn.GELU`): exact (`'none'`) or the tanh approximation.
 * Mirrors [torch.nn.GELU](https://pytorch.org/docs/1.13/generated/torch.nn.GELU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.GELU({ approximate: 'tanh' }).forward(x);
 * ```
 */
export class GELU extends Module {
  /** `'none'` or `'tanh'`. */
  readonly approximate: 'none' | 'tanh';
  /** @param args `approximate?` (default `'none'`). */
  constructor(...args: ArgsOf<typeof GELU_SIG>) {
    super();
    this.approximate = GELU_SIG.parse(args).approximate;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return G.gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

const HARDTANH = signature('Hardtanh', [
  ['minVal', float().default(-1)],
  ['maxVal', float().default(1)],
  ['inplace', F.inplaceArg()],
]);

/**
 * `x` clamped to `[minVal, maxVal]` (torch's `nn.Hardtanh`).
 * Mirrors [torch.nn.Hardtanh](https://pytorch.org/docs/1.13/generated/torch.nn.Hardtanh.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Hardtanh(-2, 2).forward(x);
 * ```
 */
export class Hardtanh extends Module {
  /** Lower bound. */
  readonly minVal: number;
  /** Upper bound. */
  readonly maxVal: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  /** @param args `minVal?` (default `-1`), `maxVal?` (default `1`), `inplace?`. */
  constructor(...args: ArgsOf<typeof HARDTANH>) {
    super();
    const a = HARDTANH.parse(args, new.target === Hardtanh ? 'Hardtanh' : 'ReLU6');
    F.checkHardtanhBounds(a.minVal, a.maxVal, 'Hardtanh');
    this.minVal = a.minVal;
    this.maxVal = a.maxVal;
    this.inplace = a.inplace;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

const RELU6 = signature('ReLU6', [['inplace', F.inplaceArg()]]);

/**
 * `min(max(0, x), 6)` (torch's `nn.ReLU6`, a `Hardtanh(0, 6)`).
 * Mirrors [torch.nn.ReLU6](https://pytorch.org/docs/1.13/generated/torch.nn.ReLU6.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.ReLU6().forward(x);
 * ```
 */
export class ReLU6 extends Hardtanh {
  /** @param args `inplace?` (default `false`). */
  constructor(...args: ArgsOf<typeof RELU6>) {
    super(0, 6, RELU6.parse(args).inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** Base of `Hardshrink` and `Softshrink`: the half-width `lambd` of the interval mapped to 0. */
export abstract class ShrinkActivation extends Module {
  /** Half-width of the zeroed interval. */
  readonly lambd: number;
  private readonly op: (input: tf.Tensor, value: number) => tf.Tensor;
  /**
   * @param lambd the parsed half-width.
   * @param op the elementwise op `forward` applies with `lambd`.
   */
  protected constructor(lambd: number, op: (input: tf.Tensor, value: number) => tf.Tensor) {
    super();
    if (new.target === ShrinkActivation) refuseAbstract('ShrinkActivation', 'Hardshrink or Softshrink');
    this.lambd = lambd;
    this.op = op;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return this.op(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

const LAMBD = (where: string, min?: number) =>
  signature(where, [['lambd', float(min === undefined ? {} : { min }).default(0.5)]]);
const HARDSHRINK = LAMBD('Hardshrink');

/**
 * `x` outside `[-lambd, lambd]`, else 0 (torch's `nn.Hardshrink`).
 * Mirrors [torch.nn.Hardshrink](https://pytorch.org/docs/1.13/generated/torch.nn.Hardshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Hardshrink(0.3).forward(x);
 * ```
 */
export class Hardshrink extends ShrinkActivation {
  /** @param args `lambd?` (default `0.5`). */
  constructor(...args: ArgsOf<typeof HARDSHRINK>) {
    super(HARDSHRINK.parse(args).lambd, F.hardshrink);
  }
}

const SOFTSHRINK = LAMBD('Softshrink', 0);

/**
 * `x ∓ lambd` outside `[-lambd, lambd]`, else 0 (torch's `nn.Softshrink`).
 * Mirrors [torch.nn.Softshrink](https://pytorch.org/docs/1.13/generated/torch.nn.Softshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Softshrink(0.3).forward(x);
 * ```
 */
export class Softshrink extends ShrinkActivation {
  /** @param args `lambd?` (default `0.5`, `>= 0`). */
  constructor(...args: ArgsOf<typeof SOFTSHRINK>) {
    super(SOFTSHRINK.parse(args).lambd, F.softshrink);
  }
}

/**
 * `x - tanh(x)` (torch's `nn.Tanhshrink`).
 * Mirrors [torch.nn.Tanhshrink](https://pytorch.org/docs/1.13/generated/torch.nn.Tanhshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Tanhshrink().forward(x);
 * ```
 */
export class Tanhshrink extends Activation {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof NO_ARGS>) {
    super('Tanhshrink', args, F.tanhshrink);
  }
}

/**
 * `x / (1 + |x|)` (torch's `nn.Softsign`).
 * Mirrors [torch.nn.Softsign](https://pytorch.org/docs/1.13/generated/torch.nn.Softsign.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Softsign().forward(x);
 * ```
 */
export class Softsign extends Activation {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof NO_ARGS>) {
    super('Softsign', args, F.softsign);
  }
}

/**
 * `log(sigmoid(x))` (torch's `nn.LogSigmoid`).
 * Mirrors [torch.nn.LogSigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.LogSigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.LogSigmoid().forward(x);
 * ```
 */
export class LogSigmoid extends Activation {
  /** @param args none (an empty options object is accepted). */
  constructor(...args: ArgsOf<typeof NO_ARGS>) {
    super('LogSigmoid', args, F.logsigmoid);
  }
}

const SOFTPLUS = signature('Softplus', [
  ['beta', float().default(1)],
  ['threshold', float({ allowInfinity: true }).default(20)],
]);

/**
 * `log(1 + exp(beta * x)) / beta`, linear above `threshold` (torch's `nn.Softplus`).
 * Mirrors [torch.nn.Softplus](https://pytorch.org/docs/1.13/generated/torch.nn.Softplus.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Softplus(2, 10).forward(x);
 * ```
 */
export class Softplus extends Module {
  /** Sharpness. */
  readonly beta: number;
  /** Above `beta * x > threshold` the output is `x`. */
  readonly threshold: number;
  /** @param args `beta?` (default `1`), `threshold?` (default `20`). */
  constructor(...args: ArgsOf<typeof SOFTPLUS>) {
    super();
    ({ beta: this.beta, threshold: this.threshold } = SOFTPLUS.parse(args));
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    // torch's defaults are the ints 1 and 20, printed as such
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
}

const THRESHOLD = signature('Threshold', [
  ['threshold', float({ allowInfinity: true })],
  ['value', float({ allowInfinity: true })],
  ['inplace', F.inplaceArg()],
]);

/**
 * `x` where `x > threshold`, else `value` (torch's `nn.Threshold`).
 * Mirrors [torch.nn.Threshold](https://pytorch.org/docs/1.13/generated/torch.nn.Threshold.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.Threshold(0.1, 20).forward(x);
 * ```
 */
export class Threshold extends Module {
  /** The threshold. */
  readonly threshold: number;
  /** The replacement below it. */
  readonly value: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  /** @param args `threshold`, `value`, `inplace?`. */
  constructor(...args: ArgsOf<typeof THRESHOLD>) {
    super();
    ({ threshold: this.threshold, value: this.value, inplace: this.inplace } = THRESHOLD.parse(args));
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.threshold(input, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${pyNumber(this.threshold)}, value=${pyNumber(this.value)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

const PRELU = signature('PReLU', [
  ['numParameters', int({ min: 1 }).default(1)],
  ['init', float().default(0.25)],
]);

/**
 * Parametric ReLU `x > 0 ? x : a * x` with a learnable slope `a`, one or one per channel (torch's `nn.PReLU`).
 * Mirrors [torch.nn.PReLU](https://pytorch.org/docs/1.13/generated/torch.nn.PReLU.html).
 *
 * Shape: input `[N, C, *]` (`C = numParameters` when it is not 1); output as the input.
 *
 * Attributes: `weight` `[numParameters]`, filled with `init`.
 * @example
 * ```ts
 * const act = new nn.PReLU(64); // one slope per channel of a [N, 64, H, W] input
 * ```
 */
export class PReLU extends Module {
  /** Number of slopes: 1, or the input's channels. */
  readonly numParameters: number;
  /** The slopes `[numParameters]`. */
  readonly weight: Parameter;
  /** @param args `numParameters?` (default `1`), `init?` (default `0.25`). */
  constructor(...args: ArgsOf<typeof PRELU>) {
    super();
    const a = PRELU.parse(args);
    this.numParameters = a.numParameters;
    this.weight = this.createParameter('weight', [a.numParameters], (w) => constant_(w, a.init));
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

const RRELU = signature('RReLU', [
  ['lower', float().default(1 / 8)],
  ['upper', float().default(1 / 3)],
  ['inplace', bool().default(false)],
]);

/**
 * Randomized leaky ReLU (torch's `nn.RReLU`): in training, each non-positive element gets a slope drawn from
 * U(lower, upper) (from the library's generator, in torch's order: a seeded run gives torch's output); in eval,
 * the slope `(lower + upper) / 2`.
 * Mirrors [torch.nn.RReLU](https://pytorch.org/docs/1.13/generated/torch.nn.RReLU.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * new nn.RReLU(0.1, 0.3).forward(x);
 * ```
 */
export class RReLU extends Module {
  /** Lower bound of the slope. */
  readonly lower: number;
  /** Upper bound of the slope. */
  readonly upper: number;
  /** Accepted for porting; changes nothing. */
  readonly inplace: boolean;
  /** @param args `lower?` (`1/8`), `upper?` (`1/3`), `inplace?`. */
  constructor(...args: ArgsOf<typeof RRELU>) {
    super();
    ({ lower: this.lower, upper: this.upper, inplace: this.inplace } = RRELU.parse(args));
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.rrelu(input, this.lower, this.upper, this.training);
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${inplaceRepr(this.inplace, ', ')}`;
  }
}
