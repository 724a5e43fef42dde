/**
 * torch's dataset protocols and combinators (`torch.utils.data`): {@link Dataset}, {@link IterableDataset},
 * {@link Subset}, {@link ConcatDataset} and {@link randomSplit} with torch's exact split for a seed.
 * Core-safe: no Node imports.
 * @module
 */
import { describeValue } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { defaultGenerator, type Generator, randpermArray } from '../random';

/**
 * A map-style dataset (torch's `Dataset`: `__getitem__` and `__len__`): `get(i)` for `i` in `[0, length)`.
 * `get` may return a Promise (an async dataset: iterate its loader with `for await`). A plain array is one
 * too (see {@link asDataset}).
 */
export interface Dataset<T = unknown> {
  /** Number of samples (`len(dataset)`). */
  readonly length: number;
  /** Sample `i` (`dataset[i]`). */
  get(i: number): T | Promise<T>;
}

/**
 * An iterable-style dataset (torch's `IterableDataset`): a stream of samples, iterated (sync or async) by
 * a {@link DataLoader} without a sampler. Subclass it and implement `[Symbol.iterator]` (or
 * `[Symbol.asyncIterator]`).
 *
 * See [torch.utils.data.IterableDataset](https://pytorch.org/docs/1.13/data.html#torch.utils.data.IterableDataset).
 * @example
 * ```ts
 * class Counter extends IterableDataset<number> {
 *   *[Symbol.iterator]() { for (let i = 0; i < 10; i++) yield i; }
 * }
 * ```
 */
export abstract class IterableDataset<T = unknown> {
  /** Marks the class for `DataLoader` (torch checks `isinstance(dataset, IterableDataset)`). */
  readonly iterable = true;

  /**
   * Takes no arguments, as torch's (`IterableDataset() takes no arguments`); a subclass defines its own.
   * @param args nothing.
   */
  constructor(...args: never[]) {
    if (args.length > 0) {
      throw new ArgumentTypeError(
        `${new.target.name || 'IterableDataset'}() takes no arguments, got ${args.map((a) => describeValue(a)).join(', ')}`,
      );
    }
  }
  /** The sample type (types only). @internal */
  declare readonly sampleType?: T;
}

/** Whether `ds` is an {@link IterableDataset} (or any object with an iterator and no `get`). @internal */
export function isIterableDataset(ds: unknown): boolean {
  if (ds instanceof IterableDataset) return true;
  if (ds == null || typeof ds !== 'object' || Array.isArray(ds)) return false;
  const o = ds as Record<PropertyKey, unknown>;
  return (
    typeof o.get !== 'function' &&
    (typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function')
  );
}

/**
 * A dataset view of `data`: a {@link Dataset} as is, or an array (or typed array) indexed by position.
 * @param data a dataset or an array of samples.
 * @param where the caller, for the error message.
 * @example
 * ```ts
 * asDataset([1, 2, 3]).get(1); // 2
 * ```
 */
export function asDataset<T>(data: Dataset<T> | ArrayLike<T>, where = 'Dataset'): Dataset<T> {
  if (typeof where !== 'string') {
    throw new ArgumentTypeError(`asDataset(): where must be the caller's name (a string), got ${describeValue(where)}`);
  }
  if (data != null && typeof (data as Dataset<T>).get === 'function' && typeof data.length === 'number') {
    return data as Dataset<T>;
  }
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    const arr = data as ArrayLike<T>;
    return { length: arr.length, get: (i: number) => arr[i] };
  }
  throw new ArgumentTypeError(
    `${where}: expected a dataset (an object with length and get(i)) or an array, got ${describeValue(data)}`,
  );
}

function checkIndex(i: number, n: number, where: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n) {
    throw new ValueError(`${where}: index ${i} is out of range for a dataset of ${n} samples`);
  }
  return i < 0 ? i + n : i;
}

/**
 * A dataset of the samples of `dataset` at `indices` (torch's `Subset`).
 *
 * See [torch.utils.data.Subset](https://pytorch.org/docs/1.13/data.html#torch.utils.data.Subset).
 * @param dataset the whole dataset.
 * @param indices the indices, in order.
 * @example
 * ```ts
 * const firstHundred = new Subset(trainSet, Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export class Subset<T = unknown> implements Dataset<T> {
  /** The whole dataset. */
  readonly dataset: Dataset<T>;
  /** The indices of the subset's samples in {@link dataset}. */
  readonly indices: number[];

  /**
   * @param dataset the whole dataset (or an array).
   * @param indices the indices, in order.
   */
  constructor(dataset: Dataset<T> | ArrayLike<T>, indices: ArrayLike<number>) {
    this.dataset = asDataset(dataset, 'Subset');
    if (indices == null || typeof indices.length !== 'number') {
      throw new ArgumentTypeError('Subset: indices must be a list of integers');
    }
    this.indices = Array.from(indices, (i) => {
      if (!Number.isInteger(i)) throw new ArgumentTypeError(`Subset: indices must be integers, got ${i}`);
      return i;
    });
  }

  /** Number of samples. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample `i` of the subset: `dataset.get(indices[i])`. */
  get(i: number): T | Promise<T> {
    return this.dataset.get(this.indices[checkIndex(i, this.length, 'Subset.get')]);
  }
}

