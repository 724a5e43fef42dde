/**
 * The pooling layers (torch's `torch/nn/modules/pooling.py`): max, average, adaptive, power-average pooling and
 * max unpooling in 1-d and 2-d, each thin over its `F.*` op in `./functional/pooling`. Arguments as Python takes
 * them: positionally in torch's order or in a trailing options object.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, float, int, ints, isOptionsObject, signature } from '../args';
import { pyRepr } from '../repr';
import * as F from './functional/pooling';
import { Module } from './module';

/** A value as torch's `extra_repr` prints the argument it was given: `3`, `(3, 3)`, `None`, `True`. */
function given(v: unknown): string {
  return pyRepr(Array.isArray(v) ? Object.freeze([...v]) : v);
}

/** The arguments as given, by name (positional ones in `names` order, then the options object's), for print texts. */
function rawArgs(names: readonly string[], args: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = args.length;
  if (n > 0 && isOptionsObject(args[n - 1])) {
    Object.assign(out, args[n - 1]);
    n--;
  }
  for (let i = 0; i < n; i++) if (args[i] !== undefined) out[names[i] as string] = args[i];
  return out;
}

/** A size torch normalises with `_single`/`_pair` before printing: always a tuple. */
function tupled(v: number | readonly number[], n: number): string {
  return given(typeof v === 'number' ? Array(n).fill(v) : v);
}

const maxPoolSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['padding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
    ['dilation', ints(n, { min: 1 }).default(Array(n).fill(1) as never)],
    ['returnIndices', bool().default(false)],
    ['ceilMode', bool().default(false)],
  ]);

const MAX_POOL1D = maxPoolSignature('MaxPool1d', 1);
const MAX_POOL2D = maxPoolSignature('MaxPool2d', 2);

/** What the max-pooling layers share (torch's `_MaxPoolNd`). */
abstract class _MaxPoolNd extends Module {
  /** The window size per spatial dimension. */
  readonly kernelSize: number[];
  /** The step per spatial dimension (the kernel size by default). */
  readonly stride: number[];
  /** The implicit -inf padding per spatial dimension. */
  readonly padding: number[];
  /** The spacing of a window's taps. */
  readonly dilation: number[];
  /** Whether `forward` returns `[output, indices]`. */
  readonly returnIndices: boolean;
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  private readonly text: string;

  protected constructor(a: ReturnType<typeof MAX_POOL2D.parse>, raw: Record<string, unknown>) {
    super();
    this.kernelSize = a.kernelSize;
    this.stride = a.stride ?? a.kernelSize;
    this.padding = a.padding;
    this.dilation = a.dilation;
    this.returnIndices = a.returnIndices;
    this.ceilMode = a.ceilMode;
    const stride = raw.stride ?? raw.kernelSize;
    this.text =
      `kernel_size=${given(raw.kernelSize)}, stride=${given(stride)}, padding=${given(raw.padding ?? 0)}, ` +
      `dilation=${given(raw.dilation ?? 1)}, ceil_mode=${given(a.ceilMode)}`;
  }

  /** @internal The functional op's options, from the layer's hyperparameters. */
  protected options() {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
      returnIndices: this.returnIndices,
    };
  }

  override extraRepr(): string {
    return this.text;
  }
}

/**
 * 2D max pooling (torch's `nn.MaxPool2d`) over {@link F.maxPool2d}.
 *
 * Mirrors [torch.nn.MaxPool2d](https://pytorch.org/docs/1.13/generated/torch.nn.MaxPool2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`,
 * `H_out = floor((H + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)` (ceil with `ceilMode`).
 *
 * Arguments: `kernelSize`, `stride = kernelSize`, `padding = 0`, `dilation = 1`, `returnIndices = false`,
 * `ceilMode = false` (torch's order).
 * @example
 * ```ts
 * const pool = new nn.MaxPool2d(3, 2, 1); // ResNet's stem
 * pool.forward(tf.zeros([1, 64, 112, 112])).shape; // [1, 64, 56, 56]
 * ```
 */
