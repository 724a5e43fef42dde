import * as tf from '@tensorflow/tfjs-core';

import { ShapeError } from '../errors';
import { Module } from './module';

function normDim(dim: number, rank: number, where: string, shape: number[]): number {
  const d = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(rank, 1)) {
    throw new ShapeError(
      `${where}: Dimension out of range (expected to be in range of [${-Math.max(rank, 1)}, ${Math.max(rank, 1) - 1}], but got ${dim}) for input of shape [${shape.join(', ')}]`,
    );
  }
  return d;
}

/**
 * Flattens dimensions `startDim..endDim` into one (torch's `nn.Flatten`).
 * Mirrors [torch.nn.Flatten](https://pytorch.org/docs/1.13/generated/torch.nn.Flatten.html).
 *
 * Shape: `[N, *dims]` to `[N, ∏ dims]` with the defaults.
 * @param startDim first dimension to flatten. Default: `1`.
 * @param endDim last dimension to flatten. Default: `-1`.
 * @example
 * ```ts
 * new nn.Flatten().forward(tf.zeros([8, 256, 4, 4])); // [8, 4096]
 * ```
 */
export class Flatten extends Module {
  /**
   * @param startDim first dimension to flatten. Default: `1`.
   * @param endDim last dimension to flatten. Default: `-1`.
   */
  constructor(
    /** First dimension to flatten. */
    readonly startDim = 1,
    /** Last dimension to flatten. */
    readonly endDim = -1,
  ) {
    super();
  }
  override forward(input: tf.Tensor): tf.Tensor {
    const s = normDim(this.startDim, input.rank, 'Flatten', input.shape);
    const e = normDim(this.endDim, input.rank, 'Flatten', input.shape);
    if (s > e)
      throw new ShapeError(
        `Flatten: start_dim (${this.startDim}) cannot come after end_dim (${this.endDim}) for input of shape [${input.shape.join(', ')}]`,
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
 * @param dim dimension to expand.
 * @param unflattenedSize the new dimensions; their product must equal `input.shape[dim]` (one may be -1).
 * @example
 * ```ts
 * new nn.Unflatten(1, [128, 7, 7]).forward(tf.zeros([8, 6272])); // [8, 128, 7, 7]
 * ```
 */
export class Unflatten extends Module {
  /**
   * @param dim dimension to expand.
   * @param unflattenedSize the new dimensions (one may be -1).
   */
  constructor(
    /** Dimension to expand. */
    readonly dim: number,
    /** The dimensions it expands into. */
    readonly unflattenedSize: number[],
  ) {
    super();
  }
  override forward(input: tf.Tensor): tf.Tensor {
    const d = normDim(this.dim, input.rank, 'Unflatten', input.shape);
    const size = [...this.unflattenedSize];
    const known = size.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const free = size.indexOf(-1);
    if (free >= 0) size[free] = input.shape[d] / known;
    const prod = size.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(size[Math.max(free, 0)]) || prod !== input.shape[d]) {
      throw new ShapeError(
        `Unflatten: unflattened_size [${this.unflattenedSize}] must multiply to input.shape[${this.dim}] = ${input.shape[d]} for input of shape [${input.shape.join(', ')}]`,
      );
    }
    return tf.reshape(input, [...input.shape.slice(0, d), ...size, ...input.shape.slice(d + 1)]);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`;
  }
}
