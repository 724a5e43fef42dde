/**
 * torch's `F.bilinear`: `y = x1ᵀ A x2 + b`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { signature, tensor, type ArgsOf } from '../../args';
import { ShapeError, formatShape } from '../../errors';

const BILINEAR = signature('F.bilinear', [
  ['input2', tensor(['float32'])],
  ['weight', tensor(['float32'])],
  ['bias', tensor(['float32']).optional()],
]);

/**
 * Bilinear transform `y[..., o] = Σᵢⱼ x1[..., i] · weight[o, i, j] · x2[..., j] + bias[o]` (torch's `F.bilinear`).
 *
 * Mirrors [torch.nn.functional.bilinear](https://pytorch.org/docs/1.13/generated/torch.nn.functional.bilinear.html).
 *
 * Shape: `input1` `[*, in1]`, `input2` `[*, in2]` (same leading dims), `weight` `[out, in1, in2]`, `bias` `[out]`;
 * output `[*, out]`.
 *
 * @param input1 the first input.
 * @param args `input2, weight, bias?`, positionally or in a trailing options object.
 * @example
 * ```ts
 * const y = F.bilinear(x1, x2, weight, bias); // [8, 3] x [8, 4] with weight [5, 3, 4] -> [8, 5]
 * ```
 */
export function bilinear(input1: tf.Tensor, ...args: ArgsOf<typeof BILINEAR>): tf.Tensor {
  const { input2, weight, bias } = BILINEAR.parse(args);
  const where = 'F.bilinear';
  if (!(input1 instanceof tf.Tensor) || input1.isDisposed || input1.dtype !== 'float32') {
    throw new ShapeError(`${where}: input1 must be a live float32 tensor`);
  }
  const s1 = input1.shape;
  const s2 = input2.shape;
  if (input1.rank !== input2.rank || input1.rank < 1) {
    throw new ShapeError(
      `${where}: input dimensions do not match: got ${input1.rank} and ${input2.rank} (shapes ${formatShape(s1)} and ${formatShape(s2)})`,
    );
  }
  if (s1.slice(0, -1).some((d, i) => d !== s2[i])) {
    throw new ShapeError(
      `${where}: input batch dimensions do not match: got ${formatShape(s1)} and ${formatShape(s2)}`,
    );
  }
  if (weight.rank !== 3) {
    throw new ShapeError(`${where}: expected weight [out, in1, in2] of 3 dimensions, got ${formatShape(weight.shape)}`);
  }
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (s1[s1.length - 1] !== in1) {
    throw new ShapeError(
      `${where}: input1 size does not match weight size: got ${s1[s1.length - 1]} but expected ${in1} (input1 ${formatShape(s1)}, weight ${formatShape(weight.shape)})`,
    );
  }
  if (s2[s2.length - 1] !== in2) {
    throw new ShapeError(
      `${where}: input2 size does not match weight size: got ${s2[s2.length - 1]} but expected ${in2} (input2 ${formatShape(s2)}, weight ${formatShape(weight.shape)})`,
    );
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== out)) {
    throw new ShapeError(
      `${where}: bias size does not match weight size: got ${formatShape(bias.shape)} but expected [${out}]`,
    );
  }
  const lead = s1.slice(0, -1);
  const batch = lead.reduce((a, b) => a * b, 1);
  // x1 [B, in1] @ weight as [in1, out * in2] -> [B, out, in2], then the dot with x2 over in2 (plain matMul, see
  // DEVELOPERS.md on wasm's fused matMul).
  const w = tf.reshape(tf.transpose(weight, [1, 0, 2]), [in1, out * in2]);
  const t = tf.reshape(tf.matMul(tf.reshape(input1, [batch, in1]), w), [batch, out, in2]);
  let y = tf.sum(tf.mul(t, tf.reshape(input2, [batch, 1, in2])), 2);
  if (bias != null) y = tf.add(y, bias);
  return tf.reshape(y, [...lead, out]);
}
