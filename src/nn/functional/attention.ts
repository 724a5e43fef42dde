import * as tf from '@tensorflow/tfjs-core';

import { checkTensors } from '../../args';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { pyTuple } from '../../repr';
import { dropout } from './dropout';
import { linear } from './linear';

/** Options of {@link multiHeadAttentionForward} (torch's keyword arguments). */
export interface MultiHeadAttentionOptions {
  /** Apply dropout on the attention weights. Default: `true`. */
  training?: boolean;
  /** `[N, S]` (unbatched `[S]`): `true` (or a float added) marks keys to ignore. Default: none. */
  keyPaddingMask?: tf.Tensor | null;
  /** Return the attention weights. Default: `true`. */
  needWeights?: boolean;
  /** `[L, S]` or `[N * numHeads, L, S]`: bool (`true` = may not attend) or float (added). Default: none. */
  attnMask?: tf.Tensor | null;
  /** Use `qProjWeight`, `kProjWeight`, `vProjWeight` instead of `inProjWeight`. Default: `false`. */
  useSeparateProjWeight?: boolean;
  /** `[E, E]`. */
  qProjWeight?: tf.Tensor | null;
  /** `[E, kdim]`. */
  kProjWeight?: tf.Tensor | null;
  /** `[E, vdim]`. */
  vProjWeight?: tf.Tensor | null;
  /** Average the returned weights over heads. Default: `true`. */
  averageAttnWeights?: boolean;
}

const where = 'multi_head_attention_forward';

/**
 * Multi-head attention over time-major inputs (torch's `F.multi_head_attention_forward`), the computation of
 * `nn.MultiheadAttention`: projections, scaled dot products per head with masks, softmax, dropout, output
 * projection. Returns `[output, weights | null]`.
 *
 * Mirrors [torch.nn.functional.multi_head_attention_forward](https://github.com/pytorch/pytorch/blob/v1.13.0/torch/nn/functional.py#L4882).
 *
 * Shape: query `[L, N, E]` (unbatched `[L, E]`), key `[S, N, kdim]`, value `[S, N, vdim]`; output `[L, N, E]`;
 * weights `[N, L, S]` (or `[N, numHeads, L, S]` without averaging).
 * @param query queries.
 * @param key keys.
 * @param value values.
 * @param embedDimToCheck `E`.
 * @param numHeads heads; must divide `E`.
 * @param inProjWeight `[3E, E]` or null (separate weights).
 * @param inProjBias `[3E]` or null.
 * @param biasK `[1, 1, E]` appended to the keys, or null.
 * @param biasV `[1, 1, E]` appended to the values, or null.
 * @param addZeroAttn append a zero key and value.
 * @param dropoutP dropout on the attention weights.
 * @param outProjWeight `[E, E]`.
 * @param outProjBias `[E]` or null.
 * @param options masks, `needWeights`, separate projection weights.
 * @example
 * ```ts
 * const [out, w] = F.multiHeadAttentionForward(q, k, v, 8, 2, inW, inB, null, null, false, 0, outW, outB);
 * ```
 */
