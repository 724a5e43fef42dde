/**
 * torch's shape functions by torch's names and meanings: `cat`, `stack`, `split`, `chunk`, `view`/`reshape` with
 * `-1`, `flatten(startDim, endDim)`, `permute`, `transpose(dim0, dim1)`, `squeeze(dim)`, `expand`, `repeat`, ...
 * All differentiable through the library's autograd; negative dims everywhere.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, type ArgsOf, checkTensors, int, intList, normalizeDim, signature } from '../args';
import { ShapeError, ValueError, formatShape } from '../errors';
import { broadcastTo as broadcastToShape, broadcastShapes, intOrInts, numelOf, tensorArg } from './common';

/** A shape with at most one `-1` resolved against `numel`, or torch's error naming both shapes. */
function inferShape(shape: readonly number[], from: readonly number[], where: string): number[] {
  const numel = numelOf(from);
  let infer = -1;
  let known = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (infer >= 0)
        throw new ValueError(`${where}(): only one dimension can be inferred (shape [${shape.join(', ')}])`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`${where}(): invalid shape dimension ${s} in [${shape.join(', ')}]`);
    } else known *= s;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(
        `${where}(): shape '[${shape.join(', ')}]' is invalid for input of size ${numel} (input shape ${formatShape(from)})`,
      );
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new ShapeError(
      `${where}(): shape '[${shape.join(', ')}]' is invalid for input of size ${numel} (input shape ${formatShape(from)})`,
    );
  }
  return out;
}

/** Sizes given as `(2, 3)` varargs or as one list `([2, 3])`, as torch's `view(*shape)`. */
export type Sizes = number[] | [readonly number[]];

function sizesOf(args: Sizes, where: string): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  return intList().check(list, { where, name: 'shape' });
}

/**
 * The same data in a new shape; one size may be `-1` (torch's
 * [`torch.reshape`](https://pytorch.org/docs/1.13/generated/torch.reshape.html)).
 * @param input the tensor.
 * @param shape the new shape.
 * @example
 * ```ts
 * torch.reshape(x, [-1, 320]);
 * ```
 */
export function reshape(input: tf.Tensor, shape: readonly number[]): tf.Tensor {
  checkTensors('torch.reshape', { input });
  return tf.reshape(
    input,
    inferShape(intList().check(shape, { where: 'torch.reshape', name: 'shape' }), input.shape, 'torch.reshape'),
  );
}

/**
 * torch's [`x.view(*shape)`](https://pytorch.org/docs/1.13/generated/torch.Tensor.view.html): {@link reshape}
 * (tfjs tensors are always contiguous), sizes as varargs or one list. Also a method: `x.view(-1, 320)`.
 * @param input the tensor.
 * @param shape the sizes; one may be `-1`.
 * @example
 * ```ts
 * torch.view(x, -1, 320); // x.view(-1, 320)
 * ```
 */
export function view(input: tf.Tensor, ...shape: Sizes): tf.Tensor {
  checkTensors('view', { input });
  return tf.reshape(input, inferShape(sizesOf(shape, 'view'), input.shape, 'view'));
}

const FLATTEN = signature('torch.flatten', [
  ['startDim', int().default(0)],
  ['endDim', int().default(-1)],
]);

/**
 * Flattens dims `startDim..endDim` into one (torch's
 * [`torch.flatten`](https://pytorch.org/docs/1.13/generated/torch.flatten.html); tfjs's `x.flatten()` flattens
 * everything). A 0-D input becomes 1-D.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `startDim`: first dim. Default: `0`.
 * - `endDim`: last dim. Default: `-1`.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.flatten(x, 1); // [N, C, H, W] -> [N, C*H*W]
 * ```
 */
export function flatten(input: tf.Tensor, ...args: ArgsOf<typeof FLATTEN>): tf.Tensor {
  checkTensors('torch.flatten', { input });
  const { startDim, endDim } = FLATTEN.parse(args);
  if (input.rank === 0) return tf.reshape(input, [1]);
  const s = normalizeDim(startDim, input.rank, 'torch.flatten');
  const e = normalizeDim(endDim, input.rank, 'torch.flatten');
  if (s > e)
    throw new ValueError(
      `torch.flatten(): flatten() has invalid args: start_dim (${startDim}) cannot come after end_dim (${endDim})`,
    );
  const shape = [...input.shape.slice(0, s), numelOf(input.shape.slice(s, e + 1)), ...input.shape.slice(e + 1)];
  return tf.reshape(input, shape);
}

