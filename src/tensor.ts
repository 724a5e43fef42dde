/**
 * Torch-named tensor factories returning tfjs tensors: `randn`, `rand`, `randint`, `randperm`, `normal`,
 * `zeros`, `ones`, `full`, the `*Like` variants, `tensor`, `arange` and `item`.
 *
 * Sizes are given as torch takes them, varargs or one array: `randn(2, 3)` and `randn([2, 3])`, with the
 * keyword arguments as a trailing options object: `randn(2, 3, { generator })`. The random ones draw from
 * {@link defaultGenerator} (or `options.generator`) exactly as torch 1.13's CPU kernels do, so after
 * `manualSeed(s)` they return torch's numbers.
 *
 * dtypes: tfjs has float32, int32 and bool. Torch's float default becomes float32 and its int64 becomes
 * int32. JavaScript numbers do not say whether they were written `1` or `1.0`, so `tensor` and `full`
 * default to float32 for numbers where torch would infer int64 from integer literals; pass
 * `{ dtype: 'int32' }` for integer tensors.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, describeValue, int, isOptionsObject, MAX_SIZE, signature, tensor as tensorArg } from './args';
import { ArgumentTypeError, formatShape, ShapeError, ValueError } from './errors';
import { dtypeArg } from './ops/common';
import { defaultGenerator, Generator, normalFill, randintFill, randpermArray, uniformFill } from './random';

/** Options of the random factories: the generator to draw from. */
export interface GeneratorOptions {
  /** Generator. Default: {@link defaultGenerator}. */
  generator?: Generator;
}

/** Options of the factories that take a dtype. */
export interface DtypeOptions {
  /** tfjs dtype of the result. Default: `'float32'` (see each function). */
  dtype?: tf.DataType;
}

/** Options of `randint` and `randperm`: a generator and an integer-valued dtype. */
export interface IntRandomOptions extends GeneratorOptions {
  /** `'int32'` (torch's int64) or `'float32'`. Default: `'int32'`. */
  dtype?: 'int32' | 'float32';
}

/** A size the way torch takes one: varargs `(2, 3)` or one array `([2, 3])`, then an optional options object. */
export type SizeArgs<O> = [size: readonly number[], options?: O] | number[] | [...size: number[], options: O];

/** Anything `tensor()` accepts: a number, a boolean, a typed array or nested arrays of them. */
export type TensorLike = number | boolean | TypedArray | readonly TensorLike[];
/** The typed arrays `tensor()` accepts as data. */
export type TypedArray = Float32Array | Int32Array | Uint8Array | Float64Array;

function isOptions(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof tf.Tensor);
}

