/**
 * torch's elementwise math and comparisons by torch's names and meanings: `clamp` (number or tensor bounds),
 * `lerp`, `addcmul`, `addcdiv`, `isclose`/`allclose`/`equal`, `eq`/`ne`/`lt`/`le`/`gt`/`ge`, `maximum`/`minimum`
 * (ties split the gradient, as torch), `sign`, `trunc`, `frac`, `remainder` (the divisor's sign) and `fmod` (the
 * dividend's sign), `floorDivide`, `nanToNum`. Operands broadcast and promote as torch's (bool < int32 < float32;
 * a float number makes an int tensor float32).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, checkNoExtraArgs, checkTensors, describeValue, float, signature } from '../args';
import { ArgumentTypeError } from '../errors';
import {
  type TensorOrScalar,
  asTensor,
  broadcastShapes,
  broadcastTo,
  checkOperands,
  maximumOf,
  minimumOf,
  promote,
  resultType,
  shapeOf,
  tensorOrScalarArg,
} from './common';

const CLAMP = signature('torch.clamp', [
  ['min', tensorOrScalarArg().optional()],
  ['max', tensorOrScalarArg().optional()],
]);

/**
 * Limits values to `[min, max]` (torch's [`torch.clamp`](https://pytorch.org/docs/1.13/generated/torch.clamp.html));
 * bounds may be numbers or tensors (broadcast). The gradient passes where `min <= x <= max` (to the bound
 * elsewhere, for tensor bounds); `min > max` gives `max`, as torch.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `min`: lower bound. Default: `null` (none).
 * - `max`: upper bound. Default: `null` (none).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.clamp(x, 0, 1);
 * torch.clamp(x, { min: lo });
 * ```
 */
export function clamp(input: tf.Tensor, ...args: ArgsOf<typeof CLAMP>): tf.Tensor {
  checkTensors('torch.clamp', { input });
  const { min, max } = CLAMP.parse(args);
  if (min == null && max == null)
    throw new ArgumentTypeError("torch.clamp(): At least one of 'min' or 'max' must not be None");
  let dtype = input.dtype;
  if (min != null) dtype = resultType(input, min) === 'float32' ? 'float32' : dtype;
  if (max != null) dtype = resultType(input, max) === 'float32' ? 'float32' : dtype;
  const x = asTensor(input, dtype);
  if (typeof min === 'number' && typeof max === 'number' && min <= max && dtype === 'float32') {
    return tf.clipByValue(x, min, max);
  }
  const shape = broadcastShapes(
    [x.shape, ...[min, max].filter((b): b is tf.Tensor => b instanceof tf.Tensor).map((b) => b.shape)],
    'torch.clamp',
  );
  let y =
    x.rank < shape.length || !tf.util.arraysEqual(x.shape, shape)
      ? broadcastTo(tf.reshape(x, [...Array(shape.length - x.rank).fill(1), ...x.shape]), shape)
      : x;
  if (min != null) {
    const lo = broadcastTo(asTensor(min, dtype), shape);
    y = tf.where(tf.less(y, lo), lo, y);
  }
  if (max != null) {
    const hi = broadcastTo(asTensor(max, dtype), shape);
    y = tf.where(tf.greater(y, hi), hi, y);
  }
  return y;
}

/** torch's alias of {@link clamp} ([`torch.clip`](https://pytorch.org/docs/1.13/generated/torch.clip.html)). */
export const clip = clamp;

/**
 * `input + weight * (end - input)` (torch's [`torch.lerp`](https://pytorch.org/docs/1.13/generated/torch.lerp.html)).
 * @param input start values.
 * @param end end values.
 * @param weight a number or a tensor.
 * @example
 * ```ts
 * torch.lerp(ema, x, 0.1);
 * ```
 */
export function lerp(input: tf.Tensor, end: tf.Tensor, weight: TensorOrScalar): tf.Tensor {
  checkTensors('torch.lerp', { input, end });
  checkOperands('torch.lerp', { weight });
  broadcastShapes([input.shape, end.shape, shapeOf(weight)], 'torch.lerp');
  return tf.add(input, tf.mul(asTensor(weight, 'float32'), tf.sub(end, input)));
}

const ADDC = signature('torch.addcmul', [['value', float({ allowInfinity: true }).default(1)]]);

/**
 * `input + value * tensor1 * tensor2` (torch's
 * [`torch.addcmul`](https://pytorch.org/docs/1.13/generated/torch.addcmul.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `value`: scale. Default: `1`.
 * @param input the tensor.
 * @param tensor1 first factor.
 * @param tensor2 second factor.
 * @example
 * ```ts
 * torch.addcmul(v, g, g, 1 - beta2);
 * ```
 */
