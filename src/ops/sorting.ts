/**
 * torch's sorting and order statistics by torch's names and meanings: `topk`, `sort`, `argsort`, `kthvalue`,
 * `median`, `mode`, `unique`, `cummax`, `cummin`. Values are differentiable: the gradient goes to the index
 * returned (equal values: the lowest index first, a stable order).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, int, normalizeDim, signature } from '../args';
import { noGrad } from '../autograd/tape';
import { ValueError, formatShape } from '../errors';
import { moveToLast, restoreFromLast, takeAlong } from './common';
import { checkTensor } from './positions';
import type { DimOptions, KeepdimOption } from './reduction';

function cumExtreme(input: tf.Tensor, dim: number, isMax: boolean, where: string): [tf.Tensor, tf.Tensor] {
  const d = normalizeDim(dim, input.rank, where);
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  if (input.size === 0) return [tf.clone(input), tf.zeros(input.shape, 'int32')];
  const [moved, inv] = moveToLast(input, d);
  const n = moved.shape[moved.rank - 1];
  const v = moved.dataSync();
  const idx = new Int32Array(moved.size);
  for (let base = 0; base < moved.size; base += n) {
    let best = 0;
    for (let j = 0; j < n; j++) {
      const a = v[base + j];
      const b = v[base + best];
      // torch: a later equal value (or NaN) takes over.
      if (Number.isNaN(a) || (!Number.isNaN(b) && (isMax ? a >= b : a <= b))) best = j;
      idx[base + j] = best;
    }
  }
  const indices = tf.tensor(idx, moved.shape, 'int32');
  const values = takeAlong(moved, moved.rank - 1, indices);
  return [restoreFromLast(values, inv), restoreFromLast(indices, inv)];
}

const CUMMAX = signature('torch.cummax', [['dim', int()]]);

/**
 * Running maximum along `dim` and its indices (torch's
 * [`torch.cummax`](https://pytorch.org/docs/1.13/generated/torch.cummax.html)); read on the host.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * @param input the tensor.
 * @example
 * ```ts
 * const [values, indices] = torch.cummax(x, 0);
 * ```
 */
export function cummax(input: tf.Tensor, ...args: ArgsOf<typeof CUMMAX>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.cummax');
  return cumExtreme(input, CUMMAX.parse(args).dim, true, 'torch.cummax');
}

/**
 * Running minimum along `dim` and its indices (torch's
 * [`torch.cummin`](https://pytorch.org/docs/1.13/generated/torch.cummin.html)); read on the host.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * @param input the tensor.
 * @example
 * ```ts
 * const [values, indices] = torch.cummin(x, 0);
 * ```
 */
export function cummin(input: tf.Tensor, ...args: ArgsOf<typeof CUMMAX>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.cummin');
  return cumExtreme(input, CUMMAX.parse(args, 'torch.cummin').dim, false, 'torch.cummin');
}

const TOPK = signature('torch.topk', [
  ['k', int({ min: 0 })],
  ['dim', int().default(-1)],
  ['largest', bool().default(true)],
  ['sorted', bool().default(true)],
]);

/** Indices of the k largest (or smallest) along the last axis, stable on ties (lower index first). */
function topIndices(x: tf.Tensor, k: number, largest: boolean): tf.Tensor {
  return noGrad(() =>
    tf.tidy(() => {
      const v = x.dtype === 'bool' ? tf.cast(x, 'int32') : x;
      const key = largest ? v : tf.neg(v);
      return tf.topk(key, k, true).indices;
    }),
  );
}

/**
 * The `k` largest (or smallest) values along `dim` and their indices (torch's
 * [`torch.topk`](https://pytorch.org/docs/1.13/generated/torch.topk.html)), differentiable in the values (tfjs's
 * TopK has no gradient): the gradient goes to the returned indices. Equal values come lowest index first.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `k`: how many.
 * - `dim`: the dim. Default: `-1`.
 * - `largest`: largest (else smallest). Default: `true`.
 * - `sorted`: sorted by value (always, here). Default: `true`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [values, indices] = torch.topk(logits, 5);
 * ```
 */
export function topk(input: tf.Tensor, ...args: ArgsOf<typeof TOPK>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.topk');
  const { k, dim, largest } = TOPK.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.topk');
  const n = input.rank === 0 ? 1 : input.shape[d];
  if (k > n) throw new ValueError(`torch.topk(): selected index k (${k}) out of range for dimension ${d} of size ${n}`);
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  if (input.size === 0) {
    // An empty slice of the input (not a new zeros tensor): the values stay on the autograd graph.
    const shape = input.shape.map((s, i) => (i === d ? k : s));
    return [
      tf.slice(
        input,
        shape.map(() => 0),
        shape,
      ),
      tf.zeros(shape, 'int32'),
    ];
  }
  const [moved, inv] = moveToLast(input, d);
  const idx = topIndices(moved, k, largest);
  const values = takeAlong(moved, moved.rank - 1, idx);
  return [restoreFromLast(values, inv), restoreFromLast(idx, inv)];
}

