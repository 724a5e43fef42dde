/**
 * The recurrences behind `nn.RNN`, `nn.LSTM`, `nn.GRU` and their cells: one layer in one direction over a whole
 * sequence as ONE differentiable op. The input projection of every time step is one matmul before the loop; each
 * step is one fused gate matmul plus the gate arithmetic; backward through time is written by hand (per-step
 * temporaries freed as it goes) and ends with one matmul per weight for all steps together.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { defineFunction, type FunctionCtx } from '../../autograd/function';
import { hasFusedKernel } from '../../backends/fused-kernels';
import { GruKernel } from '../../backends/wasm/gru-cell';
import { LstmKernel } from '../../backends/wasm/lstm-cell';
import { packedToPadded, paddedToPacked } from '../utils/rnn';
import { dropout } from './dropout';

/** The cell of a recurrent layer: torch's `RNN_TANH`, `RNN_RELU`, `LSTM`, `GRU` modes. */
export type RnnMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Number of gate blocks stacked in `weight_ih` / `weight_hh` for a mode (i,f,g,o; r,z,n; one). */
export function gateCount(mode: RnnMode): number {
  return mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1;
}

/** One layer-direction's weights in torch's layouts. */
export interface RnnLayerWeights {
  /** `[G*H, I]`. */
  wIh: tf.Tensor;
  /** `[G*H, H_out]`. */
  wHh: tf.Tensor;
  /** `[G*H]` or null. */
  bIh: tf.Tensor | null;
  /** `[G*H]` or null. */
  bHh: tf.Tensor | null;
  /** LSTM projection `[H_out, H]` or null. */
  wHr: tf.Tensor | null;
}

/** Runs `fn` in a tidy scope that keeps the tensors of its result (an object or array that may hold nulls). */
function scoped<T extends Record<string, tf.Tensor | null> | (tf.Tensor | null)[]>(fn: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
    return Object.values(result).filter((t): t is tf.Tensor => t != null);
  });
  return result as T;
}

/**
 * Step `t` of a `[T, ...]` tensor, sliced when asked (a contiguous copy): tfjs-backend-wasm's Unpack is ~50x
 * slower than one Slice per step on these shapes, and a slice made inside a step's scope is freed with it.
 */
function stepOf(all: tf.Tensor): (t: number) => tf.Tensor {
  const rest = all.shape.slice(1);
  return (t) => tf.reshape(tf.slice(all, [t], [1]), rest);
}

/** `a @ bᵀ` (the wasm backend's `BatchMatMul` packs `b` from its transpose: no copy). */
function mmT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a, b, false, true);
}

/** `[T, B, I]` (or one step's `[B, I]`) as the `[T·B, I]` rows the projections multiply. */
function rows(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[2] as number]);
}

/** `aᵀ @ b`. */
function mTm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a, b, true, false);
}

interface LayerCtx extends FunctionCtx {
  mode: RnnMode;
  reverse: boolean;
  T: number;
  B: number;
  H: number;
  hasBih: boolean;
  hasBhh: boolean;
  hasProj: boolean;
  hasC: boolean;
  hasMask: boolean;
  /** The whole recurrence ran as one {@link LstmKernel} / {@link GruKernel} call each way. */
  fused: boolean;
}

/**
 * The LSTM recurrence as one kernel call (`LstmKernel.Forward`, the wasm backend's), when the backend has it and the
 * layer has neither a projection nor a packed-sequence mask: `[hs, cs, acts]` over all steps, then `[hN, cN]`.
 */
