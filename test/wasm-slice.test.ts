// The wasm backend's Slice (src/backends/wasm/slice.ts: runs copied straight from the heap for float32 and int32;
// the stock kernel otherwise) against the cpu backend's: the same values bit for bit, every rank, begin and size
// (-1 = to the end), empty slices, NaN payloads, and the dtypes it leaves to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { useWasmBackend } from './helpers';

const CASES: Array<[number[], number[], number[]]> = [
  [
    [64, 100],
    [0, 37],
    [64, 1],
  ],
  [
    [64, 100],
    [5, 0],
    [3, 100],
  ],
  [
    [64, 100],
    [0, 99],
    [-1, -1],
  ],
  [[7], [2], [4]],
  [[7], [0], [0]],
  [
    [2, 3, 4],
    [1, 1, 1],
    [1, 2, 3],
  ],
  [
    [2, 3, 4],
    [0, 1, 0],
    [2, 2, 4],
  ],
  [
    [2, 3, 20],
    [0, 0, 2],
    [2, 3, 17],
  ],
  [
    [3, 4, 5, 6],
    [1, 0, 2, 0],
    [2, 4, 3, 6],
  ],
  [
    [3, 4, 5, 6],
    [0, 2, 0, 1],
    [3, 1, 5, 5],
  ],
  [
    [2, 3, 2, 3, 2],
    [1, 1, 0, 1, 1],
    [1, 2, 2, 2, 1],
  ],
  [
    [2, 2, 2, 2, 2, 3],
    [0, 1, 0, 1, 0, 1],
    [2, 1, 2, 1, 2, 2],
  ],
  [
    [4, 0, 3],
    [1, 0, 0],
    [2, 0, 3],
  ],
];

/** Distinct values of each element (float32: also ±0, and NaN when `nan`: the cpu kernel's JS copy may quiet it). */
function values(shape: number[], dtype: 'float32' | 'int32', nan = false): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bits = new Int32Array(n);
  for (let i = 0; i < n; i++) bits[i] = Math.imul(i + 1, 2654435761) | 0;
  if (dtype === 'int32') return tf.tensor(bits, shape, 'int32');
  const f = new Float32Array(n).map((_, i) => (i % 7 === 3 ? -0 : (bits[i] % 1000) / 7));
  if (nan) new Int32Array(f.buffer).forEach((_, i, a) => i % 5 === 0 && (a[i] = 0x7fa00001 + i));
  return tf.tensor(f, shape, 'float32');
}

async function sliceOn(
  backend: string,
  x: tf.Tensor,
  begin: number[],
  size: number[],
): Promise<[number[], Int32Array]> {
  await tf.setBackend(backend);
  const xs = tf.tensor(x.dataSync(), x.shape, x.dtype);
  const y = tf.slice(xs, begin, size);
  const data = y.dataSync();
  const bits =
    data instanceof Float32Array
      ? new Int32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      : Int32Array.from(data);
  const out: [number[], Int32Array] = [y.shape, bits];
  tf.dispose([xs, y]);
  return out;
}

describe('wasm Slice against cpu', () => {
  useWasmBackend();
  for (const dtype of ['float32', 'int32'] as const) {
    for (const [shape, begin, size] of CASES) {
      test(`${dtype} [${shape}] begin [${begin}] size [${size}]`, async () => {
        const x = values(shape, dtype);
        const cpu = await sliceOn('cpu', x, begin, size);
        const wasm = await sliceOn('wasm', x, begin, size);
        expect(wasm[0]).toEqual(cpu[0]);
        expect(Array.from(wasm[1])).toEqual(Array.from(cpu[1]));
        x.dispose();
      });
    }
  }

  test('NaN payloads are copied bit for bit', async () => {
    await tf.setBackend('wasm');
    const x = values([6, 10], 'float32', true);
    const y = tf.slice(x, [1, 2], [4, 7]);
    const src = new Int32Array(x.dataSync().buffer.slice(0));
    const got = new Int32Array(y.dataSync().buffer.slice(0));
    const want: number[] = [];
    for (let i = 1; i < 5; i++) for (let j = 2; j < 9; j++) want.push(src[i * 10 + j]);
    expect(Array.from(got)).toEqual(want);
    tf.dispose([x, y]);
  });

  test('bool goes to the stock kernel; nothing leaks', async () => {
    await tf.setBackend('wasm');
    const b = tf.tensor([true, false, true, true], [2, 2], 'bool');
    const s = tf.slice(b, [1, 0], [1, 2]);
    expect(Array.from(s.dataSync())).toEqual([1, 1]);
    tf.dispose([b, s]);
    const x = tf.ones([4, 5]);
    const before = [tf.memory().numTensors, tf.backend().numDataIds()];
    tf.tidy(() => {
      tf.slice(x, [1, 1], [2, 2]);
    });
    expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
    x.dispose();
  });
});
