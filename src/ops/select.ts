/**
 * torch's selection functions by torch's names and meanings: `flip`, `roll`, `narrow`, `select`, `tril`,
 * `triu`, `diagonal`, `diag`. Differentiable; negative dims everywhere.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, checkTensors, int, normalizeDim, signature } from '../args';
import { ShapeError, ValueError, formatShape } from '../errors';
import { intOrInts, splitSizes } from './common';

const FLIP = signature('torch.flip', [['dims', intOrInts()]]);

/**
 * Reverses the order along the given dims (torch's
 * [`torch.flip`](https://pytorch.org/docs/1.13/generated/torch.flip.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dims`: the dims.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.flip(x, [0, -1]);
 * ```
 */
export function flip(input: tf.Tensor, ...args: ArgsOf<typeof FLIP>): tf.Tensor {
  checkTensors('torch.flip', { input });
  const { dims } = FLIP.parse(args);
  const list = (typeof dims === 'number' ? [dims] : dims).map((d) => normalizeDim(d, input.rank, 'torch.flip'));
  if (list.length === 0 || input.rank === 0) return tf.clone(input);
  return tf.reverse(input, list);
}

const ROLL = signature('torch.roll', [
  ['shifts', intOrInts()],
  ['dims', intOrInts().optional()],
]);

/**
 * Rolls elements along dims, wrapping around (torch's
 * [`torch.roll`](https://pytorch.org/docs/1.13/generated/torch.roll.html)); without `dims` the flattened
 * tensor is rolled and the shape restored.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `shifts`: shift(s), one per dim.
 * - `dims`: the dim(s). Default: `null` (flattened).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.roll(x, 1, 0);
 * ```
 */
export function roll(input: tf.Tensor, ...args: ArgsOf<typeof ROLL>): tf.Tensor {
  checkTensors('torch.roll', { input });
  const { shifts, dims } = ROLL.parse(args);
  const s = typeof shifts === 'number' ? [shifts] : shifts;
  if (dims == null) {
    if (s.length !== 1)
      throw new ValueError(`torch.roll(): shifts and dimensions must align. shifts: ${s.length}, dims: 0`);
    return tf.reshape(roll(tf.reshape(input, [input.size]), s[0], 0), input.shape);
  }
  const d = typeof dims === 'number' ? [dims] : dims;
  if (s.length !== d.length) {
    throw new ValueError(`torch.roll(): shifts and dimensions must align. shifts: ${s.length}, dims: ${d.length}`);
  }
  let x = input;
  d.forEach((dim, i) => {
    const k = normalizeDim(dim, input.rank, 'torch.roll');
    const n = x.shape[k];
    if (n === 0) return;
    const shift = ((s[i] % n) + n) % n;
    if (shift === 0) return;
    const [a, b] = splitSizes(x, [n - shift, shift], k);
    x = tf.concat([b, a], k);
  });
  return x === input ? tf.clone(input) : x;
}

const NARROW = signature('torch.narrow', [
  ['dim', int()],
  ['start', int()],
  ['length', int({ min: 0 })],
]);

/**
 * `length` elements from `start` along `dim` (torch's
 * [`torch.narrow`](https://pytorch.org/docs/1.13/generated/torch.narrow.html)); `start` may be negative.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `start`: first index.
 * - `length`: how many.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.narrow(x, 1, 2, 3); // x[:, 2:5]
 * ```
 */
export function narrow(input: tf.Tensor, ...args: ArgsOf<typeof NARROW>): tf.Tensor {
  checkTensors('torch.narrow', { input });
  const { dim, start, length } = NARROW.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.narrow');
  const n = input.shape[d];
  const s = start < 0 ? start + n : start;
  if (s < 0 || s > n)
    throw new ValueError(`torch.narrow(): start (${start}) out of range for dimension ${d} of size ${n}`);
  if (s + length > n)
    throw new ValueError(`torch.narrow(): start (${s}) + length (${length}) exceeds dimension size (${n}).`);
  return tf.slice(
    input,
    input.shape.map((_, i) => (i === d ? s : 0)),
    input.shape.map((m, i) => (i === d ? length : m)),
  );
}

const SELECT = signature('torch.select', [
  ['dim', int()],
  ['index', int()],
]);

/**
 * The slice at `index` along `dim`, that dim removed (torch's
 * [`torch.select`](https://pytorch.org/docs/1.13/generated/torch.select.html), `x[:, i]`).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim.
 * - `index`: the index (negative counts from the end).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.select(x, 1, -1); // x[:, -1]
 * ```
 */
export function select(input: tf.Tensor, ...args: ArgsOf<typeof SELECT>): tf.Tensor {
  checkTensors('torch.select', { input });
  const { dim, index } = SELECT.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.select');
  const n = input.shape[d];
  if (index < -n || index >= n) {
    throw new ValueError(
      `torch.select(): index ${index} out of range for tensor of size ${formatShape(input.shape)} at dimension ${d}`,
    );
  }
  const i = index < 0 ? index + n : index;
  const y = tf.slice(
    input,
    input.shape.map((_, k) => (k === d ? i : 0)),
    input.shape.map((m, k) => (k === d ? 1 : m)),
  );
  return tf.reshape(
    y,
    input.shape.filter((_, k) => k !== d),
  );
}

const DIAGONAL_ARG = signature('torch.tril', [['diagonal', int().default(0)]]);

