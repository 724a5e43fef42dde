/**
 * Resampling ops: torch's `F.interpolate` (nearest, nearest-exact, linear, bilinear, bicubic, area), the legacy
 * `F.upsample*` names, and `F.pixel_shuffle`, `F.pixel_unshuffle`, `F.channel_shuffle`.
 *
 * Every interpolation mode is separable: each spatial axis maps input to output through a fixed `[out, in]` matrix
 * of torch's weights (its source-index rules from `aten/src/ATen/native/UpSample.h`, in float32 as torch's CPU
 * kernels), so the op is two matrix products, differentiable on every backend with torch's gradient (the transposed
 * weights). Nearest modes gather instead (exact, and safe for infinite values).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, Arg, bool, int, oneOf, signature } from '../../args';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from './pooling';
import { gatherRowsCols } from './windows';
import { checkFloat } from './utils';

/** torch's interpolation modes (trilinear, on 5-D inputs, is not supported). */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'area';

const f32 = Math.fround;

/** An int or a list of ints (`size`), kept as given. */
const sizeArg = new Arg<number | number[]>('an int or a list of ints >= 1', (v, { where, name }) => {
  const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (ok(v) || (Array.isArray(v) && v.every(ok))) return v as number | number[];
  throw new ValueError(
    `${where}(): argument '${name}' must be an int or a list of ints >= 0, got ${JSON.stringify(v)}`,
  );
});

/** A positive number or a list of them (`scale_factor`), kept as given. */
const scaleArg = new Arg<number | number[]>('a number or a list of numbers > 0', (v, { where, name }) => {
  const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (ok(v) || (Array.isArray(v) && v.every(ok))) return v as number | number[];
  throw new ValueError(
    `${where}(): argument '${name}' must be a number or a list of numbers > 0, got ${JSON.stringify(v)}`,
  );
});

