/**
 * torch's indexing functions by torch's names and meanings: `gather` and `scatter` along a dim (tfjs's `gather`
 * is torch's `indexSelect`), `indexSelect`, `maskedFill`, 3-argument `where`, `nonzero`, `maskedSelect`, and
 * {@link index} for torch's `x[:, 1:5, ::2, None, ...]` and integer-array indexing, with {@link indexPut} and
 * {@link sliceAssign} for `x[...] = v` (new tensors). All differentiable, repeated indices included.
 *
 * Index tensors are int32 (torch's int64 arrives as int32). Index values are checked (read synchronously), so an
 * out-of-range index is torch's error, never a silent zero.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, int, normalizeDim, oneOf, signature } from '../args';
import { defineFunction } from '../autograd/function';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';
import {
  type TensorOrScalar,
  asTensor,
  broadcastShapes,
  broadcastTo,
  numelOf,
  resultType,
  stridesOf,
  tensorArg,
  tensorOrScalarArg,
} from './common';

function checkIndexTensor(index: tf.Tensor, where: string): void {
  if (index.dtype !== 'int32') {
    throw new ArgumentTypeError(
      `${where}(): Expected dtype int64 (int32 here) for index, got ${index.dtype} (shape ${formatShape(index.shape)})`,
    );
  }
}

/** Index values, checked to lie in `[lo, n)`; returns them. */
function readIndex(index: tf.Tensor, n: number, dim: number, where: string, allowNegative = false): Int32Array {
  const v = index.dataSync() as Int32Array;
  for (const i of v) {
    if (i >= n || i < (allowNegative ? -n : 0)) {
      throw new ValueError(`${where}(): index ${i} is out of bounds for dimension ${dim} with size ${n}`);
    }
  }
  return v;
}

/**
 * Flat positions in a tensor of shape `shape` for torch's gather/scatter along `d`: position of element `p` of
 * `index` is `p` with its coordinate at `d` replaced by `index[p]`.
 */
function positionsAlong(index: tf.Tensor, shape: readonly number[], d: number, where: string): tf.Tensor {
  if (index.rank !== Math.max(shape.length, 1) && !(shape.length === 0 && index.rank <= 1)) {
    throw new ShapeError(
      `${where}(): Index tensor must have the same number of dimensions as input tensor (index shape ${formatShape(index.shape)}, input shape ${formatShape(shape)})`,
    );
  }
  const rank = shape.length;
  for (let k = 0; k < rank; k++) {
    if (k !== d && index.shape[k] > shape[k]) {
      throw new ShapeError(
        `${where}(): Size does not match at dimension ${k} expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(shape)} apart from dimension ${d}`,
      );
    }
  }
  readIndex(index, rank === 0 ? 1 : shape[d], d, where);
  if (rank === 0) return tf.reshape(index, index.shape);
  const strides = stridesOf(shape);
  return tf.tidy(() => {
    let pos: tf.Tensor = tf.mul(index, tf.scalar(strides[d], 'int32'));
    for (let k = 0; k < rank; k++) {
      if (k === d) continue;
      const r = tf.reshape(
        tf.mul(tf.range(0, index.shape[k], 1, 'int32'), tf.scalar(strides[k], 'int32')),
        index.shape.map((s, j) => (j === k ? s : 1)),
      );
      pos = tf.add(pos, r);
    }
    return pos;
  });
}

const GATHER = signature('torch.gather', [
  ['dim', int()],
  ['index', tensorArg()],
  ['sparseGrad', bool().default(false)],
]);

/**
 * Values along `dim` at `index` (torch's [`torch.gather`](https://pytorch.org/docs/1.13/generated/torch.gather.html);
 * tfjs's `gather` is torch's {@link indexSelect}): `out[i][j][k] = input[i][index[i][j][k]][k]` for `dim = 1`.
 * Differentiable in `input`; repeated indices add their gradients.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim to index along.
 * - `index`: int32 indices, same rank as `input`, no larger than it except along `dim`.
 * - `sparseGrad`: ignored (torch's sparse gradients). Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.gather(logProbs, 1, target.unsqueeze(1)); // each row's entry at its target
 * ```
 */