const UNFLATTEN = signature('torch.unflatten', [
  ['dim', int()],
  ['sizes', intList()],
]);

/**
 * Expands one dim into several (torch's
 * [`Tensor.unflatten`](https://pytorch.org/docs/1.13/generated/torch.Tensor.unflatten.html)); one size may be `-1`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim to expand.
 * - `sizes`: its new sizes.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.unflatten(x, 1, [4, 8]); // [N, 32] -> [N, 4, 8]
 * ```
 */
export function unflatten(input: tf.Tensor, ...args: ArgsOf<typeof UNFLATTEN>): tf.Tensor {
  checkTensors('torch.unflatten', { input });
  const { dim, sizes } = UNFLATTEN.parse(args);
  const d = normalizeDim(dim, input.rank, 'torch.unflatten');
  const inner = inferShape(sizes, [input.shape[d]], 'torch.unflatten');
  return tf.reshape(input, [...input.shape.slice(0, d), ...inner, ...input.shape.slice(d + 1)]);
}

const SQUEEZE = signature('torch.squeeze', [['dim', int().optional()]]);

/**
 * Removes size-1 dims: all of them, or only `dim` (a no-op when that dim's size is not 1), as torch's
 * [`torch.squeeze`](https://pytorch.org/docs/1.13/generated/torch.squeeze.html).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: the dim. Default: all size-1 dims.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.squeeze(x, -1); // [4, 1] -> [4]
 * ```
 */
export function squeeze(input: tf.Tensor, ...args: ArgsOf<typeof SQUEEZE>): tf.Tensor {
  checkTensors('torch.squeeze', { input });
  const { dim } = SQUEEZE.parse(args);
  if (dim == null)
    return tf.reshape(
      input,
      input.shape.filter((s) => s !== 1),
    );
  const d = normalizeDim(dim, input.rank, 'torch.squeeze');
  if (input.rank === 0 || input.shape[d] !== 1) return tf.reshape(input, input.shape);
  return tf.reshape(
    input,
    input.shape.filter((_, i) => i !== d),
  );
}

const UNSQUEEZE = signature('torch.unsqueeze', [['dim', int()]]);

/**
 * Inserts a size-1 dim at `dim` (in `[-(rank+1), rank]`), as torch's
 * [`torch.unsqueeze`](https://pytorch.org/docs/1.13/generated/torch.unsqueeze.html).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim`: where the new dim goes.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.unsqueeze(x, 0); // [3] -> [1, 3]
 * ```
 */
export function unsqueeze(input: tf.Tensor, ...args: ArgsOf<typeof UNSQUEEZE>): tf.Tensor {
  checkTensors('torch.unsqueeze', { input });
  const { dim } = UNSQUEEZE.parse(args);
  const d = normalizeDim(dim, input.rank + 1, 'torch.unsqueeze');
  return tf.reshape(input, [...input.shape.slice(0, d), 1, ...input.shape.slice(d)]);
}

/**
 * Reorders dims (torch's [`torch.permute`](https://pytorch.org/docs/1.13/generated/torch.permute.html)); dims
 * as one list, or as varargs in the method form `x.permute(0, 2, 3, 1)`.
 * @param input the tensor.
 * @param dims a permutation of the dims (negative allowed).
 * @example
 * ```ts
 * torch.permute(x, [0, 2, 3, 1]); // NCHW -> NHWC
 * ```
 */
export function permute(input: tf.Tensor, ...dims: Sizes): tf.Tensor {
  checkTensors('torch.permute', { input });
  const list = sizesOf(dims, 'torch.permute');
  if (list.length !== input.rank) {
    throw new ShapeError(
      `torch.permute(): number of dims don't match in permute: the input of shape ${formatShape(input.shape)} has ${input.rank} dims, got [${list.join(', ')}]`,
    );
  }
  const perm = list.map((d) => normalizeDim(d, input.rank, 'torch.permute'));
  if (new Set(perm).size !== perm.length)
    throw new ValueError(`torch.permute(): repeated dim in permute: [${list.join(', ')}]`);
  return tf.transpose(input, perm);
}

