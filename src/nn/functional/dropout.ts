import * as tf from '@tensorflow/tfjs-core';

import { ValueError } from '../../errors';
import { bernoulliFill, defaultGenerator, type Generator } from '../../random';

/**
 * Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` in training; identity
 * otherwise (torch's `F.dropout`). The mask comes from the library's seeded generator
 * (`torch.manualSeed`), as torch's `bernoulli_(1 - p)`.
 *
 * Mirrors [torch.nn.functional.dropout](https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout.html).
 *
 * Shape: any; output has the input's shape.
 * @param p probability of an element to be zeroed. Default: `0.5`.
 * @param training apply dropout (`true`, default) or return the input unchanged.
 * @example
 * ```ts
 * const y = F.dropout(x, 0.25, model.training);
 * ```
 */
export function dropout(
  input: tf.Tensor,
  p = 0.5,
  training = true,
  generator: Generator = defaultGenerator,
): tf.Tensor {
  checkP(p);
  if (!training || p === 0) return input;
  if (p === 1) return tf.mul(input, tf.zerosLike(input));
  const mask = bernoulliFill(input.size, 1 - p, generator);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] *= scale;
  return tf.mul(input, tf.tensor(mask, input.shape, 'float32'));
}

/** Checks a dropout probability as torch does. */
export function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
}