export function gather(input: tf.Tensor, ...args: ArgsOf<typeof GATHER>): tf.Tensor {
  const { dim, index } = GATHER.parse(args);
  checkIndexTensor(index, 'torch.gather');
  const d = normalizeDim(dim, input.rank, 'torch.gather');
  const pos = positionsAlong(index, input.shape, d, 'torch.gather');
  const out = tf.reshape(tf.gather(tf.reshape(input, [input.size]), tf.reshape(pos, [pos.size])), index.shape);
  pos.dispose();
  return out;
}

const TAKE = signature('torch.take_along_dim', [
  ['indices', tensorArg()],
  ['dim', int().optional()],
]);

/**
 * Values at `indices` along `dim`, broadcasting the other dims (torch's
 * [`torch.take_along_dim`](https://pytorch.org/docs/1.13/generated/torch.take_along_dim.html)); without `dim`,
 * both are flattened.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `indices`: int32 indices.
 * - `dim`: the dim. Default: `null` (flattened).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.takeAlongDim(x, torch.argsort(x, 1), 1); // x sorted along dim 1
 * ```
 */
export function takeAlongDim(input: tf.Tensor, ...args: ArgsOf<typeof TAKE>): tf.Tensor {
  const { indices, dim } = TAKE.parse(args);
  checkIndexTensor(indices, 'torch.take_along_dim');
  if (dim == null) return gather(tf.reshape(input, [input.size]), 0, tf.reshape(indices, [indices.size]));
  const d = normalizeDim(dim, input.rank, 'torch.take_along_dim');
  if (indices.rank !== input.rank) {
    throw new ShapeError(
      `torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${input.rank} dimensions for input, and ${indices.rank} dimensions for indices`,
    );
  }
  const bx = input.shape.map((s, k) => (k === d ? 1 : s));
  const bi = indices.shape.map((s, k) => (k === d ? 1 : s));
  const b = broadcastShapes([bx, bi], 'torch.take_along_dim');
  const x = broadcastTo(
    input,
    b.map((s, k) => (k === d ? input.shape[d] : s)),
  );
  const i = broadcastTo(
    indices,
    b.map((s, k) => (k === d ? indices.shape[d] : s)),
  );
  return gather(x, d, i);
}

const INDEX_SELECT = signature('torch.index_select', [
  ['dim', int()],
  ['index', tensorArg()],
]);

/**
 * The slices at `index` along `dim` (torch's
 * [`torch.index_select`](https://pytorch.org/docs/1.13/generated/torch.index_select.html); tfjs's `gather`).
 * Repeated indices add their gradients.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: 1-D (or 0-D) int32 indices.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.indexSelect(x, 0, torch.tensor([2, 0], { dtype: 'int32' }));
 * ```
 */
export function indexSelect(input: tf.Tensor, ...args: ArgsOf<typeof INDEX_SELECT>): tf.Tensor {
  const { dim, index } = INDEX_SELECT.parse(args);
  checkIndexTensor(index, 'torch.index_select');
  if (index.rank > 1)
    throw new ShapeError(
      `torch.index_select(): Index is supposed to be a vector, got shape ${formatShape(index.shape)}`,
    );
  const d = normalizeDim(dim, input.rank, 'torch.index_select');
  if (input.rank === 0)
    return tf.reshape(tf.gather(tf.reshape(input, [1]), tf.reshape(index, [index.size])), index.shape);
  readIndex(index, input.shape[d], d, 'torch.index_select');
  return tf.gather(input, tf.reshape(index, [index.size]), d);
}

/**
 * Writes `values` (broadcast to `positions`' shape) into a copy of `x` at flat positions: assignment (the last
 * write wins, as torch's CPU kernels) or accumulation (repeated positions add). Differentiable in both.
 */
function putFlat(x: tf.Tensor, positions: tf.Tensor, values: tf.Tensor, accumulate: boolean): tf.Tensor {
  const v = tf.reshape(broadcastTo(values.dtype === x.dtype ? values : tf.cast(values, x.dtype), positions.shape), [
    positions.size,
  ]);
  const flat = tf.reshape(x, [x.size]);
  if (accumulate) {
    // Summed in float32 (the wasm backend's UnsortedSegmentSum is float32-only), exact for int32 below 2^24.
    const f = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    const added = tf.unsortedSegmentSum(f(v), tf.reshape(positions, [positions.size]), x.size);
    const sum = tf.reshape(tf.add(f(flat), added), x.shape);
    if (x.dtype === 'float32') return sum;
    return x.dtype === 'bool' ? tf.notEqual(sum, 0) : tf.cast(tf.round(sum), x.dtype);
  }
  return tf.reshape(PutFlat(flat, v, tf.reshape(positions, [positions.size])), x.shape);
}

