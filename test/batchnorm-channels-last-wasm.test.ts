// The wasm backend's fused BatchNorm kernels with `channelsLast` (src/backends/wasm/fused.ts, SIMD column loops in
// src/backends/wasm/simd-columns.ts) against the same kernels channels-first on the transposed input: the same
// formulas, only the summation order differs. Also their JS path, with a backend that hides its memory (no SIMD).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { FusedKernel } from '../src/backends/fused-kernels';
import { batchNormGradWasm, batchNormTrainWasm } from '../src/backends/wasm/fused';
import { WasmHeap } from '../src/backends/wasm/internals';
import { columnOps } from '../src/backends/wasm/simd-columns';
import { expectClose, useWasmBackend } from './helpers';

function values(n: number, seed: number, offset: number, spread = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = offset + spread * (s / 2 ** 32 - 0.5);
  }
  return a;
}

/** `[..., C]` ↔ `[N, C, ...]`: the permutation that moves the last axis to 1, and its inverse. */
function perms(rank: number): [number[], number[]] {
  const toFirst = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  const toLast = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  return [toFirst, toLast];
}

interface Case {
  shape: number[];
  affine: boolean;
  offset: number;
  spread: number;
}

type Kernels = {
  train(inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor[];
  grad(inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor[];
};

const engineKernels: Kernels = {
  train: (inputs, attrs) =>
    tf.engine().runKernel(FusedKernel.BatchNormTrain, inputs, attrs as tf.NamedAttrMap) as never,
  grad: (inputs, attrs) => tf.engine().runKernel(FusedKernel.BatchNormGrad, inputs, attrs as tf.NamedAttrMap) as never,
};

/**
 * Channels-last outputs (y, mean, invstd, var, dx, dweight, dbias), the channels-first ones (transposed back), and
 * `max |x * alpha|` (`alpha = invstd * weight`), the scale of y's rounding error.
 */
function run({ shape, affine, offset, spread }: Case, last: Kernels): [tf.Tensor[], tf.Tensor[], number] {
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const [toFirst, toLast] = perms(shape.length);
  const x = tf.tensor(values(size, 1, offset, spread), shape);
  const dy = tf.tensor(values(size, 2, 0.1), shape);
  const weight = tf.tensor(values(c, 3, 1));
  const params: Record<string, tf.Tensor> = affine ? { weight, bias: tf.tensor(values(c, 4, 0)) } : {};
  const w: Record<string, tf.Tensor> = affine ? { weight } : {};
  const eps = 1e-5;
  const [y, mean, invstd, variance] = last.train({ x, ...params }, { eps, channelsLast: true });
  const grads = last.grad({ dy, x, mean, invstd, ...w }, { channelsLast: true });
  const xf = tf.transpose(x, toFirst);
  const [yf, meanF, invstdF, varF] = engineKernels.train({ x: xf, ...params }, { eps });
  const gradsF = engineKernels.grad({ dy: tf.transpose(dy, toFirst), x: xf, mean: meanF, invstd: invstdF, ...w }, {});
  const alpha = affine ? tf.mul(invstd, weight) : invstd;
  const xAlpha = tf.max(tf.abs(x)).dataSync()[0] * tf.max(tf.abs(alpha)).dataSync()[0];
  return [
    [y, mean, invstd, variance, ...grads],
    [tf.transpose(yf, toLast), meanF, invstdF, varF, tf.transpose(gradsF[0], toLast), gradsF[1], gradsF[2]],
    xAlpha,
  ];
}

const NAMES = ['y', 'mean', 'invstd', 'var', 'dx', 'dweight', 'dbias'];

function check(c: Case, last: Kernels = engineKernels): void {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const [got, want, xAlpha] = run(c, last);
    got.forEach((g, i) => {
      expect(g.shape, NAMES[i]).toEqual(want[i].shape);
      // y = x * alpha + beta cancels where the mean is large against the spread: the SIMD loops (float32 multiply,
      // then add) and the JS ones (float64, rounded once) may differ by an ulp of x * alpha there.
      const atol = NAMES[i] === 'y' ? 1e-6 + 2 ** -22 * xAlpha : 1e-6;
      expectClose(g, want[i], `${NAMES[i]} of [${c.shape}]`, { rtol: 1e-5, atol });
    });
  });
  expect(tf.memory().numTensors).toBe(before);
}

