/**
 * The sliding-window machinery shared by pooling, unfold/fold and nearest resampling: torch's window positions
 * (padding, dilation, ceil mode, adaptive windows) as index lists, and {@link WindowPatches}, one differentiable
 * gather that lays out a 4-D input's windows as `[B, C, H_out, W_out, kH * kW]`. Its backward sums the patches'
 * gradients back with 0/1 matrix products (exact, and no `UnsortedSegmentSum`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { defineFunction } from '../../autograd/function';
import { windowOutputSize } from './utils';

/** The window positions along one spatial axis: `idx[o * k + j]` is tap `j` of window `o`, in padded coordinates. */
export interface AxisWindows {
  /** Output length. */
  out: number;
  /** Taps per window. */
  k: number;
  /** Indices into the padded axis, `out * k` of them. */
  idx: Int32Array;
  /** Padding before and after the input along this axis. */
  pad: [number, number];
}

/** The 0/1 `[idx.length, n]` selection matrix of an index list: its transpose scatters gradients back. */
function selection(idx: Int32Array, n: number): tf.Tensor2D {
  const m = new Float32Array(idx.length * n);
  idx.forEach((src, o) => {
    m[o * n + src] = 1;
  });
  return tf.tensor2d(m, [idx.length, n]);
}

/**
 * The windows of a 4-D `[B, C, H, W]` input as `[B, C, H_out, W_out, kH * kW]` (row-major taps), the input padded
 * with `fill` first. One differentiable op: gathers forward, 0/1 matrix products backward (exact sums, and no
 * `UnsortedSegmentSum`, which the wasm backend lacks).
 */
export const WindowPatches = defineFunction({
  name: 'WindowPatches',
  forward(ctx, x: tf.Tensor, h: AxisWindows, w: AxisWindows, fill: number) {
    ctx.windows = [h, w, x.shape];
    const [b, c] = x.shape;
    const padded = h.pad[0] || h.pad[1] || w.pad[0] || w.pad[1] ? tf.pad(x, [[0, 0], [0, 0], h.pad, w.pad], fill) : x;
    const rows = tf.gather(padded, h.idx, 2);
    const taps = tf.gather(rows, w.idx, 3);
    const six = tf.reshape(taps, [b, c, h.out, h.k, w.out, w.k]);
    return tf.reshape(tf.transpose(six, [0, 1, 2, 4, 3, 5]), [b, c, h.out, w.out, h.k * w.k]);
  },
  backward(ctx, dy: tf.Tensor) {
    const [h, w, shape] = ctx.windows as [AxisWindows, AxisWindows, number[]];
    return [scatterPatches(dy, h, w, shape), null, null, null];
  },
});

/**
 * The maximum over the last axis and its position, chosen as torch's CPU max pooling chooses: the first maximum
 * among the taps that `valid` marks (a `[..., k]` mask broadcast against the patches; `null`: all), a NaN over any
 * number (the last NaN). `[max, argmax (int32)]`; the gradient goes all to the chosen tap (tfjs's `max` gradient
 * splits it among ties).
 */
export const FirstMax = defineFunction({
  name: 'FirstMax',
  forward(ctx, p: tf.Tensor, valid: tf.Tensor | null) {
    const k = p.shape[p.rank - 1] as number;
    const nan = tf.isNaN(p);
    const hasNaN = tf.any(nan, -1);
    const lastNaN = tf.sub(tf.scalar(k - 1, 'int32'), tf.argMax(tf.reverse(tf.cast(nan, 'float32'), -1), -1));
    const max = tf.max(tf.where(nan, tf.fill(p.shape, Number.NEGATIVE_INFINITY), p), -1);
    const hits = tf.equal(p, tf.expandDims(max, -1));
    const firstHit = tf.argMax(tf.cast(valid ? tf.logicalAnd(hits, valid) : hits, 'float32'), -1);
    const arg = tf.where(hasNaN, lastNaN, firstHit);
    ctx.saveForBackward(arg);
    ctx.k = k;
    return [tf.where(hasNaN, tf.fill(max.shape, Number.NaN), max), arg];
  },
  backward(ctx, [dy]: tf.Tensor[]) {
    const [arg] = ctx.savedTensors;
    const hot = tf.oneHot(tf.reshape(arg, [-1]), ctx.k as number);
    return [tf.reshape(tf.mul(hot, tf.reshape(dy, [-1, 1])), [...dy.shape, ctx.k as number]), null];
  },
});

/**
 * Which taps of `[H_out, W_out, kH * kW]` windows lie inside the input (not in its padding), as a bool tensor; `null`
 * when all do.
 * @param h the row windows.
 * @param w the column windows.
 * @param height the unpadded input height.
 * @param width the unpadded input width.
 */
export function insideTaps(h: AxisWindows, w: AxisWindows, height: number, width: number): tf.Tensor | null {
  const inside = (a: AxisWindows, len: number) => a.idx.map((v) => (v >= a.pad[0] && v < a.pad[0] + len ? 1 : 0));
  const rows = inside(h, height);
  const cols = inside(w, width);
  if (rows.every((v) => v === 1) && cols.every((v) => v === 1)) return null;
  const mask = new Uint8Array(h.out * w.out * h.k * w.k);
  let at = 0;
  for (let oi = 0; oi < h.out; oi++)
    for (let oj = 0; oj < w.out; oj++)
      for (let i = 0; i < h.k; i++) for (let j = 0; j < w.k; j++) mask[at++] = rows[oi * h.k + i] & cols[oj * w.k + j];
  return tf.tensor(mask, [h.out, w.out, h.k * w.k], 'bool');
}

