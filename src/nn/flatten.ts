import * as tf from '@tensorflow/tfjs-core';

import { int, intList, normalizeDim, signature, type ArgsOf } from '../args';
import { ShapeError, formatShape } from '../errors';
import { pyTuple } from '../repr';
import { Module } from './module';

const FLATTEN = signature('Flatten', [
  ['startDim', int().default(1)],
  ['endDim', int().default(-1)],
]);

const UNFLATTEN = signature('Unflatten', [
  ['dim', int()],
  ['unflattenedSize', intList({ min: -1 })],
]);

/**
 * Flattens dimensions `startDim..endDim` into one (torch's `nn.Flatten`).
 * Mirrors [torch.nn.Flatten](https://pytorch.org/docs/1.13/generated/torch.nn.Flatten.html).
 *
 * Shape: `[N, *dims]` to `[N, ∏ dims]` with the defaults.
 *
 * Arguments (positionally, or in a trailing options object): `startDim` first dimension to flatten (default `1`),
 * `endDim` last dimension to flatten (default `-1`).
 * @example
 * ```ts
 * new nn.Flatten().forward(tf.zeros([8, 256, 4, 4])); // [8, 4096]
 * new nn.Flatten(0, -2);                               // torch's Flatten(0, -2)
 * ```
 */
export class Flatten extends Module {
  /** First dimension to flatten. */
  readonly startDim: number;
  /** Last dimension to flatten. */
  readonly endDim: number;

  /** @param args `startDim?, endDim?`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof FLATTEN>) {
    super();
    const { startDim, endDim } = FLATTEN.parse(args);
    this.startDim = startDim;
    this.endDim = endDim;
  }

  override forward(input: tf.Tensor): tf.Tensor {
    const s = normalizeDim(this.startDim, input.rank, 'Flatten');
    const e = normalizeDim(this.endDim, input.rank, 'Flatten');
    if (input.rank === 0) return tf.reshape(input, [1]);
    if (s > e)
      throw new ShapeError(
        `Flatten: start_dim (${this.startDim}) cannot come after end_dim (${this.endDim}) for input of shape ${formatShape(input.shape)}`,
      );
    const shape = [
      ...input.shape.slice(0, s),
      input.shape.slice(s, e + 1).reduce((a, b) => a * b, 1),
      ...input.shape.slice(e + 1),
    ];
    return tf.reshape(input, shape);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Expands dimension `dim` into `unflattenedSize` (torch's `nn.Unflatten`), e.g. the generator's
 * `x.view(-1, 128, 7, 7)` as a module.
 * Mirrors [torch.nn.Unflatten](https://pytorch.org/docs/1.13/generated/torch.nn.Unflatten.html).
 *
 * Shape: `[*, ∏ size, *]` to `[*, ...size, *]`.
 *
 * Arguments (positionally, or in a trailing options object): `dim` the dimension to expand; `unflattenedSize` the
 * new dimensions, whose product must equal `input.shape[dim]` (one may be -1).
 * @example
 * ```ts
 * new nn.Unflatten(1, [128, 7, 7]).forward(tf.zeros([8, 6272])); // [8, 128, 7, 7]
 * ```
 */
export class Unflatten extends Module {
  /** Dimension to expand. */
  readonly dim: number;
  /** The dimensions it expands into. */
  readonly unflattenedSize: number[];

  /** @param args `dim, unflattenedSize`, positionally or in a trailing options object. */
  constructor(...args: ArgsOf<typeof UNFLATTEN>) {
    super();
    const { dim, unflattenedSize } = UNFLATTEN.parse(args);
    if (unflattenedSize.filter((v) => v === -1).length > 1) {
      throw new ShapeError(
        `Unflatten: only one dimension can be inferred (-1), got unflattened_size ${formatShape(unflattenedSize)}`,
      );
    }
    this.dim = dim;
    this.unflattenedSize = unflattenedSize;
  }

  override forward(input: tf.Tensor): tf.Tensor {
    const d = normalizeDim(this.dim, input.rank, 'Unflatten');
    const size = [...this.unflattenedSize];
    const known = size.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const free = size.indexOf(-1);
    if (free >= 0) size[free] = known === 0 ? Number.NaN : input.shape[d] / known;
    const prod = size.reduce((a, b) => a * b, 1);
    if (!size.every(Number.isInteger) || prod !== input.shape[d]) {
      throw new ShapeError(
        `Unflatten: unflattened_size ${formatShape(this.unflattenedSize)} must multiply to input.shape[${this.dim}] = ${input.shape[d]} for input of shape ${formatShape(input.shape)}`,
      );
    }
    return tf.reshape(input, [...input.shape.slice(0, d), ...size, ...input.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