const SHAPES = [
  [4, 5, 6, 64],
  [2, 3, 3, 128],
  [6, 7, 1],
  [9, 3],
  [3, 4, 5],
  [2, 6, 5, 8],
  [2, 5, 13],
  [2, 64],
  [2, 13],
  [2, 1],
  [257, 20],
  [3, 2, 2, 2, 12],
];

describe('BatchNorm kernels, channelsLast = channels-first on the transposed input (wasm)', () => {
  useWasmBackend();
  test('the SIMD column loops compile here (the comparisons below test them)', () => {
    expect(columnOps(new WasmHeap(tf.backend(), 'test').memory())).not.toBeNull();
  });
  for (const shape of SHAPES) {
    for (const affine of [true, false]) {
      test(`x=[${shape}], affine=${affine}`, () => check({ shape, affine, offset: 0.3, spread: 2 }));
    }
  }
  for (const shape of [
    [4, 5, 6, 64],
    [31, 7],
    [2, 2, 9],
  ]) {
    test(`x=[${shape}], values about 1e3 with a spread of 0.01 (shifted sums)`, () =>
      check({ shape, affine: true, offset: 1000, spread: 0.01 }));
  }
  test('channelsLast: false is the channels-first kernel', () => {
    const x = tf.tensor(values(2 * 3 * 4, 5, 0.5), [2, 3, 4]);
    const run = (attrs: Record<string, unknown>) =>
      (tf.engine().runKernel(FusedKernel.BatchNormTrain, { x }, attrs as tf.NamedAttrMap) as tf.Tensor[]).map((t) =>
        Array.from(t.dataSync()),
      );
    expect(run({ eps: 1e-5, channelsLast: false })).toEqual(run({ eps: 1e-5 }));
    x.dispose();
  });
  test('rank 1 is rejected', () => {
    const x = tf.ones([4]);
    expect(() => tf.engine().runKernel(FusedKernel.BatchNormTrain, { x }, { eps: 1e-5, channelsLast: true })).toThrow(
      /expected input \[\.\.\., C\]/,
    );
    x.dispose();
  });

  // The kernels called directly with the wasm backend's methods but not its module (so not its memory): simdOps and
  // columnOps give null, and the JS loops run.
  const noSimd = (): object => {
    const b = tf.backend() as unknown as Record<'makeOutput' | 'typedArrayFromHeap' | 'disposeData', () => unknown>;
    return {
      dataIdMap: (b as unknown as { dataIdMap: unknown }).dataIdMap,
      makeOutput: b.makeOutput.bind(b),
      typedArrayFromHeap: b.typedArrayFromHeap.bind(b),
      disposeData: b.disposeData.bind(b),
    };
  };
  const direct =
    (f: typeof batchNormTrainWasm | typeof batchNormGradWasm) =>
    (inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
      (f as (a: unknown) => tf.TensorInfo[])({ inputs, attrs, backend: noSimd() }).map((t) =>
        tf.engine().makeTensorFromTensorInfo(t),
      );
  const jsKernels: Kernels = { train: direct(batchNormTrainWasm), grad: direct(batchNormGradWasm) };
  for (const shape of [
    [4, 5, 6, 64],
    [3, 4, 13],
    [5, 3],
  ]) {
    test(`without SIMD (JS loops): x=[${shape}]`, () =>
      check({ shape, affine: true, offset: 1000, spread: 0.01 }, jsKernels));
  }
});
