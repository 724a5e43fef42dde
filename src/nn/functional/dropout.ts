/**
 * Dropout ops (torch's `F.dropout`, `F.dropout1d/2d/3d`, `F.alpha_dropout`, `F.feature_alpha_dropout`). Masks
 * come from the library's generator (`torch.manualSeed`) drawn as torch 1.13's CPU kernels draw them: one
 * `bernoulli_(1 - p)` over the mask (per element, or per `[N, C]` channel for the feature variants), so a seeded
 * run drops what torch drops. Where this cannot hold: torch builds with MKL draw `bernoulli_` through MKL's own
 * stream (the fixtures come from Debian's build, without MKL), and torch's CUDA kernels (fused dropout) draw
 * differently altogether.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { any, bool, float, signature, type ArgsOf } from '../../args';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { bernoulliFill, defaultGenerator, Generator } from '../../random';
import { checkInput } from './activation';
import { nchwShape, toChannelsLast } from './utils';

/** The `p` parameter of every dropout: a finite number (checked in `[0, 1]` by {@link checkP}). */
export const dropoutPArg = () => float().default(0.5);

/** Checks a dropout probability as torch does. */
export function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

const dropoutSignature = (where: string, training: boolean) =>
  signature(where, [
    ['p', dropoutPArg()],
    ['training', bool().default(training)],
    ['inplace', bool().default(false)],
    ['generator', any<Generator>('a Generator').default(defaultGenerator)],
  ]);

const DROPOUT = dropoutSignature('F.dropout', true);
const DROPOUT1D = dropoutSignature('F.dropout1d', true);
/** Python's default warnings filter: each message is shown once per process, not on every forward. */
const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

const DROPOUT2D = dropoutSignature('F.dropout2d', true);
const DROPOUT3D = dropoutSignature('F.dropout3d', true);
const ALPHA_DROPOUT = dropoutSignature('F.alphaDropout', false);
const FEATURE_ALPHA_DROPOUT = dropoutSignature('F.featureAlphaDropout', false);

/** SELU's saturation value `-alpha * scale`, the value alpha dropout drops to (torch's constant). */
const ALPHA_PRIME = 1.7580993408473766;

/**
 * torch's `_dropout_impl`: a mask of `bernoulli_(1 - p)` draws over the input (or over its `[N, C]` channels for
 * feature dropout), scaled by `1 / (1 - p)`; alpha dropout keeps the mean and variance of SELU activations instead.
 */
function dropoutImpl(
  input: tf.Tensor,
  p: number,
  train: boolean,
  feature: boolean,
  alpha: boolean,
  gen: Generator,
  where: string,
  channelsLast = false,
): tf.Tensor {
  checkP(p);
  if (!(gen instanceof Generator)) {
    throw new ValueError(`${where}: generator must be a torch.Generator (tfjs-torch Generator)`);
  }
  if (feature && input.rank < 2) {
    throw new ShapeError(
      `${where}: Feature dropout requires at least 2 dimensions in the input, got shape ${formatShape(input.shape)}`,
    );
  }
  if (p === 0 || !train || input.size === 0) return input;
  if (p === 1) return tf.mul(input, tf.scalar(0));
  // The mask is drawn in the NCHW order of what a channels-last run's NHWC input stands for, then transposed.
  const logical = channelsLast ? nchwShape(input.shape) : input.shape;
  const shape = feature ? logical.map((d, i) => (i < 2 ? d : 1)) : logical;
  const n = shape.reduce((a, b) => a * b, 1);
  // The mask of kept elements, written as 1 / (1 - p) (torch: noise.bernoulli_(1 - p).div_(1 - p)).
  if (!alpha) {
    const noise = bernoulliFill(n, 1 - p, gen, 1 / (1 - p));
    return withConstants([noise], shape, ([mask]) => tf.mul(input, channelsLast ? toChannelsLast(mask, 2) : mask));
  }
  const keep = bernoulliFill(n, 1 - p, gen);
  // torch: a = 1 / sqrt((alpha^2 p + 1)(1 - p)); b = (noise - 1) * alpha * a + alpha * a * p; noise *= a (float32 ops)
  const a = 1 / Math.sqrt((ALPHA_PRIME * ALPHA_PRIME * p + 1) * (1 - p));
  const b = new Float32Array(keep.length);
  const fa = Math.fround(a);
  const alphaA = Math.fround(ALPHA_PRIME * a);
  const alphaAP = Math.fround(ALPHA_PRIME * a * p);
  for (let i = 0; i < keep.length; i++) {
    b[i] = Math.fround(Math.fround((keep[i] - 1) * alphaA) + alphaAP);
    keep[i] = Math.fround(keep[i] * fa);
  }
  return withConstants([keep, b], shape, ([noise, shift]) => tf.add(tf.mul(input, noise), shift));
}

