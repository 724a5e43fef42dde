/**
 * The convolution layers: torch's `nn.Conv1d`, `nn.Conv2d`, `nn.ConvTranspose1d` and `nn.ConvTranspose2d`
 * (torch/nn/modules/conv.py), thin modules over {@link conv2d}, {@link conv1d}, {@link convTranspose2d} and
 * {@link convTranspose1d}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, checkNumel, int, ints, oneOf, signature, str, union } from '../args';
import type { Parameter } from '../autograd/parameter';
import { ShapeError, ValueError, formatShape } from '../errors';
import { pyTuple } from '../repr';
import { shapeOrNull } from './channels-last';
import {
  type ConvArgs,
  type ConvTransposeArgs,
  type IntOrInts,
  conv1d,
  conv2d,
  conv2dChannelsLast,
  conv2dOutputShape,
  convTranspose1d,
  convTranspose2d,
  convTranspose2dChannelsLast,
  convTranspose2dOutputShape,
  transposedOutputPadding,
} from './functional/conv';
import { pad } from './functional/pad';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';

/** How a convolution pads its input: torch's `padding_mode`. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

function convSignature<N extends number>(where: string, n: N) {
  return signature(where, [
    ['inChannels', int({ min: 1 })],
    ['outChannels', int({ min: 1 })],
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['padding', union(ints(n, { min: 0 }), oneOf(['same', 'valid'] as const)).default(Array(n).fill(0) as never)],
    ['dilation', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['groups', int({ min: 1 }).default(1)],
    ['bias', bool().default(true)],
    ['paddingMode', str().default('zeros')],
  ]);
}

function convTransposeSignature<N extends number>(where: string, n: N) {
  return signature(where, [
    ['inChannels', int({ min: 1 })],
    ['outChannels', int({ min: 1 })],
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['padding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
    ['outputPadding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
    ['groups', int({ min: 1 }).default(1)],
    ['bias', bool().default(true)],
    ['dilation', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['paddingMode', str().default('zeros')],
  ]);
}

const CONV1D = convSignature('Conv1d', 1);
const CONV2D = convSignature('Conv2d', 2);
const CONV_TRANSPOSE1D = convTransposeSignature('ConvTranspose1d', 1);
const CONV_TRANSPOSE2D = convTransposeSignature('ConvTranspose2d', 2);

/** Keyword arguments of {@link Conv2d} and {@link Conv1d} (torch's names, camelCase). */
export interface Conv2dArgs {
  /** Channels of the input. */
  inChannels?: number;
  /** Channels of the output. */
  outChannels?: number;
  /** Size of the convolving kernel. */
  kernelSize?: IntOrInts;
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrInts;
  /** Padding added to both sides, or `'valid'` / `'same'` (stride 1 only). Default: `0`. */
  padding?: IntOrInts | 'same' | 'valid';
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrInts;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Whether to add a learnable bias to the output. Default: `true`. */
  bias?: boolean;
  /** `'zeros'`, `'reflect'`, `'replicate'` or `'circular'`. Default: `'zeros'`. */
  paddingMode?: string;
}

/** Keyword arguments of {@link Conv1d}: as {@link Conv2dArgs}. */
export type Conv1dArgs = Conv2dArgs;

/** Keyword arguments of {@link ConvTranspose2d} and {@link ConvTranspose1d} (torch's names, camelCase). */
export interface ConvTranspose2dArgs {
  /** Channels of the input. */
  inChannels?: number;
  /** Channels of the output. */
  outChannels?: number;
  /** Size of the convolving kernel. */
  kernelSize?: IntOrInts;
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrInts;
  /** `dilation * (kernel_size - 1) - padding` zero padding is added to both sides of the input. Default: `0`. */
  padding?: IntOrInts;
  /** Additional size added to one side of the output. Default: `0`. */
  outputPadding?: IntOrInts;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Whether to add a learnable bias to the output. Default: `true`. */
  bias?: boolean;
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrInts;
  /** Only `'zeros'` is supported, as in torch. Default: `'zeros'`. */
  paddingMode?: string;
}

/** Keyword arguments of {@link ConvTranspose1d}: as {@link ConvTranspose2dArgs}. */
export type ConvTranspose1dArgs = ConvTranspose2dArgs;

/** The hyperparameters every convolution layer parses (torch's `_ConvNd.__init__` arguments). */
interface ConvConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  outputPadding: number[];
  groups: number;
  bias: boolean;
  paddingMode: string;
}

