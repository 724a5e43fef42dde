// Data loading: samplers against torch/NumPy index streams, datasets, IDX parsing (incl. corrupt
// files and the real Fashion-MNIST files), and the mnist package's digits.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import {
  BatchSampler,
  ImageDataset,
  Mt19937,
  RandomBatchSampler,
  TensorDataset,
  randint,
  randperm,
  scaleImageBytes,
} from '../src/data/dataset';
import { FormatError, ValueError } from '../src/errors';
import { encodeIdx, loadIdxArrays, loadIdxImages, parseIdx, readIdx } from '../src/node/idx';
import type { IdxArray } from '../src/node/idx';
import { loadMnist, loadMnistArrays } from '../src/node/mnist';
import { expectClose, fixtureData, loadFixture } from './helpers';
import type { FixtureTensor } from './helpers';

const fx = loadFixture('data');
const cases = (kind: string) => fx.cases.filter((c) => c.kind === kind);
const tmp = mkdtempSync(join(tmpdir(), 'tfjs-torch-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MT19937 streams match torch and NumPy', () => {
  it('init_genrand(5489) gives the reference first outputs', () => {
    // mt19937ar.c's published first outputs for the default seed 5489 (also std::mt19937's).
    const g = new Mt19937(5489);
    expect([g.nextUint32(), g.nextUint32()]).toEqual([3499211612, 581869302]);
  });

  it.each(cases('randperm').map((c) => [c.name, c]))('%s', (_, c) => {
    expect(Array.from(randperm(new Mt19937(c.seed), c.n))).toEqual(Array.from(fixtureData(c.perm)));
  });

  it.each(cases('dataloader').map((c) => [c.name, c]))('BatchSampler = %s, 3 epochs', (_, c) => {
    const s = new BatchSampler(c.n, c.batchSize, { seed: c.seed, dropLast: c.dropLast });
    const epochs = [0, 1, 2].map(() => Array.from(s, (b) => Array.from(b)));
    expect(epochs).toEqual(c.epochs);
    expect(s.numBatches).toBe(c.epochs[0].length);
  });

  it.each(cases('randint').map((c) => [c.name, c]))('%s', (_, c) => {
    const g = new Mt19937(c.seed);
    const draws = c.draws.map(() => Array.from(randint(g, c.high, c.size)));
    expect(draws).toEqual(c.draws);
  });

  it("RandomBatchSampler is the article's np.random.randint(len(x_train), size=batch_size)", () => {
    const c = cases('randint').find((k) => k.high === 60000)!;
    const s = new RandomBatchSampler(60000, 128, { seed: c.seed });
    expect([0, 1, 2].map(() => Array.from(s.next()))).toEqual(c.draws);
  });

  it('sequential BatchSampler and argument checks', () => {
    expect(Array.from(new BatchSampler(5, 2, { shuffle: false }), (b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4]]);
    expect(Array.from(new BatchSampler(5, 2, { shuffle: false, dropLast: true }), (b) => Array.from(b))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(() => new BatchSampler(5, 0)).toThrow(ValueError);
    expect(() => new BatchSampler(0, 2, { seed: 1 })).toThrow(/num_samples=0/);
    expect(() => new BatchSampler(5, 2, { seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => new Mt19937(2 ** 32)).toThrow(ValueError);
    expect(() => randint(new Mt19937(0), 0, 3)).toThrow(ValueError);
  });
});

describe('datasets', () => {
  it.each(cases('scale').map((c) => [c.name, c]))('scaleImageBytes %s is float32-exact', (_, c) => {
    const got = scaleImageBytes(
      Uint8Array.from({ length: 256 }, (_, i) => i),
      c.scale,
    );
    expect(Array.from(got)).toEqual(Array.from(fixtureData(c.values)));
  });

  it('TensorDataset indexes and batches along dim 0', () => {
    const x = tf.tensor3d(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [4, 2, 3],
    );
    const y = tf.tensor1d([10, 11, 12, 13], 'int32');
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(-1);
    expect(xi.shape).toEqual([2, 3]);
    expect(Array.from(xi.dataSync())).toEqual([18, 19, 20, 21, 22, 23]);
    expect(yi.dataSync()[0]).toBe(13);
    const [xb, yb] = ds.batch([2, 0, 2]);
    expect(xb.shape).toEqual([3, 2, 3]);
    expect(Array.from(yb.dataSync())).toEqual([12, 10, 12]);
    expect(() => new TensorDataset(x, tf.zeros([3]))).toThrow(/tensor 0 has 4 samples.*tensor 1 has 3/);
    expect(() => ds.get(4)).toThrow(/index 4 is out of range for a dataset of 4/);
  });

  it('ImageDataset scales bytes per batch and keeps labels', () => {
    const bytes = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
    const ds = new ImageDataset(bytes, [3, 1, 2, 2], [7, 8, 9]);
    const { images, labels } = ds.batch([2, 0]);
    expect(images.shape).toEqual([2, 1, 2, 2]);
    expect(images.dtype).toBe('float32');
    expect(Array.from(images.dataSync())).toEqual(
      Array.from(scaleImageBytes(Uint8Array.of(160, 180, 200, 220, 0, 20, 40, 60))),
    );
    expect(labels!.dtype).toBe('int32');
    expect(Array.from(labels!.dataSync())).toEqual([9, 7]);
    const unit = new ImageDataset(bytes, [3, 1, 2, 2], null, { scale: 'unit' });
    expect(unit.get(0).image.shape).toEqual([1, 2, 2]);
    expect(unit.get(0).label).toBeNull();
    const floats = new ImageDataset(Float32Array.of(1, 2, 3, 4), [2, 2, 1, 1]);
    expect(Array.from(floats.batch([1]).images.dataSync())).toEqual([3, 4]);
    expect(() => new ImageDataset(bytes, [3, 1, 2, 3])).toThrow(/needs 18 values, images has 12/);
    expect(() => new ImageDataset(bytes, [3, 1, 2, 2], [1])).toThrow(/expected 3 labels/);
  });
});

describe('IDX files', () => {
  const arrays: IdxArray[] = [
    { dtype: 'uint8', shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 21) },
    { dtype: 'int8', shape: [5], data: Int8Array.of(-128, -1, 0, 1, 127) },
    { dtype: 'int16', shape: [2, 3], data: Int16Array.of(-32768, -2, 0, 3, 258, 32767) },
    { dtype: 'int32', shape: [2, 1, 2], data: Int32Array.of(-2147483648, -70000, 70000, 2147483647) },
    { dtype: 'float32', shape: [3], data: Float32Array.of(-1.5, 0.1, 3e38) },
    { dtype: 'float64', shape: [1, 2], data: Float64Array.of(Math.PI, -1e-300) },
    { dtype: 'uint8', shape: [0, 28, 28], data: new Uint8Array(0) },
  ];

  it('encodes big-endian with the documented magic', () => {
    const b = encodeIdx({ dtype: 'int16', shape: [2], data: Int16Array.of(258, -2) });
    expect(Array.from(b)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 1, 2, 0xff, 0xfe]);
  });

  it.each(arrays.map((a) => [`${a.dtype} [${a.shape}]`, a]))(
    'round-trips %s raw, gzipped and from a file',
    (name, a) => {
      const raw = encodeIdx(a);
      for (const src of [raw, gzipSync(raw)]) {
        const got = readIdx(src);
        expect(got.dtype).toBe(a.dtype);
        expect(got.shape).toEqual(a.shape);
        expect(got.data.constructor).toBe(a.data.constructor);
        expect(Array.from(got.data)).toEqual(Array.from(a.data));
      }
      const path = join(tmp, `${a.dtype}-${a.shape.join('x')}-idx.gz`);
      writeFileSync(path, gzipSync(raw));
      expect(Array.from(readIdx(path).data)).toEqual(Array.from(a.data));
    },
  );

  const good = encodeIdx({
    dtype: 'uint8',
    shape: [60000, 28, 28].map((d, i) => (i ? d : 2)),
    data: new Uint8Array(2 * 784),
  });
  const withHeader = (h: number[], dataLen: number) => Uint8Array.from([...h, ...new Array(dataLen).fill(0)]);
  const corrupt: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /expected a 4-byte magic number, file has 0 bytes/],
    [
      'wrong magic',
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0),
      /magic number must start with two zero bytes, got 0x89 0x50 \(magic 0x89504e47\)/,
    ],
    ['unknown type code', Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 1, 5), /unknown IDX type code 0x0a/],
    ['rank 0', Uint8Array.of(0, 0, 8, 0), /rank is 0/],
    ['truncated header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0), /rank 3 needs 16 header bytes, file has 10/],
    [
      'truncated data',
      withHeader([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28], 984),
      /truncated: expected 47040016 bytes \(16-byte header \+ 47040000 bytes of uint8 data for shape \[60000, 28, 28\]\), file has 1000/,
    ],
    ['trailing garbage', Uint8Array.from([...good, 1, 2, 3]), /3 trailing bytes after the data: expected 1584 bytes/],
    [
      'absurd dims',
      Uint8Array.of(0, 0, 0x0e, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 9),
      /declares 1\.3\d+e\+21 bytes of data, more than the 1073741824-byte limit/,
    ],
    [
      'corrupt gzip',
      (() => {
        const z = gzipSync(good);
        z[12] ^= 0xff;
        z[13] ^= 0xff;
        return z;
      })(),
      /corrupt gzip data/,
    ],
    ['truncated gzip', gzipSync(good).subarray(0, 20), /corrupt gzip data: unexpected end of file/],
  ];

  it.each(corrupt)('rejects %s with a FormatError naming the file', (_, bytes, msg) => {
    const path = join(tmp, 'bad-idx');
    writeFileSync(path, bytes);
    expect(() => readIdx(path)).toThrow(FormatError);
    expect(() => readIdx(path)).toThrow(msg);
    expect(() => readIdx(path)).toThrow(path);
  });

  it('caps the decoded size (gzip bombs and big headers) by maxBytes', () => {
    const big = encodeIdx({ dtype: 'uint8', shape: [1000], data: new Uint8Array(1000) });
    const bomb = gzipSync(encodeIdx({ dtype: 'uint8', shape: [1 << 20], data: new Uint8Array(1 << 20) }));
    expect(bomb.length).toBeLessThan(2000);
    expect(() => readIdx(bomb, { maxBytes: 500 })).toThrow(/decompresses to more than the 500-byte limit/);
    expect(() => parseIdx(big, { maxBytes: 999, name: 'x.idx' })).toThrow(
      /x\.idx: .*declares 1000 bytes of data, more than the 999-byte limit/,
    );
    expect(readIdx(big, { maxBytes: 1000 }).shape).toEqual([1000]);
  });

  it('loadIdxImages gives [N,1,H,W] in [-1,1] and int32 labels, checking counts', () => {
    const imgs = encodeIdx({
      dtype: 'uint8',
      shape: [2, 2, 3],
      data: Uint8Array.of(0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6),
    });
    const labs = encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(4, 9) });
    const ip = join(tmp, 'imgs-idx3-ubyte.gz');
    writeFileSync(ip, gzipSync(imgs));
    const lp = join(tmp, 'labs-idx1-ubyte');
    writeFileSync(lp, labs);
    const { images, labels } = loadIdxImages(ip, lp);
    expect(images.shape).toEqual([2, 1, 2, 3]);
    expect(Array.from(images.dataSync().slice(0, 6))).toEqual(
      Array.from(scaleImageBytes(Uint8Array.of(0, 51, 102, 153, 204, 255))),
    );
    expect(labels!.dtype).toBe('int32');
    expect(Array.from(labels!.dataSync())).toEqual([4, 9]);
    expect(loadIdxImages(ip).labels).toBeNull();
    const three = join(tmp, 'three-labels');
    writeFileSync(three, encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) }));
    expect(() => loadIdxArrays(ip, three)).toThrow(/has 3 labels but .*imgs-idx3-ubyte\.gz has 2 images/);
    expect(() => loadIdxArrays(lp)).toThrow(
      /expected IDX images of ubyte \(0x08\) with shape \[N, H, W\], got uint8 with shape \[2\]/,
    );
    expect(() => loadIdxArrays(ip, ip)).toThrow(/expected IDX labels/);
  });

  const fashion = cases('fashion')[0];
  const fdir = fashion?.dir ?? '/usr/share/datasets/fashion-mnist';
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  for (const [split, prefix] of [
    ['train', 'train'],
    ['test', 't10k'],
  ] as const) {
    const ip = join(fdir, `${prefix}-images-idx3-ubyte.gz`);
    const lp = join(fdir, `${prefix}-labels-idx1-ubyte.gz`);
    // Expected facts: scripts/fixtures/data.py reading these same files with gzip + numpy.
    it.skipIf(!fashion || !existsSync(ip) || !existsSync(lp))(`real Fashion-MNIST ${split} files (${fdir})`, () => {
      const f = fashion[split];
      const a = loadIdxArrays(ip, lp);
      expect([a.count, a.height, a.width]).toEqual(f.shape);
      expect(sha(a.images)).toBe(f.sha256Images);
      expect(sha(a.labels!)).toBe(f.sha256Labels);
      expect(Array.from(a.labels!.slice(0, 10))).toEqual(f.labelsFirst10);
      const counts = new Array(10).fill(0);
      for (const l of a.labels!) counts[l]++;
      expect(counts).toEqual(f.labelCounts);
      expect(a.images.subarray(0, 784).reduce((s, v) => s + v, 0)).toBe(f.firstImageSum);
      expect(a.images[14 * 28 + 14]).toBe(f.pixel_0_14_14);
      if (split === 'test') {
        const { images, labels } = loadIdxImages(ip, lp);
        expect(images.shape).toEqual([10000, 1, 28, 28]);
        expect(labels!.shape).toEqual([10000]);
        const [lo, hi] = [images.min().dataSync()[0], images.max().dataSync()[0]];
        expect(lo).toBeGreaterThanOrEqual(-1);
        expect(hi).toBeLessThanOrEqual(1);
        expect(images.dataSync()[14 * 28 + 14]).toBe(Math.fround(Math.fround(f.pixel_0_14_14 / 127.5) - 1));
        tf.dispose([images, labels!]);
      }
    });
  }
});