export class MaxPool2d extends _MaxPoolNd {
  /** @param args `kernelSize, stride?, padding?, dilation?, returnIndices?, ceilMode?`. */
  constructor(...args: ArgsOf<typeof MAX_POOL2D>) {
    super(MAX_POOL2D.parse(args), rawArgs(MAX_POOL2D.names, args));
  }
  /** @returns the pooled tensor, or `[output, indices]` with `returnIndices`. */
  override forward(input: tf.Tensor): tf.Tensor | [tf.Tensor, tf.Tensor] {
    return F.maxPool2d(input, this.kernelSize as [number, number], this.options() as never);
  }
}

/**
 * 1D max pooling (torch's `nn.MaxPool1d`) over {@link F.maxPool1d}.
 *
 * Mirrors [torch.nn.MaxPool1d](https://pytorch.org/docs/1.13/generated/torch.nn.MaxPool1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * Arguments: as {@link MaxPool2d}'s.
 * @example
 * ```ts
 * new nn.MaxPool1d(3, 2).forward(tf.zeros([2, 4, 9])).shape; // [2, 4, 4]
 * ```
 */
export class MaxPool1d extends _MaxPoolNd {
  /** @param args `kernelSize, stride?, padding?, dilation?, returnIndices?, ceilMode?`. */
  constructor(...args: ArgsOf<typeof MAX_POOL1D>) {
    super(MAX_POOL1D.parse(args) as never, rawArgs(MAX_POOL1D.names, args));
  }
  /** @returns the pooled tensor, or `[output, indices]` with `returnIndices`. */
  override forward(input: tf.Tensor): tf.Tensor | [tf.Tensor, tf.Tensor] {
    return F.maxPool1d(input, this.kernelSize as [number], this.options() as never);
  }
}

const avgSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['padding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
    ['ceilMode', bool().default(false)],
    ['countIncludePad', bool().default(true)],
    ['divisorOverride', int().optional()],
  ]);
const AVG_POOL1D = signature('AvgPool1d', [
  ['kernelSize', ints(1, { min: 1 })],
  ['stride', ints(1, { min: 1 }).optional()],
  ['padding', ints(1, { min: 0 }).default([0])],
  ['ceilMode', bool().default(false)],
  ['countIncludePad', bool().default(true)],
]);
const AVG_POOL2D = avgSignature('AvgPool2d', 2);

