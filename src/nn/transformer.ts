/**
 * The Transformer (torch's `nn/modules/transformer.py`): `TransformerEncoderLayer`, `TransformerDecoderLayer`,
 * `TransformerEncoder`, `TransformerDecoder`, `Transformer`, with torch's submodule names so state dicts load.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { any, bool, describeValue, float, int, signature, type ArgsOf } from '../args';
import { ShapeError, ValueError, formatShape } from '../errors';
import { defaultGenerator } from '../random';
import { MultiheadAttention } from './attention';
import { ModuleList } from './container';
import { Dropout } from './dropout';
import { xavierUniform_ } from './init';
import { Linear } from './linear';
import { Module } from './module';
import { LayerNorm } from './normalization';

/** A layer's feed-forward activation: `'relu'`, `'gelu'`, a function, or a module (registered as `activation`). */
export type TransformerActivation = 'relu' | 'gelu' | ((x: tf.Tensor) => tf.Tensor) | Module;

/** GELU with the exact erf form, `x * Φ(x)` (torch's `F.gelu` default). */
function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

const activationArg = () =>
  any<TransformerActivation>("'relu', 'gelu', a function or a module").refine((v) =>
    v === 'relu' || v === 'gelu' || typeof v === 'function' || v instanceof Module
      ? null
      : `should be relu/gelu, a function or a module, not ${String(v)}`,
  );

const LAYER_PARAMS = [
  ['dModel', int({ min: 1 })],
  ['nhead', int({ min: 1 })],
  ['dimFeedforward', int({ min: 1 }).default(2048)],
  ['dropout', float({ min: 0, max: 1 }).default(0.1)],
  ['activation', activationArg().default('relu')],
  ['layerNormEps', float({ min: 0 }).default(1e-5)],
  ['batchFirst', bool().default(false)],
  ['normFirst', bool().default(false)],
] as const;

const ENCODER_LAYER = signature('TransformerEncoderLayer', LAYER_PARAMS);
const DECODER_LAYER = signature('TransformerDecoderLayer', LAYER_PARAMS);

/** The parsed arguments of a Transformer encoder or decoder layer. */
export interface TransformerLayerConfig {
  /** `E`, the model's width. */
  dModel: number;
  /** Attention heads. */
  nhead: number;
  /** Width of the feed-forward block. */
  dimFeedforward: number;
  /** Dropout probability. */
  dropout: number;
  /** The feed-forward activation. */
  activation: TransformerActivation;
  /** LayerNorm's eps. */
  layerNormEps: number;
  /** Inputs are `[N, L, E]`. */
  batchFirst: boolean;
  /** Pre-norm. */
  normFirst: boolean;
}

/** What the encoder and decoder layers share: the feed-forward block, norms, dropouts, activation. */
abstract class TransformerLayerBase extends Module {
  /** The parsed arguments (for cloning). */
  readonly config: TransformerLayerConfig;
  /** Pre-norm (`true`) or post-norm (`false`, the original Transformer). */
  readonly normFirst: boolean;
  /** Inputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** The feed-forward activation as a function. */
  protected readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(a: TransformerLayerConfig) {
    super();
    this.config = a;
    this.normFirst = a.normFirst;
    this.batchFirst = a.batchFirst;
    const act = a.activation;
    this.act =
      act === 'relu'
        ? tf.relu
        : act === 'gelu'
          ? geluErf
          : act instanceof Module
            ? (x) => act.forward(x)
            : (act as (x: tf.Tensor) => tf.Tensor);
  }

  /** Registers the activation when it is a module (torch keeps it as the `activation` submodule). */
  protected registerActivation(): void {
    if (this.config.activation instanceof Module) this.registerModule('activation', this.config.activation);
  }

  /** `linear2(dropout(activation(linear1(x))))`. */
  protected ffBlock(x: tf.Tensor, linear1: Linear, dropout: Dropout, linear2: Linear, drop: Dropout): tf.Tensor {
    return drop.forward(linear2.forward(dropout.forward(this.act(linear1.forward(x)))));
  }