export function addcmul(
  input: tf.Tensor,
  tensor1: tf.Tensor,
  tensor2: tf.Tensor,
  ...args: ArgsOf<typeof ADDC>
): tf.Tensor {
  checkTensors('torch.addcmul', { input, tensor1, tensor2 });
  const { value } = ADDC.parse(args);
  broadcastShapes([input.shape, tensor1.shape, tensor2.shape], 'torch.addcmul');
  return tf.add(input, tf.mul(tf.mul(tensor1, tensor2), value));
}

/**
 * `input + value * tensor1 / tensor2` (torch's
 * [`torch.addcdiv`](https://pytorch.org/docs/1.13/generated/torch.addcdiv.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `value`: scale. Default: `1`.
 * @param input the tensor.
 * @param tensor1 numerator.
 * @param tensor2 denominator.
 * @example
 * ```ts
 * torch.addcdiv(p, m, denom, -lr);
 * ```
 */
export function addcdiv(
  input: tf.Tensor,
  tensor1: tf.Tensor,
  tensor2: tf.Tensor,
  ...args: ArgsOf<typeof ADDC>
): tf.Tensor {
  checkTensors('torch.addcdiv', { input, tensor1, tensor2 });
  const { value } = ADDC.parse(args, 'torch.addcdiv');
  if (tensor1.dtype !== 'float32' && tensor2.dtype !== 'float32') {
    throw new ArgumentTypeError(
      'torch.addcdiv(): Integer division with addcdiv is no longer supported; use float tensors',
    );
  }
  broadcastShapes([input.shape, tensor1.shape, tensor2.shape], 'torch.addcdiv');
  return tf.add(input, tf.mul(tf.div(tensor1, tensor2), value));
}

function compare(
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  input: tf.Tensor,
  other: TensorOrScalar,
  where: string,
): tf.Tensor {
  checkTensors(where, { input });
  checkOperands(where, { other });
  broadcastShapes([input.shape, shapeOf(other)], where);
  const [a, b] = promote(input, other);
  return op(a, b);
}

/**
 * `input == other` elementwise, broadcast (torch's [`torch.eq`](https://pytorch.org/docs/1.13/generated/torch.eq.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.eq(pred, target).sum();
 * ```
 */
export function eq(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.equal, input, other, 'torch.eq');
}

/**
 * `input != other` (torch's [`torch.ne`](https://pytorch.org/docs/1.13/generated/torch.ne.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.ne(x, 0);
 * ```
 */
export function ne(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.notEqual, input, other, 'torch.ne');
}

/**
 * `input < other` (torch's [`torch.lt`](https://pytorch.org/docs/1.13/generated/torch.lt.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.lt(x, 0.5);
 * ```
 */
export function lt(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.less, input, other, 'torch.lt');
}

/**
 * `input <= other` (torch's [`torch.le`](https://pytorch.org/docs/1.13/generated/torch.le.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.le(x, 0.5);
 * ```
 */
export function le(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.lessEqual, input, other, 'torch.le');
}

/**
 * `input > other` (torch's [`torch.gt`](https://pytorch.org/docs/1.13/generated/torch.gt.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.gt(x, 0);
 * ```
 */
export function gt(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.greater, input, other, 'torch.gt');
}

/**
 * `input >= other` (torch's [`torch.ge`](https://pytorch.org/docs/1.13/generated/torch.ge.html)); bool.
 * @param input the tensor.
 * @param other a tensor or number.
 * @example
 * ```ts
 * torch.ge(x, 0);
 * ```
 */
export function ge(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  return compare(tf.greaterEqual, input, other, 'torch.ge');
}

/**
 * Elementwise maximum, broadcast; ties split the gradient in half, as torch (torch's
 * [`torch.maximum`](https://pytorch.org/docs/1.13/generated/torch.maximum.html)); NaN propagates.
 * @param input the tensor.
 * @param other the other tensor.
 * @example
 * ```ts
 * torch.maximum(a, b);
 * ```
 */
export function maximum(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  checkTensors('torch.maximum', { input, other });
  broadcastShapes([input.shape, other.shape], 'torch.maximum');
  return maximumOf(input, other);
}

/**
 * Elementwise minimum, broadcast; ties split the gradient in half (torch's
 * [`torch.minimum`](https://pytorch.org/docs/1.13/generated/torch.minimum.html)).
 * @param input the tensor.
 * @param other the other tensor.
 * @example
 * ```ts
 * torch.minimum(a, b);
 * ```
 */
export function minimum(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  checkTensors('torch.minimum', { input, other });
  broadcastShapes([input.shape, other.shape], 'torch.minimum');
  return minimumOf(input, other);
}

const ISCLOSE = signature('torch.isclose', [
  ['rtol', float({ min: 0 }).default(1e-5)],
  ['atol', float({ min: 0 }).default(1e-8)],
  ['equalNan', bool().default(false)],
]);

