// torch.utils.data against real PyTorch 1.13 (test/fixtures/dataloader.json, written by
// scripts/fixtures/dataloader.py): shuffled DataLoader orders over two epochs for several seeds, batch sizes and
// dropLast (with the global generator and with generator=), the global generator's state afterwards,
// len(loader), randperm for small and large n, randomSplit, the samplers, defaultCollate, ToTensor/Normalize,
// and torch's messages for bad arguments.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

import { ShapeError, ValueError } from '../src/errors';
import * as data from '../src/data/index';
import { Compose, Normalize, ToTensor, VisionDataset } from '../src/data/transforms';
import { Generator, manualSeed, randpermArray } from '../src/random';
import { randn } from '../src/tensor';
import { expectClose, type FixtureTensor, fixtureData, loadFixture, toTensor } from './helpers';

interface LoaderCase {
  seed: number;
  n: number;
  batch_size: number;
  drop_last: boolean;
  generator: number | null;
  shuffle: boolean;
  len: number;
  epochs: number[][][];
  randn_after: FixtureTensor;
}

interface Doc {
  loaders: LoaderCase[];
  randperm: Array<{ seed: number; n: number; head: number[]; tail: number[]; checksum: number; next_draw: number }>;
  splits: Array<{ n: number; lengths: number[]; generator: number | null; manual_seed?: number; indices: number[][] }>;
  samplers: Record<string, number[] | number[][]>;
  collate: {
    samples: Array<[FixtureTensor, number, number, { a: FixtureTensor; b: number[] }]>;
    x: FixtureTensor;
    ints: number[];
    floats: number[];
    a: FixtureTensor;
    b: number[][];
  };
  transforms: { bytes: number[][]; to_tensor: FixtureTensor[]; normalized: FixtureTensor[] };
  errors: Array<[string, string]>;
}

const doc = loadFixture<Doc>('dataloader').cases[0];

