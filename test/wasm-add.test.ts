// The wasm backend's Add (src/backends/wasm/add.ts: SIMD loops for one shape, a bias row or a scalar; the stock
// kernel otherwise) against the cpu backend's: same bits, every broadcast shape, NaN and infinities, int32.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { useWasmBackend } from './helpers';

const SHAPES: [number[], number[]][] = [
  [[7], [7]],
  [
    [3, 5],
    [3, 5],
  ],
  [[64, 204], [204]],
  [[204], [64, 204]],
  [
    [2, 3, 6],
    [1, 6],
  ],
  [
    [2, 3],
    [1, 1],
  ],
  [[], [4, 5]],
  [[5, 3], []],
  [
    [2, 3],
    [2, 1],
  ],
  [[3], [2, 1, 3]],
  [
    [2, 1, 3],
    [2, 4, 3],
  ],
  [[0, 3], [3]],
];

function sum(sa: number[], sb: number[], dtype: 'float32' | 'int32') {
  return tf.tidy(() => {
    const fill = (shape: number[], seed: number) => {
      const v = Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) =>
        dtype === 'int32' ? (i * seed) % 7 : i === 3 ? Number.NaN : i === 5 ? -Infinity : Math.sin(seed + i) * 1e3,
      );
      return tf.tensor(v, shape, dtype);
    };
    const y = tf.add(fill(sa, 3), fill(sb, 5));
    return { shape: y.shape, values: Array.from(y.dataSync()) };
  });
}

describe('wasm Add = cpu (same bits)', () => {
  useWasmBackend();
  for (const [sa, sb] of SHAPES) {
    for (const dtype of ['float32', 'int32'] as const) {
      test(`${JSON.stringify(sa)} + ${JSON.stringify(sb)} ${dtype}`, async () => {
        const ours = sum(sa, sb, dtype);
        await tf.setBackend('cpu');
        const ref = sum(sa, sb, dtype);
        await tf.setBackend('wasm');
        expect(ours).toEqual(ref);
      });
    }
  }
});