/**
 * `F.dropout` (`feature`: `F.dropout2d`) in a channels-last run (`nn/channels-last.ts`): `input` is the NHWC form of
 * a 4-d NCHW tensor, and so is the result; the mask is the one the NCHW call draws.
 */
export function dropoutChannelsLast(input: tf.Tensor, p: number, training: boolean, feature: boolean): tf.Tensor {
  const where = feature ? 'F.dropout2d' : 'F.dropout';
  return dropoutImpl(input, p, training, feature, false, defaultGenerator, where, true);
}

/** Runs `fn` on float32 tensors of `values` (each of `shape`), freed afterwards (the ops' gradients keep copies). */
function withConstants(values: Float32Array[], shape: number[], fn: (ts: tf.Tensor[]) => tf.Tensor): tf.Tensor {
  const ts = values.map((v) => tf.tensor(v, shape, 'float32'));
  try {
    return fn(ts);
  } finally {
    for (const t of ts) t.dispose();
  }
}

/**
 * Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` in training; identity
 * otherwise (torch's `F.dropout`). The mask is torch's `bernoulli_(1 - p)` from the library's seeded generator.
 *
 * Mirrors [torch.nn.functional.dropout](https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `p?` (default `0.5`), `training?` (default `true`), `inplace?` (accepted, changes nothing), and,
 *   beyond torch, `generator?` (default: the global one), positionally or in an options object.
 * @example
 * ```ts
 * const y = F.dropout(x, 0.25, model.training);
 * ```
 */
export function dropout(input: tf.Tensor, ...args: ArgsOf<typeof DROPOUT>): tf.Tensor {
  checkInput(input, 'F.dropout');
  const a = DROPOUT.parse(args);
  return dropoutImpl(input, a.p, a.training, false, false, a.generator, 'F.dropout');
}

/**
 * Zeroes whole channels (torch's `F.dropout1d`): each `input[n, c]` row with probability `p`, the rest scaled by
 * `1 / (1 - p)`.
 *
 * Mirrors [torch.nn.functional.dropout1d](https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout1d.html).
 *
 * Shape: `[N, C, L]` or `[C, L]`; output as the input.
 * @param input the tensor.
 * @param args `p?`, `training?`, `inplace?`, `generator?` as {@link dropout}.
 * @example
 * ```ts
 * F.dropout1d(x, 0.2);
 * ```
 */
