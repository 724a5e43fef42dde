// The wasm backend's BatchMatMul (src/backends/wasm/batch-matmul.ts: the library's GEMM, transposed operands read in
// place) against the cpu backend's kernel, on odd sizes, transposes, batches, broadcasting and empty products; and with
// the GEMM off (TFJS_TORCH_WASM_GEMM=off), where a transposed operand is transposed first for the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';

import { setGemmMode } from '../src/backends/wasm/gemm-policy';
import { useWasmBackend } from './helpers';

type Case = [number[], number[], boolean, boolean];

const CASES: Case[] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[2, 3, 5, 7], [7, 9], false, false],
  [[2, 3, 7, 5], [2, 3, 9, 7], true, true],
  [[5, 7], [4, 7, 9], false, false],
  [[1, 7, 5], [7, 3], true, false],
  [[64, 51], [204, 51], false, true],
  [[64, 204], [204, 51], false, false],
  [[33, 17], [33, 19], true, false],
  [[1, 1], [1, 1], false, false],
  [[0, 3], [3, 4], false, false],
  [[3, 0], [0, 4], false, false],
  [[2, 3, 0], [2, 0, 5], false, false],
];

/** `matMul` of fixed pseudo-random operands on the current backend: values and shape. */
function product([sa, sb, ta, tb]: Case): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const fill = (shape: number[], seed: number) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(seed + i * 0.7) * 2),
        shape,
      );
    const y = tf.matMul(fill(sa, 1), fill(sb, 2), ta, tb);
    return { values: y.dataSync() as Float32Array, shape: y.shape };
  });
}

async function onCpu(c: Case) {
  await tf.setBackend('cpu');
  const ref = product(c);
  await tf.setBackend('wasm');
  return ref;
}

function expectSame(ours: { values: Float32Array; shape: number[] }, ref: { values: Float32Array; shape: number[] }) {
  expect(ours.shape).toEqual(ref.shape);
  let worst = 0;
  for (let i = 0; i < ref.values.length; i++) worst = Math.max(worst, Math.abs(ours.values[i] - ref.values[i]));
  expect(worst).toBeLessThan(2e-5 * Math.max(1, ...ref.values.map(Math.abs)));
}

describe('wasm BatchMatMul = cpu', () => {
  useWasmBackend();
  afterEach(() => setGemmMode('auto'));
  for (const c of CASES) {
    test(`${JSON.stringify(c)}`, async () => {
      const ours = product(c);
      expectSame(ours, await onCpu(c));
    });
  }
  for (const c of CASES.filter(([, , ta, tb]) => ta || tb)) {
    test(`GEMM off: ${JSON.stringify(c)}`, async () => {
      setGemmMode('off');
      const ours = product(c);
      setGemmMode('auto');
      expectSame(ours, await onCpu(c));
    });
  }
  test('a B that comes back (a weight) is packed once: later products, a replaced weight, reshapes and transposes', async () => {
    const fill = (shape: number[], seed: number) =>
      Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.cos(seed + i * 0.37) * 3);
    // On each backend: W used as B many times (transposed and not, and as a reshape that shares its data), then
    // replaced by assign (new data) as an optimizer does, then used again.
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor(fill([51, 204], 1), [51, 204]));
      const outs: Float32Array[] = [];
      for (let step = 0; step < 2; step++) {
        for (let t = 0; t < 4; t++) {
          const x = tf.tensor(fill([64, 51], 10 * step + t), [64, 51]);
          const g = tf.tensor(fill([64, 204], 20 + t), [64, 204]);
          const wFlat = tf.reshape(w, [204, 51]);
          for (const y of [tf.matMul(x, w), tf.matMul(g, w, false, true), tf.matMul(x, wFlat, false, true)]) {
            outs.push(y.dataSync() as Float32Array);
            y.dispose();
          }
          tf.dispose([x, g, wFlat]);
        }
        w.assign(tf.tensor(fill([51, 204], 2 + step), [51, 204]));
      }
      w.dispose();
      return outs;
    };
    const ref = await run('cpu');
    const ours = await run('wasm');
    expect(ours.length).toBe(ref.length);
    ours.forEach((o, i) => expectSame({ values: o, shape: [o.length] }, { values: ref[i], shape: [ref[i].length] }));
  });

  test('no tensor or heap leak', () => {
    product(CASES[5]);
    const before = tf.memory();
    for (const c of CASES) product(c);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
