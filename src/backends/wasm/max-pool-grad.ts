/**
 * `MaxPoolGrad` for the wasm backend: tfjs-backend-wasm 4.22's kernel is wrong when a pooling window holds only
 * negative values (issue 9 item 5: on a random input, 34 of 2,304 gradient entries were wrong). This one routes each
 * output's gradient to the first maximum of its window (row-major, padding never chosen), exactly as tfjs's cpu
 * backend does. The library's own max pooling does not use `MaxPoolGrad`; this fixes `tf.maxPool`'s gradient for
 * code that calls tfjs directly.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';

const KERNEL = 'MaxPoolGrad';

/** The kernel function: tfjs's `MaxPoolGrad` inputs `{dy, input, output}` (NHWC) and attrs. */
export function maxPoolGradWasm(args: {
  inputs: { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  attrs: {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { dy, input },
    attrs: { filterSize, strides, pad, dimRoundingMode },
    backend,
  } = args;
  if (input.shape.length !== 4) {
    throw new BackendError(`${KERNEL}: expected a 4-D NHWC input, got shape ${formatShape(input.shape)}`);
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (dy.shape.join() !== info.outShape.join()) {
    throw new BackendError(
      `${KERNEL}: dy of shape ${formatShape(dy.shape)} does not match the pooling's output shape ${formatShape(info.outShape)}`,
    );
  }
  const heap = new WasmHeap(backend, KERNEL);
  const out = heap.zeros([...input.shape]);
  // Views after the allocation (it may grow the memory).
  const x = heap.f32(input);
  const g = heap.f32(dy);
  const dx = heap.f32(out);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const r0 = r * strideHeight - top;
      for (let c = 0; c < outWidth; c++) {
        const c0 = c * strideWidth - left;
        for (let d = 0; d < ch; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let i = Math.max(0, r0); i < Math.min(inHeight, r0 + fh); i++) {
            for (let j = Math.max(0, c0); j < Math.min(inWidth, c0 + fw); j++) {
              const k = ((b * inHeight + i) * inWidth + j) * ch + d;
              const v = x[k] as number;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (g[((b * outHeight + r) * outWidth + c) * ch + d] as number);
        }
      }
    }
  }
  return out;
}
