import * as tf from '@tensorflow/tfjs-core';

import { float, intList, oneOf, signature, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';

/** torch's padding modes. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const PAD = signature('F.pad', [
  ['pad', intList()],
  ['mode', oneOf<PadMode>(['constant', 'reflect', 'replicate', 'circular']).default('constant')],
  ['value', float({ allowInfinity: true }).optional()],
]);

/**
 * Pads a tensor (torch's `F.pad`): `pad` lists `(before, after)` pairs starting from the **last** dimension,
 * as torch's `(left, right, top, bottom, front, back)`. Differentiable in every mode.
 *
 * Mirrors [torch.nn.functional.pad](https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html).
 *
 * - `'constant'`: fills with `value` (default 0); negative pads crop, as torch.
 * - `'reflect'`: mirrors without repeating the edge; each pad must be smaller than its dimension.
 * - `'replicate'`: repeats the edge value.
 * - `'circular'`: wraps around; each pad must not exceed its dimension.
 *
 * Shape: the non-constant modes pad the last 1, 2 or 3 dimensions of a 2-D/3-D, 3-D/4-D or 4-D/5-D input
 * (`pad` of length 2, 4 or 6), as torch 1.13; constant mode pads any of the last `pad.length / 2` dimensions.
 * Output size along a padded dimension: `size + before + after`.
 *
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `pad`: `(before, after)` pairs from the last dimension backwards; even length.
 * - `mode`: `'constant'`, `'reflect'`, `'replicate'` or `'circular'`. Default: `'constant'`.
 * - `value`: fill value for `'constant'`. Default: `0`.
 * @param input the tensor.
 * @example
 * ```ts
 * F.pad(x, [1, 1, 2, 0]);             // last dim +1 each side, second-to-last +2 before
 * F.pad(x, [3, 3, 3, 3], 'reflect');  // what ReflectionPad2d(3) does
 * ```
 */
export function pad(input: tf.Tensor, ...args: ArgsOf<typeof PAD>): tf.Tensor {
  const { pad: p, mode, value } = PAD.parse(args);
  if (p.length % 2 !== 0)
    throw new ValueError(`F.pad: padding length must be divisible by 2, got ${p.length} ([${p}])`);
  const dims = p.length / 2;
  if (dims > input.rank) {
    throw new ValueError(
      `F.pad: padding length ${p.length} pads ${dims} dimensions, but the input of shape ${formatShape(input.shape)} has ${input.rank}`,
    );
  }
  if (mode !== 'constant') {
    if (value != null && value !== 0) {
      throw new ValueError(`F.pad: padding mode "${mode}" doesn't take in value argument (got ${value})`);
    }
    if (mode === 'circular' && input.rank !== dims + 2) {
      throw new ShapeError(
        `F.pad: circular padding of length ${p.length} needs a batched ${dims + 2}-D input [N, C, ...], got shape ${formatShape(input.shape)}`,
      );
    }
    if (dims > 3 || (input.rank !== dims + 1 && input.rank !== dims + 2)) {
      throw new ShapeError(
        `F.pad: ${mode} padding of length ${p.length} needs a ${dims + 1}-D or ${dims + 2}-D input, got shape ${formatShape(input.shape)}`,
      );
    }
  }
  // Intermediates stay alive for backward (tfjs's gradients of tile and concat read their inputs); the caller's
  // tf.tidy frees them, as for any composite op.
  let out = input;
  for (let i = 0; i < dims; i++) {
    const axis = input.rank - 1 - i;
    if (p[2 * i] !== 0 || p[2 * i + 1] !== 0) out = padAxis(out, axis, p[2 * i], p[2 * i + 1], mode, value ?? 0);
  }
  return out === input ? tf.clone(input) : out;
}

function padAxis(x: tf.Tensor, axis: number, before: number, after: number, mode: PadMode, value: number): tf.Tensor {
  const n = x.shape[axis];
  const where = `F.pad (${mode}) along dimension ${axis} of input ${formatShape(x.shape)}`;
  if (mode === 'constant') {
    if (n + before + after < 0 || (before < 0 && -before > n) || (after < 0 && -after > n)) {
      throw new ShapeError(`${where}: padding (${before}, ${after}) crops more than the ${n} elements there`);
    }
    let y = x;
    if (before < 0 || after < 0) {
      const begin = x.shape.map((_, d) => (d === axis ? Math.max(0, -before) : 0));
      const size = x.shape.map((s, d) => (d === axis ? n - Math.max(0, -before) - Math.max(0, -after) : s));
      y = tf.slice(x, begin, size);
    }
    const widths = x.shape.map((_, d): [number, number] =>
      d === axis ? [Math.max(0, before), Math.max(0, after)] : [0, 0],
    );
    return widths.some(([a, b]) => a > 0 || b > 0) ? tf.pad(y, widths, value) : y;
  }
  if (before < 0 || after < 0)
    throw new ValueError(`${where}: negative padding (${before}, ${after}) is only supported in constant mode`);
  if (mode === 'reflect' && (before >= n || after >= n)) {
    throw new ShapeError(`${where}: padding (${before}, ${after}) must be smaller than the input size ${n}`);
  }
  if (mode === 'circular') {
    if (before > n || after > n) {
      throw new ShapeError(
        `${where}: padding (${before}, ${after}) wraps around more than once; it must not exceed ${n}`,
      );
    }
    // Slices and a concat: tfjs's own gradients of both are exact.
    const parts = [
      ...(before > 0 ? [slab(x, axis, n - before, before)] : []),
      x,
      ...(after > 0 ? [slab(x, axis, 0, after)] : []),
    ];
    return tf.concat(parts, axis);
  }
  return EdgePad(x, axis, before, after, mode);
}

/** `len` entries of `x` along `axis` from `start`. */
function slab(x: tf.Tensor, axis: number, start: number, len: number): tf.Tensor {
  return tf.slice(
    x,
    x.shape.map((_, d) => (d === axis ? start : 0)),
    x.shape.map((s, d) => (d === axis ? len : s)),
  );
}

/**
 * Reflect or replicate padding along one axis, as one op. (tfjs's MirrorPad gradient is wrong on the cpu backend,
 * and its Tile gradient stops at rank 4.) Backward folds each padded copy's gradient back onto its source:
 * reflect adds the reversed border gradients next to the edge, replicate sums them into the edge itself.
 */
const EdgePad = defineFunction({
  name: 'EdgePad',
  forward(ctx, x: tf.Tensor, axis: number, before: number, after: number, mode: 'reflect' | 'replicate') {
    ctx.geometry = [axis, before, after, mode];
    const n = x.shape[axis];
    if (mode === 'reflect') {
      return tf.mirrorPad(
        x,
        x.shape.map((_, d): [number, number] => (d === axis ? [before, after] : [0, 0])),
        'reflect',
      );
    }
    const edge = (i: number, k: number) => {
      const e = slab(x, axis, i, 1);
      return tf.concat(Array(k).fill(e), axis);
    };
    return tf.concat([...(before > 0 ? [edge(0, before)] : []), x, ...(after > 0 ? [edge(n - 1, after)] : [])], axis);
  },
  backward(ctx, dy: tf.Tensor) {
    const [axis, before, after, mode] = ctx.geometry as [number, number, number, string];
    const n = dy.shape[axis] - before - after;
    let dx = slab(dy, axis, before, n);
    const widths = (lo: number, hi: number) =>
      dy.shape.map((_, d): [number, number] => (d === axis ? [lo, hi] : [0, 0]));
    if (before > 0) {
      const g = slab(dy, axis, 0, before);
      dx =
        mode === 'reflect'
          ? tf.add(dx, tf.pad(tf.reverse(g, axis), widths(1, n - 1 - before)))
          : tf.add(dx, tf.pad(tf.sum(g, axis, true), widths(0, n - 1)));
    }
    if (after > 0) {
      const g = slab(dy, axis, before + n, after);
      dx =
        mode === 'reflect'
          ? tf.add(dx, tf.pad(tf.reverse(g, axis), widths(n - 1 - after, 1)))
          : tf.add(dx, tf.pad(tf.sum(g, axis, true), widths(n - 1, 0)));
    }
    return [dx, null, null, null, null];
  },
});