/**
 * 2D average pooling (torch's `nn.AvgPool2d`) over {@link F.avgPool2d}.
 *
 * Mirrors [torch.nn.AvgPool2d](https://pytorch.org/docs/1.13/generated/torch.nn.AvgPool2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`,
 * `H_out = floor((H + 2 * padding - kernel_size) / stride + 1)` (ceil with `ceilMode`).
 *
 * Arguments: `kernelSize`, `stride = kernelSize`, `padding = 0`, `ceilMode = false`, `countIncludePad = true`,
 * `divisorOverride = null`.
 * @example
 * ```ts
 * new nn.AvgPool2d(2).forward(tf.zeros([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  /** The window size. */
  readonly kernelSize: number[];
  /** The step (the kernel size by default). */
  readonly stride: number[];
  /** The implicit zero padding. */
  readonly padding: number[];
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  /** Whether the zero padding counts in the divisor. */
  readonly countIncludePad: boolean;
  /** A fixed divisor, or `null`. */
  readonly divisorOverride: number | null;
  private readonly text: string;

  /** @param args `kernelSize, stride?, padding?, ceilMode?, countIncludePad?, divisorOverride?`. */
  constructor(...args: ArgsOf<typeof AVG_POOL2D>) {
    super();
    const a = AVG_POOL2D.parse(args);
    const r = rawArgs(AVG_POOL2D.names, args);
    this.kernelSize = a.kernelSize;
    this.stride = a.stride ?? a.kernelSize;
    this.padding = a.padding;
    this.ceilMode = a.ceilMode;
    this.countIncludePad = a.countIncludePad;
    this.divisorOverride = a.divisorOverride;
    this.text = `kernel_size=${given(r.kernelSize)}, stride=${given(r.stride ?? r.kernelSize)}, padding=${given(r.padding ?? 0)}`;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.avgPool2d(input, this.kernelSize as [number, number], {
      stride: this.stride as [number, number],
      padding: this.padding as [number, number],
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return this.text;
  }
}

/**
 * 1D average pooling (torch's `nn.AvgPool1d`) over {@link F.avgPool1d}.
 *
 * Mirrors [torch.nn.AvgPool1d](https://pytorch.org/docs/1.13/generated/torch.nn.AvgPool1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * Arguments: `kernelSize`, `stride = kernelSize`, `padding = 0`, `ceilMode = false`, `countIncludePad = true`.
 * @example
 * ```ts
 * new nn.AvgPool1d(3, 2).forward(tf.zeros([1, 2, 9])).shape; // [1, 2, 4]
 * ```
 */
export class AvgPool1d extends Module {
  /** The window size. */
  readonly kernelSize: [number];
  /** The step. */
  readonly stride: [number];
  /** The implicit zero padding. */
  readonly padding: [number];
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  /** Whether the zero padding counts in the divisor. */
  readonly countIncludePad: boolean;

  /** @param args `kernelSize, stride?, padding?, ceilMode?, countIncludePad?`. */
  constructor(...args: ArgsOf<typeof AVG_POOL1D>) {
    super();
    const a = AVG_POOL1D.parse(args);
    this.kernelSize = a.kernelSize;
    this.stride = a.stride ?? a.kernelSize;
    this.padding = a.padding;
    this.ceilMode = a.ceilMode;
    this.countIncludePad = a.countIncludePad;
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.avgPool1d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${tupled(this.kernelSize, 1)}, stride=${tupled(this.stride, 1)}, padding=${tupled(this.padding, 1)}`;
  }
}

const adaptiveSignature = (where: string, n: number, withIndices: boolean) =>
  signature(where, [
    ['outputSize', F.outputSizeArg(n)],
    [
      'returnIndices',
      bool()
        .default(false)
        .refine((v) => (v && !withIndices ? 'is not accepted' : null)),
    ],
  ]);
const ADAPTIVE = {
  AdaptiveAvgPool1d: signature('AdaptiveAvgPool1d', [['outputSize', F.outputSizeArg(1)]]),
  AdaptiveAvgPool2d: signature('AdaptiveAvgPool2d', [['outputSize', F.outputSizeArg(2)]]),
  AdaptiveMaxPool1d: adaptiveSignature('AdaptiveMaxPool1d', 1, true),
  AdaptiveMaxPool2d: adaptiveSignature('AdaptiveMaxPool2d', 2, true),
};

/** What the adaptive pooling layers share: the output size, printed as given. */
abstract class _AdaptivePoolNd extends Module {
  /** The output size per spatial dimension (`null`: the input's). */
  readonly outputSize: Array<number | null>;
  /** Whether `forward` returns `[output, indices]` (max pooling only). */
  readonly returnIndices: boolean;
  private readonly raw: unknown;

  protected constructor(kind: keyof typeof ADAPTIVE, args: unknown[]) {
    super();
    const a = ADAPTIVE[kind].parse(args) as { outputSize: Array<number | null>; returnIndices?: boolean };
    this.outputSize = a.outputSize;
    this.returnIndices = a.returnIndices ?? false;
    this.raw = rawArgs(['outputSize'], args).outputSize;
  }
  override extraRepr(): string {
    return `output_size=${given(this.raw)}`;
  }
}

/**
 * 2D adaptive average pooling (torch's `nn.AdaptiveAvgPool2d`) over {@link F.adaptiveAvgPool2d}.
 *
 * Mirrors [torch.nn.AdaptiveAvgPool2d](https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveAvgPool2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, *outputSize]`.
 *
 * Arguments: `outputSize`: an int or `[H_out, W_out]`, an entry `null` keeping the input's size.
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d([1, 1]).forward(tf.zeros([2, 512, 7, 7])).shape; // [2, 512, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends _AdaptivePoolNd {
  /** @param args `outputSize`. */
  constructor(...args: ArgsOf<(typeof ADAPTIVE)['AdaptiveAvgPool2d']>) {
    super('AdaptiveAvgPool2d', args);
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize as never);
  }
}

/**
 * 1D adaptive average pooling (torch's `nn.AdaptiveAvgPool1d`) over {@link F.adaptiveAvgPool1d}.
 *
 * Mirrors [torch.nn.AdaptiveAvgPool1d](https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveAvgPool1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, outputSize]`.
 *
 * Arguments: `outputSize`.
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool1d(5).forward(tf.zeros([1, 64, 8])).shape; // [1, 64, 5]
 * ```
 */
export class AdaptiveAvgPool1d extends _AdaptivePoolNd {
  /** @param args `outputSize`. */
  constructor(...args: ArgsOf<(typeof ADAPTIVE)['AdaptiveAvgPool1d']>) {
    super('AdaptiveAvgPool1d', args);
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.adaptiveAvgPool1d(input, this.outputSize as never);
  }
}

/**
 * 2D adaptive max pooling (torch's `nn.AdaptiveMaxPool2d`) over {@link F.adaptiveMaxPool2d}.
 *
 * Mirrors [torch.nn.AdaptiveMaxPool2d](https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveMaxPool2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, *outputSize]`.
 *
 * Arguments: `outputSize`, `returnIndices = false`.
 * @example
 * ```ts
 * new nn.AdaptiveMaxPool2d([5, 7]).forward(tf.zeros([1, 64, 8, 9])).shape; // [1, 64, 5, 7]
 * ```
 */
export class AdaptiveMaxPool2d extends _AdaptivePoolNd {
  /** @param args `outputSize, returnIndices?`. */
  constructor(...args: ArgsOf<(typeof ADAPTIVE)['AdaptiveMaxPool2d']>) {
    super('AdaptiveMaxPool2d', args);
  }
  /** @returns the pooled tensor, or `[output, indices]` with `returnIndices`. */
  override forward(input: tf.Tensor): tf.Tensor | [tf.Tensor, tf.Tensor] {
    return F.adaptiveMaxPool2d(input, this.outputSize as never, this.returnIndices);
  }
}

/**
 * 1D adaptive max pooling (torch's `nn.AdaptiveMaxPool1d`) over {@link F.adaptiveMaxPool1d}.
 *
 * Mirrors [torch.nn.AdaptiveMaxPool1d](https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveMaxPool1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, outputSize]`.
 *
 * Arguments: `outputSize`, `returnIndices = false`.
 * @example
 * ```ts
 * new nn.AdaptiveMaxPool1d(5).forward(tf.zeros([1, 64, 8])).shape; // [1, 64, 5]
 * ```
 */
export class AdaptiveMaxPool1d extends _AdaptivePoolNd {
  /** @param args `outputSize, returnIndices?`. */
  constructor(...args: ArgsOf<(typeof ADAPTIVE)['AdaptiveMaxPool1d']>) {
    super('AdaptiveMaxPool1d', args);
  }
  /** @returns the pooled tensor, or `[output, indices]` with `returnIndices`. */
  override forward(input: tf.Tensor): tf.Tensor | [tf.Tensor, tf.Tensor] {
    return F.adaptiveMaxPool1d(input, this.outputSize as never, this.returnIndices);
  }
}

const lpSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ['normType', float({ gt: 0 })],
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['ceilMode', bool().default(false)],
  ]);