function checkSize(size: readonly number[], where: string): number[] {
  for (const d of size) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${where}: expected a size of non-negative integers, got [${size.map((x) => describeValue(x).replace(/^number /, '')).join(', ')}] ` +
          `(torch: "Trying to create tensor with negative dimension")`,
      );
    }
  }
  const n = numel(size);
  if (n > MAX_SIZE) {
    throw new ValueError(
      `${where}: size ${formatShape(size)} has ${n} elements, more than ${MAX_SIZE} (tfjs's int32 limit on a tensor's size)`,
    );
  }
  return [...size];
}

/** A generator option: a {@link Generator}. */
const generatorArg = new Arg<Generator>('a Generator', (v, ctx) => {
  if (!(v instanceof Generator)) {
    throw new ArgumentTypeError(`${ctx.where}(): argument '${ctx.name}' must be a Generator, got ${describeValue(v)}`);
  }
  return v;
});

/** A dtype option: `'float32'`, `'int32'` or `'bool'` (float64 is refused in the library's words: tfjs has none). */
const dtypeOption = dtypeArg().optional();

/** The options objects the factories take, checked by name (typos are errors) and type. */
const OPTIONS = {
  dtype: signature('torch', [['dtype', dtypeOption]]),
  random: signature('torch', [
    ['generator', generatorArg.optional()],
    ['dtype', dtypeOption],
  ]),
};

function parseOptions<K extends keyof typeof OPTIONS>(
  kind: K,
  options: unknown,
  where: string,
): { dtype?: tf.DataType; generator?: Generator } {
  if (options === undefined) return {};
  if (!isOptionsObject(options)) {
    throw new ArgumentTypeError(`${where}(): expected an options object, got ${describeValue(options)}`);
  }
  const parsed = OPTIONS[kind].parse([options], where) as { dtype: tf.DataType | null; generator?: Generator | null };
  return { dtype: parsed.dtype ?? undefined, generator: parsed.generator ?? undefined };
}

function parseSize<O>(
  args: readonly unknown[],
  where: string,
  kind: keyof typeof OPTIONS = 'dtype',
): { shape: number[]; options: O } {
  let size: unknown[];
  let options: unknown;
  if (Array.isArray(args[0])) {
    if (args.length > 2 || (args.length === 2 && args[1] !== undefined && !isOptions(args[1]))) {
      throw new ArgumentTypeError(
        `${where}: expected (size[], options?) or (...sizes, options?), got ${args.length} arguments after an array size`,
      );
    }
    size = args[0] as unknown[];
    options = args[1];
  } else {
    const last = args[args.length - 1];
    const hasOptions = args.length > 0 && (isOptions(last) || last === undefined);
    size = hasOptions ? args.slice(0, -1) : [...args];
    options = hasOptions ? last : undefined;
  }
  const shape = checkSize(size as number[], where);
  return { shape, options: parseOptions(kind, options, `torch.${where}`) as O };
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function floatOnly(dtype: unknown, where: string): void {
  if (dtype !== undefined && dtype !== 'float32') {
    throw new ArgumentTypeError(`${where}: expected a floating dtype ('float32'), got '${String(dtype)}'`);
  }
}

/** `value` as torch converts it to int32: finite and within [-2^31, 2^31) (then truncated), else torch's error. */
function checkInt32(value: number, where: string): void {
  if (!(value >= -(2 ** 31) && value < 2 ** 31)) {
    throw new ValueError(
      `${where}: value cannot be converted to type int32 without overflow (got ${value}; ` +
        "tfjs has no int64: torch's int64 is int32 here, use dtype 'float32' for larger values)",
    );
  }
}

/** A tensor argument: live (not disposed). */
function liveTensor(t: unknown, where: string, name = 'input'): tf.Tensor {
  return tensorArg().check(t, { where, name });
}

/**
 * A tensor of N(0, 1) samples, as `torch.randn`: torch's exact float32 numbers after `manualSeed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randn.html
 *
 * @param args the size: sizes as varargs or one array; `[]` gives a 0-d tensor. Trailing options:
 *   `generator` (default {@link defaultGenerator}).
 *
 * Shape: `size`. dtype: float32.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const z = randn(2, 3);      // torch.manual_seed(0); torch.randn(2, 3)
 * const w = randn([64, 100]); // same as randn(64, 100)
 * ```
 */
export function randn(...args: SizeArgs<GeneratorOptions>): tf.Tensor {
  const { shape, options } = parseSize<GeneratorOptions & DtypeOptions>(args, 'randn', 'random');
  floatOnly(options.dtype, 'randn');
  return tf.tensor(normalFill(numel(shape), 0, 1, options.generator ?? defaultGenerator), shape, 'float32');
}

/**
 * A tensor of U[0, 1) samples, as `torch.rand`: torch's exact float32 numbers after `manualSeed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.rand.html
 *
 * @param args the size: sizes as varargs or one array. Trailing options: `generator` (default {@link defaultGenerator}).
 *
 * Shape: `size`. dtype: float32.
 *
 * @example
 * ```ts
 * const u = rand(4, 4, { generator: new RandomGenerator(1) });
 * ```
 */
export function rand(...args: SizeArgs<GeneratorOptions>): tf.Tensor {
  const { shape, options } = parseSize<GeneratorOptions & DtypeOptions>(args, 'rand', 'random');
  floatOnly(options.dtype, 'rand');
  return tf.tensor(uniformFill(numel(shape), 0, 1, options.generator ?? defaultGenerator), shape, 'float32');
}

/**
 * A tensor of N(mean, std^2) samples of a given size, as `torch.normal(mean, std, size)` (the article's
 * `torch.normal(0, 1, (256, 100))` noise). Only the float mean/std form is supported.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.normal.html
 *
 * @param mean Mean.
 * @param std Standard deviation, `>= 0`.
 * @param size Shape of the result.
 * @param options `generator` (default {@link defaultGenerator}).
 *
 * Shape: `size`. dtype: float32.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const z = normal(0, 1, [256, 100]); // torch.manual_seed(0); torch.normal(0, 1, (256, 100))
 * ```
 */
export function normal(mean: number, std: number, size: readonly number[], options: GeneratorOptions = {}): tf.Tensor {
  if (typeof mean !== 'number' || typeof std !== 'number') {
    throw new ArgumentTypeError(
      `normal: expected numbers for mean and std (tensor mean/std is not supported), got ${typeof mean} and ${typeof std}`,
    );
  }
  if (!Array.isArray(size))
    throw new ArgumentTypeError(`normal: expected a size array as third argument, got ${typeof size}`);
  const shape = checkSize(size, 'normal');
  const { generator } = parseOptions('random', options, 'torch.normal');
  return tf.tensor(normalFill(numel(shape), mean, std, generator ?? defaultGenerator), shape, 'float32');
}

/**
 * A tensor of integers uniform in [low, high), as `torch.randint(low, high, size)` or
 * `torch.randint(high, size)`: torch's exact numbers after `manualSeed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randint.html
 *
 * @param low Lowest value (inclusive). Default: `0` (in the two-argument form).
 * @param high One above the highest value.
 * @param size Shape of the result.
 * @param options `generator` (default {@link defaultGenerator}); `dtype`: `'int32'` (torch's int64, default)
 *   or `'float32'`.
 *
 * Shape: `size`.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const labels = randint(0, 10, [50]); // torch.manual_seed(0); torch.randint(0, 10, (50,))
 * const dice = randint(6, [3]);        // values 0..5
 * ```
 */
export function randint(low: number, high: number, size: readonly number[], options?: IntRandomOptions): tf.Tensor;
export function randint(high: number, size: readonly number[], options?: IntRandomOptions): tf.Tensor;
export function randint(...args: unknown[]): tf.Tensor {
  let low = 0;
  let high: unknown;
  let size: unknown;
  let options: unknown;
  if (Array.isArray(args[1])) [high, size, options] = args;
  else [low, high, size, options] = args as [number, unknown, unknown, unknown];
  if (typeof low !== 'number' || typeof high !== 'number' || !Array.isArray(size)) {
    throw new ArgumentTypeError('randint: expected (low, high, size[], options?) or (high, size[], options?)');
  }
  const { generator = defaultGenerator, dtype = 'int32' } = parseOptions('random', options, 'torch.randint');
  if (dtype !== 'int32' && dtype !== 'float32') {
    throw new ArgumentTypeError(`randint: expected dtype 'int32' or 'float32', got '${String(dtype)}'`);
  }
  const shape = checkSize(size, 'randint');
  const data = randintFill(numel(shape), low, high, generator);
  return tf.tensor(dtype === 'int32' ? data : Float32Array.from(data), shape, dtype);
}

/**
 * A random permutation of `0 .. n-1`, as `torch.randperm`: torch's exact order after `manualSeed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randperm.html
 *
 * @param n Length.
 * @param options `generator` (default {@link defaultGenerator}); `dtype`: `'int32'` (torch's int64,
 *   default) or `'float32'`.
 *
 * Shape: `[n]`.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const order = randperm(60000); // shuffle a data set as torch's DataLoader(shuffle=True) would draw it
 * ```
 */
export function randperm(n: number, options: IntRandomOptions = {}): tf.Tensor1D {
  int({ min: 0 }).check(n, { where: 'torch.randperm', name: 'n' });
  const { generator = defaultGenerator, dtype = 'int32' } = parseOptions('random', options, 'torch.randperm');
  if (dtype !== 'int32' && dtype !== 'float32') {
    throw new ArgumentTypeError(`randperm: expected dtype 'int32' or 'float32', got '${String(dtype)}'`);
  }
  const data = randpermArray(n, generator);
  return tf.tensor1d(dtype === 'int32' ? data : Float32Array.from(data), dtype);
}

/**
 * A tensor of zeros, as `torch.zeros`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.zeros.html
 *
 * @param args the size: sizes as varargs or one array. Trailing options: `dtype` (default `'float32'`).
 *
 * Shape: `size`.
 *
 * @example
 * ```ts
 * const b = zeros(64);               // float32 [64]
 * const m = zeros([2, 3], { dtype: 'int32' });
 * ```
 */
export function zeros(...args: SizeArgs<DtypeOptions>): tf.Tensor {
  const { shape, options } = parseSize<DtypeOptions>(args, 'zeros');
  return tf.zeros(shape, options.dtype ?? 'float32');
}

/**
 * A tensor of ones, as `torch.ones`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.ones.html
 *
 * @param args the size: sizes as varargs or one array. Trailing options: `dtype` (default `'float32'`).
 *
 * Shape: `size`.
 *
 * @example
 * ```ts
 * const realLabels = ones(256, 1); // torch.ones(256, 1)
 * ```
 */
export function ones(...args: SizeArgs<DtypeOptions>): tf.Tensor {
  const { shape, options } = parseSize<DtypeOptions>(args, 'ones');
  return tf.ones(shape, options.dtype ?? 'float32');
}

function fillDtype(value: unknown, dtype: tf.DataType | undefined, where: string): tf.DataType {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ArgumentTypeError(`${where}: expected a number or boolean fill value, got ${describeValue(value)}`);
  }
  const d = dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  if (d === 'int32') checkInt32(Number(value), where);
  return d;
}

/**
 * A tensor filled with `value`, as `torch.full`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.full.html
 *
 * @param size Shape of the result.
 * @param value Fill value.
 * @param options `dtype`. Default: `'bool'` for a boolean value, else `'float32'` (torch infers int64 from
 *   an integer literal; JavaScript cannot tell `1` from `1.0`, so ask for `'int32'`).
 *
 * Shape: `size`.
 *
 * @example
 * ```ts
 * const smoothed = full([256, 1], 0.9); // label smoothing targets
 * ```
 */
export function full(size: readonly number[], value: number | boolean, options: DtypeOptions = {}): tf.Tensor {
  if (!Array.isArray(size)) throw new ArgumentTypeError(`full: expected a size array, got ${describeValue(size)}`);
  const shape = checkSize(size, 'full');
  const dtype = fillDtype(value, parseOptions('dtype', options, 'torch.full').dtype, 'full');
  return tf.fill(shape, Number(value), dtype);
}

/**
 * Zeros with the shape of `input` (and its dtype unless given), as `torch.zeros_like`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.zeros_like.html
 *
 * @param input Tensor whose shape (and dtype) to copy.
 * @param options `dtype`. Default: `input.dtype`.
 *
 * Shape: `input.shape`.
 *
 * @example
 * ```ts
 * const g = zerosLike(weight);
 * ```
 */
export function zerosLike(input: tf.Tensor, options: DtypeOptions = {}): tf.Tensor {
  liveTensor(input, 'torch.zeros_like');
  return tf.zeros(input.shape, parseOptions('dtype', options, 'torch.zeros_like').dtype ?? input.dtype);
}

/**
 * Ones with the shape of `input` (and its dtype unless given), as `torch.ones_like`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.ones_like.html
 *
 * @param input Tensor whose shape (and dtype) to copy.
 * @param options `dtype`. Default: `input.dtype`.
 *
 * Shape: `input.shape`.
 *
 * @example
 * ```ts
 * const target = onesLike(output); // "real" labels for BCELoss
 * ```
 */
export function onesLike(input: tf.Tensor, options: DtypeOptions = {}): tf.Tensor {
  liveTensor(input, 'torch.ones_like');
  return tf.ones(input.shape, parseOptions('dtype', options, 'torch.ones_like').dtype ?? input.dtype);
}

/**
 * `value` everywhere, with the shape of `input` (and its dtype unless given), as `torch.full_like`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.full_like.html
 *
 * @param input Tensor whose shape (and dtype) to copy.
 * @param value Fill value.
 * @param options `dtype`. Default: `input.dtype`.
 *
 * Shape: `input.shape`.
 *
 * @example
 * ```ts
 * const fake = fullLike(output, 0.1);
 * ```
 */
export function fullLike(input: tf.Tensor, value: number | boolean, options: DtypeOptions = {}): tf.Tensor {
  liveTensor(input, 'torch.full_like');
  const dtype = fillDtype(value, parseOptions('dtype', options, 'torch.full_like').dtype ?? input.dtype, 'fullLike');
  return tf.fill(input.shape, Number(value), dtype);
}

/**
 * N(0, 1) samples with the shape of `input`, as `torch.randn_like` (torch's numbers after `manualSeed`).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randn_like.html
 *
 * @param input Tensor whose shape to copy.
 * @param options `generator` (default {@link defaultGenerator}).
 *
 * Shape: `input.shape`. dtype: float32.
 *
 * @example
 * ```ts
 * const noise = randnLike(z);
 * ```
 */
export function randnLike(input: tf.Tensor, options: GeneratorOptions = {}): tf.Tensor {
  return randn(liveTensor(input, 'torch.randn_like').shape, options);
}

/**
 * U[0, 1) samples with the shape of `input`, as `torch.rand_like` (torch's numbers after `manualSeed`).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.rand_like.html
 *
 * @param input Tensor whose shape to copy.
 * @param options `generator` (default {@link defaultGenerator}).
 *
 * Shape: `input.shape`. dtype: float32.
 *
 * @example
 * ```ts
 * const u = randLike(x);
 * ```
 */
export function randLike(input: tf.Tensor, options: GeneratorOptions = {}): tf.Tensor {
  return rand(liveTensor(input, 'torch.rand_like').shape, options);
}

function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * A tensor from (nested) data, as `torch.tensor`: rectangular nested arrays of numbers or booleans, typed
 * arrays, scalars (0-d), or a tfjs tensor (copied).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.tensor.html
 *
 * @param data The values.
 * @param options `dtype`. Default: `'bool'` for booleans, `'int32'` for an Int32Array, else `'float32'`
 *   (where torch would infer int64 from integer literals, which JavaScript cannot tell apart).
 *
 * Shape: the nesting of `data` (`[]` for a scalar).
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]]);                   // float32 [2, 2]
 * const y = tensor([0, 1, 1], { dtype: 'int32' });
 * const m = tensor([true, false]);                      // bool [2]
 * ```
 */
export function tensor(data: TensorLike | tf.Tensor, options: DtypeOptions = {}): tf.Tensor {
  const requested = parseOptions('dtype', options, 'torch.tensor').dtype;
  if (data instanceof tf.Tensor) {
    liveTensor(data, 'torch.tensor', 'data');
    if (requested === 'int32' && data.dtype === 'float32') {
      for (const v of data.dataSync()) checkInt32(v, 'tensor');
    }
    return tf.tidy(() => (!requested || requested === data.dtype ? tf.clone(data) : tf.cast(data, requested)));
  }
  const shape: number[] = [];
  let inferred: tf.DataType = 'float32';
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  if (isTypedArray(probe)) {
    shape.push(probe.length);
    if (probe instanceof Int32Array) inferred = 'int32';
  } else if (typeof probe === 'boolean') inferred = 'bool';
  const dtype = requested ?? inferred;
  checkSize(shape, 'tensor');
  const flat = dtype === 'int32' ? new Int32Array(numel(shape)) : new Float32Array(numel(shape));
  let k = 0;
  const walk = (x: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new ShapeError(
          `tensor: expected a number or boolean at depth ${dim} (shape [${shape.join(', ')}]), got ${Array.isArray(x) ? 'an array' : typeof x}`,
        );
      }
      if (dtype === 'int32') checkInt32(Number(x), 'tensor');
      flat[k++] = Number(x);
      return;
    }
    const isSeq = Array.isArray(x) || isTypedArray(x);
    const len = isSeq ? (x as ArrayLike<unknown>).length : -1;
    if (len !== shape[dim]) {
      throw new ShapeError(
        `tensor: expected sequence of length ${shape[dim]} at dim ${dim} (got ${isSeq ? len : typeof x})`,
      );
    }
    if (isTypedArray(x) && dim + 1 < shape.length) {
      throw new ShapeError(
        `tensor: a typed array at dim ${dim} holds numbers, not the sequences of shape [${shape.join(', ')}]`,
      );
    }
    for (let i = 0; i < len; i++) walk((x as ArrayLike<unknown>)[i], dim + 1);
  };
  walk(data, 0);
  if (dtype === 'bool')
    return tf.tensor(
      Uint8Array.from(flat, (v) => (v !== 0 ? 1 : 0)),
      shape,
      'bool',
    );
  return tf.tensor(flat, shape, dtype);
}

/**
 * Values from `start` to `end` (exclusive) by `step`, as `torch.arange(end)` / `torch.arange(start, end,
 * step)`; float values reproduce torch's CPU kernel bit for bit.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.arange.html
 *
 * @param end Bound, not included; the values start at `0`.
 * @param options `dtype`. Default: `'int32'` (torch's int64) when `end` is an integer, else `'float32'`.
 *
 * Shape: `[ceil(end)]`.
 *
 * @example
 * ```ts
 * arange(5);            // int32 [0, 1, 2, 3, 4]
 * arange(0, 1, 0.25);   // float32 [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(end: number, options?: DtypeOptions): tf.Tensor1D;