const SORT = signature('torch.sort', [
  ['dim', int().default(-1)],
  ['descending', bool().default(false)],
  ['stable', bool().default(false)],
]);

/**
 * Sorted values along `dim` and the indices that sort (torch's
 * [`torch.sort`](https://pytorch.org/docs/1.13/generated/torch.sort.html)); always stable (equal values keep their
 * order, what torch's `stable=True` promises). Differentiable in the values.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `-1`.
 * - `descending`: largest first. Default: `false`.
 * - `stable`: accepted for torch's signature; the sort is always stable. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [sorted, order] = torch.sort(x, 0, true);
 * ```
 */
export function sort(input: tf.Tensor, ...args: ArgsOf<typeof SORT>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.sort');
  const { dim, descending } = SORT.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.sort');
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  return topk(input, input.shape[d], d, descending);
}

/**
 * The indices that sort along `dim` (torch's
 * [`torch.argsort`](https://pytorch.org/docs/1.13/generated/torch.argsort.html)); stable.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `-1`.
 * - `descending`: largest first. Default: `false`.
 * - `stable`: accepted; always stable. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.argsort(scores, 1, true);
 * ```
 */
export function argsort(input: tf.Tensor, ...args: ArgsOf<typeof SORT>): tf.Tensor {
  checkTensor(input, 'torch.argsort');
  const { dim, descending, stable } = SORT.parse(args, 'torch.argsort');
  const [v, i] = sort(input, dim, descending, stable);
  v.dispose();
  return i;
}

const KTH = signature('torch.kthvalue', [
  ['k', int({ min: 1 })],
  ['dim', int().default(-1)],
  ['keepdim', bool().default(false)],
]);

/**
 * The `k`-th smallest value along `dim` and its index (torch's
 * [`torch.kthvalue`](https://pytorch.org/docs/1.13/generated/torch.kthvalue.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `k`: 1-based rank.
 * - `dim`: the dim. Default: `-1`.
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [v, i] = torch.kthvalue(x, 2, 0);
 * ```
 */
export function kthvalue(input: tf.Tensor, ...args: ArgsOf<typeof KTH>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.kthvalue');
  const { k, dim, keepdim } = KTH.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.kthvalue');
  const n = input.rank === 0 ? 1 : input.shape[d];
  if (k > n)
    throw new ValueError(`torch.kthvalue(): selected number k (${k}) out of range for dimension ${d} of size ${n}`);
  return pickRank(input, d, k - 1, keepdim);
}

function pickRank(input: tf.Tensor, d: number, r: number, keepdim: boolean): [tf.Tensor, tf.Tensor] {
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  const [moved, inv] = moveToLast(input, d);
  const order = topIndices(moved, moved.shape[moved.rank - 1], false);
  const idx = tf.slice(
    order,
    moved.shape.map(() => 0).map((z, i) => (i === moved.rank - 1 ? r : z)),
    [...moved.shape.slice(0, -1), 1],
  );
  const values = takeAlong(moved, moved.rank - 1, idx);
  const v = restoreFromLast(values, inv);
  const i = restoreFromLast(idx, inv);
  return keepdim ? [v, i] : [tf.squeeze(v, [d]), tf.squeeze(i, [d])];
}

/** Arguments of {@link median}: none (the median of all), or `dim` (and `keepdim`). */
export type MedianArgs =
  | []
  | [dim: number, keepdim?: boolean]
  | [dim: number, options: KeepdimOption]
  | [options: DimOptions];

const MEDIAN = signature('torch.median', [
  ['dim', int()],
  ['keepdim', bool().default(false)],
]);

/**
 * The lower median (torch's [`torch.median`](https://pytorch.org/docs/1.13/generated/torch.median.html)): of all
 * elements (a scalar), or along `dim` as `[values, indices]`.
 * @param input the tensor.
 * @param args nothing, or `dim` (and `keepdim`).
 * @example
 * ```ts
 * const [m, i] = torch.median(x, 1) as [tf.Tensor, tf.Tensor];
 * ```
 */