/**
 * What the convolution layers share (torch's `_ConvNd`): hyperparameters, the `weight` and `bias` parameters,
 * torch's initialisation and repr. Use {@link Conv1d}, {@link Conv2d}, {@link ConvTranspose1d} or
 * {@link ConvTranspose2d}.
 */
export abstract class _ConvNd extends Module {
  /** Channels of the input, `C_in`. */
  readonly inChannels: number;
  /** Channels of the output, `C_out`. */
  readonly outChannels: number;
  /** The kernel size per spatial dimension (`[kH, kW]`, or `[kL]`). */
  readonly kernelSize: number[];
  /** The stride per spatial dimension. */
  readonly stride: number[];
  /** The padding per spatial dimension, or `'same'` / `'valid'` as given (forward convolutions only). */
  readonly padding: number[] | 'same' | 'valid';
  /** The dilation per spatial dimension. */
  readonly dilation: number[];
  /** Whether this is a transposed convolution (the weight is then `[in, out / groups, *kernel]`). */
  readonly transposed: boolean;
  /** Added to one side of a transposed convolution's output; zeros for a forward convolution. */
  readonly outputPadding: number[];
  /** Number of blocked connections from input to output channels. */
  readonly groups: number;
  /** torch's `padding_mode`. */
  readonly paddingMode: PaddingMode;
  /** The learnable filters: `[out, in / groups, *kernel]`, or `[in, out / groups, *kernel]` when transposed. */
  weight: Parameter;
  /** The learnable bias `[out]`, or `null` when built with `bias: false`. */
  bias: Parameter | null;