/**
 * Several datasets one after another (torch's `ConcatDataset`).
 *
 * See [torch.utils.data.ConcatDataset](https://pytorch.org/docs/1.13/data.html#torch.utils.data.ConcatDataset).
 * @param datasets the datasets (not iterable-style ones), at least one.
 * @example
 * ```ts
 * const all = new ConcatDataset([trainSet, extraSet]);
 * ```
 */
export class ConcatDataset<T = unknown> implements Dataset<T> {
  /** The datasets. */
  readonly datasets: Dataset<T>[];
  /** Running totals of their lengths (torch's `cumulative_sizes`). */
  readonly cumulativeSizes: number[];

  /** @param datasets the datasets, at least one. */
  constructor(datasets: Iterable<Dataset<T> | ArrayLike<T>>) {
    if (datasets == null || typeof (datasets as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new ArgumentTypeError(
        `ConcatDataset(): datasets must be a list of datasets (or arrays), got ${describeValue(datasets)}`,
      );
    }
    const list = [...datasets];
    if (list.length === 0) throw new ValueError('datasets should not be an empty iterable');
    for (const d of list) {
      if (isIterableDataset(d)) throw new ValueError('ConcatDataset does not support IterableDataset');
    }
    this.datasets = list.map((d) => asDataset(d, 'ConcatDataset'));
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  /** Total number of samples. */
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  /** Sample `i` across the datasets (negative counts from the end). */
  get(i: number): T | Promise<T> {
    if (i < 0) {
      if (-i > this.length) throw new ValueError('absolute value of index should not exceed dataset length');
      i += this.length;
    }
    checkIndex(i, this.length, 'ConcatDataset.get');
    let d = 0;
    while (this.cumulativeSizes[d] <= i) d++;
    return this.datasets[d].get(d === 0 ? i : i - this.cumulativeSizes[d - 1]);
  }
}

/**
 * Splits a dataset at random into non-overlapping subsets (torch's `random_split`): the same split as torch
 * for the same generator state (`torch.randperm(n, generator=g)`).
 *
 * See [torch.utils.data.random_split](https://pytorch.org/docs/1.13/data.html#torch.utils.data.random_split).
 * @param dataset the dataset (or an array).
 * @param lengths the subsets' lengths (summing to the dataset's), or fractions summing to 1 (each
 *   `floor(frac·n)`, the remainder handed out one at a time from the first subset on, as torch).
 * @param generator the generator. Default: the global one (`manualSeed` sets it).
 * @returns one {@link Subset} per length.
 * @example
 * ```ts
 * const [train, val] = randomSplit(dataset, [0.8, 0.2], new RandomGenerator(42));
 * // torch: random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
 * ```
 */
export function randomSplit<T>(
  dataset: Dataset<T> | ArrayLike<T>,
  lengths: readonly number[],
  generator: Generator = defaultGenerator,
): Subset<T>[] {
  const ds = asDataset(dataset, 'randomSplit');
  if (!Array.isArray(lengths) || !lengths.every((l) => typeof l === 'number' && !Number.isNaN(l))) {
    throw new ArgumentTypeError('randomSplit: lengths must be a list of numbers');
  }
  let sizes = [...lengths];
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) <= 1e-9 * Math.max(1, Math.abs(sum)) && sum <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(ds.length * frac);
    });
    const remainder = ds.length - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
    sizes.forEach((n, i) => {
      if (n === 0)
        console.warn(`UserWarning: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 0) {
      throw new ValueError(
        `randomSplit: lengths must be non-negative integers or fractions summing to 1, got ${lengths[i]} at index ${i}`,
      );
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== ds.length) throw new ValueError('Sum of input lengths does not equal the length of the input dataset!');
  const perm = randpermArray(total, generator);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const n of sizes) {
    out.push(new Subset(ds, perm.subarray(offset, offset + n)));
    offset += n;
  }
  return out;
}
