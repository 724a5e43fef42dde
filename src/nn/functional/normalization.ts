/**
 * Normalisation ops other than batch norm (torch's `F.layer_norm`, `F.group_norm`, `F.instance_norm`,
 * `F.local_response_norm`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, checkTensors, float, int, intList, signature, tensor, union, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { isGradEnabled, noGrad } from '../../autograd/tape';
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
  checkTensors('F.layerNorm', { input });
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
    ctx.eps = eps;
    ctx.hasWeight = weight != null;
    ctx.saveForBackward(xhat, rstd, x, ...(weight ? [weight] : []));
    return y === xhat ? tf.clone(xhat) : y;
  },
  backward(ctx, dy: tf.Tensor) {
    let [xhat, rstd, x, weight] = ctx.savedTensors;
    const axes = ctx.axes as number[];
    if (isGradEnabled()) {
      // A createGraph backward differentiates these gradients again, through x's statistics too: recompute them
      // from x in recorded ops (the forward's saved ones are constants to the tape).
      const xc = tf.sub(x, tf.mean(x, axes, true));
      rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), axes, true), ctx.eps as number));
      xhat = tf.mul(xc, rstd);
    }
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

/** Throws unless `t` is `null` or a 1-D tensor of `n` elements (one per channel of `input`). */
function checkPerChannel(t: tf.Tensor | null, n: number, name: string, input: tf.Tensor, where: string): void {
  if (t != null && (t.rank !== 1 || t.shape[0] !== n)) {
    throw new ShapeError(
      `${where}: expected ${name} of shape [${n}] (the channels of input ${formatShape(input.shape)}), got ${formatShape(t.shape)}`,
    );
  }
}

/** `[C]` as `[C, 1, ...]`, broadcasting over the channel dimension 1 of a rank-`rank` input. */
function perChannel(t: tf.Tensor, rank: number): tf.Tensor {
  return tf.reshape(t, [t.size, ...Array(Math.max(rank - 2, 0)).fill(1)]);
}

/** `y * weight + bias` per channel (dim 1), either absent. */
function channelAffine(y: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null): tf.Tensor {
  let out = weight ? tf.mul(y, perChannel(weight, y.rank)) : y;
  if (bias) out = tf.add(out, perChannel(bias, y.rank));
  return out;
}

const GROUP_NORM = signature('F.groupNorm', [
  ['numGroups', int({ min: 1 })],
  ['weight', tensor(['float32']).optional()],
  ['bias', tensor(['float32']).optional()],
  ['eps', float({ min: 0 }).default(1e-5)],
]);

/**
 * Group normalisation (torch's `F.group_norm`): the channels are split into `numGroups` groups, each group of each
 * sample is normalised over its channels and spatial positions (biased variance), then scaled and shifted per
 * channel.
 *
 * Mirrors [torch.nn.functional.group_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.group_norm.html).
 *
 * Shape: input `[N, C, *]` with `C` divisible by `numGroups`; `weight`, `bias` `[C]`; output as the input.
 *
 * @param input the tensor.
 * @param args `numGroups, weight?, bias?, eps?` (default `1e-5`), positionally or in an options object.
 * @example
 * ```ts
 * F.groupNorm(x, 4, gn.weight, gn.bias); // x: [N, 16, H, W]
 * ```
 */
export function groupNorm(input: tf.Tensor, ...args: ArgsOf<typeof GROUP_NORM>): tf.Tensor {
  checkTensors('F.groupNorm', { input });
  const a = GROUP_NORM.parse(args);
  if (input.rank < 2) {
    throw new ShapeError(
      `F.groupNorm: Expected at least 2 dimensions for input tensor but received ${input.rank} (shape ${formatShape(input.shape)})`,
    );
  }
  const [n, c] = input.shape;
  if (c % a.numGroups !== 0) {
    throw new ShapeError(
      `F.groupNorm: Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(input.shape)} and num_groups=${a.numGroups}`,
    );
  }
  const spatial = input.shape.slice(2).reduce((p, d) => p * d, 1);
  if (((n * c) / a.numGroups) * spatial === 1) {
    throw new ValueError(
      `F.groupNorm: Expected more than 1 value per channel when training, got input size ${formatShape([(n * c) / a.numGroups, a.numGroups, ...input.shape.slice(2)])}`,
    );
  }
  checkPerChannel(a.weight, c, 'weight', input, 'F.groupNorm');
  checkPerChannel(a.bias, c, 'bias', input, 'F.groupNorm');
  const grouped = tf.reshape(input, [n, a.numGroups, -1]);
  const y = tf.reshape(NormalizeLastDims(grouped, null, null, 1, a.eps), input.shape);
  return channelAffine(y, a.weight, a.bias);
}

const INSTANCE_NORM = signature('F.instanceNorm', [
  ['runningMean', tensor(['float32']).optional()],
  ['runningVar', tensor(['float32']).optional()],
  ['weight', tensor(['float32']).optional()],
  ['bias', tensor(['float32']).optional()],
  ['useInputStats', bool().default(true)],
  ['momentum', float({ min: 0, max: 1 }).default(0.1)],
  ['eps', float({ min: 0 }).default(1e-5)],
]);

/**
 * Instance normalisation (torch's `F.instance_norm`): each channel of each sample is normalised over its spatial
 * positions (biased variance), then scaled and shifted per channel. With `useInputStats` (default), running
 * statistics when given are updated in place as torch does (the batch average of each instance's mean and
 * unbiased variance, with `momentum`); without it, the running statistics normalise.
 *
 * Mirrors [torch.nn.functional.instance_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.instance_norm.html).
 *
 * Shape: input `[N, C, *]`; `runningMean`, `runningVar`, `weight`, `bias` `[C]`; output as the input.
 *
 * @param input the tensor.
 * @param args `runningMean?, runningVar?, weight?, bias?, useInputStats?` (`true`), `momentum?` (`0.1`),
 *   `eps?` (`1e-5`), positionally or in an options object. The running statistics must be `tf.Variable`s to be
 *   updated.
 * @example
 * ```ts
 * F.instanceNorm(x);                                   // x: [N, C, H, W]
 * F.instanceNorm(x, rm, rv, { useInputStats: false }); // normalise with running statistics
 * ```
 */
