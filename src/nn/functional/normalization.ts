/**
 * Normalisation ops other than batch norm (torch's `F.layer_norm`, `F.group_norm`, `F.instance_norm`,
 * `F.local_response_norm`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { float, int, intList, signature, tensor, union, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';

/** torch's `_shape_t`: one size or a list of sizes (a normalised shape), parsed to a list. */
export const shapeArg = () => union(int({ min: 1 }), intList({ min: 1 }));

/** A shape given as one int or a list, as a list. */
export function toShape(v: number | readonly number[]): number[] {
  return typeof v === 'number' ? [v] : [...v];
}

const LAYER_NORM = signature('F.layerNorm', [
  ['normalizedShape', shapeArg()],
  ['weight', tensor(['float32']).optional()],
  ['bias', tensor(['float32']).optional()],
  ['eps', float({ min: 0 }).default(1e-5)],
]);

/**
 * Layer normalisation over the last `normalizedShape.length` dimensions (torch's `F.layer_norm`): each slice is
 * shifted to mean 0 and scaled by `1 / sqrt(var + eps)` (biased variance), then multiplied by `weight` and
 * shifted by `bias` elementwise.
 *
 * Mirrors [torch.nn.functional.layer_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.layer_norm.html).
 *
 * Shape: input `[*, ...normalizedShape]`; `weight`, `bias` `normalizedShape`; output as the input.
 *
 * @param input the tensor.
 * @param args `normalizedShape, weight?, bias?, eps?` positionally or in a trailing options object:
 * - `normalizedShape` the trailing shape to normalise over (an int or a list of ints).
 * - `weight` elementwise scale of shape `normalizedShape`, or `null`. Default: `null` (1).
 * - `bias` elementwise shift of shape `normalizedShape`, or `null`. Default: `null` (0).
 * - `eps` added to the variance. Default: `1e-5`.
 * @example
 * ```ts
 * const y = F.layerNorm(x, [16], ln.weight, ln.bias); // x: [8, 10, 16]
 * F.layerNorm(x, 16, { eps: 1e-6 });
 * ```
 */
export function layerNorm(input: tf.Tensor, ...args: ArgsOf<typeof LAYER_NORM>): tf.Tensor {
  const a = LAYER_NORM.parse(args);
  const shape = toShape(a.normalizedShape);
  const k = shape.length;
  if (input.rank < k || shape.some((s, i) => input.shape[input.rank - k + i] !== s)) {
    throw new ShapeError(
      `F.layerNorm: given normalizedShape=${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of size ${formatShape(input.shape)}`,
    );
  }
  for (const [name, t] of [
    ['weight', a.weight],
    ['bias', a.bias],
  ] as const) {
    if (t != null && (t.rank !== k || t.shape.some((s, i) => s !== shape[i]))) {
      throw new ShapeError(
        `F.layerNorm: expected ${name} of shape ${formatShape(shape)} (normalizedShape), got ${formatShape(t.shape)}`,
      );
    }
  }
  return NormalizeLastDims(input, a.weight, a.bias, k, a.eps);
}

/**
 * `(x - mean) / sqrt(var + eps) * weight + bias` over the last `k` dims, with torch's closed-form backward
 * (`dx = rstd * (g - mean(g) - xhat * mean(g * xhat))`, `g = dy * weight`): one node, saving the normalised input.
 */
const NormalizeLastDims = defineFunction({
  name: 'LayerNorm',
  forward(ctx, x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, k: number, eps: number) {
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const mean = tf.mean(x, axes, true);
    const xc = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), axes, true), eps));
    const xhat = tf.mul(xc, rstd);
    let y = weight ? tf.mul(xhat, weight) : xhat;
    if (bias) y = tf.add(y, bias);
    ctx.axes = axes;
    ctx.hasWeight = weight != null;
    ctx.saveForBackward(xhat, rstd, ...(weight ? [weight] : []));
    return y === xhat ? tf.clone(xhat) : y;
  },
  backward(ctx, dy: tf.Tensor) {
    const [xhat, rstd, weight] = ctx.savedTensors;
    const axes = ctx.axes as number[];
    const lead = Array.from({ length: dy.rank - axes.length }, (_, i) => i);
    const sumLead = (t: tf.Tensor) => (lead.length ? tf.sum(t, lead) : t);
    const g = ctx.hasWeight ? tf.mul(dy, weight) : dy;
    const dx = ctx.needsInputGrad[0]
      ? tf.mul(rstd, tf.sub(tf.sub(g, tf.mean(g, axes, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), axes, true))))
      : null;
    const dw = ctx.needsInputGrad[1] ? sumLead(tf.mul(dy, xhat)) : null;
    const db = ctx.needsInputGrad[2] ? sumLead(dy) : null;
    return [dx, dw, db, null, null];
  },
});

/** Throws unless `t` is `null` or a 1-D tensor of `n` elements. */
export function checkPerChannel(t: tf.Tensor | null, n: number, name: string, where: string): void {
  if (t != null && (t.rank !== 1 || t.shape[0] !== n)) {
    throw new ValueError(`${where}: expected ${name} of shape [${n}], got ${formatShape(t.shape)}`);
  }
}
