import * as tf from '@tensorflow/tfjs-core';

import { bool, checkTensors, float, int, oneOf, signature, type ArgsOf, tensor } from '../../args';
import { defineFunction, type FunctionCtx } from '../../autograd/function';
import { noGrad } from '../../autograd/tape';
import { ShapeError, ValueError, formatShape } from '../../errors';

/** EmbeddingBag's reductions. */
export type EmbeddingBagMode = 'sum' | 'mean' | 'max';

const EMBEDDING = signature('F.embedding', [
  ['paddingIdx', int().optional()],
  ['maxNorm', float({ gt: 0 }).optional()],
  ['normType', float().default(2)],
  ['scaleGradByFreq', bool().default(false)],
  ['sparse', bool().default(false)],
]);

const EMBEDDING_BAG = signature('F.embeddingBag', [
  ['offsets', tensor(['int32']).optional()],
  ['maxNorm', float({ gt: 0 }).optional()],
  ['normType', float().default(2)],
  ['scaleGradByFreq', bool().default(false)],
  ['mode', oneOf<EmbeddingBagMode>(['sum', 'mean', 'max']).default('mean')],
  ['sparse', bool().default(false)],
  ['perSampleWeights', tensor(['float32']).optional()],
  ['includeLastOffset', bool().default(false)],
  ['paddingIdx', int().optional()],
]);

/** torch's padding-index normalisation: negative counts from the end; `-1` (none) when null. */
export function normalizePaddingIdx(paddingIdx: number | null, numEmbeddings: number, where: string): number {
  if (paddingIdx == null) return -1;
  if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new ValueError(
      `${where}: Padding_idx must be within num_embeddings (got padding_idx=${paddingIdx} for ${numEmbeddings} embeddings)`,
    );
  }
  return paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
}

/** The indices as numbers, checked against the table size (torch: `IndexError: index out of range in self`). */
function readIndices(input: tf.Tensor, num: number, where: string): Int32Array {
  if (input.dtype !== 'int32') {
    throw new ShapeError(
      `${where}: expected an int32 index tensor (torch's LongTensor), got ${input.dtype} of shape ${formatShape(input.shape)}`,
    );
  }
  const idx = input.dataSync() as Int32Array;
  for (const i of idx) {
    if (i < 0 || i >= num) {
      throw new ValueError(
        `${where}: index ${i} is out of range for an embedding of ${num} rows (input of shape ${formatShape(input.shape)}); torch: index out of range in self`,
      );
    }
  }
  return idx;
}

/** torch's `embedding_renorm_`: rows referenced by `idx` whose p-norm exceeds `maxNorm` are scaled down in place. */
function renorm(weight: tf.Tensor, idx: Int32Array, maxNorm: number, normType: number): tf.Tensor {
  const [n, d] = weight.shape as [number, number];
  const w = weight.dataSync().slice() as Float32Array;
  let changed = false;
  for (const i of new Set(idx)) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += Math.abs(w[i * d + j]) ** normType;
    norm **= 1 / normType;
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < d; j++) w[i * d + j] *= scale;
      changed = true;
    }
  }
  if (!changed) return weight;
  const fresh = tf.tensor2d(w, [n, d]);
  if (weight instanceof tf.Variable) {
    noGrad(() => weight.assign(fresh));
    fresh.dispose();
    return weight;
  }
  return fresh;
}

interface GatherCtx extends FunctionCtx {
  rows: number;
  idx: Int32Array;
  paddingIdx: number;
  scaleGradByFreq: boolean;
}

/** Row lookup `weight[idx]` with torch's embedding backward: padding row gets no gradient; optional 1/frequency. */
const EmbeddingLookup = defineFunction({
  name: 'Embedding',
  forward(c: FunctionCtx, weight: tf.Tensor, idx: Int32Array, paddingIdx: number, scaleGradByFreq: boolean) {
    const ctx = c as GatherCtx;
    Object.assign(ctx, { rows: weight.shape[0], idx, paddingIdx, scaleGradByFreq });
    return tf.gather(weight, tf.tensor1d(idx, 'int32'));
  },
  backward(c: FunctionCtx, dy: tf.Tensor) {
    const ctx = c as GatherCtx;
    return [
      tf.tidy(() => {
        const { idx, rows, paddingIdx } = ctx;
        const seg = Int32Array.from(idx, (i) => (i === paddingIdx ? -1 : i));
        let g = dy;
        if (ctx.scaleGradByFreq) {
          const counts = new Map<number, number>();
          for (const i of idx) counts.set(i, (counts.get(i) ?? 0) + 1);
          const scale = Float32Array.from(idx, (i) => 1 / (counts.get(i) as number));
          g = tf.mul(g, tf.tensor2d(scale, [idx.length, 1]));
        }
        return tf.unsortedSegmentSum(g, tf.tensor1d(seg, 'int32'), rows);
      }),
      null,
      null,
      null,
    ];
  },
});

/**
 * Looks up rows of an embedding table (torch's `F.embedding`).
 *
 * Mirrors [torch.nn.functional.embedding](https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding.html).
 *
 * Shape: input int32 `[*]`; weight `[numEmbeddings, embeddingDim]`; output `[*, embeddingDim]`.
 * @param input indices in `[0, numEmbeddings)`.
 * @param weight the table.
 * @param args `paddingIdx` (row without gradient; default none), `maxNorm` (renormalise referenced rows whose
 *   `normType`-norm exceeds it, in place; default none), `normType` (default 2), `scaleGradByFreq` (default
 *   `false`), `sparse` (accepted; gradients are dense).
 * @example
 * ```ts
 * const y = F.embedding(tf.tensor2d([[1, 2], [4, 5]], [2, 2], 'int32'), weight); // [2, 2, dim]
 * ```
 */
