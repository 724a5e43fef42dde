/**
 * In-memory datasets and seeded batch samplers (core-safe: no Node imports).
 *
 * `TensorDataset` mirrors `torch.utils.data.TensorDataset`; `ImageDataset` keeps NCHW images as
 * typed arrays (bytes for MNIST: 47 MB for 60,000 digits instead of 188 MB of float32) and builds
 * one batch tensor at a time. The samplers reproduce the two index streams a torch user meets:
 * `BatchSampler` is `DataLoader(ds, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))`
 * and `RandomBatchSampler` is the article's `np.random.seed(seed); np.random.randint(n, size=batch_size)`.
 * Both draw from MT19937 seeded like torch's CPU `Generator` and NumPy's legacy `RandomState`
 * (Matsumoto–Nishimura `init_genrand`), so the indices match Python's bit for bit.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { checkTensors, describeValue } from '../args';
import { ArgumentTypeError, ShapeError, ValueError } from '../errors';

/**
 * Images as raw bytes in NCHW order, the form the MNIST and IDX loaders return.
 * `images.length === count * channels * height * width`; `labels`, when present, has `count` entries.
 */
export interface ImageBytes {
  /** Pixel values 0..255, NCHW, `count * channels * height * width` of them. */
  images: Uint8Array;
  /** One class label per image, or `null` when the source has none. */
  labels: Uint8Array | null;
  /** Number of images, `N`. */
  count: number;
  /** Channels per image, `C` (1 for MNIST). */
  channels: number;
  /** Image height, `H`. */
  height: number;
  /** Image width, `W`. */
  width: number;
}

/**
 * How bytes become float32 pixels: `'symmetric'` is the article's `x / 127.5 - 1` (range [-1, 1],
 * what a tanh generator produces); `'unit'` is torchvision's `ToTensor()`, `x / 255` (range [0, 1]).
 */
export type ByteScale = 'symmetric' | 'unit';

const LUTS: Record<ByteScale, Float32Array> = {
  // Float32 arithmetic as NumPy does it on a float32 array: fround(x / 127.5) then fround(... - 1).
  // (Double rounding through float64 is exact for one division or subtraction of float32 values.)
  symmetric: Float32Array.from({ length: 256 }, (_, x) => Math.fround(Math.fround(x / 127.5) - 1)),
  unit: Float32Array.from({ length: 256 }, (_, x) => Math.fround(x / 255)),
};

/**
 * Converts pixel bytes to float32 exactly as NumPy/torch compute it in float32.
 *
 * @param bytes Pixel values 0..255.
 * @param scale `'symmetric'` (default): `x / 127.5 - 1`, the article's scaling to [-1, 1];
 *   `'unit'`: `x / 255`, torchvision's `ToTensor`.
 * @returns A new Float32Array of the same length.
 * @example
 * scaleImageBytes(Uint8Array.of(0, 255)); // Float32Array [-1, 1]
 */
export function scaleImageBytes(bytes: Uint8Array, scale: ByteScale = 'symmetric'): Float32Array {
  if (!((bytes as unknown) instanceof Uint8Array || (bytes as unknown) instanceof Uint8ClampedArray)) {
    throw new ArgumentTypeError(
      `scaleImageBytes(): bytes must be a Uint8Array of pixel values, got ${describeValue(bytes)}`,
    );
  }
  const lut = LUTS[scale];
  if (!lut) throw new ValueError(`scaleImageBytes: scale must be 'symmetric' or 'unit', got ${String(scale)}`);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = lut[bytes[i]];
  return out;
}

/**
 * A dataset of tensors sharing their first dimension, like
 * [`torch.utils.data.TensorDataset`](https://pytorch.org/docs/1.13/data.html#torch.utils.data.TensorDataset).
 * Sample `i` is the list of `tensors[k][i]`.
 *
 * Shape: every tensor is `[N, ...]` with the same `N`; `get(i)` gives `[...]` slices, `batch(idx)` gives `[B, ...]`.
 * @param tensors One or more tensors with equal size in dimension 0.
 * @example
 * const ds = new TensorDataset(tf.zeros([10, 1, 28, 28]), tf.range(0, 10, 1, 'int32'));
 * const [x, y] = ds.batch([3, 1, 4]); // x: [3, 1, 28, 28], y: [3]
 */
