// The wasm backend's fused LSTM and GRU kernels (src/backends/wasm/lstm-cell.ts, gru-cell.ts: the whole recurrence of
// a layer as one kernel each way) against the cpu backend, which runs the composed per-step path of src/nn/functional/rnn.ts: outputs, final
// states and every gradient agree to float32 rounding (the GEMMs sum in different orders). torch-exactness of both
// paths is test/rnn.test.ts's (torch fixtures, cpu and wasm).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';

import { backward } from '../src/autograd';
import { hasFusedKernel } from '../src/backends/fused-kernels';
import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { GruKernel } from '../src/backends/wasm/gru-cell';
import { LstmKernel, lstmBackwardWasm, lstmForwardWasm } from '../src/backends/wasm/lstm-cell';
import { type RnnLayerWeights, rnnLayer } from '../src/nn/functional/rnn';
import { expectClose } from './helpers';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
});

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

interface Case {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse: boolean;
  bias: boolean;
}

const CASES: Case[] = [
  { T: 7, B: 3, I: 5, H: 4, reverse: false, bias: true },
  { T: 7, B: 3, I: 5, H: 4, reverse: true, bias: true },
  { T: 1, B: 1, I: 2, H: 3, reverse: false, bias: false },
  { T: 12, B: 2, I: 9, H: 13, reverse: true, bias: false },
  { T: 35, B: 4, I: 6, H: 17, reverse: false, bias: true },
];

const NAMES: Record<Mode, string[]> = {
  LSTM: ['output', 'hN', 'cN', 'grad x', 'grad h0', 'grad c0', 'grad wIh', 'grad wHh', 'grad bIh', 'grad bHh'],
  GRU: ['output', 'hN', 'grad x', 'grad h0', 'grad wIh', 'grad wHh', 'grad bIh', 'grad bHh'],
};

type Mode = 'LSTM' | 'GRU';

/** Runs the layer on `backend`: outputs, then the gradients of a weighted sum of them w.r.t. every input. */
async function run(backend: string, c: Case, mode: Mode = 'LSTM'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const { T, B, I, H } = c;
  const G = mode === 'LSTM' ? 4 : 3;
  const v = (shape: number[], seed: number, scale = 1) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(values(n, seed, scale), shape);
    const variable = tf.variable(t);
    t.dispose();
    return variable;
  };
  const x = v([T, B, I], 1, 2);
  const h0 = v([B, H], 2);
  const c0 = mode === 'LSTM' ? v([B, H], 3) : null;
  const w: RnnLayerWeights = {
    wIh: v([G * H, I], 4, 0.6),
    wHh: v([G * H, H], 5, 0.6),
    bIh: c.bias ? v([G * H], 6, 0.3) : null,
    bHh: c.bias ? v([G * H], 7, 0.3) : null,
    wHr: null,
  };
  const inputs = [x, h0, ...(c0 ? [c0] : []), w.wIh, w.wHh, ...(c.bias ? [w.bIh!, w.bHh!] : [])];
  const result = tf.tidy(() => {
    const outs = rnnLayer(mode, x, h0, c0, w, null, c.reverse);
    const loss = tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, tf.tensor(values(o.size, 10 + i), o.shape)))));
    backward(loss);
    const grads = inputs.map((t) => (t as tf.Variable & { grad: tf.Tensor }).grad);
    return [...outs, ...grads].map((t) => t.dataSync() as Float32Array);
  });
  for (const t of inputs) {
    (t as tf.Variable & { grad: tf.Tensor | null }).grad?.dispose();
    t.dispose();
  }
  return result;
}

