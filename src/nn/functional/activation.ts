import * as tf from '@tensorflow/tfjs-core';

import { FusedKernel, hasFusedKernel } from '../../backends/fused-kernels';

/**
 * `max(0, x)` elementwise (torch's `F.relu`). Gradient 0 at 0, as torch.
 * Mirrors [torch.nn.functional.relu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * F.relu(tf.tensor([-1, 2])); // [0, 2]
 * ```
 */
export function relu(input: tf.Tensor): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedLeakyRelu()) return fusedLeakyRelu(input, 0);
  return tf.relu(input);
}

/**
 * `x` where `x > 0`, else `negativeSlope * x` (torch's `F.leaky_relu`).
 * Mirrors [torch.nn.functional.leaky_relu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.leaky_relu.html).
 *
 * Shape: any; output has the input's shape.
 * @param negativeSlope slope for negative inputs. Default: `0.01`.
 * @example
 * ```ts
 * F.leakyRelu(tf.tensor([-1, 2]), 0.2); // [-0.2, 2]
 * ```
 */
export function leakyRelu(input: tf.Tensor, negativeSlope = 0.01): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedLeakyRelu()) return fusedLeakyRelu(input, negativeSlope);
  return tf.leakyRelu(input, negativeSlope);
}

function hasFusedLeakyRelu(): boolean {
  return hasFusedKernel(FusedKernel.LeakyRelu) && hasFusedKernel(FusedKernel.LeakyReluGrad);
}

/**
 * LeakyReLU (ReLU for `alpha = 0`) as one tape node over the backend's fused kernels: one pass forward, one pass
 * backward (tfjs's own gradients take three kernels: a comparison, a select and a multiply). For `alpha >= 0` the
 * output has the input's sign (`y > 0` exactly where `x > 0`), so the output is saved for backward, as torch's ReLU
 * does: the input can then be freed by whoever owns it.
 */
function fusedLeakyRelu(input: tf.Tensor, alpha: number): tf.Tensor {
  const attrs = { alpha } as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((x, save) => {
    // ReLU forward: the backend's own kernel (XNNPACK's SIMD clamp on wasm) is faster than a loop.
    const value =
      alpha === 0
        ? tf.relu(x as tf.Tensor)
        : (tf.engine().runKernel(FusedKernel.LeakyRelu, { x: x as tf.Tensor }, attrs) as tf.Tensor);
    (save as tf.GradSaveFunc)([alpha >= 0 ? value : (x as tf.Tensor)]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [signOf]: tf.Tensor[]) =>
        tf.engine().runKernel(FusedKernel.LeakyReluGrad, { dy, x: signOf }, attrs) as tf.Tensor,
    };
  });
  return op(input);
}

/**
 * Hyperbolic tangent elementwise (torch's `torch.tanh`).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * F.tanh(tf.tensor([0])); // [0]
 * ```
 */
export function tanh(input: tf.Tensor): tf.Tensor {
  return tf.tanh(input);
}

/**
 * Logistic sigmoid `1 / (1 + exp(-x))` elementwise (torch's `torch.sigmoid`).
 *
 * Shape: any; output has the input's shape.
 * @example
 * ```ts
 * F.sigmoid(tf.tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(input: tf.Tensor): tf.Tensor {
  return tf.sigmoid(input);
}

/**
 * Softmax along `dim` (torch's `F.softmax`). Shape: any; output has the input's shape.
 * @param dim the dimension to normalise over; negative counts from the end. Default: `-1`.
 * @example
 * ```ts
 * F.softmax(tf.tensor([[1, 2]]), 1);
 * ```
 */
export function softmax(input: tf.Tensor, dim = -1): tf.Tensor {
  return moveDimApply(input, dim, (x) => tf.softmax(x));
}

/**
 * Log-softmax along `dim` (torch's `F.log_softmax`). Shape: any; output has the input's shape.
 * @param dim the dimension to normalise over; negative counts from the end. Default: `-1`.
 * @example
 * ```ts
 * F.logSoftmax(tf.tensor([[1, 2]]), 1);
 * ```
 */
export function logSoftmax(input: tf.Tensor, dim = -1): tf.Tensor {
  return moveDimApply(input, dim, (x) => tf.logSoftmax(x));
}

function moveDimApply(input: tf.Tensor, dim: number, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const d = dim < 0 ? dim + input.rank : dim;
  if (d === input.rank - 1) return fn(input);
  const perm = [...Array(input.rank).keys()];
  perm[d] = input.rank - 1;
  perm[input.rank - 1] = d;
  return tf.transpose(fn(tf.transpose(input, perm)), perm);
}
