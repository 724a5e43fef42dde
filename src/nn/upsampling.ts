/**
 * The resampling layers (torch's `torch/nn/modules/upsampling.py`, `pixelshuffle.py`, `channelshuffle.py`):
 * `Upsample`, `UpsamplingNearest2d`, `UpsamplingBilinear2d`, `PixelShuffle`, `PixelUnshuffle`, `ChannelShuffle`,
 * each thin over its `F.*` op in `./functional/upsampling`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, Arg, bool, int, oneOf, signature } from '../args';
import { ValueError } from '../errors';
import { pyFloat, pyRepr } from '../repr';
import * as F from './functional/upsampling';
import { Module } from './module';

const sizeArg = new Arg<number | number[]>('an int or a list of ints', (v, { where, name }) => {
  if (typeof v === 'number' || Array.isArray(v)) return v as number | number[];
  throw new ValueError(`${where}(): argument '${name}' must be an int or a list of ints, got ${JSON.stringify(v)}`);
});
const scaleArg = new Arg<number | number[]>('a number or a list of numbers', (v, { where, name }) => {
  if (typeof v === 'number' || Array.isArray(v)) return v as number | number[];
  throw new ValueError(
    `${where}(): argument '${name}' must be a number or a list of numbers, got ${JSON.stringify(v)}`,
  );
});

const UPSAMPLE = signature('Upsample', [
  ['size', sizeArg.optional()],
  ['scaleFactor', scaleArg.optional()],
  [
    'mode',
    oneOf<F.InterpolateMode>(['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'area']).default('nearest'),
  ],
  ['alignCorners', bool().optional()],
  ['recomputeScaleFactor', bool().optional()],
]);
const UPSAMPLING_2D = (where: string) =>
  signature(where, [
    ['size', sizeArg.optional()],
    ['scaleFactor', scaleArg.optional()],
  ]);
const NEAREST_2D = UPSAMPLING_2D('UpsamplingNearest2d');
const BILINEAR_2D = UPSAMPLING_2D('UpsamplingBilinear2d');

/**
 * Upsamples (or downsamples) multi-channel 1-d or 2-d data (torch's `nn.Upsample`) over {@link F.interpolate}.
 *
 * Mirrors [torch.nn.Upsample](https://pytorch.org/docs/1.13/generated/torch.nn.Upsample.html).
 *
 * Shape: `[N, C, L]` or `[N, C, H, W]` to `[N, C, *size]`, or each spatial size times `scaleFactor`, floored.
 *
 * Arguments: `size = null`, `scaleFactor = null`, `mode = 'nearest'` (`'nearest'`, `'nearest-exact'`, `'linear'`,
 * `'bilinear'`, `'bicubic'`, `'area'`), `alignCorners = null`, `recomputeScaleFactor = null`.
 * @example
 * ```ts
 * const up = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' });
 * String(up); // 'Upsample(scale_factor=2.0, mode=bilinear)'
 * ```
 */
export class Upsample extends Module {
  /** The output size, or `null`. */
  readonly size: number | number[] | null;
  /** The scale factor(s), or `null`. */
  readonly scaleFactor: number | number[] | null;
  /** The interpolation mode. */
  readonly mode: F.InterpolateMode;
  /** Corner alignment of the interpolating modes, or `null`. */
  readonly alignCorners: boolean | null;
  /** torch's `recompute_scale_factor`. */
  readonly recomputeScaleFactor: boolean | null;