export function instanceNorm(input: tf.Tensor, ...args: ArgsOf<typeof INSTANCE_NORM>): tf.Tensor {
  checkTensors('F.instanceNorm', { input });
  const a = INSTANCE_NORM.parse(args);
  const where = 'F.instanceNorm';
  if (input.rank < 2) {
    throw new ShapeError(
      `${where}: expected input [N, C, *] of at least 2 dimensions, got shape ${formatShape(input.shape)}`,
    );
  }
  const c = input.shape[1] as number;
  for (const [name, t] of [
    ['runningMean', a.runningMean],
    ['runningVar', a.runningVar],
    ['weight', a.weight],
    ['bias', a.bias],
  ] as const) {
    checkPerChannel(t, c, name, input, where);
  }
  if (!a.useInputStats) {
    if (a.runningMean == null || a.runningVar == null) {
      throw new ValueError(
        `${where}: Expected running_mean and running_var to be defined when use_input_stats is false`,
      );
    }
    const scale = tf.rsqrt(tf.add(a.runningVar, a.eps));
    const y = tf.mul(tf.sub(input, perChannel(a.runningMean, input.rank)), perChannel(scale, input.rank));
    return channelAffine(y, a.weight, a.bias);
  }
  const spatial = input.shape.slice(2).reduce((p, d) => p * d, 1);
  if (spatial <= 1) {
    throw new ValueError(
      `${where}: Expected more than 1 spatial element when training, got input size ${formatShape(input.shape)}`,
    );
  }
  const axes = Array.from({ length: input.rank - 2 }, (_, i) => i + 2);
  for (const [name, t] of [
    ['runningMean', a.runningMean],
    ['runningVar', a.runningVar],
  ] as const) {
    if (t != null && !(t instanceof tf.Variable)) {
      throw new ValueError(`${where}: ${name} must be a tf.Variable (it is updated in place), got a tensor`);
    }
  }
  if (a.runningMean != null || a.runningVar != null) {
    noGrad(() =>
      tf.tidy(() => {
        const m = a.momentum;
        const mean = tf.mean(input, axes); // [N, C]
        const update = (running: tf.Tensor, stat: tf.Tensor) =>
          (running as tf.Variable).assign(tf.add(tf.mul(running, 1 - m), tf.mul(tf.mean(stat, 0), m)));
        if (a.runningMean != null) update(a.runningMean, mean);
        if (a.runningVar != null) {
          const unbiased = tf.div(
            tf.sum(tf.square(tf.sub(input, tf.reshape(mean, [...mean.shape, ...axes.map(() => 1)]))), axes),
            spatial - 1,
          );
          update(a.runningVar, unbiased);
        }
      }),
    );
  }
  const y = NormalizeLastDims(input, null, null, input.rank - 2, a.eps);
  return channelAffine(y, a.weight, a.bias);
}

const LOCAL_RESPONSE_NORM = signature('F.localResponseNorm', [
  ['size', int({ min: 1 })],
  ['alpha', float().default(1e-4)],
  ['beta', float().default(0.75)],
  ['k', float().default(1)],
]);

/**
 * Local response normalisation across channels (torch's `F.local_response_norm`):
 * `x / (k + alpha * mean(x², over `size` neighbouring channels))^beta`, the window zero-padded by `size // 2`
 * before and `(size - 1) // 2` after, averaged over `size` as torch.
 *
 * Mirrors [torch.nn.functional.local_response_norm](https://pytorch.org/docs/1.13/generated/torch.nn.functional.local_response_norm.html).
 *
 * Shape: input `[N, C, *]` (3-D or more); output as the input.
 *
 * @param input the tensor.
 * @param args `size, alpha?` (`1e-4`), `beta?` (`0.75`), `k?` (`1`), positionally or in an options object.
 * @example
 * ```ts
 * F.localResponseNorm(x, 5, 1e-4, 0.75, 2); // AlexNet's
 * ```
 */
export function localResponseNorm(input: tf.Tensor, ...args: ArgsOf<typeof LOCAL_RESPONSE_NORM>): tf.Tensor {
  checkTensors('F.localResponseNorm', { input });
  const a = LOCAL_RESPONSE_NORM.parse(args);
  if (input.rank < 3) {
    throw new ShapeError(
      `F.localResponseNorm: Expected 3D or higher dimensionality input (got ${input.rank} dimensions, shape ${formatShape(input.shape)})`,
    );
  }
  if (input.size === 0) return input;
  const c = input.shape[1] as number;
  const widths = input.shape.map((_, i): [number, number] =>
    i === 1 ? [Math.floor(a.size / 2), Math.floor((a.size - 1) / 2)] : [0, 0],
  );
  const sq = tf.pad(tf.square(input), widths);
  const windows = Array.from({ length: a.size }, (_, j) =>
    tf.slice(
      sq,
      input.shape.map((_, i) => (i === 1 ? j : 0)),
      input.shape.map((d, i) => (i === 1 ? c : d)),
    ),
  );
  const avg = tf.div(windows.length === 1 ? windows[0] : tf.addN(windows), a.size);
  return tf.div(input, tf.pow(tf.add(tf.mul(avg, a.alpha), a.k), a.beta));
}
