/**
 * torch's indexed writes by torch's names and meanings: `scatter`, `scatterAdd` and `scatterReduce` along a dim,
 * `indexPut` (`x[indices] = v`) and {@link sliceAssign} (`x[...] = v`), each returning a new tensor (torch's
 * in-place `scatter_` and `index_put_` have no tfjs counterpart). Differentiable as torch's backward, repeated
 * indices included; `scatterReduce`'s `'prod'`, `'amax'` and `'amin'` have torch's gradients (ties share it
 * evenly, zeros in a product handled as torch does).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, int, normalizeDim, oneOf, signature } from '../args';
import { defineFunction } from '../autograd/function';
import { ArgumentTypeError, ShapeError, formatShape } from '../errors';
import {
  type TensorOrScalar,
  asTensor,
  broadcastShapes,
  numelOf,
  tensorArg,
  tensorListArg,
  tensorOrScalarArg,
} from './common';
import { type IndexItem, index } from './indexing';
import { checkIndexTensor, checkTensor, checkTensorOrScalar, positionsAlong, putFlat } from './positions';

/** Refuses a `src` smaller than `index` or of another rank, and a tensor `src` of another dtype than `input`. */
function checkSource(src: TensorOrScalar, index: tf.Tensor, input: tf.Tensor, where: string): void {
  if (!(src instanceof tf.Tensor)) return;
  if (src.rank !== index.rank || src.shape.some((s, k) => index.shape[k] > s)) {
    throw new ShapeError(
      `${where}(): Expected index ${formatShape(index.shape)} to be smaller than src ${formatShape(src.shape)} in every dimension, with the same number of dimensions`,
    );
  }
  if (src.dtype !== input.dtype) {
    throw new ArgumentTypeError(
      `scatter(): Expected self.dtype to be equal to src.dtype (self is ${input.dtype}, src is ${src.dtype})`,
    );
  }
}

/** `src` cut to `index`'s shape (torch reads only that corner), or the number as a tensor. */
function sourceValues(src: TensorOrScalar, index: tf.Tensor, dtype: tf.DataType): tf.Tensor {
  if (!(src instanceof tf.Tensor)) return asTensor(src, dtype);
  if (tf.util.arraysEqual(src.shape, index.shape)) return src;
  return tf.slice(
    src,
    src.shape.map(() => 0),
    index.shape,
  );
}

const SCATTER = signature('torch.scatter', [
  ['dim', int()],
  ['index', tensorArg()],
  ['src', tensorOrScalarArg()],
  ['reduce', oneOf(['add', 'multiply']).optional()],
]);

/**
 * A copy of `input` with `src` written at `index` along `dim` (torch's
 * [`torch.scatter`](https://pytorch.org/docs/1.13/generated/torch.scatter.html)): `out[i][index[i][j]] = src[i][j]`
 * for `dim = 1`; `src` may be a number (torch's `value`). With repeated indices the last write wins (as torch's CPU
 * kernel; torch leaves it unspecified), and every `src` entry still gets its gradient, as torch's backward gives it.
 * `reduce: 'add'` is {@link scatterAdd}; `'multiply'` multiplies.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: int32 indices, same rank as `input`.
 * - `src`: the values (a tensor of `input`'s dtype, at least as large as `index`) or one number.
 * - `reduce`: `'add'` or `'multiply'`. Default: `null` (assign).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatter(torch.zeros(2, 5), 1, idx, 1); // one-hot rows
 * ```
 */
export function scatter(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER>): tf.Tensor {
  const where = 'torch.scatter';
  checkTensor(input, where);
  const { dim, index, src, reduce } = SCATTER.parse(args);
  checkIndexTensor(index, where);
  const d = normalizeDim(dim, input.rank, where);
  checkSource(src, index, input, where);
  return tf.tidy(() => {
    const pos = positionsAlong(index, input.shape, d, where);
    const values = sourceValues(src, index, input.dtype);
    if (reduce === 'multiply') {
      // Repeated indices multiply their values (computed on the host; not differentiable in src).
      const p = pos.dataSync() as Int32Array;
      const vals = values.dataSync();
      const prod = new Float32Array(input.size).fill(1);
      p.forEach((q, k) => {
        prod[q] *= vals[values.size === 1 ? 0 : k];
      });
      return tf.mul(input, tf.tensor(prod, input.shape, input.dtype));
    }
    return putFlat(input, pos, values, reduce === 'add');
  });
}

const SCATTER_ADD = signature('torch.scatter_add', [
  ['dim', int()],
  ['index', tensorArg()],
  ['src', tensorArg()],
]);

/**
 * A copy of `input` with `src` added at `index` along `dim`; repeated indices accumulate (torch's
 * [`torch.scatter_add`](https://pytorch.org/docs/1.13/generated/torch.scatter_add.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: int32 indices, same rank as `input`.
 * - `src`: the values, of `input`'s dtype, at least as large as `index`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatterAdd(torch.zeros(3), 0, labels, torch.onesLike(labels)); // counts
 * ```
 */
export function scatterAdd(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER_ADD>): tf.Tensor {
  checkTensor(input, 'torch.scatter_add');
  const { dim, index, src } = SCATTER_ADD.parse(args);
  return scatter(input, dim, index, src, 'add');
}