describe("DataLoader: torch's sample order for a seed", () => {
  for (const c of doc.loaders) {
    const name = `seed=${c.seed},n=${c.n},bs=${c.batch_size},drop_last=${c.drop_last},shuffle=${c.shuffle}${c.generator != null ? `,generator=${c.generator}` : ''}`;
    it(name, () => {
      manualSeed(c.seed);
      const x = tf.range(0, c.n, 1, 'int32');
      const ds = new data.TensorDataset(x);
      const generator = c.generator != null ? new Generator(c.generator) : null;
      const loader = new data.DataLoader(ds, {
        batchSize: c.batch_size,
        shuffle: c.shuffle,
        dropLast: c.drop_last,
        generator,
      });
      expect(loader.length).toBe(c.len);
      const before = tf.memory().numTensors;
      // Each batch is read inside the loop: the loader disposes it when the loop moves on.
      const epochs = [0, 1].map(() => {
        const order: number[][] = [];
        for (const b of loader) order.push(Array.from((b as tf.Tensor[])[0].dataSync()));
        return order;
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(epochs).toEqual(c.epochs);
      const after = randn([3]);
      expectClose(after, c.randn_after, `${name}: randn(3) after two epochs`, { rtol: 0, atol: 0 });
      tf.dispose([x, after]);
    });
  }

  it('for await over an async dataset gives the same batches', async () => {
    const c = doc.loaders.find((k) => k.n === 23 && k.batch_size === 7 && !k.drop_last && k.generator == null)!;
    manualSeed(c.seed);
    const ds = { length: c.n, get: async (i: number) => [tf.scalar(i, 'int32')] };
    const loader = new data.DataLoader(ds, { batchSize: c.batch_size, shuffle: true });
    const got: number[][] = [];
    for await (const b of loader) got.push(Array.from(((b as tf.Tensor[])[0] as tf.Tensor).dataSync()));
    expect(got).toEqual(c.epochs[0]);
  });
});

describe("randperm matches torch's for small and large n", () => {
  for (const c of doc.randperm) {
    it(`n=${c.n},seed=${c.seed}`, () => {
      const g = new Generator(c.seed);
      const p = randpermArray(c.n, g);
      expect(Array.from(p.subarray(0, 40))).toEqual(c.head);
      expect(Array.from(p.subarray(Math.max(0, c.n - 40)))).toEqual(c.tail);
      let sum = 0n;
      for (let i = 0; i < c.n; i++) sum += BigInt(p[i]) * BigInt(i);
      expect(Number(sum % 2n ** 31n)).toBe(c.checksum);
      expect(Number(g.random64() % (1n << 63n))).toBe(c.next_draw);
    });
  }
});

describe("randomSplit: torch's indices", () => {
  for (const c of doc.splits) {
    it(`n=${c.n},lengths=${JSON.stringify(c.lengths)},generator=${c.generator}`, () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const range = Array.from({ length: c.n }, (_, i) => i);
      let subsets: data.Subset<number>[];
      if (c.generator == null) {
        manualSeed(c.manual_seed!);
        subsets = data.randomSplit(range, c.lengths);
      } else subsets = data.randomSplit(range, c.lengths, new Generator(c.generator));
      expect(subsets.map((s) => s.indices)).toEqual(c.indices);
      expect(subsets.map((s) => Array.from({ length: s.length }, (_, i) => s.get(i)))).toEqual(c.indices);
      warn.mockRestore();
    });
  }
});

describe("samplers: torch's draws", () => {
  const r = Array.from({ length: 10 }, (_, i) => i);
  const s = doc.samplers;
  it.each([
    [
      'RandomSampler(replacement, numSamples=70)',
      () => new data.RandomSampler(r, { replacement: true, numSamples: 70, generator: new Generator(1) }),
      s.random_replacement_70,
    ],
    [
      'RandomSampler(numSamples=25)',
      () => new data.RandomSampler(r, { numSamples: 25, generator: new Generator(2) }),
      s.random_num_samples_25,
    ],
    [
      'SubsetRandomSampler',
      () => new data.SubsetRandomSampler([3, 5, 7, 11, 13, 17], new Generator(3)),
      s.subset_random,
    ],
    [
      'WeightedRandomSampler(replacement)',
      () => new data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20, true, new Generator(4)),
      s.weighted_replacement,
    ],
    [
      'WeightedRandomSampler(no replacement)',
      () => new data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, false, new Generator(5)),
      s.weighted_no_replacement,
    ],
    [
      'WeightedRandomSampler(1 sample)',
      () => new data.WeightedRandomSampler([1.0, 2.0, 3.0], 1, true, new Generator(6)),
      s.weighted_one,
    ],
    [
      'WeightedRandomSampler(1 sample) over 24 seeds',
      () =>
        Array.from(
          { length: 24 },
          (_, seed) =>
            [...new data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 1, true, new Generator(seed))][0],
        ),
      s.weighted_one_seeds,
    ],
    [
      'BatchSampler(Sequential, 3)',
      () => new data.BatchSampler(new data.SequentialSampler(r), 3, false),
      s.batch_sequential_3,
    ],
    [
      'BatchSampler(Sequential, 3, dropLast)',
      () => new data.BatchSampler(new data.SequentialSampler(r), 3, true),
      s.batch_sequential_3_drop,
    ],
  ])('%s', (_, make, expected) => {
    expect([...(make() as Iterable<unknown>)]).toEqual(expected);
  });
});

describe('defaultCollate', () => {
  it("stacks tensors, numbers, nested objects and lists as torch's default_collate", () => {
    const c = doc.collate;
    const samples = c.samples.map(([x, i, f, o]) => [toTensor(x), i, f, { a: toTensor(o.a), b: o.b }]);
    const out = data.defaultCollate(samples) as [tf.Tensor, tf.Tensor, tf.Tensor, { a: tf.Tensor; b: tf.Tensor[] }];
    expectClose(out[0], c.x, 'stacked tensors', { rtol: 0, atol: 0 });
    expect(out[1].dtype).toBe('int32');
    expect(Array.from(out[1].dataSync())).toEqual(c.ints);
    expect(out[2].dtype).toBe('float32');
    expectClose(out[2], c.floats, 'floats');
    expectClose(out[3].a, c.a, 'nested tensors', { rtol: 0, atol: 0 });
    expect(out[3].b.map((t) => Array.from(t.dataSync()))).toEqual(c.b);
  });

  it('tensors of different shapes and lists of different lengths are clear errors', () => {
    expect(() => data.defaultCollate([tf.zeros([2]), tf.zeros([3])])).toThrow(ShapeError);
    expect(() => data.defaultCollate([tf.zeros([2]), tf.zeros([3])])).toThrow(
      /stack expects each tensor to be equal size/,
    );
    expect(() => data.defaultCollate([[1, 2], [1]])).toThrow('each element in list of batch should be of equal size');
  });
});

