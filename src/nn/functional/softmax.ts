/**
 * The softmax family (torch's `F.softmax`, `F.log_softmax`, `F.softmin`) and `F.glu`: ops along one dimension.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { int, normalizeDim, oneOf, signature, type ArgsOf } from '../../args';
import { ShapeError, formatShape } from '../../errors';
import { checkInput } from './activation';

const warned = new Set<string>();

/**
 * torch's `_get_softmax_dim`: the dim `F.softmax(x)` uses when none is given (a deprecated legacy choice that torch
 * warns about): 0 for 0-, 1- and 3-D inputs, else 1.
 * @param name the function, for the warning.
 * @param rank the input's rank.
 */
export function legacySoftmaxDim(name: string, rank: number): number {
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(
      `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
    );
  }
  return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
}

const dimArgs = (where: string) =>
  signature(where, [
    ['dim', int().optional()],
    ['dtype', oneOf(['float32']).optional()],
  ]);

const SOFTMAX = dimArgs('F.softmax');
const LOG_SOFTMAX = dimArgs('F.logSoftmax');
const SOFTMIN = dimArgs('F.softmin');

/** The dim of a softmax-like call: checked and normalised before any kernel runs; torch's legacy rule for `null`. */
function softmaxDim(input: tf.Tensor, dim: number | null, name: string, where: string): number {
  return normalizeDim(dim ?? legacySoftmaxDim(name, input.rank), input.rank, where);
}

/**
 * Softmax along `dim` (torch's `F.softmax`): `exp(x) / sum(exp(x))` over each slice.
 * Mirrors [torch.nn.functional.softmax](https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmax.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `dim?`, `dtype?`, positionally or in an options object:
 * - `dim` the dimension to normalise over; negative counts from the end. Default: `null`: torch's deprecated
 *   implicit choice (0 for 0-, 1- and 3-D inputs, else 1), with torch's warning.
 * - `dtype` `'float32'` or `null` (the library's only float dtype). Default: `null`.
 * @example
 * ```ts
 * F.softmax(tf.tensor([[1, 2]]), 1);
 * F.softmax(x, { dim: -1 });
 * ```
 */
export function softmax(input: tf.Tensor, ...args: ArgsOf<typeof SOFTMAX>): tf.Tensor {
  checkInput(input, 'F.softmax');
  const { dim } = SOFTMAX.parse(args);
  return alongDim(input, softmaxDim(input, dim, 'softmax', 'F.softmax'), (x) => tf.softmax(x));
}

/**
 * Log-softmax along `dim` (torch's `F.log_softmax`), computed stably.
 * Mirrors [torch.nn.functional.log_softmax](https://pytorch.org/docs/1.13/generated/torch.nn.functional.log_softmax.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `dim?`, `dtype?` as {@link softmax}.
 * @example
 * ```ts
 * F.logSoftmax(tf.tensor([[1, 2]]), 1);
 * ```
 */
export function logSoftmax(input: tf.Tensor, ...args: ArgsOf<typeof LOG_SOFTMAX>): tf.Tensor {
  checkInput(input, 'F.logSoftmax');
  const { dim } = LOG_SOFTMAX.parse(args);
  return alongDim(input, softmaxDim(input, dim, 'log_softmax', 'F.logSoftmax'), (x) => tf.logSoftmax(x));
}

/**
 * Softmin along `dim`: `softmax(-x)` (torch's `F.softmin`).
 * Mirrors [torch.nn.functional.softmin](https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmin.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `dim?`, `dtype?` as {@link softmax}.
 * @example
 * ```ts
 * F.softmin(x, 1);
 * ```
 */
export function softmin(input: tf.Tensor, ...args: ArgsOf<typeof SOFTMIN>): tf.Tensor {
  checkInput(input, 'F.softmin');
  const { dim } = SOFTMIN.parse(args);
  return alongDim(input, softmaxDim(input, dim, 'softmin', 'F.softmin'), (x) => tf.softmax(tf.neg(x)));
}

/** Applies a last-axis op along `d` (already normalised): a transpose around it when `d` is not last. */
function alongDim(input: tf.Tensor, d: number, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (input.rank === 0) return tf.reshape(fn(tf.reshape(input, [1])), []);
  if (d === input.rank - 1) return fn(input);
  const perm = [...Array(input.rank).keys()];
  perm[d] = input.rank - 1;
  perm[input.rank - 1] = d;
  return tf.transpose(fn(tf.transpose(input, perm)), perm);
}

const GLU = signature('F.glu', [['dim', int().default(-1)]]);

/**
 * Gated linear unit (torch's `F.glu`): splits the input in halves `a`, `b` along `dim` and returns
 * `a * sigmoid(b)`.
 * Mirrors [torch.nn.functional.glu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.glu.html).
 *
 * Shape: input `[*, 2n, *]`; output `[*, n, *]` (halved along `dim`).
 * @param input the tensor.
 * @param args `dim?` (default `-1`).
 * @example
 * ```ts
 * F.glu(tf.randomNormal([4, 6]));  // [4, 3]
 * ```
 */
export function glu(input: tf.Tensor, ...args: ArgsOf<typeof GLU>): tf.Tensor {
  checkInput(input, 'F.glu');
  const { dim } = GLU.parse(args);
  if (input.rank === 0) throw new ShapeError('F.glu: glu does not support scalars because halving size must be even');
  const d = normalizeDim(dim, input.rank, 'F.glu');
  if (input.shape[d] % 2 !== 0) {
    throw new ShapeError(
      `F.glu: Halving dimension must be even, but dimension ${d} is size ${input.shape[d]} (input shape ${formatShape(input.shape)})`,
    );
  }
  const [a, b] = tf.split(input, 2, d);
  return tf.mul(a, tf.sigmoid(b));
}
