/**
 * `UnsortedSegmentSum` for the wasm backend, which tfjs-backend-wasm 4.22 lacks: the gradient of `tf.gather`
 * (behind `nn.Embedding`, packed sequences, index selection) needs it. Float32 data, int32 segment ids; ids
 * outside `[0, numSegments)` are dropped, as tfjs's cpu kernel does.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';

const KERNEL = 'UnsortedSegmentSum';

/** The kernel function: tfjs's `UnsortedSegmentSum` inputs `{x, segmentIds}` and attrs `{numSegments}`. */
export function unsortedSegmentSumWasm(args: {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { x, segmentIds },
    attrs: { numSegments },
    backend,
  } = args;
  if (segmentIds.dtype !== 'int32') {
    throw new BackendError(`${KERNEL}: expected int32 segment ids, got ${segmentIds.dtype}`);
  }
  const idRank = segmentIds.shape.length;
  if (x.shape.slice(0, idRank).join() !== segmentIds.shape.join()) {
    throw new BackendError(
      `${KERNEL}: segment ids of shape ${formatShape(segmentIds.shape)} do not prefix data of shape ${formatShape(x.shape)}`,
    );
  }
  const heap = new WasmHeap(backend, KERNEL);
  const inner = x.shape.slice(idRank).reduce((a, b) => a * b, 1);
  const out = heap.zeros([numSegments, ...x.shape.slice(idRank)]);
  // Views after the allocation (it may grow the memory).
  const src = heap.f32(x);
  const dst = heap.f32(out);
  const ids = heap.i32(segmentIds);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) dst[to + j] += src[from + j];
  }
  return out;
}