  /** A fresh layer with the same arguments and a copy of this one's weights (torch's `copy.deepcopy`). */
  abstract clone(): TransformerLayerBase;
}

/**
 * One Transformer encoder layer: self-attention and a feed-forward block, each with a residual connection and
 * LayerNorm (torch's `nn.TransformerEncoderLayer`).
 *
 * Mirrors [torch.nn.TransformerEncoderLayer](https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoderLayer.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `dModel`, `nhead`, `dimFeedforward`
 * (default 2048), `dropout` (default 0.1), `activation` (`'relu'` default, `'gelu'`, a function or a module),
 * `layerNormEps` (default 1e-5), `batchFirst` (default `false`), `normFirst` (default `false`).
 *
 * Shape: src `[S, N, E]` (`[N, S, E]` with `batchFirst`, unbatched `[S, E]`); output like src.
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(512, 8);
 * const out = layer.forward(torch.rand([10, 32, 512]));
 * ```
 */
export class TransformerEncoderLayer extends TransformerLayerBase {
  /** Self-attention. */
  readonly self_attn: MultiheadAttention;
  /** `dModel -> dimFeedforward`. */
  readonly linear1: Linear;
  /** Dropout inside the feed-forward block. */
  readonly dropout: Dropout;
  /** `dimFeedforward -> dModel`. */
  readonly linear2: Linear;
  /** Norm of the attention block. */
  readonly norm1: LayerNorm;
  /** Norm of the feed-forward block. */
  readonly norm2: LayerNorm;
  /** Dropout after attention. */
  readonly dropout1: Dropout;
  /** Dropout after the feed-forward block. */
  readonly dropout2: Dropout;

  /** @param args `dModel, nhead, dimFeedforward?, dropout?, activation?, layerNormEps?, batchFirst?, normFirst?`. */
  constructor(...args: ArgsOf<typeof ENCODER_LAYER>) {
    const a = ENCODER_LAYER.parse(args);
    super(a);
    const { dModel, nhead, dimFeedforward, dropout, layerNormEps, batchFirst } = a;
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, { dropout, batchFirst }));
    this.linear1 = this.registerModule('linear1', new Linear(dModel, dimFeedforward));
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
    this.linear2 = this.registerModule('linear2', new Linear(dimFeedforward, dModel));
    this.norm1 = this.registerModule('norm1', new LayerNorm(dModel, { eps: layerNormEps }));
    this.norm2 = this.registerModule('norm2', new LayerNorm(dModel, { eps: layerNormEps }));
    this.dropout1 = this.registerModule('dropout1', new Dropout(dropout));
    this.dropout2 = this.registerModule('dropout2', new Dropout(dropout));
    this.registerActivation();
  }

  /**
   * @param src the sequence.
   * @param srcMask `[S, S]` or `[N * nhead, S, S]` attention mask (bool or float). Default: none.
   * @param srcKeyPaddingMask `[N, S]` keys to ignore. Default: none.
   * @returns like src.
   */
  override forward(
    src: tf.Tensor,
    srcMask: tf.Tensor | null = null,
    srcKeyPaddingMask: tf.Tensor | null = null,
  ): tf.Tensor {
    const sa = (x: tf.Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: srcMask,
          keyPaddingMask: srcKeyPaddingMask,
          needWeights: false,
        })[0],
      );
    const ff = (x: tf.Tensor) => this.ffBlock(x, this.linear1, this.dropout, this.linear2, this.dropout2);
    let x = src;
    if (this.normFirst) {
      x = tf.add(x, sa(this.norm1.forward(x)));
      return tf.add(x, ff(this.norm2.forward(x)));
    }
    x = this.norm1.forward(tf.add(x, sa(x)));
    return this.norm2.forward(tf.add(x, ff(x)));
  }

  override clone(): TransformerEncoderLayer {
    const m = new TransformerEncoderLayer(this.config);
    m.loadStateDict(this.stateDict());
    return m;
  }
}