  protected constructor(c: ConvConfig, transposed: boolean) {
    super();
    const where = this.typeName;
    const { inChannels, outChannels, groups, paddingMode } = c;
    if (inChannels % groups !== 0) {
      throw new ValueError(`${where}: in_channels (=${inChannels}) must be divisible by groups (=${groups})`);
    }
    if (outChannels % groups !== 0) {
      throw new ValueError(`${where}: out_channels (=${outChannels}) must be divisible by groups (=${groups})`);
    }
    if (c.padding === 'same' && c.stride.some((s) => s !== 1)) {
      throw new ValueError(
        `${where}: padding='same' is not supported for strided convolutions, got stride=${pyTuple(c.stride)}`,
      );
    }
    if (!PADDING_MODES.includes(paddingMode)) {
      throw new ValueError(
        `${where}: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', but got padding_mode='${paddingMode}'`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = c.kernelSize;
    this.stride = c.stride;
    this.padding = c.padding;
    this.dilation = c.dilation;
    this.transposed = transposed;
    this.outputPadding = c.outputPadding;
    this.groups = groups;
    this.paddingMode = paddingMode as PaddingMode;
    const shape = transposed
      ? [inChannels, outChannels / groups, ...c.kernelSize]
      : [outChannels, inChannels / groups, ...c.kernelSize];
    this.weight = this.createParameter('weight', shape);
    this.bias = c.bias ? this.createParameter('bias', [outChannels]) : this.registerParameter('bias', null);
    this.resetParameters();
  }

  /**
   * Re-draws the parameters as torch's `reset_parameters` does: `kaiming_uniform_(weight, a=sqrt(5))`,
   * then the bias from `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` with `fan_in` computed from the weight's
   * shape (for a transposed conv that is `out / groups * prod(kernel)`, as in torch).
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** Checks what the layer itself knows: rank and channel count. */
  protected checkInput(input: tf.Tensor): void {
    if (!(input instanceof tf.Tensor)) {
      throw new ShapeError(`expected a tf.Tensor input, got ${input === null ? 'null' : typeof input}`);
    }
    this.checkInputShape(input.shape);
  }

  /** {@link checkInput} on an input's shape: rank, channel count and the padded size. */
  protected checkInputShape(shape: readonly number[]): void {
    const n = this.kernelSize.length;
    const rank = shape.length;
    if (rank !== n + 1 && rank !== n + 2) {
      throw new ShapeError(
        `expected ${n + 1}-D (unbatched) or ${n + 2}-D (batched) input, got ${rank}-D input of shape ${formatShape(shape)}`,
      );
    }
    const c = shape[rank - n - 1];
    if (c !== this.inChannels) {
      throw new ShapeError(
        `expected input[${rank - n - 1}] (channels) to be in_channels = ${this.inChannels}, got ${c} ` +
          `for input of shape ${formatShape(shape)}`,
      );
    }
    if (Array.isArray(this.padding)) {
      const p = this.padding;
      const lead = shape.slice(0, rank - n);
      checkNumel(
        [...lead, ...shape.slice(-n).map((x, i) => x + 2 * p[i])],
        'the padded input',
        `${this.typeName}.forward`,
      );
    }
  }

  /** torch's `extra_repr`: `1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False`. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (p.some((x) => x !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((x) => x !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((x) => x !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  /** A forward convolution's input, padded by its `paddingMode` when that is not `'zeros'` (as torch's `_conv_forward`). */
  protected padForMode(input: tf.Tensor): tf.Tensor | null {
    if (this.paddingMode === 'zeros') return null;
    const n = this.kernelSize.length;
    const p = this.padding;
    // torch's `_reversed_padding_repeated_twice`: last dimension first, 'same' split as torch does.
    const pads: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      if (p === 'valid') pads.push(0, 0);
      else if (p === 'same') {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        pads.push(total >> 1, total - (total >> 1));
      } else pads.push(p[i], p[i]);
    }
    const mode = this.paddingMode;
    for (let i = 0; i < n; i++) {
      const axis = input.rank - 1 - i;
      const size = input.shape[axis];
      const [a, b] = [pads[2 * i], pads[2 * i + 1]];
      if (mode === 'reflect' && (a >= size || b >= size)) {
        throw new ShapeError(
          `reflect padding (${a}, ${b}) must be smaller than the input size ${size} along dimension ${axis}, ` +
            `for input of shape ${formatShape(input.shape)}`,
        );
      }
      if (mode === 'circular' && (a > size || b > size)) {
        throw new ShapeError(
          `circular padding (${a}, ${b}) wraps around more than once: it must not exceed the input size ${size} ` +
            `along dimension ${axis}, for input of shape ${formatShape(input.shape)}`,
        );
      }
    }
    // F.pad's circular mode wants a batch dimension; an unbatched input gets one for the call.
    const unbatched = input.rank === n + 1;
    const x = unbatched ? tf.expandDims(input, 0) : input;
    const padded = pad(x, pads, mode as 'reflect' | 'replicate' | 'circular');
    return unbatched ? tf.squeeze(padded, [0]) : padded;
  }
}

/**
 * Applies a 2D convolution over an input signal composed of several input planes: torch's `nn.Conv2d`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html
 *
 * Shape:
 * - input: `[N, C_in, H, W]` or unbatched `[C_in, H, W]`
 * - output: `[N, C_out, H_out, W_out]` (unbatched `[C_out, H_out, W_out]`), where
 *   `H_out = floor((H + 2 * padding[0] - dilation[0] * (kernel_size[0] - 1) - 1) / stride[0] + 1)`, and
 *   likewise `W_out` (`'same'` keeps `H`, `W`; `'valid'` is padding 0).
 *
 * Attributes:
 * - `weight`: `[C_out, C_in / groups, kH, kW]`, drawn from `U(-sqrt(k), sqrt(k))` with
 *   `k = groups / (C_in * kH * kW)`.
 * - `bias`: `[C_out]`, drawn from the same distribution; `null` when `bias: false`.
 *
 * State-dict keys: `weight`, `bias`.
 *
 * Arguments (torch's order, positionally or any of them in a trailing options object): `inChannels`,
 * `outChannels`, `kernelSize` (int or `[kH, kW]`), `stride = 1`, `padding = 0` (int, pair, `'valid'` or
 * `'same'`), `dilation = 1`, `groups = 1`, `bias = true`, `paddingMode = 'zeros'` (`'zeros'`, `'reflect'`,
 * `'replicate'` or `'circular'`).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 32, 4, { stride: 2, padding: 1, bias: false });
 * conv.forward(tf.zeros([8, 1, 28, 28])).shape; // [8, 32, 14, 14]
 * String(conv); // 'Conv2d(1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)'
 * new nn.Conv2d(1, 64, [5, 5], [1, 1], [2, 2]); // torch's positional style: padding 2
 * ```
 */
export class Conv2d extends _ConvNd {
  /** @param args `inChannels, outChannels, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?`. */
  constructor(...args: ArgsOf<typeof CONV2D>) {
    super({ ...CONV2D.parse(args, new.target.name), outputPadding: [0, 0] }, false);
  }