describe('transforms: ToTensor + Normalize([0.1307], [0.3081]) as torchvision', () => {
  it('per image, and through VisionDataset + DataLoader ([N, 1, 28, 28] float32, targets int32)', () => {
    const t = doc.transforms;
    const toTensor = new ToTensor();
    const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]);
    t.bytes.forEach((b, i) => {
      const img = { data: Uint8Array.from(b), channels: 1, height: 28, width: 28 };
      expectClose(toTensor.forward(img), t.to_tensor[i], `ToTensor ${i}`, { rtol: 0, atol: 0 });
      expectClose(transform.forward(img) as tf.Tensor, t.normalized[i], `Normalize ${i}`, { rtol: 1e-6, atol: 1e-6 });
    });
    const images = Uint8Array.from(t.bytes.flat());
    const ds = new VisionDataset(
      { images, labels: Uint8Array.of(7, 2, 9), count: 3, channels: 1, height: 28, width: 28 },
      { transform },
    );
    const loader = new data.DataLoader(ds, { batchSize: 2 });
    const batches = [];
    for (const b of loader) {
      const [x, y] = b as [tf.Tensor, tf.Tensor];
      batches.push({
        shape: x.shape,
        dtype: x.dtype,
        y: Array.from(y.dataSync()),
        ydtype: y.dtype,
        x: x.dataSync().slice(),
      });
    }
    expect(batches.map((b) => [b.shape, b.dtype, b.y, b.ydtype])).toEqual([
      [[2, 1, 28, 28], 'float32', [7, 2], 'int32'],
      [[1, 1, 28, 28], 'float32', [9], 'int32'],
    ]);
    expectClose(batches[1].x, fixtureData(t.normalized[2]), 'batched image 2', { rtol: 1e-6, atol: 1e-6 });
  });
});

describe("bad input: torch's messages", () => {
  const ds = () => new data.TensorDataset(tf.range(0, 10, 1, 'int32'));
  const msg = Object.fromEntries(doc.errors);
  it.each([
    ['batch_size=0', () => new data.DataLoader(ds(), { batchSize: 0 })],
    [
      'sampler with shuffle',
      () => new data.DataLoader(ds(), { sampler: new data.SequentialSampler(ds()), shuffle: true }),
    ],
    [
      'batch_sampler with batch_size',
      () =>
        new data.DataLoader(ds(), {
          batchSampler: new data.BatchSampler(new data.SequentialSampler(ds()), 2, false),
          batchSize: 3,
        }),
    ],
    ['batch_size=None with drop_last', () => new data.DataLoader(ds(), { batchSize: null, dropLast: true })],
    ['TensorDataset unequal', () => new data.TensorDataset(tf.zeros([3, 2]), tf.zeros([4]))],
    ['random_split bad sum', () => data.randomSplit(Array.from({ length: 10 }), [3, 8])],
    ['random_split bad fraction', () => data.randomSplit(Array.from({ length: 10 }), [1.5, -0.5])],
  ])('%s', (name, make) => {
    expect(make).toThrow(msg[name as string]);
  });

  it('typos and wrong types are errors naming the option', () => {
    expect(() => new data.DataLoader(ds(), { batchsize: 4 } as never)).toThrow(
      /unexpected keyword argument 'batchsize'.*'batchSize'/,
    );
    expect(() => new data.DataLoader(ds(), { shuffle: 'yes' } as never)).toThrow(/'shuffle' must be a boolean/);
    expect(() => new data.DataLoader(ds(), { batchSize: 2.5 })).toThrow(/'batchSize' must be an int/);
    expect(() => new data.DataLoader(42 as never)).toThrow(/expected a dataset/);
    expect(() => new data.Subset([1, 2, 3], [0, 1]).get(5)).toThrow(ValueError);
  });
});