function triangle(input: tf.Tensor, diagonal: number, lower: boolean, where: string): tf.Tensor {
  if (input.rank < 2)
    throw new ShapeError(
      `${where}(): input tensor must have at least 2 dimensions, got shape ${formatShape(input.shape)}`,
    );
  const [r, c] = input.shape.slice(-2);
  const mask = tf.tidy(() => {
    const i = tf.reshape(tf.range(0, r, 1, 'int32'), [r, 1]);
    const j = tf.reshape(tf.range(0, c, 1, 'int32'), [1, c]);
    const diff = tf.sub(j, i);
    return lower ? tf.lessEqual(diff, diagonal) : tf.greaterEqual(diff, diagonal);
  });
  return tf.where(tf.broadcastTo(mask, input.shape), input, tf.zerosLike(input));
}

/**
 * The lower triangle of the last two dims, the rest zero (torch's
 * [`torch.tril`](https://pytorch.org/docs/1.13/generated/torch.tril.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `diagonal`: which diagonal is the border (0 main, > 0 above). Default: `0`.
 * @param input a tensor of rank >= 2.
 * @example
 * ```ts
 * torch.tril(torch.ones(3, 3));
 * ```
 */
export function tril(input: tf.Tensor, ...args: ArgsOf<typeof DIAGONAL_ARG>): tf.Tensor {
  checkTensors('torch.tril', { input });
  return triangle(input, DIAGONAL_ARG.parse(args, 'torch.tril').diagonal, true, 'torch.tril');
}

/**
 * The upper triangle of the last two dims, the rest zero (torch's
 * [`torch.triu`](https://pytorch.org/docs/1.13/generated/torch.triu.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `diagonal`: which diagonal is the border (0 main, > 0 above). Default: `0`.
 * @param input a tensor of rank >= 2.
 * @example
 * ```ts
 * torch.triu(scores, 1); // a causal mask's complement
 * ```
 */
export function triu(input: tf.Tensor, ...args: ArgsOf<typeof DIAGONAL_ARG>): tf.Tensor {
  checkTensors('torch.triu', { input });
  return triangle(input, DIAGONAL_ARG.parse(args, 'torch.triu').diagonal, false, 'torch.triu');
}

const DIAGONAL = signature('torch.diagonal', [
  ['offset', int().default(0)],
  ['dim1', int().default(0)],
  ['dim2', int().default(1)],
]);

/**
 * The diagonal of the (`dim1`, `dim2`) planes, appended as the last dim (torch's
 * [`torch.diagonal`](https://pytorch.org/docs/1.13/generated/torch.diagonal.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `offset`: 0 the main diagonal, > 0 above, < 0 below. Default: `0`.
 * - `dim1`: first dim of the plane. Default: `0`.
 * - `dim2`: second dim. Default: `1`.
 * @param input a tensor of rank >= 2.
 * @example
 * ```ts
 * torch.diagonal(x, 0, -2, -1); // batched diagonals
 * ```
 */
export function diagonal(input: tf.Tensor, ...args: ArgsOf<typeof DIAGONAL>): tf.Tensor {
  checkTensors('torch.diagonal', { input });
  const { offset, dim1, dim2 } = DIAGONAL.parse(args);
  const a = normalizeDim(dim1, input.rank, 'torch.diagonal');
  const b = normalizeDim(dim2, input.rank, 'torch.diagonal');
  if (a === b) throw new ValueError(`torch.diagonal(): diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const rest = Array.from({ length: input.rank }, (_, i) => i).filter((i) => i !== a && i !== b);
  const x = tf.transpose(input, [...rest, a, b]);
  const [r, c] = [input.shape[a], input.shape[b]];
  const len = Math.max(0, offset >= 0 ? Math.min(r, c - offset) : Math.min(r + offset, c));
  const idx: number[] = [];
  for (let k = 0; k < len; k++) idx.push(offset >= 0 ? k * c + k + offset : (k - offset) * c + k);
  const lead = rest.map((i) => input.shape[i]);
  const flat = tf.reshape(x, [...lead, r * c]);
  return tf.gather(flat, tf.tensor1d(idx, 'int32'), lead.length);
}

/**
 * A 1-D tensor's values on a diagonal of a new square matrix, or a 2-D tensor's diagonal (torch's
 * [`torch.diag`](https://pytorch.org/docs/1.13/generated/torch.diag.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `diagonal`: 0 the main diagonal, > 0 above, < 0 below. Default: `0`.
 * @param input a 1-D or 2-D tensor.
 * @example
 * ```ts
 * torch.diag(torch.tensor([1, 2, 3])); // 3x3 diagonal matrix
 * ```
 */
export function diag(input: tf.Tensor, ...args: ArgsOf<typeof DIAGONAL_ARG>): tf.Tensor {
  checkTensors('torch.diag', { input });
  const { diagonal: k } = DIAGONAL_ARG.parse(args, 'torch.diag');
  if (input.rank === 2) return diagonal(input, k, 0, 1);
  if (input.rank !== 1)
    throw new ShapeError(`torch.diag(): matrix or a vector expected, got shape ${formatShape(input.shape)}`);
  const n = input.shape[0];
  const m = n + Math.abs(k);
  const idx: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const d = j - i;
      const pos = k >= 0 ? i : j;
      idx.push(d === k && pos < n ? pos + 1 : 0);
    }
  }
  const padded = tf.concat([tf.zeros([1], input.dtype), input]);
  return tf.reshape(tf.gather(padded, tf.tensor1d(idx, 'int32')), [m, m]);
}