describe('fused LSTM and GRU kernels (wasm) against the composed path (cpu)', () => {
  test('the wasm backend has them', async () => {
    await tf.setBackend('wasm');
    for (const k of [LstmKernel.Forward, LstmKernel.Backward, GruKernel.Forward, GruKernel.Backward]) {
      expect(hasFusedKernel(k)).toBe(true);
    }
    await tf.setBackend('cpu');
    expect(hasFusedKernel(LstmKernel.Forward)).toBe(false);
    expect(hasFusedKernel(GruKernel.Forward)).toBe(false);
  });

  for (const mode of ['LSTM', 'GRU'] as const) {
    test(`${mode}: forward + backward leave no tensor and no backend data behind`, async () => {
      await tf.setBackend('wasm');
      const c = CASES[1];
      await run('wasm', c, mode); // warm-up
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      for (let i = 0; i < 3; i++) await run('wasm', c, mode);
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
      await tf.setBackend('cpu');
    });

    for (const c of CASES) {
      test(`${mode} T=${c.T},B=${c.B},I=${c.I},H=${c.H},reverse=${c.reverse},bias=${c.bias}`, async () => {
        const cpu = await run('cpu', c, mode);
        const wasm = await run('wasm', c, mode);
        await tf.setBackend('cpu');
        expect(wasm.length).toBe(cpu.length);
        wasm.forEach((a, i) => expectClose(a, cpu[i], NAMES[mode][i], { rtol: 1e-5, atol: 1e-5 }));
      });
    }
  }
});

// The LSTM kernels' JS loops (a runtime without WebAssembly SIMD) against their SIMD loops: the kernels called
// directly with a backend whose module hides its memory, so the SIMD modules do not bind and the products take the
// stock BatchMatMul. The SIMD sigmoid / tanh may differ from Math's in the last bits.
describe('fused LSTM kernels without SIMD (JS loops)', () => {
  const noSimd = (): unknown => {
    const b = tf.backend() as unknown as Record<string, unknown> & { wasm: Record<string, unknown> };
    const wasm = new Proxy(b.wasm, { get: (t, k) => (k === 'asm' || k === 'wasmMemory' ? undefined : t[k as string]) });
    return new Proxy(b, {
      get: (t, k) => {
        if (k === 'wasm') return wasm;
        const v = t[k as string];
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  };
  type Kernel = (a: { inputs: unknown; attrs: unknown; backend: unknown }) => tf.TensorInfo[];
  const call = (k: Kernel, inputs: Record<string, tf.Tensor>, reverse: boolean, backend: unknown) =>
    k({ inputs, attrs: { reverse }, backend }).map((t) => tf.engine().makeTensorFromTensorInfo(t));

  for (const [T, B, H, reverse] of [
    [3, 2, 4, false],
    [4, 3, 13, true],
    [1, 5, 7, false],
  ] as const) {
    test(`T=${T},B=${B},H=${H},reverse=${reverse}`, async () => {
      await tf.setBackend('wasm');
      const t = (shape: number[], seed: number, scale = 1) =>
        tf.tensor(
          values(
            shape.reduce((a, b) => a * b, 1),
            seed,
            scale,
          ),
          shape,
        );
      const fwd = {
        xp: t([T, B, 4 * H], 1, 2),
        h0: t([B, H], 2),
        c0: t([B, H], 3),
        wHh: t([4 * H, H], 4, 0.6),
        bhh: t([4 * H], 5, 0.3),
      };
      const bwdInputs = (outs: tf.Tensor[]) => ({
        dOut: t([T, B, H], 6),
        dhN: t([B, H], 7),
        dcN: t([B, H], 8),
        acts: outs[2],
        cs: outs[1],
        c0: fwd.c0,
        wHh: fwd.wHh,
      });
      const results = [tf.backend(), noSimd()].map((backend) => {
        const outs = call(lstmForwardWasm as Kernel, fwd, reverse, backend);
        const grads = call(lstmBackwardWasm as Kernel, bwdInputs(outs), reverse, backend);
        return [...outs, ...grads].map((x) => x.dataSync().slice());
      });
      const names = ['hs', 'cs', 'acts', 'hN', 'cN', 'dG', 'dh0', 'dc0'];
      results[1].forEach((a, i) => expectClose(a, results[0][i], names[i], { rtol: 1e-5, atol: 1e-6 }));
      await tf.setBackend('cpu');
    });
  }
});
