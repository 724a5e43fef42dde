/**
 * Helpers every `F.*` op shares (torch keeps theirs in `torch/nn/modules/utils.py`): tuples, rank checks,
 * layout conversion between torch's NC... and tfjs's N...C, and loss reductions.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, bool, describeValue, type Params, tensor } from '../../args';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../../errors';

/** A loss reduction, as torch's `reduction=` (`'mean'` is torch's default). */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/**
 * The `reduction` parameter of every loss, for {@link signature}s; an unknown value is torch's
 * `ValueError: avg is not a valid value for reduction`.
 */
export const reductionArg = (): Arg<Reduction> =>
  new Arg<Reduction>("one of 'none', 'mean', 'sum'", (v, ctx) => {
    if (typeof v !== 'string') {
      throw new ArgumentTypeError(
        `${ctx.where}(): argument '${ctx.name}' must be one of 'none', 'mean', 'sum', got ${describeValue(v)}`,
      );
    }
    if (!REDUCTIONS.includes(v)) {
      throw new ValueError(`${ctx.where}: ${v} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`);
    }
    return v as Reduction;
  });

/** torch's deprecated `size_average` / `reduce` loss arguments (`None` when not given), for {@link signature}s. */
export const legacyReductionArg = () => bool().optional();

/**
 * The reduction a loss uses: torch 1.13's `_Reduction.legacy_get_string` when `size_average` or `reduce` is given
 * (either one overrides `reduction`: `reduce=False` → `'none'`, else `size_average=False` → `'sum'`, else `'mean'`),
 * with torch's deprecation warning; `reduction` otherwise.
 * @param sizeAverage torch's `size_average`, or `null`.
 * @param reduce torch's `reduce`, or `null`.
 * @param reduction torch's `reduction`.
 */
export function legacyReduction(sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction): Reduction {
  if (sizeAverage === null && reduce === null) return reduction;
  const r: Reduction = (reduce ?? true) ? ((sizeAverage ?? true) ? 'mean' : 'sum') : 'none';
  console.warn(`size_average and reduce args will be deprecated, please use reduction='${r}' instead.`);
  return r;
}

/** torch's `_Loss` parameters: `size_average=None, reduce=None, reduction='mean'`. */
export const LOSS_PARAMS = [
  ['sizeAverage', legacyReductionArg()],
  ['reduce', legacyReductionArg()],
  ['reduction', reductionArg().default('mean')],
] as const satisfies Params;

/** torch's `_WeightedLoss` parameters: `weight=None` then {@link LOSS_PARAMS}. */
export const WEIGHTED_LOSS_PARAMS = [['weight', tensor().optional()], ...LOSS_PARAMS] as const satisfies Params;

// Tensor arguments are checked by the kit's one helper (src/args.ts); re-exported for the F ops.
export { checkTensors } from '../../args';

/**
 * Applies a reduction to elementwise losses: `'mean'` averages all elements, `'sum'` adds them, `'none'` keeps
 * them (torch's `reduction`).
 * @param loss elementwise losses.
 * @param reduction the reduction.
 */
export function reduce(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'sum') return tf.sum(loss);
  if (reduction === 'mean') return tf.mean(loss);
  return loss;
}

/**
 * torch's `_ntuple(n)`: a number repeated `n` times, or a list of `n` numbers returned as is.
 * @param v one number or `n` of them.
 * @param n the length.
 * @param name the parameter, for the error.
 * @param where the function, for the error.
 */
export function ntuple(v: number | readonly number[], n: number, name: string, where: string): number[] {
  if (typeof v === 'number') return Array(n).fill(v);
  if (!Array.isArray(v) || v.length !== n) {
    throw new ShapeError(`${where}: expected ${name} to be an int or ${n} ints, got [${v}]`);
  }
  return [...v];
}

