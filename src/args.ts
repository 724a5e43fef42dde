/**
 * Arguments as Python takes them: torch's parameters positionally in torch's order, or any of them in one
 * trailing options object (camelCase). Every public constructor and function parses its arguments here, so
 * each one checks types, ranges and unknown keys the same way, and its errors name the parameter.
 *
 * ```ts
 * const CONV1D = signature('Conv1d', [
 *   ['inChannels', int({ min: 1 })],
 *   ['outChannels', int({ min: 1 })],
 *   ['kernelSize', ints(1, { min: 1 })],
 *   ['stride', ints(1, { min: 1 }).default([1])],
 *   ['bias', bool().default(true)],
 * ]);
 * class Conv1d extends Module {
 *   constructor(...args: ArgsOf<typeof CONV1D>) {
 *     const a = CONV1D.parse(args); // { inChannels: number, ..., bias: boolean }
 *   }
 * }
 * new Conv1d(1, 4, 3, 2);               // positional, as pytorch/examples writes it
 * new Conv1d(1, 4, 3, { bias: false }); // or keywords
 * new Conv1d(1, 4, 3, 2, { stride: 2 }); // ArgumentTypeError: Conv1d() got multiple values for argument 'stride'
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { ArgumentTypeError, formatShape, ValueError } from './errors';

/** Where a value is checked: the function or module and the parameter, for error messages. */
export interface ArgContext {
  /** The function or class, e.g. `Conv2d` or `F.pad`. */
  where: string;
  /** The parameter's name as the user writes it (camelCase). */
  name: string;
}

/**
 * One parameter: a checker that turns what came into the value the code uses (or throws naming the parameter),
 * with an optional default. Build them with {@link int}, {@link float}, {@link bool}, {@link oneOf}, ...
 */
export class Arg<T, Opt extends boolean = false> {
  /** @internal */
  readonly hasDefault: Opt;
  /** @internal */
  readonly defaultValue: T | undefined;

  /**
   * @param describe what the parameter accepts, in words (`int >= 1`), for error messages.
   * @param check turns an accepted value into the parsed one; throws otherwise.
   * @param hasDefault whether the parameter may be left out.
   * @param defaultValue its value when left out.
   */
  constructor(
    readonly describe: string,
    readonly check: (v: unknown, ctx: ArgContext) => T,
    hasDefault?: Opt,
    defaultValue?: T,
  ) {
    this.hasDefault = (hasDefault ?? false) as Opt;
    this.defaultValue = defaultValue;
  }

  /** The same parameter with a default: it may be left out. */
  default(value: T): Arg<T, true> {
    return new Arg(this.describe, this.check, true, value);
  }

  /** The same parameter, also accepting `null` (torch's `None`); `null` is the default. */
  optional(): Arg<T | null, true> {
    const check = this.check;
    return new Arg<T | null, true>(
      `${this.describe} or null`,
      (v, ctx) => (v === null || v === undefined ? null : check(v, ctx)),
      true,
      null,
    );
  }

  /** The same parameter with an extra check after parsing (return a message to reject). */
  refine(test: (v: T) => string | null): Arg<T, Opt> {
    const check = this.check;
    return new Arg<T, Opt>(
      this.describe,
      (v, ctx) => {
        const parsed = check(v, ctx);
        const problem = test(parsed);
        if (problem != null) throw new ValueError(`${ctx.where}: ${ctx.name} ${problem}`);
        return parsed;
      },
      this.hasDefault,
      this.defaultValue,
    );
  }
}

/** The parsed value type of one {@link Arg}. */
export type ValueOf<A> = A extends Arg<infer T, boolean> ? T : never;
/** What a caller may pass for one {@link Arg}. */
export type InputOf<A> = A extends Arg<infer T, boolean> ? InputType<T> : never;
/** What a caller may pass for a parsed type: tuples may come as one number. */
type InputType<T> = T extends readonly number[] ? T | number | readonly number[] : T;

/** One parameter of a signature: its name (camelCase of torch's) and its {@link Arg}. */
export type Param = readonly [name: string, arg: Arg<any, boolean>];
/** A parameter list in torch's order. */
export type Params = readonly Param[];

/** The options-object type of a signature: any parameter by name (required ones are checked when parsed). */
export type OptionsOf<P extends Params> = { [E in P[number] as E[0]]?: InputOf<E[1]> };
/** What {@link Signature.parse} returns: every parameter by name, defaults filled in. */
export type ParsedArgs<P extends Params> = { [E in P[number] as E[0]]: ValueOf<E[1]> };