/**
 * `flat` with `v[k]` written at `positions[k]` (the last write wins where positions repeat), as one op whose backward
 * is torch's for scatter/index_put: every value gets the gradient at its position (`dy.gather(positions)`, also for
 * values a later write replaced), and the input gets the gradient where nothing was written.
 */
const PutFlat = defineFunction({
  name: 'PutFlat',
  forward(ctx, flat: tf.Tensor, v: tf.Tensor, positions: tf.Tensor) {
    const pos = positions.dataSync() as Int32Array;
    const winner = new Int32Array(flat.size).fill(-1);
    pos.forEach((p, k) => {
      winner[p] = k;
    });
    const mask = tf.tensor1d(
      Uint8Array.from(winner, (w) => (w >= 0 ? 1 : 0)),
      'bool',
    );
    const src = tf.gather(
      v.size ? v : tf.zeros([1], v.dtype),
      tf.tensor1d(
        Int32Array.from(winner, (w) => Math.max(w, 0)),
        'int32',
      ),
    );
    ctx.saveForBackward(mask, positions);
    return tf.where(mask, src, flat);
  },
  backward(ctx, dy: tf.Tensor) {
    const [mask, positions] = ctx.savedTensors;
    return [
      ctx.needsInputGrad[0] ? tf.where(mask, tf.zerosLike(dy), dy) : null,
      ctx.needsInputGrad[1] ? tf.gather(dy, positions) : null,
      null,
    ];
  },
});

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
 * kernel; torch leaves it unspecified), and every `src` entry still gets its gradient, as torch's backward gives it. `reduce: 'add'` is {@link scatterAdd}; `'multiply'` multiplies.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: int32 indices, same rank as `input`.
 * - `src`: the values (a tensor at least as large as `index`) or one number.
 * - `reduce`: `'add'` or `'multiply'`. Default: `null` (assign).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatter(torch.zeros(2, 5), 1, idx, 1); // one-hot rows
 * ```
 */
export function scatter(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER>): tf.Tensor {
  const { dim, index, src, reduce } = SCATTER.parse(args);
  checkIndexTensor(index, 'torch.scatter');
  const d = normalizeDim(dim, input.rank, 'torch.scatter');
  const pos = positionsAlong(index, input.shape, d, 'torch.scatter');
  const values = scatterSource(src, index, input.dtype, 'torch.scatter');
  if (reduce === 'multiply') {
    // Repeated indices multiply their values (computed on the host; not differentiable in src).
    const p = pos.dataSync() as Int32Array;
    const vals = values.dataSync();
    const prod = new Float32Array(input.size).fill(1);
    p.forEach((q, k) => {
      prod[q] *= vals[k];
    });
    return tf.mul(input, tf.tensor(prod, input.shape, input.dtype));
  }
  return putFlat(input, pos, values, reduce === 'add');
}

function scatterSource(src: TensorOrScalar, index: tf.Tensor, dtype: tf.DataType, where: string): tf.Tensor {
  if (!(src instanceof tf.Tensor)) return asTensor(src, dtype);
  if (src.rank !== index.rank || src.shape.some((s, k) => index.shape[k] > s)) {
    throw new ShapeError(
      `${where}(): Expected index ${formatShape(index.shape)} to be smaller than src ${formatShape(src.shape)} in every dimension, with the same number of dimensions`,
    );
  }
  if (tf.util.arraysEqual(src.shape, index.shape)) return src;
  return tf.slice(
    src,
    src.shape.map(() => 0),
    index.shape,
  );
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
 * - `src`: the values, at least as large as `index`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatterAdd(torch.zeros(3), 0, labels, torch.onesLike(labels)); // counts
 * ```
 */
