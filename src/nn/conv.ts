/**
 * The convolution layers: torch's `nn.Conv2d` and `nn.ConvTranspose2d` (torch/nn/modules/conv.py), thin
 * modules over {@link conv2d} and {@link convTranspose2d}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Parameter } from '../autograd/parameter';
import { ShapeError, ValueError } from '../errors';
import { conv2d, convTranspose2d, convTranspose2dOutputPadding, toPair } from './functional/conv';
import type { IntOrPair } from './functional/conv';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';

/** How {@link Conv2d} pads its input: torch's `padding_mode`. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Keyword arguments of {@link Conv2d}. */
export interface Conv2dArgs {
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrPair;
  /** Padding added to all four sides of the input, or `'valid'` / `'same'` (stride 1 only). Default: `0`. */
  padding?: IntOrPair | 'same' | 'valid';
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrPair;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Whether to add a learnable bias to the output. Default: `true`. */
  bias?: boolean;
  /** `'zeros'`, `'reflect'`, `'replicate'` or `'circular'`. Default: `'zeros'`. */
  paddingMode?: PaddingMode;
}

/** Keyword arguments of {@link ConvTranspose2d}. */
export interface ConvTranspose2dArgs {
  /** Stride of the convolution. Default: `1`. */
  stride?: IntOrPair;
  /** `dilation * (kernel_size - 1) - padding` zero padding is added to both sides of the input. Default: `0`. */
  padding?: IntOrPair;
  /** Additional size added to one side (bottom/right) of the output shape. Default: `0`. */
  outputPadding?: IntOrPair;
  /** Number of blocked connections from input channels to output channels. Default: `1`. */
  groups?: number;
  /** Whether to add a learnable bias to the output. Default: `true`. */
  bias?: boolean;
  /** Spacing between kernel elements. Default: `1`. */
  dilation?: IntOrPair;
  /** Only `'zeros'` is supported, as in torch. Default: `'zeros'`. */
  paddingMode?: PaddingMode;
}

/** Python's tuple repr of a pair, as torch's `extra_repr` prints it: `(4, 4)`. */
function tuple([a, b]: readonly [number, number]): string {
  return `(${a}, ${b})`;
}

/**
 * What the 2-D convolution layers share (torch's `_ConvNd`): hyperparameters, the `weight` and `bias`
 * parameters, torch's initialisation and repr. Use {@link Conv2d} or {@link ConvTranspose2d}.
 */