export function multiHeadAttentionForward(
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: tf.Tensor | null,
  inProjBias: tf.Tensor | null,
  biasK: tf.Tensor | null,
  biasV: tf.Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: tf.Tensor,
  outProjBias: tf.Tensor | null,
  options: MultiHeadAttentionOptions = {},
): [tf.Tensor, tf.Tensor | null] {
  checkTensors('F.multiHeadAttentionForward', { query, key, value, outProjWeight });
  const { training = true, needWeights = true, useSeparateProjWeight = false, averageAttnWeights = true } = options;
  let keyPaddingMask = options.keyPaddingMask ?? null;
  const attnMask = options.attnMask ?? null;
  const batched = checkShapes(query, key, value, keyPaddingMask, attnMask, numHeads);
  const result = tf.tidy(() => {
    let q3 = query;
    let k3 = key;
    let v3 = value;
    if (!batched) {
      q3 = tf.expandDims(query, 1);
      k3 = tf.expandDims(key, 1);
      v3 = tf.expandDims(value, 1);
      if (keyPaddingMask) keyPaddingMask = tf.expandDims(keyPaddingMask, 0);
    }
    const [L, N, E] = q3.shape as [number, number, number];
    if (E !== embedDimToCheck) {
      throw new ShapeError(`${where}: was expecting embedding dimension of ${embedDimToCheck}, but got ${E}`);
    }
    const hd = Math.floor(E / numHeads);
    if (hd * numHeads !== E) throw new ValueError(`${where}: embed_dim ${E} not divisible by num_heads ${numHeads}`);
    if (useSeparateProjWeight) {
      if (k3.shape.slice(0, 2).join() !== v3.shape.slice(0, 2).join()) {
        throw new ShapeError(
          `${where}: key's sequence and batch dims ${formatShape(k3.shape.slice(0, 2))} do not match value's ${formatShape(v3.shape.slice(0, 2))}`,
        );
      }
    } else if (k3.shape.join() !== v3.shape.join()) {
      throw new ShapeError(
        `${where}: key shape ${formatShape(k3.shape)} does not match value shape ${formatShape(v3.shape)}`,
      );
    }
    const chunk = (t: tf.Tensor, i: number) => tf.slice(t, [i * E], [E]);
    let wq: tf.Tensor;
    let wk: tf.Tensor;
    let wv: tf.Tensor;
    if (useSeparateProjWeight) {
      if (!options.qProjWeight || !options.kProjWeight || !options.vProjWeight) {
        throw new ValueError(`${where}: use_separate_proj_weight is True but q/k/v_proj_weight is None`);
      }
      wq = options.qProjWeight;
      wk = options.kProjWeight;
      wv = options.vProjWeight;
    } else {
      if (!inProjWeight) throw new ValueError(`${where}: use_separate_proj_weight is False but in_proj_weight is None`);
      wq = chunk(inProjWeight, 0);
      wk = chunk(inProjWeight, 1);
      wv = chunk(inProjWeight, 2);
    }
    const bq = inProjBias ? chunk(inProjBias, 0) : null;
    const bk = inProjBias ? chunk(inProjBias, 1) : null;
    const bv = inProjBias ? chunk(inProjBias, 2) : null;
    const q = linear(q3, wq, bq);
    let k = linear(k3, wk, bk);
    let v = linear(v3, wv, bv);
    // Masks keep their dtype until combined as torch combines them; bool `true` means -inf.
    let mask: tf.Tensor | null = null; // [1 or N*H, L, S]
    if (attnMask) {
      if (attnMask.dtype !== 'bool' && attnMask.dtype !== 'float32') {
        throw new ShapeError(
          `${where}: Only float, byte, and bool types are supported for attn_mask, not ${attnMask.dtype}`,
        );
      }
      const S0 = k3.shape[0] as number;
      if (attnMask.rank === 2) {
        if (attnMask.shape.join() !== [L, S0].join()) {
          throw new ShapeError(
            `${where}: The shape of the 2D attn_mask is ${formatShape(attnMask.shape)}, but should be ${pyTuple([L, S0])}.`,
          );
        }
        mask = tf.expandDims(attnMask, 0);
      } else if (attnMask.rank === 3) {
        if (attnMask.shape.join() !== [N * numHeads, L, S0].join()) {
          throw new ShapeError(
            `${where}: The shape of the 3D attn_mask is ${formatShape(attnMask.shape)}, but should be ${pyTuple([N * numHeads, L, S0])}.`,
          );
        }
        mask = attnMask;
      } else {
        throw new ShapeError(`${where}: attn_mask's dimension ${attnMask.rank} is not supported`);
      }
    }
    let kpm = keyPaddingMask;
    if (kpm && kpm.dtype !== 'bool' && kpm.dtype !== 'float32') {
      throw new ShapeError(
        `${where}: only bool and floating types of key_padding_mask are supported, got ${kpm.dtype}`,
      );
    }
    const padLast = (t: tf.Tensor) => tf.concat([t, tf.zeros([...t.shape.slice(0, -1), 1], t.dtype)], t.rank - 1);
    if (biasK && biasV) {
      k = tf.concat([k, tf.tile(biasK, [1, N, 1])]);
      v = tf.concat([v, tf.tile(biasV, [1, N, 1])]);
      if (mask) mask = padLast(mask);
      if (kpm) kpm = padLast(kpm);
    }
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [t.shape[0] as number, N * numHeads, hd]), [1, 0, 2]);
    const qh = heads(q);
    let kh = heads(k);
    let vh = heads(v);
    if (addZeroAttn) {
      kh = tf.concat([kh, tf.zeros([N * numHeads, 1, hd])], 1);
      vh = tf.concat([vh, tf.zeros([N * numHeads, 1, hd])], 1);
      if (mask) mask = padLast(mask);
      if (kpm) kpm = padLast(kpm);
    }
    const S = kh.shape[1] as number;
    if (kpm) {
      if (kpm.shape.join() !== [N, S].join()) {
        throw new ShapeError(
          `${where}: expecting key_padding_mask shape of ${pyTuple([N, S])}, but got ${formatShape(kpm.shape)}`,
        );
      }
      const perHead = tf.reshape(tf.tile(tf.reshape(kpm, [N, 1, 1, S]), [1, numHeads, 1, 1]), [N * numHeads, 1, S]);
      if (!mask) mask = perHead;
      else if (mask.dtype === 'bool') {
        // torch: attn_mask.logical_or(key_padding_mask): a float padding mask counts where it is non-zero.
        mask = tf.logicalOr(mask, perHead.dtype === 'bool' ? perHead : tf.notEqual(perHead, 0));
      } else if (perHead.dtype === 'bool') {
        mask = tf.where(tf.broadcastTo(perHead, [N * numHeads, L, S]), tf.fill([N * numHeads, L, S], -Infinity), mask);
      } else {
        throw new ShapeError(
          `${where}: a float key_padding_mask cannot be combined with a float attn_mask (torch's masked_fill needs a bool mask)`,
        );
      }
    }
    if (mask?.dtype === 'bool') mask = tf.where(mask, tf.fill(mask.shape, -Infinity), tf.zeros(mask.shape));
    let scores = tf.matMul(tf.div(qh, Math.sqrt(hd)), tf.transpose(kh, [0, 2, 1]));
    if (mask) scores = tf.add(scores, mask);
    let weights = tf.softmax(scores);
    if (dropoutP > 0 && training) weights = dropout(weights, dropoutP, true);
    const attn = tf.matMul(weights, vh); // [N*H, L, hd]
    const merged = tf.reshape(tf.transpose(attn, [1, 0, 2]), [L * N, E]);
    let out = tf.reshape(linear(merged, outProjWeight, outProjBias), [L, N, E]);
    let w: tf.Tensor | null = null;
    if (needWeights) {
      w = tf.reshape(weights, [N, numHeads, L, S]);
      if (averageAttnWeights) w = tf.div(tf.sum(w, 1), numHeads);
      if (!batched) w = tf.squeeze(w, [0]);
    }
    if (!batched) out = tf.squeeze(out, [1]);
    return w ? [out, w] : [out];
  });
  return [result[0] as tf.Tensor, result[1] ?? null];
}