  /**
   * Convolves `input`.
   * @param input `[N, C_in, H, W]` or `[C_in, H, W]`, float32.
   * @returns `[N, C_out, H_out, W_out]` or `[C_out, H_out, W_out]`.
   */
  override forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input);
    const padded = this.padForMode(input);
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    return conv2d(padded ?? input, this.weight, this.bias, { ...opts, padding: padded ? 0 : this.padding });
  }

  /** A convolution: its NCHW `forward` transposes to NHWC and back, what a channels-last run saves. */
  readonly computesInChannelsLast = true;

  /** `forward`'s output shape for a 4-d input of `shape` in a channels-last run (zero padding only), or `null`. */
  channelsLastShape(shape: readonly number[]): number[] | null {
    if (this.paddingMode !== 'zeros') return null;
    return shapeOrNull(() => {
      this.checkInputShape(shape);
      return conv2dOutputShape(shape, this.weight, this.convArgs());
    });
  }

  /** `forward` on the NHWC form of its input, in a channels-last run: the NHWC form of its output. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return conv2dChannelsLast(x, this.weight, this.convArgs());
  }

  private convArgs(): ConvArgs {
    const { bias, stride, padding, dilation, groups } = this;
    return { bias, stride, padding, dilation, groups };
  }
}

/**
 * Applies a 1D convolution over an input signal composed of several input planes: torch's `nn.Conv1d`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv1d.html
 *
 * Shape:
 * - input: `[N, C_in, L]` or unbatched `[C_in, L]`
 * - output: `[N, C_out, L_out]`, `L_out = floor((L + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)`.
 *
 * Attributes: `weight` `[C_out, C_in / groups, kL]` and `bias` `[C_out]`, drawn from `U(-sqrt(k), sqrt(k))`
 * with `k = groups / (C_in * kL)`.
 *
 * Arguments: as {@link Conv2d}'s, with ints (or one-element arrays) for the sizes.
 *
 * @example
 * ```ts
 * const conv = new nn.Conv1d(16, 33, 3, 2);
 * conv.forward(tf.zeros([20, 16, 50])).shape; // [20, 33, 24]
 * ```
 */
export class Conv1d extends _ConvNd {
  /** @param args `inChannels, outChannels, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?`. */
  constructor(...args: ArgsOf<typeof CONV1D>) {
    super({ ...CONV1D.parse(args, new.target.name), outputPadding: [0] }, false);
  }

  /**
   * Convolves `input`.
   * @param input `[N, C_in, L]` or `[C_in, L]`, float32.
   * @returns `[N, C_out, L_out]` or `[C_out, L_out]`.
   */
  override forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input);
    const padded = this.padForMode(input);
    const opts = { stride: this.stride as [number], dilation: this.dilation as [number], groups: this.groups };
    const padding = padded ? 0 : (this.padding as [number] | 'same' | 'valid');
    return conv1d(padded ?? input, this.weight, this.bias, { ...opts, padding });
  }
}

/** What the transposed layers share: the `paddingMode` check and `forward(input, outputSize)`. */
abstract class _ConvTransposeNd extends _ConvNd {
  protected constructor(c: ConvConfig) {
    if (c.paddingMode !== 'zeros') {
      throw new ValueError(
        `${new.target.name}: only 'zeros' padding mode is supported, got paddingMode='${c.paddingMode}'`,
      );
    }
    super(c, true);
  }

  /** The output padding `forward` uses: the layer's, or the one that gives `outputSize` (torch's `_output_padding`). */
  protected outputPaddingFor(input: tf.Tensor, outputSize: readonly number[] | null | undefined): number[] {
    if (outputSize == null) return this.outputPadding;
    const n = this.kernelSize.length;
    const where = n === 2 ? 'convTranspose2dOutputPadding' : 'convTranspose1dOutputPadding';
    return transposedOutputPadding(
      where,
      n,
      input.shape,
      outputSize,
      this.kernelSize,
      this.stride,
      this.padding as number[],
      this.dilation,
    );
  }
}

/**
 * Applies a 2D transposed convolution operator over an input image composed of several input planes:
 * torch's `nn.ConvTranspose2d`, sometimes called a "deconvolution" (the gradient of {@link Conv2d} with
 * respect to its input). The DCGAN generator's upsampling layer.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html
 *
 * Shape:
 * - input: `[N, C_in, H, W]` or unbatched `[C_in, H, W]`
 * - output: `[N, C_out, H_out, W_out]` (unbatched `[C_out, H_out, W_out]`), where
 *   `H_out = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kernel_size[0] - 1) + output_padding[0] + 1`,
 *   and likewise `W_out`; `forward(input, outputSize)` picks the output padding that gives `outputSize`.
 *
 * Attributes:
 * - `weight`: `[C_in, C_out / groups, kH, kW]`, drawn from `U(-sqrt(k), sqrt(k))` with
 *   `k = groups / (C_out * kH * kW)`.
 * - `bias`: `[C_out]`, drawn from the same distribution; `null` when `bias: false`.
 *
 * State-dict keys: `weight`, `bias`.
 *
 * Arguments (torch's order, positionally or in a trailing options object): `inChannels`, `outChannels`,
 * `kernelSize`, `stride = 1`, `padding = 0`, `outputPadding = 0`, `groups = 1`, `bias = true`, `dilation = 1`,
 * `paddingMode = 'zeros'` (the only mode torch supports here).
 *
 * @example
 * ```ts
 * const up = new nn.ConvTranspose2d(128, 64, 4, { stride: 2, padding: 1 });
 * up.forward(tf.zeros([8, 128, 7, 7])).shape; // [8, 64, 14, 14]
 * up.forward(tf.zeros([8, 128, 7, 7]), [15, 15]).shape; // [8, 64, 15, 15]
 * ```
 */
