/**
 * `MultiheadAttention` (torch's `nn.MultiheadAttention`, in `nn/modules/activation.py`), with torch's parameter
 * names: `in_proj_weight`/`in_proj_bias` (or `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when `kdim`/`vdim`
 * differ), `bias_k`/`bias_v`, `out_proj.*`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { ValueError } from '../errors';
import { multiHeadAttentionForward } from './functional/attention';
import { constant_, xavierNormal_, xavierUniform_ } from './init';
import { Linear } from './linear';
import { Module } from './module';

/**
 * torch's `NonDynamicallyQuantizableLinear`: a `Linear` under another name (it shows in `print(model)` and keeps
 * the attention's output projection out of dynamic quantisation).
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

const MHA = signature('MultiheadAttention', [
  ['embedDim', int({ min: 1 })],
  ['numHeads', int({ min: 1 })],
  ['dropout', float({ min: 0, max: 1 }).default(0)],
  ['bias', bool().default(true)],
  ['addBiasKv', bool().default(false)],
  ['addZeroAttn', bool().default(false)],
  ['kdim', int({ min: 1 }).optional()],
  ['vdim', int({ min: 1 }).optional()],
  ['batchFirst', bool().default(false)],
]);

/** Keyword arguments of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /** `[N, S]` (unbatched `[S]`): `true` (or a float added) marks keys to ignore. Default: none. */
  keyPaddingMask?: tf.Tensor | null;
  /** Return the attention weights. Default: `true`. */
  needWeights?: boolean;
  /** `[L, S]` or `[N * numHeads, L, S]`, bool (`true` = may not attend) or float (added). Default: none. */
  attnMask?: tf.Tensor | null;
  /** Average the returned weights over heads. Default: `true`. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention, `softmax(Q Kᵀ / √d + mask) V` per head, projected (torch's `nn.MultiheadAttention`).
 *
 * Mirrors [torch.nn.MultiheadAttention](https://pytorch.org/docs/1.13/generated/torch.nn.MultiheadAttention.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `embedDim`, `numHeads`, `dropout`
 * (on the attention weights, train mode; default 0), `bias` (default `true`), `addBiasKv` (default `false`),
 * `addZeroAttn` (default `false`), `kdim`, `vdim` (default `embedDim`), `batchFirst` (default `false`).
 *
 * Shape: query `[L, N, E]` (`[N, L, E]` with `batchFirst`; unbatched `[L, E]`), key `[S, N, kdim]`, value
 * `[S, N, vdim]`; output `[L, N, E]`; weights `[N, L, S]` averaged over heads, else `[N, numHeads, L, S]`.
 *
 * Attributes: `in_proj_weight` `[3E, E]` (xavier-uniform) or `q_proj_weight` `[E, E]`, `k_proj_weight`
 * `[E, kdim]`, `v_proj_weight` `[E, vdim]`; `in_proj_bias` `[3E]` (zeros); `bias_k`, `bias_v` `[1, 1, E]`
 * (xavier-normal); `out_proj` a `Linear(E, E)` with zero bias.
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(8, 2);
 * const [out, weights] = mha.forward(q, k, v, { keyPaddingMask });
 * ```
 */
export class MultiheadAttention extends Module {
  /** `E`. */
  readonly embedDim: number;
  /** Features of the keys. */
  readonly kdim: number;
  /** Features of the values. */
  readonly vdim: number;
  /** Heads; divides `embedDim`. */
  readonly numHeads: number;
  /** Dropout on the attention weights. */
  readonly dropout: number;
  /** Inputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** `embedDim / numHeads`. */
  readonly headDim: number;
  /** Append a zero key and value. */
  readonly addZeroAttn: boolean;
  /** `[3E, E]`, or null with separate projections. */
  readonly in_proj_weight: Parameter | null;
  /** `[E, E]` with separate projections, else null. */
  readonly q_proj_weight: Parameter | null;
  /** `[E, kdim]` with separate projections, else null. */
  readonly k_proj_weight: Parameter | null;
  /** `[E, vdim]` with separate projections, else null. */
  readonly v_proj_weight: Parameter | null;
  /** `[3E]` or null. */
  readonly in_proj_bias: Parameter | null;
  /** `[1, 1, E]` or null. */
  readonly bias_k: Parameter | null;
  /** `[1, 1, E]` or null. */
  readonly bias_v: Parameter | null;
  /** The output projection. */
  readonly out_proj: NonDynamicallyQuantizableLinear;
  private readonly sameEmbedDim: boolean;

