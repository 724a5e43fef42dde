/**
 * Helpers the torch-named tensor functions (`src/ops/*`) share: torch's type promotion for float32/int32/bool,
 * broadcasting checks with torch's error text, dims given as an int or a list, and `Arg`s for tensors and
 * lists of tensors.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, describeValue, normalizeDim } from '../args';
import { defineFunction } from '../autograd/function';
import { noGrad } from '../autograd/tape';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';

/** A tensor or a Python number/bool, as torch's binary ops take them. */
export type TensorOrScalar = tf.Tensor | number | boolean;

/** torch's dtype names the library accepts (int64 arrives as int32). */
export type ScalarType = 'float32' | 'int32' | 'bool';

const RANK: Record<string, number> = { bool: 0, int32: 1, float32: 2 };

/**
 * The result dtype of a binary op, as torch promotes float32/int32/bool: a tensor's dtype wins over a Python
 * scalar's of the same kind or lower; a float scalar makes an integer tensor float32.
 * @param a an operand.
 * @param b the other.
 */
export function resultType(a: TensorOrScalar, b: TensorOrScalar): tf.DataType {
  const kind = (v: TensorOrScalar): [number, boolean] => {
    if (v instanceof tf.Tensor) return [RANK[v.dtype] ?? 2, true];
    if (typeof v === 'boolean') return [0, false];
    return [Number.isInteger(v) ? 1 : 2, false];
  };
  const [ka, ta] = kind(a);
  const [kb, tb] = kind(b);
  let k: number;
  if (ta === tb) k = Math.max(ka, kb);
  else {
    const [kt, ks] = ta ? [ka, kb] : [kb, ka];
    k = Math.max(ks, kt);
  }
  return (['bool', 'int32', 'float32'] as const)[k];
}

/**
 * A tensor of dtype `dtype` from a tensor or scalar (a cast tensor is a new one; a tensor of the right dtype is
 * returned as is).
 * @param v the value.
 * @param dtype the dtype.
 */
export function asTensor(v: TensorOrScalar, dtype: tf.DataType): tf.Tensor {
  if (v instanceof tf.Tensor) return v.dtype === dtype ? v : tf.cast(v, dtype);
  return tf.scalar(typeof v === 'boolean' ? Number(v) : v, dtype);
}

/**
 * Checks a torch op's operands at its entry, before anything is allocated: each must be a live tensor or a
 * number/bool (torch's `Union[Tensor, Number]`), else a `TypeError` naming the function and argument.
 * @param where the function (`torch.fmod`).
 * @param named the operands by argument name.
 */
export function checkOperands(where: string, named: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(named)) tensorOrScalarArg().check(v, { where, name });
}

/** The shape of an operand (a number/bool is a scalar: `[]`). */
export function shapeOf(v: TensorOrScalar): number[] {
  return v instanceof tf.Tensor ? v.shape : [];
}

/** Both operands as tensors of their promoted dtype. */
export function promote(a: TensorOrScalar, b: TensorOrScalar): [tf.Tensor, tf.Tensor, tf.DataType] {
  const dt = resultType(a, b);
  return [asTensor(a, dt), asTensor(b, dt), dt];
}

/**
 * The broadcast shape of several shapes, or torch's error: `The size of tensor a (3) must match the size of
 * tensor b (4) at non-singleton dimension 1`.
 * @param shapes the shapes.
 * @param where the function, for the message.
 */
export function broadcastShapes(shapes: ReadonlyArray<readonly number[]>, where: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] === 1) out[j] = s[i];
      else {
        throw new ShapeError(
          `${where}: The size of tensor a (${out[j]}) must match the size of tensor b (${s[i]}) at non-singleton ` +
            `dimension ${i} (shapes ${shapes.map((x) => formatShape(x)).join(', ')} do not broadcast)`,
        );
      }
    }
  }
  return out;
}

/**
 * Broadcasts a tensor to `shape` (a no-op when it already has it); differentiable (the gradient sums back).
 * @param x the tensor.
 * @param shape the target shape.
 */
export function broadcastTo(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (tf.util.arraysEqual(x.shape, shape as number[])) return x;
  const r = x.rank < shape.length ? tf.reshape(x, [...Array(shape.length - x.rank).fill(1), ...x.shape]) : x;
  return r.dtype === 'float32' ? Expand(r, [...shape]) : tf.broadcastTo(r, shape as number[]);
}

/**
 * Broadcast of a same-rank tensor: tfjs's broadcastTo runs the Tile kernel, whose gradient stops at rank 4; this
 * one's gradient sums the broadcast dims at any rank.
 */
const Expand = defineFunction({
  name: 'Expand',
  forward(ctx, x: tf.Tensor, shape: number[]) {
    ctx.inShape = x.shape;
    return tf.broadcastTo(x, shape);
  },
  backward(ctx, dy: tf.Tensor) {
    const inShape = ctx.inShape as number[];
    const axes = inShape.flatMap((s, i) => (s === 1 && dy.shape[i] !== 1 ? [i] : []));
    return [axes.length ? tf.reshape(tf.sum(dy, axes), inShape) : dy, null];
  },
});