/**
 * `|input - other| <= atol + rtol * |other|` elementwise (equal infinities too), as torch's
 * [`torch.isclose`](https://pytorch.org/docs/1.13/generated/torch.isclose.html); bool.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `rtol`: relative tolerance. Default: `1e-5`.
 * - `atol`: absolute tolerance. Default: `1e-8`.
 * - `equalNan`: NaNs compare equal. Default: `false`.
 * @param input the tensor.
 * @param other the other.
 * @example
 * ```ts
 * torch.isclose(a, b, { atol: 1e-6 });
 * ```
 */
export function isclose(input: tf.Tensor, other: TensorOrScalar, ...args: ArgsOf<typeof ISCLOSE>): tf.Tensor {
  checkTensors('torch.isclose', { input });
  checkOperands('torch.isclose', { other });
  const { rtol, atol, equalNan } = ISCLOSE.parse(args);
  broadcastShapes([input.shape, shapeOf(other)], 'torch.isclose');
  return tf.tidy(() => {
    const [a0, b0] = promote(input, other);
    const a = tf.cast(a0, 'float32');
    const b = tf.cast(b0, 'float32');
    const close = tf.lessEqual(tf.abs(tf.sub(a, b)), tf.add(atol, tf.mul(rtol, tf.abs(b))));
    let out = tf.logicalOr(tf.equal(a, b), tf.logicalAnd(close, tf.logicalAnd(tf.isFinite(a), tf.isFinite(b))));
    if (equalNan) out = tf.logicalOr(out, tf.logicalAnd(tf.isNaN(a), tf.isNaN(b)));
    return out;
  });
}

/**
 * Whether every element is {@link isclose} (torch's
 * [`torch.allclose`](https://pytorch.org/docs/1.13/generated/torch.allclose.html)); reads the result synchronously.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `rtol`: relative tolerance. Default: `1e-5`.
 * - `atol`: absolute tolerance. Default: `1e-8`.
 * - `equalNan`: NaNs compare equal. Default: `false`.
 * @param input the tensor.
 * @param other the other.
 * @example
 * ```ts
 * if (torch.allclose(a, b)) console.log('same');
 * ```
 */
export function allclose(input: tf.Tensor, other: TensorOrScalar, ...args: ArgsOf<typeof ISCLOSE>): boolean {
  return tf.tidy(() => tf.all(isclose(input, other, ...args)).dataSync()[0] !== 0);
}

/**
 * Whether two tensors have the same shape and values (torch's
 * [`torch.equal`](https://pytorch.org/docs/1.13/generated/torch.equal.html)); reads synchronously.
 * @param input the tensor.
 * @param other the other.
 * @example
 * ```ts
 * torch.equal(a, b); // true or false
 * ```
 */
export function equal(input: tf.Tensor, other: tf.Tensor): boolean {
  checkTensors('torch.equal', { input, other });
  if (!tf.util.arraysEqual(input.shape, other.shape)) return false;
  return tf.tidy(() => {
    const [a, b] = promote(input, other);
    return tf.all(tf.equal(a, b)).dataSync()[0] !== 0;
  });
}

/**
 * -1, 0 or 1 by sign (torch's [`torch.sign`](https://pytorch.org/docs/1.13/generated/torch.sign.html)); the
 * gradient is zero.
 * @param input the tensor.
 * @param extra nothing: an extra argument (torch's `out=`) is an error, not ignored.
 * @example
 * ```ts
 * torch.sign(x);
 * ```
 */
export function sign(input: tf.Tensor, ...extra: unknown[]): tf.Tensor {
  checkTensors('torch.sign', { input });
  checkNoExtraArgs('torch.sign', ['input'], extra);
  if (input.dtype === 'bool') return tf.clone(input);
  return tf.sign(input);
}

/**
 * Rounds toward zero (torch's [`torch.trunc`](https://pytorch.org/docs/1.13/generated/torch.trunc.html)); the
 * gradient is zero.
 * @param input the tensor.
 * @param extra nothing: an extra argument (torch's `out=`) is an error, not ignored.
 * @example
 * ```ts
 * torch.trunc(x);
 * ```
 */
export function trunc(input: tf.Tensor, ...extra: unknown[]): tf.Tensor {
  checkTensors('torch.trunc', { input });
  checkNoExtraArgs('torch.trunc', ['input'], extra);
  if (input.dtype !== 'float32') return tf.clone(input);
  return tf.where(tf.less(input, 0), tf.ceil(input), tf.floor(input));
}