/**
 * One Transformer decoder layer: self-attention, attention over the encoder's memory and a feed-forward block
 * (torch's `nn.TransformerDecoderLayer`).
 *
 * Mirrors [torch.nn.TransformerDecoderLayer](https://pytorch.org/docs/1.13/generated/torch.nn.TransformerDecoderLayer.html).
 *
 * Arguments: as {@link TransformerEncoderLayer}.
 *
 * Shape: tgt `[T, N, E]`, memory `[S, N, E]` (batch first with `batchFirst`); output like tgt.
 * @example
 * ```ts
 * const layer = new nn.TransformerDecoderLayer(512, 8);
 * const out = layer.forward(torch.rand([20, 32, 512]), memory);
 * ```
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  /** Self-attention. */
  readonly self_attn: MultiheadAttention;
  /** Attention over the memory. */
  readonly multihead_attn: MultiheadAttention;
  /** `dModel -> dimFeedforward`. */
  readonly linear1: Linear;
  /** Dropout inside the feed-forward block. */
  readonly dropout: Dropout;
  /** `dimFeedforward -> dModel`. */
  readonly linear2: Linear;
  /** Norm of the self-attention block. */
  readonly norm1: LayerNorm;
  /** Norm of the memory-attention block. */
  readonly norm2: LayerNorm;
  /** Norm of the feed-forward block. */
  readonly norm3: LayerNorm;
  /** Dropout after self-attention. */
  readonly dropout1: Dropout;
  /** Dropout after memory attention. */
  readonly dropout2: Dropout;
  /** Dropout after the feed-forward block. */
  readonly dropout3: Dropout;

  /** @param args `dModel, nhead, dimFeedforward?, dropout?, activation?, layerNormEps?, batchFirst?, normFirst?`. */
  constructor(...args: ArgsOf<typeof DECODER_LAYER>) {
    const a = DECODER_LAYER.parse(args);
    super(a);
    const { dModel, nhead, dimFeedforward, dropout, layerNormEps, batchFirst } = a;
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, { dropout, batchFirst }));
    this.multihead_attn = this.registerModule(
      'multihead_attn',
      new MultiheadAttention(dModel, nhead, { dropout, batchFirst }),
    );
    this.linear1 = this.registerModule('linear1', new Linear(dModel, dimFeedforward));
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
    this.linear2 = this.registerModule('linear2', new Linear(dimFeedforward, dModel));
    this.norm1 = this.registerModule('norm1', new LayerNorm(dModel, { eps: layerNormEps }));
    this.norm2 = this.registerModule('norm2', new LayerNorm(dModel, { eps: layerNormEps }));
    this.norm3 = this.registerModule('norm3', new LayerNorm(dModel, { eps: layerNormEps }));
    this.dropout1 = this.registerModule('dropout1', new Dropout(dropout));
    this.dropout2 = this.registerModule('dropout2', new Dropout(dropout));
    this.dropout3 = this.registerModule('dropout3', new Dropout(dropout));
    this.registerActivation();
  }

  /**
   * @param tgt the target sequence.
   * @param memory the encoder's output.
   * @param tgtMask attention mask over tgt. Default: none.
   * @param memoryMask attention mask over memory. Default: none.
   * @param tgtKeyPaddingMask `[N, T]`. Default: none.
   * @param memoryKeyPaddingMask `[N, S]`. Default: none.
   * @returns like tgt.
   */
  override forward(
    tgt: tf.Tensor,
    memory: tf.Tensor,
    tgtMask: tf.Tensor | null = null,
    memoryMask: tf.Tensor | null = null,
    tgtKeyPaddingMask: tf.Tensor | null = null,
    memoryKeyPaddingMask: tf.Tensor | null = null,
  ): tf.Tensor {
    const sa = (x: tf.Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: tgtMask,
          keyPaddingMask: tgtKeyPaddingMask,
          needWeights: false,
        })[0],
      );
    const mha = (x: tf.Tensor) =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: memoryMask,
          keyPaddingMask: memoryKeyPaddingMask,
          needWeights: false,
        })[0],
      );
    const ff = (x: tf.Tensor) => this.ffBlock(x, this.linear1, this.dropout, this.linear2, this.dropout3);
    let x = tgt;
    if (this.normFirst) {
      x = tf.add(x, sa(this.norm1.forward(x)));
      x = tf.add(x, mha(this.norm2.forward(x)));
      return tf.add(x, ff(this.norm3.forward(x)));
    }
    x = this.norm1.forward(tf.add(x, sa(x)));
    x = this.norm2.forward(tf.add(x, mha(x)));
    return this.norm3.forward(tf.add(x, ff(x)));
  }

  override clone(): TransformerDecoderLayer {
    const m = new TransformerDecoderLayer(this.config);
    m.loadStateDict(this.stateDict());
    return m;
  }
}