export function dropout1d(input: tf.Tensor, ...args: ArgsOf<typeof DROPOUT1D>): tf.Tensor {
  checkInput(input, 'F.dropout1d');
  const a = DROPOUT1D.parse(args);
  checkP(a.p);
  if (input.rank !== 2 && input.rank !== 3) {
    throw new ShapeError(
      `F.dropout1d: Expected 2D or 3D input, but received a ${input.rank}D input of shape ${formatShape(input.shape)}. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  return unbatched(input, 2, (x) => dropoutImpl(x, a.p, a.training, true, false, a.generator, 'F.dropout1d'));
}

/**
 * Zeroes whole channels (torch's `F.dropout2d`): each `input[n, c]` feature map with probability `p`. As torch
 * 1.13, a 3-D input is read as `[N, C, L]` (with torch's warning) and other ranks warn.
 *
 * Mirrors [torch.nn.functional.dropout2d](https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout2d.html).
 *
 * Shape: `[N, C, H, W]` (or, as torch 1.13, `[N, C, L]`); output as the input.
 * @param input the tensor.
 * @param args `p?`, `training?`, `inplace?`, `generator?` as {@link dropout}.
 * @example
 * ```ts
 * F.dropout2d(x, 0.2);
 * ```
 */
export function dropout2d(input: tf.Tensor, ...args: ArgsOf<typeof DROPOUT2D>): tf.Tensor {
  checkInput(input, 'F.dropout2d');
  const a = DROPOUT2D.parse(args);
  checkP(a.p);
  if (input.rank !== 3 && input.rank !== 4) {
    warnOnce(
      `dropout2d: Received a ${input.rank}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead.`,
    );
  }
  if (input.rank === 3) {
    warnOnce(
      'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
    );
  }
  return dropoutImpl(input, a.p, a.training, true, false, a.generator, 'F.dropout2d');
}

/**
 * Zeroes whole channels (torch's `F.dropout3d`): each `input[n, c]` volume with probability `p`.
 *
 * Mirrors [torch.nn.functional.dropout3d](https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout3d.html).
 *
 * Shape: `[N, C, D, H, W]` or `[C, D, H, W]`; output as the input.
 * @param input the tensor.
 * @param args `p?`, `training?`, `inplace?`, `generator?` as {@link dropout}.
 * @example
 * ```ts
 * F.dropout3d(x, 0.2);
 * ```
 */
export function dropout3d(input: tf.Tensor, ...args: ArgsOf<typeof DROPOUT3D>): tf.Tensor {
  checkInput(input, 'F.dropout3d');
  const a = DROPOUT3D.parse(args);
  checkP(a.p);
  if (input.rank !== 4 && input.rank !== 5) {
    warnOnce(
      `dropout3d: Received a ${input.rank}-D input to dropout3d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead.`,
    );
  }
  return unbatched(input, 4, (x) => dropoutImpl(x, a.p, a.training, true, false, a.generator, 'F.dropout3d'));
}

/** Runs `fn` on a batch of one when `input` has the unbatched rank, as torch's unsqueeze/squeeze. */
function unbatched(input: tf.Tensor, unbatchedRank: number, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (input.rank !== unbatchedRank) return fn(input);
  const y = fn(tf.expandDims(input, 0));
  return tf.squeeze(y, [0]);
}

/**
 * Alpha dropout (torch's `F.alpha_dropout`): drops elements to SELU's saturation value and rescales so that
 * SELU activations keep zero mean and unit variance. Note torch's default `training=false`.
 *
 * Mirrors [torch.nn.functional.alpha_dropout](https://pytorch.org/docs/1.13/generated/torch.nn.functional.alpha_dropout.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `p?` (default `0.5`), `training?` (default `false`), `inplace?`, `generator?`.
 * @example
 * ```ts
 * F.alphaDropout(F.selu(x), 0.1, true);
 * ```
 */
export function alphaDropout(input: tf.Tensor, ...args: ArgsOf<typeof ALPHA_DROPOUT>): tf.Tensor {
  checkInput(input, 'F.alphaDropout');
  const a = ALPHA_DROPOUT.parse(args);
  return dropoutImpl(input, a.p, a.training, false, true, a.generator, 'F.alphaDropout');
}

/**
 * Alpha dropout of whole channels (torch's `F.feature_alpha_dropout`): each `input[n, c]` is dropped to SELU's
 * saturation value with probability `p`. Note torch's default `training=false`.
 *
 * Mirrors [torch.nn.functional.feature_alpha_dropout](https://pytorch.org/docs/1.13/generated/torch.nn.functional.feature_alpha_dropout.html).
 *
 * Shape: `[N, C, *]`; output as the input.
 * @param input the tensor.
 * @param args `p?` (default `0.5`), `training?` (default `false`), `inplace?`, `generator?`.
 * @example
 * ```ts
 * F.featureAlphaDropout(x, 0.1, true);
 * ```
 */
export function featureAlphaDropout(input: tf.Tensor, ...args: ArgsOf<typeof FEATURE_ALPHA_DROPOUT>): tf.Tensor {
  checkInput(input, 'F.featureAlphaDropout');
  const a = FEATURE_ALPHA_DROPOUT.parse(args);
  return dropoutImpl(input, a.p, a.training, true, true, a.generator, 'F.featureAlphaDropout');
}
