/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), raw or gzipped.
 *
 * Layout: two zero bytes, a type code, the rank, one big-endian uint32 per dimension, then the
 * values in row-major order, big-endian. Every malformed file is a `FormatError` naming the file
 * and what was wrong; declared sizes are checked before anything is allocated.
 * @module
 */
import { VisionDataset, type VisionDatasetOptions } from '../data/transforms';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';

import { FormatError, ShapeError } from '../errors';
import { scaleImageBytes } from '../data/dataset';
import type { ByteScale, ImageBytes } from '../data/dataset';

/** The element types IDX can hold, by tfjs/TypedArray name. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array each {@link IdxDtype} decodes to. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, shape and values (row-major, native byte order). */
export interface IdxArray {
  /** Element type. */
  dtype: IdxDtype;
  /** Dimensions (at least one). */
  shape: number[];
  /** The values, row-major: `shape`'s product of them. */
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};
const CODES: Record<IdxDtype, number> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

/** Default cap on the decoded size of one file: 1 GiB (Fashion-MNIST's training images are 45 MiB). */
export const IDX_MAX_BYTES = 2 ** 30;

/** Options of {@link readIdx} and {@link parseIdx}. */
export interface ReadIdxOptions {
  /** Largest decoded file accepted, in bytes (guards against hostile headers and gzip bombs). Default: {@link IDX_MAX_BYTES}. */
  maxBytes?: number;
  /** Name used in error messages. Default: the path, or `'<buffer>'`. */
  name?: string;
}

const hex = (n: number, w = 2) => '0x' + n.toString(16).padStart(w, '0');

/**
 * Decodes IDX bytes (already gunzipped) into `{ dtype, shape, data }`.
 *
 * @param bytes The whole file.
 * @param options `{ name, maxBytes }`. Default: `{}`.
 * @param options.name Name for error messages. Default: `'<buffer>'`.
 * @param options.maxBytes Largest declared size accepted. Default: {@link IDX_MAX_BYTES}.
 * @throws FormatError on a wrong magic, unknown type code, rank 0, absurd dimensions, truncated data or trailing bytes.
 * @example
 * parseIdx(encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(3, 4) })); // { dtype: 'uint8', shape: [2], data: [3, 4] }
 */
