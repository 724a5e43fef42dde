// The wasm backend's fast paths (src/backends/wasm/{fused,conv2d}.ts and the filter-gradient methods chosen by
// channel count) against the cpu backend, which runs tfjs's reference kernels and the functional ops' generic path.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { FusedKernel, hasFusedKernel } from '../src/backends/fused-kernels';
import { batchNorm } from '../src/nn/functional/batchnorm';
import { leakyRelu, relu } from '../src/nn/functional/activation';
import { linear } from '../src/nn/functional/linear';
import { conv2d, convTranspose2d } from '../src/nn/functional/conv';
import { expectClose } from './helpers';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number, offset = -0.5): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 + offset;
  }
  return a;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on `backend` with fresh tensors built from `inputs`; returns every output's values. */
async function on(
  backend: string,
  inputs: Array<[Float32Array, number[]]>,
  f: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const ts = inputs.map(([v, s]) => tf.tensor(v, s));
  const outs = f(...ts);
  const vals = await Promise.all(outs.map(async (o) => (await o.data()) as Float32Array));
  tf.dispose([...ts, ...outs]);
  return vals;
}

async function compare(
  inputs: Array<[Float32Array, number[]]>,
  f: (...ts: tf.Tensor[]) => tf.Tensor[],
  what: string,
): Promise<void> {
  const ref = await on('cpu', inputs, f);
  const got = await on('wasm', inputs, f);
  expect(got.length).toBe(ref.length);
  got.forEach((g, i) => expectClose(g, ref[i], `${what}: output ${i}`));
}

describe('fused kernels are registered on wasm only', () => {
  test('wasm has them, cpu does not', async () => {
    await tf.setBackend('wasm');
    expect(Object.values(FusedKernel).every(hasFusedKernel)).toBe(true);
    await tf.setBackend('cpu');
    expect(Object.values(FusedKernel).some(hasFusedKernel)).toBe(false);
  });
});

describe('F.batchNorm in training mode: fused kernels (wasm) = composite ops (cpu), outputs and all gradients', () => {
  const shapes = [
    [5, 3],
    [4, 3, 7],
    [3, 4, 5, 6],
    [2, 2, 1, 9],
    [7, 1, 3, 3],
  ];
  for (const shape of shapes) {
    for (const affine of [true, false]) {
      test(`x=[${shape}],affine=${affine}`, async () => {
        const c = shape[1];
        // An offset mean (3) checks the shifted one-pass variance against cancellation.
        const inputs: Array<[Float32Array, number[]]> = [
          [values(size(shape), 1, 2.5), shape],
          [values(size(shape), 2), shape],
          [values(c, 3, 1), [c]],
          [values(c, 4), [c]],
        ];
        await compare(
          inputs,
          (x, dy, w, b) => {
            const rm = tf.variable(tf.zeros([c]), false);
            const rv = tf.variable(tf.ones([c]), false);
            const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
              batchNorm(xx, rm, rv, {
                weight: affine ? ww : null,
                bias: affine ? bb : null,
                training: true,
                momentum: 0.3,
                eps: 1e-5,
              });
            const y = f(x, w, b);
            const grads = affine
              ? tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, bb), dy)))([x, w, b])
              : [tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(f(xx, w, b), dy)))(x)];
            const out = [y, ...grads, rm.clone(), rv.clone()];
            rm.dispose();
            rv.dispose();
            return out;
          },
          `batchNorm x=[${shape}]`,
        );
      });
    }
  }
});

describe('F.relu / F.leakyRelu: fused kernels (wasm) = tfjs ops (cpu), forward and gradient', () => {
  for (const slope of [0, 0.2, 0.01]) {
    test(`negativeSlope=${slope}`, async () => {
      const x = values(1001, 5);
      x[0] = 0;
      x[1] = -0;
      const dy = values(1001, 6);
      await compare(
        [
          [x, [7, 11, 13]],
          [dy, [7, 11, 13]],
        ],
        (xt, dyt) => {
          const f = (v: tf.Tensor) => (slope === 0 ? relu(v) : leakyRelu(v, slope));
          return [f(xt), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dyt)))(xt)];
        },
        `slope ${slope}`,
      );
    });
  }
  test('infinities: relu(-inf) = 0, leakyRelu(-inf) = -inf; the ReLU gradient is exactly 0 where x <= 0, even for an infinite dy', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([Infinity, -Infinity, 0, -1, 2]);
    const dy = tf.tensor([1, Infinity, Infinity, -Infinity, 3]);
    expect(Array.from(relu(x).dataSync())).toEqual([Infinity, 0, 0, 0, 2]);
    expect(Array.from(leakyRelu(x, 0.5).dataSync())).toEqual([Infinity, -Infinity, 0, -0.5, 2]);
    expect(
      Array.from(
        tf
          .grad((v: tf.Tensor) => tf.sum(tf.mul(relu(v), dy)))(x)
          .dataSync(),
      ),
    ).toEqual([1, 0, 0, 0, 3]);
    expect(
      Array.from(
        tf
          .grad((v: tf.Tensor) => tf.sum(tf.mul(leakyRelu(v, 0.5), dy)))(x)
          .dataSync(),
      ),
    ).toEqual([1, Infinity, Infinity, -Infinity, 3]);
    await tf.setBackend('cpu');
  });
});