/**
 * Dims given as one int, a list of ints, or `null` (all), normalised and sorted, without repeats.
 * @param dim what came.
 * @param rank the tensor's rank.
 * @param where the function, for errors.
 */
export function normalizeDims(
  dim: number | readonly number[] | null | undefined,
  rank: number,
  where: string,
): number[] {
  if (dim == null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normalizeDim(d, rank, where));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new ValueError(`${where}(): dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return rank === 0 ? [] : out.sort((a, b) => a - b);
}

/** An `Arg` for a live tensor of any dtype. */
export function tensorArg(): Arg<tf.Tensor> {
  return new Arg('a tensor', (v, ctx) => {
    if (!(v instanceof tf.Tensor))
      throw new ArgumentTypeError(`${ctx.where}(): argument '${ctx.name}' must be a Tensor, got ${describeValue(v)}`);
    if (v.isDisposed) throw new ValueError(`${ctx.where}(): argument '${ctx.name}' is a tensor that was disposed`);
    return v;
  });
}

/** An `Arg` for a tensor or a Python number/bool (torch's `Union[Tensor, Number]`). */
export function tensorOrScalarArg(): Arg<TensorOrScalar> {
  return new Arg('a tensor or a number', (v, ctx) => {
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    return tensorArg().check(v, ctx);
  });
}

/** An `Arg` for a non-empty list of live tensors (torch's `Sequence[Tensor]`). */
export function tensorListArg(): Arg<tf.Tensor[]> {
  return new Arg('a list of tensors', (v, ctx) => {
    if (!Array.isArray(v)) {
      throw new ArgumentTypeError(
        `${ctx.where}(): argument '${ctx.name}' must be a list of Tensors, got ${describeValue(v)}`,
      );
    }
    return v.map((x, i) => tensorArg().check(x, { ...ctx, name: `${ctx.name}[${i}]` }));
  });
}

/** An `Arg` for an int or a list of ints (torch's `Union[int, Sequence[int]]`), parsed to a list or one int. */
export function intOrInts(): Arg<number | number[]> {
  return new Arg('an int or a list of ints', (v, ctx) => {
    const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x);
    if (ok(v)) return v as number;
    if (Array.isArray(v) && v.every(ok)) return [...(v as number[])];
    throw new ArgumentTypeError(
      `${ctx.where}(): argument '${ctx.name}' must be an int or a list of ints, got ${describeValue(v)}`,
    );
  });
}

/** An `Arg` for a dtype name (`'float32'`, `'int32'`, `'bool'`; torch's `int64` is accepted as int32). */
export function dtypeArg(): Arg<ScalarType> {
  return new Arg("'float32', 'int32' or 'bool'", (v, ctx) => {
    if (v === 'float32' || v === 'int32' || v === 'bool') return v;
    if (v === 'int64' || v === 'long') return 'int32';
    if (v === 'float' || v === 'float16') return 'float32';
    if (v === 'float64' || v === 'double') {
      throw new ArgumentTypeError(
        `${ctx.where}(): dtype ${String(v)} is not supported: tfjs has no float64; use 'float32'`,
      );
    }
    throw new ArgumentTypeError(
      `${ctx.where}(): argument '${ctx.name}' must be 'float32', 'int32' or 'bool', got ${describeValue(v)}`,
    );
  });
}

/** Product of a shape's sizes. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** Moves dim `d` of `x` to the last position (a permutation; returns it and its inverse). */
export function moveToLast(x: tf.Tensor, d: number): [tf.Tensor, number[]] {
  if (d === x.rank - 1) return [x, []];
  const perm = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== d);
  perm.push(d);
  const inv = Array<number>(x.rank);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return [tf.transpose(x, perm), inv];
}

/** Undoes {@link moveToLast}. */
export function restoreFromLast(x: tf.Tensor, inv: number[]): tf.Tensor {
  return inv.length ? tf.transpose(x, inv) : x;
}

/**
 * `out[..., j, ...] = x[..., index[..., j, ...], ...]` along `d` for an int32 `index` of `x`'s rank whose other
 * sizes equal `x`'s (torch's `gather` without checks, for indices the library computed itself). Differentiable
 * in `x` (repeated indices add their gradients).
 * @param x the tensor.
 * @param d the dim (non-negative).
 * @param index int32 indices in range.
 */
export function takeAlong(x: tf.Tensor, d: number, index: tf.Tensor): tf.Tensor {
  if (x.rank === 0) return tf.reshape(x, index.shape);
  const strides = stridesOf(x.shape);
  const pos = tf.tidy(() => {
    let p: tf.Tensor = tf.mul(index, tf.scalar(strides[d], 'int32'));
    for (let k = 0; k < x.rank; k++) {
      if (k === d || index.shape[k] === 1) continue;
      const r = tf.reshape(
        tf.mul(tf.range(0, index.shape[k], 1, 'int32'), tf.scalar(strides[k], 'int32')),
        index.shape.map((s, j) => (j === k ? s : 1)),
      );
      p = tf.add(p, r);
    }
    return tf.reshape(p, [index.size]);
  });
  return tf.reshape(tf.gather(tf.reshape(x, [x.size]), pos), index.shape);
}

/**
 * Splits `x` along `d` into pieces of the given sizes (which sum to its size).
 * @param x the tensor.
 * @param sizes the sizes.
 * @param d the dim (non-negative).
 */
export function splitSizes(x: tf.Tensor, sizes: number[], d: number): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    const begin = x.shape.map((_, i) => (i === d ? start : 0));
    const size = x.shape.map((n, i) => (i === d ? s : n));
    out.push(tf.slice(x, begin, size));
    start += s;
  }
  return out;
}

/** Reshapes a reduction's result back to the input's rank (size-1 reduced dims) when `keepdim`. */
export function keep(y: tf.Tensor, shape: readonly number[], dims: number[], keepdim: boolean): tf.Tensor {
  if (!keepdim) return y;
  return tf.reshape(
    y,
    shape.map((s, i) => (dims.includes(i) ? 1 : s)),
  );
}

/** max/min over dims, the gradient shared evenly among tied extremes (torch's amax/amin and full max/min). */
export function extreme(input: tf.Tensor, dims: number[], keepdim: boolean, isMax: boolean, where: string): tf.Tensor {
  if (input.size === 0 && dims.some((d) => input.shape[d] === 0)) {
    throw new ValueError(
      `${where}(): Expected reduction dim to be specified for input.numel() == 0, or the reduced dims to be non-empty (shape ${formatShape(input.shape)})`,
    );
  }
  if (dims.length === 0) return tf.clone(input);
  if (input.dtype !== 'float32') {
    const x = input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
    const y = keep(isMax ? tf.max(x, dims) : tf.min(x, dims), input.shape, dims, keepdim);
    return input.dtype === 'bool' ? tf.cast(y, 'bool') : y;
  }
  const m = noGrad(() => (isMax ? tf.max(input, dims, true) : tf.min(input, dims, true)));
  const mask = tf.equal(input, m);
  const count = tf.sum(tf.cast(mask, 'float32'), dims, keepdim);
  const picked = tf.sum(tf.where(mask, input, tf.zerosLike(input)), dims, keepdim);
  // Equal values summed and divided by their count: exact for the value, torch's even split for the gradient.
  return tf.where(tf.equal(count, 1), picked, tf.div(picked, count));
}

/** torch's `maximum` with ties splitting the gradient in half. */
export function maximumOf(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tieSplit(a, b, true);
}

/** torch's `minimum` with ties splitting the gradient in half. */
export function minimumOf(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tieSplit(a, b, false);
}

function tieSplit(a0: tf.Tensor, b0: tf.Tensor, isMax: boolean): tf.Tensor {
  const dtype =
    a0.dtype === 'float32' || b0.dtype === 'float32'
      ? 'float32'
      : a0.dtype === 'int32' || b0.dtype === 'int32'
        ? 'int32'
        : 'bool';
  const a = a0.dtype === dtype ? a0 : tf.cast(a0, dtype);
  const b = b0.dtype === dtype ? b0 : tf.cast(b0, dtype);
  if (dtype !== 'float32') return isMax ? tf.maximum(a, b) : tf.minimum(a, b);
  const first = isMax ? tf.greater(a, b) : tf.less(a, b);
  const second = isMax ? tf.less(a, b) : tf.greater(a, b);
  const half = tf.mul(tf.add(a, b), 0.5);
  return tf.where(first, a, tf.where(second, b, tf.where(tf.isNaN(a), a, tf.where(tf.isNaN(b), b, half))));
}

/** The p-norm over dims, with torch's gradient (0 where the norm is 0). */
export function pNorm(x: tf.Tensor, p: number, dims: number[], keepdim: boolean): tf.Tensor {
  const a = tf.abs(x);
  if (dims.length === 0) return a;
  if (p === Infinity) return extreme(a, dims, keepdim, true, 'norm');
  if (p === -Infinity) return extreme(a, dims, keepdim, false, 'norm');
  if (p === 0) return tf.sum(tf.cast(tf.notEqual(x, 0), 'float32'), dims, keepdim);
  if (p === 1) return tf.sum(a, dims, keepdim);
  if (p === 2) {
    const ss = tf.sum(tf.square(x), dims, keepdim);
    // sqrt with a zero-safe gradient: torch's norm backward is 0 where the norm is 0.
    const zero = tf.equal(ss, 0);
    const safe = tf.where(zero, tf.onesLike(ss), ss);
    return tf.where(zero, tf.zerosLike(ss), tf.sqrt(safe));
  }
  const s = tf.sum(tf.pow(a, p), dims, keepdim);
  const zero = tf.equal(s, 0);
  return tf.where(zero, tf.zerosLike(s), tf.pow(tf.where(zero, tf.onesLike(s), s), 1 / p));
}
