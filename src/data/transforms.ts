/**
 * torchvision-style transforms for the data pipeline: {@link Compose}, {@link ToTensor}, {@link Normalize},
 * {@link Lambda}, and {@link VisionDataset}, a dataset of byte images with `transform`/`targetTransform` as
 * torchvision's datasets take them. Core-safe: no Node imports.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue, float, floatList, signature, union } from '../args';
import { ArgumentTypeError, ShapeError, ValueError } from '../errors';
import type { ImageBytes } from './dataset';
import type { Dataset } from './datasets';

/** One byte image, channels first (what {@link VisionDataset} yields before `transform`; PIL's role). */
export interface ByteImage {
  /** `channels * height * width` values 0..255, CHW. */
  data: Uint8Array;
  /** Channels (1 for MNIST). */
  channels: number;
  /** Height. */
  height: number;
  /** Width. */
  width: number;
}

/** A transform: a function of a sample, or an object with `forward` (a torchvision transform class). */
export type Transform<I = unknown, O = unknown> =
  | ((x: I) => O)
  | {
      /** Applies the transform. */
      forward(x: I): O;
    };

function applyTransform<I, O>(t: Transform<I, O>, x: I): O {
  return typeof t === 'function' ? t(x) : t.forward(x);
}

function checkTransform(t: unknown, where: string): void {
  if (typeof t !== 'function' && !(t != null && typeof (t as { forward?: unknown }).forward === 'function')) {
    throw new ArgumentTypeError(
      `${where}: expected a transform (a function or an object with forward), got ${t === null ? 'null' : typeof t}`,
    );
  }
}

/**
 * Chains transforms (torchvision's `transforms.Compose`).
 *
 * See [torchvision.transforms.Compose](https://pytorch.org/vision/0.14/generated/torchvision.transforms.Compose.html).
 * @param transforms the transforms, applied in order.
 * @example
 * ```ts
 * const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
 * ```
 */
export class Compose {
  /** The transforms, in order. */
  readonly transforms: Transform[];

  /** @param transforms the transforms, applied in order. */
  constructor(transforms: Transform[]) {
    if (!Array.isArray(transforms)) throw new ArgumentTypeError('Compose: expected a list of transforms');
    transforms.forEach((t, i) => checkTransform(t, `Compose: transforms[${i}]`));
    this.transforms = [...transforms];
  }

  /** Applies every transform in turn. */
  forward(x: unknown): unknown {
    return tf.tidy(() => {
      let v = x;
      for (const t of this.transforms) v = applyTransform(t, v);
      return v as tf.Tensor;
    });
  }
}

/**
 * Converts a byte image to a float32 tensor `[C, H, W]` in [0, 1] (torchvision's `ToTensor`: `x / 255`,
 * rounded in float32 as torch). Takes a {@link ByteImage} (channels first), or an integer tensor
 * `[H, W, C]` / `[H, W]` as a PIL image or a NumPy array would be (moved to channels first).
 *
 * See [torchvision.transforms.ToTensor](https://pytorch.org/vision/0.14/generated/torchvision.transforms.ToTensor.html).
 * @example
 * ```ts
 * new transforms.ToTensor().forward({ data: bytes, channels: 1, height: 28, width: 28 }); // [1, 28, 28]
 * ```
 */
export class ToTensor {
  /**
   * Takes no arguments (torchvision's `ToTensor()`).
   * @param args nothing.
   */
  constructor(...args: never[]) {
    if (args.length > 0) {
      throw new ArgumentTypeError(`ToTensor() takes no arguments, got ${args.map((a) => describeValue(a)).join(', ')}`);
    }
  }

  /** Converts one image. */
  forward(pic: ByteImage | tf.Tensor): tf.Tensor3D {
    if (pic instanceof tf.Tensor) {
      if (pic.rank !== 2 && pic.rank !== 3) {
        throw new ShapeError(`ToTensor: pic should be 2 or 3 dimensional. Got ${pic.rank} dimensions.`);
      }
      return tf.tidy(() => {
        const hwc = pic.rank === 2 ? pic.expandDims(2) : pic;
        const chw = tf.transpose(hwc, [2, 0, 1]);
        return (pic.dtype === 'float32' ? chw : tf.div(tf.cast(chw, 'float32'), tf.scalar(255))) as tf.Tensor3D;
      });
    }
    const img = pic as ByteImage;
    if (img == null || !(img.data instanceof Uint8Array)) {
      throw new ArgumentTypeError(
        'ToTensor: expected a byte image { data: Uint8Array, channels, height, width } or a tensor',
      );
    }
    const { channels: c, height: h, width: w } = img;
    if (img.data.length !== c * h * w) {
      throw new ShapeError(`ToTensor: image of ${c}x${h}x${w} needs ${c * h * w} bytes, got ${img.data.length}`);
    }
    const out = new Float32Array(img.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(img.data[i] / 255);
    return tf.tensor3d(out, [c, h, w], 'float32');
  }
}

const NORMALIZE = signature('Normalize', [
  ['mean', union(float(), floatList())],
  ['std', union(float(), floatList())],
]);

/**
 * Normalizes a float tensor `[C, H, W]` per channel: `(x - mean[c]) / std[c]` (torchvision's `Normalize`).
 *
 * See [torchvision.transforms.Normalize](https://pytorch.org/vision/0.14/generated/torchvision.transforms.Normalize.html).
 * @param mean one mean per channel (or one for all).
 * @param std one standard deviation per channel (or one for all), none zero.
 * @example
 * ```ts
 * new transforms.Normalize([0.1307], [0.3081]); // MNIST's, as pytorch/examples
 * ```
 */
export class Normalize {
  /** Per-channel means. */
  readonly mean: number[];
  /** Per-channel standard deviations. */
  readonly std: number[];