type Extreme = 'prod' | 'amax' | 'amin';

/** `self` with `src[k]` reduced into position `pos[k]` (`includeSelf`: `self`'s value takes part), on the host. */
function reduceAt(
  self: ArrayLike<number>,
  src: ArrayLike<number>,
  pos: Int32Array,
  reduce: Extreme,
  includeSelf: boolean,
): Float64Array {
  const out = Float64Array.from(self);
  const started = new Uint8Array(out.length).fill(includeSelf ? 1 : 0);
  pos.forEach((q, k) => {
    const v = src[k];
    if (!started[q]) {
      out[q] = v;
      started[q] = 1;
    } else if (reduce === 'prod') out[q] *= v;
    else if (Number.isNaN(v) || Number.isNaN(out[q])) out[q] = Number.NaN;
    else out[q] = reduce === 'amax' ? Math.max(out[q], v) : Math.min(out[q], v);
  });
  return out;
}

/**
 * torch's `scatter_reduce` with `'prod'`, `'amax'` or `'amin'` over flat positions, computed on the host, with
 * torch 1.13's backward (`scatter_reduce_backward`): for `amax`/`amin` the gradient is shared evenly among the
 * entries equal to the result (`self` counted as one of them even when `includeSelf` is false); for `prod` an
 * entry's gradient is the product of the others (a lone zero gets the product of the rest, not 0/0).
 */
const ScatterExtreme = defineFunction({
  name: 'ScatterReduce',
  forward(ctx, self: tf.Tensor, src: tf.Tensor, pos: tf.Tensor, reduce: Extreme, includeSelf: boolean) {
    ctx.reduce = reduce;
    ctx.includeSelf = includeSelf;
    ctx.saveForBackward(self, src, pos);
    const out = reduceAt(self.dataSync(), src.dataSync(), pos.dataSync() as Int32Array, reduce, includeSelf);
    return tf.tensor(self.dtype === 'int32' ? Int32Array.from(out) : Float32Array.from(out), self.shape, self.dtype);
  },
  backward(ctx, dy: tf.Tensor) {
    const [self, src, pos] = ctx.savedTensors;
    const reduce = ctx.reduce as Extreme;
    const includeSelf = ctx.includeSelf as boolean;
    const p = pos.dataSync() as Int32Array;
    const s = Float64Array.from(self.dataSync());
    const v = Float64Array.from(src.dataSync());
    const result = reduceAt(s, v, p, reduce, includeSelf);
    const coefSelf = new Float32Array(s.length);
    const coefSrc = new Float32Array(v.length);
    if (reduce === 'prod') {
      const maskedSelf = s.map((x) => (x === 0 ? 1 : x));
      const maskedSelfResult = reduceAt(maskedSelf, v, p, reduce, includeSelf);
      maskedSelf.forEach((x, i) => {
        coefSelf[i] = maskedSelfResult[i] / x;
      });
      const zeros = new Int32Array(s.length);
      p.forEach((q, k) => {
        if (v[k] === 0) zeros[q]++;
      });
      const single = p.map((q, k) => (v[k] === 0 && zeros[q] === 1 ? 1 : 0));
      const maskedSrcResult = reduceAt(
        s,
        v.map((x, k) => (single[k] ? 1 : x)),
        p,
        reduce,
        includeSelf,
      );
      p.forEach((q, k) => {
        coefSrc[k] = single[k] ? maskedSrcResult[q] : result[q] / (v[k] === 0 ? 1 : v[k]);
      });
    } else {
      const count = s.map((x, i) => (x === result[i] ? 1 : 0));
      p.forEach((q, k) => {
        if (v[k] === result[q]) count[q]++;
      });
      s.forEach((x, i) => {
        coefSelf[i] = (x === result[i] ? 1 : 0) / count[i];
      });
      p.forEach((q, k) => {
        coefSrc[k] = (v[k] === result[q] ? 1 : 0) / count[q];
      });
    }
    // Without self, the written positions' own values get nothing (torch: grad_self.scatter(dim, index, 0)).
    if (!includeSelf)
      p.forEach((q) => {
        coefSelf[q] = 0;
      });
    const g = tf.reshape(dy, [dy.size]);
    return [
      ctx.needsInputGrad[0] ? tf.reshape(tf.mul(g, tf.tensor(coefSelf, [s.length])), self.shape) : null,
      ctx.needsInputGrad[1]
        ? tf.reshape(tf.mul(tf.gather(g, tf.reshape(pos, [pos.size])), tf.tensor(coefSrc, [v.length])), src.shape)
        : null,
      null,
      null,
      null,
    ];
  },
});

const SCATTER_REDUCE = signature('torch.scatter_reduce', [
  ['dim', int()],
  ['index', tensorArg()],
  ['src', tensorArg()],
  ['reduce', oneOf(['sum', 'prod', 'mean', 'amax', 'amin'])],
  ['includeSelf', bool().default(true)],
]);

