/**
 * `torch.nn.utils.rnn`: variable-length batches for the recurrent modules: {@link PackedSequence},
 * {@link packPaddedSequence}, {@link padPackedSequence}, {@link padSequence}, {@link packSequence}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { checkTensors, describeValue, intList, tensor } from '../../args';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../../errors';

/** A list of live tensors (torch's `sequences: List[Tensor]`). */
function checkTensorList(v: unknown, where: string): void {
  if (!Array.isArray(v)) {
    throw new ArgumentTypeError(`${where}(): sequences must be a list of tensors, got ${describeValue(v)}`);
  }
  v.forEach((t, i) => checkTensors(where, { [`sequences[${i}]`]: t }));
}

/**
 * A batch of sequences of different lengths, packed time step by time step (torch's `PackedSequence`):
 * `data` holds, for each step `t`, the `batchSizes[t]` sequences still running at `t` (longest first).
 * Build it with {@link packPaddedSequence} or {@link packSequence}; the recurrent modules accept it.
 *
 * Mirrors [torch.nn.utils.rnn.PackedSequence](https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.PackedSequence.html).
 * @example
 * ```ts
 * const packed = nn.utils.packPaddedSequence(x, [3, 1, 2], { enforceSorted: false });
 * const [out, hN] = gru.forward(packed); // out is a PackedSequence
 * ```
 */
export class PackedSequence {
  /**
   * @param data `[sum(lengths), *]`: the packed steps.
   * @param batchSizes int32 `[T]`: sequences running at each step, non-increasing.
   * @param sortedIndices int32 `[B]`: the batch order the packing used (`null`: already sorted).
   * @param unsortedIndices int32 `[B]`: its inverse (`null` with `sortedIndices` null).
   */
  constructor(
    readonly data: tf.Tensor,
    readonly batchSizes: tf.Tensor,
    readonly sortedIndices: tf.Tensor | null = null,
    readonly unsortedIndices: tf.Tensor | null = null,
  ) {
    checkTensors('PackedSequence', { data, batchSizes });
    if (sortedIndices != null) checkTensors('PackedSequence', { sortedIndices });
    if (unsortedIndices != null) checkTensors('PackedSequence', { unsortedIndices });
    if (sortedIndices && !unsortedIndices) this.unsortedIndices = invertPermutation(sortedIndices);
  }

  /** `batchSizes` as numbers. */
  batchSizeList(): number[] {
    return Array.from(this.batchSizes.dataSync());
  }

  /** The fields in torch's order (`data, batch_sizes, sorted_indices, unsorted_indices`). */
  toArray(): [tf.Tensor, tf.Tensor, tf.Tensor | null, tf.Tensor | null] {
    return [this.data, this.batchSizes, this.sortedIndices, this.unsortedIndices];
  }
}

/**
 * The inverse of a permutation (torch's `invert_permutation`): `out[perm[i]] = i`.
 * @param permutation int32 `[B]`, or null.
 * @returns int32 `[B]`, or null.
 * @example
 * ```ts
 * invertPermutation(tf.tensor1d([2, 0, 1], 'int32')); // [1, 2, 0]
 * ```
 */
export function invertPermutation(permutation: tf.Tensor): tf.Tensor;
export function invertPermutation(permutation: tf.Tensor | null): tf.Tensor | null;
export function invertPermutation(permutation: tf.Tensor | null): tf.Tensor | null {
  if (permutation == null) return null;
  checkTensors('invertPermutation', { permutation });
  const p = permutation.dataSync();
  const out = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) out[p[i]] = i;
  return tf.tensor1d(out, 'int32');
}

/** For each step, how many of the (sorted, descending) lengths reach it. */
function batchSizesOf(lengths: number[]): number[] {
  const T = lengths[0];
  const out: number[] = [];
  for (let t = 0; t < T; t++) out.push(lengths.filter((l) => l > t).length);
  return out;
}

/**
 * Time-major padded `[T, B, *]` to packed `[sum, *]` for the given batch sizes (differentiable gather).
 * @internal
 */
export function paddedToPacked(padded: tf.Tensor, batchSizes: number[]): tf.Tensor {
  checkTensors('paddedToPacked', { padded });
  intList({ min: 0 }).check(batchSizes, { where: 'paddedToPacked', name: 'batchSizes' });
  const [T, B, ...rest] = padded.shape;
  const idx: number[] = [];
  for (let t = 0; t < batchSizes.length; t++) for (let b = 0; b < batchSizes[t]; b++) idx.push(t * B + b);
  return tf.tidy(() => tf.gather(tf.reshape(padded, [T * B, ...rest]), tf.tensor1d(idx, 'int32')));
}

/**
 * Packed `[sum, *]` to time-major padded `[T, B, *]`, `value` outside each sequence (differentiable gather).
 * @internal
 */