export class TensorDataset {
  /** The tensors, all `[N, ...]`; the dataset does not own them (dispose them yourself). */
  readonly tensors: tf.Tensor[];

  /** @param tensors one or more tensors with equal size in dimension 0. */
  constructor(...tensors: tf.Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset: expected at least one tensor, got none');
    tensors.forEach((t, k) => checkTensors('TensorDataset', { [`tensors[${k}]`]: t }));
    const n = tensors[0].shape[0];
    tensors.forEach((t, k) => {
      if (t.rank === 0) throw new ShapeError(`TensorDataset: tensor ${k} is a scalar; expected at least 1 dimension`);
      if (t.shape[0] !== n) {
        throw new ShapeError(
          `TensorDataset: Size mismatch between tensors: tensor 0 has ${n} samples ` +
            `(shape [${tensors[0].shape.join(', ')}]), tensor ${k} has ${t.shape[0]} (shape [${t.shape.join(', ')}])`,
        );
      }
    });
    this.tensors = tensors;
  }

  /** Number of samples (`len(dataset)` in torch). */
  get length(): number {
    return this.tensors[0].shape[0] as number;
  }

  /** Sample `i` (negative counts from the end, as in Python): one slice per tensor. */
  get(i: number): tf.Tensor[] {
    const j = checkIndex(i, this.length, 'TensorDataset.get');
    return this.tensors.map((t) => tf.tidy(() => t.slice(j, 1).squeeze([0])));
  }

  /** The samples at `indices`, stacked: one `[B, ...]` tensor per dataset tensor. */
  batch(indices: ArrayLike<number>): tf.Tensor[] {
    const idx = checkIndices(indices, this.length, 'TensorDataset.batch');
    return tf.tidy(() => {
      const it = tf.tensor1d(idx, 'int32');
      return this.tensors.map((t) => tf.gather(t, it));
    });
  }
}

/**
 * NCHW images held as typed arrays, turned into float32 tensors one batch at a time.
 *
 * Byte images are scaled on the fly with {@link scaleImageBytes} (`x / 127.5 - 1` by default, the
 * article's scaling), so a 60,000-image MNIST set costs 47 MB of bytes, not a 188 MB tensor.
 *
 * Shape: images `[N, C, H, W]`; `batch(idx)` gives images `[B, C, H, W]` float32 and labels `[B]` int32.
 * @param images Pixels in NCHW order: bytes (scaled when batched) or float32 values (used as they are).
 * @param shape `[N, C, H, W]`.
 * @param labels One label per image, or `null`/omitted.
 * @param options.scale How bytes become floats. Default: `'symmetric'`.
 * @example
 * const ds = ImageDataset.fromBytes(loadMnistArrays());
 * const sampler = new RandomBatchSampler(ds.length, 128, { seed: 0 });
 * const { images } = ds.batch(sampler.next()); // [128, 1, 28, 28] in [-1, 1]
 */
export class ImageDataset {
  /** Pixels in NCHW order: bytes (scaled when batched) or float32 values. */
  readonly images: Uint8Array | Float32Array;
  /** One label per image, or `null`. */
  readonly labels: Int32Array | null;
  /** `[N, C, H, W]`. */
  readonly shape: [number, number, number, number];
  /** How bytes become floats. */
  readonly scale: ByteScale;