describe('F.linear (untransposed matmuls) on wasm = cpu', () => {
  for (const [n, inF, outF, bias] of [
    [5, 7, 3, true],
    [1, 100, 1, true],
    [16, 9, 33, false],
  ] as const) {
    test(`N=${n},in=${inF},out=${outF},bias=${bias}`, async () => {
      await compare(
        [
          [values(n * inF, 7), [n, inF]],
          [values(outF * inF, 8), [outF, inF]],
          [values(outF, 9), [outF]],
          [values(n * outF, 10), [n, outF]],
        ],
        (x, w, b, dy) => {
          const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => linear(xx, ww, bias ? bb : null);
          const grads = bias
            ? tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, bb), dy)))([x, w, b])
            : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, b), dy)))([x, w]);
          return [f(x, w, b), ...grads];
        },
        'linear',
      );
    });
  }
});

interface ConvCase {
  x: [number, number, number, number];
  outC: number;
  k: number;
  s: number;
  p: number;
}

// NCHW shapes through F.conv2d: few output channels (GEMM + shift-add forward, shifted-dy filter gradient) and many
// channels on both sides (filter gradient as a convolution), with odd sizes and paddings.
const CONV_CASES: ConvCase[] = [
  { x: [3, 16, 9, 7], outC: 1, k: 3, s: 1, p: 1 },
  { x: [2, 5, 6, 8], outC: 2, k: 3, s: 1, p: 0 },
  { x: [2, 4, 5, 5], outC: 1, k: 2, s: 1, p: 1 },
  { x: [2, 3, 7, 6], outC: 1, k: 5, s: 1, p: 2 },
  { x: [4, 16, 6, 5], outC: 16, k: 3, s: 1, p: 1 },
  { x: [3, 17, 9, 9], outC: 20, k: 4, s: 2, p: 1 },
  { x: [2, 16, 7, 8], outC: 18, k: 3, s: 2, p: 0 },
  { x: [2, 24, 5, 5], outC: 16, k: 3, s: 3, p: 2 },
];

describe('F.conv2d on wasm (forward, input and weight gradients) = cpu', () => {
  for (const c of CONV_CASES) {
    test(`x=[${c.x}],outC=${c.outC},k=${c.k},s=${c.s},p=${c.p}`, async () => {
      const wShape = [c.outC, c.x[1], c.k, c.k];
      const yShape = [
        c.x[0],
        c.outC,
        Math.floor((c.x[2] + 2 * c.p - c.k) / c.s) + 1,
        Math.floor((c.x[3] + 2 * c.p - c.k) / c.s) + 1,
      ];
      await compare(
        [
          [values(size(c.x), 11), c.x],
          [values(size(wShape), 12), wShape],
          [values(size(yShape), 13), yShape],
        ],
        (x, w, dy) => {
          const f = (xx: tf.Tensor, ww: tf.Tensor) => conv2d(xx, ww, null, { stride: c.s, padding: c.p });
          return [f(x, w), ...tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(f(xx, ww), dy)))([x, w])];
        },
        'conv2d',
      );
    });
  }
  test('x=[3,32,8,8] -> ConvTranspose2d(32, 16, 4, stride 2, padding 1): weight gradient as a convolution', async () => {
    const xShape = [3, 32, 8, 8];
    const wShape = [32, 16, 4, 4];
    const yShape = [3, 16, 16, 16];
    await compare(
      [
        [values(size(xShape), 14), xShape],
        [values(size(wShape), 15), wShape],
        [values(size(yShape), 16), yShape],
      ],
      (x, w, dy) => {
        const f = (xx: tf.Tensor, ww: tf.Tensor) => convTranspose2d(xx, ww, null, { stride: 2, padding: 1 });
        return [f(x, w), ...tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(f(xx, ww), dy)))([x, w])];
      },
      'convTranspose2d',
    );
  });
});

describe('Identity on wasm shares memory and counts references', () => {
  test('a clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numBytes;
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    b.dispose();
    expect(tf.memory().numBytes).toBe(before);
    await tf.setBackend('cpu');
  });
});

describe('Transpose on wasm (batched 4x4 SIMD blocks for axis-group swaps, stock otherwise) = cpu', () => {
  const cases: Array<[number[], number[]]> = [
    [
      [3, 8, 5, 7],
      [0, 2, 3, 1],
    ],
    [
      [3, 5, 7, 8],
      [0, 3, 1, 2],
    ],
    [
      [2, 16, 12, 12],
      [0, 2, 3, 1],
    ],
    [
      [9, 13],
      [1, 0],
    ],
    [
      [4, 4],
      [1, 0],
    ],
    [
      [2, 1, 6, 6],
      [0, 2, 3, 1],
    ],
    [
      [2, 3, 5],
      [0, 2, 1],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 2, 0],
    ], // not an axis-group swap: the stock kernel
    [
      [3, 4, 5],
      [2, 0, 1],
    ],
  ];
  for (const [shape, perm] of cases) {
    test(`x=[${shape}],perm=[${perm}]`, async () => {
      await compare([[values(size(shape), 21), shape]], (x) => [tf.transpose(x, perm)], `transpose ${perm}`);
    });
  }
  test('int32 goes to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [2, 3],
      'int32',
    );
    expect(Array.from(tf.transpose(x).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    await tf.setBackend('cpu');
  });
});
