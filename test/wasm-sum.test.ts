// The wasm backend's `Sum` over leading axes (src/backends/wasm/sum.ts): against the cpu backend's kernel within
// float32 summation error, and to the last bit against the float32 sum of each column's rows in order (what it
// computes). Every other reduction goes to the stock wasm kernel, except an empty one, which the stock kernel leaves
// unwritten and ours fills with zeros.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';

import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { expectClose } from './helpers';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2;
  }
  return a;
}

const CASES: [number[], number | number[], boolean][] = [
  [[700, 1003], 0, false], // the fused path, with a 3-column tail
  [[7, 12], [0], true],
  [[5, 4, 3], [0, 1], false],
  [[5, 4, 3], [1, 0], true],
  [[2, 3, 4, 5], [-4, -3, -2], false],
  [[1, 9], 0, false],
  [[9, 1], 0, true],
  [[6, 2], 1, false], // trailing axis: the stock kernel
  [[6, 2, 3], [0, 2], false], // scattered axes: the stock kernel
  [[6, 2], [0, 1], true], // all axes: the stock kernel
  [[0, 3], 0, false], // empty: zeros
  [[4, 0], 0, true], // empty output
];

describe('Sum (wasm) against the cpu backend', () => {
  for (const [shape, axis, keepDims] of CASES) {
    test(`[${shape}] axis ${JSON.stringify(axis)} keepDims ${keepDims}`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = values(n, n + 3);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const y = tf.sum(tf.tensor(data, shape), axis, keepDims);
        return { shape: y.shape, v: Array.from(await y.data()) };
      };
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      await tf.setBackend('cpu');
      expect(wasm.shape).toEqual(cpu.shape);
      const rows = cpu.v.length ? n / cpu.v.length : 0;
      expectClose(wasm.v, cpu.v, 'sum', { rtol: 1e-5, atol: 2e-7 * rows });
      const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a)).sort();
      if (axes.length < shape.length && axes.every((a, i) => a === i)) {
        // row-ordered float32 sums of each column, as the kernel adds them
        const cols = cpu.v.length;
        const exact = Array.from({ length: cols }, (_, j) => {
          let acc = rows ? data[j] : 0;
          for (let r = 1; r < rows; r++) acc = Math.fround(acc + data[r * cols + j]);
          return acc;
        });
        expectClose(wasm.v, exact, 'sum in row order', { rtol: 0, atol: 0 });
      }
    });
  }

  test('int32 goes to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const y = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0);
    expect(y.dtype).toBe('int32');
    expect(Array.from(await y.data())).toEqual([9, 12]);
    await tf.setBackend('cpu');
  });
});
