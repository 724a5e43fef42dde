/**
 * torch's samplers (`torch.utils.data.sampler`): the index streams a {@link DataLoader} draws from, with
 * torch's exact draws for a seed. Each is a lazy generator in torch's order of draws.
 * @module
 */
import { describeValue } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { defaultGenerator, drawCumulative, Generator, randintFill, randpermArray } from '../random';

/** An index stream (torch's `Sampler`): iterable, with a length where torch has `__len__`. */
export interface Sampler<T = number> extends Iterable<T> {
  /** Number of items one pass yields (`len(sampler)`). */
  readonly length: number;
}

/** Anything with a length (a dataset, an array). */
export interface Sized {
  /** The number of items. */
  readonly length: number;
}

/**
 * Refuses a data source without a size (torch's `TypeError: object of type 'int' has no len()`): anything
 * with an integer `length` >= 0 goes, a string too (as torch's `len('abc')`).
 * @internal
 */
export function checkSized(v: unknown, where: string, name: string): void {
  const n = v == null ? undefined : (v as { length?: unknown }).length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ArgumentTypeError(
      `${where}(): ${name} must have a length (a dataset or an array), got ${describeValue(v)}`,
    );
  }
}

/**
 * A fresh generator seeded from `gen` as torch's samplers seed theirs when given none:
 * `torch.empty((), dtype=torch.int64).random_()` (one `random64()` modulo 2^63) then
 * `torch.Generator().manual_seed(seed)`. @internal
 */
export function seededFrom(gen: Generator): Generator {
  return new Generator(gen.random64() % (1n << 63n));
}

/**
 * Yields `0 .. n-1` in order (torch's `SequentialSampler`).
 *
 * See [torch.utils.data.SequentialSampler](https://pytorch.org/docs/1.13/data.html#torch.utils.data.SequentialSampler).
 * @param dataSource the dataset (only its length is used).
 * @example
 * ```ts
 * [...new SequentialSampler([5, 6, 7])]; // [0, 1, 2]
 * ```
 */
export class SequentialSampler implements Sampler<number> {
  /** The dataset. */
  readonly dataSource: Sized;

  /** @param dataSource the dataset. */
  constructor(dataSource: Sized) {
    checkSized(dataSource, 'SequentialSampler', 'dataSource');
    this.dataSource = dataSource;
  }

  /** `len(dataset)`. */
  get length(): number {
    return this.dataSource.length;
  }

  /** `0 .. n-1`. */
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
}

/**
 * Yields the dataset's indices in a random order (torch's `RandomSampler`), torch's draws exactly: without a
 * generator each pass seeds a fresh one from the global generator; without replacement a pass is
 * `randperm(n)` (repeated for `numSamples > n`, and a final, partly used one, as torch), with replacement
 * `randint(n)` in chunks of 32.
 *
 * See [torch.utils.data.RandomSampler](https://pytorch.org/docs/1.13/data.html#torch.utils.data.RandomSampler).
 * @param dataSource the dataset.
 * @param options.replacement draw with replacement. Default: `false`.
 * @param options.numSamples samples per pass. Default: the dataset's length.
 * @param options.generator the generator. Default: a fresh one per pass, seeded from the global generator.
 * @example
 * ```ts
 * manualSeed(0);
 * [...new RandomSampler(range)]; // torch.manual_seed(0); list(RandomSampler(range))
 * ```
 */
export class RandomSampler implements Sampler<number> {
  /** The dataset. */
  readonly dataSource: Sized;
  /** Whether samples are drawn with replacement. */
  readonly replacement: boolean;
  /** The generator, or `null` for a fresh one per pass. */
  readonly generator: Generator | null;
  private readonly numSamples_: number | null;