export function scatterAdd(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER_ADD>): tf.Tensor {
  const { dim, index, src } = SCATTER_ADD.parse(args);
  return scatter(input, dim, index, src, 'add');
}

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
 * `'sum'` and `'mean'` are differentiable; the others are computed on the host and not differentiable.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: int32 indices.
 * - `src`: the values.
 * - `reduce`: the reduction.
 * - `includeSelf`: whether `input`'s own values take part. Default: `true`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.scatterReduce(x, 0, idx, src, 'amax');
 * ```
 */
export function scatterReduce(input: tf.Tensor, ...args: ArgsOf<typeof SCATTER_REDUCE>): tf.Tensor {
  const { dim, index, src, reduce, includeSelf } = SCATTER_REDUCE.parse(args);
  checkIndexTensor(index, 'torch.scatter_reduce');
  const d = normalizeDim(dim, input.rank, 'torch.scatter_reduce');
  const pos = positionsAlong(index, input.shape, d, 'torch.scatter_reduce');
  const values = scatterSource(src, index, input.dtype, 'torch.scatter_reduce');
  const hit = putFlat(tf.zeros(input.shape), pos, tf.onesLike(pos), true);
  const touched = tf.greater(hit, 0);
  const base = includeSelf ? input : tf.where(touched, tf.zerosLike(input), input);
  if (reduce === 'sum' || reduce === 'mean') {
    const sum = putFlat(base, pos, values, true);
    if (reduce === 'sum') return sum;
    const count = tf.add(tf.cast(hit, input.dtype), includeSelf ? 1 : 0);
    const mean = tf.div(sum, tf.maximum(count, 1));
    return input.dtype === 'int32' ? tf.cast(tf.floor(mean), 'int32') : mean;
  }
  const p = pos.dataSync() as Int32Array;
  const vals = values.dataSync();
  const out = Float32Array.from(input.dataSync() as ArrayLike<number>);
  const started = new Uint8Array(input.size).fill(includeSelf ? 1 : 0);
  p.forEach((q, k) => {
    const v = vals[k];
    if (!started[q]) {
      out[q] = v;
      started[q] = 1;
    } else if (reduce === 'prod') out[q] *= v;
    else if (reduce === 'amax') out[q] = Math.max(out[q], v);
    else out[q] = Math.min(out[q], v);
  });
  return tf.tensor(out, input.shape, input.dtype);
}

/**
 * torch's 3-argument [`torch.where`](https://pytorch.org/docs/1.13/generated/torch.where.html): `input` where
 * `condition`, else `other`, all three broadcast; numbers allowed for `input`/`other` (type-promoted as torch).
 * @param condition a bool tensor.
 * @param input values where true.
 * @param other values where false.
 * @example
 * ```ts
 * torch.where(x.greater(0), x, 0.1 * x);
 * ```
 */
export function where(condition: tf.Tensor, input: TensorOrScalar, other: TensorOrScalar): tf.Tensor {
  tensorArg().check(condition, { where: 'torch.where', name: 'condition' });
  const dtype = resultType(input, other);
  const a = asTensor(input, dtype);
  const b = asTensor(other, dtype);
  const shape = broadcastShapes([condition.shape, a.shape, b.shape], 'torch.where');
  const c = condition.dtype === 'bool' ? condition : tf.cast(condition, 'bool');
  return tf.where(broadcastTo(c, shape), broadcastTo(a, shape), broadcastTo(b, shape));
}

/**
 * `input` with `value` where `mask` is true (torch's
 * [`Tensor.masked_fill`](https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_fill.html)); the mask
 * broadcasts to `input`'s shape.
 * @param input the tensor.
 * @param mask a bool tensor broadcastable to `input`.
 * @param value a number or 0-D tensor.
 * @example
 * ```ts
 * torch.maskedFill(scores, mask, -Infinity);
 * ```
 */
export function maskedFill(input: tf.Tensor, mask: tf.Tensor, value: TensorOrScalar): tf.Tensor {
  if (mask.dtype !== 'bool') {
    throw new ArgumentTypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  }
  if (value instanceof tf.Tensor && value.rank !== 0) {
    throw new ShapeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.rank} dimension(s) (shape ${formatShape(value.shape)})`,
    );
  }
  const shape = broadcastShapes([input.shape, mask.shape], 'masked_fill');
  if (!tf.util.arraysEqual(shape, input.shape)) {
    throw new ShapeError(
      `masked_fill: the mask of shape ${formatShape(mask.shape)} does not broadcast to the input's shape ${formatShape(input.shape)}`,
    );
  }
  return tf.where(broadcastTo(mask, shape), broadcastTo(asTensor(value, input.dtype), shape), input);
}