export function median(input: tf.Tensor, ...args: MedianArgs): tf.Tensor | [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.median');
  if (args.length === 0) {
    // torch: nan for an empty tensor (NaN times the empty sum keeps it on the autograd graph)
    if (input.size === 0) return tf.mul(tf.sum(input), Number.NaN);
    const flat = tf.reshape(input, [input.size]);
    const [v, i] = pickRank(flat, 0, Math.floor((input.size - 1) / 2), false);
    i.dispose();
    return v;
  }
  const { dim, keepdim } = MEDIAN.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.median');
  const n = input.rank === 0 ? 1 : input.shape[d];
  return pickRank(input, d, Math.floor((n - 1) / 2), keepdim);
}

const MODE = signature('torch.mode', [
  ['dim', int().default(-1)],
  ['keepdim', bool().default(false)],
]);

/**
 * The most frequent value along `dim` (the smallest among equally frequent ones) and an index of it (torch's
 * [`torch.mode`](https://pytorch.org/docs/1.13/generated/torch.mode.html)); computed on the host; the
 * gradient goes to the returned index.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `-1`.
 * - `keepdim`: keep the dim. Default: `false`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [v, i] = torch.mode(labels, 0);
 * ```
 */
export function mode(input: tf.Tensor, ...args: ArgsOf<typeof MODE>): [tf.Tensor, tf.Tensor] {
  checkTensor(input, 'torch.mode');
  const { dim, keepdim } = MODE.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.mode');
  if (input.rank === 0) return [tf.clone(input), tf.scalar(0, 'int32')];
  const [moved, inv] = moveToLast(input, d);
  const n = moved.shape[moved.rank - 1];
  const v = moved.dataSync();
  const out = new Int32Array(moved.size / Math.max(n, 1));
  for (let s = 0; s < out.length; s++) {
    const counts = new Map<number, [number, number]>();
    for (let j = 0; j < n; j++) {
      const a = v[s * n + j];
      const c = counts.get(a);
      counts.set(a, [(c?.[0] ?? 0) + 1, j]);
    }
    let best: number | null = null;
    let bestCount = -1;
    let bestIndex = 0;
    for (const [value, [count, last]] of counts) {
      if (count > bestCount || (count === bestCount && value < (best as number))) {
        best = value;
        bestCount = count;
        bestIndex = last;
      }
    }
    out[s] = bestIndex;
  }
  const idx = tf.tensor(out, [...moved.shape.slice(0, -1), 1], 'int32');
  const values = takeAlong(moved, moved.rank - 1, idx);
  const vv = restoreFromLast(values, inv);
  const ii = restoreFromLast(idx, inv);
  return keepdim ? [vv, ii] : [tf.squeeze(vv, [d]), tf.squeeze(ii, [d])];
}

/**
 * Groups of equal units of `input` (its elements when `d` is null, else its slices along `d`), in sorted order
 * (lexicographic over a slice's elements, as torch's `unique_dim`) or, for `uniqueConsecutive`, runs in input
 * order: the index of each group's first unit, each unit's group, and each group's size. Read on the host.
 */