/**
 * Reduces `src` into a copy of `input` at `index` along `dim` with `'sum'`, `'prod'`, `'mean'`, `'amax'` or
 * `'amin'` (torch's [`torch.scatter_reduce`](https://pytorch.org/docs/1.13/generated/torch.scatter_reduce.html)).
 * Differentiable in `input` and `src` with torch's gradients: `'amax'`/`'amin'` share the gradient evenly among
 * the values equal to the result, `'prod'` gives each value the product of the others (zeros included). `'prod'`,
 * `'amax'` and `'amin'` are computed on the host.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: int32 indices.
 * - `src`: the values, of `input`'s dtype.
 * - `reduce`: the reduction.
 * - `includeSelf`: whether `input`'s own values take part. Default: `true`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatterReduce(x, 0, idx, src, 'amax');
 * ```
 */
export function scatterReduce(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER_REDUCE>): tf.Tensor {
  const where = 'torch.scatter_reduce';
  checkTensor(input, where);
  const { dim, index, src, reduce, includeSelf } = SCATTER_REDUCE.parse(args);
  checkIndexTensor(index, where);
  const d = normalizeDim(dim, input.rank, where);
  checkSource(src, index, input, where);
  return tf.tidy(() => {
    const pos = positionsAlong(index, input.shape, d, where);
    const values = sourceValues(src, index, input.dtype);
    if (reduce !== 'sum' && reduce !== 'mean')
      return ScatterExtreme(input, values, tf.reshape(pos, [pos.size]), reduce, includeSelf);
    const hit = putFlat(tf.zeros(input.shape), pos, tf.onesLike(pos), true);
    const touched = tf.greater(hit, 0);
    const base = includeSelf ? input : tf.where(touched, tf.zerosLike(input), input);
    const sum = putFlat(base, pos, values, true);
    if (reduce === 'sum') return sum;
    const count = tf.add(tf.cast(hit, input.dtype), includeSelf ? 1 : 0);
    const mean = tf.div(sum, tf.maximum(count, 1));
    return input.dtype === 'int32' ? tf.cast(tf.floor(mean), 'int32') : mean;
  });
}

/** Flat positions of the elements `index(x, spec)` picks, as an int32 tensor of the picked shape. */
function positionsOf(shape: readonly number[], spec: IndexItem | readonly IndexItem[]): tf.Tensor {
  return tf.tidy(() => index(tf.reshape(tf.range(0, numelOf(shape), 1, 'int32'), shape as number[]), spec));
}

const INDEX_PUT = signature('torch.index_put', [
  ['indices', tensorListArg()],
  ['values', tensorOrScalarArg()],
  ['accumulate', bool().default(false)],
]);

/**
 * A copy of `input` with `values` at the elements `indices` picks (torch's
 * [`torch.index_put`](https://pytorch.org/docs/1.13/generated/torch.index_put.html), `x[indices] = values` as a
 * new tensor); `accumulate` adds instead, summing repeated indices. Differentiable in `input` and `values`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `indices`: a tuple of index tensors (int32 or bool), one per leading dim.
 * - `values`: values broadcastable to the picked shape: a number, or a tensor of `input`'s dtype.
 * - `accumulate`: add instead of assign. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.indexPut(x, [rows, cols], 0);
 * ```
 */
export function indexPut(input: tf.Tensor, ...args: ArgsOf<typeof INDEX_PUT>): tf.Tensor {
  const where = 'torch.index_put';
  checkTensor(input, where);
  const { indices, values, accumulate } = INDEX_PUT.parse(args);
  if (values instanceof tf.Tensor && values.dtype !== input.dtype) {
    throw new ArgumentTypeError(
      `${where}(): Index put requires the source and destination dtypes match, got ${input.dtype} for the destination and ${values.dtype} for the source.`,
    );
  }
  return tf.tidy(() => {
    const pos = positionsOf(input.shape, [...indices]);
    return putFlat(input, pos, asTensor(values, input.dtype), accumulate);
  });
}

/**
 * torch's `x[spec] = values` as a function returning a new tensor: {@link index}'s spec, `values` broadcast to
 * the picked shape (and cast to `input`'s dtype, as torch's assignment copies). Differentiable in `input` and
 * `values`.
 * @param input the tensor.
 * @param spec as {@link index}.
 * @param values a tensor or number.
 * @example
 * ```ts
 * const y = torch.sliceAssign(x, [':', '0:2'], 0); // x[:, 0:2] = 0
 * ```
 */
export function sliceAssign(
  input: tf.Tensor,
  spec: IndexItem | readonly IndexItem[],
  values: TensorOrScalar,
): tf.Tensor {
  const where = 'torch.sliceAssign';
  checkTensor(input, where);
  checkTensorOrScalar(values, where, 'values');
  return tf.tidy(() => {
    const pos = positionsOf(input.shape, spec);
    const v = asTensor(values, input.dtype);
    if (!tf.util.arraysEqual(broadcastShapes([pos.shape, v.shape], where), pos.shape)) {
      throw new ShapeError(
        `${where}: shape mismatch: value tensor of shape ${formatShape(v.shape)} cannot be broadcast to indexing result of shape ${formatShape(pos.shape)}`,
      );
    }
    return putFlat(input, pos, v, false);
  });
}