/** `n` copies of a layer with its weights (torch's `_get_clones`). */
function clones(layer: Module, n: number, where: string): ModuleList {
  if (!(layer instanceof TransformerLayerBase)) {
    throw new ValueError(
      `${where}: expected a TransformerEncoderLayer or TransformerDecoderLayer to copy, got ${layer instanceof Module ? layer.typeName : describeValue(layer)}`,
    );
  }
  // torch's copy.deepcopy draws nothing, but building a copy draws its initialisation: the generator is put
  // back after each copy, so the draws after (a decoder, a Transformer's xavier init) are torch's.
  const state = defaultGenerator.getState();
  return new ModuleList(
    Array.from({ length: n }, () => {
      const copy = layer.clone();
      defaultGenerator.setState(state);
      return copy;
    }),
  );
}

/**
 * A stack of `numLayers` copies of an encoder layer, then an optional norm (torch's `nn.TransformerEncoder`).
 *
 * Mirrors [torch.nn.TransformerEncoder](https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoder.html).
 *
 * Shape: as {@link TransformerEncoderLayer}.
 * @example
 * ```ts
 * const encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(512, 8), 6);
 * const out = encoder.forward(src);
 * ```
 */
export class TransformerEncoder extends Module {
  /** The copies. */
  readonly layers: ModuleList;
  /** The final norm, or null. */
  readonly norm: Module | null;
  /** Number of layers. */
  readonly numLayers: number;

  /**
   * @param encoderLayer the layer to copy (its weights are copied).
   * @param numLayers how many copies.
   * @param norm a final norm. Default: none.
   * @param _options `enableNestedTensor`, `maskCheck`: accepted for porting (no nested tensors here).
   */
  constructor(
    encoderLayer: TransformerEncoderLayer,
    numLayers: number,
    norm: Module | null = null,
    _options: { enableNestedTensor?: boolean; maskCheck?: boolean } = {},
  ) {
    super();
    this.numLayers = numLayers;
    this.layers = this.registerModule('layers', clones(encoderLayer, numLayers, 'TransformerEncoder'));
    // torch keeps a missing norm as a plain attribute: no `(norm): None` line, no state.
    this.norm = norm ? this.registerModule('norm', norm) : null;
  }

  /**
   * @param src the sequence.
   * @param mask attention mask. Default: none.
   * @param srcKeyPaddingMask `[N, S]`. Default: none.
   * @returns like src.
   */
  override forward(
    src: tf.Tensor,
    mask: tf.Tensor | null = null,
    srcKeyPaddingMask: tf.Tensor | null = null,
  ): tf.Tensor {
    let out = src;
    for (const layer of this.layers) out = (layer as TransformerEncoderLayer).forward(out, mask, srcKeyPaddingMask);
    return this.norm ? this.norm.forward(out) : out;
  }
}

/**
 * A stack of `numLayers` copies of a decoder layer, then an optional norm (torch's `nn.TransformerDecoder`).
 *
 * Mirrors [torch.nn.TransformerDecoder](https://pytorch.org/docs/1.13/generated/torch.nn.TransformerDecoder.html).
 *
 * Shape: as {@link TransformerDecoderLayer}.
 * @example
 * ```ts
 * const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(512, 8), 6);
 * const out = decoder.forward(tgt, memory);
 * ```
 */
