/**
 * The padding layers (torch's `torch/nn/modules/padding.py`): constant, zero, reflection and replication padding in
 * 1-d, 2-d and 3-d, each thin over the public {@link pad} (`F.pad`). `padding` is an int (every side) or the sides
 * last dimension first: `[left, right]`, `[left, right, top, bottom]`, `[left, right, top, bottom, front, back]`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, float, ints, signature } from '../args';
import { pyNumber, pyTuple } from '../repr';
import { type PadMode, pad } from './functional/pad';
import { Module } from './module';

const sides = (n: number) => ints(2 * n, { min: -(2 ** 31 - 1) });

const constantSignature = (where: string, n: number) =>
  signature(where, [
    ['padding', sides(n)],
    ['value', float({ allowInfinity: true })],
  ]);
const edgeSignature = (where: string, n: number) => signature(where, [['padding', sides(n)]]);

/** What the padding layers share: the sides, the mode and the value, and torch's print text. */
abstract class _PadNd extends Module {
  /** The padding per side, last dimension first. */
  readonly padding: number[];
  /** `'constant'`, `'reflect'` or `'replicate'`. */
  readonly mode: PadMode;
  /** The fill value (constant padding). */
  readonly value: number;

  protected constructor(padding: number[], mode: PadMode, value = 0) {
    super();
    this.padding = padding;
    this.mode = mode;
    this.value = value;
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return this.mode === 'constant'
      ? pad(input, this.padding, 'constant', this.value)
      : pad(input, this.padding, this.mode);
  }

  override extraRepr(): string {
    return this.mode === 'constant' && this.typeName !== 'ZeroPad2d'
      ? `padding=${pyTuple(this.padding)}, value=${pyNumber(this.value)}`
      : pyTuple(this.padding);
  }
}

const CONSTANT1D = constantSignature('ConstantPad1d', 1);
const CONSTANT2D = constantSignature('ConstantPad2d', 2);
const CONSTANT3D = constantSignature('ConstantPad3d', 3);
const ZERO2D = edgeSignature('ZeroPad2d', 2);
const REFLECTION1D = edgeSignature('ReflectionPad1d', 1);
const REFLECTION2D = edgeSignature('ReflectionPad2d', 2);
const REFLECTION3D = edgeSignature('ReflectionPad3d', 3);
const REPLICATION1D = edgeSignature('ReplicationPad1d', 1);
const REPLICATION2D = edgeSignature('ReplicationPad2d', 2);
const REPLICATION3D = edgeSignature('ReplicationPad3d', 3);

/**
 * Pads the last dimension with a constant (torch's `nn.ConstantPad1d`).
 *
 * Mirrors [torch.nn.ConstantPad1d](https://pytorch.org/docs/1.13/generated/torch.nn.ConstantPad1d.html).
 *
 * Shape: `[*, W]` to `[*, W + left + right]` (negative sides crop).
 *
 * Arguments: `padding` (int or `[left, right]`), `value`.
 * @example
 * ```ts
 * new nn.ConstantPad1d([3, 1], 3.5).forward(tf.zeros([1, 2, 4])).shape; // [1, 2, 8]
 * ```
 */
export class ConstantPad1d extends _PadNd {
  /** @param args `padding, value`. */
  constructor(...args: ArgsOf<typeof CONSTANT1D>) {
    const a = CONSTANT1D.parse(args);
    super(a.padding, 'constant', a.value);
  }
}

/**
 * Pads the last two dimensions with a constant (torch's `nn.ConstantPad2d`).
 *
 * Mirrors [torch.nn.ConstantPad2d](https://pytorch.org/docs/1.13/generated/torch.nn.ConstantPad2d.html).
 *
 * Shape: `[*, H, W]` to `[*, H + top + bottom, W + left + right]`.
 *
 * Arguments: `padding` (int or `[left, right, top, bottom]`), `value`.
 * @example
 * ```ts
 * new nn.ConstantPad2d(2, 3.5).forward(tf.zeros([1, 2, 3, 3])).shape; // [1, 2, 7, 7]
 * ```
 */
export class ConstantPad2d extends _PadNd {
  /** @param args `padding, value`. */
  constructor(...args: ArgsOf<typeof CONSTANT2D>) {
    const a = CONSTANT2D.parse(args);
    super(a.padding, 'constant', a.value);
  }
}

/**
 * Pads the last three dimensions with a constant (torch's `nn.ConstantPad3d`).
 *
 * Mirrors [torch.nn.ConstantPad3d](https://pytorch.org/docs/1.13/generated/torch.nn.ConstantPad3d.html).
 *
 * Shape: `[*, D, H, W]` to `[*, D + front + back, H + top + bottom, W + left + right]`.
 *
 * Arguments: `padding` (int or 6 sides), `value`.
 * @example
 * ```ts
 * new nn.ConstantPad3d(1, 0.5).forward(tf.zeros([1, 2, 2, 2])).shape; // [1, 4, 4, 4]
 * ```
 */
export class ConstantPad3d extends _PadNd {
  /** @param args `padding, value`. */
  constructor(...args: ArgsOf<typeof CONSTANT3D>) {
    const a = CONSTANT3D.parse(args);
    super(a.padding, 'constant', a.value);
  }
}

