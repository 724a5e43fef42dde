/**
 * Max pooling for the wasm backend in torch's layout (NCHW), forward with torch's indices and backward as one
 * scatter: what `F.max_pool1d/2d` and `nn.MaxPool1d/2d` run when the backend has these kernels.
 *
 * The generic path (`windows.ts`: a gather into `[B, C, H_out, W_out, kH * kW]` patches, a reduction, 0/1 matrix
 * products back) costs ~250 ms per training step of pytorch/examples' mnist CNN on wasm, most of it in tfjs's
 * `GatherV2` and `Slice` (each reads its whole input); these two loops cost a few milliseconds.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';

/** Kernel names (namespaced: they are not tfjs's). */
export const PoolKernel = {
  /**
   * `{x [B, C, H, W]}`, attrs {@link MaxPoolAttrs} → `[y, indices]`, both `[B, C, H_out, W_out]`: each window's
   * maximum and its flat index `h * W + w` in the input plane (int32; torch's `return_indices`), chosen as torch's
   * CPU kernel does: the first maximum in row-major order, a NaN wins over numbers (the last NaN), taps in the
   * padding never.
   */
  MaxPool2d: 'TfjsTorchMaxPool2d',
  /**
   * `{dy [B, C, H_out, W_out], indices}` (int32, as {@link PoolKernel.MaxPool2d} gives), attrs `{inSize: [H, W]}` →
   * `dx [B, C, H, W]`: each output's gradient added at its index (torch's `max_pool2d_with_indices_backward`).
   */
  MaxPool2dGrad: 'TfjsTorchMaxPool2dGrad',
} as const;

/** The windows of {@link PoolKernel.MaxPool2d}, each `[along H, along W]`, torch's meaning. */
export interface MaxPoolAttrs {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  /** Output size (from torch's formula, ceil mode included). */
  outSize: [number, number];
}

type Args<I, A> = { inputs: I; attrs: A; backend: unknown };

function check4d(kernel: string, what: string, t: tf.TensorInfo, dtype: tf.DataType): void {
  if (t.shape.length !== 4 || t.dtype !== dtype) {
    throw new BackendError(
      `${kernel}: expected a ${dtype} [B, C, H, W] ${what}, got ${t.dtype} ${formatShape(t.shape)}`,
    );
  }
}

/** First valid tap and end (exclusive) of window `o` along one axis, in input coordinates (torch's loop bounds). */
function span(o: number, s: number, p: number, k: number, d: number, len: number): [number, number] {
  let first = o * s - p;
  const end = Math.min(first + (k - 1) * d + 1, len);
  while (first < 0) first += d;
  return [first, end];
}

/** {@link PoolKernel.MaxPool2d} on the wasm backend. */
export function maxPool2dWasm(args: Args<{ x: tf.TensorInfo }, MaxPoolAttrs>): tf.TensorInfo[] {
  const kernel = PoolKernel.MaxPool2d;
  const { x } = args.inputs;
  check4d(kernel, 'input', x, 'float32');
  const { kernel: k, stride: s, padding: p, dilation: d, outSize } = args.attrs;
  const [b, c, height, width] = x.shape as [number, number, number, number];
  const [oh, ow] = outSize;
  const heap = new WasmHeap(args.backend, kernel);
  const y = heap.alloc([b, c, oh, ow]);
  const indices = heap.allocInt32([b, c, oh, ow]);
  // Views after the allocations (they may grow the memory).
  const xv = heap.f32(x);
  const yv = heap.f32(y);
  const iv = heap.i32(indices);
  const rows = Array.from({ length: oh }, (_, o) => span(o, s[0], p[0], k[0], d[0], height));
  const cols = Array.from({ length: ow }, (_, o) => span(o, s[1], p[1], k[1], d[1], width));
  const plane = height * width;
  let at = 0;
  for (let base = 0; base < b * c * plane; base += plane) {
    for (const [i0, i1] of rows) {
      for (const [j0, j1] of cols) {
        let best = Number.NEGATIVE_INFINITY;
        let where = i0 * width + j0;
        for (let i = i0; i < i1; i += d[0]) {
          for (let idx = i * width + j0, end = i * width + j1; idx < end; idx += d[1]) {
            const v = xv[base + idx];
            if (v > best || Number.isNaN(v)) {
              best = v;
              where = idx;
            }
          }
        }
        yv[at] = best;
        iv[at++] = where;
      }
    }
  }
  return [y, indices];
}

/** {@link PoolKernel.MaxPool2dGrad} on the wasm backend. */
export function maxPool2dGradWasm(
  args: Args<{ dy: tf.TensorInfo; indices: tf.TensorInfo }, { inSize: [number, number] }>,
): tf.TensorInfo {
  const kernel = PoolKernel.MaxPool2dGrad;
  const { dy, indices } = args.inputs;
  check4d(kernel, 'output gradient', dy, 'float32');
  check4d(kernel, 'indices', indices, 'int32');
  if (indices.shape.join() !== dy.shape.join()) {
    throw new BackendError(
      `${kernel}: indices of shape ${formatShape(indices.shape)} do not match dy of shape ${formatShape(dy.shape)}`,
    );
  }
  const [b, c, oh, ow] = dy.shape as [number, number, number, number];
  const plane = args.attrs.inSize[0] * args.attrs.inSize[1];
  const heap = new WasmHeap(args.backend, kernel);
  const dx = heap.zeros([b, c, ...args.attrs.inSize]);
  const g = heap.f32(dy);
  const iv = heap.i32(indices);
  const dxv = heap.f32(dx);
  const per = oh * ow;
  for (let bc = 0, at = 0; bc < b * c; bc++) {
    const base = bc * plane;
    for (let o = 0; o < per; o++, at++) dxv[base + iv[at]] += g[at];
  }
  return dx;
}