/**
 * Checks that `input` has one of the ranks torch accepts for an op, e.g. `[3, 4]` for a 2-d op (unbatched
 * `[C, H, W]` or batched `[N, C, H, W]`), and names what came.
 * @param input the tensor.
 * @param ranks accepted ranks.
 * @param where the function, for the error.
 */
export function checkInputRank(input: tf.Tensor, ranks: readonly number[], where: string): void {
  if (!ranks.includes(input.rank)) {
    const want = ranks.map((r) => `${r}-D`).join(' or ');
    throw new ShapeError(
      `${where}: expected ${want} input, got ${input.rank}-D input of shape ${formatShape(input.shape)}`,
    );
  }
}

/**
 * Checks that a tensor is float32 (the library's only float dtype), naming it.
 * @param t the tensor.
 * @param name what it is, e.g. `input` or `weight`.
 * @param where the function.
 */
export function checkFloat(t: tf.Tensor, name: string, where: string): void {
  if (t.dtype !== 'float32') {
    throw new ShapeError(`${where}: expected ${name} to be float32, got ${t.dtype} (shape ${formatShape(t.shape)})`);
  }
}

/**
 * torch's channels-first `[N, C, *spatial]` to tfjs's channels-last `[N, *spatial, C]`; an unbatched
 * `[C, *spatial]` (rank `spatialRank + 1`) gets a batch of 1.
 * @param x the tensor.
 * @param spatialRank number of spatial dims (1, 2 or 3).
 */
export function toChannelsLast(x: tf.Tensor, spatialRank: number): tf.Tensor {
  const batched = x.rank === spatialRank + 1 ? tf.reshape(x, [1, ...x.shape]) : x;
  const perm = [0, ...Array.from({ length: spatialRank }, (_, i) => i + 2), 1];
  return tf.transpose(batched, perm);
}

/** The NCHW shape `[N, C, H, W]` of an NHWC shape `[N, H, W, C]` (what a channels-last run's tensor stands for). */
export function nchwShape(shape: readonly number[]): number[] {
  const [n, h, w, c] = shape;
  return [n, c, h, w];
}

/**
 * Inverse of {@link toChannelsLast}: `[N, *spatial, C]` back to `[N, C, *spatial]`, unbatched again when the
 * original rank was `spatialRank + 1`.
 * @param x the channels-last tensor.
 * @param originalRank the rank of the tensor before {@link toChannelsLast}.
 */
export function fromChannelsLast(x: tf.Tensor, originalRank: number): tf.Tensor {
  const s = x.rank - 2;
  const perm = [0, x.rank - 1, ...Array.from({ length: s }, (_, i) => i + 1)];
  const y = tf.transpose(x, perm);
  return originalRank === s + 1 ? tf.reshape(y, y.shape.slice(1)) : y;
}

/**
 * The output length of a sliding window (convolution or pooling), as torch computes it:
 * `floor((L + 2p - d(k - 1) - 1) / s) + 1`, or with `ceilMode` the ceiling, where the last window must start
 * inside the input or the left padding.
 * @param length input length.
 * @param kernel window size.
 * @param stride step.
 * @param padding zero padding on each side.
 * @param dilation spacing of the window's taps.
 * @param ceilMode round up (torch's `ceil_mode`).
 */
export function windowOutputSize(
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation = 1,
  ceilMode = false,
): number {
  const span = length + 2 * padding - dilation * (kernel - 1) - 1;
  let out = Math.floor((ceilMode ? span + stride - 1 : span) / stride) + 1;
  // torch: the last pooling window must start inside the input or the left padding.
  if (ceilMode && (out - 1) * stride >= length + padding) out--;
  return out;
}

/**
 * Whether two shapes are equal.
 * @param a a shape.
 * @param b another shape.
 */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * numpy/torch broadcasting of two shapes, with torch's message when they do not broadcast.
 * @param a a shape.
 * @param b another shape.
 * @param where the function, for the error.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${where}: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton ` +
          `dimension ${i} (shapes ${formatShape(a)} and ${formatShape(b)})`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}
