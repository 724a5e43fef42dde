/**
 * torch's joining and splitting functions by torch's names and meanings: `cat`/`concat`, `stack`, `hstack`,
 * `vstack`, `split` (a size or a list of sizes), `chunk`, `tensorSplit`, `unbind`. Differentiable; negative
 * dims everywhere; mixed dtypes promote as torch.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, checkTensors, int, normalizeDim, signature } from '../args';
import { ShapeError, ValueError, formatShape } from '../errors';
import { intOrInts, splitSizes, tensorListArg } from './common';

const CAT = signature('torch.cat', [
  ['tensors', tensorListArg()],
  ['dim', int().default(0)],
]);

/**
 * Concatenates tensors along an existing dim (torch's
 * [`torch.cat`](https://pytorch.org/docs/1.13/generated/torch.cat.html)); every other size must match. Mixed
 * dtypes are promoted (bool < int32 < float32); 1-D empty tensors are skipped, as torch.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `tensors`: the tensors, at least one.
 * - `dim`: the dim. Default: `0`.
 * @example
 * ```ts
 * torch.cat([a, b], 1); // [2, 3] and [2, 5] -> [2, 8]
 * ```
 */
export function cat(...args: ArgsOf<typeof CAT>): tf.Tensor {
  const { tensors, dim } = CAT.parse(args);
  return catImpl(tensors, dim, 'torch.cat');
}

/** torch's alias of {@link cat} ([`torch.concat`](https://pytorch.org/docs/1.13/generated/torch.concat.html)). */
export const concat = cat;

function catImpl(all: tf.Tensor[], dim: number, where: string): tf.Tensor {
  if (all.length === 0) throw new ValueError(`${where}(): expected a non-empty list of Tensors`);
  const tensors = all.filter((t) => !(t.rank === 1 && t.shape[0] === 0));
  if (tensors.length === 0) return tf.clone(all[0]);
  const ref = tensors[0];
  if (ref.rank === 0)
    throw new ShapeError(`${where}(): zero-dimensional tensor (at position 0) cannot be concatenated`);
  const d = normalizeDim(dim, ref.rank, where);
  tensors.forEach((t, i) => {
    if (t.rank !== ref.rank) {
      throw new ShapeError(
        `${where}(): Tensors must have same number of dimensions: got ${ref.rank} and ${t.rank} ` +
          `(shapes ${formatShape(ref.shape)} and ${formatShape(t.shape)})`,
      );
    }
    for (let k = 0; k < ref.rank; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new ShapeError(
          `${where}(): Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got ` +
            `size ${t.shape[k]} for tensor number ${all.indexOf(t)} in the list (shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')})`,
        );
      }
    }
  });
  const dtype = tensors.some((t) => t.dtype === 'float32')
    ? 'float32'
    : tensors.some((t) => t.dtype === 'int32')
      ? 'int32'
      : 'bool';
  const cast = tensors.map((t) => (t.dtype === dtype ? t : tf.cast(t, dtype)));
  if (cast.length === 1) return tf.clone(cast[0]);
  return tf.concat(cast, d);
}

const STACK = signature('torch.stack', [
  ['tensors', tensorListArg()],
  ['dim', int().default(0)],
]);

/**
 * Stacks same-shape tensors along a new dim (torch's
 * [`torch.stack`](https://pytorch.org/docs/1.13/generated/torch.stack.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `tensors`: the tensors, all of one shape.
 * - `dim`: the new dim, in `[-(rank+1), rank]`. Default: `0`.
 * @example
 * ```ts
 * torch.stack([a, b], -1); // two [3, 4] -> [3, 4, 2]
 * ```
 */
