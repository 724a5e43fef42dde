// The pooling family against PyTorch 1.13 (test/fixtures/pooling.json, written by scripts/fixtures/pooling.py), on
// the cpu backend and on wasm (the default backend, where max pooling runs the library's NCHW kernels), plus max
// pooling's gradient on wasm against cpu: tfjs-backend-wasm 4.22's MaxPoolGrad is wrong for windows of negative values
// (issue 9 item 5), and the library's max pooling must not depend on it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { backward } from '../src/autograd';
import { ShapeError, ValueError } from '../src/errors';
import * as nn from '../src/nn';
import * as F from '../src/nn/functional';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, expectClose, loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase & FunctionCase>('pooling');
const modules: Fixture<ModuleCase> = { ...fixture, cases: fixture.cases.filter((c) => 'kind' in c) };
const functions: Fixture<FunctionCase> = { ...fixture, cases: fixture.cases.filter((c) => 'fn' in c) };

describe('pooling modules match torch 1.13 (cpu)', () => runModuleCases(modules));
describe('pooling functions match torch 1.13 (cpu)', () => runFunctionCases(functions));

describe('pooling on wasm (the default backend: NCHW max-pooling kernels) matches torch 1.13', () => {
  useWasmBackend();
  runModuleCases(modules);
  runFunctionCases(functions);
});

/** Max pooling's output and input gradient for `sum(y * proj)`, on the current backend. */
function maxPoolGrad(x: number[], shape: number[], proj: number[], k: number, s: number, p: number) {
  return tf.tidy(() => {
    const v = tf.variable(tf.tensor(x, shape));
    const y = F.maxPool2d(v, k, s, p) as tf.Tensor;
    backward(tf.sum(tf.mul(y, tf.tensor(proj, y.shape))));
    const out = [Array.from(y.dataSync()), Array.from(v.grad!.dataSync())];
    v.dispose();
    return out;
  });
}

describe('max pooling gradient on wasm = cpu (issue 9 item 5: all-negative windows, ties, padding)', () => {
  useWasmBackend();
  const shape = [2, 3, 9, 9];
  const n = 2 * 3 * 9 * 9;
  // all negative; many ties (values from a small set); mixed signs with padding
  const inputs = {
    'all negative': Array.from({ length: n }, (_, i) => -1 - ((i * 37) % 11) / 7),
    ties: Array.from({ length: n }, (_, i) => -(((i * 7) % 3) + 1)),
    mixed: Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 2),
  };
  for (const [name, x] of Object.entries(inputs)) {
    for (const [k, s, p] of [
      [3, 2, 1],
      [2, 2, 0],
      [3, 1, 1],
    ] as const) {
      test(`${name}, k=${k},s=${s},p=${p}`, async () => {
        const out = Math.floor((9 + 2 * p - k) / s) + 1;
        const proj = Array.from({ length: 2 * 3 * out * out }, (_, i) => 1 + (i % 5) / 4);
        const wasm = maxPoolGrad(x, shape, proj, k, s, p);
        await tf.setBackend('cpu');
        const cpu = maxPoolGrad(x, shape, proj, k, s, p);
        await tf.setBackend('wasm');
        expect(wasm[0]).toEqual(cpu[0]);
        expect(wasm[1]).toEqual(cpu[1]);
        // Every output's gradient lands somewhere: the total is the projection's sum.
        expect(cpu[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(
          proj.reduce((a, b) => a + b, 0),
          3,
        );
      });
    }
  }
});

describe('pooling: arguments and errors', () => {
  test('torch positional order, and keywords', () => {
    const m = new nn.MaxPool2d(3, 2, 1, 1, false, true);
    expect(m.toString()).toBe('MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)');
    expect(new nn.AvgPool2d([2, 3], { padding: 1 }).toString()).toBe(
      'AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=1)',
    );
  });
  test('errors name the function, the shape and what was expected', () => {
    expect(() => F.maxPool2d(tf.zeros([5, 5]), 2)).toThrow(
      new ShapeError('F.max_pool2d: expected 3-D (unbatched) or 4-D (batched) input, got 2-D input of shape [5, 5]'),
    );
    expect(() => F.maxPool2d(tf.zeros([1, 2, 3, 3]), 5)).toThrow(/calculated output size \(0 x 0\) is too small/);
    expect(() => F.maxPool2d(tf.zeros([1, 2, 7, 7]), 3, { padding: 2 })).toThrow(
      new ValueError('F.max_pool2d: pad should be at most half of kernel size, but got pad=2 and kernel_size=3'),
    );
    expect(() => new nn.MaxPool2d(0)).toThrow(/kernelSize/);
  });
  test('a training loop keeps the tensor count constant', () => {
    const pool = new nn.MaxPool2d(3, 2, 1);
    const avg = new nn.AdaptiveAvgPool2d(1);
    const x = tf.variable(tf.randomNormal([2, 3, 8, 8]));
    const step = () =>
      tf.tidy(() => {
        backward(tf.sum(avg.forward(pool.forward(x) as tf.Tensor)));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

/** tfjs's own `tf.maxPool` and its gradient (the `MaxPoolGrad` kernel) for `sum(y * proj)`, NHWC. */
function tfMaxPoolGrad(x: number[], shape: number[], k: number, s: number, pad: 'same' | 'valid' | number) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    const f = (v: tf.Tensor4D) => tf.maxPool(v, k, s, pad);
    const y = f(xt);
    const proj = tf.tensor(
      Array.from({ length: y.size }, (_, i) => 1 + (i % 7) / 3),
      y.shape,
    );
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor4D), proj)))(xt);
    return [Array.from(y.dataSync()), Array.from(dx.dataSync())];
  });
}

describe("tfjs's MaxPoolGrad on wasm = cpu after registerWasmTrainingKernels (issue 9 item 5)", () => {
  useWasmBackend();
  const shape = [2, 9, 9, 3];
  const n = 2 * 9 * 9 * 3;
  const inputs = {
    'all negative': Array.from({ length: n }, (_, i) => -1 - ((i * 37) % 11) / 7),
    ties: Array.from({ length: n }, (_, i) => -(((i * 7) % 3) + 1)),
    mixed: Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 2),
  };
  for (const [name, x] of Object.entries(inputs)) {
    for (const [k, s, pad] of [
      [3, 2, 'same'],
      [2, 2, 'valid'],
      [3, 1, 1],
    ] as const) {
      test(`${name}, k=${k},s=${s},pad=${pad}`, async () => {
        const wasm = tfMaxPoolGrad(x, shape, k, s, pad);
        await tf.setBackend('cpu');
        const cpu = tfMaxPoolGrad(x, shape, k, s, pad);
        await tf.setBackend('wasm');
        expect(wasm[0]).toEqual(cpu[0]);
        // Overlapping windows add into one entry in another order than the cpu kernel: float rounding only.
        expectClose(wasm[1]!, cpu[1]!, 'input gradient', { rtol: 1e-6, atol: 1e-6 });
      });
    }
  }
});
