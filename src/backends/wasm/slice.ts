/**
 * `Slice` for the wasm backend on float32 and int32 tensors: the slice's contiguous runs copied straight from the heap.
 * The stock kernel first copies its whole input out of the heap (`readSync`) and then the runs, so taking one column
 * of a `[64, 100]` tensor (torch's `split` over the time steps of a batch) costs ~35 µs, and a training step that
 * splits its input step by step makes a hundred such calls. Other dtypes go to the stock kernel.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { WasmHeap, runStockKernel } from './internals';

const KERNEL = 'Slice';

/** Runs shorter than this are copied element by element (a `subarray` per run would cost more than the copy). */
const SHORT_RUN = 16;

/** The kernel function: tfjs's `Slice` inputs `{x}`, attrs `{begin, size}` (`size` may hold -1: to the end). */
export function sliceWasm(args: {
  inputs: { x: tf.TensorInfo };
  attrs: { begin: number | number[]; size: number | number[] };
  backend: unknown;
}): tf.TensorInfo {
  const { x } = args.inputs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return runStockKernel(KERNEL, args);
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin, args.attrs.size);
  const heap = new WasmHeap(args.backend, KERNEL);
  const out = x.dtype === 'int32' ? heap.allocInt32(size) : heap.alloc(size);
  const n = size.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  const rank = size.length;
  // Int32 views for both dtypes: a float32 copy through JS numbers could change a NaN's payload bits.
  const bits = (t: tf.TensorInfo) => {
    const a = t.dtype === 'int32' ? heap.i32(t) : heap.f32(t);
    return new Int32Array(a.buffer, a.byteOffset, a.length);
  };
  const src = bits(x);
  const dst = bits(out);
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  // The run: the innermost axes the slice takes whole, and the partial one before them.
  let axis = rank - 1;
  let run = 1;
  while (axis > 0 && size[axis] === x.shape[axis]) run *= size[axis--];
  run *= size[axis];
  const strides = [...tf.util.computeStrides(x.shape), 1];
  const index = new Array<number>(axis).fill(0);
  let first = 0;
  for (let d = 0; d <= axis; d++) first += begin[d] * strides[d];
  for (let o = 0; o < n; o += run) {
    let off = first;
    for (let d = 0; d < axis; d++) off += index[d] * strides[d];
    if (run < SHORT_RUN) for (let j = 0; j < run; j++) dst[o + j] = src[off + j];
    else dst.set(src.subarray(off, off + run), o);
    for (let d = axis - 1; d >= 0 && ++index[d] === size[d]; d--) index[d] = 0;
  }
  return out;
}