  /** @param args `size?, scaleFactor?, mode?, alignCorners?, recomputeScaleFactor?`. */
  constructor(...args: ArgsOf<typeof UPSAMPLE>) {
    super();
    const a = UPSAMPLE.parse(args, new.target.name);
    this.size = a.size;
    this.scaleFactor = a.scaleFactor || null;
    this.mode = a.mode;
    this.alignCorners = a.alignCorners;
    this.recomputeScaleFactor = a.recomputeScaleFactor;
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return F.interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const s = this.scaleFactor;
    const info =
      s != null
        ? `scale_factor=${Array.isArray(s) ? `(${s.map(pyFloat).join(', ')})` : pyFloat(s)}`
        : `size=${pyRepr(Array.isArray(this.size) ? Object.freeze([...this.size]) : this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/**
 * 2-d nearest-neighbour upsampling (torch's `nn.UpsamplingNearest2d`): `Upsample(size, scaleFactor, 'nearest')`.
 *
 * Mirrors [torch.nn.UpsamplingNearest2d](https://pytorch.org/docs/1.13/generated/torch.nn.UpsamplingNearest2d.html).
 *
 * Shape: `[N, C, H, W]` to `[N, C, H_out, W_out]`.
 *
 * Arguments: `size = null`, `scaleFactor = null`.
 * @example
 * ```ts
 * new nn.UpsamplingNearest2d({ scaleFactor: 2 }).forward(tf.zeros([1, 1, 2, 2])).shape; // [1, 1, 4, 4]
 * ```
 */
export class UpsamplingNearest2d extends Upsample {
  /** @param args `size?, scaleFactor?`. */
  constructor(...args: ArgsOf<typeof NEAREST_2D>) {
    super({ ...NEAREST_2D.parse(args), mode: 'nearest' });
  }
}

/**
 * 2-d bilinear upsampling with aligned corners (torch's `nn.UpsamplingBilinear2d`):
 * `Upsample(size, scaleFactor, 'bilinear', alignCorners=true)`.
 *
 * Mirrors [torch.nn.UpsamplingBilinear2d](https://pytorch.org/docs/1.13/generated/torch.nn.UpsamplingBilinear2d.html).
 *
 * Shape: `[N, C, H, W]` to `[N, C, H_out, W_out]`.
 *
 * Arguments: `size = null`, `scaleFactor = null`.
 * @example
 * ```ts
 * new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(tf.zeros([1, 1, 2, 2])).shape; // [1, 1, 4, 4]
 * ```
 */
export class UpsamplingBilinear2d extends Upsample {
  /** @param args `size?, scaleFactor?`. */
  constructor(...args: ArgsOf<typeof BILINEAR_2D>) {
    super({ ...BILINEAR_2D.parse(args), mode: 'bilinear', alignCorners: true });
  }
}

const PIXEL_SHUFFLE = signature('PixelShuffle', [['upscaleFactor', int({ min: 1 })]]);
const PIXEL_UNSHUFFLE = signature('PixelUnshuffle', [['downscaleFactor', int({ min: 1 })]]);
const CHANNEL_SHUFFLE = signature('ChannelShuffle', [['groups', int({ min: 1 })]]);

/**
 * Rearranges `[*, C * r^2, H, W]` into `[*, C, H * r, W * r]` (torch's `nn.PixelShuffle`, the sub-pixel
 * convolution of `pytorch/examples`' super-resolution model) over {@link F.pixelShuffle}.
 *
 * Mirrors [torch.nn.PixelShuffle](https://pytorch.org/docs/1.13/generated/torch.nn.PixelShuffle.html).
 *
 * Shape: `[*, C * r^2, H, W]` to `[*, C, H * r, W * r]`.
 *
 * Arguments: `upscaleFactor`.
 * @example
 * ```ts
 * new nn.PixelShuffle(3).forward(tf.zeros([1, 9, 4, 4])).shape; // [1, 1, 12, 12]
 * ```
 */
export class PixelShuffle extends Module {
  /** The factor `r`. */
  readonly upscaleFactor: number;
  /** @param args `upscaleFactor`. */
  constructor(...args: ArgsOf<typeof PIXEL_SHUFFLE>) {
    super();
    this.upscaleFactor = PIXEL_SHUFFLE.parse(args).upscaleFactor;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/**
 * Rearranges `[*, C, H * r, W * r]` into `[*, C * r^2, H, W]` (torch's `nn.PixelUnshuffle`) over
 * {@link F.pixelUnshuffle}.
 *
 * Mirrors [torch.nn.PixelUnshuffle](https://pytorch.org/docs/1.13/generated/torch.nn.PixelUnshuffle.html).
 *
 * Shape: `[*, C, H * r, W * r]` to `[*, C * r^2, H, W]`.
 *
 * Arguments: `downscaleFactor`.
 * @example
 * ```ts
 * new nn.PixelUnshuffle(3).forward(tf.zeros([1, 1, 12, 12])).shape; // [1, 9, 4, 4]
 * ```
 */
export class PixelUnshuffle extends Module {
  /** The factor `r`. */
  readonly downscaleFactor: number;
  /** @param args `downscaleFactor`. */
  constructor(...args: ArgsOf<typeof PIXEL_UNSHUFFLE>) {
    super();
    this.downscaleFactor = PIXEL_UNSHUFFLE.parse(args).downscaleFactor;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

/**
 * Interleaves the channels of `groups` groups (torch's `nn.ChannelShuffle`, ShuffleNet's) over
 * {@link F.channelShuffle}.
 *
 * Mirrors [torch.nn.ChannelShuffle](https://pytorch.org/docs/1.13/generated/torch.nn.ChannelShuffle.html).
 *
 * Shape: `[N, C, *]` to the same shape.
 *
 * Arguments: `groups`.
 * @example
 * ```ts
 * new nn.ChannelShuffle(2).forward(tf.zeros([1, 4, 2, 2])).shape; // [1, 4, 2, 2]
 * ```
 */
export class ChannelShuffle extends Module {
  /** The number of groups. */
  readonly groups: number;
  /** @param args `groups`. */
  constructor(...args: ArgsOf<typeof CHANNEL_SHUFFLE>) {
    super();
    this.groups = CHANNEL_SHUFFLE.parse(args).groups;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.channelShuffle(input, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