const LP_POOL1D = lpSignature('LPPool1d', 1);
const LP_POOL2D = lpSignature('LPPool2d', 2);

/** What the power-average pooling layers share (torch's `_LPPoolNd`). */
abstract class _LPPoolNd extends Module {
  /** The power `p`. */
  readonly normType: number;
  /** The window size. */
  readonly kernelSize: number[];
  /** The step, or `null` (the kernel size). */
  readonly stride: number[] | null;
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  private readonly text: string;

  protected constructor(a: ReturnType<typeof LP_POOL2D.parse>, args: unknown[]) {
    super();
    this.normType = a.normType;
    this.kernelSize = a.kernelSize;
    this.stride = a.stride;
    this.ceilMode = a.ceilMode;
    const r = rawArgs(LP_POOL2D.names, args);
    this.text = `norm_type=${given(a.normType)}, kernel_size=${given(r.kernelSize)}, stride=${given(r.stride ?? null)}, ceil_mode=${given(a.ceilMode)}`;
  }
  override extraRepr(): string {
    return this.text;
  }
}

/**
 * 2D power-average pooling (torch's `nn.LPPool2d`) over {@link F.lpPool2d}.
 *
 * Mirrors [torch.nn.LPPool2d](https://pytorch.org/docs/1.13/generated/torch.nn.LPPool2d.html).
 *
 * Shape: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`, `H_out = floor((H - kernel_size) / stride + 1)`.
 *
 * Arguments: `normType`, `kernelSize`, `stride = kernelSize`, `ceilMode = false`.
 * @example
 * ```ts
 * new nn.LPPool2d(2, 3, 2).forward(tf.zeros([1, 4, 9, 9])).shape; // [1, 4, 4, 4]
 * ```
 */
