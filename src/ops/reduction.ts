/**
 * torch's reductions by torch's names and meanings: `dim` (an int or a list; negative allowed) and `keepdim`,
 * `max`/`min` with a dim returning `[values, indices]`, `std`/`var` with `unbiased`/`correction`, `topk`,
 * `sort`, `cumsum`/`cumprod`, `median`, `kthvalue`, `mode`, `unique`, ... Gradients as torch's, ties included:
 * `max(x)`/`amax` share the gradient evenly among tied maxima, `max(x, dim)`/`sort`/`topk` pass it to the index
 * they return.
 *
 * Integer sums and counts are int32 (torch's int64).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, checkTensors, float, int, normalizeDim, signature } from '../args';
import { defineFunction } from '../autograd/function';
import { ArgumentTypeError, ValueError, formatShape } from '../errors';
import {
  dtypeArg,
  extreme,
  intOrInts,
  keep,
  maximumOf,
  minimumOf,
  pNorm,
  moveToLast,
  normalizeDims,
  restoreFromLast,
  takeAlong,
} from './common';

const SUM = signature('torch.sum', [
  ['dim', intOrInts().optional()],
  ['keepdim', bool().default(false)],
  ['dtype', dtypeArg().optional()],
]);

/**
 * Sum over `dim` (all dims by default), as torch's [`torch.sum`](https://pytorch.org/docs/1.13/generated/torch.sum.html);
 * bool and int32 inputs sum to int32.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list of ints. Default: all.
 * - `keepdim`: keep the reduced dims with size 1. Default: `false`.
 * - `dtype`: cast the input first. Default: `null`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.sum(x, 1, true); // [N, C] -> [N, 1]
 * ```
 */
export function sum(input: tf.Tensor, ...args: ArgsOf<typeof SUM>): tf.Tensor {
  checkTensors('torch.sum', { input });
  const { dim, keepdim, dtype } = SUM.parse(args);
  const x = dtype ? tf.cast(input, dtype) : input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
  const dims = normalizeDims(dim, input.rank, 'torch.sum');
  return keep(tf.sum(x, dims), input.shape, dims, keepdim);
}

/**
 * Mean over `dim` (all dims by default), as torch's
 * [`torch.mean`](https://pytorch.org/docs/1.13/generated/torch.mean.html); the input must be float32 (or
 * `dtype: 'float32'`).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list of ints. Default: all.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `dtype`: cast the input first. Default: `null`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.mean(x, [-2, -1]); // global average pooling
 * ```
 */
export function mean(input: tf.Tensor, ...args: ArgsOf<typeof SUM>): tf.Tensor {
  checkTensors('torch.mean', { input });
  const { dim, keepdim, dtype } = SUM.parse(args, 'torch.mean');
  const x = dtype ? tf.cast(input, dtype) : input;
  if (x.dtype !== 'float32') {
    throw new ArgumentTypeError(
      `torch.mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype === 'int32' ? 'Long (int32 here)' : 'Bool'}`,
    );
  }
  const dims = normalizeDims(dim, input.rank, 'torch.mean');
  // A mean over no elements is 0 / 0 = nan, as torch's (tfjs's cpu Mean gives 0 along a dim)
  const m = x.size === 0 ? tf.tidy(() => tf.div(tf.sum(x, dims), 0)) : tf.mean(x, dims);
  return keep(m, input.shape, dims, keepdim);
}

const PROD = signature('torch.prod', [
  ['dim', int().optional()],
  ['keepdim', bool().default(false)],
  ['dtype', dtypeArg().optional()],
]);

/**
 * Product over one `dim` (all elements by default), as torch's
 * [`torch.prod`](https://pytorch.org/docs/1.13/generated/torch.prod.html); exact gradients with zeros.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: all.
 * - `keepdim`: keep the reduced dim. Default: `false`.
 * - `dtype`: cast first. Default: `null`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.prod(x, 1);
 * ```
 */
