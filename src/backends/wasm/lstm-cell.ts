/**
 * The LSTM recurrence of one layer in one direction as two wasm kernels, forward and backward through time, each ONE
 * kernel call for the whole sequence instead of ~15 (forward) and ~30 (backward) tfjs kernels per time step. Each
 * step runs the hidden-side gate matmul on the backend's XNNPACK GEMM and the gate arithmetic (sigmoid, tanh, the
 * cell update and their derivatives) in one loop over the heap that reads the step's rows in place, where the
 * composed path slices them out (tfjs-backend-wasm's `Slice` copies its whole input first) and splits, concatenates
 * and re-stacks them.
 *
 * The arithmetic is the composed path's (`src/nn/functional/rnn.ts`), operation by operation in float32
 * (`Math.fround` after each one), so the kernels agree with the `cpu` backend's kernels up to the GEMM's summation
 * order.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BackendError, formatShape } from '../../errors';
import { WasmHeap } from './internals';

/** Kernel names (namespaced: they are not tfjs's). Core-safe: the functional op checks for them by name. */
export const LstmKernel = {
  /**
   * `{xp [T, B, 4H], h0 [B, H], c0 [B, H], whhT [H, 4H]}`, attrs `{reverse}` → `[hs, cs [T, B, H], acts [T, B, 4H]]`:
   * `xp` is the input projection of every step with both biases added; `hs`/`cs` are the states after each step and
   * `acts` the activated gates `i, f, g, o` (torch's order), each in the step's own slot (`reverse` fills `T-1`
   * first).
   */
  Forward: 'TfjsTorchLstmForward',
  /**
   * `{dOut, dhN, dcN, acts, cs, c0, wHh [4H, H]}` (shapes as {@link LstmKernel.Forward}'s), attrs `{reverse}` →
   * `[dG [T, B, 4H], dh0, dc0]`: the gradients of every step's gate pre-activations and of the initial states.
   */
  Backward: 'TfjsTorchLstmBackward',
} as const;

type Args<I, A> = { inputs: I; attrs: A; backend: unknown };

const fr = Math.fround;

function sigmoid(x: number): number {
  return fr(1 / (1 + Math.exp(-x)));
}

function checkShape(kernel: string, what: string, t: tf.TensorInfo, expected: number[]): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new BackendError(
      `${kernel}: expected ${what} of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`,
    );
  }
}

/** The step processed before step `t` (the previous one in time, or the next when `reverse`), or -1 for the first. */
function prevStep(t: number, T: number, reverse: boolean): number {
  return reverse ? (t < T - 1 ? t + 1 : -1) : t - 1;
}

/** {@link LstmKernel.Forward} on the wasm backend. */
export function lstmForwardWasm(
  args: Args<{ xp: tf.TensorInfo; h0: tf.TensorInfo; c0: tf.TensorInfo; whhT: tf.TensorInfo }, { reverse: boolean }>,
): tf.TensorInfo[] {
  const kernel = LstmKernel.Forward;
  const {
    inputs: { xp, h0, c0, whhT },
    attrs: { reverse },
    backend,
  } = args;
  if (xp.shape.length !== 3 || xp.shape[2] % 4 !== 0) {
    throw new BackendError(`${kernel}: expected xp of shape [T, B, 4H], got ${formatShape(xp.shape)}`);
  }
  const [T, B, H4] = xp.shape;
  const H = H4 / 4;
  checkShape(kernel, 'h0', h0, [B, H]);
  checkShape(kernel, 'c0', c0, [B, H]);
  checkShape(kernel, 'whhT', whhT, [H, H4]);
  const heap = new WasmHeap(backend, kernel);
  const hs = heap.alloc([T, B, H]);
  const cs = heap.alloc([T, B, H]);
  const acts = heap.alloc([T, B, H4]);
  const n = B * H;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    const hPrev = p < 0 ? h0 : heap.copyRange(hs, p * n, [B, H]);
    const gh = heap.matMul(hPrev, whhT, B, H, H4);
    // Views after the step's allocations (an allocation may grow the memory and detach older views).
    const xv = heap.f32(xp);
    const ghv = heap.f32(gh);
    const hv = heap.f32(hs);
    const cv = heap.f32(cs);
    const av = heap.f32(acts);
    const cPrev = p < 0 ? heap.f32(c0) : cv;
    const cPrevOff = p < 0 ? 0 : p * n;
    for (let b = 0; b < B; b++) {
      const g0 = b * H4; // row of gh
      const x0 = t * B * H4 + g0; // row of xp and acts
      const s0 = t * n + b * H; // row of hs and cs
      const cp0 = cPrevOff + b * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(fr(xv[x0 + j] + ghv[g0 + j]));
        const f = sigmoid(fr(xv[x0 + H + j] + ghv[g0 + H + j]));
        const g = fr(Math.tanh(fr(xv[x0 + 2 * H + j] + ghv[g0 + 2 * H + j])));
        const o = sigmoid(fr(xv[x0 + 3 * H + j] + ghv[g0 + 3 * H + j]));
        const c = fr(fr(f * cPrev[cp0 + j]) + fr(i * g));
        av[x0 + j] = i;
        av[x0 + H + j] = f;
        av[x0 + 2 * H + j] = g;
        av[x0 + 3 * H + j] = o;
        cv[s0 + j] = c;
        hv[s0 + j] = o * fr(Math.tanh(c));
      }
    }
    heap.free(gh);
    if (p >= 0) heap.free(hPrev);
  }
  return [hs, cs, acts];
}

