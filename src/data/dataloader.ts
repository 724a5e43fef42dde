/**
 * torch's `DataLoader` and `default_collate` (`torch.utils.data`): batches from a dataset in torch's exact
 * order for a seed. Core-safe: no Node imports.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { any, type ArgsOf, bool, func, int, signature } from '../args';
import { ArgumentTypeError, ShapeError, ValueError } from '../errors';
import { defaultGenerator, Generator } from '../random';
import { asDataset, type Dataset, isIterableDataset } from './datasets';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './sampler';

/** A collated batch: tensors, arrays and objects of them, strings, as {@link defaultCollate} builds them. */
export type Batch = unknown;

function isTensor(v: unknown): v is tf.Tensor {
  return v instanceof tf.Tensor;
}

/**
 * Collates a list of samples into a batch, as torch's `default_collate`: tensors are stacked (a new first
 * dimension), numbers become a tensor (int32 when every one is an integer, float32 otherwise: int64/float64
 * in torch), booleans a bool tensor, typed arrays are stacked into tensors (float32, or int32 for integer
 * arrays), strings stay a list, and objects and arrays are collated field by field (so a dataset of
 * `[image, label]` pairs gives `[images, labels]`).
 *
 * See [torch.utils.data.default_collate](https://pytorch.org/docs/1.13/data.html#torch.utils.data.default_collate).
 * @param batch the samples (at least one).
 * @returns the batch.
 * @throws ShapeError for tensors of different shapes or lists of different lengths (torch's messages).
 * @example
 * ```ts
 * defaultCollate([[tf.zeros([2]), 1], [tf.ones([2]), 0]]); // [Tensor [2, 2], Tensor int32 [2]]
 * ```
 */
export function defaultCollate(batch: readonly unknown[]): Batch {
  if (!Array.isArray(batch) || batch.length === 0) {
    throw new ValueError('defaultCollate: expected a non-empty list of samples');
  }
  const elem = batch[0];
  if (isTensor(elem)) {
    batch.forEach((t, i) => {
      if (!isTensor(t)) throw new ArgumentTypeError(`defaultCollate: sample ${i} is not a tensor while sample 0 is`);
      if (!tf.util.arraysEqual(t.shape, elem.shape)) {
        throw new ShapeError(
          `stack expects each tensor to be equal size, but got [${elem.shape.join(', ')}] at entry 0 and ` +
            `[${t.shape.join(', ')}] at entry ${i}`,
        );
      }
    });
    return tf.stack(batch as tf.Tensor[]);
  }
  if (typeof elem === 'number') {
    const nums = batch as number[];
    return nums.every((x) => Number.isInteger(x)) ? tf.tensor1d(nums, 'int32') : tf.tensor1d(nums, 'float32');
  }
  if (typeof elem === 'boolean') return tf.tensor1d(batch as boolean[], 'bool');
  if (typeof elem === 'string') return [...batch];
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    const arrays = batch as Array<ArrayLike<number>>;
    const n = arrays[0].length;
    arrays.forEach((a, i) => {
      if (a.length !== n) {
        throw new ShapeError(
          `stack expects each tensor to be equal size, but got [${n}] at entry 0 and [${a.length}] at entry ${i}`,
        );
      }
    });
    const float = elem instanceof Float32Array || elem instanceof Float64Array;
    const out = float ? new Float32Array(n * arrays.length) : new Int32Array(n * arrays.length);
    arrays.forEach((a, i) => out.set(a as ArrayLike<number>, i * n));
    return tf.tensor2d(out, [arrays.length, n], float ? 'float32' : 'int32');
  }
  if (Array.isArray(elem)) {
    const size = elem.length;
    if (!batch.every((e) => Array.isArray(e) && e.length === size)) {
      throw new ShapeError('each element in list of batch should be of equal size');
    }
    return elem.map((_, k) => defaultCollate(batch.map((e) => (e as unknown[])[k])));
  }
  if (elem !== null && typeof elem === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem))
      out[key] = defaultCollate(batch.map((e) => (e as Record<string, unknown>)[key]));
    return out;
  }
  throw new ArgumentTypeError(
    `default_collate: batch must contain tensors, numbers, booleans, strings, typed arrays, objects or arrays; found ${elem === null ? 'null' : typeof elem}`,
  );
}