  /**
   * @param mean per-channel means.
   * @param std per-channel standard deviations.
   */
  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    const a = NORMALIZE.parse([mean, std]);
    this.mean = typeof a.mean === 'number' ? [a.mean] : a.mean;
    this.std = typeof a.std === 'number' ? [a.std] : a.std;
    if (this.std.some((s) => s === 0)) {
      throw new ValueError(`std evaluated to zero after conversion to torch.float32, leading to division by zero.`);
    }
  }

  /** Normalizes one `[C, H, W]` (or `[..., C, H, W]`) float tensor. */
  forward(x: tf.Tensor): tf.Tensor {
    if (!(x instanceof tf.Tensor) || x.dtype !== 'float32') {
      throw new ArgumentTypeError(
        'Input tensor should be a float tensor. Got ' + (x instanceof tf.Tensor ? x.dtype : typeof x),
      );
    }
    if (x.rank < 3) {
      throw new ShapeError(
        `Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${x.shape.join(', ')}]`,
      );
    }
    const c = x.shape[x.rank - 3];
    const perChannel = (v: number[], name: string) => {
      if (v.length !== 1 && v.length !== c) {
        throw new ShapeError(`Normalize: ${name} has ${v.length} values for an image of ${c} channels`);
      }
      return tf.tensor3d(Float32Array.from(v), [v.length, 1, 1], 'float32');
    };
    return tf.tidy(() => tf.div(tf.sub(x, perChannel(this.mean, 'mean')), perChannel(this.std, 'std')));
  }
}

/**
 * Wraps a function as a transform (torchvision's `transforms.Lambda`).
 * @param fn the function.
 * @example
 * ```ts
 * new transforms.Lambda((x: tf.Tensor) => x.mul(2));
 * ```
 */
export class Lambda<I = unknown, O = unknown> {
  /** The function. */
  readonly lambd: (x: I) => O;

  /** @param fn the function. */
  constructor(fn: (x: I) => O) {
    if (typeof fn !== 'function') throw new ArgumentTypeError(`Lambda: argument should be callable, got ${typeof fn}`);
    this.lambd = fn;
  }

  /** Applies the function. */
  forward(x: I): O {
    return this.lambd(x);
  }
}

/** Options of {@link VisionDataset} (torchvision's dataset keywords). */
export interface VisionDatasetOptions {
  /** Applied to each image (a {@link ByteImage}); e.g. `Compose([ToTensor(), Normalize(...)])`. Default: none. */
  transform?: Transform | null;
  /** Applied to each target (a number). Default: none. */
  targetTransform?: Transform | null;
}

/**
 * Byte images with labels as a map-style dataset yielding `[image, target]` (torchvision's dataset
 * protocol): `image` is the {@link ByteImage} after `transform`, `target` the label (a number) after
 * `targetTransform`. The MNIST and IDX loaders (`tfjs-torch/node`'s `MNIST`) build it; a {@link DataLoader}
 * collates it to images `[N, C, H, W]` float32 and targets `[N]` int32.
 *
 * @param data `{ images, labels, count, channels, height, width }` as the MNIST/IDX loaders return.
 * @param options `{ transform, targetTransform }`.
 * @example
 * ```ts
 * const ds = new VisionDataset(loadMnistArrays(), { transform: new transforms.ToTensor() });
 * const [image, target] = ds.get(0); // [1, 28, 28] float32, a number
 * ```
 */
export class VisionDataset implements Dataset<[unknown, unknown]> {
  /** The bytes. */
  readonly data: ImageBytes;
  /** The image transform, or `null`. */
  readonly transform: Transform | null;
  /** The target transform, or `null`. */
  readonly targetTransform: Transform | null;

  /**
   * @param data the images and labels.
   * @param options `{ transform, targetTransform }`.
   */
  constructor(data: ImageBytes, { transform = null, targetTransform = null }: VisionDatasetOptions = {}) {
    if (transform != null) checkTransform(transform, 'VisionDataset: transform');
    if (targetTransform != null) checkTransform(targetTransform, 'VisionDataset: targetTransform');
    if (data == null || typeof data !== 'object' || !(data.images instanceof Uint8Array)) {
      throw new ArgumentTypeError(
        `VisionDataset(): data must be { images: Uint8Array, labels, count, channels, height, width } (ImageBytes), got ${describeValue(data)}`,
      );
    }
    const size = data.count * data.channels * data.height * data.width;
    if (data.images.length !== size) {
      throw new ShapeError(
        `VisionDataset: ${data.count} images of ${data.channels}x${data.height}x${data.width} need ${size} bytes`,
      );
    }
    this.data = data;
    this.transform = transform;
    this.targetTransform = targetTransform;
  }

  /** Number of images. */
  get length(): number {
    return this.data.count;
  }

  /** `[image, target]` for sample `i` (negative counts from the end). */
  get(i: number): [unknown, unknown] {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) {
      throw new ValueError(`VisionDataset.get: index ${i} is out of range for a dataset of ${n} samples`);
    }
    if (i < 0) i += n;
    const { channels, height, width } = this.data;
    const per = channels * height * width;
    const img: ByteImage = { data: this.data.images.subarray(i * per, (i + 1) * per), channels, height, width };
    const label = this.data.labels ? this.data.labels[i] : -1;
    const image = this.transform ? applyTransform(this.transform, img) : img;
    const target = this.targetTransform ? applyTransform(this.targetTransform, label) : label;
    return [image, target];
  }
}