export class TransformerDecoder extends Module {
  /** The copies. */
  readonly layers: ModuleList;
  /** The final norm, or null. */
  readonly norm: Module | null;
  /** Number of layers. */
  readonly numLayers: number;

  /**
   * @param decoderLayer the layer to copy (its weights are copied).
   * @param numLayers how many copies.
   * @param norm a final norm. Default: none.
   */
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm: Module | null = null) {
    super();
    this.numLayers = numLayers;
    this.layers = this.registerModule('layers', clones(decoderLayer, numLayers, 'TransformerDecoder'));
    // torch keeps a missing norm as a plain attribute: no `(norm): None` line, no state.
    this.norm = norm ? this.registerModule('norm', norm) : null;
  }

  /**
   * @param tgt the target sequence.
   * @param memory the encoder's output.
   * @param tgtMask attention mask over tgt. Default: none.
   * @param memoryMask attention mask over memory. Default: none.
   * @param tgtKeyPaddingMask `[N, T]`. Default: none.
   * @param memoryKeyPaddingMask `[N, S]`. Default: none.
   * @returns like tgt.
   */
  override forward(
    tgt: tf.Tensor,
    memory: tf.Tensor,
    tgtMask: tf.Tensor | null = null,
    memoryMask: tf.Tensor | null = null,
    tgtKeyPaddingMask: tf.Tensor | null = null,
    memoryKeyPaddingMask: tf.Tensor | null = null,
  ): tf.Tensor {
    let out = tgt;
    for (const layer of this.layers) {
      out = (layer as TransformerDecoderLayer).forward(
        out,
        memory,
        tgtMask,
        memoryMask,
        tgtKeyPaddingMask,
        memoryKeyPaddingMask,
      );
    }
    return this.norm ? this.norm.forward(out) : out;
  }
}

const TRANSFORMER = signature('Transformer', [
  ['dModel', int({ min: 1 }).default(512)],
  ['nhead', int({ min: 1 }).default(8)],
  ['numEncoderLayers', int({ min: 0 }).default(6)],
  ['numDecoderLayers', int({ min: 0 }).default(6)],
  ['dimFeedforward', int({ min: 1 }).default(2048)],
  ['dropout', float({ min: 0, max: 1 }).default(0.1)],
  ['activation', activationArg().default('relu')],
  ['customEncoder', any<Module>('a module').optional()],
  ['customDecoder', any<Module>('a module').optional()],
  ['layerNormEps', float({ min: 0 }).default(1e-5)],
  ['batchFirst', bool().default(false)],
  ['normFirst', bool().default(false)],
]);

/**
 * The Transformer of "Attention Is All You Need": an encoder and a decoder stack with final norms (torch's
 * `nn.Transformer`). Every weight with more than one dimension is xavier-uniform initialised, as torch.
 *
 * Mirrors [torch.nn.Transformer](https://pytorch.org/docs/1.13/generated/torch.nn.Transformer.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `dModel` (512), `nhead` (8),
 * `numEncoderLayers` (6), `numDecoderLayers` (6), `dimFeedforward` (2048), `dropout` (0.1), `activation`
 * (`'relu'`), `customEncoder`, `customDecoder`, `layerNormEps` (1e-5), `batchFirst` (`false`), `normFirst`
 * (`false`).
 *
 * Shape: src `[S, N, E]`, tgt `[T, N, E]` (batch first with `batchFirst`; unbatched `[S, E]`, `[T, E]`);
 * output `[T, N, E]`.
 * @example
 * ```ts
 * const model = new nn.Transformer({ nhead: 16, numEncoderLayers: 12 });
 * const out = model.forward(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(20) });
 * ```
 */
export class Transformer extends Module {
  /** The encoder stack. */
  readonly encoder: Module;
  /** The decoder stack. */
  readonly decoder: Module;
  /** `E`. */
  readonly dModel: number;
  /** Heads. */
  readonly nhead: number;
  /** Inputs are batch first. */
  readonly batchFirst: boolean;