const TRANSPOSE = signature('torch.transpose', [
  ['dim0', int()],
  ['dim1', int()],
]);

/**
 * Swaps two dims (torch's [`torch.transpose`](https://pytorch.org/docs/1.13/generated/torch.transpose.html);
 * tfjs's `transpose` takes a whole permutation).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `dim0`: one dim.
 * - `dim1`: the other.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.transpose(x, 1, 2);
 * ```
 */
export function transpose(input: tf.Tensor, ...args: ArgsOf<typeof TRANSPOSE>): tf.Tensor {
  checkTensors('torch.transpose', { input });
  const { dim0, dim1 } = TRANSPOSE.parse(args);
  if (input.rank === 0) {
    normalizeDim(dim0, 0, 'torch.transpose');
    normalizeDim(dim1, 0, 'torch.transpose');
    return tf.clone(input);
  }
  const a = normalizeDim(dim0, input.rank, 'torch.transpose');
  const b = normalizeDim(dim1, input.rank, 'torch.transpose');
  const perm = Array.from({ length: input.rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return tf.transpose(input, perm);
}

/**
 * torch's alias of {@link transpose} ([`torch.swapaxes`](https://pytorch.org/docs/1.13/generated/torch.swapaxes.html)).
 * @param input the tensor.
 * @param axis0 one dim.
 * @param axis1 the other.
 * @example
 * ```ts
 * torch.swapaxes(x, 0, -1);
 * ```
 */
export function swapaxes(input: tf.Tensor, axis0: number, axis1: number): tf.Tensor {
  checkTensors('torch.swapaxes', { input });
  return transpose(input, axis0, axis1);
}

/** torch's alias of {@link transpose} (`torch.swapdims`). */
export const swapdims = swapaxes;

const MOVEDIM = signature('torch.movedim', [
  ['source', intOrInts()],
  ['destination', intOrInts()],
]);

/**
 * Moves dims to new positions, the others keeping their order (torch's
 * [`torch.movedim`](https://pytorch.org/docs/1.13/generated/torch.movedim.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `source`: dim(s) to move.
 * - `destination`: where they go.
 * @param input the tensor.
 * @example
 * ```ts
 * torch.movedim(x, 1, -1); // NCHW -> NHWC
 * ```
 */
export function movedim(input: tf.Tensor, ...args: ArgsOf<typeof MOVEDIM>): tf.Tensor {
  checkTensors('torch.movedim', { input });
  const { source, destination } = MOVEDIM.parse(args);
  const src = (typeof source === 'number' ? [source] : source).map((d) => normalizeDim(d, input.rank, 'torch.movedim'));
  const dst = (typeof destination === 'number' ? [destination] : destination).map((d) =>
    normalizeDim(d, input.rank, 'torch.movedim'),
  );
  if (src.length !== dst.length) {
    throw new ValueError(
      `torch.movedim(): Invalid source or destination dims: source ([${src}]) and destination ([${dst}]) must have the same number of elements`,
    );
  }
  const perm = Array<number>(input.rank).fill(-1);
  src.forEach((s, i) => {
    perm[dst[i]] = s;
  });
  const rest = Array.from({ length: input.rank }, (_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0, k = 0; i < input.rank; i++) if (perm[i] < 0) perm[i] = rest[k++];
  return tf.transpose(input, perm);
}

/** torch's alias of {@link movedim} (`torch.moveaxis`). */
export const moveaxis = movedim;

/**
 * Broadcasts size-1 dims to larger sizes without copying in torch (here: a broadcast); `-1` keeps a size
 * (torch's [`Tensor.expand`](https://pytorch.org/docs/1.13/generated/torch.Tensor.expand.html)). Sizes as
 * varargs or one list. The gradient sums over the expanded dims.
 * @param input the tensor.
 * @param sizes the new sizes; new leading dims may be added.
 * @example
 * ```ts
 * torch.expand(x, 4, -1); // [1, 3] -> [4, 3]
 * ```
 */
export function expand(input: tf.Tensor, ...sizes: Sizes): tf.Tensor {
  checkTensors('torch.expand', { input });
  const list = sizesOf(sizes, 'expand');
  if (list.length < input.rank) {
    throw new ShapeError(
      `expand(): the number of sizes provided (${list.length}) must be greater or equal to the number of dimensions in the tensor (${input.rank}; shape ${formatShape(input.shape)})`,
    );
  }
  const lead = list.length - input.rank;
  const target = list.map((s, i) => {
    const own = i >= lead ? input.shape[i - lead] : null;
    if (s === -1) {
      if (own == null)
        throw new ValueError(`expand(): the expanded size -1 is not allowed in a leading, non-existing dimension ${i}`);
      return own;
    }
    if (own != null && own !== 1 && own !== s) {
      throw new ShapeError(
        `expand(): The expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: [${list.join(', ')}].  Tensor sizes: ${formatShape(input.shape)}`,
      );
    }
    return s;
  });
  return broadcastToShape(tf.reshape(input, [...Array(lead).fill(1), ...input.shape]), target);
}

/**
 * {@link expand} to another tensor's shape (torch's
 * [`Tensor.expand_as`](https://pytorch.org/docs/1.13/generated/torch.Tensor.expand_as.html)).
 * @param input the tensor.
 * @param other the tensor whose shape to take.
 * @example
 * ```ts
 * torch.expandAs(bias, x);
 * ```
 */
export function expandAs(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  checkTensors('torch.expand_as', { input, other });
  return expand(input, other.shape);
}

/**
 * `input` viewed with `other`'s shape (torch's
 * [`Tensor.view_as`](https://pytorch.org/docs/1.13/generated/torch.Tensor.view_as.html), `x.view(other.size())`);
 * the element counts must agree.
 * @param input the tensor.
 * @param other the tensor whose shape to take.
 * @example
 * ```ts
 * x.viewAs(y); // torch: x.view_as(y)
 * ```
 */
export function viewAs(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  checkTensors('view_as', { input, other });
  return view(input, [...other.shape]);
}

/**
 * Broadcasts to `shape` by torch's rules (torch's
 * [`torch.broadcast_to`](https://pytorch.org/docs/1.13/generated/torch.broadcast_to.html)); `-1` keeps a size.
 * @param input the tensor.
 * @param shape the target shape.
 * @example
 * ```ts
 * torch.broadcastTo(x, [2, 3]);
 * ```
 */
export function broadcastTo(input: tf.Tensor, shape: readonly number[]): tf.Tensor {
  checkTensors('torch.broadcast_to', { input });
  return expand(input, shape);
}

/**
 * The broadcast shape of several shapes (torch's
 * [`torch.broadcast_shapes`](https://pytorch.org/docs/1.13/generated/torch.broadcast_shapes.html)).
 * @param shapes the shapes.
 * @example
 * ```ts
 * torch.broadcastShapes([2, 1], [1, 3]); // [2, 3]
 * ```
 */
function broadcastShapesOf(...shapes: Array<number | number[]>): number[] {
  const where = 'torch.broadcast_shapes';
  const lists = shapes.map((s, i) => {
    const v = intOrInts().check(s, { where, name: `shapes[${i}]` });
    const list = typeof v === 'number' ? [v] : v;
    for (const n of list) {
      if (n < 0)
        throw new ValueError(
          `${where}(): Trying to create tensor with negative dimension (${n}): shapes[${i}] is [${list}]`,
        );
    }
    return list;
  });
  return broadcastShapes(lists, where);
}

/**
 * Broadcasts tensors to one shape (torch's
 * [`torch.broadcast_tensors`](https://pytorch.org/docs/1.13/generated/torch.broadcast_tensors.html)).
 * @param tensors the tensors.
 * @example
 * ```ts
 * const [a2, b2] = torch.broadcastTensors(a, b);
 * ```
 */
export function broadcastTensors(...tensors: tf.Tensor[]): tf.Tensor[] {
  tensors.forEach((t, i) => checkTensors('torch.broadcast_tensors', { [`tensors[${i}]`]: t }));
  const shape = broadcastShapes(
    tensors.map((t) => t.shape),
    'torch.broadcast_tensors',
  );
  return tensors.map((t) => expand(t, shape));
}

/**
 * Repeats the tensor along each dim `sizes[i]` times (torch's
 * [`Tensor.repeat`](https://pytorch.org/docs/1.13/generated/torch.Tensor.repeat.html), numpy's `tile`); more
 * sizes than dims add leading dims. Differentiable at any rank.
 * @param input the tensor.
 * @param sizes repeats per dim, as varargs or one list.
 * @example
 * ```ts
 * torch.repeat(x, 2, 1); // [3, 4] -> [6, 4]
 * ```
 */
export function repeat(input: tf.Tensor, ...sizes: Sizes): tf.Tensor {
  checkTensors('torch.repeat', { input });
  const reps = sizesOf(sizes, 'repeat');
  if (reps.length < input.rank) {
    throw new ShapeError(
      `repeat(): Number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${input.rank}; shape ${formatShape(input.shape)})`,
    );
  }
  if (reps.some((r) => r < 0))
    throw new ValueError(`repeat(): Trying to create tensor with negative dimension: [${reps}]`);
  const shape = [...Array(reps.length - input.rank).fill(1), ...input.shape];
  // [a, b] -> [1, a, 1, b] -> broadcast [ra, a, rb, b] -> reshape [ra*a, rb*b]: the gradient sums the copies.
  const inter = shape.flatMap((s) => [1, s]);
  const big = shape.flatMap((s, i) => [reps[i], s]);
  const x = broadcastToShape(tf.reshape(input, inter), big);
  return tf.reshape(
    x,
    shape.map((s, i) => s * reps[i]),
  );
}

/**
 * numpy-style tile (torch's [`torch.tile`](https://pytorch.org/docs/1.13/generated/torch.tile.html)): as
 * {@link repeat}, but fewer reps than dims are padded with leading 1s.
 * @param input the tensor.
 * @param dims repeats per dim.
 * @example
 * ```ts
 * torch.tile(x, [2]); // [3, 4] -> [3, 8]
 * ```
 */
export function tile(input: tf.Tensor, dims: readonly number[]): tf.Tensor {
  checkTensors('torch.tile', { input });
  intList().check(dims, { where: 'torch.tile', name: 'dims' });
  const reps = [...Array(Math.max(0, input.rank - dims.length)).fill(1), ...dims];
  return repeat(input, reps);
}

const REPEAT_INTERLEAVE = signature('torch.repeat_interleave', [
  [
    'repeats',
    new Arg<number | tf.Tensor>('an int or a 1-D int tensor', (v, ctx) =>
      typeof v === 'number' ? int({ min: 0 }).check(v, ctx) : tensorArg().check(v, ctx),
    ),
  ],
  ['dim', int().optional()],
]);

/**
 * Repeats each element `repeats` times along `dim` (torch's
 * [`torch.repeat_interleave`](https://pytorch.org/docs/1.13/generated/torch.repeat_interleave.html)); without
 * `dim` the input is flattened first. A tensor of repeats (one per element) is read synchronously.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `repeats`: an int, or an int tensor of one count per element along `dim`.
 * - `dim`: the dim. Default: `null` (flattened).
 * @param input the tensor.
 * @example
 * ```ts
 * torch.repeatInterleave(x, 2, 0); // [a, b] -> [a, a, b, b]
 * ```
 */
export function repeatInterleave(input: tf.Tensor, ...args: ArgsOf<typeof REPEAT_INTERLEAVE>): tf.Tensor {
  checkTensors('torch.repeat_interleave', { input });
  const { repeats, dim } = REPEAT_INTERLEAVE.parse(args);
  const x = dim == null ? tf.reshape(input, [input.size]) : input;
  const d = dim == null ? 0 : normalizeDim(dim, input.rank, 'torch.repeat_interleave');
  const n = x.shape[d];
  let counts: number[];
  if (typeof repeats === 'number') counts = Array(n).fill(repeats);
  else {
    counts = Array.from(repeats.dataSync() as ArrayLike<number>);
    if (counts.length === 1) counts = Array(n).fill(counts[0]);
    if (counts.length !== n) {
      throw new ShapeError(
        `torch.repeat_interleave(): repeats must have the same size as input along dim: ${counts.length} vs ${n}`,
      );
    }
  }
  const idx: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) idx.push(i);
  });
  return tf.gather(x, tf.tensor1d(idx, 'int32'), d);
}

export { broadcastShapesOf as broadcastShapes };