/**
 * Values from `start` to `end` (exclusive) by 1, as `torch.arange(start, end)`.
 *
 * @param start First value.
 * @param end Bound, not included.
 * @param options `dtype`. Default: `'int32'` when start and end are integers, else `'float32'`.
 *
 * Shape: `[ceil(end - start)]`.
 * @example
 * ```ts
 * arange(2, 5); // int32 [2, 3, 4]
 * ```
 */
export function arange(start: number, end: number, options?: DtypeOptions): tf.Tensor1D;
/**
 * Values from `start` to `end` (exclusive) by `step`, as `torch.arange(start, end, step)`.
 *
 * @param start First value.
 * @param end Bound, not included.
 * @param step Step, non-zero.
 * @param options `dtype`. Default: `'int32'` (torch's int64) when start, end and step are all integers,
 *   else `'float32'`.
 *
 * Shape: `[ceil((end - start) / step)]`.
 * @example
 * ```ts
 * arange(0, 1, 0.25); // float32 [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(start: number, end: number, step: number, options?: DtypeOptions): tf.Tensor1D;
export function arange(...args: unknown[]): tf.Tensor1D {
  const options = isOptions(args[args.length - 1]) ? parseOptions('dtype', args.pop(), 'torch.arange') : {};
  if (args.length < 1 || args.length > 3 || args.some((a) => typeof a !== 'number' || !Number.isFinite(a))) {
    throw new ArgumentTypeError(
      `arange: expected (end), (start, end) or (start, end, step) as finite numbers, got (${args.map((v) => describeValue(v)).join(', ')})`,
    );
  }
  const nums = args as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new ValueError('arange: step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new ValueError(
      `arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`,
    );
  }
  const dtype = options.dtype ?? (nums.every(Number.isInteger) ? 'int32' : 'float32');
  const n = Math.ceil((end - start) / step);
  if (n > MAX_SIZE) {
    throw new ValueError(
      `arange: (start=${start}, end=${end}, step=${step}) has ${n} elements, more than ${MAX_SIZE} (tfjs's int32 limit on a tensor's size)`,
    );
  }
  if (dtype === 'int32' && n > 0) {
    checkInt32(start, 'arange');
    checkInt32(start + step * (n - 1), 'arange');
  }
  if (dtype === 'int32')
    return tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => start + step * i),
      'int32',
    );
  if (dtype !== 'float32') throw new ArgumentTypeError(`arange: expected dtype 'int32' or 'float32', got '${dtype}'`);
  // torch's float kernel writes vectors of 8 from a float32 base `start + step * i` (two per round of 16),
  // adding `k * step` in float64; the remainder past the last 16 is `start + step * i` each.
  const out = new Float32Array(n);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    for (let b = i; b < i + 16; b += 8) {
      const base = Math.fround(start + step * b);
      for (let k = 0; k < 8; k++) out[b + k] = base + k * step;
    }
  }
  for (; i < n; i++) out[i] = start + step * i;
  return tf.tensor1d(out, 'float32');
}

/**
 * The value of a one-element tensor, as `Tensor.item()` (synchronous read; booleans come back as 0/1).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.item.html
 *
 * @param t A tensor with exactly one element (any shape: `[]`, `[1]`, `[1, 1]`, ...).
 *
 * Shape: any shape whose product is 1.
 *
 * @example
 * ```ts
 * const lossValue = item(loss); // number
 * ```
 */
export function item(t: tf.Tensor): number {
  if (!(t instanceof tf.Tensor)) throw new ArgumentTypeError(`item: expected a tensor, got ${describeValue(t)}`);
  if (t.isDisposed) throw new ValueError('item: the tensor was disposed');
  if (t.size !== 1) {
    throw new ShapeError(
      `item: expected a tensor with one element, got shape [${t.shape.join(', ')}] (${t.size} elements)`,
    );
  }
  return t.dataSync()[0] as number;
}