const NONZERO = signature('torch.nonzero', [['asTuple', bool().default(false)]]);

/**
 * Indices of the non-zero elements (torch's
 * [`torch.nonzero`](https://pytorch.org/docs/1.13/generated/torch.nonzero.html)): an int32 `[n, rank]` tensor, or
 * with `asTuple` one 1-D tensor per dim. The size depends on the data, so it is read synchronously.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `asTuple`: return one index tensor per dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.nonzero(mask); // [[0, 1], [2, 0], ...]
 * ```
 */
export function nonzero(input: tf.Tensor, ...args: ArgsOf<typeof NONZERO>): tf.Tensor | tf.Tensor[] {
  const { asTuple } = NONZERO.parse(args);
  const data = input.dataSync();
  const rank = input.rank;
  const strides = stridesOf(input.shape);
  const cols: number[][] = Array.from({ length: Math.max(rank, 1) }, () => []);
  for (let p = 0; p < data.length; p++) {
    if (!data[p]) continue;
    if (rank === 0) cols[0].push(0);
    for (let k = 0; k < rank; k++) cols[k].push(Math.floor(p / strides[k]) % input.shape[k]);
  }
  if (asTuple) return cols.map((c) => tf.tensor1d(c, 'int32'));
  const n = cols[0].length;
  const out = new Int32Array(n * rank);
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) out[i * rank + k] = cols[k][i];
  return tf.tensor2d(out, [n, rank], 'int32');
}

/**
 * The elements where `mask` is true, as a 1-D tensor (torch's
 * [`torch.masked_select`](https://pytorch.org/docs/1.13/generated/torch.masked_select.html)); the mask is read
 * synchronously. Differentiable in `input`.
 * @param input the tensor.
 * @param mask a bool tensor broadcastable with `input`.
 * @example
 * ```ts
 * torch.maskedSelect(x, x.greater(0));
 * ```
 */
export function maskedSelect(input: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  if (mask.dtype !== 'bool')
    throw new ArgumentTypeError(`masked_select: expected BoolTensor for mask, got ${mask.dtype}`);
  const shape = broadcastShapes([input.shape, mask.shape], 'torch.masked_select');
  const m = broadcastTo(mask, shape).dataSync();
  const idx: number[] = [];
  for (let p = 0; p < m.length; p++) if (m[p]) idx.push(p);
  return tf.gather(tf.reshape(broadcastTo(input, shape), [numelOf(shape)]), tf.tensor1d(idx, 'int32'));
}

/** One entry of an {@link index} spec. */
export type IndexItem = string | number | null | tf.Tensor | readonly number[] | Slice;

/** A Python slice `start:stop:step` as an object; `null`/absent parts take Python's defaults. */
export interface Slice {
  /** First index (negative from the end). Default: the start. */
  start?: number | null;
  /** One past the last index (negative from the end). Default: the end. */
  stop?: number | null;
  /** Positive step. Default: `1`. */
  step?: number | null;
}