/** {@link LstmKernel.Backward} on the wasm backend. */
export function lstmBackwardWasm(
  args: Args<
    {
      dOut: tf.TensorInfo;
      dhN: tf.TensorInfo;
      dcN: tf.TensorInfo;
      acts: tf.TensorInfo;
      cs: tf.TensorInfo;
      c0: tf.TensorInfo;
      wHh: tf.TensorInfo;
    },
    { reverse: boolean }
  >,
): tf.TensorInfo[] {
  const kernel = LstmKernel.Backward;
  const {
    inputs: { dOut, dhN, dcN, acts, cs, c0, wHh },
    attrs: { reverse },
    backend,
  } = args;
  if (acts.shape.length !== 3 || acts.shape[2] % 4 !== 0) {
    throw new BackendError(`${kernel}: expected acts of shape [T, B, 4H], got ${formatShape(acts.shape)}`);
  }
  const [T, B, H4] = acts.shape;
  const H = H4 / 4;
  for (const [what, t, shape] of [
    ['dOut', dOut, [T, B, H]],
    ['cs', cs, [T, B, H]],
    ['dhN', dhN, [B, H]],
    ['dcN', dcN, [B, H]],
    ['c0', c0, [B, H]],
    ['wHh', wHh, [H4, H]],
  ] as const) {
    checkShape(kernel, what, t, [...shape]);
  }
  const heap = new WasmHeap(backend, kernel);
  const n = B * H;
  const dG = heap.alloc([T, B, H4]);
  const dc = Float32Array.from(heap.f32(dcN)); // the cell state's gradient, updated in place step by step
  let dh = dhN;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const p = prevStep(t, T, reverse);
    const dGt = heap.alloc([B, H4]);
    const dOutV = heap.f32(dOut);
    const dhV = heap.f32(dh);
    const av = heap.f32(acts);
    const cv = heap.f32(cs);
    const dGv = heap.f32(dG);
    const dGtV = heap.f32(dGt);
    const cPrev = p < 0 ? heap.f32(c0) : cv;
    const cPrevOff = p < 0 ? 0 : p * n;
    for (let b = 0; b < B; b++) {
      const g0 = b * H4; // row of dGt
      const a0 = t * B * H4 + g0; // row of acts and dG
      const s0 = t * n + b * H; // row of dOut and cs
      const cp0 = cPrevOff + b * H;
      for (let j = 0; j < H; j++) {
        const k = b * H + j;
        const i = av[a0 + j];
        const f = av[a0 + H + j];
        const g = av[a0 + 2 * H + j];
        const o = av[a0 + 3 * H + j];
        const dhNew = fr(dhV[k] + dOutV[s0 + j]);
        const tc = fr(Math.tanh(cv[s0 + j]));
        const dcNew = fr(dc[k] + fr(fr(dhNew * o) * fr(1 - fr(tc * tc))));
        const di = fr(fr(dcNew * g) * fr(i * fr(1 - i)));
        const df = fr(fr(dcNew * cPrev[cp0 + j]) * fr(f * fr(1 - f)));
        const dg = fr(fr(dcNew * i) * fr(1 - fr(g * g)));
        const dO = fr(fr(dhNew * tc) * fr(o * fr(1 - o)));
        dGtV[g0 + j] = dGv[a0 + j] = di;
        dGtV[g0 + H + j] = dGv[a0 + H + j] = df;
        dGtV[g0 + 2 * H + j] = dGv[a0 + 2 * H + j] = dg;
        dGtV[g0 + 3 * H + j] = dGv[a0 + 3 * H + j] = dO;
        dc[k] = dcNew * f;
      }
    }
    const dhPrev = heap.matMul(dGt, wHh, B, H4, H);
    heap.free(dGt);
    if (dh !== dhN) heap.free(dh);
    dh = dhPrev;
  }
  const dh0 = dh === dhN ? heap.copyRange(dhN, 0, [B, H]) : dh;
  return [dG, dh0, heap.upload(dc, [B, H])];
}