const DATALOADER = signature('DataLoader', [
  ['batchSize', int().optional().default(1)],
  ['shuffle', bool().optional()],
  ['sampler', any<Sampler<number> | Iterable<number> | null>('a sampler').default(null)],
  ['batchSampler', any<Sampler<number[]> | Iterable<number[]> | null>('a batch sampler').default(null)],
  ['numWorkers', int({ min: 0 }).default(0)],
  ['collateFn', func<(samples: unknown[]) => unknown>().optional()],
  ['pinMemory', bool().default(false)],
  ['dropLast', bool().default(false)],
  ['timeout', int({ min: 0 }).default(0)],
  ['workerInitFn', func().optional()],
  ['multiprocessingContext', any().default(null)],
  ['generator', any<Generator | null>('a RandomGenerator').default(null)],
  ['prefetchFactor', int({ min: 1 }).default(2)],
  ['persistentWorkers', bool().default(false)],
  ['pinMemoryDevice', any<string>('a string').default('')],
  ['disposeBatches', bool().default(true)],
]);

/** A sample the loader cannot iterate synchronously. */
function isPromise(v: unknown): v is Promise<unknown> {
  return v != null && typeof (v as Promise<unknown>).then === 'function';
}

function tensorsIn(v: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (isTensor(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
    for (const x of Object.values(v)) tensorsIn(x, out);
  return out;
}

/**
 * Iterates a dataset in batches (torch's `DataLoader`), in torch's exact order for a seed: `manualSeed(s)`
 * then a shuffled loader gives the batches `torch.manual_seed(s)` and `DataLoader(..., shuffle=True)` give
 * (each pass draws the workers' base seed, then `RandomSampler` seeds its own generator from the global
 * one, as torch 1.13 does; with `generator` every draw comes from it).
 *
 * See [torch.utils.data.DataLoader](https://pytorch.org/docs/1.13/data.html#torch.utils.data.DataLoader).
 * Iterate with `for (const [x, y] of loader)`, or `for await` when the dataset's `get` returns Promises
 * (or for an async iterable dataset). `length` is `len(loader)`. Workers: `numWorkers` and the other
 * multiprocessing options are accepted and ignored (samples are loaded in the calling thread, in the same
 * order). Memory: each batch's tensors are disposed when the loop moves to the next batch or ends, unless
 * `tf.keep`-ed (`disposeBatches: false` leaves them to you).
 *
 * @param dataset a {@link Dataset} (`length` and `get(i)`), an array, or an {@link IterableDataset}.
 * @param args torch's arguments positionally or as options: `batchSize` (default `1`; `null` yields single
 *   samples, uncollated), `shuffle` (`false`), `sampler`, `batchSampler`, `numWorkers` (`0`), `collateFn`
 *   ({@link defaultCollate}), `pinMemory`, `dropLast` (`false`), `timeout`, `workerInitFn`,
 *   `multiprocessingContext`, `generator` (a `RandomGenerator`), `prefetchFactor`, `persistentWorkers`,
 *   `pinMemoryDevice`, and `disposeBatches` (`true`, this library's).
 * @throws ValueError with torch's messages (`sampler option is mutually exclusive with shuffle`,
 *   `batch_size should be a positive integer value, but got batch_size=0`, ...).
 * @example
 * ```ts
 * const trainLoader = new DataLoader(trainSet, { batchSize: 64, shuffle: true });
 * for (const [data, target] of trainLoader) {
 *   tf.tidy(() => { optimizer.zeroGrad(); backward(F.nllLoss(model.forward(data), target)); optimizer.step(); });
 * }
 * ```
 */
export class DataLoader<T = unknown> implements Iterable<Batch>, AsyncIterable<Batch> {
  /** The dataset. */
  readonly dataset: Dataset<T> | Iterable<T> | AsyncIterable<T>;
  /** Samples per batch, or `null` for single, uncollated samples. */
  readonly batchSize: number | null;
  /** Whether the last incomplete batch is dropped. */
  readonly dropLast: boolean;
  /** The index sampler (map-style datasets). */
  readonly sampler: Sampler<number> | Iterable<number> | null;
  /** The batch sampler (when batching a map-style dataset). */
  readonly batchSampler: Sampler<number[]> | Iterable<number[]> | null;
  /** The generator of shuffling and of the per-pass base seed (`null`: the global one). */
  readonly generator: Generator | null;
  /** Accepted for torch compatibility; samples are loaded in the calling thread. */
  readonly numWorkers: number;
  /** Turns a list of samples into a batch. */
  readonly collateFn: (samples: unknown[]) => unknown;
  /** Whether each batch's tensors are disposed when the iteration moves on. */
  readonly disposeBatches: boolean;
  private readonly iterable: boolean;

  /**
   * @param dataset a dataset, an array, or an iterable dataset.
   * @param args torch's arguments positionally (`batchSize, shuffle, sampler, ...`) or as options.
   */
  constructor(dataset: Dataset<T> | ArrayLike<T> | Iterable<T> | AsyncIterable<T>, ...args: ArgsOf<typeof DATALOADER>) {
    const a = DATALOADER.parse(args);
    if (a.generator != null && !(a.generator instanceof Generator)) {
      throw new ArgumentTypeError('DataLoader(): generator must be a RandomGenerator (torch.Generator)');
    }
    this.iterable = isIterableDataset(dataset);
    this.dataset = this.iterable
      ? (dataset as Iterable<T>)
      : asDataset(dataset as Dataset<T> | ArrayLike<T>, 'DataLoader');
    const shuffle = a.shuffle ?? false;
    if (this.iterable) {
      if (a.shuffle) {
        throw new ValueError(
          `DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${a.shuffle}`,
        );
      }
      if (a.sampler != null) {
        throw new ValueError(
          `DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${String(a.sampler)}`,
        );
      }
      if (a.batchSampler != null) {
        throw new ValueError(
          `DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${String(a.batchSampler)}`,
        );
      }
    }
    if (a.sampler != null && shuffle) throw new ValueError('sampler option is mutually exclusive with shuffle');
    let batchSize = a.batchSize;
    let dropLast = a.dropLast;
    if (a.batchSampler != null) {
      if (batchSize !== 1 || shuffle || a.sampler != null || dropLast) {
        throw new ValueError(
          'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last',
        );
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    this.generator = a.generator;
    let sampler: Sampler<number> | Iterable<number> | null = a.sampler;
    if (!this.iterable && sampler == null) {
      const ds = this.dataset as Dataset<T>;
      sampler = shuffle ? new RandomSampler(ds, { generator: a.generator }) : new SequentialSampler(ds);
    }
    let batchSampler = a.batchSampler;
    if (!this.iterable && batchSize !== null && batchSampler == null) {
      batchSampler = new BatchSampler(sampler!, batchSize, dropLast);
    }
    if (batchSize !== null && batchSize <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.numWorkers = a.numWorkers;
    this.collateFn = a.collateFn ?? (this.autoCollation || this.iterable ? defaultCollate : (s: unknown) => s);
    this.disposeBatches = a.disposeBatches;
  }

  private get autoCollation(): boolean {
    return this.batchSampler != null;
  }

  /** Batches per pass (torch's `len(loader)`); for an iterable dataset, from its `length` if it has one. */
  get length(): number {
    if (this.iterable) {
      const n = (this.dataset as { length?: number }).length;
      if (typeof n !== 'number') throw new ArgumentTypeError('DataLoader: this IterableDataset has no length');
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const s = (this.batchSampler ?? this.sampler) as { length?: number };
    if (typeof s.length !== 'number') throw new ArgumentTypeError('DataLoader: the sampler has no length');
    return s.length;
  }

  /** The per-pass base seed draw of torch's `_BaseDataLoaderIter` (kept for the stream; workers are not used). */
  private drawBaseSeed(): void {
    (this.generator ?? defaultGenerator).random64();
  }

  /** The index stream of one pass: batches of indices, or single indices without auto-batching. */
  private indexStream(): Iterator<number[] | number> {
    return (this.batchSampler ?? this.sampler!)[Symbol.iterator]() as Iterator<number[] | number>;
  }

  private fetch(indices: number[] | number): unknown {
    const ds = this.dataset as Dataset<T>;
    if (!Array.isArray(indices)) {
      const s = ds.get(indices);
      if (isPromise(s))
        throw new ArgumentTypeError('DataLoader: the dataset returns Promises; iterate with `for await`');
      return this.collateFn === defaultCollate ? s : this.collateFn(s as never);
    }
    return tf.tidy(() => {
      const samples = indices.map((i) => ds.get(i));
      if (samples.some(isPromise)) {
        throw new ArgumentTypeError('DataLoader: the dataset returns Promises; iterate with `for await`');
      }
      return this.collateFn(samples) as tf.TensorContainer;
    });
  }

  /** Batches of one pass (torch's `iter(loader)`). */
  *[Symbol.iterator](): Iterator<Batch> {
    this.drawBaseSeed();
    let previous: tf.Tensor[] = [];
    try {
      if (this.iterable) {
        const it = (this.dataset as Iterable<T>)[Symbol.iterator];
        if (typeof it !== 'function')
          throw new ArgumentTypeError('DataLoader: this dataset is only async-iterable; use `for await`');
        for (const batch of this.iterableBatches((this.dataset as Iterable<T>)[Symbol.iterator]())) {
          previous = this.release(previous, batch);
          yield batch;
        }
        return;
      }
      const indices = this.indexStream();
      for (let r = indices.next(); !r.done; r = indices.next()) {
        const batch = this.fetch(r.value);
        previous = this.release(previous, batch);
        yield batch;
      }
    } finally {
      this.release(previous, null);
    }
  }

  private *iterableBatches(it: Iterator<T>): Generator_<unknown> {
    if (this.batchSize === null) {
      for (let r = it.next(); !r.done; r = it.next())
        yield this.collateFn === defaultCollate ? r.value : this.collateFn(r.value as never);
      return;
    }
    let buf: T[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      buf.push(r.value);
      if (buf.length === this.batchSize) {
        const b = buf;
        yield tf.tidy(() => this.collateFn(b) as tf.TensorContainer);
        buf = [];
      }
    }
    if (buf.length > 0 && !this.dropLast) yield tf.tidy(() => this.collateFn(buf) as tf.TensorContainer);
  }

  /** Batches of one pass, awaiting samples that are Promises (async datasets) and async-iterable datasets. */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    this.drawBaseSeed();
    let previous: tf.Tensor[] = [];
    const collate = async (samples: unknown[]): Promise<unknown> => {
      const resolved = await Promise.all(samples);
      const made = tensorsIn(resolved);
      const batch = tf.tidy(() => this.collateFn(resolved) as tf.TensorContainer);
      const kept = new Set(tensorsIn(batch));
      // Samples from an async dataset belong to the loader: free what the batch does not reuse.
      for (const t of made) if (!kept.has(t) && !t.isDisposed && !(t as { kept?: boolean }).kept) t.dispose();
      return batch;
    };
    try {
      if (this.iterable) {
        const src = this.dataset as AsyncIterable<T> & Iterable<T>;
        const it: AsyncIterator<T> | Iterator<T> = src[Symbol.asyncIterator]
          ? src[Symbol.asyncIterator]()
          : src[Symbol.iterator]();
        let buf: unknown[] = [];
        for (let r = await it.next(); !r.done; r = await it.next()) {
          if (this.batchSize === null) {
            const b = this.collateFn === defaultCollate ? await r.value : this.collateFn((await r.value) as never);
            previous = this.release(previous, b);
            yield b;
            continue;
          }
          buf.push(r.value);
          if (buf.length === this.batchSize) {
            const b = await collate(buf);
            buf = [];
            previous = this.release(previous, b);
            yield b;
          }
        }
        if (buf.length > 0 && !this.dropLast) {
          const b = await collate(buf);
          previous = this.release(previous, b);
          yield b;
        }
        return;
      }
      const ds = this.dataset as Dataset<T>;
      const indices = this.indexStream();
      for (let r = indices.next(); !r.done; r = indices.next()) {
        const idx = r.value;
        let b: unknown;
        if (Array.isArray(idx)) b = await collate(idx.map((i) => ds.get(i)));
        else {
          const s = await ds.get(idx);
          b = this.collateFn === defaultCollate ? s : this.collateFn(s as never);
        }
        previous = this.release(previous, b);
        yield b;
      }
    } finally {
      this.release(previous, null);
    }
  }

  /** Disposes the previous batch's tensors (unless kept) and returns the next batch's. */
  private release(previous: tf.Tensor[], next: unknown): tf.Tensor[] {
    if (!this.disposeBatches) return [];
    for (const t of previous) if (!t.isDisposed && !(t as { kept?: boolean }).kept) t.dispose();
    return next == null ? [] : tensorsIn(next);
  }
}

type Generator_<T> = globalThis.Generator<T, void, unknown>;
