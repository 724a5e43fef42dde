/**
 * torch.nn.init: in-place initialisers for parameters and buffers, with PyTorch 1.13's formulas and its
 * random draws. After `manualSeed(s)`, `xavierUniform_(w)` writes the numbers `torch.manual_seed(s);
 * torch.nn.init.xavier_uniform_(w)` writes, because every initialiser draws exactly what torch's does
 * (one `uniform_` or `normal_` over the whole tensor) through src/random.ts.
 *
 * tfjs tensors are immutable, so the target is a `tf.Variable` (a {@link Parameter} or a module buffer),
 * written with `assign`; assignment is not an op, so nothing is recorded for autograd.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue, intList, tensor } from '../args';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';
import { normalFill, randpermArray, uniformFill } from '../random';

/** The nonlinearities {@link calculateGain} knows: torch's names. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** Which fan the Kaiming initialisers preserve: the forward pass's variance (`fan_in`) or the backward's. */
export type FanMode = 'fan_in' | 'fan_out';

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (only used with `'leaky_relu'`). Default: `0`. */
  a?: number;
  /** `'fan_in'` or `'fan_out'`. Default: `'fan_in'`. */
  mode?: FanMode;
  /** The nonlinearity after this layer, best `'relu'` or `'leaky_relu'`. Default: `'leaky_relu'`. */
  nonlinearity?: Nonlinearity;
}

const LINEAR_FNS: readonly string[] = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
];

/**
 * The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu,
 * √(2 / (1 + slope²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
 *
 * Mirrors [torch.nn.init.calculate_gain](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.calculate_gain).
 *
 * @param nonlinearity the function's torch name.
 * @param param leaky_relu's negative slope. Default: `null` (0.01).
 * @throws ValueError for an unknown nonlinearity, or a `param` that is not a number.
 * @example
 * ```ts
 * nn.init.calculateGain('leaky_relu', 0.2); // 1.3867504905630728
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope: number;
    if (param === null || param === undefined) slope = 0.01;
    else if (typeof param === 'number') slope = param;
    else throw new ValueError(`calculateGain: negative_slope ${String(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new ValueError(
    `calculateGain: unsupported nonlinearity ${String(nonlinearity)} (expected one of ` +
      `${[...LINEAR_FNS, 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'].join(', ')})`,
  );
}

/**
 * `[fanIn, fanOut]` of a weight in torch's layout: dimension 1 times the receptive field (the product of
 * dimensions 2...) and dimension 0 times it. For a `Linear` weight `[out, in]` that is `[in, out]`; for a
 * `Conv2d` weight `[out, in, kh, kw]`, `[in·kh·kw, out·kh·kw]`; for a `ConvTranspose2d` weight
 * `[in, out, kh, kw]` torch's rule gives `[out·kh·kw, in·kh·kw]`.
 *
 * Mirrors torch's `torch.nn.init._calculate_fan_in_and_fan_out`.
 *
 * @param tensorOrShape a tensor or its shape, at least 2-D.
 * @throws ShapeError for fewer than 2 dimensions.
 * @example
 * ```ts
 * nn.init.calculateFanInAndFanOut([64, 1, 4, 4]); // [16, 1024]
 * ```
 */