function groupUnits(input: tf.Tensor, d: number | null, sortFirst: boolean): [Int32Array, Int32Array, Int32Array] {
  let data: ArrayLike<number>;
  let n: number;
  if (d === null) {
    data = input.dataSync() as ArrayLike<number>;
    n = input.size;
  } else {
    const perm = [d, ...input.shape.map((_, k) => k).filter((k) => k !== d)];
    const moved = tf.transpose(input, perm);
    data = moved.dataSync() as ArrayLike<number>;
    moved.dispose();
    n = input.shape[d];
  }
  const len = n === 0 ? 0 : data.length / n;
  const compare = (a: number, b: number): number => {
    for (let j = 0; j < len; j++) {
      const x = data[a * len + j];
      const y = data[b * len + j];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  if (sortFirst) order.sort((a, b) => compare(a, b) || a - b);
  const first: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(n);
  order.forEach((u, i) => {
    if (i === 0 || compare(order[i - 1], u) !== 0) {
      first.push(u);
      counts.push(0);
    }
    inverse[u] = first.length - 1;
    counts[counts.length - 1]++;
  });
  return [Int32Array.from(first), inverse, Int32Array.from(counts)];
}

/** `dim` of `unique`/`uniqueConsecutive` checked as torch's `unique_dim` does (no scalars, no other empty dims). */
function uniqueDim(input: tf.Tensor, dim: number | null, where: string): number | null {
  if (dim == null) return null;
  if (input.rank === 0) throw new ValueError(`${where}(): Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(dim, input.rank, where);
  if (input.shape.some((s, k) => s === 0 && k !== d)) {
    throw new ValueError(
      `${where}(): There are 0 sized dimensions, and they aren't selected, so unique cannot be applied (shape ${formatShape(input.shape)}, dim ${dim})`,
    );
  }
  return d;
}

/** The outputs of `unique`/`uniqueConsecutive` from {@link groupUnits}: values, then inverse and counts if asked. */
function uniqueOutputs(
  input: tf.Tensor,
  d: number | null,
  sortFirst: boolean,
  returnInverse: boolean,
  returnCounts: boolean,
): tf.Tensor | tf.Tensor[] {
  const [first, inverse, counts] = groupUnits(input, d, sortFirst);
  // Not differentiable (torch has no derivative for unique either): computed outside the autograd graph.
  const values = noGrad(() =>
    tf.tidy(() => {
      const flat = d === null ? tf.reshape(input, [input.size]) : input;
      const axis = d ?? 0;
      // Nothing picked: an empty slice (tfjs-backend-wasm's GatherV2 gets the shape of an empty gather wrong).
      if (first.length === 0)
        return tf.zeros(
          flat.shape.map((s, k) => (k === axis ? 0 : s)),
          flat.dtype,
        );
      return tf.gather(flat, tf.tensor1d(first, 'int32'), axis);
    }),
  );
  const out: tf.Tensor[] = [values];
  if (returnInverse) out.push(tf.tensor(inverse, d === null ? input.shape : [inverse.length], 'int32'));
  if (returnCounts) out.push(tf.tensor1d(counts, 'int32'));
  return out.length === 1 ? out[0] : out;
}

const UNIQUE = signature('torch.unique', [
  ['sorted', bool().default(true)],
  ['returnInverse', bool().default(false)],
  ['returnCounts', bool().default(false)],
  ['dim', int().optional()],
]);

/**
 * The distinct values, sorted (torch's [`torch.unique`](https://pytorch.org/docs/1.13/generated/torch.unique.html)):
 * of the flattened input, or with `dim` the distinct slices along `dim` (sorted lexicographically, as torch); with
 * `returnInverse` each element's (slice's) index into them, with `returnCounts` how often each occurs. Read on the
 * host; not differentiable, as torch. Returns one tensor, or `[values, inverse?, counts?]` when either flag is set.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `sorted`: accepted; the result is always sorted here (torch's order for `sorted=False` is its hash set's,
 *   unspecified). Default: `true`.
 * - `returnInverse`: also return the inverse indices (input's shape; with `dim`, `[input.shape[dim]]`). Default:
 *   `false`.
 * - `returnCounts`: also return the counts. Default: `false`.
 * - `dim`: the dim whose slices are compared (negative counts from the end). Default: `null` (flattened).
 * @param input the tensor.
 * @example
 * ```ts
 * const [values, inverse, counts] = torch.unique(x, { returnInverse: true, returnCounts: true }) as tf.Tensor[];
 * const rows = torch.unique(m, { dim: 0 }) as tf.Tensor; // the distinct rows of m
 * ```
 */
export function unique(input: tf.Tensor, ...args: ArgsOf<typeof UNIQUE>): tf.Tensor | tf.Tensor[] {
  checkTensor(input, 'torch.unique');
  const { returnInverse, returnCounts, dim } = UNIQUE.parse(args);
  const d = uniqueDim(input, dim, 'torch.unique');
  return uniqueOutputs(input, d, true, returnInverse, returnCounts);
}

const UNIQUE_CONSECUTIVE = signature('torch.unique_consecutive', [
  ['returnInverse', bool().default(false)],
  ['returnCounts', bool().default(false)],
  ['dim', int().optional()],
]);

/**
 * Removes consecutive repeats (torch's
 * [`torch.unique_consecutive`](https://pytorch.org/docs/1.13/generated/torch.unique_consecutive.html)): each run
 * of equal elements of the flattened input (with `dim`: of equal slices along `dim`) becomes one, in input order.
 * With `returnInverse` each element's (slice's) run index, with `returnCounts` each run's length. Read on the
 * host; not differentiable. Returns one tensor, or `[values, inverse?, counts?]` when either flag is set.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `returnInverse`: also return the run index of each element (input's shape; with `dim`, `[input.shape[dim]]`).
 *   Default: `false`.
 * - `returnCounts`: also return the run lengths. Default: `false`.
 * - `dim`: the dim whose slices are compared. Default: `null` (flattened).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.uniqueConsecutive(torch.tensor([1, 1, 2, 2, 3, 1])); // [1, 2, 3, 1]
 * ```
 */
export function uniqueConsecutive(
  input: tf.Tensor,
  ...args: ArgsOf<typeof UNIQUE_CONSECUTIVE>
): tf.Tensor | tf.Tensor[] {
  checkTensor(input, 'torch.unique_consecutive');
  const { returnInverse, returnCounts, dim } = UNIQUE_CONSECUTIVE.parse(args);
  const d = uniqueDim(input, dim, 'torch.unique_consecutive');
  return uniqueOutputs(input, d, false, returnInverse, returnCounts);
}
