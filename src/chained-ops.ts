/**
 * tfjs's chained tensor methods (`x.add(y)`, `x.mean()`, `x.reshape(...)`), registered at run time.
 *
 * tfjs-core alone does not register them (the `@tensorflow/tfjs` umbrella package does, through a
 * deep ESM-only import). Ported torch code chains methods (`(dLossReal + dLossFake) * 0.5` becomes
 * `dLossReal.add(dLossFake).mul(0.5)`), so the library registers the same methods, calling the same
 * public ops, whenever they are missing. Existing methods are never replaced.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
// Type-only: brings tfjs's own declarations of the chained methods into scope. Erased at run time.
import type * as _chainedOpTypes from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

export type { _chainedOpTypes };

/** Methods that call the tf op of the same name with `this` as the first argument. */
// biome-ignore format: a word list
const SAME_NAME = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh',
  'avgPool', 'batchToSpaceND', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d',
  'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d', 'dilation2d', 'div',
  'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp', 'expandDims', 'expm1', 'fft', 'floor',
  'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft', 'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu',
  'less', 'lessEqual', 'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp',
  'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum', 'mean', 'min',
  'minimum', 'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow',
  'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'rfft', 'round', 'rsqrt', 'selu',
  'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus', 'spaceToBatchND', 'split',
  'sqrt', 'square', 'squaredDifference', 'squeeze', 'step', 'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile',
  'topk', 'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

type Method = (this: tf.Tensor, ...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

function special(): Record<string, Method> {
  const asList = (x: tf.Tensor | tf.Tensor[]) => (x instanceof tf.Tensor ? [x] : x);
  return {
    as1D() {
      return tf.reshape(this, [this.size]);
    },
    as2D(rows: number, columns: number) {
      return tf.reshape(this, [rows, columns]);
    },
    as3D(r: number, c: number, d: number) {
      return tf.reshape(this, [r, c, d]);
    },
    as4D(r: number, c: number, d: number, d2: number) {
      return tf.reshape(this, [r, c, d, d2]);
    },
    as5D(r: number, c: number, d: number, d2: number, d3: number) {
      return tf.reshape(this, [r, c, d, d2, d3]);
    },
    asScalar() {
      return tf.reshape(this, []);
    },
    asType(dtype: tf.DataType) {
      return tf.cast(this, dtype);
    },
    flatten() {
      return tf.reshape(this, [this.size]);
    },
    reshapeAs(x: tf.Tensor) {
      return tf.reshape(this, x.shape);
    },
    toBool() {
      return tf.cast(this, 'bool');
    },
    toFloat() {
      return tf.cast(this, 'float32');
    },
    toInt() {
      return tf.cast(this, 'int32');
    },
    concat(x: tf.Tensor | tf.Tensor[], axis?: number) {
      return tf.concat([this, ...asList(x)], axis);
    },
    stack(x: tf.Tensor | tf.Tensor[], axis?: number) {
      return tf.stack([this, ...asList(x)], axis);
    },
    where(condition: tf.Tensor, x: tf.Tensor) {
      return tf.where(condition, this, x);
    },
    resizeBilinear(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean) {
      return tf.image.resizeBilinear(this as tf.Tensor3D, size, alignCorners, halfPixelCenters);
    },
    resizeNearestNeighbor(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean) {
      return tf.image.resizeNearestNeighbor(this as tf.Tensor3D, size, alignCorners, halfPixelCenters);
    },
  };
}

/** Registers the chained methods that are missing on `tf.Tensor.prototype`. Idempotent. */
export function registerChainedOps(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of SAME_NAME) {
    if (proto[name] != null || typeof ops[name] !== 'function') continue;
    const op = ops[name];
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return op(this, ...args);
    };
  }
  for (const [name, fn] of Object.entries(special())) {
    if (proto[name] != null) continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return fn.apply(this, args);
    };
  }
}