/** torch's sliding windows along one axis (padding, dilation, ceil mode), in padded coordinates. */
export function slidingWindows(
  length: number,
  k: number,
  s: number,
  p: number,
  d: number,
  ceilMode: boolean,
): AxisWindows {
  const out = windowOutputSize(length, k, s, p, d, ceilMode);
  const idx = new Int32Array(out * k);
  for (let o = 0; o < out; o++) for (let j = 0; j < k; j++) idx[o * k + j] = o * s + j * d;
  // Ceil mode's last window may run past the right padding: pad (with the fill value) as far as it reaches.
  const after = Math.max(p, (out - 1) * s + (k - 1) * d + 1 - length - p);
  return { out, k, idx, pad: [p, after] };
}

/** torch's adaptive windows along one axis: `[floor(o * L / out), ceil((o + 1) * L / out))`, short ones repeat their last tap. */
export function adaptiveWindows(length: number, out: number): AxisWindows & { len: Int32Array } {
  const start = (o: number) => Math.floor((o * length) / out);
  const end = (o: number) => Math.ceil(((o + 1) * length) / out);
  let k = 1;
  for (let o = 0; o < out; o++) k = Math.max(k, end(o) - start(o));
  const idx = new Int32Array(out * k);
  const len = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    len[o] = end(o) - start(o);
    for (let j = 0; j < k; j++) idx[o * k + j] = start(o) + Math.min(j, len[o] - 1);
  }
  return { out, k, idx, pad: [0, 0], len };
}

/** `[C, *spatial]` or `[N, C, *spatial]` (n spatial dims) as a 4-D `[B, C, H, W]` (H = 1 for 1-d); and back. */
export function to4d(x: tf.Tensor, n: number): tf.Tensor {
  const batched = x.rank === n + 2 ? x : tf.expandDims(x, 0);
  return n === 1 ? tf.expandDims(batched, 2) : batched;
}

export function from4d(y: tf.Tensor, n: number, rank: number): tf.Tensor {
  const spatial = n === 1 ? tf.squeeze(y, [2]) : y;
  return rank === n + 2 ? spatial : tf.squeeze(spatial, [0]);
}

/**
 * `x4[:, :, rows][:, :, :, cols]` for a 4-D `[B, C, H, W]` tensor, differentiable (the gradient sums back into
 * the sources): the nearest-neighbour resampling of `F.interpolate`.
 * @param x4 the input.
 * @param rows source row of each output row.
 * @param cols source column of each output column.
 * @returns `[B, C, rows.length, cols.length]`.
 */
export function gatherRowsCols(x4: tf.Tensor, rows: Int32Array, cols: Int32Array): tf.Tensor {
  const h: AxisWindows = { out: rows.length, k: 1, idx: rows, pad: [0, 0] };
  const w: AxisWindows = { out: cols.length, k: 1, idx: cols, pad: [0, 0] };
  return tf.squeeze(WindowPatches(x4, h, w, 0), [4]);
}

/**
 * The adjoint of {@link WindowPatches}: sums `[B, C, H_out, W_out, kH * kW]` patches back into a `[B, C, H, W]`
 * tensor (overlaps add up; padding is dropped). Plain tf ops (matrix products with 0/1 matrices), so it is itself
 * differentiable: `F.fold` is this.
 * @param patches the patches.
 * @param h the row windows.
 * @param w the column windows.
 * @param shape the unpadded `[B, C, H, W]`.
 * @returns `[B, C, H, W]`.
 */
export function scatterPatches(
  patches: tf.Tensor,
  h: AxisWindows,
  w: AxisWindows,
  shape: readonly number[],
): tf.Tensor {
  const [b, c, height, width] = shape as [number, number, number, number];
  const hp = height + h.pad[0] + h.pad[1];
  const wp = width + w.pad[0] + w.pad[1];
  const g = tf.transpose(tf.reshape(patches, [b, c, h.out, w.out, h.k, w.k]), [0, 1, 2, 4, 3, 5]);
  // Columns: [B*C*Oh*kh, Ow*kw] x [Ow*kw, Wp]; rows: [B*C*Wp, Oh*kh] x [Oh*kh, Hp].
  const cols = tf.matMul(tf.reshape(g, [-1, w.out * w.k]), selection(w.idx, wp));
  const t = tf.transpose(tf.reshape(cols, [b * c, h.out * h.k, wp]), [0, 2, 1]);
  const rows = tf.matMul(tf.reshape(t, [-1, h.out * h.k]), selection(h.idx, hp));
  const dx = tf.transpose(tf.reshape(rows, [b, c, wp, hp]), [0, 1, 3, 2]);
  return tf.slice(dx, [0, 0, h.pad[0], w.pad[0]], [b, c, height, width]);
}
