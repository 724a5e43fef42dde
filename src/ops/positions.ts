/**
 * What torch's indexing reads (`src/ops/indexing.ts`) and writes (`src/ops/scatter.ts`) share: argument checks
 * made before any kernel runs, index values checked on the host, flat positions of gather/scatter along a dim,
 * and {@link putFlat}, the differentiable write at flat positions. Internal: not re-exported.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { defineFunction } from '../autograd/function';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';
import { broadcastTo, stridesOf, tensorArg, tensorOrScalarArg, type TensorOrScalar } from './common';

/**
 * Checks that `v` is a live numeric tensor (torch's `TypeError` for anything else), naming the argument.
 * @param v the value.
 * @param where the function, as `torch.sort`.
 * @param name the argument's name. Default: `'input'`.
 */
export function checkTensor(v: unknown, where: string, name = 'input'): asserts v is tf.Tensor {
  tensorArg().check(v, { where, name });
  if ((v as tf.Tensor).dtype === 'string' || (v as tf.Tensor).dtype === 'complex64') {
    throw new ArgumentTypeError(
      `${where}(): argument '${name}' must be a float32, int32 or bool tensor, got a ${(v as tf.Tensor).dtype} tensor`,
    );
  }
}

/** Checks a tensor-or-number argument (a number, a boolean, or a live numeric tensor). */
export function checkTensorOrScalar(v: unknown, where: string, name: string): asserts v is TensorOrScalar {
  tensorOrScalarArg().check(v, { where, name });
  if (v instanceof tf.Tensor) checkTensor(v, where, name);
}

/** Refuses an index tensor that is not int32 (torch's int64). */
export function checkIndexTensor(index: tf.Tensor, where: string): void {
  if (index.dtype !== 'int32') {
    throw new ArgumentTypeError(
      `${where}(): Expected dtype int64 (int32 here) for index, got ${index.dtype} (shape ${formatShape(index.shape)})`,
    );
  }
}

/** Index values, checked to lie in `[lo, n)`; returns them. */
export function readIndex(index: tf.Tensor, n: number, dim: number, where: string, allowNegative = false): Int32Array {
  const v = index.dataSync() as Int32Array;
  for (const i of v) {
    if (i >= n || i < (allowNegative ? -n : 0)) {
      throw new ValueError(`${where}(): index ${i} is out of bounds for dimension ${dim} with size ${n}`);
    }
  }
  return v;
}

/**
 * Flat positions in a tensor of shape `shape` for torch's gather/scatter along `d`: position of element `p` of
 * `index` is `p` with its coordinate at `d` replaced by `index[p]`. Checks ranks, sizes and index values first.
 */
export function positionsAlong(index: tf.Tensor, shape: readonly number[], d: number, where: string): tf.Tensor {
  if (index.rank !== Math.max(shape.length, 1) && !(shape.length === 0 && index.rank <= 1)) {
    throw new ShapeError(
      `${where}(): Index tensor must have the same number of dimensions as input tensor (index shape ${formatShape(index.shape)}, input shape ${formatShape(shape)})`,
    );
  }
  const rank = shape.length;
  for (let k = 0; k < rank; k++) {
    if (k !== d && index.shape[k] > shape[k]) {
      throw new ShapeError(
        `${where}(): Size does not match at dimension ${k} expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(shape)} apart from dimension ${d}`,
      );
    }
  }
  readIndex(index, rank === 0 ? 1 : shape[d], d, where);
  if (rank === 0) return tf.reshape(index, index.shape);
  const strides = stridesOf(shape);
  return tf.tidy(() => {
    let pos: tf.Tensor = tf.mul(index, tf.scalar(strides[d], 'int32'));
    for (let k = 0; k < rank; k++) {
      if (k === d) continue;
      const r = tf.reshape(
        tf.mul(tf.range(0, index.shape[k], 1, 'int32'), tf.scalar(strides[k], 'int32')),
        index.shape.map((s, j) => (j === k ? s : 1)),
      );
      pos = tf.add(pos, r);
    }
    return pos;
  });
}

/**
 * Writes `values` (broadcast to `positions`' shape) into a copy of `x` at flat positions: assignment (the last
 * write wins, as torch's CPU kernels) or accumulation (repeated positions add). Differentiable in both.
 */
export function putFlat(x: tf.Tensor, positions: tf.Tensor, values: tf.Tensor, accumulate: boolean): tf.Tensor {
  const v = tf.reshape(broadcastTo(values.dtype === x.dtype ? values : tf.cast(values, x.dtype), positions.shape), [
    positions.size,
  ]);
  const flat = tf.reshape(x, [x.size]);
  if (accumulate) {
    // Summed in float32 (the wasm backend's UnsortedSegmentSum is float32-only), exact for int32 below 2^24.
    const f = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    const added = tf.unsortedSegmentSum(f(v), tf.reshape(positions, [positions.size]), x.size);
    const sum = tf.reshape(tf.add(f(flat), added), x.shape);
    if (x.dtype === 'float32') return sum;
    return x.dtype === 'bool' ? tf.notEqual(sum, 0) : tf.cast(tf.round(sum), x.dtype);
  }
  return tf.reshape(PutFlat(flat, v, tf.reshape(positions, [positions.size])), x.shape);
}

/**
 * `flat` with `v[k]` written at `positions[k]` (the last write wins where positions repeat), as one op whose backward
 * is torch's for scatter/index_put: every value gets the gradient at its position (`dy.gather(positions)`, also for
 * values a later write replaced), and the input gets the gradient where nothing was written.
 */
const PutFlat = defineFunction({
  name: 'PutFlat',
  forward(ctx, flat: tf.Tensor, v: tf.Tensor, positions: tf.Tensor) {
    const pos = positions.dataSync() as Int32Array;
    const winner = new Int32Array(flat.size).fill(-1);
    pos.forEach((p, k) => {
      winner[p] = k;
    });
    const mask = tf.tensor1d(
      Uint8Array.from(winner, (w) => (w >= 0 ? 1 : 0)),
      'bool',
    );
    const src = tf.gather(
      v.size ? v : tf.zeros([1], v.dtype),
      tf.tensor1d(
        Int32Array.from(winner, (w) => Math.max(w, 0)),
        'int32',
      ),
    );
    ctx.saveForBackward(mask, positions);
    return tf.where(mask, src, flat);
  },
  backward(ctx, dy: tf.Tensor) {
    const [mask, positions] = ctx.savedTensors;
    return [
      ctx.needsInputGrad[0] ? tf.where(mask, tf.zerosLike(dy), dy) : null,
      ctx.needsInputGrad[1] ? tf.gather(dy, positions) : null,
      null,
    ];
  },
});