export function prod(input: tf.Tensor, ...args: ArgsOf<typeof PROD>): tf.Tensor {
  checkTensors('torch.prod', { input });
  const { dim, keepdim, dtype } = PROD.parse(args);
  const x = dtype ? tf.cast(input, dtype) : input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
  const dims = normalizeDims(dim, input.rank, 'torch.prod');
  return keep(dims.length ? tf.prod(x, dims) : tf.clone(x), input.shape, dims, keepdim);
}

const VAR = signature('torch.var', [
  ['dim', intOrInts().optional()],
  ['unbiased', bool().default(true)],
  ['keepdim', bool().default(false)],
  ['correction', int({ min: 0 }).optional()],
]);

function variance(input: tf.Tensor, args: unknown[], where: string): [tf.Tensor, tf.Tensor, number[], boolean] {
  const { dim, unbiased, keepdim, correction } = VAR.parse(args, where);
  if (input.dtype !== 'float32')
    throw new ArgumentTypeError(`${where}(): only float32 tensors are supported, got ${input.dtype}`);
  const dims = normalizeDims(dim, input.rank, where);
  const n = dims.reduce((a, d) => a * input.shape[d], 1);
  const c = correction ?? (unbiased ? 1 : 0);
  const m = tf.mean(input, dims, true);
  const ss = tf.sum(tf.square(tf.sub(input, m)), dims, keepdim);
  return [tf.div(ss, Math.max(n - c, 0)), keepdim ? m : tf.reshape(m, ss.shape), dims, keepdim];
}

/**
 * Variance over `dim` with Bessel's correction by default (torch's
 * [`torch.var`](https://pytorch.org/docs/1.13/generated/torch.var.html)): `sum((x - mean)^2) / (N - correction)`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * - `unbiased`: `correction = 1` when true, 0 when false. Default: `true`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `correction`: overrides `unbiased`. Default: `null`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * torch.var(x, 0, false); // population variance
 * ```
 */
export function var_(input: tf.Tensor, ...args: ArgsOf<typeof VAR>): tf.Tensor {
  checkTensors('torch.var', { input });
  const [v, m] = variance(input, args, 'torch.var');
  m.dispose();
  return v;
}
export { var_ as var };

/**
 * Standard deviation over `dim` (torch's [`torch.std`](https://pytorch.org/docs/1.13/generated/torch.std.html)),
 * the square root of {@link var_}.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * - `unbiased`: Bessel's correction. Default: `true`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `correction`: overrides `unbiased`. Default: `null`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * torch.std(x, -1, { keepdim: true });
 * ```
 */
export function std(input: tf.Tensor, ...args: ArgsOf<typeof VAR>): tf.Tensor {
  checkTensors('torch.std', { input });
  const [v, m] = variance(input, args, 'torch.std');
  m.dispose();
  return tf.sqrt(v);
}

/**
 * `[var, mean]` in one call (torch's [`torch.var_mean`](https://pytorch.org/docs/1.13/generated/torch.var_mean.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * - `unbiased`: Bessel's correction. Default: `true`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `correction`: overrides `unbiased`. Default: `null`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * const [v, m] = torch.varMean(x, 0);
 * ```
 */
export function varMean(input: tf.Tensor, ...args: ArgsOf<typeof VAR>): [tf.Tensor, tf.Tensor] {
  checkTensors('torch.var_mean', { input });
  const [v, m] = variance(input, args, 'torch.var_mean');
  return [v, m];
}

/**
 * `[std, mean]` in one call (torch's [`torch.std_mean`](https://pytorch.org/docs/1.13/generated/torch.std_mean.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * - `unbiased`: Bessel's correction. Default: `true`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `correction`: overrides `unbiased`. Default: `null`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * const [s, m] = torch.stdMean(x, 0);
 * ```
 */
export function stdMean(input: tf.Tensor, ...args: ArgsOf<typeof VAR>): [tf.Tensor, tf.Tensor] {
  checkTensors('torch.std_mean', { input });
  const [v, m] = variance(input, args, 'torch.std_mean');
  return [tf.sqrt(v), m];
}

const AMAX = signature('torch.amax', [
  ['dim', intOrInts().default([])],
  ['keepdim', bool().default(false)],
]);