  /**
   * @param images pixels in NCHW order: bytes (scaled when batched) or float32 values (used as they are).
   * @param shape `[N, C, H, W]`.
   * @param labels one label per image, or `null`. Default: `null`.
   * @param options `{ scale }`: how bytes become floats. Default: `{ scale: 'symmetric' }`.
   */
  constructor(
    images: Uint8Array | Float32Array,
    shape: [number, number, number, number],
    labels: ArrayLike<number> | null = null,
    { scale = 'symmetric' }: { scale?: ByteScale } = {},
  ) {
    if (!(images instanceof Uint8Array || images instanceof Float32Array)) {
      throw new ArgumentTypeError(
        `ImageDataset(): images must be a Uint8Array (pixel bytes) or a Float32Array, got ${describeValue(images)}`,
      );
    }
    if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ShapeError(
        `ImageDataset: expected shape [N, C, H, W] of non-negative integers, got ${Array.isArray(shape) ? `[${shape.join(', ')}]` : describeValue(shape)}`,
      );
    }
    const size = shape[0] * shape[1] * shape[2] * shape[3];
    if (images.length !== size) {
      throw new ShapeError(
        `ImageDataset: shape [${shape.join(', ')}] needs ${size} values, images has ${images.length}`,
      );
    }
    if (labels && labels.length !== shape[0]) {
      throw new ShapeError(`ImageDataset: expected ${shape[0]} labels (one per image), got ${labels.length}`);
    }
    if (!(scale in LUTS))
      throw new ValueError(`ImageDataset: scale must be 'symmetric' or 'unit', got ${String(scale)}`);
    this.images = images;
    this.shape = [shape[0], shape[1], shape[2], shape[3]];
    this.labels = labels ? Int32Array.from(labels) : null;
    this.scale = scale;
  }

  /** Wraps the `{ images, labels, count, channels, height, width }` the MNIST/IDX loaders return. */
  static fromBytes(data: ImageBytes, options: { scale?: ByteScale } = {}): ImageDataset {
    return new ImageDataset(data.images, [data.count, data.channels, data.height, data.width], data.labels, options);
  }

  /** Number of images. */
  get length(): number {
    return this.shape[0];
  }

  /**
   * The images at `indices` as one float32 `[B, C, H, W]` tensor, with their int32 labels `[B]` (or `null`).
   * @param indices sample indices in `[0, length)`.
   */
  batch(indices: ArrayLike<number>): {
    /** `[B, C, H, W]` float32. */
    images: tf.Tensor4D;
    /** `[B]` int32, or `null` for an unlabelled dataset. */
    labels: tf.Tensor1D | null;
  } {
    const idx = checkIndices(indices, this.length, 'ImageDataset.batch');
    const per = this.shape[1] * this.shape[2] * this.shape[3];
    const out = new Float32Array(idx.length * per);
    const lut = LUTS[this.scale];
    for (let b = 0; b < idx.length; b++) {
      const src = idx[b] * per;
      if (this.images instanceof Float32Array) {
        out.set(this.images.subarray(src, src + per), b * per);
      } else {
        for (let k = 0; k < per; k++) out[b * per + k] = lut[this.images[src + k]];
      }
    }
    const images = tf.tensor4d(out, [idx.length, this.shape[1], this.shape[2], this.shape[3]], 'float32');
    const labels = this.labels
      ? tf.tensor1d(
          Int32Array.from(idx, (i) => this.labels![i]),
          'int32',
        )
      : null;
    return { images, labels };
  }

  /**
   * Image `i` as `[C, H, W]` float32 and its label (or `null`).
   * @param i index; negative counts from the end.
   */
  get(i: number): {
    /** `[C, H, W]` float32. */
    image: tf.Tensor3D;
    /** The label, or `null` for an unlabelled dataset. */
    label: number | null;
  } {
    const j = checkIndex(i, this.length, 'ImageDataset.get');
    const { images, labels } = this.batch([j]);
    const image = images.reshape(this.shape.slice(1) as [number, number, number]) as tf.Tensor3D;
    images.dispose();
    labels?.dispose();
    return { image, label: this.labels ? this.labels[j] : null };
  }
}

function checkIndex(i: number, n: number, where: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n) {
    throw new ValueError(`${where}: index ${i} is out of range for a dataset of ${n} samples`);
  }
  return i < 0 ? i + n : i;
}

function checkIndices(indices: ArrayLike<number>, n: number, where: string): Int32Array {
  const out = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = checkIndex(indices[k], n, where);
  return out;
}

function checkSeed(seed: number, where: string): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ValueError(`${where}: seed must be an integer in [0, 2**32 - 1], got ${seed}`);
  }
  return seed;
}