export function parseIdx(
  bytes: Uint8Array,
  { name = '<buffer>', maxBytes = IDX_MAX_BYTES }: ReadIdxOptions = {},
): IdxArray {
  if (bytes.length < 4) {
    throw new FormatError(`${name}: not an IDX file: expected a 4-byte magic number, file has ${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(
      `${name}: not an IDX file: magic number must start with two zero bytes, got ` +
        `${hex(bytes[0])} ${hex(bytes[1])} (magic ${hex(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0, 8)})`,
    );
  }
  const type = TYPES[bytes[2]];
  if (!type) {
    throw new FormatError(
      `${name}: unknown IDX type code ${hex(bytes[2])}; expected one of 0x08 (ubyte), 0x09 (byte), ` +
        '0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)',
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw new FormatError(`${name}: IDX rank is 0; expected at least one dimension`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new FormatError(
      `${name}: truncated header: rank ${rank} needs ${header} header bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    shape.push(dim);
    count *= dim;
  }
  // Checked before any allocation: a hostile header cannot make us reserve gigabytes.
  const dataBytes = count * type.size;
  if (dataBytes > maxBytes) {
    throw new FormatError(
      `${name}: IDX shape [${shape.join(', ')}] of ${type.dtype} declares ${dataBytes} bytes of data, ` +
        `more than the ${maxBytes}-byte limit (maxBytes)`,
    );
  }
  const expected = header + dataBytes;
  if (bytes.length < expected) {
    throw new FormatError(
      `${name}: truncated: expected ${expected} bytes (${header}-byte header + ${dataBytes} bytes of ` +
        `${type.dtype} data for shape [${shape.join(', ')}]), file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new FormatError(
      `${name}: ${bytes.length - expected} trailing bytes after the data: expected ${expected} bytes ` +
        `for ${type.dtype} shape [${shape.join(', ')}], file has ${bytes.length}`,
    );
  }
  return { dtype: type.dtype, shape, data: decode(view, header, count, type.dtype) };
}

function decode(view: DataView, off: number, n: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + off, n).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + off, n).slice();
    case 'int16': {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getInt16(off + 2 * i, false);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getInt32(off + 4 * i, false);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getFloat32(off + 4 * i, false);
      return a;
    }
    case 'float64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getFloat64(off + 8 * i, false);
      return a;
    }
  }
}

/**
 * Reads an IDX file (or its bytes), gunzipping it first when it starts with the gzip magic `1f 8b`
 * (whatever its name; `train-images-idx3-ubyte.gz` and the unpacked file both work).
 *
 * @param source A path, or the file's bytes.
 * @param options.maxBytes Largest decoded size accepted, gzip output included. Default: {@link IDX_MAX_BYTES}.
 * @param options.name Name for error messages. Default: the path, or `'<buffer>'`.
 * @returns `{ dtype, shape, data }`, data as the matching TypedArray in native byte order.
 * @throws FormatError naming the file: corrupt gzip, or anything {@link parseIdx} rejects.
 * @example
 * const { shape, data } = readIdx('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz'); // shape [60000]
 */
export function readIdx(source: string | Uint8Array, options: ReadIdxOptions = {}): IdxArray {
  const name = options.name ?? (typeof source === 'string' ? source : '<buffer>');
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  let bytes: Uint8Array = typeof source === 'string' ? readFileSync(source) : source;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes + 4 + 4 * 255 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FormatError(`${name}: gzip data decompresses to more than the ${maxBytes}-byte limit (maxBytes)`);
      }
      throw new FormatError(`${name}: corrupt gzip data: ${e.message}`);
    }
  }
  return parseIdx(bytes, { name, maxBytes });
}

/**
 * Encodes an array as IDX bytes (big-endian, uncompressed); the inverse of {@link parseIdx}.
 *
 * @param array `{ dtype, shape, data }` with `data.length` equal to the product of `shape`.
 * @example
 * writeFileAtomicSync('labels-idx1-ubyte', encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) }));
 */
export function encodeIdx({ dtype, shape, data }: IdxArray): Uint8Array {
  const code = CODES[dtype];
  if (code === undefined) throw new FormatError(`encodeIdx: unknown dtype ${String(dtype)}`);
  if (shape.length < 1 || shape.length > 255)
    throw new ShapeError(`encodeIdx: IDX rank must be 1..255, got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new ShapeError(`encodeIdx: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const size = TYPES[code].size;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = header + i * size;
    switch (dtype) {
      case 'uint8':
        view.setUint8(o, data[i]);
        break;
      case 'int8':
        view.setInt8(o, data[i]);
        break;
      case 'int16':
        view.setInt16(o, data[i], false);
        break;
      case 'int32':
        view.setInt32(o, data[i], false);
        break;
      case 'float32':
        view.setFloat32(o, data[i], false);
        break;
      case 'float64':
        view.setFloat64(o, data[i], false);
        break;
    }
  }
  return out;
}

/**
 * Reads an IDX image file (`[N, H, W]` ubyte) and, optionally, its label file (`[N]` ubyte) as raw
 * bytes, checking that the counts agree. Memory-light: feed it to `ImageDataset.fromBytes`.
 *
 * @param imagesPath Path (or bytes) of e.g. `train-images-idx3-ubyte.gz`.
 * @param labelsPath Path (or bytes) of the matching labels file. Default: none (`labels: null`).
 * @example
 * const train = loadIdxArrays(dir + '/train-images-idx3-ubyte.gz', dir + '/train-labels-idx1-ubyte.gz'); // count 60000
 */
export function loadIdxArrays(imagesPath: string | Uint8Array, labelsPath?: string | Uint8Array): ImageBytes {
  const iname = typeof imagesPath === 'string' ? imagesPath : '<images buffer>';
  const img = readIdx(imagesPath, { name: iname });
  if (img.dtype !== 'uint8' || img.shape.length !== 3) {
    throw new FormatError(
      `${iname}: expected IDX images of ubyte (0x08) with shape [N, H, W], ` +
        `got ${img.dtype} with shape [${img.shape.join(', ')}]`,
    );
  }
  const [count, height, width] = img.shape;
  let labels: Uint8Array | null = null;
  if (labelsPath !== undefined) {
    const lname = typeof labelsPath === 'string' ? labelsPath : '<labels buffer>';
    const lab = readIdx(labelsPath, { name: lname });
    if (lab.dtype !== 'uint8' || lab.shape.length !== 1) {
      throw new FormatError(
        `${lname}: expected IDX labels of ubyte (0x08) with shape [N], ` +
          `got ${lab.dtype} with shape [${lab.shape.join(', ')}]`,
      );
    }
    if (lab.shape[0] !== count) {
      throw new FormatError(
        `${lname}: has ${lab.shape[0]} labels but ${iname} has ${count} images; the counts must agree`,
      );
    }
    labels = lab.data as Uint8Array;
  }
  return { images: img.data as Uint8Array, labels, count, channels: 1, height, width };
}

/**
 * Reads IDX images (and labels) as tensors: images `[N, 1, H, W]` float32 scaled as the article does
 * (`x / 127.5 - 1`, range [-1, 1]), labels `[N]` int32 — the files
 * [`torchvision.datasets.MNIST` / `FashionMNIST`](https://pytorch.org/vision/0.14/generated/torchvision.datasets.MNIST.html) read.
 *
 * Shape: images `[N, 1, H, W]`, labels `[N]`.
 * @param imagesPath Path (or bytes) of the image file, raw or gzipped.
 * @param labelsPath Path (or bytes) of the label file. Default: none (`labels: null`).
 * @param options `{ scale }`. Default: `{}`.
 * @param options.scale `'symmetric'` (`x / 127.5 - 1`) or `'unit'` (`x / 255`). Default: `'symmetric'`.
 * @example
 * const { images, labels } = loadIdxImages(dir + '/t10k-images-idx3-ubyte.gz', dir + '/t10k-labels-idx1-ubyte.gz');
 * images.shape; // [10000, 1, 28, 28]
 */
export function loadIdxImages(
  imagesPath: string | Uint8Array,
  labelsPath?: string | Uint8Array,
  { scale = 'symmetric' }: { scale?: ByteScale } = {},
): {
  /** `[N, 1, H, W]` float32. */
  images: tf.Tensor4D;
  /** `[N]` int32, or `null` without a label file. */
  labels: tf.Tensor1D | null;
} {
  const a = loadIdxArrays(imagesPath, labelsPath);
  const images = tf.tensor4d(scaleImageBytes(a.images, scale), [a.count, 1, a.height, a.width], 'float32');
  const labels = a.labels ? tf.tensor1d(Int32Array.from(a.labels), 'int32') : null;
  return { images, labels };
}

/**
 * IDX images and labels as a torchvision-style dataset of `[image, target]` samples, for a `DataLoader`
 * (with `transforms.ToTensor()` the images are `[1, H, W]` float32 in [0, 1]).
 *
 * @param imagesPath Path (or bytes) of the image file, raw or gzipped.
 * @param labelsPath Path (or bytes) of the label file.
 * @param options `{ transform, targetTransform }` as torchvision's datasets take them.
 * @example
 * const ds = idxDataset(dir + '/train-images-idx3-ubyte.gz', dir + '/train-labels-idx1-ubyte.gz',
 *   { transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]) });
 */
export function idxDataset(
  imagesPath: string | Uint8Array,
  labelsPath: string | Uint8Array,
  options: VisionDatasetOptions = {},
): VisionDataset {
  return new VisionDataset(loadIdxArrays(imagesPath, labelsPath), options);
}