/**
 * The argument list of a signature, as Python allows it: a prefix of the parameters in order, then optionally
 * one options object holding any of the rest (or all of them).
 */
export type ArgsOf<S> = S extends Signature<infer P> ? PositionalThenOptions<P, P> : never;

type PositionalThenOptions<All extends Params, P extends Params> = P extends readonly [
  infer H extends Param,
  ...infer R extends Params,
]
  ?
      | (H[1] extends Arg<unknown, true> ? [] | [options: OptionsOf<All>] : [options: OptionsOf<All>])
      | [InputOf<H[1]>, ...PositionalThenOptions<All, R>]
  : [] | [options: OptionsOf<All>];

/**
 * A parsed signature: `parse(args)` returns every parameter by name, defaults filled in, each value checked.
 * Build one with {@link signature}.
 */
export class Signature<P extends Params> {
  /** The parameter names in order. */
  readonly names: string[];
  private readonly byName: Map<string, Arg<unknown, boolean>>;

  /**
   * @param where the function or class name, for error messages (`Conv2d`, `F.pad`).
   * @param params the parameters in torch's order.
   */
  constructor(
    readonly where: string,
    readonly params: P,
  ) {
    this.names = params.map(([n]) => n);
    this.byName = new Map(params.map(([n, a]) => [n, a]));
  }