export function stack(...args: ArgsOf<typeof STACK>): tf.Tensor {
  const { tensors, dim } = STACK.parse(args);
  if (tensors.length === 0) throw new ValueError('torch.stack(): expected a non-empty list of Tensors');
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (!tf.util.arraysEqual(t.shape, ref.shape)) {
      throw new ShapeError(
        `torch.stack(): stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ` +
          `${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim(dim, ref.rank + 1, 'torch.stack');
  return catImpl(
    tensors.map((t) => tf.expandDims(t, d)),
    d,
    'torch.stack',
  );
}

const SEQ = signature('torch.hstack', [['tensors', tensorListArg()]]);

/**
 * Concatenates along dim 1, or dim 0 for 1-D tensors (torch's
 * [`torch.hstack`](https://pytorch.org/docs/1.13/generated/torch.hstack.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `tensors`: the tensors.
 * @example
 * ```ts
 * torch.hstack([a, b]);
 * ```
 */
export function hstack(...args: ArgsOf<typeof SEQ>): tf.Tensor {
  const { tensors } = SEQ.parse(args, 'torch.hstack');
  const ts = tensors.map((t) => (t.rank === 0 ? tf.reshape(t, [1]) : t));
  return catImpl(ts, ts[0]?.rank === 1 ? 0 : 1, 'torch.hstack');
}

/**
 * Concatenates along dim 0 after making 0-D/1-D tensors 2-D rows (torch's
 * [`torch.vstack`](https://pytorch.org/docs/1.13/generated/torch.vstack.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `tensors`: the tensors.
 * @example
 * ```ts
 * torch.vstack([a, b]);
 * ```
 */
export function vstack(...args: ArgsOf<typeof SEQ>): tf.Tensor {
  const { tensors } = SEQ.parse(args, 'torch.vstack');
  const ts = tensors.map((t) => (t.rank < 2 ? tf.reshape(t, [1, t.size]) : t));
  return catImpl(ts, 0, 'torch.vstack');
}

const SPLIT = signature('torch.split', [
  ['splitSizeOrSections', intOrInts()],
  ['dim', int().default(0)],
]);

/**
 * Splits into pieces of `splitSizeOrSections` along `dim` (the last one smaller), or into pieces of the listed
 * sizes (torch's [`torch.split`](https://pytorch.org/docs/1.13/generated/torch.split.html); tfjs's `split`
 * takes a number of pieces instead).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `splitSizeOrSections`: a piece size, or the list of sizes (summing to the dim's size).
 * - `dim`: the dim. Default: `0`.
 * @param tensor the tensor.
 * @example
 * ```ts
 * torch.split(x, 2, 1);      // [2, 5] -> [2, 2], [2, 2], [2, 1]
 * torch.split(x, [1, 4], 1); // [2, 1], [2, 4]
 * ```
 */
export function split(tensor: tf.Tensor, ...args: ArgsOf<typeof SPLIT>): tf.Tensor[] {
  checkTensors('torch.split', { tensor });
  const { splitSizeOrSections: s, dim } = SPLIT.parse(args);
  const d = normalizeDim(dim, tensor.rank, 'torch.split');
  const n = tensor.shape[d];
  if (typeof s === 'number') {
    if (s < 0) throw new ValueError(`torch.split(): split_size can only be a non-negative integer but got ${s}`);
    if (s === 0) {
      if (n !== 0) throw new ValueError(`torch.split(): split_size can only be 0 if dimension size is 0, but got ${n}`);
      return [tf.clone(tensor)];
    }
    const sizes: number[] = [];
    for (let i = 0; i < Math.max(n, 1); i += s) sizes.push(Math.min(s, n - i));
    return splitSizes(tensor, sizes, d);
  }
  const total = s.reduce((a, b) => a + b, 0);
  if (total !== n || s.some((x) => x < 0)) {
    throw new ValueError(
      `torch.split(): split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${s.join(', ')}]`,
    );
  }
  return splitSizes(tensor, s, d);
}

const CHUNK = signature('torch.chunk', [
  ['chunks', int({ min: 1 })],
  ['dim', int().default(0)],
]);

/**
 * Splits into `chunks` pieces of size `ceil(n / chunks)` (fewer when they run out), as torch's
 * [`torch.chunk`](https://pytorch.org/docs/1.13/generated/torch.chunk.html).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `chunks`: number of pieces asked for.
 * - `dim`: the dim. Default: `0`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [mu, logvar] = torch.chunk(h, 2, 1);
 * ```
 */
export function chunk(input: tf.Tensor, ...args: ArgsOf<typeof CHUNK>): tf.Tensor[] {
  checkTensors('torch.chunk', { input });
  const { chunks, dim } = CHUNK.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.chunk');
  const size = Math.ceil(input.shape[d] / chunks);
  return split(input, Math.max(size, input.shape[d] === 0 ? 0 : 1), d);
}

const TSPLIT = signature('torch.tensor_split', [
  ['indicesOrSections', intOrInts()],
  ['dim', int().default(0)],
]);

/**
 * Splits into `n` nearly equal pieces (the first `size % n` one larger) or at the listed indices (torch's
 * [`torch.tensor_split`](https://pytorch.org/docs/1.13/generated/torch.tensor_split.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `indicesOrSections`: a number of pieces, or the indices to split before.
 * - `dim`: the dim. Default: `0`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.tensorSplit(x, 3);      // size 7 -> 3, 2, 2
 * torch.tensorSplit(x, [1, 4]); // x[:1], x[1:4], x[4:]
 * ```
 */
export function tensorSplit(input: tf.Tensor, ...args: ArgsOf<typeof TSPLIT>): tf.Tensor[] {
  checkTensors('torch.tensor_split', { input });
  const { indicesOrSections: s, dim } = TSPLIT.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.tensor_split');
  const n = input.shape[d];
  let bounds: number[];
  if (typeof s === 'number') {
    if (s < 1) throw new ValueError(`torch.tensor_split(): number of sections must be larger than 0, got ${s}`);
    const base = Math.floor(n / s);
    const extra = n % s;
    bounds = [];
    let at = 0;
    for (let i = 0; i < s - 1; i++) {
      at += base + (i < extra ? 1 : 0);
      bounds.push(at);
    }
  } else bounds = s;
  const sizes: number[] = [];
  let prev = 0;
  for (const b0 of [...bounds, n]) {
    const b = Math.min(Math.max(b0 < 0 ? b0 + n : b0, 0), n);
    const start = Math.min(prev, n);
    sizes.push(Math.max(b - start, 0));
    prev = Math.max(b, start);
  }
  const out: tf.Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    out.push(
      tf.slice(
        input,
        input.shape.map((_, i) => (i === d ? start : 0)),
        input.shape.map((m, i) => (i === d ? size : m)),
      ),
    );
    start += size;
  }
  return out;
}

const DIM0 = signature('torch.unbind', [['dim', int().default(0)]]);

/**
 * Removes a dim, returning the slices along it (torch's
 * [`torch.unbind`](https://pytorch.org/docs/1.13/generated/torch.unbind.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: `0`.
 * @param input the tensor.
 * @example
 * ```ts
 * const [x0, x1] = torch.unbind(x, 1);
 * ```
 */
export function unbind(input: tf.Tensor, ...args: ArgsOf<typeof DIM0>): tf.Tensor[] {
  checkTensors('torch.unbind', { input });
  const { dim } = DIM0.parse(args, 'torch.unbind');
  const d = normalizeDim(dim, input.rank, 'torch.unbind');
  const shape = input.shape.filter((_, i) => i !== d);
  return splitSizes(input, Array(input.shape[d]).fill(1), d).map((t) => tf.reshape(t, shape));
}
