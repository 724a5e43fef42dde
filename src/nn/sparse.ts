/**
 * Lookup tables: `Embedding` and `EmbeddingBag` (torch's `nn/modules/sparse.py`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, oneOf, signature, type ArgsOf, tensor } from '../args';
import { Parameter } from '../autograd/parameter';
import { noGrad } from '../autograd/tape';
import { ShapeError, formatShape } from '../errors';
import { pyFloat } from '../repr';
import { type EmbeddingBagMode, embedding, embeddingBag, normalizePaddingIdx } from './functional/embedding';
import { normal_ } from './init';
import { Module } from './module';

const EMBEDDING = signature('Embedding', [
  ['numEmbeddings', int({ min: 0 })],
  ['embeddingDim', int({ min: 0 })],
  ['paddingIdx', int().optional()],
  ['maxNorm', float({ gt: 0 }).optional()],
  ['normType', float().default(2)],
  ['scaleGradByFreq', bool().default(false)],
  ['sparse', bool().default(false)],
  ['_weight', tensor(['float32']).optional()],
]);

const FROM_PRETRAINED = signature('Embedding.fromPretrained', [
  ['freeze', bool().default(true)],
  ['paddingIdx', int().optional()],
  ['maxNorm', float({ gt: 0 }).optional()],
  ['normType', float().default(2)],
  ['scaleGradByFreq', bool().default(false)],
  ['sparse', bool().default(false)],
]);

/**
 * A lookup table of fixed-size vectors, indexed by int32 ids (torch's `nn.Embedding`).
 *
 * Mirrors [torch.nn.Embedding](https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `numEmbeddings`, `embeddingDim`,
 * `paddingIdx` (a row that gets no gradient and starts at zero; negative counts from the end; default none),
 * `maxNorm` (rows looked up are renormalised in place to at most this norm; default none), `normType` (default
 * 2), `scaleGradByFreq` (default `false`), `sparse` (accepted; gradients are dense).
 *
 * Shape: input int32 `[*]`; output `[*, embeddingDim]`.
 *
 * Attributes: `weight` `[numEmbeddings, embeddingDim]` from N(0, 1).
 * @example
 * ```ts
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tf.tensor2d([[0, 2], [4, 5]], [2, 2], 'int32')).shape; // [2, 2, 3]
 * ```
 */
export class Embedding extends Module {
  /** Rows of the table. */
  readonly numEmbeddings: number;
  /** Size of each vector. */
  readonly embeddingDim: number;
  /** The row without gradient (non-negative), or null. */
  readonly paddingIdx: number | null;
  /** Renormalisation bound, or null. */
  readonly maxNorm: number | null;
  /** The p of the max-norm. */
  readonly normType: number;
  /** Scale gradients by 1 / frequency in the batch. */
  readonly scaleGradByFreq: boolean;
  /** Accepted for porting. */
  readonly sparse: boolean;
  /** `[numEmbeddings, embeddingDim]`. */
  readonly weight: Parameter;

  /** @param args `numEmbeddings, embeddingDim, paddingIdx?, maxNorm?, normType?, scaleGradByFreq?, sparse?`. */
  constructor(...args: ArgsOf<typeof EMBEDDING>) {
    super();
    const a = EMBEDDING.parse(args);
    this.numEmbeddings = a.numEmbeddings;
    this.embeddingDim = a.embeddingDim;
    const pad = normalizePaddingIdx(a.paddingIdx, a.numEmbeddings, 'Embedding');
    this.paddingIdx = pad < 0 ? null : pad;
    this.maxNorm = a.maxNorm;
    this.normType = a.normType;
    this.scaleGradByFreq = a.scaleGradByFreq;
    this.sparse = a.sparse;
    if (a._weight) {
      if (a._weight.shape.join() !== [a.numEmbeddings, a.embeddingDim].join()) {
        throw new ShapeError(
          `Embedding: Shape of weight ${formatShape(a._weight.shape)} does not match num_embeddings and embedding_dim [${a.numEmbeddings}, ${a.embeddingDim}]`,
        );
      }
      this.weight = this.registerParameter('weight', new Parameter(tf.clone(a._weight)));
    } else {
      this.weight = this.createParameter('weight', [a.numEmbeddings, a.embeddingDim]);
      this.resetParameters();
    }
  }

  /** torch's `reset_parameters`: N(0, 1), then the padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  private fillPaddingIdxWithZero(): void {
    const p = this.paddingIdx;
    if (p == null) return;
    noGrad(() => {
      const w = this.weight;
      const next = tf.tidy(() => {
        const keep = tf.tensor2d(
          Float32Array.from({ length: this.numEmbeddings }, (_, i) => (i === p ? 0 : 1)),
          [this.numEmbeddings, 1],
        );
        return tf.mul(w, keep);
      });
      w.assign(next);
      next.dispose();
    });
  }

  /**
   * An embedding whose weight is `embeddings` (torch's `Embedding.from_pretrained`), frozen unless
   * `freeze: false`.
   * @param embeddings `[numEmbeddings, embeddingDim]`.
   * @param args `freeze` (default `true`), `paddingIdx`, `maxNorm`, `normType`, `scaleGradByFreq`, `sparse`.
   * @returns the module.
   * @example
   * ```ts
   * const emb = nn.Embedding.fromPretrained(tf.tensor2d([[1, 2.3, 3], [4, 5.1, 6.3]]));
   * ```
   */
  static fromPretrained(embeddings: tf.Tensor, ...args: ArgsOf<typeof FROM_PRETRAINED>): Embedding {
    const a = FROM_PRETRAINED.parse(args);
    if (embeddings.rank !== 2) {
      throw new ShapeError(
        `Embedding.fromPretrained: Embeddings parameter is expected to be 2-dimensional, got shape ${formatShape(embeddings.shape)}`,
      );
    }
    const [rows, cols] = embeddings.shape as [number, number];
    const m = new Embedding(rows, cols, {
      paddingIdx: a.paddingIdx,
      maxNorm: a.maxNorm,
      normType: a.normType,
      scaleGradByFreq: a.scaleGradByFreq,
      sparse: a.sparse,
      _weight: embeddings,
    });
    m.weight.requiresGrad = !a.freeze;
    return m;
  }

