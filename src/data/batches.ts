/**
 * Batch sources: where a training loop takes its real images from, with a position that a checkpoint can record
 * and restore. {@link randomBatches} is the article's NumPy sampler, {@link shuffledBatches} torch's shuffled
 * `DataLoader` epochs; any object with `nextBatch(b)` is a source. Core-safe (no Node imports).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import type { PyValue } from '../io/torch-format';
import { BatchSampler, type ImageDataset, RandomBatchSampler } from './dataset';

/**
 * Where `trainGAN` takes its real images from (the article's `x_train[rand_ids]`). `getState`/`setState`
 * let a checkpoint record the position in the data stream, so a resumed run draws the batches the
 * uninterrupted run would have; a source without them resumes with its own next batches.
 *
 * Shape: `nextBatch(b)` returns `[b, C, H, W]` float32.
 * @example
 * ```ts
 * const constant: BatchSource = { imageShape: [1, 28, 28], nextBatch: (b) => tf.zeros([b, 1, 28, 28]) };
 * ```
 */
export interface BatchSource {
  /** The next real batch, float32 `[batchSize, C, H, W]` in [-1, 1] (the caller disposes it). */
  nextBatch(batchSize: number): tf.Tensor4D;
  /** `[C, H, W]` of the images, used to size default models. */
  readonly imageShape?: readonly [number, number, number];
  /** Steps in one epoch at `batchSize` (needed for the `epochs` option). */
  stepsPerEpoch?(batchSize: number): number;
  /** A plain-data snapshot of the stream position (stored in checkpoints). */
  getState?(): PyValue;
  /** Restores a snapshot from {@link getState}. */
  setState?(state: PyValue): void;
}

function stateField(state: PyValue, key: string): unknown {
  if (state instanceof Map) return state.get(key);
  if (state != null && typeof state === 'object') return (state as Record<string, unknown>)[key];
  return undefined;
}

/** Refuses what is not an {@link ImageDataset} (images `[N, C, H, W]` with `batch(indices)`). */
function checkDataset(v: unknown, where: string): void {
  const d = v as Partial<ImageDataset> | null;
  if (d === null || typeof d !== 'object' || typeof d.batch !== 'function' || d.shape?.length !== 4) {
    throw new ArgumentTypeError(
      `${where}(): dataset must be an ImageDataset (images [N, C, H, W]), got ${describeValue(v)}`,
    );
  }
}

function checkSourceState(state: PyValue, kind: string, where: string): { seed: number; drawn: number } {
  const seed = Number(stateField(state, 'seed'));
  const drawn = Number(stateField(state, 'drawn'));
  if (stateField(state, 'kind') !== kind || !Number.isInteger(seed) || !Number.isInteger(drawn) || drawn < 0) {
    throw new ValueError(
      `${where}: expected a state {kind: '${kind}', seed, drawn} from getState(), got ${JSON.stringify(state)}`,
    );
  }
  return { seed, drawn };
}

/**
 * The article's sampler over an {@link ImageDataset}: each batch is `np.random.randint(len(x_train),
 * size=batch_size)` after `np.random.seed(seed)` (with replacement), NumPy's numbers exactly.
 *
 * @param dataset the images.
 * @param options `{ seed }`. Default: `{}`.
 * @param options.seed the NumPy seed, an integer in [0, 2^32). Default: drawn at random.
 * @returns a {@link BatchSource}; one epoch is `ceil(N / batchSize)` steps.
 * @example
 * ```ts
 * const data = randomBatches(ImageDataset.fromBytes(loadMnistArrays()), { seed: 0 });
 * ```
 */