describe('mnist package digits', () => {
  const facts = cases('mnist')[0];

  it("loads all 10,000 real digits quickly, bytes identical to python's round(v * 255)", () => {
    const t0 = performance.now();
    const grouped = loadMnistArrays({ order: 'grouped' });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    expect(grouped.count).toBe(10000);
    expect(createHash('sha256').update(grouped.images).digest('hex')).toBe(facts.sha256Grouped);
    const counts = new Array(10).fill(0);
    for (const l of grouped.labels) counts[l]++;
    expect(counts).toEqual(facts.counts);
  });

  it('interleaves classes by default, so a limit is class-balanced', () => {
    const a = loadMnistArrays({ limit: 25 });
    expect(Array.from(a.labels)).toEqual(Array.from({ length: 25 }, (_, i) => i % 10));
    const first3 = fixtureData(facts.first3 as FixtureTensor);
    expect(Array.from(a.images.subarray(3 * 784, 4 * 784))).toEqual(Array.from(first3));
    const some = loadMnistArrays({ digits: [5, 1], limit: 1900 });
    expect(some.count).toBe(1900);
    expect(Array.from(some.labels.slice(0, 4))).toEqual([5, 1, 5, 1]);
    // 863 fives run out first; the rest are ones.
    expect(some.labels.filter((l) => l === 5).length).toBe(facts.counts[5]);
  });

  it('loadMnist gives [N,1,28,28] float32 scaled by x/127.5 - 1 and int32 labels', () => {
    const { images, labels } = loadMnist({ limit: 12 });
    expect(images.shape).toEqual([12, 1, 28, 28]);
    expect(images.dtype).toBe('float32');
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const three = images.slice([3, 0, 0, 0], [1, 1, 28, 28]);
    expectClose(three.reshape([784]), facts.scaledFirst3 as FixtureTensor, 'first 3', { rtol: 0, atol: 0 });
    tf.dispose([images, labels, three]);
  });

  it('rejects bad options and malformed digit files', () => {
    expect(() => loadMnistArrays({ digits: [10] })).toThrow(/integers 0\.\.9/);
    expect(() => loadMnistArrays({ digits: [1, 1] })).toThrow(/duplicates/);
    expect(() => loadMnistArrays({ limit: -1 })).toThrow(/limit/);
    const dir = join(tmp, 'digits');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, '0.json'), '{"data": [0, 0.5, 1, ]}');
    expect(() => loadMnistArrays({ dir, digits: [0] })).toThrow(/0\.json: expected a number at byte/);
    writeFileSync(join(dir, '1.json'), '{"data": [0, 0.5, 1]}');
    expect(() => loadMnistArrays({ dir, digits: [1] })).toThrow(/3 pixel values is not a whole number of 28x28 images/);
    writeFileSync(join(dir, '2.json'), `{"data": [${new Array(784).fill('0.2').join(',')}]}`);
    const two = loadMnistArrays({ dir, digits: [2] });
    expect(two.images[0]).toBe(51);
  });
});
