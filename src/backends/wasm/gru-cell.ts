/**
 * The GRU recurrence of one layer in one direction as two wasm kernels, forward and backward through time, each ONE
 * kernel call for the whole sequence (as `lstm-cell.ts` does for the LSTM): per step the hidden-side gate GEMM on the
 * library's GEMM (`W_hh` packed once per call, `StepMatMul`), then torch's GRU cell (`r, z, n` with `n = tanh(x_n + r * (W_hn h + b_hn))`) in one JS loop over
 * the heap that reads and writes the step's rows in place, where the composed path runs ~20 tfjs kernels per step
 * forward and ~25 backward. The arithmetic is the composed path's (`src/nn/functional/rnn.ts`), operation by
 * operation in float32 (`Math.fround` after each one), so the kernels agree with the `cpu` backend's kernels up to the
 * GEMM's summation order.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';
import { StepMatMul, checkShape, prevStep, sigmoidF32 } from './recurrence';

/** Kernel names (namespaced: they are not tfjs's). Core-safe: the functional op checks for them by name. */
export const GruKernel = {
  /**
   * `{xp [T, B, 3H], h0 [B, H], wHh [3H, H], bhh [3H]}`, attrs `{reverse}` → `[hs [T, B, H], acts [T, B, 4H], hN]`:
   * `xp` is the input projection of every step with `b_ih` added (`bhh` zeros when the layer has no bias); `hs` the
   * state after each step, `acts` the gates `r, z, n` and `W_hn h + b_hn`, each in the step's own slot (`reverse`
   * fills `T-1` first); `hN` a copy of the last step's state.
   */
  Forward: 'TfjsTorchGruForward',
  /**
   * `{dOut [T, B, H], dhN [B, H], acts, hs, h0, wHh [3H, H]}`, attrs `{reverse}` → `[dG, dGh [T, B, 3H], dh0]`: the
   * gradients of every step's input-side gate pre-activations and of the hidden side's (`n`'s is `dn * r` there).
   */
  Backward: 'TfjsTorchGruBackward',
} as const;

type Args<I> = { inputs: I; attrs: { reverse: boolean }; backend: unknown };

const fr = Math.fround;

const sigmoid = sigmoidF32;

/** {@link GruKernel.Forward} on the wasm backend. */
export function gruForwardWasm(
  args: Args<{ xp: tf.TensorInfo; h0: tf.TensorInfo; wHh: tf.TensorInfo; bhh: tf.TensorInfo }>,
): tf.TensorInfo[] {
  const kernel = GruKernel.Forward;
  const {
    inputs: { xp, h0, wHh, bhh },
    attrs: { reverse },
    backend,
  } = args;
  if (xp.shape.length !== 3 || xp.shape[2] % 3 !== 0) {
    throw new BackendError(`${kernel}: expected xp of shape [T, B, 3H], got ${formatShape(xp.shape)}`);
  }
  const [T, B, H3] = xp.shape;
  const H = H3 / 3;
  checkShape(kernel, 'h0', h0, [B, H]);
  checkShape(kernel, 'wHh', wHh, [H3, H]);
  checkShape(kernel, 'bhh', bhh, [H3]);
  const heap = new WasmHeap(backend, kernel);
  const hs = heap.alloc([T, B, H]);
  const acts = heap.alloc([T, B, 4 * H]);
  const n = B * H;
  const gh = heap.alloc([B, H3]);
  const hidden = new StepMatMul(heap, backend, wHh, H, H3, true, B);
  const hsPtr = heap.ptr(hs);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    hidden.run(p < 0 ? heap.ptr(h0) : hsPtr + 4 * p * n, gh);
    // Views after the step's product (without the library's GEMM it allocates, which may detach older views).
    const xv = heap.f32(xp);
    const ghv = heap.f32(gh);
    const bv = heap.f32(bhh);
    const hv = heap.f32(hs);
    const av = heap.f32(acts);
    const hPrev = p < 0 ? heap.f32(h0) : hv.subarray(p * n, (p + 1) * n);
    for (let b = 0; b < B; b++) {
      const g0 = b * H3; // row of gh
      const x0 = t * B * H3 + g0; // row of xp
      const a0 = (t * B + b) * 4 * H; // row of acts
      const s0 = t * n + b * H; // row of hs
      for (let j = 0; j < H; j++) {
        const hr = fr(ghv[g0 + j] + bv[j]);
        const hz = fr(ghv[g0 + H + j] + bv[H + j]);
        const hn = fr(ghv[g0 + 2 * H + j] + bv[2 * H + j]);
        const r = sigmoid(fr(xv[x0 + j] + hr));
        const z = sigmoid(fr(xv[x0 + H + j] + hz));
        const nn = fr(Math.tanh(fr(xv[x0 + 2 * H + j] + fr(r * hn))));
        const h = hPrev[b * H + j];
        av[a0 + j] = r;
        av[a0 + H + j] = z;
        av[a0 + 2 * H + j] = nn;
        av[a0 + 3 * H + j] = hn;
        hv[s0 + j] = nn + fr(z * fr(h - nn));
      }
    }
  }
  hidden.free();
  heap.free(gh);
  return [hs, acts, heap.copyRange(hs, (reverse ? 0 : T - 1) * n, [B, H])];
}

