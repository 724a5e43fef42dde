/**
 * `torch.multinomial`: indices drawn from rows of non-negative weights, with torch 1.13's CPU algorithms and its
 * exact draws after `manualSeed`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { any, bool, checkTensors, int, signature, type ArgsOf } from '../args';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';
import { defaultGenerator, drawCumulative, Generator } from '../random';

const MULTINOMIAL = signature('torch.multinomial', [
  ['numSamples', int()],
  ['replacement', bool().default(false)],
  [
    'generator',
    any<Generator>('a Generator')
      .refine((g) => (g instanceof Generator ? null : 'should be a Generator'))
      .optional(),
  ],
]);

/** torch's names of the dtypes tfjs holds (int32 stands for torch's int64). */
const TORCH_DTYPE: Partial<Record<tf.DataType, string>> = { int32: 'Long', bool: 'Bool', complex64: 'ComplexFloat' };

/** torch 1.13 refuses more categories than float32 counts exactly. */
const MAX_CATEGORIES = 2 ** 24;

/**
 * Samples `numSamples` indices from each row of `input`, category `j` with probability proportional to
 * `input[..., j]` (the rows need not sum to 1), as `torch.multinomial` on torch 1.13's CPU: the same indices
 * for the same seed.
 *
 * See [torch.multinomial](https://pytorch.org/docs/1.13/generated/torch.multinomial.html).
 *
 * torch's two algorithms, both reproduced draw for draw:
 * - without replacement: the exponential race. Every weight is divided by its own Exp(1) draw
 *   (float32 `-log(1 - u)`, `u` a 53-bit uniform, drawn in row-major order over the whole input) and the
 *   largest quotient wins (`argmax`; `topk` for several samples, largest first).
 * - with replacement (one sample included): per row, the float32 cumulative weights divided by their sum (the
 *   last set to 1), then per sample a 53-bit uniform located by binary search.
 *
 * Arguments (positionally in this order, or in a trailing options object): `numSamples` (≥ 1), `replacement`
 * (default `false`), `generator` (default the global one).
 *
 * Errors as torch: `input` not 1-D or 2-D, not floating point, a negative, infinite or NaN weight, a row
 * summing to 0, `numSamples` < 1, or `numSamples` greater than the number of categories without replacement.
 *
 * Shape: input `[C]` or `[N, C]`; output `[numSamples]` or `[N, numSamples]`, int32 (torch's int64).
 * @example
 * ```ts
 * torch.manualSeed(0);
 * const weights = tf.tensor([0, 10, 3, 0]);
 * torch.multinomial(weights, 2);             // [1, 2]: without replacement, never a zero-weight category
 * torch.multinomial(weights, 4, true);       // e.g. [1, 1, 2, 1]
 * torch.multinomial(weights, 1, { generator: new torch.RandomGenerator(3) });
 * ```
 */
export function multinomial(input: tf.Tensor, ...args: ArgsOf<typeof MULTINOMIAL>): tf.Tensor {
  const { numSamples, replacement, generator } = MULTINOMIAL.parse(args);
  checkTensors('torch.multinomial', { input });
  if (input.rank < 1 || input.rank > 2) {
    throw new ShapeError(`torch.multinomial: prob_dist must be 1 or 2 dim (got ${formatShape(input.shape)})`);
  }
  if (input.dtype !== 'float32') {
    throw new ArgumentTypeError(
      `torch.multinomial: multinomial only supports floating-point dtypes for input, got: ${TORCH_DTYPE[input.dtype] ?? input.dtype}`,
    );
  }
  if (numSamples <= 0) throw new ValueError('torch.multinomial: cannot sample n_sample <= 0 samples');
  const n = input.shape[input.rank - 1];
  if (!replacement && numSamples > n) {
    throw new ValueError(
      `torch.multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${n})`,
    );
  }
  if (n > MAX_CATEGORIES) throw new ValueError('torch.multinomial: number of categories cannot exceed 2^24');
  const rows = input.rank === 1 ? 1 : input.shape[0];
  const outShape = input.rank === 1 ? [numSamples] : [rows, numSamples];
  const p = input.dataSync() as Float32Array;
  const gen = generator ?? defaultGenerator;
  const out = !replacement
    ? exponentialRace(p, rows, n, numSamples, gen)
    : withReplacement(p, rows, n, numSamples, gen);
  return tf.tensor(out, outShape, 'int32');
}

/** torch's fast path: `argmax` / `topk` of `p / q`, `q` ~ Exp(1) in float32. */
function exponentialRace(p: Float32Array, rows: number, n: number, k: number, gen: Generator): Int32Array {
  let valid = true;
  for (const v of p) if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) valid = false;
  if (!valid) {
    throw new ValueError('torch.multinomial: probability tensor contains either `inf`, `nan` or element < 0');
  }
  for (let r = 0; r < rows; r++) {
    if (p.subarray(r * n, (r + 1) * n).every((v) => v === 0)) {
      throw new ValueError('torch.multinomial: invalid multinomial distribution (sum of probabilities <= 0)');
    }
  }
  const q = new Float32Array(p.length);
  for (let i = 0; i < q.length; i++) q[i] = -Math.log(1 - gen.random53()); // exponential_(1): float64, then float
  for (let i = 0; i < q.length; i++) q[i] = p[i] / q[i];
  const out = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = q.subarray(r * n, (r + 1) * n);
    if (k === 1) {
      let best = 0;
      for (let j = 1; j < n; j++) if (row[j] > row[best]) best = j; // argmax: the first of equal maxima
      out[r] = best;
    } else {
      const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => row[b] - row[a] || a - b);
      out.set(order.slice(0, k), r * k);
    }
  }
  return out;
}

/** torch's `multinomial_with_replacement` CPU kernel: float32 cumulative weights, a binary search per draw. */
function withReplacement(p: Float32Array, rows: number, n: number, k: number, gen: Generator): Int32Array {
  const f = Math.fround;
  const cum = new Float32Array(n);
  const out = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = p[r * n + j];
      if (!(v >= 0)) {
        throw new ValueError(
          'torch.multinomial: invalid multinomial distribution (encountering probability entry < 0)',
        );
      }
      if (!Number.isFinite(v)) {
        throw new ValueError(
          'torch.multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)',
        );
      }
      sum = f(sum + v);
      cum[j] = sum;
    }
    if (!(sum > 0)) {
      throw new ValueError('torch.multinomial: invalid multinomial distribution (sum of probabilities <= 0)');
    }
    for (let j = 0; j < n; j++) cum[j] /= sum;
    cum[n - 1] = 1;
    for (let s = 0; s < k; s++) out[r * k + s] = drawCumulative(cum, gen);
  }
  return out;
}