function parseSlice(s: string | Slice, where: string): Slice {
  if (typeof s !== 'string') return s;
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new ValueError(`${where}: cannot read '${s}' as a slice (write ':', '1:5', '::2', '-3:')`);
  }
  const num = (p: string | undefined) => {
    if (p == null || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new ValueError(`${where}: cannot read '${s}' as a slice: '${p}' is not an int`);
    return v;
  };
  return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

/**
 * torch's indexing `x[...]` as a function: each entry of `spec` is a slice string (`':'`, `'1:5'`, `'::2'`,
 * `'-3:'`) or {@link Slice} object, an int (selects, removing the dim), `null` (torch's `None`: a new dim),
 * `'...'` (the remaining dims), an int32 tensor or number array (integer-array indexing, broadcast together as
 * torch) or a bool tensor (a mask over as many dims as it has). Differentiable; repeated indices add gradients.
 * Mask and index values are read synchronously. Negative steps are refused, as torch.
 * @param input the tensor.
 * @param spec one entry per indexed dim, as in `x[a, b, c]`.
 * @example
 * ```ts
 * torch.index(x, [':', '1:5', '::2', null, '...']); // x[:, 1:5, ::2, None, ...]
 * torch.index(x, [idx]);                           // x[idx]
 * torch.index(x, [':', mask]);                     // x[:, mask]
 * ```
 */
export function index(input: tf.Tensor, spec: IndexItem | readonly IndexItem[]): tf.Tensor {
  const where = 'torch.index';
  // An array is the tuple of `x[a, b, c]`; write integer-array indexing as `[[0, 2]]` or with a tensor.
  const items: IndexItem[] = Array.isArray(spec) ? [...spec] : [spec as IndexItem];
  const consumes = (it: IndexItem) =>
    it === null || it === '...' ? 0 : it instanceof tf.Tensor && it.dtype === 'bool' ? Math.max(it.rank, 1) : 1;
  const ellipses = items.filter((i) => i === '...').length;
  if (ellipses > 1) throw new ValueError(`${where}: an index can only have a single ellipsis ('...')`);
  const used = items.reduce<number>((a, it) => a + consumes(it), 0);
  if (used > input.rank) {
    throw new ValueError(
      `${where}: too many indices for tensor of dimension ${input.rank} (shape ${formatShape(input.shape)})`,
    );
  }
  const full: IndexItem[] = [];
  for (const it of items) {
    if (it === '...') for (let k = 0; k < input.rank - used; k++) full.push(':');
    else full.push(it);
  }
  let y = input;
  let d = 0;
  const advanced: Array<{ dim: number; index: tf.Tensor }> = [];
  for (const it of full) {
    if (it === null) {
      y = tf.expandDims(y, d);
      d++;
    } else if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new ArgumentTypeError(`${where}: an index must be an int, got ${it}`);
      const n = y.shape[d];
      if (it < -n || it >= n)
        throw new ValueError(`${where}: index ${it} is out of bounds for dimension ${d} with size ${n}`);
      const i = it < 0 ? it + n : it;
      y = tf.reshape(
        tf.slice(
          y,
          y.shape.map((_, k) => (k === d ? i : 0)),
          y.shape.map((m, k) => (k === d ? 1 : m)),
        ),
        y.shape.filter((_, k) => k !== d),
      );
    } else if (typeof it === 'string' || (it != null && !(it instanceof tf.Tensor) && !Array.isArray(it))) {
      y = sliceDim(y, d, parseSlice(it as string | Slice, where), where);
      d++;
    } else if (it instanceof tf.Tensor && it.dtype === 'bool') {
      const r = Math.max(it.rank, 1);
      for (let k = 0; k < it.rank; k++) {
        if (it.shape[k] !== y.shape[d + k]) {
          throw new ShapeError(
            `${where}: The shape of the mask ${formatShape(it.shape)} at index ${k} does not match the shape of the indexed tensor ${formatShape(y.shape)} at index ${d + k}`,
          );
        }
      }
      const idx = nonzero(it, true) as tf.Tensor[];
      idx.slice(0, r).forEach((t, k) => {
        advanced.push({ dim: d + k, index: t });
      });
      d += r;
    } else {
      const t = it instanceof tf.Tensor ? it : tf.tensor(it as number[], undefined, 'int32');
      checkIndexTensor(t, where);
      advanced.push({ dim: d, index: t });
      d++;
    }
  }
  if (advanced.length === 0) return y === input ? tf.clone(input) : y;
  return advancedIndex(y, advanced, where);
}