/** {@link GruKernel.Backward} on the wasm backend. */
export function gruBackwardWasm(
  args: Args<{
    dOut: tf.TensorInfo;
    dhN: tf.TensorInfo;
    acts: tf.TensorInfo;
    hs: tf.TensorInfo;
    h0: tf.TensorInfo;
    wHh: tf.TensorInfo;
  }>,
): tf.TensorInfo[] {
  const kernel = GruKernel.Backward;
  const {
    inputs: { dOut, dhN, acts, hs, h0, wHh },
    attrs: { reverse },
    backend,
  } = args;
  if (acts.shape.length !== 3 || acts.shape[2] % 4 !== 0) {
    throw new BackendError(`${kernel}: expected acts of shape [T, B, 4H], got ${formatShape(acts.shape)}`);
  }
  const [T, B, H4] = acts.shape;
  const H = H4 / 4;
  const H3 = 3 * H;
  for (const [what, t, shape] of [
    ['dOut', dOut, [T, B, H]],
    ['hs', hs, [T, B, H]],
    ['dhN', dhN, [B, H]],
    ['h0', h0, [B, H]],
    ['wHh', wHh, [H3, H]],
  ] as const) {
    checkShape(kernel, what, t, [...shape]);
  }
  const heap = new WasmHeap(backend, kernel);
  const n = B * H;
  const dG = heap.alloc([T, B, H3]);
  const dGh = heap.alloc([T, B, H3]);
  // The hidden state's gradient: dhN, then one buffer that each step's product overwrites after its gates read it.
  const dhBuffer = heap.alloc([B, H]);
  const hidden = new StepMatMul(heap, backend, wHh, H3, H, false, B);
  const dGhPtr = heap.ptr(dGh);
  let dh = dhN;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    const dOutV = heap.f32(dOut);
    const dhV = heap.f32(dh);
    const av = heap.f32(acts);
    const dGv = heap.f32(dG);
    const dGhv = heap.f32(dGh);
    const hPrev = p < 0 ? heap.f32(h0) : heap.f32(hs);
    const hPrevOff = p < 0 ? 0 : p * n;
    // dh of the previous state, outside the GEMM: dhNew * z (added to dGh_t · W_hh below)
    const direct = new Float32Array(n);
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * H3; // row of dG and dGh
      const a0 = (t * B + b) * 4 * H; // row of acts
      const s0 = t * n + b * H; // row of dOut
      for (let j = 0; j < H; j++) {
        const k = b * H + j;
        const r = av[a0 + j];
        const z = av[a0 + H + j];
        const nn = av[a0 + 2 * H + j];
        const hn = av[a0 + 3 * H + j];
        const dhNew = fr(dhV[k] + dOutV[s0 + j]);
        const dn = fr(fr(dhNew * fr(1 - z)) * fr(1 - fr(nn * nn)));
        const dz = fr(fr(dhNew * fr(hPrev[hPrevOff + k] - nn)) * fr(z * fr(1 - z)));
        const dr = fr(fr(dn * hn) * fr(r * fr(1 - r)));
        dGv[g0 + j] = dGhv[g0 + j] = dr;
        dGv[g0 + H + j] = dGhv[g0 + H + j] = dz;
        dGv[g0 + 2 * H + j] = dn;
        dGhv[g0 + 2 * H + j] = fr(dn * r);
        direct[k] = dhNew * z;
      }
    }
    hidden.run(dGhPtr + 4 * t * B * H3, dhBuffer);
    const dhPrevV = heap.f32(dhBuffer);
    for (let k = 0; k < n; k++) dhPrevV[k] += direct[k];
    dh = dhBuffer;
  }
  hidden.free();
  const dh0 = dh === dhN ? heap.copyRange(dhN, 0, [B, H]) : dh;
  if (dh0 !== dhBuffer) heap.free(dhBuffer);
  return [dG, dGh, dh0];
}
