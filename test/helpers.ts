// Shared test helpers: fixture loading and the one place tolerances are stated.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** Tolerances for comparing with PyTorch's float32 results, stated once. */
export const RTOL = 1e-4;
export const ATOL = 1e-5;

export interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int64' | 'bool';
  b64: string;
}

export interface Fixture<C = Record<string, unknown>> {
  torch_version: string;
  seed: number;
  generator: string;
  cases: C[];
}

const fixtureDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Reads `test/fixtures/<name>.json`, written by `scripts/gen_fixtures.py` with real PyTorch. */
export function loadFixture<C = Record<string, any>>(name: string): Fixture<C> {
  return JSON.parse(readFileSync(fixtureDir + name + '.json', 'utf8')) as Fixture<C>;
}

/** The raw values of a fixture tensor (int64 as Int32Array when every value fits). */
export function fixtureData(t: FixtureTensor): Float32Array | Float64Array | Int32Array | Uint8Array {
  const buf = Buffer.from(t.b64, 'base64');
  const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(bytes.buffer);
    case 'float64':
      return new Float64Array(bytes.buffer);
    case 'bool':
      return bytes;
    case 'int64': {
      const big = new BigInt64Array(bytes.buffer);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        if (big[i] > 2147483647n || big[i] < -2147483648n) throw new Error(`int64 value ${big[i]} does not fit int32`);
        out[i] = Number(big[i]);
      }
      return out;
    }
  }
}

/** A fixture tensor as a tfjs tensor (float64 becomes float32, int64 becomes int32). */
export function toTensor(t: FixtureTensor): tf.Tensor {
  const data = fixtureData(t);
  if (t.dtype === 'int64') return tf.tensor(data as Int32Array, t.shape, 'int32');
  if (t.dtype === 'bool') return tf.tensor(data as Uint8Array, t.shape, 'bool');
  return tf.tensor(Float32Array.from(data as Float32Array), t.shape, 'float32');
}

/** Asserts `actual` matches torch's `expected` within RTOL/ATOL (shape included), naming `what`. */
export function expectClose(
  actual: tf.Tensor | ArrayLike<number> | number,
  expected: FixtureTensor | tf.Tensor | ArrayLike<number> | number,
  what = 'value',
  { rtol = RTOL, atol = ATOL }: { rtol?: number; atol?: number } = {},
): void {
  let eShape: number[] | null = null;
  let e: ArrayLike<number>;
  if (typeof expected === 'number') e = [expected];
  else if (expected instanceof tf.Tensor) {
    eShape = expected.shape;
    e = expected.dataSync() as Float32Array;
  } else if ('b64' in (expected as object)) {
    eShape = (expected as FixtureTensor).shape;
    e = fixtureData(expected as FixtureTensor) as ArrayLike<number>;
  } else e = expected as ArrayLike<number>;
  let a: ArrayLike<number>;
  if (typeof actual === 'number') a = [actual];
  else if (actual instanceof tf.Tensor) {
    if (eShape) expect(actual.shape, `${what}: shape`).toEqual(eShape);
    a = actual.dataSync() as Float32Array;
  } else a = actual;
  expect(a.length, `${what}: number of elements`).toBe(e.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < e.length; i++) {
    // Equal values (infinities included) match; NaN matches NaN, as torch.testing's equal_nan.
    if (a[i] === e[i] || (Number.isNaN(a[i]) && Number.isNaN(e[i]))) continue;
    const err = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(err <= 0) && (worst < 0 || !(err <= worstErr))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${a[worst]}, torch gives ${e[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/**
 * Runs the enclosing `describe` on the `wasm` backend with the library's training kernels (the default
 * backend users get), then switches back to `cpu`. tfjs's `cpu` backend trains convolutions ~100x slower.
 */
export function useWasmBackend(): void {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmTrainingKernels } = await import('../src/backends/wasm-kernels');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
}
