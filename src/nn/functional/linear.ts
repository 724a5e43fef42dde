import * as tf from '@tensorflow/tfjs-core';

import { signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, formatShape } from '../../errors';
import { checkFloat } from './utils';

const LINEAR = signature('F.linear', [
  ['weight', tensor()],
  ['bias', tensor().optional()],
]);

/**
 * Applies a linear transformation `y = x Wᵀ + b` (torch's `F.linear`).
 *
 * Mirrors [torch.nn.functional.linear](https://pytorch.org/docs/1.13/generated/torch.nn.functional.linear.html).
 *
 * Shape:
 * - input: `[*, in_features]`, float32
 * - weight: `[out_features, in_features]` (torch's layout)
 * - bias: `[out_features]`
 * - output: `[*, out_features]`
 *
 * @param input the input tensor.
 * @param args `weight, bias?` positionally or in a trailing options object: the weight `[out_features,
 *   in_features]` and an optional bias `[out_features]`. Default bias: `null`.
 * @example
 * ```ts
 * const y = F.linear(tf.ones([8, 100]), w, b); // w: [6272, 100] -> y: [8, 6272]
 * ```
 */
export function linear(input: tf.Tensor, ...args: ArgsOf<typeof LINEAR>): tf.Tensor {
  const where = 'linear';
  const { weight, bias } = LINEAR.parse(args);
  tensor().check(input, { where, name: 'input' });
  checkFloat(input, 'input', where);
  checkFloat(weight, 'weight', where);
  if (weight.rank !== 2)
    throw new ShapeError(
      `${where}: expected a 2D weight [out_features, in_features], got shape ${formatShape(weight.shape)}`,
    );
  const [outF, inF] = weight.shape;
  if (input.rank < 1 || input.shape[input.rank - 1] !== inF) {
    throw new ShapeError(
      `${where}: expected input[-1] (in_features) to be ${inF}, got ${input.rank ? input.shape[input.rank - 1] : 'a scalar'} ` +
        `for input of shape ${formatShape(input.shape)} (weight ${formatShape(weight.shape)}); ` +
        `torch: mat1 and mat2 shapes cannot be multiplied`,
    );
  }
  if (bias != null) {
    checkFloat(bias, 'bias', where);
    if (bias.rank !== 1 || bias.shape[0] !== outF)
      throw new ShapeError(`${where}: expected bias of shape [${outF}], got ${formatShape(bias.shape)}`);
  }
  const batchShape = input.shape.slice(0, -1);
  const x2 = input.rank === 2 ? input : tf.reshape(input, [-1, inF]);
  const y = LinearOp(x2, weight, bias);
  return input.rank === 2 ? y : tf.reshape(y, [...batchShape, outF]);
}

/**
 * The weight gradient `dyᵀ @ x` (`[out, in]` from `dy` `[N, out]` and `x` `[N, in]`), as `(xᵀ @ dy)ᵀ` when that moves
 * fewer floats: the wasm backend's `BatchMatMul` copies a transposed A once (N·out floats), where the other order
 * copies `x` and the `[in, out]` product (N·in + in·out; a language model's decoder, N = 700, in = 200, out = 10000,
 * 2.1 M floats instead of 7 M).
 */
function weightGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const [n, out] = dy.shape as [number, number];
  const inF = x.shape[1] as number;
  if (n * out <= n * inF + inF * out) return tf.matMul(dy, x, true, false);
  return tf.transpose(tf.matMul(x, dy, true, false));
}

/**
 * `x @ weightᵀ + bias` for 2-D `x`, as one tape node (tfjs's own matMul gradients would record several). The wasm
 * backend's `BatchMatMul` reads the transposed weight as it is. Not tf.fused.matMul: tfjs-backend-wasm 4.22's
 * _FusedMatMul gives wrong sums with transposeB and a [1]-shaped bias (seen on the article's Discriminator.out).
 */
const LinearOp = defineFunction({
  name: 'Linear',
  forward(ctx, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null) {
    ctx.saveForBackward(x, weight);
    const xw = tf.matMul(x, weight, false, true);
    return bias != null ? tf.add(xw, bias) : xw;
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, weight] = ctx.savedTensors;
    const [needX, needW, needB] = ctx.needsInputGrad;
    return [needX ? tf.matMul(dy, weight) : null, needW ? weightGrad(dy, x) : null, needB ? tf.sum(dy, 0) : null];
  },
});