export abstract class _ConvNd extends Module {
  /** Channels of the input, `C_in`. */
  readonly inChannels: number;
  /** Channels of the output, `C_out`. */
  readonly outChannels: number;
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`, or `'same'` / `'valid'` as given (Conv2d only). */
  readonly padding: [number, number] | 'same' | 'valid';
  /** `[dH, dW]`. */
  readonly dilation: [number, number];
  /** Whether this is a transposed convolution (the weight is then `[in, out / groups, kH, kW]`). */
  readonly transposed: boolean;
  /** `[opH, opW]` added to one side of a transposed convolution's output; `[0, 0]` for Conv2d. */
  readonly outputPadding: [number, number];
  /** Number of blocked connections from input to output channels. */
  readonly groups: number;
  /** torch's `padding_mode`. */
  readonly paddingMode: PaddingMode;
  /** The learnable filters: `[out, in / groups, kH, kW]`, or `[in, out / groups, kH, kW]` when transposed. */
  weight: Parameter;
  /** The learnable bias `[out]`, or `null` when built with `bias: false`. */
  bias: Parameter | null;

  protected constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    stride: IntOrPair,
    padding: IntOrPair | 'same' | 'valid',
    dilation: IntOrPair,
    transposed: boolean,
    outputPadding: IntOrPair,
    groups: number,
    bias: boolean,
    paddingMode: PaddingMode,
  ) {
    super();
    const where = this.typeName;
    for (const [name, v] of [
      ['in_channels', inChannels],
      ['out_channels', outChannels],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`${where}: ${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(groups) || groups <= 0) {
      throw new ValueError(`${where}: groups must be a positive integer, got ${groups}`);
    }
    if (inChannels % groups !== 0) {
      throw new ValueError(`${where}: in_channels (=${inChannels}) must be divisible by groups (=${groups})`);
    }
    if (outChannels % groups !== 0) {
      throw new ValueError(`${where}: out_channels (=${outChannels}) must be divisible by groups (=${groups})`);
    }
    this.kernelSize = toPair(kernelSize, 'kernel_size', where);
    this.stride = toPair(stride, 'stride', where);
    this.dilation = toPair(dilation, 'dilation', where);
    this.outputPadding = toPair(outputPadding, 'output_padding', where);
    for (const [name, p, min] of [
      ['kernel_size', this.kernelSize, 1],
      ['stride', this.stride, 1],
      ['dilation', this.dilation, 1],
      ['output_padding', this.outputPadding, 0],
    ] as const) {
      if (p[0] < min || p[1] < min) throw new ValueError(`${where}: ${name} must be at least ${min}, got ${tuple(p)}`);
    }
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new ValueError(`${where}: invalid padding string '${padding}', should be one of 'same', 'valid'`);
      }
      if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new ValueError(
          `${where}: padding='same' is not supported for strided convolutions, got stride=${tuple(this.stride)}`,
        );
      }
      this.padding = padding;
    } else {
      this.padding = toPair(padding, 'padding', where);
      if (this.padding[0] < 0 || this.padding[1] < 0) {
        throw new ValueError(`${where}: padding must be non-negative, got ${tuple(this.padding)}`);
      }
    }
    if (!PADDING_MODES.includes(paddingMode)) {
      throw new ValueError(
        `${where}: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', but got padding_mode='${paddingMode}'`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.transposed = transposed;
    this.groups = groups;
    this.paddingMode = paddingMode;

    const [kh, kw] = this.kernelSize;
    const shape = transposed ? [inChannels, outChannels / groups, kh, kw] : [outChannels, inChannels / groups, kh, kw];
    this.weight = this.registerParameter('weight', newParameter(shape));
    this.bias = this.registerParameter('bias', bias ? newParameter([outChannels]) : null);
    this.resetParameters();
  }

  /**
   * Re-draws the parameters as torch's `reset_parameters` does: `kaiming_uniform_(weight, a=sqrt(5))`,
   * then the bias from `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` with `fan_in` computed from the weight's
   * shape (for a transposed conv that is `out / groups * kH * kW`, as in torch).
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

  /** Checks what the layer itself knows: rank and channel count (`where` names the method). */
  protected checkInput(input: tf.Tensor): void {
    if (!(input instanceof tf.Tensor)) {
      throw new ShapeError(`expected a tf.Tensor input, got ${input === null ? 'null' : typeof input}`);
    }
    if (input.rank !== 3 && input.rank !== 4) {
      throw new ShapeError(
        `expected 3-D (unbatched) or 4-D (batched) input, got ${input.rank}-D input of shape [${input.shape.join(', ')}]`,
      );
    }
    const c = input.shape[input.rank - 3];
    if (c !== this.inChannels) {
      throw new ShapeError(
        `expected input[${input.rank - 3}] (channels) to be in_channels = ${this.inChannels}, got ${c} ` +
          `for input of shape [${input.shape.join(', ')}]`,
      );
    }
  }

  /** torch's `extra_repr`: `1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False`. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (p[0] !== 0 || p[1] !== 0) s += `, padding=${tuple(p)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.outputPadding[0] !== 0 || this.outputPadding[1] !== 0)
      s += `, output_padding=${tuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

function newParameter(shape: number[]): Parameter {
  const zeros = tf.zeros(shape);
  const p = new Parameter(zeros);
  zeros.dispose();
  return p;
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
 * @param inChannels number of channels in the input image.
 * @param outChannels number of channels produced by the convolution.
 * @param kernelSize size of the convolving kernel, int or `[kH, kW]`.
 * @param options `stride` (default `1`), `padding` (int, pair, `'valid'` or `'same'`; default `0`),
 *   `dilation` (default `1`), `groups` (default `1`), `bias` (default `true`), `paddingMode`
 *   (`'zeros'`, `'reflect'`, `'replicate'` or `'circular'`; default `'zeros'`).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 32, 4, { stride: 2, padding: 1, bias: false });
 * conv.forward(tf.zeros([8, 1, 28, 28])).shape; // [8, 32, 14, 14]
 * String(conv); // 'Conv2d(1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)'
 * ```
 */
export class Conv2d extends _ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros' }: Conv2dArgs = {},
  ) {
    super(inChannels, outChannels, kernelSize, stride, padding, dilation, false, 0, groups, bias, paddingMode);
  }

  /**
   * Convolves `input`.
   * @param input `[N, C_in, H, W]` or `[C_in, H, W]`, float32.
   * @returns `[N, C_out, H_out, W_out]` or `[C_out, H_out, W_out]`.
   */
  override forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input);
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv2d(input, this.weight, this.bias, { ...opts, padding: this.padding });
    const padded = padSpatial(input, this.reversedPaddingRepeatedTwice(), this.paddingMode);
    try {
      return conv2d(padded, this.weight, this.bias, { ...opts, padding: 0 });
    } finally {
      padded.dispose();
    }
  }

  /** torch's `_reversed_padding_repeated_twice`: `[left, right, top, bottom]`, 'same' split as torch does. */
  private reversedPaddingRepeatedTwice(): [number, number, number, number] {
    const p = this.padding;
    if (p === 'valid') return [0, 0, 0, 0];
    if (p === 'same') {
      const total = [0, 1].map((i) => this.dilation[i] * (this.kernelSize[i] - 1));
      return [total[1] >> 1, total[1] - (total[1] >> 1), total[0] >> 1, total[0] - (total[0] >> 1)];
    }
    return [p[1], p[1], p[0], p[0]];
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
 * @param inChannels number of channels in the input image.
 * @param outChannels number of channels produced by the convolution.
 * @param kernelSize size of the convolving kernel, int or `[kH, kW]`.
 * @param options `stride` (default `1`), `padding` (default `0`), `outputPadding` (default `0`), `groups`
 *   (default `1`), `bias` (default `true`), `dilation` (default `1`), `paddingMode` (only `'zeros'`).
 *
 * @example
 * ```ts
 * const up = new nn.ConvTranspose2d(128, 64, 4, { stride: 2, padding: 1 });
 * up.forward(tf.zeros([8, 128, 7, 7])).shape; // [8, 64, 14, 14]
 * up.forward(tf.zeros([8, 128, 7, 7]), [15, 15]).shape; // [8, 64, 15, 15]
 * ```
 */
export class ConvTranspose2d extends _ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    {
      stride = 1,
      padding = 0,
      outputPadding = 0,
      groups = 1,
      bias = true,
      dilation = 1,
      paddingMode = 'zeros',
    }: ConvTranspose2dArgs = {},
  ) {
    if (paddingMode !== 'zeros') {
      throw new ValueError(`ConvTranspose2d: only 'zeros' padding mode is supported, got paddingMode='${paddingMode}'`);
    }
    if (typeof padding === 'string') {
      throw new ValueError(`ConvTranspose2d: padding must be an int or a pair of ints, got '${padding}'`);
    }
    super(
      inChannels,
      outChannels,
      kernelSize,
      stride,
      padding,
      dilation,
      true,
      outputPadding,
      groups,
      bias,
      paddingMode,
    );
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
    const padding = this.padding as [number, number];
    const outputPadding =
      outputSize == null
        ? this.outputPadding
        : convTranspose2dOutputPadding(input.shape, outputSize, this.kernelSize, {
            stride: this.stride,
            padding,
            dilation: this.dilation,
          });
    return convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding,
      outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/** Source index of each padded position along one axis of length `n`, for torch's non-zero padding modes. */
function padIndices(n: number, before: number, after: number, mode: Exclude<PaddingMode, 'zeros'>): Int32Array {
  const idx = new Int32Array(n + before + after);
  for (let o = 0; o < idx.length; o++) {
    const i = o - before;
    if (mode === 'replicate') idx[o] = Math.min(Math.max(i, 0), n - 1);
    else if (mode === 'circular') idx[o] = ((i % n) + n) % n;
    else idx[o] = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  }
  return idx;
}

/** The `[L_out, L]` 0/1 matrix of an index map: its transpose scatters gradients back to the sources. */
function selectionMatrix(idx: Int32Array, n: number): tf.Tensor2D {
  const m = new Float32Array(idx.length * n);
  idx.forEach((src, o) => {
    m[o * n + src] = 1;
  });
  return tf.tensor2d(m, [idx.length, n]);
}

/**
 * Pads the last two axes of an NCHW (or CHW) tensor as torch's `F.pad(x, [left, right, top, bottom], mode)`
 * does for the non-zero modes, as one differentiable op: gathers forward, and sums the gradient of every
 * padded copy back into its source (through 0/1 matrices) backward.
 */
function padSpatial(
  x: tf.Tensor,
  [left, right, top, bottom]: [number, number, number, number],
  mode: Exclude<PaddingMode, 'zeros'>,
): tf.Tensor {
  const h = x.shape[x.rank - 2];
  const w = x.shape[x.rank - 1];
  const shape = `[${x.shape.join(', ')}]`;
  for (const [pads, n, axis] of [
    [[left, right], w, x.rank - 1],
    [[top, bottom], h, x.rank - 2],
  ] as const) {
    if (mode === 'reflect' && (pads[0] >= n || pads[1] >= n)) {
      throw new ShapeError(
        `reflect padding (${pads[0]}, ${pads[1]}) must be smaller than the input size ${n} along dimension ${axis}, ` +
          `for input of shape ${shape}`,
      );
    }
    if (mode === 'circular' && (pads[0] > n || pads[1] > n)) {
      throw new ShapeError(
        `circular padding (${pads[0]}, ${pads[1]}) wraps around more than once: it must not exceed the input size ${n} ` +
          `along dimension ${axis}, for input of shape ${shape}`,
      );
    }
  }
  const rowIdx = padIndices(h, top, bottom, mode);
  const colIdx = padIndices(w, left, right, mode);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xIn = args[0] as tf.Tensor;
    const value = tf.tidy(() => tf.gather(tf.gather(xIn, rowIdx, xIn.rank - 2), colIdx, xIn.rank - 1));
    const gradFunc = (dy: tf.Tensor) =>
      tf.tidy(() => {
        const lead = dy.shape.slice(0, -2);
        const [hp, wp] = dy.shape.slice(-2);
        // Columns: [..., Hp, Wp] x [Wp, W]; rows: move H last, [..., W, Hp] x [Hp, H], move it back.
        const cols = tf.matMul(tf.reshape(dy, [-1, wp]), selectionMatrix(colIdx, w));
        const t = tf.transpose(tf.reshape(cols, [-1, hp, w]), [0, 2, 1]);
        const rows = tf.matMul(tf.reshape(t, [-1, hp]), selectionMatrix(rowIdx, h));
        return tf.reshape(tf.transpose(tf.reshape(rows, [-1, w, h]), [0, 2, 1]), [...lead, h, w]);
      });
    return { value, gradFunc };
  });
  return op(x);
}