/** torch's `_mha_shape_check`: ranks of query/key/value and masks; returns whether the input is batched. */
function checkShapes(
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  keyPaddingMask: tf.Tensor | null,
  attnMask: tf.Tensor | null,
  numHeads: number,
): boolean {
  const shapes = () =>
    `(query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)})`;
  if (query.rank === 3) {
    if (key.rank !== 3 || value.rank !== 3) {
      throw new ShapeError(
        `${where}: For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.rank}-D and ${value.rank}-D tensors respectively ${shapes()}`,
      );
    }
    if (keyPaddingMask && keyPaddingMask.rank !== 2) {
      throw new ShapeError(
        `${where}: For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${keyPaddingMask.rank}-D tensor of shape ${formatShape(keyPaddingMask.shape)} instead`,
      );
    }
    if (attnMask && attnMask.rank !== 2 && attnMask.rank !== 3) {
      throw new ShapeError(
        `${where}: For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.rank}-D tensor of shape ${formatShape(attnMask.shape)} instead`,
      );
    }
    return true;
  }
  if (query.rank === 2) {
    if (key.rank !== 2 || value.rank !== 2) {
      throw new ShapeError(
        `${where}: For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.rank}-D and ${value.rank}-D tensors respectively ${shapes()}`,
      );
    }
    if (keyPaddingMask && keyPaddingMask.rank !== 1) {
      throw new ShapeError(
        `${where}: For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${keyPaddingMask.rank}-D tensor of shape ${formatShape(keyPaddingMask.shape)} instead`,
      );
    }
    if (attnMask) {
      if (attnMask.rank !== 2 && attnMask.rank !== 3) {
        throw new ShapeError(
          `${where}: For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.rank}-D tensor of shape ${formatShape(attnMask.shape)} instead`,
        );
      }
      if (attnMask.rank === 3) {
        const want = [numHeads, query.shape[0], key.shape[0]];
        if (attnMask.shape.join() !== want.join()) {
          throw new ShapeError(
            `${where}: Expected \`attn_mask\` shape to be ${pyTuple(want as number[])} but got ${formatShape(attnMask.shape)}`,
          );
        }
      }
    }
    return false;
  }
  throw new ShapeError(
    `${where}: query should be unbatched 2D or batched 3D tensor but received ${query.rank}-D query tensor of shape ${formatShape(query.shape)}`,
  );
}
