/**
 * torch's indexing reads by torch's names and meanings: `gather` along a dim (tfjs's `gather` is torch's
 * `indexSelect`), `takeAlongDim`, `indexSelect`, `maskedFill`, 3-argument `where`, `nonzero`, `maskedSelect`, and
 * {@link index} for torch's `x[:, 1:5, ::2, None, ...]` and integer-array indexing. All differentiable, repeated
 * indices included. The writes (`scatter`, `indexPut`, `sliceAssign`, ...) are in `./scatter`.
 *
 * Index tensors are int32 (torch's int64 arrives as int32). Index values are checked (read synchronously), so an
 * out-of-range index is torch's error, never a silent zero.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, describeValue, int, normalizeDim, signature } from '../args';
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
} from './common';
import { checkIndexTensor, checkTensor, checkTensorOrScalar, positionsAlong, readIndex } from './positions';

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
  checkTensor(input, 'torch.gather');
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
  checkTensor(input, 'torch.take_along_dim');
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
  checkTensor(input, 'torch.index_select');
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
  checkTensor(condition, 'torch.where', 'condition');
  checkTensorOrScalar(input, 'torch.where', 'input');
  checkTensorOrScalar(other, 'torch.where', 'other');
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
  checkTensor(input, 'torch.masked_fill');
  checkTensor(mask, 'torch.masked_fill', 'mask');
  checkTensorOrScalar(value, 'torch.masked_fill', 'value');
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
  checkTensor(input, 'torch.nonzero');
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
  checkTensor(input, 'torch.masked_select');
  checkTensor(mask, 'torch.masked_select', 'mask');
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
  checkTensor(input, where);
  // An array is the tuple of `x[a, b, c]`; write integer-array indexing as `[[0, 2]]` or with a tensor.
  const items: IndexItem[] = Array.isArray(spec) ? [...spec] : [spec as IndexItem];
  items.forEach((it, k) => {
    checkIndexItem(it, k, where);
  });
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
  // In a tidy: a refused entry (out of range, a mask of the wrong shape) frees what the entries before it made.
  return tf.tidy(() => indexFull(input, full, where));
}

function indexFull(input: tf.Tensor, full: IndexItem[], where: string): tf.Tensor {
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

/** Refuses an {@link index} entry of a kind torch's `x[...]` has no meaning for, before anything runs. */
function checkIndexItem(it: unknown, k: number, where: string): void {
  const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  const intArray = (v: unknown): boolean => (Array.isArray(v) ? v.every((x) => isInt(x) || intArray(x)) : false);
  const bad = (what: string) =>
    new ArgumentTypeError(`${where}: entry ${k} of the index ${what}, got ${describeValue(it)}`);
  if (it === null || typeof it === 'string' || isInt(it) || intArray(it)) return;
  if (typeof it === 'number') throw bad('must be an int');
  if (it instanceof tf.Tensor) {
    checkTensor(it, where, `spec[${k}]`);
    if (it.dtype !== 'int32' && it.dtype !== 'bool') throw bad('must be an int32 or bool tensor');
    return;
  }
  if (typeof it === 'object' && !Array.isArray(it)) {
    for (const [key, v] of Object.entries(it as object)) {
      if (!['start', 'stop', 'step'].includes(key)) throw bad(`(a slice) has no part '${key}' (start, stop, step)`);
      if (v != null && !isInt(v)) throw bad(`(a slice) must have int or null parts`);
    }
    return;
  }
  throw bad("must be a slice (':', '1:5', {start, stop, step}), an int, null, '...', an int array or a tensor");
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