export class ConvTranspose2d extends _ConvTransposeNd {
  /** @param args `inChannels, outChannels, kernelSize, stride?, padding?, outputPadding?, groups?, bias?, dilation?, paddingMode?`. */
  constructor(...args: ArgsOf<typeof CONV_TRANSPOSE2D>) {
    super(CONV_TRANSPOSE2D.parse(args, new.target.name));
  }

  /**
   * Applies the transposed convolution.
   * @param input `[N, C_in, H, W]` or `[C_in, H, W]`, float32.
   * @param outputSize optional requested output size: `[H_out, W_out]` or the full output shape; it
   *   must lie within `stride - 1` above the natural size, and replaces `outputPadding` (torch's `output_size`).
   * @returns `[N, C_out, H_out, W_out]` or `[C_out, H_out, W_out]`.
   */
  override forward(input: tf.Tensor, outputSize?: readonly number[] | null): tf.Tensor {
    this.checkInput(input);
    return convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding: this.padding as [number, number],
      outputPadding: this.outputPaddingFor(input, outputSize) as [number, number],
      groups: this.groups,
      dilation: this.dilation as [number, number],
    });
  }

  /** A convolution: its NCHW `forward` transposes to NHWC and back, what a channels-last run saves. */
  readonly computesInChannelsLast = true;

  /** `forward(input)`'s output shape for a 4-d input of `shape` in a channels-last run, or `null`. */
  channelsLastShape(shape: readonly number[]): number[] | null {
    return shapeOrNull(() => {
      this.checkInputShape(shape);
      return convTranspose2dOutputShape(shape, this.weight, this.convArgs());
    });
  }

  /** `forward(input)` on the NHWC form of its input, in a channels-last run: the NHWC form of its output. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return convTranspose2dChannelsLast(x, this.weight, this.convArgs());
  }

  private convArgs(): ConvTransposeArgs {
    const { bias, stride, dilation, groups, outputPadding } = this;
    return { bias, stride, padding: this.padding as number[], outputPadding, groups, dilation };
  }
}

/**
 * Applies a 1D transposed convolution operator over an input signal composed of several input planes: torch's
 * `nn.ConvTranspose1d`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose1d.html
 *
 * Shape:
 * - input: `[N, C_in, L]` or unbatched `[C_in, L]`
 * - output: `[N, C_out, L_out]`, `L_out = (L - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1`.
 *
 * Attributes: `weight` `[C_in, C_out / groups, kL]`, `bias` `[C_out]`.
 *
 * Arguments: as {@link ConvTranspose2d}'s, with ints (or one-element arrays) for the sizes.
 *
 * @example
 * ```ts
 * const up = new nn.ConvTranspose1d(4, 2, 4, 2, 1);
 * up.forward(tf.zeros([3, 4, 10])).shape; // [3, 2, 20]
 * ```
 */
export class ConvTranspose1d extends _ConvTransposeNd {
  /** @param args `inChannels, outChannels, kernelSize, stride?, padding?, outputPadding?, groups?, bias?, dilation?, paddingMode?`. */
  constructor(...args: ArgsOf<typeof CONV_TRANSPOSE1D>) {
    super(CONV_TRANSPOSE1D.parse(args, new.target.name));
  }

  /**
   * Applies the transposed convolution.
   * @param input `[N, C_in, L]` or `[C_in, L]`, float32.
   * @param outputSize optional requested output size `[L_out]` or the full output shape (torch's `output_size`).
   * @returns `[N, C_out, L_out]` or `[C_out, L_out]`.
   */
  override forward(input: tf.Tensor, outputSize?: readonly number[] | null): tf.Tensor {
    this.checkInput(input);
    return convTranspose1d(input, this.weight, this.bias, {
      stride: this.stride as [number],
      padding: this.padding as [number],
      outputPadding: this.outputPaddingFor(input, outputSize) as [number],
      groups: this.groups,
      dilation: this.dilation as [number],
    });
  }
}