export class LPPool2d extends _LPPoolNd {
  /** @param args `normType, kernelSize, stride?, ceilMode?`. */
  constructor(...args: ArgsOf<typeof LP_POOL2D>) {
    super(LP_POOL2D.parse(args), args);
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.lpPool2d(input, this.normType, this.kernelSize as [number, number], {
      stride: this.stride as [number, number] | null,
      ceilMode: this.ceilMode,
    });
  }
}

/**
 * 1D power-average pooling (torch's `nn.LPPool1d`) over {@link F.lpPool1d}.
 *
 * Mirrors [torch.nn.LPPool1d](https://pytorch.org/docs/1.13/generated/torch.nn.LPPool1d.html).
 *
 * Shape: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * Arguments: `normType`, `kernelSize`, `stride = kernelSize`, `ceilMode = false`.
 * @example
 * ```ts
 * new nn.LPPool1d(2, 3).forward(tf.zeros([1, 4, 9])).shape; // [1, 4, 3]
 * ```
 */
export class LPPool1d extends _LPPoolNd {
  /** @param args `normType, kernelSize, stride?, ceilMode?`. */
  constructor(...args: ArgsOf<typeof LP_POOL1D>) {
    super(LP_POOL1D.parse(args) as never, args);
  }
  override forward(input: tf.Tensor): tf.Tensor {
    return F.lpPool1d(input, this.normType, this.kernelSize as [number], {
      stride: this.stride as [number] | null,
      ceilMode: this.ceilMode,
    });
  }
}

const unpoolSignature = <N extends number>(where: string, n: N) =>
  signature(where, [
    ['kernelSize', ints(n, { min: 1 })],
    ['stride', ints(n, { min: 1 }).optional()],
    ['padding', ints(n, { min: 0 }).default(Array(n).fill(0) as never)],
  ]);
const MAX_UNPOOL1D = unpoolSignature('MaxUnpool1d', 1);
const MAX_UNPOOL2D = unpoolSignature('MaxUnpool2d', 2);