  /**
   * Parses an argument list: positional values in order, then at most one trailing options object.
   * @param args what the caller passed (a rest parameter).
   * @param where overrides the name in error messages (e.g. a subclass's name).
   */
  parse(args: readonly unknown[], where = this.where): ParsedArgs<P> {
    const given = new Map<string, unknown>();
    let positional = args.length;
    while (positional > 0 && args[positional - 1] === undefined) positional--;
    let options: Record<string, unknown> | null = null;
    if (positional > 0 && isOptionsObject(args[positional - 1])) {
      options = args[positional - 1] as Record<string, unknown>;
      positional--;
    }
    if (positional > this.names.length) {
      throw new ArgumentTypeError(
        `${where}() takes at most ${this.names.length} positional arguments (${this.names.join(', ')}) but ${positional} were given` +
          ` (the extra one is ${describeValue(args[this.names.length])})`,
      );
    }
    for (let i = 0; i < positional; i++) {
      if (args[i] !== undefined) given.set(this.names[i], args[i]);
    }
    if (options) {
      for (const key of Object.keys(options)) {
        if (!this.byName.has(key)) {
          const close = closest(key, this.names);
          throw new ArgumentTypeError(
            `${where}() got an unexpected keyword argument '${key}'` +
              (close ? ` (did you mean '${close}'?)` : ` (accepted: ${this.names.join(', ')})`),
          );
        }
        if (given.has(key)) {
          throw new ArgumentTypeError(
            `${where}() got multiple values for argument '${key}' (positionally and in the options)`,
          );
        }
        if (options[key] !== undefined) given.set(key, options[key]);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [name, arg] of this.params) {
      if (!given.has(name)) {
        if (!arg.hasDefault) {
          throw new ArgumentTypeError(`${where}() missing required argument '${name}' (${arg.describe})`);
        }
        out[name] = arg.defaultValue;
        continue;
      }
      out[name] = arg.check(given.get(name), { where, name });
    }
    return out as ParsedArgs<P>;
  }

  /**
   * Parses a keyword-only argument list: one options object (or nothing), as the library's own builders
   * (`createDCGAN({...})`, `new Generator({...})`) take them; a positional value is an error naming what came.
   * @param options what the caller passed.
   * @param where overrides the name in error messages.
   */
  parseOptions(options: unknown, where = this.where): ParsedArgs<P> {
    if (options === undefined) return this.parse([], where);
    if (!isOptionsObject(options)) {
      throw new ArgumentTypeError(
        `${where}() takes one options object { ${this.names.join(', ')} }, got ${describeValue(options)}`,
      );
    }
    return this.parse([options], where);
  }
}

/**
 * A signature: the parameters of a torch function or constructor, in torch's order.
 * @param where the name used in error messages.
 * @param params `[name, arg]` pairs, the args built with {@link int}, {@link float}, {@link bool}, ...
 * @example
 * ```ts
 * const LINEAR = signature('Linear', [
 *   ['inFeatures', int({ min: 0 })],
 *   ['outFeatures', int({ min: 0 })],
 *   ['bias', bool().default(true)],
 * ]);
 * LINEAR.parse([4, 2, false]); // { inFeatures: 4, outFeatures: 2, bias: false }
 * ```
 */
export function signature<const P extends Params>(where: string, params: P): Signature<P> {
  return new Signature(where, params);
}

/** Whether `v` is a plain options object (not a tensor, array, typed array, Map or class instance). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A value as an error message shows it: its type, and the value where short (`string '2'`, `Tensor [2, 3]`). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof tf.Tensor)
    return v.isDisposed ? 'a disposed tensor' : `a ${v.dtype} tensor of shape ${formatShape(v.shape)}`;
  if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === 'number') return `number ${v}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (Array.isArray(v))
    return v.length <= 8
      ? `array [${v.map((x) => (typeof x === 'object' ? typeof x : String(x))).join(', ')}]`
      : `array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function typeError(ctx: ArgContext, expected: string, v: unknown): ArgumentTypeError {
  return new ArgumentTypeError(`${ctx.where}(): argument '${ctx.name}' must be ${expected}, got ${describeValue(v)}`);
}

function rangeError(ctx: ArgContext, expected: string, v: unknown): ValueError {
  return new ValueError(`${ctx.where}(): argument '${ctx.name}' must be ${expected}, got ${describeValue(v)}`);
}

/** Bounds of a numeric parameter; `gt`/`lt` are strict. */
export interface Bounds {
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
  /** Accepted values are greater than this. */
  gt?: number;
  /** Accepted values are less than this. */
  lt?: number;
}

function boundsText({ min, max, gt, lt }: Bounds): string {
  const parts: string[] = [];
  if (min !== undefined) parts.push(`>= ${min}`);
  if (gt !== undefined) parts.push(`> ${gt}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  if (lt !== undefined) parts.push(`< ${lt}`);
  return parts.join(' and ');
}

function inBounds(x: number, { min, max, gt, lt }: Bounds): boolean {
  return (
    (min === undefined || x >= min) &&
    (max === undefined || x <= max) &&
    (gt === undefined || x > gt) &&
    (lt === undefined || x < lt)
  );
}

/** The largest size (elements along one dimension, or in a tensor) the library accepts: 2^31 - 1, tfjs's int32 limit. */
export const MAX_SIZE = 2 ** 31 - 1;

/**
 * Refuses a tensor the library cannot allocate, before any kernel runs: more than {@link MAX_SIZE} elements
 * (torch's allocator refuses an impossible size with `not enough memory`; tfjs would throw a raw `RangeError`
 * or take the process's memory).
 * @param shape the shape the op would create.
 * @param what what it is, for the message (`the padded input`).
 * @param where the function or module, for the message.
 * @example
 * ```ts
 * checkNumel([2, 3, 2 ** 21, 2 ** 21], 'the padded input', 'Conv2d'); // ValueError
 * ```
 */
export function checkNumel(shape: readonly number[], what: string, where: string): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_SIZE) {
    throw new ValueError(
      `${where}: ${what} would have shape ${formatShape(shape)}, ${n} elements, more than ${MAX_SIZE} (tfjs's int32 limit on a tensor's size)`,
    );
  }
}

/**
 * An integer parameter (torch's `int`). Booleans, strings, NaN and non-integers are refused.
 * @param bounds accepted range; sizes default to at most {@link MAX_SIZE}.
 */
export function int(bounds: Bounds = {}): Arg<number> {
  const b = { max: MAX_SIZE, min: -MAX_SIZE, ...bounds };
  const text = `an int${boundsText(bounds) ? ` ${boundsText(bounds)}` : ''}`;
  return new Arg(text, (v, ctx) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(ctx, text, v);
    if (!inBounds(v, bounds)) throw rangeError(ctx, text, v);
    if (!inBounds(v, b)) throw rangeError(ctx, `at most ${MAX_SIZE} in magnitude (tfjs's int32 limit)`, v);
    return v;
  });
}

/**
 * A real-number parameter (torch's `float`): finite unless `allowInfinity`; never NaN or a string.
 * @param bounds accepted range.
 */
export function float(bounds: Bounds & { allowInfinity?: boolean } = {}): Arg<number> {
  const text = `a finite number${boundsText(bounds) ? ` ${boundsText(bounds)}` : ''}`.replace(
    'finite ',
    bounds.allowInfinity ? '' : 'finite ',
  );
  return new Arg(text, (v, ctx) => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw typeError(ctx, text, v);
    if (!bounds.allowInfinity && !Number.isFinite(v)) throw rangeError(ctx, text, v);
    if (!inBounds(v, bounds)) throw rangeError(ctx, text, v);
    return v;
  });
}