/**
 * The fractional part `x - trunc(x)`, with the sign of `x` (torch's
 * [`torch.frac`](https://pytorch.org/docs/1.13/generated/torch.frac.html)).
 * @param input a float32 tensor.
 * @param extra nothing: an extra argument (torch's `out=`) is an error, not ignored.
 * @example
 * ```ts
 * torch.frac(x);
 * ```
 */
export function frac(input: tf.Tensor, ...extra: unknown[]): tf.Tensor {
  checkTensors('torch.frac', { input });
  checkNoExtraArgs('torch.frac', ['input'], extra);
  if (input.dtype !== 'float32')
    throw new ArgumentTypeError(`torch.frac(): "frac_cpu" not implemented for '${input.dtype}'`);
  return tf.sub(input, trunc(input));
}

function division(input: TensorOrScalar, other: TensorOrScalar, where: string): [tf.Tensor, tf.Tensor, tf.DataType] {
  checkOperands(where, { input, other });
  if (!(input instanceof tf.Tensor || other instanceof tf.Tensor)) {
    throw new ArgumentTypeError(
      `${where}(): at least one of 'input' and 'other' must be a Tensor, got ${describeValue(input)} and ${describeValue(other)}`,
    );
  }
  broadcastShapes([shapeOf(input), shapeOf(other)], where);
  if (resultType(input, other) === 'bool') throw new ArgumentTypeError(`${where}(): not implemented for 'Bool'`);
  const [a, b, dtype] = promote(input, other);
  return [tf.cast(a, 'float32'), tf.cast(b, 'float32'), dtype];
}

/**
 * Python's modulo: the result has the divisor's sign (torch's
 * [`torch.remainder`](https://pytorch.org/docs/1.13/generated/torch.remainder.html)).
 * @param input dividend.
 * @param other divisor (tensor or number).
 * @example
 * ```ts
 * torch.remainder(x, 2);
 * ```
 */
export function remainder(input: TensorOrScalar, other: TensorOrScalar): tf.Tensor {
  const [a, b, dtype] = division(input, other, 'torch.remainder');
  const q = tf.floor(tf.div(a, b));
  const r = tf.sub(a, tf.mul(q, b));
  return dtype === 'int32' ? tf.cast(r, 'int32') : r;
}

/**
 * C's fmod: the result has the dividend's sign (torch's
 * [`torch.fmod`](https://pytorch.org/docs/1.13/generated/torch.fmod.html)).
 * @param input dividend.
 * @param other divisor (tensor or number).
 * @example
 * ```ts
 * torch.fmod(x, 2);
 * ```
 */
export function fmod(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  const [a, b, dtype] = division(input, other, 'torch.fmod');
  const q = trunc(tf.div(a, b));
  const r = tf.sub(a, tf.mul(q, b));
  return dtype === 'int32' ? tf.cast(r, 'int32') : r;
}

/**
 * `floor(input / other)` (torch 1.13's [`torch.floor_divide`](https://pytorch.org/docs/1.13/generated/torch.floor_divide.html),
 * which rounds down); int32 stays int32. The gradient is zero.
 * @param input dividend.
 * @param other divisor (tensor or number).
 * @example
 * ```ts
 * torch.floorDivide(idx, width);
 * ```
 */
export function floorDivide(input: tf.Tensor, other: TensorOrScalar): tf.Tensor {
  const [a, b, dtype] = division(input, other, 'torch.floor_divide');
  const q = tf.floor(tf.div(a, b));
  return dtype === 'int32' ? tf.cast(q, 'int32') : q;
}

const NAN_TO_NUM = signature('torch.nan_to_num', [
  ['nan', float().default(0)],
  ['posinf', float().optional()],
  ['neginf', float().optional()],
]);

/**
 * Replaces NaN with `nan`, +inf with `posinf`, -inf with `neginf` (default: float32's largest/lowest finite
 * values), as torch's [`torch.nan_to_num`](https://pytorch.org/docs/1.13/generated/torch.nan_to_num.html).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `nan`: replacement of NaN. Default: `0`.
 * - `posinf`: replacement of +inf. Default: float32's max.
 * - `neginf`: replacement of -inf. Default: float32's lowest.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.nanToNum(x, 0, 1e4, -1e4);
 * ```
 */
export function nanToNum(input: tf.Tensor, ...args: ArgsOf<typeof NAN_TO_NUM>): tf.Tensor {
  checkTensors('torch.nan_to_num', { input });
  const { nan, posinf, neginf } = NAN_TO_NUM.parse(args);
  if (input.dtype !== 'float32') return tf.clone(input);
  const big = 3.4028234663852886e38;
  const fill = (v: number) => tf.fill(input.shape, v);
  let y = tf.where(tf.isNaN(input), fill(nan), input);
  y = tf.where(tf.equal(input, Infinity), fill(posinf ?? big), y);
  return tf.where(tf.equal(input, -Infinity), fill(neginf ?? -big), y);
}