  /** @param args see the class comment. */
  constructor(...args: ArgsOf<typeof TRANSFORMER>) {
    super();
    const a = TRANSFORMER.parse(args);
    const layerArgs = {
      dimFeedforward: a.dimFeedforward,
      dropout: a.dropout,
      activation: a.activation,
      layerNormEps: a.layerNormEps,
      batchFirst: a.batchFirst,
      normFirst: a.normFirst,
    };
    const disposeAll = (m: Module) => {
      for (const p of m.parameters()) p.dispose();
    };
    if (a.customEncoder) this.encoder = this.registerModule('encoder', a.customEncoder);
    else {
      const layer = new TransformerEncoderLayer(a.dModel, a.nhead, layerArgs);
      const norm = new LayerNorm(a.dModel, { eps: a.layerNormEps });
      this.encoder = this.registerModule('encoder', new TransformerEncoder(layer, a.numEncoderLayers, norm));
      disposeAll(layer);
    }
    if (a.customDecoder) this.decoder = this.registerModule('decoder', a.customDecoder);
    else {
      const layer = new TransformerDecoderLayer(a.dModel, a.nhead, layerArgs);
      const norm = new LayerNorm(a.dModel, { eps: a.layerNormEps });
      this.decoder = this.registerModule('decoder', new TransformerDecoder(layer, a.numDecoderLayers, norm));
      disposeAll(layer);
    }
    for (const p of this.parameters()) if (p.rank > 1) xavierUniform_(p);
    this.dModel = a.dModel;
    this.nhead = a.nhead;
    this.batchFirst = a.batchFirst;
  }

  /**
   * @param src the encoder's input.
   * @param tgt the decoder's input.
   * @param masks `srcMask`, `tgtMask`, `memoryMask`, `srcKeyPaddingMask`, `tgtKeyPaddingMask`,
   *   `memoryKeyPaddingMask` (each default none).
   * @returns `[T, N, E]`.
   */
  override forward(
    src: tf.Tensor,
    tgt: tf.Tensor,
    masks: {
      srcMask?: tf.Tensor | null;
      tgtMask?: tf.Tensor | null;
      memoryMask?: tf.Tensor | null;
      srcKeyPaddingMask?: tf.Tensor | null;
      tgtKeyPaddingMask?: tf.Tensor | null;
      memoryKeyPaddingMask?: tf.Tensor | null;
    } = {},
  ): tf.Tensor {
    const batched = src.rank === 3;
    const bd = this.batchFirst ? 0 : 1;
    if (batched && src.shape[bd] !== tgt.shape[bd]) {
      throw new ShapeError(
        `Transformer: the batch number of src and tgt must be equal (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    }
    if (src.shape[src.rank - 1] !== this.dModel || tgt.shape[tgt.rank - 1] !== this.dModel) {
      throw new ShapeError(
        `Transformer: the feature number of src and tgt must be equal to d_model=${this.dModel} (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    }
    const memory = (this.encoder as TransformerEncoder).forward(
      src,
      masks.srcMask ?? null,
      masks.srcKeyPaddingMask ?? null,
    );
    return (this.decoder as TransformerDecoder).forward(
      tgt,
      memory,
      masks.tgtMask ?? null,
      masks.memoryMask ?? null,
      masks.tgtKeyPaddingMask ?? null,
      masks.memoryKeyPaddingMask ?? null,
    );
  }

  /**
   * A `[sz, sz]` float mask with `-inf` above the diagonal and 0 elsewhere (torch's
   * `Transformer.generate_square_subsequent_mask`): position `i` may attend to positions `<= i`.
   * @param sz the sequence length.
   * @returns the mask.
   * @example
   * ```ts
   * nn.Transformer.generateSquareSubsequentMask(3); // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
   * ```
   */
  static generateSquareSubsequentMask(sz: number): tf.Tensor {
    const m = new Float32Array(sz * sz);
    for (let i = 0; i < sz; i++) for (let j = i + 1; j < sz; j++) m[i * sz + j] = -Infinity;
    return tf.tensor2d(m, [sz, sz]);
  }
}