/** What the max-unpooling layers share (torch's `_MaxUnpoolNd`). */
abstract class _MaxUnpoolNd extends Module {
  /** The pooling's window size. */
  readonly kernelSize: number[];
  /** The pooling's step (the kernel size by default). */
  readonly stride: number[];
  /** The pooling's padding. */
  readonly padding: number[];

  protected constructor(a: ReturnType<typeof MAX_UNPOOL2D.parse>) {
    super();
    this.kernelSize = a.kernelSize;
    this.stride = a.stride ?? a.kernelSize;
    this.padding = a.padding;
  }
  override extraRepr(): string {
    const n = this.kernelSize.length;
    return `kernel_size=${tupled(this.kernelSize, n)}, stride=${tupled(this.stride, n)}, padding=${tupled(this.padding, n)}`;
  }
}

/**
 * Partial inverse of {@link MaxPool2d} (torch's `nn.MaxUnpool2d`) over {@link F.maxUnpool2d}.
 *
 * Mirrors [torch.nn.MaxUnpool2d](https://pytorch.org/docs/1.13/generated/torch.nn.MaxUnpool2d.html).
 *
 * Shape: input and indices `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]`,
 * `H_out = (H - 1) * stride - 2 * padding + kernel_size`, or `outputSize` given to `forward`.
 *
 * Arguments: `kernelSize`, `stride = kernelSize`, `padding = 0`.
 * @example
 * ```ts
 * const pool = new nn.MaxPool2d(2, { returnIndices: true });
 * const [y, idx] = pool.forward(x) as [tf.Tensor, tf.Tensor];
 * new nn.MaxUnpool2d(2).forward(y, idx);
 * ```
 */
export class MaxUnpool2d extends _MaxUnpoolNd {
  /** @param args `kernelSize, stride?, padding?`. */
  constructor(...args: ArgsOf<typeof MAX_UNPOOL2D>) {
    super(MAX_UNPOOL2D.parse(args));
  }
  /**
   * Puts each value back at its index, zeros elsewhere.
   * @param input the pooled values.
   * @param indices the pooling's indices (int32).
   * @param outputSize optional output size (spatial, or the full shape's last two entries).
   */
  override forward(input: tf.Tensor, indices: tf.Tensor, outputSize?: number[] | null): tf.Tensor {
    return F.maxUnpool2d(input, indices, this.kernelSize as [number, number], {
      stride: this.stride as [number, number],
      padding: this.padding as [number, number],
      outputSize: outputSize ? outputSize.slice(-2) : null,
    });
  }
}

/**
 * Partial inverse of {@link MaxPool1d} (torch's `nn.MaxUnpool1d`) over {@link F.maxUnpool1d}.
 *
 * Mirrors [torch.nn.MaxUnpool1d](https://pytorch.org/docs/1.13/generated/torch.nn.MaxUnpool1d.html).
 *
 * Shape: input and indices `[N, C, L]` or `[C, L]`; output `[N, C, L_out]`.
 *
 * Arguments: `kernelSize`, `stride = kernelSize`, `padding = 0`.
 * @example
 * ```ts
 * new nn.MaxUnpool1d(2).forward(y, idx);
 * ```
 */
export class MaxUnpool1d extends _MaxUnpoolNd {
  /** @param args `kernelSize, stride?, padding?`. */
  constructor(...args: ArgsOf<typeof MAX_UNPOOL1D>) {
    super(MAX_UNPOOL1D.parse(args) as never);
  }
  /**
   * Puts each value back at its index, zeros elsewhere.
   * @param input the pooled values.
   * @param indices the pooling's indices (int32).
   * @param outputSize optional output size.
   */
  override forward(input: tf.Tensor, indices: tf.Tensor, outputSize?: number[] | null): tf.Tensor {
    return F.maxUnpool1d(input, indices, this.kernelSize as [number], {
      stride: this.stride as [number],
      padding: this.padding as [number],
      outputSize: outputSize ? outputSize.slice(-1) : null,
    });
  }
}