  /** @param args `embedDim, numHeads, dropout?, bias?, addBiasKv?, addZeroAttn?, kdim?, vdim?, batchFirst?`. */
  constructor(...args: ArgsOf<typeof MHA>) {
    super();
    const a = MHA.parse(args);
    const E = a.embedDim;
    this.embedDim = E;
    this.kdim = a.kdim ?? E;
    this.vdim = a.vdim ?? E;
    this.sameEmbedDim = this.kdim === E && this.vdim === E;
    this.numHeads = a.numHeads;
    this.dropout = a.dropout;
    this.batchFirst = a.batchFirst;
    this.headDim = Math.floor(E / a.numHeads);
    this.addZeroAttn = a.addZeroAttn;
    if (this.headDim * a.numHeads !== E) {
      throw new ValueError(`MultiheadAttention: embed_dim must be divisible by num_heads (got ${E} and ${a.numHeads})`);
    }
    // torch creates the weights empty, builds out_proj (whose Linear init draws), then draws the xavier inits
    // (_reset_parameters): the same order here, so a seed gives torch's weights.
    if (!this.sameEmbedDim) {
      this.q_proj_weight = this.createParameter('q_proj_weight', [E, E]);
      this.k_proj_weight = this.createParameter('k_proj_weight', [E, this.kdim]);
      this.v_proj_weight = this.createParameter('v_proj_weight', [E, this.vdim]);
      this.in_proj_weight = this.registerParameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = this.createParameter('in_proj_weight', [3 * E, E]);
      this.q_proj_weight = this.registerParameter('q_proj_weight', null);
      this.k_proj_weight = this.registerParameter('k_proj_weight', null);
      this.v_proj_weight = this.registerParameter('v_proj_weight', null);
    }
    this.in_proj_bias = a.bias
      ? this.createParameter('in_proj_bias', [3 * E])
      : this.registerParameter('in_proj_bias', null);
    this.out_proj = this.registerModule('out_proj', new NonDynamicallyQuantizableLinear(E, E, a.bias));
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (w) xavierUniform_(w);
    }
    if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    if (a.addBiasKv) {
      this.bias_k = this.createParameter('bias_k', [1, 1, E], (p) => xavierNormal_(p));
      this.bias_v = this.createParameter('bias_v', [1, 1, E], (p) => xavierNormal_(p));
    } else {
      this.bias_k = null;
      this.bias_v = null;
    }
  }

  /**
   * @param query `[L, N, E]` (or `[N, L, E]`, or `[L, E]`).
   * @param key `[S, N, kdim]`.
   * @param value `[S, N, vdim]`.
   * @param options `keyPaddingMask`, `needWeights` (default `true`), `attnMask`, `averageAttnWeights` (default
   *   `true`).
   * @returns `[output, weights | null]`.
   */
  override forward(
    query: tf.Tensor,
    key: tf.Tensor,
    value: tf.Tensor,
    options: MultiheadAttentionForwardOptions = {},
  ): [tf.Tensor, tf.Tensor | null] {
    const batched = query.rank === 3;
    const toTimeMajor = (t: tf.Tensor) => (this.batchFirst && batched ? tf.transpose(t, [1, 0, 2]) : t);
    const [out, w] = multiHeadAttentionForward(
      toTimeMajor(query),
      toTimeMajor(key),
      toTimeMajor(value),
      this.embedDim,
      this.numHeads,
      this.in_proj_weight,
      this.in_proj_bias,
      this.bias_k,
      this.bias_v,
      this.addZeroAttn,
      this.dropout,
      this.out_proj.weight,
      this.out_proj.bias,
      {
        training: this.training,
        keyPaddingMask: options.keyPaddingMask ?? null,
        needWeights: options.needWeights ?? true,
        attnMask: options.attnMask ?? null,
        useSeparateProjWeight: !this.sameEmbedDim,
        qProjWeight: this.q_proj_weight,
        kProjWeight: this.k_proj_weight,
        vProjWeight: this.v_proj_weight,
        averageAttnWeights: options.averageAttnWeights ?? true,
      },
    );
    return [this.batchFirst && batched ? tf.transpose(out, [1, 0, 2]) : out, w];
  }
}