  /**
   * @param dataSource the dataset.
   * @param options `{ replacement, numSamples, generator }`.
   */
  constructor(
    dataSource: Sized,
    {
      replacement = false,
      numSamples = null,
      generator = null,
    }: { replacement?: boolean; numSamples?: number | null; generator?: Generator | null } = {},
  ) {
    if (typeof replacement !== 'boolean') {
      throw new ArgumentTypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    if (generator != null && !(generator instanceof Generator)) {
      throw new ArgumentTypeError('RandomSampler: generator must be a RandomGenerator (torch.Generator)');
    }
    checkSized(dataSource, 'RandomSampler', 'dataSource');
    this.dataSource = dataSource;
    this.replacement = replacement;
    this.numSamples_ = numSamples;
    this.generator = generator;
    const n = this.length;
    if (!Number.isInteger(n) || n <= 0) {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${n}`);
    }
  }

  /** Samples per pass (torch's `num_samples`). */
  get length(): number {
    return this.numSamples_ ?? this.dataSource.length;
  }

  /** One pass, drawn lazily in torch's order. */
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const gen = this.generator ?? seededFrom(defaultGenerator);
    const total = this.length;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(total / 32); k++) yield* randintFill(32, 0, n, gen);
      yield* randintFill(total % 32, 0, n, gen);
    } else {
      for (let k = 0; k < Math.floor(total / n); k++) yield* randpermArray(n, gen);
      yield* randpermArray(n, gen).subarray(0, total % n);
    }
  }
}

/**
 * Yields the given indices in a random order (torch's `SubsetRandomSampler`: `indices[randperm(len)]`).
 *
 * See [torch.utils.data.SubsetRandomSampler](https://pytorch.org/docs/1.13/data.html#torch.utils.data.SubsetRandomSampler).
 * @param indices the indices to draw from.
 * @param generator the generator. Default: the global one.
 * @example
 * ```ts
 * const valSampler = new SubsetRandomSampler(valIndices);
 * ```
 */
export class SubsetRandomSampler implements Sampler<number> {
  /** The indices. */
  readonly indices: number[];
  /** The generator (the global one when none was given). */
  readonly generator: Generator | null;

  /**
   * @param indices the indices to draw from.
   * @param generator the generator; default the global one.
   */
  constructor(indices: ArrayLike<number>, generator: Generator | null = null) {
    checkSized(indices, 'SubsetRandomSampler', 'indices');
    if (generator != null && !(generator instanceof Generator)) {
      throw new ArgumentTypeError(
        `SubsetRandomSampler(): generator must be a RandomGenerator (torch.Generator), got ${describeValue(generator)}`,
      );
    }
    this.indices = Array.from(indices);
    this.generator = generator;
  }

  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** The indices, permuted. */
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randpermArray(this.indices.length, this.generator ?? defaultGenerator)) yield this.indices[i];
  }
}

/**
 * Yields indices drawn with probabilities proportional to `weights` (torch's `WeightedRandomSampler`,
 * `torch.multinomial` on float64 weights). With replacement (one sample too), torch's draws exactly (a 53-bit
 * uniform per sample and a binary search of the normalised cumulative weights); without replacement, torch's
 * exponential-race algorithm (`argmax`/`topk` of `w / Exp(1)`).
 *
 * See [torch.utils.data.WeightedRandomSampler](https://pytorch.org/docs/1.13/data.html#torch.utils.data.WeightedRandomSampler).
 * @param weights non-negative weights, one per index.
 * @param numSamples samples per pass.
 * @param replacement draw with replacement. Default: `true`.
 * @param generator the generator. Default: the global one.
 * @example
 * ```ts
 * const sampler = new WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5);
 * ```
 */
export class WeightedRandomSampler implements Sampler<number> {
  /** The weights (float64). */
  readonly weights: Float64Array;
  /** Samples per pass. */
  readonly numSamples: number;
  /** Whether samples are drawn with replacement. */
  readonly replacement: boolean;
  /** The generator (the global one when none was given). */
  readonly generator: Generator | null;

  /**
   * @param weights non-negative weights.
   * @param numSamples samples per pass.
   * @param replacement with replacement; default `true`.
   * @param generator the generator; default the global one.
   */
  constructor(weights: ArrayLike<number>, numSamples: number, replacement = true, generator: Generator | null = null) {
    if (!Number.isInteger(numSamples) || numSamples <= 0 || typeof numSamples === 'boolean') {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    }
    if (typeof replacement !== 'boolean') {
      throw new ValueError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    this.weights = Float64Array.from(weights);
    if (this.weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
      throw new ValueError('invalid multinomial distribution (encountering probability entry < 0, inf or nan)');
    }
    const sum = this.weights.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) throw new ValueError('invalid multinomial distribution (sum of probabilities <= 0)');
    if (!replacement && numSamples > this.weights.length) {
      throw new ValueError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    }
    this.numSamples = numSamples;
    this.replacement = replacement;
    this.generator = generator;
  }

  /** Samples per pass. */
  get length(): number {
    return this.numSamples;
  }

  /** One pass of weighted draws. */
  *[Symbol.iterator](): Iterator<number> {
    const gen = this.generator ?? defaultGenerator;
    const w = this.weights;
    const n = w.length;
    if (this.replacement) {
      const cum = new Float64Array(n);
      let sum = 0;
      for (let j = 0; j < n; j++) cum[j] = sum += w[j];
      for (let j = 0; j < n; j++) cum[j] /= sum;
      cum[n - 1] = 1;
      const out: number[] = [];
      for (let k = 0; k < this.numSamples; k++) out.push(drawCumulative(cum, gen));
      yield* out;
      return;
    }
    // torch: q = Exp(1) samples; result = topk(w / q) (argmax for one sample).
    const q = new Float64Array(n);
    for (let j = 0; j < n; j++) q[j] = w[j] / (-1.0 * Math.log(1 - gen.random53()));
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => q[b] - q[a] || a - b);
    yield* order.slice(0, this.numSamples);
  }
}

/**
 * Groups another sampler's indices into batches (torch's `BatchSampler`); the last, smaller batch is kept
 * unless `dropLast`.
 *
 * See [torch.utils.data.BatchSampler](https://pytorch.org/docs/1.13/data.html#torch.utils.data.BatchSampler).
 * (The package's top-level `BatchSampler` is the DCGAN's epoch sampler; this one is `utils.data.BatchSampler`.)
 * @param sampler the index stream.
 * @param batchSize indices per batch, ≥ 1.
 * @param dropLast drop the last incomplete batch.
 * @example
 * ```ts
 * [...new utils.data.BatchSampler(new SequentialSampler(range10), 3, false)]; // [[0,1,2], ..., [9]]
 * ```
 */
export class BatchSampler implements Sampler<number[]> {
  /** The index stream. */
  readonly sampler: Sampler<number> | Iterable<number>;
  /** Indices per batch. */
  readonly batchSize: number;
  /** Whether the last incomplete batch is dropped. */
  readonly dropLast: boolean;

  /**
   * @param sampler the index stream.
   * @param batchSize indices per batch.
   * @param dropLast drop the last incomplete batch.
   */
  constructor(sampler: Sampler<number> | Iterable<number>, batchSize: number, dropLast: boolean) {
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
    }
    if (typeof dropLast !== 'boolean') {
      throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    }
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  /** Batches per pass (`len(batch_sampler)`). */
  get length(): number {
    const n = (this.sampler as Sampler<number>).length;
    if (typeof n !== 'number') throw new ArgumentTypeError('BatchSampler: the sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One pass of batches, pulling indices lazily as torch does. */
  *[Symbol.iterator](): Iterator<number[]> {
    const it = this.sampler[Symbol.iterator]();
    if (this.dropLast) {
      while (true) {
        const batch: number[] = [];
        for (let k = 0; k < this.batchSize; k++) {
          const r = it.next();
          if (r.done) return;
          batch.push(r.value);
        }
        yield batch;
      }
    }
    let batch: number[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      batch.push(r.value);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}