const INTERPOLATE = signature('F.interpolate', [
  ['size', sizeArg.optional()],
  ['scaleFactor', scaleArg.optional()],
  [
    'mode',
    oneOf<InterpolateMode>(['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'area']).default('nearest'),
  ],
  ['alignCorners', bool().optional()],
  ['recomputeScaleFactor', bool().optional()],
  ['antialias', bool().default(false)],
]);

/** torch's `area_pixel_compute_scale`: the source step per output step. */
function pixelScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  return scale != null && scale > 0 ? f32(1 / scale) : f32(inSize / outSize);
}

/** torch's `area_pixel_compute_source_index`. */
function sourceIndex(scale: number, dst: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return f32(scale * dst);
  const src = f32(f32(scale * f32(dst + 0.5)) - 0.5);
  return !cubic && src < 0 ? 0 : src;
}

/** Source index of each output position for the nearest modes (torch's `nearest_idx` / `nearest_exact_idx`). */
function nearestIndices(inSize: number, outSize: number, scale: number | null, exact: boolean): Int32Array {
  const s = scale != null && scale > 0 ? f32(1 / scale) : f32(inSize / outSize);
  return Int32Array.from({ length: outSize }, (_, o) => {
    if (!exact && outSize === inSize) return o;
    if (!exact && outSize === 2 * inSize) return o >> 1;
    return Math.min(Math.floor(f32((exact ? o + 0.5 : o) * s)), inSize - 1);
  });
}

function cubicCoefficients(t: number): number[] {
  const A = -0.75;
  const c1 = (x: number) => f32(f32(f32(f32((A + 2) * x) - (A + 3)) * x) * x) + 1;
  const c2 = (x: number) => f32(f32(f32(f32(f32(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A;
  return [c2(f32(t + 1)), c1(t), c1(f32(1 - t)), c2(f32(f32(1 - t) + 1))].map(f32);
}

/** The `[out, in]` weights of linear or cubic interpolation along one axis. */
function interpolationMatrix(
  inSize: number,
  outSize: number,
  cubic: boolean,
  align: boolean,
  scale: number | null,
): tf.Tensor2D {
  const m = new Float32Array(outSize * inSize);
  const s = pixelScale(inSize, outSize, align, scale);
  for (let o = 0; o < outSize; o++) {
    const src = sourceIndex(s, o, align, cubic);
    if (cubic) {
      const i0 = Math.floor(src);
      const w = cubicCoefficients(f32(src - i0));
      for (let j = 0; j < 4; j++) {
        const i = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
        m[o * inSize + i] += w[j] as number;
      }
    } else {
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
      const l1 = f32(src - i0);
      m[o * inSize + i0] += f32(1 - l1);
      m[o * inSize + i1] += l1;
    }
  }
  return tf.tensor2d(m, [outSize, inSize]);
}

/** `[B, C, H, W]` through `[outH, H]` and `[outW, W]` matrices: `M_h x M_wᵀ` per plane. */
function separable(x4: tf.Tensor, mh: tf.Tensor2D, mw: tf.Tensor2D): tf.Tensor {
  const [b, c, h, w] = x4.shape as [number, number, number, number];
  const oh = mh.shape[0];
  const ow = mw.shape[0];
  const cols = tf.matMul(tf.reshape(x4, [-1, w]), mw, false, true);
  const t = tf.transpose(tf.reshape(cols, [b * c, h, ow]), [0, 2, 1]);
  const rows = tf.matMul(tf.reshape(t, [-1, h]), mh, false, true);
  return tf.transpose(tf.reshape(rows, [b, c, ow, oh]), [0, 1, 3, 2]);
}

/**
 * Down/up samples the input to the given `size` or by `scaleFactor` (torch's `F.interpolate`), with torch 1.13's
 * output sizes (`floor(size * scale)`) and coordinate rules: `'nearest'` takes `floor(dst * scale)` (torch's legacy
 * rule, not the half-pixel one of tfjs's `resizeNearestNeighbor`), `'nearest-exact'` `floor((dst + 0.5) * scale)`;
 * `'linear'`/`'bilinear'`/`'bicubic'` use half-pixel centres or, with `alignCorners`, the corner pixels; bicubic
 * uses `A = -0.75` and clamps at the border; `'area'` is adaptive average pooling. Differentiable.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.interpolate.html
 *
 * Shape: `[N, C, L]` (nearest, linear, area) or `[N, C, H, W]` (nearest, bilinear, bicubic, area); output
 * `[N, C, *size]`.
 *
 * @param input float32 input, batched (as torch: 3-D or 4-D).
 * @param args torch's `size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None,
 *   antialias=False` (antialias is not supported).
 * @returns the resampled tensor.
 * @example
 * ```ts
 * F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false }); // [N, C, 2H, 2W]
 * F.interpolate(x, [5, 7]); // nearest
 * ```
 */
export function interpolate(input: tf.Tensor, ...args: ArgsOf<typeof INTERPOLATE>): tf.Tensor {
  const where = 'F.interpolate';
  const a = INTERPOLATE.parse(args);
  const mode = a.mode;
  if (!(input instanceof tf.Tensor)) throw new ShapeError(`${where}: expected a tf.Tensor input, got ${typeof input}`);
  checkFloat(input, 'input', where);
  const nearest = mode === 'nearest' || mode === 'nearest-exact' || mode === 'area';
  if (nearest && a.alignCorners != null) {
    throw new ValueError(
      `${where}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`,
    );
  }
  const align = a.alignCorners ?? false;
  if (input.rank !== 3 && input.rank !== 4) {
    throw new ShapeError(
      `${where}: only 3-D and 4-D inputs [N, C, *spatial] are supported (got ${input.rank}-D input of shape ${formatShape(input.shape)}, mode '${mode}')`,
    );
  }
  const dim = input.rank - 2;
  if ((mode === 'linear' && dim !== 1) || ((mode === 'bilinear' || mode === 'bicubic') && dim !== 2)) {
    throw new ShapeError(
      `${where}: got ${input.rank}-D input of shape ${formatShape(input.shape)}, but ${mode} mode needs ${mode === 'linear' ? 3 : 4}-D input`,
    );
  }
  if (a.size != null && a.scaleFactor != null)
    throw new ValueError(`${where}: only one of size or scale_factor should be defined`);
  if (a.size == null && a.scaleFactor == null)
    throw new ValueError(`${where}: either size or scale_factor should be defined`);
  if (a.antialias) throw new ValueError(`${where}: antialias=true is not supported`);
  const spatial = input.shape.slice(2);
  const list = (v: number | number[], what: string): number[] => {
    if (typeof v === 'number') return Array(dim).fill(v);
    if (v.length !== dim) {
      throw new ValueError(
        `${where}: Input and ${what} must have the same number of spatial dimensions, but got input with spatial dimensions of ${formatShape(spatial)} and ${what} of ${formatShape(v)}`,
      );
    }
    return v;
  };
  let outSize: number[];
  let scales: Array<number | null>;
  if (a.size != null) {
    if (a.recomputeScaleFactor)
      throw new ValueError(`${where}: recompute_scale_factor is not meaningful with an explicit size.`);
    outSize = list(a.size, 'output size');
    scales = outSize.map(() => null);
  } else {
    const factors = list(a.scaleFactor as number | number[], 'scale_factor');
    outSize = spatial.map((s, i) => Math.floor(s * (factors[i] as number)));
    scales = a.recomputeScaleFactor || mode === 'area' ? outSize.map(() => null) : factors;
  }
  if (outSize.some((o) => o < 1)) {
    throw new ShapeError(
      `${where}: input of shape ${formatShape(input.shape)} gives an empty output of size ${formatShape(outSize)}`,
    );
  }
  if (mode === 'area')
    return dim === 1
      ? adaptiveAvgPool1d(input, outSize as [number])
      : adaptiveAvgPool2d(input, outSize as [number, number]);
  const x4 = dim === 1 ? tf.expandDims(input, 2) : input;
  const [h, w] = dim === 1 ? [1, spatial[0] as number] : (spatial as [number, number]);
  const [oh, ow] = dim === 1 ? [1, outSize[0] as number] : (outSize as [number, number]);
  const [sh, sw] = dim === 1 ? [null, scales[0] ?? null] : (scales as [number | null, number | null]);
  let y: tf.Tensor;
  if (mode === 'nearest' || mode === 'nearest-exact') {
    const exact = mode === 'nearest-exact';
    y = gatherRowsCols(x4, nearestIndices(h, oh, sh, exact), nearestIndices(w, ow, sw, exact));
  } else {
    const cubic = mode === 'bicubic';
    y = separable(x4, interpolationMatrix(h, oh, cubic, align, sh), interpolationMatrix(w, ow, cubic, align, sw));
  }
  return dim === 1 ? tf.squeeze(y, [2]) : y;
}

const UPSAMPLE = signature('F.upsample', [
  ['size', sizeArg.optional()],
  ['scaleFactor', scaleArg.optional()],
  [
    'mode',
    oneOf<InterpolateMode>(['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'area']).default('nearest'),
  ],
  ['alignCorners', bool().optional()],
]);

/**
 * torch's deprecated `F.upsample`: {@link interpolate} without `recompute_scale_factor` and `antialias`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.upsample.html
 *
 * @param input float32 input.
 * @param args torch's `size=None, scale_factor=None, mode='nearest', align_corners=None`.
 * @returns the resampled tensor.
 * @example
 * ```ts
 * F.upsample(x, { scaleFactor: 2 });
 * ```
 */
export function upsample(input: tf.Tensor, ...args: ArgsOf<typeof UPSAMPLE>): tf.Tensor {
  const a = UPSAMPLE.parse(args);
  return interpolate(input, a);
}

const UPSAMPLE_2 = (where: string) =>
  signature(where, [
    ['size', sizeArg.optional()],
    ['scaleFactor', scaleArg.optional()],
  ]);
const UPSAMPLE_NEAREST = UPSAMPLE_2('F.upsample_nearest');
const UPSAMPLE_BILINEAR = UPSAMPLE_2('F.upsample_bilinear');

/**
 * torch's deprecated `F.upsample_nearest`: `interpolate(input, size, scaleFactor, 'nearest')`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.upsample_nearest.html
 *
 * @param input float32 input.
 * @param args torch's `size=None, scale_factor=None`.
 * @returns the resampled tensor.
 * @example
 * ```ts
 * F.upsampleNearest(x, { scaleFactor: 2 });
 * ```
 */
export function upsampleNearest(input: tf.Tensor, ...args: ArgsOf<typeof UPSAMPLE_NEAREST>): tf.Tensor {
  return interpolate(input, { ...UPSAMPLE_NEAREST.parse(args), mode: 'nearest' });
}

/**
 * torch's deprecated `F.upsample_bilinear`: `interpolate(input, size, scaleFactor, 'bilinear', alignCorners=true)`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.upsample_bilinear.html
 *
 * @param input float32 `[N, C, H, W]`.
 * @param args torch's `size=None, scale_factor=None`.
 * @returns the resampled tensor.
 * @example
 * ```ts
 * F.upsampleBilinear(x, { scaleFactor: 2 });
 * ```
 */
export function upsampleBilinear(input: tf.Tensor, ...args: ArgsOf<typeof UPSAMPLE_BILINEAR>): tf.Tensor {
  return interpolate(input, { ...UPSAMPLE_BILINEAR.parse(args), mode: 'bilinear', alignCorners: true });
}

const PIXEL_SHUFFLE = signature('F.pixel_shuffle', [['upscaleFactor', int({ min: 1 })]]);
const PIXEL_UNSHUFFLE = signature('F.pixel_unshuffle', [['downscaleFactor', int({ min: 1 })]]);
const CHANNEL_SHUFFLE = signature('F.channel_shuffle', [['groups', int({ min: 1 })]]);

function checkAtLeast3d(input: tf.Tensor, where: string): void {
  if (!(input instanceof tf.Tensor) || input.rank < 3) {
    throw new ShapeError(
      `${where}: expected an input of at least 3 dimensions [*, C, H, W], got ${input instanceof tf.Tensor ? `shape ${formatShape(input.shape)}` : typeof input}`,
    );
  }
}

/**
 * Rearranges `[*, C * r^2, H, W]` into `[*, C, H * r, W * r]` (torch's `F.pixel_shuffle`): the sub-pixel
 * convolution's upsampling.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.pixel_shuffle.html
 *
 * Shape: `[*, C * r^2, H, W]` to `[*, C, H * r, W * r]`.
 *
 * @param input the tensor (any dtype).
 * @param args torch's `upscale_factor`.
 * @returns the rearranged tensor.
 * @example
 * ```ts
 * F.pixelShuffle(tf.zeros([1, 9, 4, 4]), 3).shape; // [1, 1, 12, 12]
 * ```
 */
export function pixelShuffle(input: tf.Tensor, ...args: ArgsOf<typeof PIXEL_SHUFFLE>): tf.Tensor {
  const where = 'F.pixel_shuffle';
  const r = PIXEL_SHUFFLE.parse(args).upscaleFactor;
  checkAtLeast3d(input, where);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0) {
    throw new ShapeError(
      `${where}: pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r} (input of shape ${formatShape(input.shape)})`,
    );
  }
  const oc = c / (r * r);
  const x = tf.reshape(input, [-1, oc, r, r, h, w]);
  const y = tf.transpose(x, [0, 1, 4, 2, 5, 3]);
  return tf.reshape(y, [...lead, oc, h * r, w * r]);
}

/**
 * Rearranges `[*, C, H * r, W * r]` into `[*, C * r^2, H, W]` (torch's `F.pixel_unshuffle`), the inverse of
 * {@link pixelShuffle}.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.pixel_unshuffle.html
 *
 * Shape: `[*, C, H * r, W * r]` to `[*, C * r^2, H, W]`.
 *
 * @param input the tensor.
 * @param args torch's `downscale_factor`.
 * @returns the rearranged tensor.
 * @example
 * ```ts
 * F.pixelUnshuffle(tf.zeros([1, 1, 12, 12]), 3).shape; // [1, 9, 4, 4]
 * ```
 */
export function pixelUnshuffle(input: tf.Tensor, ...args: ArgsOf<typeof PIXEL_UNSHUFFLE>): tf.Tensor {
  const where = 'F.pixel_unshuffle';
  const r = PIXEL_UNSHUFFLE.parse(args).downscaleFactor;
  checkAtLeast3d(input, where);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (h % r !== 0 || w % r !== 0) {
    throw new ShapeError(
      `${where}: pixel_unshuffle expects height and width to be divisible by downscale_factor, but got input of shape ${formatShape(input.shape)} and downscale_factor=${r}`,
    );
  }
  const x = tf.reshape(input, [-1, c, h / r, r, w / r, r]);
  const y = tf.transpose(x, [0, 1, 3, 5, 2, 4]);
  return tf.reshape(y, [...lead, c * r * r, h / r, w / r]);
}

/**
 * Splits the channels into `groups` and interleaves them (torch's `F.channel_shuffle`, ShuffleNet's shuffle):
 * `[N, g * k, *]` viewed as `[N, g, k, *]`, transposed to `[N, k, g, *]`, flattened back.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ChannelShuffle.html
 *
 * Shape: `[N, C, *]` to the same shape; `C` divisible by `groups`.
 *
 * @param input the tensor, at least 3-D.
 * @param args torch's `groups`.
 * @returns the shuffled tensor.
 * @example
 * ```ts
 * F.channelShuffle(tf.range(0, 4).reshape([1, 4, 1]), 2); // channels [0, 2, 1, 3]
 * ```
 */
export function channelShuffle(input: tf.Tensor, ...args: ArgsOf<typeof CHANNEL_SHUFFLE>): tf.Tensor {
  const where = 'F.channel_shuffle';
  const g = CHANNEL_SHUFFLE.parse(args).groups;
  checkAtLeast3d(input, where);
  const [n, c, ...rest] = input.shape as number[];
  if ((c as number) % g !== 0) {
    throw new ShapeError(
      `${where}: Number of channels must be divisible by groups. Got ${c} channels and ${g} groups (input of shape ${formatShape(input.shape)})`,
    );
  }
  const x = tf.reshape(input, [n as number, g, (c as number) / g, -1]);
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [n as number, c as number, ...rest]);
}
