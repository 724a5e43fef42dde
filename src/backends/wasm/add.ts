/**
 * `Add` for the wasm backend on float32 tensors of one shape, or one operand broadcast along the other's last axis
 * (a bias row) or a scalar: a SIMD loop on this thread. The stock kernel runs XNNPACK's add, which wakes the backend's
 * thread pool on every call; a training step of small tensors (an LSTM cell unrolled in a loop, the gradient sums of
 * its weights) makes thousands of such calls, each then waiting for the other threads. Other shapes and dtypes go to
 * the stock kernel. The sums are IEEE float32 additions, the same bits as the stock and cpu kernels.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { WasmHeap, runStockKernel } from './internals';
import { simdOps } from './simd';

const KERNEL = 'Add';

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/**
 * How `small` broadcasts against `big` (whose shape is the output's): `'same'` shape, `'row'` (`small` is
 * `[..1, N]` with `N` the last axis), `'scalar'`, or `null`.
 */
function broadcastKind(big: number[], small: number[]): 'same' | 'row' | 'scalar' | null {
  if (big.length === small.length && big.every((d, i) => d === small[i])) return 'same';
  if (size(small) === 1 && small.length <= big.length) return 'scalar';
  if (small.length > big.length || small.length === 0) return null;
  const n = small[small.length - 1];
  return n === big[big.length - 1] && size(small) === n ? 'row' : null;
}

/** The kernel function: tfjs's `Add` inputs `{a, b}`. */
export function addWasm(args: { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; backend: unknown }): tf.TensorInfo {
  const { a, b } = args.inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runStockKernel(KERNEL, args);
  const aBig = size(a.shape) >= size(b.shape) && a.shape.length >= b.shape.length;
  const [big, small] = aBig ? [a, b] : [b, a];
  const kind = broadcastKind(big.shape, small.shape);
  const heap = kind ? new WasmHeap(args.backend, KERNEL) : null;
  const ops = heap ? simdOps(heap.memory()) : null;
  if (!kind || !heap || !ops) return runStockKernel(KERNEL, args);
  const out = heap.alloc([...big.shape]);
  const n = size(big.shape);
  const [bigPtr, smallPtr, outPtr] = [big, small, out].map((t) => heap.ptr(t));
  // Views only for the JS tails (each is an object for the garbage collector, thousands per training step).
  const views = () => [big, small, out].map((t) => heap.f32(t));
  if (kind === 'same' || kind === 'scalar') {
    const n4 = n & ~3;
    if (kind === 'same') ops.add(bigPtr, smallPtr, outPtr, n4);
    else ops.affine(bigPtr, outPtr, n4, 1, heap.f32(small)[0]);
    if (n4 === n) return out;
    const [x, y, z] = views();
    for (let i = n4; i < n; i++) z[i] = x[i] + (kind === 'same' ? y[i] : y[0]);
  } else {
    const cols = small.shape[small.shape.length - 1];
    const c4 = cols & ~3;
    for (let r = 0; c4 > 0 && r < n; r += cols) ops.add(bigPtr + 4 * r, smallPtr, outPtr + 4 * r, c4);
    if (c4 === cols) return out;
    const [x, y, z] = views();
    for (let r = 0; r < n; r += cols) for (let j = c4; j < cols; j++) z[r + j] = x[r + j] + y[j];
  }
  return out;
}