/**
 * The Mersenne Twister MT19937 seeded with `init_genrand(seed)`: the raw 32-bit stream behind both
 * torch's CPU `torch.Generator().manual_seed(seed)` and NumPy's legacy `np.random.seed(seed)`.
 * See [`torch.Generator`](https://pytorch.org/docs/1.13/generated/torch.Generator.html).
 *
 * @param seed Integer in [0, 2**32 - 1].
 * @example
 * new Mt19937(5489).nextUint32(); // 3499211612, the reference implementation's first output
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private mti = 624;

  constructor(seed: number) {
    const s = checkSeed(seed, 'Mt19937');
    this.mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      // 1812433253 * prev mod 2**32 without losing bits to float64.
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** The next 32-bit output, as torch's `generator->random()` and NumPy's `next_uint32` give it. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/**
 * `np.random.randint(high, size=size)` from NumPy's legacy `RandomState`: uniform integers in
 * `[0, high)`, drawn by masked rejection sampling on 32-bit outputs exactly as NumPy 1.x does,
 * so `randint(new Mt19937(s), n, b)` equals `np.random.seed(s); np.random.randint(n, size=b)`.
 *
 * @param gen The MT19937 stream (advanced in place).
 * @param high Exclusive upper bound, 1..2**32.
 * @param size How many integers.
 * @example
 * randint(new Mt19937(0), 60000, 4); // the article's first four sample indices under np.random.seed(0)
 */
export function randint(gen: Mt19937, high: number, size: number): Int32Array | Float64Array {
  if (!Number.isInteger(high) || high < 1 || high > 2 ** 32) {
    throw new ValueError(`randint: high must be an integer in [1, 2**32], got ${high}`);
  }
  if (!Number.isInteger(size) || size < 0)
    throw new ValueError(`randint: size must be a non-negative integer, got ${size}`);
  const rng = high - 1;
  const out = high <= 2 ** 31 ? new Int32Array(size) : new Float64Array(size);
  if (rng === 0) return out;
  // NumPy's gen_mask: the smallest all-ones mask covering rng.
  let mask = rng;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  for (let i = 0; i < size; i++) {
    let v: number;
    do v = (gen.nextUint32() & mask) >>> 0;
    while (v > rng);
    out[i] = v;
  }
  return out;
}

/**
 * `torch.randperm(n, generator=g)` on the CPU: a Fisher–Yates shuffle of `0..n-1` drawing
 * `random() % (n - i)` from the generator, one 32-bit output per position (n - 1 in all).
 * See [`torch.randperm`](https://pytorch.org/docs/1.13/generated/torch.randperm.html).
 *
 * @param gen The MT19937 stream (advanced in place), i.e. the `torch.Generator`.
 * @param n Length of the permutation.
 * @example
 * randperm(new Mt19937(7), 5); // Int32Array [0, 1, 3, 2, 4], as torch.randperm(5, generator=torch.Generator().manual_seed(7))
 */
export function randperm(gen: Mt19937, n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
    throw new ValueError(`randperm: n must be an integer in [0, 2**31 - 1], got ${n}`);
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.nextUint32() % (n - i);
    const t = r[i];
    r[i] = r[i + z];
    r[i + z] = t;
  }
  return r;
}

function defaultSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * Epochs of mini-batch indices, as `torch.utils.data.DataLoader(dataset, batch_size, shuffle,
 * drop_last, generator=torch.Generator().manual_seed(seed))` yields them (its `RandomSampler`
 * wrapped in a [`BatchSampler`](https://pytorch.org/docs/1.13/data.html#torch.utils.data.BatchSampler)).
 * Each iteration is one epoch and consumes the generator as torch 1.13's DataLoader does: the
 * iterator's 64-bit worker base seed, the epoch's `torch.randperm`, and the discarded permutation
 * `RandomSampler` draws once the epoch is exhausted; so every epoch matches torch's, not just the first.
 * (A bare `torch.utils.data.BatchSampler`, iterated without a DataLoader, skips the base-seed draw.)
 *
 * @param length Dataset size.
 * @param batchSize Indices per batch (≥ 1).
 * @param options.shuffle Permute each epoch (else 0..length-1 in order). Default: `true`.
 * @param options.dropLast Drop the last incomplete batch. Default: `false`.
 * @param options.seed Generator seed in [0, 2**32 - 1]. Default: drawn from `Math.random` (not reproducible).
 * @example
 * const sampler = new BatchSampler(60000, 128, { seed: 0 });
 * for (const idx of sampler) { const { images } = ds.batch(idx); ... }
 */
export class BatchSampler implements Iterable<Int32Array> {
  /** Dataset size. */
  readonly length: number;
  /** Indices per batch. */
  readonly batchSize: number;
  /** Whether each epoch is permuted. */
  readonly shuffle: boolean;
  /** Whether the last incomplete batch is dropped. */
  readonly dropLast: boolean;
  private readonly gen: Mt19937;

  constructor(
    length: number,
    batchSize: number,
    { shuffle = true, dropLast = false, seed }: { shuffle?: boolean; dropLast?: boolean; seed?: number } = {},
  ) {
    if (!Number.isInteger(length) || length < 0)
      throw new ValueError(`BatchSampler: length must be a non-negative integer, got ${describeValue(length)}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(
        `BatchSampler: batch_size should be a positive integer value, but got batch_size=${batchSize}`,
      );
    }
    if (shuffle && length === 0) {
      throw new ValueError('BatchSampler: num_samples should be a positive integer value, but got num_samples=0');
    }
    this.length = length;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.gen = new Mt19937(seed === undefined ? defaultSeed() : checkSeed(seed, 'BatchSampler'));
  }

  /** Batches per epoch (`len(dataloader)`). */
  get numBatches(): number {
    return this.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** One epoch of batches (advances the generator when shuffling). */
  *[Symbol.iterator](): Iterator<Int32Array> {
    if (this.shuffle) {
      // DataLoader's iterator first draws its workers' `_base_seed` from the same generator:
      // `torch.empty((), dtype=torch.int64).random_(generator=g)`, one random64() = two 32-bit outputs.
      this.gen.nextUint32();
      this.gen.nextUint32();
    }
    const order = this.shuffle
      ? randperm(this.gen, this.length)
      : Int32Array.from({ length: this.length }, (_, i) => i);
    const full = Math.floor(this.length / this.batchSize);
    for (let b = 0; b < full; b++) yield order.slice(b * this.batchSize, (b + 1) * this.batchSize);
    // torch 1.13's RandomSampler ends with `yield from torch.randperm(n, generator)[:num_samples % n]`:
    // a second, discarded permutation whenever the epoch is consumed to its end. Drawing it here
    // (only once the last full batch has been taken) keeps the next epoch in step with torch.
    if (this.shuffle) randperm(this.gen, this.length);
    if (!this.dropLast && full * this.batchSize < this.length) yield order.slice(full * this.batchSize);
  }
}

/**
 * Mini-batches drawn with replacement, the article's sampler:
 * `rand_ids = np.random.randint(len(x_train), size=batch_size)` after `np.random.seed(seed)`.
 * Endless; call `next()` once per training step. See
 * [`numpy.random.randint`](https://numpy.org/doc/stable/reference/random/generated/numpy.random.randint.html)
 * (the legacy `RandomState` stream).
 *
 * @param length Dataset size (the exclusive upper bound of the indices).
 * @param batchSize Indices per batch (≥ 1).
 * @param options.seed Seed in [0, 2**32 - 1], as `np.random.seed(seed)`. Default: drawn from `Math.random`.
 * @example
 * const sampler = new RandomBatchSampler(60000, 128, { seed: 0 });
 * const idx = sampler.next(); // equals np.random.seed(0); np.random.randint(60000, size=128)
 */
export class RandomBatchSampler {
  /** Dataset size (the exclusive upper bound of the indices). */
  readonly length: number;
  /** Indices per batch. */
  readonly batchSize: number;
  private readonly gen: Mt19937;

  constructor(length: number, batchSize: number, { seed }: { seed?: number } = {}) {
    if (!Number.isInteger(length) || length < 1 || length > 2 ** 31) {
      throw new ValueError(`RandomBatchSampler: length must be an integer in [1, 2**31], got ${describeValue(length)}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(`RandomBatchSampler: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.length = length;
    this.batchSize = batchSize;
    this.gen = new Mt19937(seed === undefined ? defaultSeed() : checkSeed(seed, 'RandomBatchSampler'));
  }

  /** The next batch of indices in `[0, length)`. */
  next(): Int32Array {
    return randint(this.gen, this.length, this.batchSize) as Int32Array;
  }
}