export function packedToPadded(data: tf.Tensor, batchSizes: number[], totalLength: number, value = 0): tf.Tensor {
  checkTensors('packedToPadded', { data });
  intList({ min: 0 }).check(batchSizes, { where: 'packedToPadded', name: 'batchSizes' });
  const [N, ...rest] = data.shape;
  const B = batchSizes.length ? batchSizes[0] : 0;
  const idx: number[] = [];
  let offset = 0;
  for (let t = 0; t < totalLength; t++) {
    const bs = t < batchSizes.length ? batchSizes[t] : 0;
    for (let b = 0; b < B; b++) idx.push(b < bs ? offset + b : N);
    offset += bs;
  }
  return tf.tidy(() => {
    const fill = tf.fill([1, ...rest], value, data.dtype);
    const rows = tf.gather(tf.concat([data, fill]), tf.tensor1d(idx, 'int32'));
    return tf.reshape(rows, [totalLength, B, ...rest]);
  });
}

/** The lengths of a packed batch, in sorted order, from its batch sizes. */
export function lengthsOf(batchSizes: number[]): number[] {
  intList({ min: 0 }).check(batchSizes, { where: 'lengthsOf', name: 'batchSizes' });
  const B = batchSizes.length ? batchSizes[0] : 0;
  const out = new Array(B).fill(0);
  for (const bs of batchSizes) for (let b = 0; b < bs; b++) out[b]++;
  return out;
}

/** Options of {@link packPaddedSequence}. */
export interface PackPaddedOptions {
  /** Input is `[B, T, *]` instead of `[T, B, *]`. Default: `false`. */
  batchFirst?: boolean;
  /** Require `lengths` sorted in decreasing order (else sort the batch and remember the order). Default: `true`. */
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch of variable-length sequences (torch's `pack_padded_sequence`).
 *
 * Mirrors [torch.nn.utils.rnn.pack_padded_sequence](https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_padded_sequence.html).
 *
 * Shape: input `[T, B, *]` (or `[B, T, *]` with `batchFirst`); lengths `[B]`.
 * @param input the padded batch.
 * @param lengths each sequence's length (numbers, or an int tensor).
 * @param options `batchFirst` (default `false`), `enforceSorted` (default `true`).
 * @example
 * ```ts
 * const packed = packPaddedSequence(x, [5, 3, 2]);
 * ```
 */
export function packPaddedSequence(
  input: tf.Tensor,
  lengths: number[] | tf.Tensor,
  { batchFirst = false, enforceSorted = true }: PackPaddedOptions = {},
): PackedSequence {
  checkTensors('pack_padded_sequence', { input });
  const lens = Array.isArray(lengths)
    ? intList().check(lengths, { where: 'pack_padded_sequence', name: 'lengths' })
    : Array.from(tensor().check(lengths, { where: 'pack_padded_sequence', name: 'lengths' }).dataSync());
  if (input.rank < 2) {
    throw new ShapeError(
      `pack_padded_sequence: expected an input of at least 2 dimensions ([T, B, *]), got shape ${formatShape(input.shape)}`,
    );
  }
  const batchDim = batchFirst ? 0 : 1;
  const B = input.shape[batchDim];
  const T = input.shape[1 - batchDim];
  if (lens.length !== B) {
    throw new ShapeError(
      `pack_padded_sequence: Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B}) for input of shape ${formatShape(input.shape)}`,
    );
  }
  let sortedIndices: tf.Tensor | null = null;
  let order = lens.map((_, i) => i);
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++) {
      if (lens[i] > lens[i - 1]) {
        throw new ValueError(
          `pack_padded_sequence: \`lengths\` array must be sorted in decreasing order when \`enforce_sorted\` is True ` +
            `(got [${lens.join(', ')}]). You can pass \`enforceSorted: false\` to packPaddedSequence and/or ` +
            `packSequence to sidestep this requirement if you do not need ONNX exportability.`,
        );
      }
    }
  } else {
    order = order.sort((a, b) => lens[b] - lens[a]);
  }
  const sorted = order.map((i) => lens[i]);
  if (sorted.length && sorted[sorted.length - 1] <= 0) {
    throw new ValueError(
      `pack_padded_sequence: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0 ([${lens.join(', ')}])`,
    );
  }
  if (sorted.length && sorted[0] > T) {
    throw new ValueError(
      `pack_padded_sequence: a length (${sorted[0]}) exceeds the padded sequence length ${T} of input ${formatShape(input.shape)}`,
    );
  }
  const bs = batchSizesOf(sorted);
  const data = tf.tidy(() => {
    let x = input;
    if (!enforceSorted) x = tf.gather(x, tf.tensor1d(order, 'int32'), batchDim);
    if (batchFirst) x = tf.transpose(x, [1, 0, ...input.shape.slice(2).map((_, i) => i + 2)]);
    return paddedToPacked(x, bs);
  });
  if (!enforceSorted) sortedIndices = tf.tensor1d(order, 'int32');
  return new PackedSequence(data, tf.tensor1d(bs, 'int32'), sortedIndices);
}