/**
 * The maximum over `dim` (all by default); ties share the gradient evenly (torch's
 * [`torch.amax`](https://pytorch.org/docs/1.13/generated/torch.amax.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list; `[]` means all. Default: `[]`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.amax(x, [-2, -1]);
 * ```
 */
export function amax(input: tf.Tensor, ...args: ArgsOf<typeof AMAX>): tf.Tensor {
  checkTensors('torch.amax', { input });
  const { dim, keepdim } = AMAX.parse(args);
  const list = typeof dim === 'number' ? [dim] : dim;
  return extreme(
    input,
    normalizeDims(list.length ? list : null, input.rank, 'torch.amax'),
    keepdim,
    true,
    'torch.amax',
  );
}

/**
 * The minimum over `dim` (all by default); ties share the gradient evenly (torch's
 * [`torch.amin`](https://pytorch.org/docs/1.13/generated/torch.amin.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list; `[]` means all. Default: `[]`.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.amin(x, 0);
 * ```
 */
export function amin(input: tf.Tensor, ...args: ArgsOf<typeof AMAX>): tf.Tensor {
  checkTensors('torch.amin', { input });
  const { dim, keepdim } = AMAX.parse(args, 'torch.amin');
  const list = typeof dim === 'number' ? [dim] : dim;
  return extreme(
    input,
    normalizeDims(list.length ? list : null, input.rank, 'torch.amin'),
    keepdim,
    false,
    'torch.amin',
  );
}

const ARGMAX = signature('torch.argmax', [
  ['dim', int().optional()],
  ['keepdim', bool().default(false)],
]);

