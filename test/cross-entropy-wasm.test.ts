// F.crossEntropy on the wasm backend, where `[N, C]` logits with class-index targets (no class weights, no label
// smoothing) run as one fused kernel each way (src/backends/wasm/cross-entropy.ts): torch 1.13's cross_entropy cases
// of scripts/fixtures/losses.py (values and input gradients), then the kernels against the cpu backend's composed
// logSoftmax + NLL on shapes the fixtures lack (class counts not a multiple of 4, extreme logits, ignored rows).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';

import { backward } from '../src/autograd';
import { hasFusedKernel } from '../src/backends/fused-kernels';
import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { CrossEntropyKernel } from '../src/backends/wasm/cross-entropy';
import { crossEntropy } from '../src/nn/functional/loss';
import { type FixtureTensor, expectClose, fixtureData, loadFixture, toTensor } from './helpers';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
});

interface LossCase {
  kind: string;
  name: string;
  fn: string;
  input: FixtureTensor;
  target: FixtureTensor;
  options: Record<string, FixtureTensor | string | number>;
  out: FixtureTensor;
  grad_output: FixtureTensor;
  grad_input: FixtureTensor;
}

const CAMEL: Record<string, string> = {
  weight: 'weight',
  reduction: 'reduction',
  ignore_index: 'ignoreIndex',
  label_smoothing: 'labelSmoothing',
};

/** Values, NaN and ±Infinity where torch has them, the rest within the usual tolerance. */
function expectTorch(actual: tf.Tensor, expected: FixtureTensor, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = Array.from(actual.dataSync());
  const e = Array.from(fixtureData(expected) as ArrayLike<number>);
  const finite = e.map((v) => Number.isFinite(v));
  e.forEach((v, i) => {
    if (!finite[i]) expect(a[i], `${what}: element ${i}`).toBe(v);
  });
  expectClose(
    a.filter((_, i) => finite[i]),
    e.filter((_, i) => finite[i]),
    what,
  );
}

const torchCases = loadFixture<LossCase>('losses').cases.filter(
  (c) => c.kind === 'functional' && c.fn === 'cross_entropy',
);

describe('F.crossEntropy on wasm matches torch 1.13 (fixture losses)', () => {
  afterEach(() => vi.restoreAllMocks());

  test('the fixture has cases the fused kernels take', () => {
    const fused = torchCases.filter(
      (c) =>
        c.input.shape.length === 2 && c.target.shape.length === 1 && !c.options.weight && !c.options.label_smoothing,
    );
    expect(fused.length).toBeGreaterThan(3);
  });

  for (const c of torchCases) {
    test(c.name, async () => {
      await tf.setBackend('wasm');
      expect(hasFusedKernel(CrossEntropyKernel.Forward)).toBe(true);
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const opts: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) opts[CAMEL[k]!] = typeof v === 'object' ? toTensor(v) : v;
      const input = toTensor(c.input);
      const target = toTensor(c.target);
      expectTorch(crossEntropy(input, target, opts), c.out, 'loss');
      const [g] = tf.grads((x: tf.Tensor) => crossEntropy(x, target, opts))([input], toTensor(c.grad_output));
      expectTorch(g!, c.grad_input, 'grad w.r.t. input');
    });
  }
});

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

interface Case {
  n: number;
  c: number;
  scale: number;
  reduction: 'mean' | 'sum' | 'none';
  ignoreIndex?: number;
  extreme?: boolean;
}

const CASES: Case[] = [
  { n: 7, c: 10000, scale: 5, reduction: 'mean' },
  { n: 5, c: 13, scale: 3, reduction: 'sum' },
  { n: 9, c: 3, scale: 1, reduction: 'none' },
  { n: 1, c: 1, scale: 1, reduction: 'mean' },
  { n: 6, c: 37, scale: 40, reduction: 'mean', ignoreIndex: 2 },
  { n: 4, c: 8, scale: 100, reduction: 'none', ignoreIndex: 0 },
  { n: 3, c: 21, scale: 2, reduction: 'mean', extreme: true },
];

/** Loss, gradient of the logits (through the library's autograd) on `backend`. */
async function run(backend: string, k: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const x0 = values(k.n * k.c, 7 + k.c, k.scale);
  if (k.extreme) {
    x0[0] = -1e30; // exp underflows to exactly 0
    x0[k.c + 1] = 1e4;
    x0[2 * k.c + 2] = Number.NEGATIVE_INFINITY;
  }
  const x = tf.variable(tf.tensor(x0, [k.n, k.c]));
  const t = tf.tensor1d(
    Array.from({ length: k.n }, (_, i) => (i * 7 + 3) % k.c),
    'int32',
  );
  const loss = crossEntropy(x, t, { reduction: k.reduction, ignoreIndex: k.ignoreIndex ?? -100 });
  const l = loss.rank === 0 ? loss : tf.sum(tf.mul(loss, tf.tensor(values(k.n, 3, 1))));
  backward(l);
  return [loss.dataSync() as Float32Array, (x as tf.Variable & { grad: tf.Tensor }).grad.dataSync() as Float32Array];
}

describe('fused cross entropy (wasm) against logSoftmax + NLL (cpu)', () => {
  for (const k of CASES) {
    const name = `[${k.n}, ${k.c}] scale ${k.scale} ${k.reduction}${k.ignoreIndex != null ? ` ignoreIndex ${k.ignoreIndex}` : ''}${k.extreme ? ' extreme' : ''}`;
    test(name, async () => {
      const [cpuLoss, cpuGrad] = await run('cpu', k);
      const [wasmLoss, wasmGrad] = await run('wasm', k);
      await tf.setBackend('cpu');
      expectClose(wasmLoss, cpuLoss, 'loss', { rtol: 1e-5, atol: 1e-6 });
      expectClose(wasmGrad, cpuGrad, 'grad', { rtol: 1e-5, atol: 1e-7 });
    });
  }
});