export function embedding(input: tf.Tensor, weight: tf.Tensor, ...args: ArgsOf<typeof EMBEDDING>): tf.Tensor {
  checkTensors('F.embedding', { input, weight });
  const a = EMBEDDING.parse(args);
  if (weight.rank !== 2) {
    throw new ShapeError(`F.embedding: expected a 2-D weight [num, dim], got shape ${formatShape(weight.shape)}`);
  }
  const [num, dim] = weight.shape as [number, number];
  const pad = normalizePaddingIdx(a.paddingIdx, num, 'F.embedding');
  const idx = readIndices(input, num, 'F.embedding');
  const w = a.maxNorm != null ? renorm(weight, idx, a.maxNorm, a.normType) : weight;
  const rows = EmbeddingLookup(w, idx, pad, a.scaleGradByFreq);
  return input.rank === 1 ? rows : tf.reshape(rows, [...input.shape, dim]);
}

/**
 * Sums, averages or takes the max of bags of embeddings without building the intermediate rows per bag (torch's
 * `F.embedding_bag`).
 *
 * Mirrors [torch.nn.functional.embedding_bag](https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding_bag.html).
 *
 * Shape: input int32 `[B, N]` (fixed-size bags) or `[total]` with `offsets` `[B]` (`[B + 1]` with
 * `includeLastOffset`); weight `[numEmbeddings, dim]`; output `[B, dim]`. Empty bags give zeros; entries equal to
 * `paddingIdx` are left out (and out of the mean's count).
 * @param input indices.
 * @param weight the table.
 * @param args `offsets`, `maxNorm`, `normType` (2), `scaleGradByFreq` (`false`), `mode` (`'mean'`), `sparse`,
 *   `perSampleWeights` (`mode: 'sum'` only), `includeLastOffset` (`false`), `paddingIdx` (none).
 * @example
 * ```ts
 * const y = F.embeddingBag(tf.tensor1d([1, 2, 4, 5, 4, 3, 2, 9], 'int32'), weight, tf.tensor1d([0, 4], 'int32'));
 * ```
 */
export function embeddingBag(input: tf.Tensor, weight: tf.Tensor, ...args: ArgsOf<typeof EMBEDDING_BAG>): tf.Tensor {
  checkTensors('F.embeddingBag', { input, weight });
  const a = EMBEDDING_BAG.parse(args);
  const where = 'F.embedding_bag';
  if (weight.rank !== 2) {
    throw new ShapeError(`${where}: expected a 2-D weight [num, dim], got shape ${formatShape(weight.shape)}`);
  }
  const [num, dim] = weight.shape as [number, number];
  if (a.perSampleWeights && a.perSampleWeights.shape.join() !== input.shape.join()) {
    throw new ShapeError(
      `${where}: embedding_bag: If per_sample_weights (${formatShape(a.perSampleWeights.shape)}) is not None, then it must have the same shape as the input (${formatShape(input.shape)})`,
    );
  }
  let starts: number[];
  if (input.rank === 2) {
    if (a.offsets) throw new ValueError(`${where}: if input is 2D, then offsets has to be None`);
    const [B, N] = input.shape as [number, number];
    starts = Array.from({ length: B }, (_, i) => i * N);
  } else if (input.rank === 1) {
    if (!a.offsets) throw new ValueError(`${where}: offsets has to be a 1D Tensor but got None`);
    if (a.offsets.rank !== 1) throw new ValueError(`${where}: offsets has to be a 1D Tensor`);
    starts = Array.from(a.offsets.dataSync());
    if (a.includeLastOffset) starts = starts.slice(0, -1);
    if (starts.length && starts[0] !== 0) {
      throw new ValueError(
        `${where}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${starts[0]}`,
      );
    }
  } else {
    throw new ValueError(`${where}: input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.rank}`);
  }
  if (a.mode === 'max' && a.scaleGradByFreq) {
    throw new ValueError(`${where}: max mode does not support scaling the gradient by the frequency`);
  }
  if (a.perSampleWeights && a.mode !== 'sum') {
    throw new ValueError(
      `${where}: embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${a.mode}')`,
    );
  }
  const pad = normalizePaddingIdx(a.paddingIdx, num, where);
  const idx = readIndices(input, num, where);
  const total = idx.length;
  const ends = starts.map((s, i) => (i + 1 < starts.length ? starts[i + 1] : total));
  const B = starts.length;
  return tf.tidy(() => {
    const w = a.maxNorm != null ? renorm(weight, idx, a.maxNorm, a.normType) : weight;
    const rows = EmbeddingLookup(w, idx, pad, a.scaleGradByFreq);
    if (a.mode === 'max') {
      const bags = starts.map((s, b) => {
        const members: number[] = [];
        for (let k = s; k < ends[b]; k++) if (idx[k] !== pad) members.push(k);
        return members.length ? tf.max(tf.gather(rows, tf.tensor1d(members, 'int32')), 0) : tf.zeros([dim]);
      });
      return B ? tf.stack(bags) : tf.zeros([0, dim]);
    }
    const seg = new Int32Array(total);
    const scale = new Float32Array(total);
    starts.forEach((s, b) => {
      let count = 0;
      for (let k = s; k < ends[b]; k++) if (idx[k] !== pad) count++;
      for (let k = s; k < ends[b]; k++) {
        seg[k] = b;
        scale[k] = idx[k] === pad ? 0 : a.mode === 'mean' ? 1 / count : 1;
      }
    });
    let factor: tf.Tensor = tf.tensor2d(scale, [total, 1]);
    if (a.perSampleWeights) factor = tf.mul(factor, tf.reshape(a.perSampleWeights, [total, 1]));
    return tf.unsortedSegmentSum(tf.mul(rows, factor), tf.tensor1d(seg, 'int32'), B);
  });
}