/** A boolean parameter (torch's `bool`); `0`, `1` and strings are refused. */
export function bool(): Arg<boolean> {
  return new Arg('a boolean', (v, ctx) => {
    if (typeof v !== 'boolean') throw typeError(ctx, 'a boolean', v);
    return v;
  });
}

/**
 * One of a fixed set of strings (torch's `reduction='mean'`, `mode='reflect'`).
 * @param choices the accepted values.
 */
export function oneOf<const C extends string>(choices: readonly C[]): Arg<C> {
  const text = `one of ${choices.map((c) => `'${c}'`).join(', ')}`;
  return new Arg(text, (v, ctx) => {
    if (typeof v !== 'string') throw typeError(ctx, text, v);
    if (!choices.includes(v as C)) throw rangeError(ctx, text, v);
    return v as C;
  });
}

/**
 * An int or a tuple of `n` ints (torch's `_pair`/`_ntuple`: `kernel_size=3` or `(3, 5)`), parsed to `n` ints.
 * @param n the tuple's length.
 * @param bounds accepted range of each entry.
 */
export function ints<N extends number>(n: N, bounds: Bounds = {}): Arg<Tuple<N>> {
  const each = int(bounds);
  const text = `an int or ${n} ints${boundsText(bounds) ? ` ${boundsText(bounds)}` : ''}`;
  return new Arg(text, (v, ctx) => {
    if (typeof v === 'number') return Array(n).fill(each.check(v, ctx)) as Tuple<N>;
    if (!Array.isArray(v) || v.length !== n) throw typeError(ctx, text, v);
    return v.map((x, i) => each.check(x, { ...ctx, name: `${ctx.name}[${i}]` })) as Tuple<N>;
  });
}

/** A tuple of `N` numbers. */
export type Tuple<N extends number> = N extends 1
  ? [number]
  : N extends 2
    ? [number, number]
    : N extends 3
      ? [number, number, number]
      : number[];

/**
 * A list of ints of any length (torch's `Sequence[int]`, e.g. a shape or a list of dims).
 * @param bounds accepted range of each entry.
 */
export function intList(bounds: Bounds = {}): Arg<number[]> {
  const each = int(bounds);
  const text = `a list of ints${boundsText(bounds) ? ` ${boundsText(bounds)}` : ''}`;
  return new Arg(text, (v, ctx) => {
    if (!Array.isArray(v)) throw typeError(ctx, text, v);
    return v.map((x, i) => each.check(x, { ...ctx, name: `${ctx.name}[${i}]` }));
  });
}

/**
 * A list of finite numbers (torch's `Sequence[float]`).
 * @param bounds accepted range of each entry.
 */
export function floatList(bounds: Bounds = {}): Arg<number[]> {
  const each = float(bounds);
  const text = `a list of numbers${boundsText(bounds) ? ` ${boundsText(bounds)}` : ''}`;
  return new Arg(text, (v, ctx) => {
    if (!Array.isArray(v)) throw typeError(ctx, text, v);
    return v.map((x, i) => each.check(x, { ...ctx, name: `${ctx.name}[${i}]` }));
  });
}

/**
 * A live tfjs tensor, optionally of given dtypes.
 * @param dtypes accepted dtypes; any when omitted.
 */
export function tensor(dtypes?: readonly tf.DataType[]): Arg<tf.Tensor> {
  const text = dtypes ? `a ${dtypes.join(' or ')} tensor` : 'a tensor';
  return new Arg(text, (v, ctx) => {
    if (!(v instanceof tf.Tensor)) throw typeError(ctx, text, v);
    if (v.isDisposed) throw new ValueError(`${ctx.where}(): argument '${ctx.name}' is a tensor that was disposed`);
    if (dtypes && !dtypes.includes(v.dtype)) throw typeError(ctx, text, v);
    return v;
  });
}