export function calculateFanInAndFanOut(tensorOrShape: tf.Tensor | readonly number[]): [number, number] {
  const where = 'calculateFanInAndFanOut';
  const shape =
    tensorOrShape instanceof tf.Tensor
      ? tensor().check(tensorOrShape, { where, name: 'tensor' }).shape
      : intList({ min: 0 }).check(tensorOrShape, { where, name: 'tensor' });
  if (shape.length < 2) {
    throw new ShapeError(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape [${shape.join(', ')}])`,
    );
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

function correctFan(v: tf.Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') {
    throw new ValueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(v);
  return m === 'fan_in' ? fanIn : fanOut;
}

function checkVariable(v: tf.Variable, where: string, floatOnly: boolean): void {
  const value: unknown = v;
  if (!(value instanceof tf.Variable)) {
    const what = value instanceof tf.Tensor ? 'a tf.Tensor (immutable)' : typeof v;
    throw new ArgumentTypeError(
      `${where}: expected a tf.Variable (a Parameter or a module buffer) to write in place, got ${what}`,
    );
  }
  if (floatOnly && v.dtype !== 'float32') {
    throw new ArgumentTypeError(
      `${where}: expected a float32 variable, got ${v.dtype} of shape [${v.shape.join(', ')}]`,
    );
  }
}

function write<T extends tf.Variable>(v: T, data: Float32Array): T {
  const t = tf.tensor(data, v.shape, 'float32');
  v.assign(t);
  t.dispose();
  return v;
}

/**
 * Fills `tensor` with values drawn from U(a, b): torch's `tensor.uniform_(a, b)`, one draw per element.
 *
 * Mirrors [torch.nn.init.uniform_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.uniform_).
 *
 * @param tensor a float32 variable, any shape; written in place and returned.
 * @param a lower bound. Default: `0`.
 * @param b upper bound. Default: `1`.
 * @example
 * ```ts
 * nn.init.uniform_(linear.bias!, -0.1, 0.1);
 * ```
 */
export function uniform_<T extends tf.Variable>(tensor: T, a = 0, b = 1): T {
  checkVariable(tensor, 'uniform_', true);
  return write(tensor, uniformFill(tensor.size, a, b));
}

/**
 * Fills `tensor` with values drawn from N(mean, std²): torch's `tensor.normal_(mean, std)`.
 *
 * Mirrors [torch.nn.init.normal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.normal_).
 *
 * @param tensor a float32 variable, any shape; written in place and returned.
 * @param mean the mean. Default: `0`.
 * @param std the standard deviation. Default: `1`.
 * @example
 * ```ts
 * nn.init.normal_(conv.weight, 0.0, 0.02); // DCGAN's initialisation
 * ```
 */
export function normal_<T extends tf.Variable>(tensor: T, mean = 0, std = 1): T {
  checkVariable(tensor, 'normal_', true);
  return write(tensor, normalFill(tensor.size, mean, std));
}

/**
 * Fills `tensor` with `val`.
 *
 * Mirrors [torch.nn.init.constant_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.constant_).
 *
 * @param tensor a variable, any shape and dtype; written in place and returned.
 * @param val the value.
 * @example
 * ```ts
 * nn.init.constant_(bn.bias!, 0);
 * ```
 */
export function constant_<T extends tf.Variable>(tensor: T, val: number): T {
  checkVariable(tensor, 'constant_', false);
  if (typeof val !== 'number') {
    throw new ArgumentTypeError(`constant_(): argument 'val' must be a number, got ${describeValue(val)}`);
  }
  const t = tf.fill(tensor.shape, val, tensor.dtype);
  tensor.assign(t);
  t.dispose();
  return tensor;
}

/**
 * Fills `tensor` with 1.
 *
 * Mirrors [torch.nn.init.ones_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.ones_).
 *
 * @param tensor a variable, any shape; written in place and returned.
 * @example
 * ```ts
 * nn.init.ones_(bn.weight!);
 * ```
 */
export function ones_<T extends tf.Variable>(tensor: T): T {
  return constant_(tensor, 1);
}

/**
 * Fills `tensor` with 0.
 *
 * Mirrors [torch.nn.init.zeros_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.zeros_).
 *
 * @param tensor a variable, any shape; written in place and returned.
 * @example
 * ```ts
 * nn.init.zeros_(linear.bias!);
 * ```
 */
export function zeros_<T extends tf.Variable>(tensor: T): T {
  return constant_(tensor, 0);
}

/**
 * Fills a 2-D `tensor` with the identity matrix (ones on the main diagonal of a possibly non-square matrix).
 *
 * Mirrors [torch.nn.init.eye_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.eye_).
 *
 * @param tensor a 2-D variable `[rows, cols]`; written in place and returned.
 * @throws ValueError when the tensor is not 2-D.
 * @example
 * ```ts
 * nn.init.eye_(linear.weight);
 * ```
 */
export function eye_<T extends tf.Variable>(tensor: T): T {
  checkVariable(tensor, 'eye_', false);
  if (tensor.rank !== 2) {
    throw new ValueError(`eye_: only tensors with 2 dimensions are supported (got shape [${tensor.shape.join(', ')}])`);
  }
  const t = tf.eye(tensor.shape[0]!, tensor.shape[1], undefined, tensor.dtype as 'float32' | 'int32');
  tensor.assign(t);
  t.dispose();
  return tensor;
}

/**
 * Glorot/Xavier uniform initialisation: U(-a, a) with `a = gain · √(6 / (fanIn + fanOut))`.
 *
 * Mirrors [torch.nn.init.xavier_uniform_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_uniform_).
 *
 * @param tensor a float32 variable, at least 2-D; written in place and returned.
 * @param gain scaling factor. Default: `1`.
 * @throws ShapeError for fewer than 2 dimensions.
 * @example
 * ```ts
 * nn.init.xavierUniform_(conv.weight, 1.0); // the reference article's weights_init for conv layers
 * ```
 */
export function xavierUniform_<T extends tf.Variable>(tensor: T, gain = 1): T {
  checkVariable(tensor, 'xavierUniform_', true);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return write(tensor, uniformFill(tensor.size, -a, a));
}

/**
 * Glorot/Xavier normal initialisation: N(0, std²) with `std = gain · √(2 / (fanIn + fanOut))`.
 *
 * Mirrors [torch.nn.init.xavier_normal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_normal_).
 *
 * @param tensor a float32 variable, at least 2-D; written in place and returned.
 * @param gain scaling factor. Default: `1`.
 * @throws ShapeError for fewer than 2 dimensions.
 * @example
 * ```ts
 * nn.init.xavierNormal_(linear.weight);
 * ```
 */
export function xavierNormal_<T extends tf.Variable>(tensor: T, gain = 1): T {
  checkVariable(tensor, 'xavierNormal_', true);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return write(tensor, normalFill(tensor.size, 0, std));
}

function isEmpty(v: tf.Variable, where: string): boolean {
  if (v.shape.includes(0)) {
    console.warn(`${where}: initializing zero-element tensors is a no-op`);
    return true;
  }
  return false;
}

/**
 * He/Kaiming uniform initialisation: U(-bound, bound) with `bound = gain · √(3 / fan)`, the gain from
 * {@link calculateGain}`(nonlinearity, a)` and the fan from `mode`. With the defaults this is what torch's
 * `Linear` and `Conv2d` use on their weights with `a = √5`.
 *
 * Mirrors [torch.nn.init.kaiming_uniform_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_uniform_).
 *
 * @param tensor a float32 variable, at least 2-D; written in place and returned (a zero-element one is
 *   left alone, with a warning, drawing nothing).
 * @param options the options below. Default: `{}`.
 * @param options.a negative slope of the rectifier. Default: `0`.
 * @param options.mode `'fan_in'` | `'fan_out'`. Default: `'fan_in'`.
 * @param options.nonlinearity Default: `'leaky_relu'`.
 * @throws ShapeError for fewer than 2 dimensions; ValueError for an unknown mode or nonlinearity.
 * @example
 * ```ts
 * nn.init.kaimingUniform_(linear.weight, { a: Math.sqrt(5) }); // torch's Linear.reset_parameters
 * ```
 */
export function kaimingUniform_<T extends tf.Variable>(
  tensor: T,
  { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' }: KaimingOptions = {},
): T {
  checkVariable(tensor, 'kaimingUniform_', true);
  if (isEmpty(tensor, 'kaimingUniform_')) return tensor;
  const fan = correctFan(tensor, mode);
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return write(tensor, uniformFill(tensor.size, -bound, bound));
}

/**
 * He/Kaiming normal initialisation: N(0, std²) with `std = gain / √fan`.
 *
 * Mirrors [torch.nn.init.kaiming_normal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_normal_).
 *
 * @param tensor a float32 variable, at least 2-D; written in place and returned (a zero-element one is
 *   left alone, with a warning).
 * @param options the options below. Default: `{}`.
 * @param options.a negative slope of the rectifier. Default: `0`.
 * @param options.mode `'fan_in'` | `'fan_out'`. Default: `'fan_in'`.
 * @param options.nonlinearity Default: `'leaky_relu'`.
 * @throws ShapeError for fewer than 2 dimensions; ValueError for an unknown mode or nonlinearity.
 * @example
 * ```ts
 * nn.init.kaimingNormal_(conv.weight, { mode: 'fan_out', nonlinearity: 'relu' });
 * ```
 */
export function kaimingNormal_<T extends tf.Variable>(
  tensor: T,
  { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' }: KaimingOptions = {},
): T {
  checkVariable(tensor, 'kaimingNormal_', true);
  if (isEmpty(tensor, 'kaimingNormal_')) return tensor;
  const fan = correctFan(tensor, mode);
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan);
  return write(tensor, normalFill(tensor.size, 0, std));
}

// erf and erfinv in float64, for truncNormal_ (JavaScript has neither).

function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series: at |x| < 3 the terms stay below 1e4, so about 12 digits survive the cancellation.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc by its continued fraction (modified Lentz), accurate for |x| >= 3.
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}

function erfinv(y: number): number {
  if (y <= -1) return y === -1 ? -Infinity : NaN;
  if (y >= 1) return y === 1 ? Infinity : NaN;
  // Giles' single-precision approximation, then Newton steps on erf.
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    for (const k of [
      3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
      1.50140941,
    ])
      p = k + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const k of [
      0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
      2.83297682,
    ])
      p = k + p * w;
    x = p * y;
  }
  for (let i = 0; i < 3; i++) x -= (erf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  return x;
}

/**
 * Fills `tensor` with values from N(mean, std²) truncated to [a, b], by torch's inverse-CDF method: one
 * uniform draw per element in [2Φ(α) - 1, 2Φ(β) - 1], then `erfinv`, scaled, shifted and clamped.
 * Same draws as torch; the values agree with torch's to float32 rounding of `erfinv`.
 *
 * Mirrors [torch.nn.init.trunc_normal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.trunc_normal_).
 *
 * @param tensor a float32 variable, any shape; written in place and returned.
 * @param mean mean of the normal distribution. Default: `0`.
 * @param std its standard deviation. Default: `1`.
 * @param a lower cutoff. Default: `-2`.
 * @param b upper cutoff. Default: `2`.
 * @example
 * ```ts
 * nn.init.truncNormal_(linear.weight, 0, 0.02, -0.04, 0.04);
 * ```
 */
export function truncNormal_<T extends tf.Variable>(tensor: T, mean = 0, std = 1, a = -2, b = 2): T {
  checkVariable(tensor, 'truncNormal_', true);
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn(
      'mean is more than 2 std from [a, b] in nn.init.truncNormal_. The distribution of values may be incorrect.',
    );
  }
  const normCdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  const data = uniformFill(tensor.size, 2 * l - 1, 2 * u - 1);
  // torch does each step in float32: erfinv_, mul_(std·√2), add_(mean), clamp_(a, b).
  const scale = Math.fround(std * Math.sqrt(2));
  const fMean = Math.fround(mean);
  const lo = Math.fround(a);
  const hi = Math.fround(b);
  for (let i = 0; i < data.length; i++) {
    const v = Math.fround(Math.fround(Math.fround(erfinv(data[i]!)) * scale) + fMean);
    data[i] = Math.min(Math.max(v, lo), hi);
  }
  return write(tensor, data);
}

// torch's deprecated names without the trailing underscore: each warns once, then forwards.

const warned = new Set<string>();
function deprecated(oldName: string, newName: string): void {
  if (warned.has(oldName)) return;
  warned.add(oldName);
  console.warn(`nn.init.${oldName} is now deprecated in favor of nn.init.${newName}.`);
}

/**
 * Fills `tensor` with a (semi-)orthogonal matrix, as torch: a `[rows, cols]` draw from N(0, 1) (`rows` = dim 0,
 * `cols` = the other dims together; transposed when `rows < cols`), its QR factorisation, `Q` times the signs of
 * `R`'s diagonal, times `gain`. The same seed gives torch's matrix up to float rounding.
 *
 * Mirrors [torch.nn.init.orthogonal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.orthogonal_).
 *
 * @param tensor a float32 variable, at least 2-D; written in place and returned.
 * @param gain scaling factor. Default: `1`.
 * @throws ValueError for fewer than 2 dimensions.
 * @example
 * ```ts
 * nn.init.orthogonal_(rnn.weight_hh_l0, nn.init.calculateGain('tanh'));
 * ```
 */
export function orthogonal_<T extends tf.Variable>(tensor: T, gain = 1): T {
  checkVariable(tensor, 'orthogonal_', true);
  checkNumber(gain, 'gain', 'orthogonal_');
  if (tensor.rank < 2) {
    throw new ValueError(
      `orthogonal_: Only tensors with 2 or more dimensions are supported (got shape ${formatShape(tensor.shape)})`,
    );
  }
  if (tensor.size === 0) return tensor;
  const rows = tensor.shape[0] as number;
  const cols = tensor.size / rows;
  const q = tf.tidy(() => {
    let flat: tf.Tensor2D = tf.tensor2d(normalFill(rows * cols), [rows, cols]);
    if (rows < cols) flat = tf.transpose(flat);
    const [qm, r] = tf.linalg.qr(flat);
    const sign = tf.sign(tf.sum(tf.mul(r, tf.eye(r.shape[0], r.shape[1])), 0));
    let out = tf.mul(qm, sign);
    if (rows < cols) out = tf.transpose(out);
    return tf.reshape(tf.mul(out, gain), tensor.shape);
  });
  tensor.assign(q);
  q.dispose();
  return tensor;
}

/**
 * Fills a 3-, 4- or 5-D convolution weight with the Dirac delta (identity filters, torch's `dirac_`): channel `d`
 * of each of the `groups` output groups passes input channel `d` through at the kernel's centre; everything else 0.
 *
 * Mirrors [torch.nn.init.dirac_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.dirac_).
 *
 * @param tensor a variable `[out, in, *kernel]`; written in place and returned.
 * @param groups number of groups; must divide `out`. Default: `1`.
 * @example
 * ```ts
 * nn.init.dirac_(conv.weight); // conv is the identity on its first min(out, in) channels
 * ```
 */
export function dirac_<T extends tf.Variable>(tensor: T, groups = 1): T {
  checkVariable(tensor, 'dirac_', false);
  if (tensor.rank < 3 || tensor.rank > 5) {
    throw new ValueError(
      `dirac_: Only tensors with 3, 4, or 5 dimensions are supported (got shape ${formatShape(tensor.shape)})`,
    );
  }
  if (!Number.isInteger(groups) || groups < 1)
    throw new ValueError(`dirac_: groups must be a positive int, got ${groups}`);
  const [out, inC, ...kernel] = tensor.shape as number[];
  if (out! % groups !== 0) throw new ValueError(`dirac_: dim 0 must be divisible by groups (got ${out} and ${groups})`);
  const perGroup = out! / groups;
  const data = new Float32Array(tensor.size);
  const centre = kernel.reduce((off, k) => off * k + Math.floor(k / 2), 0);
  const kSize = kernel.reduce((a, b) => a * b, 1);
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < Math.min(perGroup, inC!); d++) data[((g * perGroup + d) * inC! + d) * kSize + centre] = 1;
  }
  const t = tf.tensor(data, tensor.shape, 'float32');
  const cast = tf.cast(t, tensor.dtype);
  tensor.assign(cast);
  tf.dispose([t, cast]);
  return tensor;
}

/**
 * Fills a 2-D tensor as a sparse matrix (torch's `sparse_`): N(0, std²) everywhere, then in each column the rows
 * of the first `ceil(sparsity · rows)` entries of a fresh `randperm(rows)` set to 0, drawing exactly as torch.
 *
 * Mirrors [torch.nn.init.sparse_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.sparse_).
 *
 * @param tensor a float32 2-D variable; written in place and returned.
 * @param sparsity the fraction of each column set to zero, in [0, 1].
 * @param std the standard deviation of the non-zero values. Default: `0.01`.
 * @example
 * ```ts
 * nn.init.sparse_(linear.weight, 0.1);
 * ```
 */
export function sparse_<T extends tf.Variable>(tensor: T, sparsity: number, std = 0.01): T {
  checkVariable(tensor, 'sparse_', true);
  checkNumber(sparsity, 'sparsity', 'sparse_');
  checkNumber(std, 'std', 'sparse_');
  if (tensor.rank !== 2) {
    throw new ValueError(
      `sparse_: Only tensors with 2 dimensions are supported (got shape ${formatShape(tensor.shape)})`,
    );
  }
  const [rows, cols] = tensor.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  const data = normalFill(rows * cols, 0, std);
  for (let c = 0; c < cols; c++) {
    const perm = randpermArray(rows);
    for (let k = 0; k < Math.min(numZeros, rows); k++) data[perm[k]! * cols + c] = 0;
  }
  return write(tensor, data);
}

/** torch's `float` arguments of the initialisers: a number, never a string or NaN. */
function checkNumber(v: unknown, name: string, where: string): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new ArgumentTypeError(`${where}(): argument '${name}' must be a number, got ${describeValue(v)}`);
  }
}

/**
 * @deprecated torch's deprecated alias of {@link normal_} (`torch.nn.init.normal`, still used in older code
 * such as `torch.nn.init.normal(m.weight, 0.0, 1.0)`). Warns once, then calls `normal_`.
 *
 * Mirrors torch.nn.init.normal (see [normal_](https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.normal_)).
 * @param tensor a float32 variable; written in place and returned.
 * @param mean Default: `0`.
 * @param std Default: `1`.
 * @example
 * ```ts
 * nn.init.normal(bn.weight!, 0.0, 1.0); // prefer nn.init.normal_
 * ```
 */
export function normal<T extends tf.Variable>(tensor: T, mean = 0, std = 1): T {
  deprecated('normal', 'normal_');
  return normal_(tensor, mean, std);
}

/**
 * @deprecated torch's deprecated alias of {@link uniform_}. Warns once, then calls `uniform_`.
 * @param tensor a float32 variable; written in place and returned.
 * @param a Default: `0`.
 * @param b Default: `1`.
 * @example
 * ```ts
 * nn.init.uniform(w, -1, 1); // prefer nn.init.uniform_
 * ```
 */
export function uniform<T extends tf.Variable>(tensor: T, a = 0, b = 1): T {
  deprecated('uniform', 'uniform_');
  return uniform_(tensor, a, b);
}

/**
 * @deprecated torch's deprecated alias of {@link constant_}. Warns once, then calls `constant_`.
 * @param tensor a variable; written in place and returned.
 * @param val the value.
 * @example
 * ```ts
 * nn.init.constant(b, 0); // prefer nn.init.constant_
 * ```
 */
export function constant<T extends tf.Variable>(tensor: T, val: number): T {
  deprecated('constant', 'constant_');
  return constant_(tensor, val);
}

/**
 * @deprecated torch's deprecated alias of {@link xavierUniform_} (`xavier_uniform`). Warns once.
 * @param tensor a float32 variable, at least 2-D.
 * @param gain Default: `1`.
 * @example
 * ```ts
 * nn.init.xavierUniform(w); // prefer nn.init.xavierUniform_
 * ```
 */
export function xavierUniform<T extends tf.Variable>(tensor: T, gain = 1): T {
  deprecated('xavier_uniform', 'xavier_uniform_');
  return xavierUniform_(tensor, gain);
}

/**
 * @deprecated torch's deprecated alias of {@link xavierNormal_} (`xavier_normal`). Warns once.
 * @param tensor a float32 variable, at least 2-D.
 * @param gain Default: `1`.
 * @example
 * ```ts
 * nn.init.xavierNormal(w); // prefer nn.init.xavierNormal_
 * ```
 */
export function xavierNormal<T extends tf.Variable>(tensor: T, gain = 1): T {
  deprecated('xavier_normal', 'xavier_normal_');
  return xavierNormal_(tensor, gain);
}

/**
 * @deprecated torch's deprecated alias of {@link kaimingUniform_} (`kaiming_uniform`). Warns once.
 * @param tensor a float32 variable, at least 2-D.
 * @param options as {@link kaimingUniform_}.
 * @example
 * ```ts
 * nn.init.kaimingUniform(w); // prefer nn.init.kaimingUniform_
 * ```
 */
export function kaimingUniform<T extends tf.Variable>(tensor: T, options: KaimingOptions = {}): T {
  deprecated('kaiming_uniform', 'kaiming_uniform_');
  return kaimingUniform_(tensor, options);
}

/**
 * @deprecated torch's deprecated alias of {@link kaimingNormal_} (`kaiming_normal`). Warns once.
 * @param tensor a float32 variable, at least 2-D.
 * @param options as {@link kaimingNormal_}.
 * @example
 * ```ts
 * nn.init.kaimingNormal(w); // prefer nn.init.kaimingNormal_
 * ```
 */
export function kaimingNormal<T extends tf.Variable>(tensor: T, options: KaimingOptions = {}): T {
  deprecated('kaiming_normal', 'kaiming_normal_');
  return kaimingNormal_(tensor, options);
}