  override forward(input: tf.Tensor): tf.Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      sparse: this.sparse,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx != null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm != null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}

const EMBEDDING_BAG = signature('EmbeddingBag', [
  ['numEmbeddings', int({ min: 0 })],
  ['embeddingDim', int({ min: 0 })],
  ['maxNorm', float({ gt: 0 }).optional()],
  ['normType', float().default(2)],
  ['scaleGradByFreq', bool().default(false)],
  ['mode', oneOf<EmbeddingBagMode>(['sum', 'mean', 'max']).default('mean')],
  ['sparse', bool().default(false)],
  ['_weight', tensor(['float32']).optional()],
  ['includeLastOffset', bool().default(false)],
  ['paddingIdx', int().optional()],
]);

/**
 * Sums, averages or takes the max of bags of embeddings (torch's `nn.EmbeddingBag`).
 *
 * Mirrors [torch.nn.EmbeddingBag](https://pytorch.org/docs/1.13/generated/torch.nn.EmbeddingBag.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `numEmbeddings`, `embeddingDim`,
 * `maxNorm`, `normType` (2), `scaleGradByFreq` (`false`), `mode` (`'sum' | 'mean' | 'max'`, default `'mean'`),
 * `sparse`, `_weight`, `includeLastOffset` (`false`), `paddingIdx` (none).
 *
 * Shape: input int32 `[B, N]`, or `[total]` with `offsets` `[B]`; output `[B, embeddingDim]`.
 *
 * Attributes: `weight` `[numEmbeddings, embeddingDim]` from N(0, 1).
 * @example
 * ```ts
 * const bag = new nn.EmbeddingBag(10, 3, { mode: 'sum' });
 * bag.forward(tf.tensor1d([1, 2, 4, 5, 4, 3, 2, 9], 'int32'), tf.tensor1d([0, 4], 'int32')); // [2, 3]
 * ```
 */
export class EmbeddingBag extends Module {
  /** Rows of the table. */
  readonly numEmbeddings: number;
  /** Size of each vector. */
  readonly embeddingDim: number;
  /** Renormalisation bound, or null. */
  readonly maxNorm: number | null;
  /** The p of the max-norm. */
  readonly normType: number;
  /** Scale gradients by 1 / frequency in the batch. */
  readonly scaleGradByFreq: boolean;
  /** The reduction. */
  readonly mode: EmbeddingBagMode;
  /** Accepted for porting. */
  readonly sparse: boolean;
  /** `offsets` has one more entry: the end of the last bag. */
  readonly includeLastOffset: boolean;
  /** The index left out of every bag (non-negative), or null. */
  readonly paddingIdx: number | null;
  /** `[numEmbeddings, embeddingDim]`. */
  readonly weight: Parameter;

  /** @param args see the class comment. */
  constructor(...args: ArgsOf<typeof EMBEDDING_BAG>) {
    super();
    const a = EMBEDDING_BAG.parse(args);
    this.numEmbeddings = a.numEmbeddings;
    this.embeddingDim = a.embeddingDim;
    this.maxNorm = a.maxNorm;
    this.normType = a.normType;
    this.scaleGradByFreq = a.scaleGradByFreq;
    this.mode = a.mode;
    this.sparse = a.sparse;
    this.includeLastOffset = a.includeLastOffset;
    const pad = normalizePaddingIdx(a.paddingIdx, a.numEmbeddings, 'EmbeddingBag');
    this.paddingIdx = pad < 0 ? null : pad;
    if (a._weight) {
      if (a._weight.shape.join() !== [a.numEmbeddings, a.embeddingDim].join()) {
        throw new ShapeError(
          `EmbeddingBag: Shape of weight ${formatShape(a._weight.shape)} does not match num_embeddings and embedding_dim [${a.numEmbeddings}, ${a.embeddingDim}]`,
        );
      }
      this.weight = this.registerParameter('weight', new Parameter(tf.clone(a._weight)));
    } else {
      this.weight = this.createParameter('weight', [a.numEmbeddings, a.embeddingDim], (w) => normal_(w));
      if (pad >= 0) {
        noGrad(() => {
          const next = tf.tidy(() =>
            tf.mul(
              this.weight,
              tf.tensor2d(
                Float32Array.from({ length: a.numEmbeddings }, (_, i) => (i === pad ? 0 : 1)),
                [a.numEmbeddings, 1],
              ),
            ),
          );
          this.weight.assign(next);
          next.dispose();
        });
      }
    }
  }

  /**
   * @param input int32 indices, `[B, N]` or `[total]`.
   * @param offsets int32 `[B]` start of each bag (1-D input only).
   * @param perSampleWeights float `[*]` like input (`mode: 'sum'` only).
   * @returns `[B, embeddingDim]`.
   */
  override forward(
    input: tf.Tensor,
    offsets: tf.Tensor | null = null,
    perSampleWeights: tf.Tensor | null = null,
  ): tf.Tensor {
    return embeddingBag(input, this.weight, {
      offsets,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      mode: this.mode,
      sparse: this.sparse,
      perSampleWeights,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm != null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    s += `, mode=${this.mode}`;
    if (this.paddingIdx != null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