/**
 * Checks tensor arguments at a function's entry, before any kernel runs: each value must be a live tensor
 * (torch's `TypeError: argument 'input' must be Tensor` for anything else; a disposed tensor is named as such).
 * @param where the function, for messages (`torch.mm`, `F.embedding`).
 * @param named the tensors by argument name.
 * @example
 * ```ts
 * checkTensors('torch.mm', { input, mat2 });
 * ```
 */
export function checkTensors(where: string, named: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(named)) tensor().check(v, { where, name });
}

/**
 * Refuses arguments past a fixed-arity function's last parameter, which JavaScript would drop silently: torch's
 * `takes 1 positional argument but 2 were given`, or `unexpected keyword argument` for an options object such as
 * torch's `out=` (`torch.sign(x, { out: y })`). An empty options object is harmless.
 * @param where the function, for messages (`torch.sign`).
 * @param names its parameters, in order.
 * @param extra what came after them (a rest parameter).
 * @example
 * ```ts
 * export function sign(input: tf.Tensor, ...extra: unknown[]) {
 *   checkNoExtraArgs('torch.sign', ['input'], extra);
 * }
 * ```
 */
export function checkNoExtraArgs(where: string, names: readonly string[], extra: readonly unknown[]): void {
  const given = extra.filter((v) => v !== undefined);
  if (given.length === 0) return;
  const first = given[0];
  if (isOptionsObject(first)) {
    const keys = Object.keys(first);
    if (given.length === 1 && keys.length === 0) return;
    if (keys.length > 0) {
      throw new ArgumentTypeError(
        `${where}() got an unexpected keyword argument '${keys[0]}' (its parameters: ${names.join(', ')})`,
      );
    }
  }
  throw new ArgumentTypeError(
    `${where}() takes ${names.length} positional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}) ` +
      `but ${names.length + given.length} were given (the extra one is ${describeValue(first)})`,
  );
}

/** A function parameter (a callback, an init function, `collate_fn`). */
export function func<F extends (...args: never[]) => unknown = (...args: unknown[]) => unknown>(): Arg<F> {
  return new Arg('a function', (v, ctx) => {
    if (typeof v !== 'function') throw typeError(ctx, 'a function', v);
    return v as F;
  });
}

/** A string parameter. */
export function str(): Arg<string> {
  return new Arg('a string', (v, ctx) => {
    if (typeof v !== 'string') throw typeError(ctx, 'a string', v);
    return v;
  });
}

/**
 * Any of several parameter kinds, tried in order (torch's `Union[int, float]`, `Union[Tensor, float]`).
 * @param alternatives the accepted kinds.
 */
export function union<A extends Arg<unknown, boolean>[]>(...alternatives: A): Arg<ValueOf<A[number]>> {
  const text = alternatives.map((a) => a.describe).join(' or ');
  return new Arg(text, (v, ctx) => {
    let last: unknown;
    for (const a of alternatives) {
      try {
        return a.check(v, ctx) as ValueOf<A[number]>;
      } catch (e) {
        last = e;
      }
    }
    if (last instanceof ValueError) throw rangeError(ctx, text, v);
    throw typeError(ctx, text, v);
  });
}

/** Anything, unchecked: only for values that a later check inspects (documented where used). */
export function any<T = unknown>(describe = 'any value'): Arg<T> {
  return new Arg(describe, (v) => v as T);
}

/**
 * A dimension index of a tensor of rank `rank`, negative counting from the end as torch; returns it in
 * `[0, rank)`. A non-integer or out-of-range dim is torch's `IndexError` text, before any kernel runs.
 * @param dim the dim as given.
 * @param rank the tensor's rank (a scalar accepts dims -1 and 0, as torch).
 * @param where the function, for the message.
 * @example
 * ```ts
 * normalizeDim(-1, 4, 'F.softmax'); // 3
 * ```
 */
export function normalizeDim(dim: unknown, rank: number, where: string): number {
  const r = Math.max(rank, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new ArgumentTypeError(`${where}(): argument 'dim' must be an int, got ${describeValue(dim)}`);
  }
  if (dim < -r || dim >= r) {
    throw new ValueError(
      `${where}(): Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + r : dim;
}

/** Levenshtein-closest name within distance 3, for "did you mean" hints. */
function closest(key: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 4;
  const k = key.toLowerCase();
  for (const n of names) {
    const d = editDistance(k, n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
