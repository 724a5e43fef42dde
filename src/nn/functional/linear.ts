import * as tf from '@tensorflow/tfjs-core';

import { needsInputGrad } from '../../autograd/tape';
import { ShapeError } from '../../errors';

/**
 * Applies a linear transformation `y = x Wᵀ + b` (torch's `F.linear`).
 *
 * Mirrors [torch.nn.functional.linear](https://pytorch.org/docs/1.13/generated/torch.nn.functional.linear.html).
 *
 * Shape:
 * - input: `[*, in_features]`
 * - weight: `[out_features, in_features]` (torch's layout)
 * - bias: `[out_features]`
 * - output: `[*, out_features]`
 *
 * @param input the input tensor.
 * @param weight the weight, `[out_features, in_features]`.
 * @param bias optional bias, `[out_features]`. Default: none.
 * @example
 * ```ts
 * const y = F.linear(tf.ones([8, 100]), w, b); // w: [6272, 100] -> y: [8, 6272]
 * ```
 */
export function linear(input: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null): tf.Tensor {
  if (weight.rank !== 2)
    throw new ShapeError(
      `linear: expected a 2D weight [out_features, in_features], got shape [${weight.shape.join(', ')}]`,
    );
  const [outF, inF] = weight.shape;
  if (input.rank < 1 || input.shape[input.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: expected input[-1] (in_features) to be ${inF}, got ${input.rank ? input.shape[input.rank - 1] : 'a scalar'} ` +
        `for input of shape [${input.shape.join(', ')}] (weight [${weight.shape.join(', ')}]); ` +
        `torch: mat1 and mat2 shapes cannot be multiplied`,
    );
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: expected bias of shape [${outF}], got [${bias.shape.join(', ')}]`);
  }
  const batchShape = input.shape.slice(0, -1);
  const x2 = input.rank === 2 ? input : tf.reshape(input, [-1, inF]);
  const y = linearOp(x2, weight, bias ?? null);
  return input.rank === 2 ? y : tf.reshape(y, [...batchShape, outF]);
}

/**
 * `x @ weightᵀ + bias` for 2-D `x`, as one tape node whose products all have untransposed operands: the weight is
 * transposed once (it is small), because a matMul with a transposed operand, or tfjs's own gradients of one, leaves
 * wasm's XNNPACK GEMM for a loop about 20x slower. Not tf.fused.matMul either: tfjs-backend-wasm 4.22's _FusedMatMul
 * gives wrong sums with transposeB and a [1]-shaped bias (seen on the article's Discriminator.out).
 * Gradients: `dx = dy @ weight`, `dweight = dyᵀ @ x`, `dbias = sum(dy, 0)`, each only when its input needs it.
 */
function linearOp(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const needX = needsInputGrad(x);
  const needW = needsInputGrad(weight);
  const forward = (xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null) => {
    const xw = tf.matMul(xs, tf.transpose(w));
    return b != null ? tf.add(xw, b) : xw;
  };
  const grads = (dy: tf.Tensor, xs: tf.Tensor, w: tf.Tensor) => [
    needX ? tf.matMul(dy, w) : tf.zeros(xs.shape),
    needW ? tf.matMul(tf.transpose(dy), xs) : tf.zeros(w.shape),
  ];
  const op =
    bias == null
      ? tf.customGrad((xs, w, save) => {
          (save as tf.GradSaveFunc)([xs as tf.Tensor, w as tf.Tensor]);
          return {
            value: forward(xs as tf.Tensor, w as tf.Tensor, null),
            gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => grads(dy, sx, sw),
          };
        })
      : tf.customGrad((xs, w, b, save) => {
          (save as tf.GradSaveFunc)([xs as tf.Tensor, w as tf.Tensor]);
          return {
            value: forward(xs as tf.Tensor, w as tf.Tensor, b as tf.Tensor),
            gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => [...grads(dy, sx, sw), tf.sum(dy, 0)],
          };
        });
  return bias == null ? (op as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, weight) : op(x, weight, bias);
}