function fusedLstmForward(
  xp: tf.Tensor,
  h0: tf.Tensor,
  c0: tf.Tensor,
  wHh: tf.Tensor,
  bHh: tf.Tensor | null,
  reverse: boolean,
): tf.Tensor[] {
  const bhh = bHh ?? tf.zeros([wHh.shape[0] as number]);
  return tf.engine().runKernel(LstmKernel.Forward, { xp, h0, c0, wHh, bhh }, {
    reverse,
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

/**
 * The op: args `(x [T,B,I] (a cell's step: [B,I]), h0 [B,Hout], c0 [B,H] | null, wIh, wHh, bIh, bHh, wHr, mask [T,B,1] | null, mode,
 * reverse)`; outputs `[out [T,B,Hout], hN]` (+ `cN` for LSTM). `mask` marks the steps inside each sequence
 * (packed input): outside it the state passes through unchanged and the output is zero.
 */
const RnnLayer = defineFunction({
  name: 'RnnLayer',
  forward(
    c: FunctionCtx,
    x: tf.Tensor,
    h0: tf.Tensor,
    c0: tf.Tensor | null,
    wIh: tf.Tensor,
    wHh: tf.Tensor,
    bIh: tf.Tensor | null,
    bHh: tf.Tensor | null,
    wHr: tf.Tensor | null,
    mask: tf.Tensor | null,
    mode: RnnMode,
    reverse: boolean,
  ): tf.Tensor[] {
    const ctx = c as LayerCtx;
    // A cell's one step comes as [B, I]: the projection then needs no reshape either way.
    const [T, B] = (x.rank === 2 ? [1, ...x.shape] : x.shape) as [number, number, number];
    const G = gateCount(mode);
    const H = (wIh.shape[0] as number) / G;
    Object.assign(ctx, {
      mode,
      reverse,
      T,
      B,
      H,
      hasBih: bIh != null,
      hasBhh: bHh != null,
      hasProj: wHr != null,
      hasC: c0 != null,
      hasMask: mask != null,
      fused:
        mask == null &&
        T > 0 &&
        ((mode === 'LSTM' && c0 != null && wHr == null && hasFusedKernel(LstmKernel.Forward)) ||
          (mode === 'GRU' && hasFusedKernel(GruKernel.Forward))),
    });
    // Input projection of every step at once, with b_ih; b_hh goes with the hidden side, as torch adds the two
    // sides' linear maps (`(x W_ihᵀ + b_ih) + (h W_hhᵀ + b_hh)`; GRU's n needs them apart: r * (W_hn h + b_hn)).
    let xp = mmT(rows(x), wIh);
    if (bIh) xp = tf.add(xp, bIh);
    if (ctx.fused && mode === 'GRU') {
      const inputs = { xp: tf.reshape(xp, [T, B, G * H]), h0, wHh, bhh: bHh ?? tf.zeros([G * H]) };
      const attrs = { reverse } as unknown as tf.NamedAttrMap;
      const [hsAll, actsAll, hN] = tf.engine().runKernel(GruKernel.Forward, inputs, attrs) as tf.Tensor[];
      ctx.saveForBackward(x, h0, hN, wIh, wHh, hN, hN, hsAll, actsAll, hN, hN);
      return [hsAll, hN];
    }
    if (ctx.fused) {
      const [hsAll, csAll, actsAll, hN, cN] = fusedLstmForward(xp, h0, c0!, wHh, bHh, reverse);
      ctx.saveForBackward(x, h0, c0!, wIh, wHh, hN, hN, hsAll, actsAll, csAll, hN);
      return [hsAll, hN, cN];
    }
    const xs = { at: stepOf(tf.reshape(xp, [T, B, G * H])) };
    const masks = mask ? stepOf(mask) : null;
    const whhT = tf.transpose(wHh);
    const whrT = wHr ? tf.transpose(wHr) : null;
    const outs: tf.Tensor[] = new Array(T);
    const hs: tf.Tensor[] = new Array(T); // state h after step t
    const cs: tf.Tensor[] = new Array(T); // LSTM: state c after step t
    const acts: tf.Tensor[] = new Array(T); // activated gates (LSTM i,f,g,o; GRU r,z,n,W_hn h+b_hn; RNN h')
    const hcs: tf.Tensor[] = new Array(T); // LSTM with projection: o * tanh(c) before the projection
    let h = h0;
    let cc = c0;
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const step = scoped(() => {
        const hh = bHh ? tf.add(tf.matMul(h, whhT), bHh) : tf.matMul(h, whhT);
        let hNew: tf.Tensor;
        let cNew: tf.Tensor | null = null;
        let act: tf.Tensor;
        let hc: tf.Tensor | null = null;
        if (mode === 'LSTM') {
          const [gi, gf, gg, go] = tf.split(tf.add(xs.at(t), hh), 4, 1);
          const i = tf.sigmoid(gi);
          const f = tf.sigmoid(gf);
          const g = tf.tanh(gg);
          const o = tf.sigmoid(go);
          cNew = tf.add(tf.mul(f, cc as tf.Tensor), tf.mul(i, g));
          hc = tf.mul(o, tf.tanh(cNew));
          hNew = whrT ? tf.matMul(hc, whrT) : hc;
          act = tf.concat([i, f, g, o], 1);
        } else if (mode === 'GRU') {
          const [xr, xz, xn] = tf.split(xs.at(t), 3, 1);
          const [hr, hz, hn] = tf.split(hh, 3, 1);
          const r = tf.sigmoid(tf.add(xr, hr));
          const z = tf.sigmoid(tf.add(xz, hz));
          const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
          hNew = tf.add(n, tf.mul(z, tf.sub(h, n)));
          act = tf.concat([r, z, n, hn], 1);
        } else {
          const pre = tf.add(xs.at(t), hh);
          hNew = mode === 'RNN_TANH' ? tf.tanh(pre) : tf.relu(pre);
          act = hNew;
        }
        let out = hNew;
        if (masks) {
          const m = masks(t);
          out = tf.mul(hNew, m);
          hNew = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
          if (cNew) cNew = tf.add(cc as tf.Tensor, tf.mul(m, tf.sub(cNew, cc as tf.Tensor)));
        }
        return { out, hNew, cNew, act, hc: whrT ? hc : null };
      });
      outs[t] = step.out;
      hs[t] = step.hNew;
      acts[t] = step.act;
      if (step.cNew) cs[t] = step.cNew;
      if (step.hc) hcs[t] = step.hc;
      h = step.hNew;
      if (step.cNew) cc = step.cNew;
    }
    const output = tf.stack(outs);
    const hN = tf.clone(h);
    const cN = cc ? tf.clone(cc) : null;
    ctx.saveForBackward(
      x,
      h0,
      c0 ?? hN,
      wIh,
      wHh,
      wHr ?? hN,
      mask ?? hN,
      tf.stack(hs),
      tf.stack(acts),
      mode === 'LSTM' ? tf.stack(cs) : hN,
      wHr ? tf.stack(hcs) : hN,
    );
    return cN ? [output, hN, cN] : [output, hN];
  },
  backward(c: FunctionCtx, dys: tf.Tensor[]) {
    return scoped(() => layerBackward(c as LayerCtx, dys));
  },
});

/** Backpropagation through time for {@link RnnLayer}: per-step gate gradients, then one matmul per weight. */
function layerBackward(ctx: LayerCtx, dys: tf.Tensor[]): (tf.Tensor | null)[] {
  const { mode, reverse, T, B, H } = ctx;
  const [, h0, c0, , wHh, wHr, maskAll, hsAll, actsAll, csAll] = ctx.savedTensors;
  const [dOutAll, dhN, dcN] = dys;
  if (ctx.fused && mode === 'GRU') {
    const inputs = { dOut: dOutAll, dhN, acts: actsAll, hs: hsAll, h0, wHh };
    const attrs = { reverse } as unknown as tf.NamedAttrMap;
    const [dG, dGh, dh0] = tf.engine().runKernel(GruKernel.Backward, inputs, attrs) as tf.Tensor[];
    return weightGrads(ctx, tf.reshape(dG, [T * B, 3 * H]), tf.reshape(dGh, [T * B, 3 * H]), null, dh0, null);
  }
  if (ctx.fused) {
    const [dG, dh0, dc0] = tf
      .engine()
      .runKernel(LstmKernel.Backward, { dOut: dOutAll, dhN, dcN, acts: actsAll, cs: csAll, c0, wHh }, {
        reverse,
      } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return weightGrads(ctx, dG, null, null, dh0, dc0);
  }
  const hs = stepOf(hsAll);
  const acts = stepOf(actsAll);
  const cs = stepOf(csAll);
  const dOuts = stepOf(dOutAll);
  const masks = ctx.hasMask ? stepOf(maskAll) : null;
  const dGi: tf.Tensor[] = new Array(T); // gradient of the input-side gate pre-activations
  const dGh: tf.Tensor[] = new Array(T); // gradient of the hidden-side ones (GRU: differs in n)
  const dHp: tf.Tensor[] = new Array(T); // LSTM projection: gradient of the projected h
  let dh = dhN;
  let dc = mode === 'LSTM' ? dcN : null;
  const prev = (t: number) => (reverse ? (t < T - 1 ? t + 1 : -1) : t - 1);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const p = prev(t);
    const step = scoped(() => {
      const hPrev = p >= 0 ? hs(p) : h0;
      const m = masks ? masks(t) : null;
      // out[t] = m*h', state h = m*h' + (1-m)*hPrev
      let dhNew = tf.add(dh, dOuts(t));
      let dhPass: tf.Tensor | null = null;
      if (m) {
        dhNew = tf.mul(dhNew, m);
        dhPass = tf.mul(dh, tf.sub(1, m));
      }
      if (mode === 'LSTM') {
        const cPrev = p >= 0 ? cs(p) : c0;
        const [i, f, g, o] = tf.split(acts(t), 4, 1);
        let dhc = dhNew;
        let dhp: tf.Tensor | null = null;
        if (ctx.hasProj) {
          dhp = dhNew;
          dhc = tf.matMul(dhNew, wHr);
        }
        const tc = tf.tanh(cs(t));
        let dcIn = dc as tf.Tensor;
        let dcPass: tf.Tensor | null = null;
        if (m) {
          dcPass = tf.mul(dcIn, tf.sub(1, m));
          dcIn = tf.mul(dcIn, m);
        }
        const dcNew = tf.add(dcIn, tf.mul(tf.mul(dhc, o), tf.sub(1, tf.square(tc))));
        const di = tf.mul(tf.mul(dcNew, g), tf.mul(i, tf.sub(1, i)));
        const df = tf.mul(tf.mul(dcNew, cPrev), tf.mul(f, tf.sub(1, f)));
        const dg = tf.mul(tf.mul(dcNew, i), tf.sub(1, tf.square(g)));
        const dO = tf.mul(tf.mul(dhc, tc), tf.mul(o, tf.sub(1, o)));
        const dG = tf.concat([di, df, dg, dO], 1);
        let dhPrev = tf.matMul(dG, wHh);
        if (dhPass) dhPrev = tf.add(dhPrev, dhPass);
        let dcPrev = tf.mul(dcNew, f);
        if (dcPass) dcPrev = tf.add(dcPrev, dcPass);
        return { dG, dGh: null, dhPrev, dcPrev, dhp };
      }
      if (mode === 'GRU') {
        const [r, z, n, hn] = tf.split(acts(t), 4, 1);
        const dn = tf.mul(tf.mul(dhNew, tf.sub(1, z)), tf.sub(1, tf.square(n)));
        const dz = tf.mul(tf.mul(dhNew, tf.sub(hPrev, n)), tf.mul(z, tf.sub(1, z)));
        const dr = tf.mul(tf.mul(dn, hn), tf.mul(r, tf.sub(1, r)));
        const dG = tf.concat([dr, dz, dn], 1);
        const dGhT = tf.concat([dr, dz, tf.mul(dn, r)], 1);
        let dhPrev = tf.add(tf.matMul(dGhT, wHh), tf.mul(dhNew, z));
        if (dhPass) dhPrev = tf.add(dhPrev, dhPass);
        return { dG, dGh: dGhT, dhPrev, dcPrev: null, dhp: null };
      }
      const hNew = acts(t);
      const dG =
        mode === 'RNN_TANH'
          ? tf.mul(dhNew, tf.sub(1, tf.square(hNew)))
          : tf.mul(dhNew, tf.cast(tf.greater(hNew, 0), 'float32'));
      let dhPrev = tf.matMul(dG, wHh);
      if (dhPass) dhPrev = tf.add(dhPrev, dhPass);
      return { dG, dGh: null, dhPrev, dcPrev: null, dhp: null };
    });
    dGi[t] = step.dG;
    if (step.dGh) dGh[t] = step.dGh;
    if (step.dhp) dHp[t] = step.dhp;
    if (dh !== dhN) dh.dispose();
    dh = step.dhPrev;
    if (step.dcPrev) {
      if (dc && dc !== dcN) dc.dispose();
      dc = step.dcPrev;
    }
  }
  const G = gateCount(mode);
  const dGiAll = tf.reshape(tf.stack(dGi), [T * B, G * H]);
  const dGhAll = mode === 'GRU' ? tf.reshape(tf.stack(dGh), [T * B, G * H]) : null;
  return weightGrads(ctx, dGiAll, dGhAll, ctx.hasProj ? tf.stack(dHp) : null, dh, dc);
}

/**
 * The gradients of {@link RnnLayer}'s arguments from the gate gradients of every step (`dGiAll` `[T*B, G*H]`;
 * `dGhAll` the hidden side's where it differs, GRU), the projection's (`dHpAll` `[T, B, H_out]`) and the initial
 * states': one matmul per weight over all steps.
 */
function weightGrads(
  ctx: LayerCtx,
  dGiAll: tf.Tensor,
  dGhIn: tf.Tensor | null,
  dHpAll: tf.Tensor | null,
  dh: tf.Tensor,
  dc: tf.Tensor | null,
): (tf.Tensor | null)[] {
  const { reverse, T, B, H } = ctx;
  const [x, h0, , wIh, , wHr, , hsAll, , , hcsAll] = ctx.savedTensors;
  const dGhAll = dGhIn ?? dGiAll;
  const need = ctx.needsInputGrad;
  // Previous states of every step, in step order: h0 then the states of all but the last step processed.
  const hPrevAll = () => {
    if (T === 1) return h0;
    const first = tf.expandDims(h0, 0);
    const steps = reverse
      ? tf.concat([tf.slice(hsAll, [1], [T - 1]), first])
      : tf.concat([first, tf.slice(hsAll, [0], [T - 1])]);
    return tf.reshape(steps, [T * B, h0.shape[1] as number]);
  };
  // The biases' gradients are the gates' summed over steps and batch: one sum serves both where the sides agree.
  const dbIh = need[5] ? tf.sum(dGiAll, 0) : null;
  const dbHh = need[6] ? (dGhIn == null && dbIh ? tf.clone(dbIh) : tf.sum(dGhAll, 0)) : null;
  return [
    need[0] ? tf.reshape(tf.matMul(dGiAll, wIh), x.shape) : null,
    need[1] ? dh : null,
    need[2] && dc ? dc : null,
    need[3] ? mTm(dGiAll, rows(x)) : null,
    need[4] ? mTm(dGhAll, hPrevAll()) : null,
    need[5] ? dbIh : null,
    need[6] ? dbHh : null,
    need[7] && dHpAll ? mTm(tf.reshape(dHpAll, [T * B, wHr.shape[0] as number]), tf.reshape(hcsAll, [T * B, H])) : null,
    null,
    null,
    null,
  ];
}

/**
 * Runs one recurrent layer in one direction over a time-major sequence (the building block of `nn.RNN`,
 * `nn.LSTM`, `nn.GRU` and the cells), as one differentiable op.
 *
 * @param mode `'RNN_TANH'`, `'RNN_RELU'`, `'LSTM'` or `'GRU'`.
 * @param x `[T, B, I]`, or one step's `[B, I]` (a cell's: `T = 1`).
 * @param h0 `[B, H_out]`.
 * @param c0 `[B, H]` for LSTM, else null.
 * @param w the layer-direction's weights.
 * @param mask `[T, B, 1]` of 0/1 marking the steps inside each sequence, or null (all inside).
 * @param reverse run from the last step to the first.
 * @returns `[output [T, B, H_out], hN]`, plus `cN` for LSTM.
 * @example
 * ```ts
 * const [out, hN, cN] = rnnLayer('LSTM', x, h0, c0, { wIh, wHh, bIh, bHh, wHr: null }, null, false);
 * ```
 */
export function rnnLayer(
  mode: RnnMode,
  x: tf.Tensor,
  h0: tf.Tensor,
  c0: tf.Tensor | null,
  w: RnnLayerWeights,
  mask: tf.Tensor | null,
  reverse: boolean,
): tf.Tensor[] {
  return RnnLayer(x, h0, c0, w.wIh, w.wHh, w.bIh, w.bHh, w.wHr, mask, mode, reverse);
}

/** Options of {@link rnnStack}. */
export interface RnnStackOptions {
  /** Stacked layers. */
  numLayers: number;
  /** Run each layer in both directions. */
  bidirectional: boolean;
  /** Dropout probability on the outputs of every layer but the last (train mode only). */
  dropout: number;
  /** Train mode. */
  training: boolean;
  /** `[T, B, 1]` 0/1 steps inside each sequence (packed input), or null. */
  mask: tf.Tensor | null;
  /** Packed input's batch sizes (dropout then draws its mask over the packed steps, as torch), or null. */
  batchSizes: number[] | null;
}

/**
 * A multi-layer, optionally bidirectional recurrence over a time-major sequence: torch's `_VF.lstm` /
 * `_VF.gru` / `_VF.rnn_tanh` / `_VF.rnn_relu` on CPU. Layer `l`'s direction `d` uses `weights[l * D + d]`
 * and `h0[l * D + d]`.
 *
 * @param mode the cell.
 * @param x `[T, B, I]`.
 * @param h0 `[L * D, B, H_out]`.
 * @param c0 `[L * D, B, H]` for LSTM, else null.
 * @param weights one entry per layer and direction.
 * @param opts layers, directions, dropout, mask.
 * @returns `[output [T, B, D * H_out], hN [L * D, B, H_out], cN | null]`.
 * @example
 * ```ts
 * const [out, hN, cN] = rnnStack('LSTM', x, h0, c0, weights, { numLayers: 2, bidirectional: false,
 *   dropout: 0, training: false, mask: null, batchSizes: null });
 * ```
 */
export function rnnStack(
  mode: RnnMode,
  x: tf.Tensor,
  h0: tf.Tensor,
  c0: tf.Tensor | null,
  weights: RnnLayerWeights[],
  opts: RnnStackOptions,
): [tf.Tensor, tf.Tensor, tf.Tensor | null] {
  const D = opts.bidirectional ? 2 : 1;
  // Slices, not unstack: tfjs's Unpack gradient fails when one of its outputs gets no gradient.
  const layerState = (t: tf.Tensor, k: number) => tf.reshape(tf.slice(t, [k], [1]), t.shape.slice(1));
  const h0s = weights.map((_, k) => layerState(h0, k));
  const c0s = c0 ? weights.map((_, k) => layerState(c0, k)) : null;
  const hNs: tf.Tensor[] = [];
  const cNs: tf.Tensor[] = [];
  let layerInput = x;
  for (let l = 0; l < opts.numLayers; l++) {
    const outs: tf.Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const [out, hN, cN] = rnnLayer(mode, layerInput, h0s[k], c0s ? c0s[k] : null, weights[k], opts.mask, d === 1);
      outs.push(out);
      hNs.push(hN);
      if (cN) cNs.push(cN);
    }
    layerInput = D === 1 ? outs[0] : tf.concat(outs, 2);
    if (opts.dropout > 0 && opts.training && l < opts.numLayers - 1) {
      layerInput = dropLayerOutput(layerInput, opts);
    }
  }
  return [layerInput, tf.stack(hNs), c0 ? tf.stack(cNs) : null];
}

/** torch's dropout between layers: over the packed steps for packed input (the mask torch draws), else all. */
function dropLayerOutput(y: tf.Tensor, opts: RnnStackOptions): tf.Tensor {
  if (!opts.batchSizes) return dropout(y, opts.dropout, true);
  const bs = opts.batchSizes;
  return packedToPadded(dropout(paddedToPacked(y, bs), opts.dropout, true), bs, y.shape[0]);
}