function argExtreme(input: tf.Tensor, args: unknown[], isMax: boolean, where: string): tf.Tensor {
  const { dim, keepdim } = ARGMAX.parse(args, where);
  const x = input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
  if (dim == null) {
    if (input.size === 0)
      throw new ValueError(`${where}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = tf.reshape(x, [x.size]);
    const i = isMax ? tf.argMax(flat) : tf.argMin(flat);
    return keepdim
      ? tf.reshape(
          i,
          input.shape.map(() => 1),
        )
      : i;
  }
  const d = normalizeDim(dim, input.rank, where);
  if (input.rank === 0) return tf.scalar(0, 'int32');
  if (input.shape[d] === 0)
    throw new ValueError(
      `${where}(): Expected reduction dim ${d} to have non-zero size (shape ${formatShape(input.shape)})`,
    );
  const i = isMax ? tf.argMax(x, d) : tf.argMin(x, d);
  return keep(i, input.shape, [d], keepdim);
}

/**
 * Index of the maximum along `dim` (the first one on ties), or of the flattened tensor (torch's
 * [`torch.argmax`](https://pytorch.org/docs/1.13/generated/torch.argmax.html)); int32.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `null` (flattened).
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * const pred = torch.argmax(logits, 1, true); // logits.argmax(dim=1, keepdim=True)
 * ```
 */
export function argmax(input: tf.Tensor, ...args: ArgsOf<typeof ARGMAX>): tf.Tensor {
  checkTensors('torch.argmax', { input });
  return argExtreme(input, args, true, 'torch.argmax');
}

/**
 * Index of the minimum along `dim` (the first one on ties), or of the flattened tensor (torch's
 * [`torch.argmin`](https://pytorch.org/docs/1.13/generated/torch.argmin.html)); int32.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `null` (flattened).
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.argmin(dist, -1);
 * ```
 */
export function argmin(input: tf.Tensor, ...args: ArgsOf<typeof ARGMAX>): tf.Tensor {
  checkTensors('torch.argmin', { input });
  return argExtreme(input, args, false, 'torch.argmin');
}

function maxMin(input: tf.Tensor, args: unknown[], isMax: boolean, where: string): tf.Tensor | [tf.Tensor, tf.Tensor] {
  if (args.length === 0 || (args.length === 1 && args[0] == null)) {
    if (input.size === 0)
      throw new ValueError(
        `${where}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
      );
    return extreme(input, normalizeDims(null, input.rank, where), false, isMax, where);
  }
  if (args[0] instanceof tf.Tensor) {
    const other = args[0];
    return isMax ? maximumOf(input, other) : minimumOf(input, other);
  }
  const { dim, keepdim } = ARGMAX.parse(args, where);
  if (dim == null) throw new ArgumentTypeError(`${where}(): missing required argument 'dim'`);
  const d = normalizeDim(dim, input.rank, where);
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  const idx = argExtreme(input, [d, true], isMax, where);
  const values = takeAlong(input, d, idx);
  return keepdim ? [values, idx] : [tf.squeeze(values, [d]), tf.squeeze(idx, [d])];
}

/** Arguments of {@link max} and {@link min}: none, a dim (and keepdim), or another tensor. */
export type MaxArgs =
  | []
  | [dim: number, keepdim?: boolean]
  | [dim: number, options: KeepdimOption]
  | [options: DimOptions]
  | [other: tf.Tensor];

/** The `keepdim` option of a reduction. */
export interface KeepdimOption {
  /** Keep the reduced dim with size 1. Default: `false`. */
  keepdim?: boolean;
}

/** The `dim` and `keepdim` options of a reduction over one dim. */
export interface DimOptions extends KeepdimOption {
  /** The dim to reduce. */
  dim: number;
}

/**
 * torch's [`torch.max`](https://pytorch.org/docs/1.13/generated/torch.max.html): without `dim` the maximum
 * (ties share the gradient); with `dim`, `[values, indices]` (the gradient goes to the returned index); with a
 * tensor, the elementwise {@link maximum}.
 * @param input the tensor.
 * @param args nothing, `dim` (and `keepdim`), or `other`.
 * @example
 * ```ts
 * const [values, indices] = torch.max(x, 1) as [tf.Tensor, tf.Tensor];
 * ```
 */
export function max(input: tf.Tensor, ...args: MaxArgs): tf.Tensor | [tf.Tensor, tf.Tensor] {
  checkTensors('torch.max', { input });
  return maxMin(input, args, true, 'torch.max');
}

/**
 * torch's [`torch.min`](https://pytorch.org/docs/1.13/generated/torch.min.html): without `dim` the minimum;
 * with `dim`, `[values, indices]`; with a tensor, the elementwise {@link minimum}.
 * @param input the tensor.
 * @param args nothing, `dim` (and `keepdim`), or `other`.
 * @example
 * ```ts
 * const [values, indices] = torch.min(x, -1) as [tf.Tensor, tf.Tensor];
 * ```
 */
export function min(input: tf.Tensor, ...args: MaxArgs): tf.Tensor | [tf.Tensor, tf.Tensor] {
  checkTensors('torch.min', { input });
  return maxMin(input, args, false, 'torch.min');
}

const LOGSUMEXP = signature('torch.logsumexp', [
  ['dim', intOrInts()],
  ['keepdim', bool().default(false)],
]);

/**
 * `log(sum(exp(x)))` over `dim`, computed stably (torch's
 * [`torch.logsumexp`](https://pytorch.org/docs/1.13/generated/torch.logsumexp.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * @param input a float32 tensor.
 * @example
 * ```ts
 * torch.logsumexp(logits, 1);
 * ```
 */
export function logsumexp(input: tf.Tensor, ...args: ArgsOf<typeof LOGSUMEXP>): tf.Tensor {
  checkTensors('torch.logsumexp', { input });
  const { dim, keepdim } = LOGSUMEXP.parse(args);
  const dims = normalizeDims(dim, input.rank, 'torch.logsumexp');
  const x = input.dtype === 'float32' ? input : tf.cast(input, 'float32');
  if (dims.length === 0) return tf.clone(x);
  return keep(tf.logSumExp(x, dims), input.shape, dims, keepdim);
}

const CUM = signature('torch.cumsum', [
  ['dim', int()],
  ['dtype', dtypeArg().optional()],
]);

/**
 * Cumulative sum along `dim` (torch's [`torch.cumsum`](https://pytorch.org/docs/1.13/generated/torch.cumsum.html));
 * bool/int32 inputs give int32.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `dtype`: cast first. Default: `null`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.cumsum(x, -1);
 * ```
 */
export function cumsum(input: tf.Tensor, ...args: ArgsOf<typeof CUM>): tf.Tensor {
  checkTensors('torch.cumsum', { input });
  const { dim, dtype } = CUM.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.cumsum');
  const x = dtype ? tf.cast(input, dtype) : input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
  if (input.rank === 0) return tf.clone(x);
  return tf.cumsum(x, d);
}

/** Gradient of a cumulative product along the last axis: exact with zeros (computed on the host then). */
const Cumprod = defineFunction({
  name: 'Cumprod',
  forward(ctx, x: tf.Tensor) {
    const y = tf.cumprod(x, x.rank - 1);
    ctx.saveForBackward(x, y);
    return y;
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, y] = ctx.savedTensors;
    const hasZero = tf.tidy(() => tf.any(tf.equal(x, 0)).dataSync()[0] !== 0);
    if (!hasZero) {
      // dx_i = sum_{j >= i} dy_j * y_j / x_i
      return [tf.div(tf.cumsum(tf.mul(dy, y), x.rank - 1, false, true), x)];
    }
    const n = x.shape[x.rank - 1];
    const xs = x.dataSync();
    const gs = dy.dataSync();
    const out = new Float32Array(x.size);
    for (let base = 0; base < x.size; base += n) {
      for (let i = 0; i < n; i++) {
        let acc = 0;
        let before = 1;
        for (let k = 0; k < i; k++) before *= xs[base + k];
        let after = 1;
        for (let j = i; j < n; j++) {
          if (j > i) after *= xs[base + j];
          acc += gs[base + j] * after;
        }
        out[base + i] = before * acc;
      }
    }
    return [tf.tensor(out, x.shape)];
  },
});

/**
 * Cumulative product along `dim` (torch's
 * [`torch.cumprod`](https://pytorch.org/docs/1.13/generated/torch.cumprod.html)); differentiable (tfjs's Cumprod
 * kernel has no gradient), exact with zeros.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `dtype`: cast first. Default: `null`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.cumprod(x, 1);
 * ```
 */
export function cumprod(input: tf.Tensor, ...args: ArgsOf<typeof CUM>): tf.Tensor {
  checkTensors('torch.cumprod', { input });
  const { dim, dtype } = CUM.parse(args, 'torch.cumprod');
  const d = normalizeDim(dim, input.rank, 'torch.cumprod');
  const x = dtype ? tf.cast(input, dtype) : input.dtype === 'bool' ? tf.cast(input, 'int32') : input;
  if (input.rank === 0) return tf.clone(x);
  if (x.dtype !== 'float32') return tf.cumprod(x, d);
  const [moved, inv] = moveToLast(x, d);
  return restoreFromLast(Cumprod(moved), inv);
}

const ALL = signature('torch.all', [
  ['dim', int().optional()],
  ['keepdim', bool().default(false)],
]);

function logical(input: tf.Tensor, args: unknown[], isAll: boolean, where: string): tf.Tensor {
  const { dim, keepdim } = ALL.parse(args, where);
  const x = input.dtype === 'bool' ? input : tf.notEqual(input, 0);
  const dims = normalizeDims(dim, input.rank, where);
  if (dims.length === 0) return tf.clone(x);
  return keep(isAll ? tf.all(x, dims) : tf.any(x, dims), input.shape, dims, keepdim);
}

/**
 * Whether all elements (along `dim`) are true / non-zero (torch's
 * [`torch.all`](https://pytorch.org/docs/1.13/generated/torch.all.html)); bool.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: all.
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.all(x.greater(0), 1);
 * ```
 */
export function all(input: tf.Tensor, ...args: ArgsOf<typeof ALL>): tf.Tensor {
  checkTensors('torch.all', { input });
  return logical(input, args, true, 'torch.all');
}

/**
 * Whether any element (along `dim`) is true / non-zero (torch's
 * [`torch.any`](https://pytorch.org/docs/1.13/generated/torch.any.html)); bool.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: all.
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.any(torch.isnan(x));
 * ```
 */
export function any(input: tf.Tensor, ...args: ArgsOf<typeof ALL>): tf.Tensor {
  checkTensors('torch.any', { input });
  return logical(input, args, false, 'torch.any');
}

const COUNT = signature('torch.count_nonzero', [['dim', intOrInts().optional()]]);

/**
 * Number of non-zero elements over `dim` (torch's
 * [`torch.count_nonzero`](https://pytorch.org/docs/1.13/generated/torch.count_nonzero.html)); int32.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.countNonzero(x, 0);
 * ```
 */
export function countNonzero(input: tf.Tensor, ...args: ArgsOf<typeof COUNT>): tf.Tensor {
  checkTensors('torch.count_nonzero', { input });
  const { dim } = COUNT.parse(args);
  const dims = normalizeDims(dim, input.rank, 'torch.count_nonzero');
  return tf.sum(tf.cast(tf.notEqual(input, 0), 'int32'), dims);
}

const VNORM = signature('torch.linalg.vector_norm', [
  ['ord', float({ allowInfinity: true }).default(2)],
  ['dim', intOrInts().optional()],
  ['keepdim', bool().default(false)],
  ['dtype', dtypeArg().optional()],
]);

/**
 * The vector p-norm over `dim` (all elements by default), as torch's
 * [`torch.linalg.vector_norm`](https://pytorch.org/docs/1.13/generated/torch.linalg.vector_norm.html):
 * `ord` any number, `Infinity`, `-Infinity` or 0.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `ord`: the order. Default: `2`.
 * - `dim`: an int or a list. Default: all.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `dtype`: cast first. Default: `null`.
 * @param x a float32 tensor.
 * @example
 * ```ts
 * torch.linalg.vectorNorm(g.view(n, -1), 2, 1);
 * ```
 */
export function vectorNorm(x: tf.Tensor, ...args: ArgsOf<typeof VNORM>): tf.Tensor {
  checkTensors('torch.linalg.vector_norm', { x });
  const { ord, dim, keepdim, dtype } = VNORM.parse(args);
  const t = dtype ? tf.cast(x, dtype) : x;
  if (t.dtype !== 'float32')
    throw new ArgumentTypeError(
      `torch.linalg.vector_norm(): Expected a floating point tensor as input, got ${t.dtype}`,
    );
  return pNorm(t, ord, normalizeDims(dim, x.rank, 'torch.linalg.vector_norm'), keepdim);
}

const NORM = signature('torch.norm', [
  ['p', float({ allowInfinity: true }).default(2)],
  ['dim', intOrInts().optional()],
  ['keepdim', bool().default(false)],
  ['dtype', dtypeArg().optional()],
]);

/**
 * torch's [`torch.norm`](https://pytorch.org/docs/1.13/generated/torch.norm.html): the vector p-norm over `dim`
 * (all elements by default); `p` may be `'fro'` (2 over the given dims) or a number.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: an int or a list. Default: all.
 * - `keepdim`: keep the reduced dims. Default: `false`.
 * - `dtype`: cast first. Default: `null`.
 * @param input a float32 tensor.
 * @param p the order, or `'fro'`. Default: `'fro'`.
 * @example
 * ```ts
 * torch.norm(x, 2, 1);
 * ```
 */
export function norm(
  input: tf.Tensor,
  p: number | 'fro' = 'fro',
  ...args:
    | []
    | [dim?: number | number[] | null, keepdim?: boolean]
    | [options: { dim?: number | number[] | null; keepdim?: boolean; dtype?: string }]
): tf.Tensor {
  checkTensors('torch.norm', { input });
  if ((p as string) === 'nuc')
    throw new ValueError("torch.norm(): p='nuc' (nuclear norm) is not supported by tfjs-torch");
  const { p: order, dim, keepdim, dtype } = NORM.parse([p === 'fro' ? 2 : p, ...args] as unknown[]);
  const t = dtype ? tf.cast(input, dtype) : input;
  if (t.dtype !== 'float32')
    throw new ArgumentTypeError(`torch.norm(): Expected a floating point tensor as input, got ${t.dtype}`);
  return pNorm(t, order, normalizeDims(dim, input.rank, 'torch.norm'), keepdim);
}