export function randomBatches(dataset: ImageDataset, { seed }: { seed?: number } = {}): BatchSource {
  checkDataset(dataset, 'randomBatches');
  const s = seed ?? Math.floor(Math.random() * 2 ** 32);
  let sampler: RandomBatchSampler | null = null;
  let drawn = 0;
  const [, c, h, w] = dataset.shape;
  const indices = (batchSize: number): Int32Array => {
    if (sampler && sampler.batchSize !== batchSize) {
      throw new ValueError(`randomBatches: batch size changed from ${sampler.batchSize} to ${batchSize}`);
    }
    sampler ??= new RandomBatchSampler(dataset.length, batchSize, { seed: s });
    drawn++;
    return sampler.next();
  };
  return {
    imageShape: [c, h, w],
    nextBatch: (batchSize) => dataset.batch(indices(batchSize)).images,
    stepsPerEpoch: (batchSize) => Math.ceil(dataset.length / batchSize),
    getState: () => ({ kind: 'random', seed: s, drawn, batch_size: sampler?.batchSize ?? null }),
    setState(state) {
      const st = checkSourceState(state, 'random', 'randomBatches.setState');
      const batchSize = Number(stateField(state, 'batch_size'));
      if (st.seed !== s)
        throw new ValueError(`randomBatches.setState: the state's seed ${st.seed} differs from this source's ${s}`);
      sampler = null;
      drawn = 0;
      for (let i = 0; i < st.drawn; i++) indices(batchSize);
    },
  };
}

/**
 * Epochs of shuffled batches over an {@link ImageDataset}, in the order
 * `DataLoader(dataset, batch_size, shuffle=True, drop_last, generator=torch.Generator().manual_seed(seed))`
 * yields them (see {@link BatchSampler}); a new epoch starts when one is used up.
 *
 * @param dataset the images.
 * @param options `{ seed, dropLast }`. Default: `{}`.
 * @param options.seed the generator seed in [0, 2^32). Default: drawn at random.
 * @param options.dropLast drop the last incomplete batch of each epoch. Default: `false` (torch's).
 * @returns a {@link BatchSource}.
 * @example
 * ```ts
 * const data = shuffledBatches(ImageDataset.fromBytes(loadIdxArrays(path)), { seed: 1, dropLast: true });
 * ```
 */
export function shuffledBatches(
  dataset: ImageDataset,
  { seed, dropLast = false }: { seed?: number; dropLast?: boolean } = {},
): BatchSource {
  checkDataset(dataset, 'shuffledBatches');
  const s = seed ?? Math.floor(Math.random() * 2 ** 32);
  let sampler: BatchSampler | null = null;
  let epoch: Iterator<Int32Array> | null = null;
  let drawn = 0;
  const [, c, h, w] = dataset.shape;
  const indices = (batchSize: number): Int32Array => {
    if (sampler && sampler.batchSize !== batchSize) {
      throw new ValueError(`shuffledBatches: batch size changed from ${sampler.batchSize} to ${batchSize}`);
    }
    sampler ??= new BatchSampler(dataset.length, batchSize, { seed: s, dropLast });
    for (let tries = 0; tries < 2; tries++) {
      epoch ??= sampler[Symbol.iterator]();
      const r = epoch.next();
      if (!r.done) {
        drawn++;
        return r.value;
      }
      epoch = null;
    }
    throw new ValueError(`shuffledBatches: ${dataset.length} images give no batch of ${batchSize} with dropLast`);
  };
  return {
    imageShape: [c, h, w],
    nextBatch: (batchSize) => dataset.batch(indices(batchSize)).images,
    stepsPerEpoch: (batchSize) =>
      dropLast ? Math.floor(dataset.length / batchSize) : Math.ceil(dataset.length / batchSize),
    getState: () => ({ kind: 'shuffled', seed: s, drawn, batch_size: sampler?.batchSize ?? null }),
    setState(state) {
      const st = checkSourceState(state, 'shuffled', 'shuffledBatches.setState');
      const batchSize = Number(stateField(state, 'batch_size'));
      if (st.seed !== s)
        throw new ValueError(`shuffledBatches.setState: the state's seed ${st.seed} differs from this source's ${s}`);
      sampler = null;
      epoch = null;
      drawn = 0;
      for (let i = 0; i < st.drawn; i++) indices(batchSize);
    },
  };
}