function sliceDim(y: tf.Tensor, d: number, s: Slice, where: string): tf.Tensor {
  const n = y.shape[d];
  const step = s.step ?? 1;
  if (step <= 0) throw new ValueError(`${where}: step must be greater than zero (got ${step})`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const start = s.start == null ? 0 : clamp(s.start);
  const stop = s.stop == null ? n : clamp(s.stop);
  const len = Math.max(0, Math.ceil((stop - start) / step));
  if (start === 0 && len === n && step === 1) return y;
  if (step === 1)
    return tf.slice(
      y,
      y.shape.map((_, k) => (k === d ? start : 0)),
      y.shape.map((m, k) => (k === d ? len : m)),
    );
  const idx = Array.from({ length: len }, (_, i) => start + i * step);
  return tf.gather(y, tf.tensor1d(idx, 'int32'), d);
}

function advancedIndex(y: tf.Tensor, advanced: Array<{ dim: number; index: tf.Tensor }>, where: string): tf.Tensor {
  const bshape = broadcastShapes(
    advanced.map((a) => a.index.shape),
    where,
  );
  const dims = advanced.map((a) => a.dim);
  const sizes = dims.map((k) => y.shape[k]);
  const strides = stridesOf(sizes);
  let lin: tf.Tensor = tf.zeros(bshape, 'int32');
  advanced.forEach((a, k) => {
    const n = sizes[k];
    const v = readIndex(a.index, n, a.dim, where, true);
    const fixed = v.some((i) => i < 0)
      ? tf.tensor(
          Int32Array.from(v, (i) => (i < 0 ? i + n : i)),
          a.index.shape,
          'int32',
        )
      : a.index;
    lin = tf.add(lin, tf.mul(broadcastTo(fixed, bshape), tf.scalar(strides[k], 'int32')));
  });
  const rest = Array.from({ length: y.rank }, (_, i) => i).filter((i) => !dims.includes(i));
  const moved = tf.transpose(y, [...dims, ...rest]);
  const restShape = rest.map((i) => y.shape[i]);
  const flat = tf.reshape(moved, [numelOf(sizes), ...restShape]);
  const picked = tf.reshape(tf.gather(flat, tf.reshape(lin, [lin.size]), 0), [...bshape, ...restShape]);
  const adjacent = dims.every((k, i) => i === 0 || k === dims[i - 1] + 1);
  const first = dims[0];
  if (!adjacent || first === 0) return picked;
  // Adjacent advanced indices keep their place (torch/numpy): dims before them come first.
  const b = bshape.length;
  const perm = [
    ...Array.from({ length: first }, (_, i) => b + i),
    ...Array.from({ length: b }, (_, i) => i),
    ...Array.from({ length: restShape.length - first }, (_, i) => b + first + i),
  ];
  return tf.transpose(picked, perm);
}

/** Flat positions of the elements `index(x, spec)` picks, as an int32 tensor of the picked shape. */
function positionsOf(shape: readonly number[], spec: IndexItem | readonly IndexItem[]): tf.Tensor {
  return tf.tidy(() => index(tf.reshape(tf.range(0, numelOf(shape), 1, 'int32'), shape as number[]), spec));
}

/**
 * A copy of `input` with `values` at the elements `indices` picks (torch's
 * [`torch.index_put`](https://pytorch.org/docs/1.13/generated/torch.index_put.html), `x[indices] = values` as a
 * new tensor); `accumulate` adds instead, summing repeated indices. Differentiable in `input` and `values`.
 * @param input the tensor.
 * @param indices a tuple of index tensors (int32 or bool), one per leading dim.
 * @param values values broadcastable to the picked shape.
 * @param accumulate add instead of assign. Default: `false`.
 * @example
 * ```ts
 * torch.indexPut(x, [rows, cols], torch.tensor(0));
 * ```
 */
export function indexPut(
  input: tf.Tensor,
  indices: readonly tf.Tensor[],
  values: TensorOrScalar,
  accumulate = false,
): tf.Tensor {
  const pos = positionsOf(input.shape, [...indices]);
  return putFlat(input, pos, asTensor(values, input.dtype), accumulate);
}

/**
 * torch's `x[spec] = values` as a function returning a new tensor: {@link index}'s spec, `values` broadcast to
 * the picked shape. Differentiable in `input` and `values`.
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
  const pos = positionsOf(input.shape, spec);
  const v = asTensor(values, input.dtype);
  broadcastShapes([pos.shape, v.shape], 'torch.sliceAssign');
  if (v.rank > pos.rank || broadcastShapes([pos.shape, v.shape], 'sliceAssign').length !== pos.rank) {
    throw new ShapeError(
      `sliceAssign: shape mismatch: value tensor of shape ${formatShape(v.shape)} cannot be broadcast to indexing result of shape ${formatShape(pos.shape)}`,
    );
  }
  return putFlat(input, pos, v, false);
}