/** Options of {@link padPackedSequence}. */
export interface PadPackedOptions {
  /** Return `[B, T, *]` instead of `[T, B, *]`. Default: `false`. */
  batchFirst?: boolean;
  /** Value of the padded elements. Default: `0`. */
  paddingValue?: number;
  /** Pad to this length (at least the longest sequence's). Default: the longest sequence's. */
  totalLength?: number | null;
}

/**
 * Unpacks a {@link PackedSequence} into a padded batch (torch's `pad_packed_sequence`), in the batch's original
 * order. Returns `[padded, lengths]` (lengths int32).
 *
 * Mirrors [torch.nn.utils.rnn.pad_packed_sequence](https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pad_packed_sequence.html).
 *
 * Shape: output `[T, B, *]` (or `[B, T, *]` with `batchFirst`), `lengths` `[B]`.
 * @param sequence the packed batch.
 * @param options `batchFirst` (default `false`), `paddingValue` (default `0`), `totalLength` (default: longest).
 * @example
 * ```ts
 * const [padded, lengths] = padPackedSequence(packedOutput, { batchFirst: true });
 * ```
 */
export function padPackedSequence(
  sequence: PackedSequence,
  { batchFirst = false, paddingValue = 0, totalLength = null }: PadPackedOptions = {},
): [tf.Tensor, tf.Tensor] {
  if (!(sequence instanceof PackedSequence)) {
    throw new ArgumentTypeError(
      `pad_packed_sequence(): sequence must be a PackedSequence (from packPaddedSequence or packSequence), got ${describeValue(sequence)}`,
    );
  }
  const bs = sequence.batchSizeList();
  let T = bs.length;
  if (totalLength != null) {
    if (totalLength < T) {
      throw new ValueError(
        `Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${T}`,
      );
    }
    T = totalLength;
  }
  let lengths = lengthsOf(bs);
  const padded = tf.tidy(() => {
    let out = packedToPadded(sequence.data, bs, T, paddingValue);
    if (sequence.unsortedIndices) out = tf.gather(out, sequence.unsortedIndices, 1);
    if (batchFirst) out = tf.transpose(out, [1, 0, ...out.shape.slice(2).map((_, i) => i + 2)]);
    return out;
  });
  if (sequence.unsortedIndices) {
    const u = sequence.unsortedIndices.dataSync();
    lengths = Array.from(u, (i) => lengths[i]);
  }
  return [padded, tf.tensor1d(lengths, 'int32')];
}

/**
 * Pads a list of variable-length sequences `[L_i, *]` to one tensor (torch's `pad_sequence`).
 *
 * Mirrors [torch.nn.utils.rnn.pad_sequence](https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pad_sequence.html).
 *
 * Shape: output `[max L, B, *]` (or `[B, max L, *]` with `batchFirst`).
 * @param sequences the sequences; their trailing dimensions must agree.
 * @param batchFirst batch dimension first. Default: `false`.
 * @param paddingValue value of the padded elements. Default: `0`.
 * @example
 * ```ts
 * padSequence([tf.ones([25, 300]), tf.ones([22, 300]), tf.ones([15, 300])]).shape; // [25, 3, 300]
 * ```
 */
export function padSequence(sequences: tf.Tensor[], batchFirst = false, paddingValue = 0): tf.Tensor {
  checkTensorList(sequences, 'pad_sequence');
  if (!sequences.length) throw new ValueError('pad_sequence: received an empty list of sequences');
  const trailing = sequences[0].shape.slice(1);
  sequences.forEach((s, i) => {
    if (s.rank < 1 || s.shape.slice(1).join() !== trailing.join()) {
      throw new ShapeError(
        `pad_sequence: sequence ${i} has shape ${formatShape(s.shape)}; expected [L, ${trailing.join(', ')}] as sequence 0 (${formatShape(sequences[0].shape)})`,
      );
    }
  });
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]));
  return tf.tidy(() => {
    const padded = sequences.map((s) =>
      s.shape[0] === maxLen
        ? s
        : tf.pad(
            s,
            s.shape.map((_, d) => (d === 0 ? [0, maxLen - s.shape[0]] : [0, 0])) as Array<[number, number]>,
            paddingValue,
          ),
    );
    return tf.stack(padded, batchFirst ? 0 : 1);
  });
}

/**
 * Packs a list of variable-length sequences `[L_i, *]` (torch's `pack_sequence`): `padSequence` then
 * `packPaddedSequence`.
 *
 * Mirrors [torch.nn.utils.rnn.pack_sequence](https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_sequence.html).
 * @param sequences the sequences, longest first unless `enforceSorted` is false.
 * @param enforceSorted require decreasing lengths. Default: `true`.
 * @example
 * ```ts
 * const packed = packSequence([tf.ones([3, 4]), tf.ones([2, 4])]);
 * ```
 */
export function packSequence(sequences: tf.Tensor[], enforceSorted = true): PackedSequence {
  checkTensorList(sequences, 'pack_sequence');
  const lengths = sequences.map((s) => s.shape[0]);
  const padded = padSequence(sequences);
  try {
    return packPaddedSequence(padded, lengths, { enforceSorted });
  } finally {
    padded.dispose();
  }
}
