// The MNIST/IDX datasets through a DataLoader, as pytorch/examples' mnist/main.py reads them: images
// [N, 1, 28, 28] float32 after ToTensor + Normalize, targets [N] int32. (The transforms' values are checked
// against torchvision in test/dataloader.test.ts.)
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { DataLoader } from '../src/data/dataloader';
import { Compose, Normalize, ToTensor } from '../src/data/transforms';
import { encodeIdx, idxDataset } from '../src/node/idx';
import { loadMnistArrays, MNIST } from '../src/node/mnist';

const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]);

describe('MNIST + DataLoader', () => {
  it('the bundled digits: 8,000 training and 2,000 test images; batches [64, 1, 28, 28] float32, targets int32', () => {
    const train = new MNIST(null, { train: true, transform });
    const test = new MNIST(null, { train: false, transform });
    expect([train.length, test.length]).toEqual([8000, 2000]);
    const labels = loadMnistArrays().labels;
    const loader = new DataLoader(train, { batchSize: 64 });
    expect(loader.length).toBe(125);
    let seen = 0;
    const before = tf.memory().numTensors;
    for (const [data, target] of loader as Iterable<[tf.Tensor, tf.Tensor]>) {
      expect(data.shape).toEqual([64, 1, 28, 28]);
      expect(data.dtype).toBe('float32');
      expect(target.dtype).toBe('int32');
      expect(Array.from(target.dataSync())).toEqual(Array.from(labels.subarray(seen, seen + 64)));
      seen += 64;
      if (seen >= 192) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("torchvision's folder layout <root>/MNIST/raw/*-idx3-ubyte, and idxDataset", () => {
    const root = mkdtempSync(join(tmpdir(), 'mnist-'));
    mkdirSync(join(root, 'MNIST', 'raw'), { recursive: true });
    const images = Uint8Array.from({ length: 5 * 28 * 28 }, (_, i) => i % 256);
    const labels = Uint8Array.of(3, 1, 4, 1, 5);
    for (const prefix of ['train', 't10k']) {
      writeFileSync(
        join(root, 'MNIST', 'raw', `${prefix}-images-idx3-ubyte`),
        encodeIdx({ dtype: 'uint8', shape: [5, 28, 28], data: images }),
      );
      writeFileSync(
        join(root, 'MNIST', 'raw', `${prefix}-labels-idx1-ubyte`),
        encodeIdx({ dtype: 'uint8', shape: [5], data: labels }),
      );
    }
    const ds = new MNIST(root, { train: false, transform });
    const loader = new DataLoader(ds, { batchSize: 2, dropLast: true });
    const targets: number[] = [];
    for (const [data, target] of loader as Iterable<[tf.Tensor, tf.Tensor]>) {
      expect(data.shape).toEqual([2, 1, 28, 28]);
      targets.push(...target.dataSync());
    }
    expect(targets).toEqual([3, 1, 4, 1]);
    const raw = idxDataset(
      join(root, 'MNIST', 'raw', 'train-images-idx3-ubyte'),
      join(root, 'MNIST', 'raw', 'train-labels-idx1-ubyte'),
    );
    const [img, target] = raw.get(-1) as [{ data: Uint8Array; channels: number }, number];
    expect([img.data.length, img.channels, target]).toEqual([784, 1, 5]);
    expect(() => new MNIST(join(root, 'nowhere'))).toThrow(/not found/);
    expect(() => new MNIST(root, { download: true })).toThrow(/download is not supported/);
  });
});
