import * as tf from '@tensorflow/tfjs-core';

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
  if (weight.rank !== 2) throw new ShapeError(`linear: expected a 2D weight [out_features, in_features], got shape [${weight.shape}]`);
  const [outF, inF] = weight.shape;
  if (input.rank < 1 || input.shape[input.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: expected input[-1] (in_features) to be ${inF}, got ${input.rank ? input.shape[input.rank - 1] : 'a scalar'} ` +
        `for input of shape [${input.shape}] (weight [${weight.shape}]); ` +
        `torch: mat1 and mat2 shapes cannot be multiplied`,
    );
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: expected bias of shape [${outF}], got [${bias.shape}]`);
  }
  const batchShape = input.shape.slice(0, -1);
  const x2 = input.rank === 2 ? input : tf.reshape(input, [-1, inF]);
  // Not tf.fused.matMul: tfjs-backend-wasm 4.22's _FusedMatMul gives wrong sums with transposeB and a
  // [1]-shaped bias (seen on the article's Discriminator.out).
  const xw = tf.matMul(x2, weight, false, true);
  const y = bias != null ? tf.add(xw, bias) : xw;
  return input.rank === 2 ? y : tf.reshape(y, [...batchShape, outF]);
}