/**
 * Pads the last two dimensions with zeros (torch's `nn.ZeroPad2d`).
 *
 * Mirrors [torch.nn.ZeroPad2d](https://pytorch.org/docs/1.13/generated/torch.nn.ZeroPad2d.html).
 *
 * Shape: `[*, H, W]` to `[*, H + top + bottom, W + left + right]`.
 *
 * Arguments: `padding` (int or `[left, right, top, bottom]`).
 * @example
 * ```ts
 * String(new nn.ZeroPad2d([1, 1, 2, 0])); // 'ZeroPad2d((1, 1, 2, 0))'
 * ```
 */
export class ZeroPad2d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof ZERO2D>) {
    super(ZERO2D.parse(args).padding, 'constant', 0);
  }
}

/**
 * Pads the last dimension with its reflection, edge excluded (torch's `nn.ReflectionPad1d`).
 *
 * Mirrors [torch.nn.ReflectionPad1d](https://pytorch.org/docs/1.13/generated/torch.nn.ReflectionPad1d.html).
 *
 * Shape: `[C, W]` or `[N, C, W]` to `[..., W + left + right]`; each side must be smaller than `W`.
 *
 * Arguments: `padding` (int or `[left, right]`).
 * @example
 * ```ts
 * new nn.ReflectionPad1d(2).forward(tf.tensor([[[0, 1, 2, 3]]])); // [[[2, 1, 0, 1, 2, 3, 2, 1]]]
 * ```
 */
export class ReflectionPad1d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REFLECTION1D>) {
    super(REFLECTION1D.parse(args).padding, 'reflect');
  }
}

/**
 * Pads the last two dimensions with their reflection (torch's `nn.ReflectionPad2d`).
 *
 * Mirrors [torch.nn.ReflectionPad2d](https://pytorch.org/docs/1.13/generated/torch.nn.ReflectionPad2d.html).
 *
 * Shape: `[C, H, W]` or `[N, C, H, W]` to `[..., H + top + bottom, W + left + right]`.
 *
 * Arguments: `padding` (int or `[left, right, top, bottom]`).
 * @example
 * ```ts
 * String(new nn.ReflectionPad2d([1, 1, 2, 0])); // 'ReflectionPad2d((1, 1, 2, 0))'
 * ```
 */
export class ReflectionPad2d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REFLECTION2D>) {
    super(REFLECTION2D.parse(args).padding, 'reflect');
  }
}

/**
 * Pads the last three dimensions with their reflection (torch's `nn.ReflectionPad3d`).
 *
 * Mirrors [torch.nn.ReflectionPad3d](https://pytorch.org/docs/1.13/generated/torch.nn.ReflectionPad3d.html).
 *
 * Shape: `[C, D, H, W]` or `[N, C, D, H, W]`, each padded dimension growing by its two sides.
 *
 * Arguments: `padding` (int or 6 sides).
 * @example
 * ```ts
 * new nn.ReflectionPad3d(1).forward(tf.zeros([1, 1, 2, 2, 2])).shape; // [1, 1, 4, 4, 4]
 * ```
 */
export class ReflectionPad3d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REFLECTION3D>) {
    super(REFLECTION3D.parse(args).padding, 'reflect');
  }
}

/**
 * Pads the last dimension by repeating its edge values (torch's `nn.ReplicationPad1d`).
 *
 * Mirrors [torch.nn.ReplicationPad1d](https://pytorch.org/docs/1.13/generated/torch.nn.ReplicationPad1d.html).
 *
 * Shape: `[C, W]` or `[N, C, W]` to `[..., W + left + right]`.
 *
 * Arguments: `padding` (int or `[left, right]`).
 * @example
 * ```ts
 * new nn.ReplicationPad1d([1, 2]).forward(tf.tensor([[[0, 1]]])); // [[[0, 0, 1, 1, 1]]]
 * ```
 */
export class ReplicationPad1d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REPLICATION1D>) {
    super(REPLICATION1D.parse(args).padding, 'replicate');
  }
}

/**
 * Pads the last two dimensions by repeating their edge values (torch's `nn.ReplicationPad2d`).
 *
 * Mirrors [torch.nn.ReplicationPad2d](https://pytorch.org/docs/1.13/generated/torch.nn.ReplicationPad2d.html).
 *
 * Shape: `[C, H, W]` or `[N, C, H, W]` to `[..., H + top + bottom, W + left + right]`.
 *
 * Arguments: `padding` (int or `[left, right, top, bottom]`).
 * @example
 * ```ts
 * new nn.ReplicationPad2d(1).forward(tf.zeros([1, 1, 2, 2])).shape; // [1, 1, 4, 4]
 * ```
 */
export class ReplicationPad2d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REPLICATION2D>) {
    super(REPLICATION2D.parse(args).padding, 'replicate');
  }
}

/**
 * Pads the last three dimensions by repeating their edge values (torch's `nn.ReplicationPad3d`).
 *
 * Mirrors [torch.nn.ReplicationPad3d](https://pytorch.org/docs/1.13/generated/torch.nn.ReplicationPad3d.html).
 *
 * Shape: `[C, D, H, W]` or `[N, C, D, H, W]`, each padded dimension growing by its two sides.
 *
 * Arguments: `padding` (int or 6 sides).
 * @example
 * ```ts
 * new nn.ReplicationPad3d(1).forward(tf.zeros([1, 1, 2, 2, 2])).shape; // [1, 1, 4, 4, 4]
 * ```
 */
export class ReplicationPad3d extends _PadNd {
  /** @param args `padding`. */
  constructor(...args: ArgsOf<typeof REPLICATION3D>) {
    super(REPLICATION3D.parse(args).padding, 'replicate');
  }
}
