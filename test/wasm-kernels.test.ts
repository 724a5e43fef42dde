// The wasm training kernels against the cpu backend's reference kernels, shape by shape.
// Dilation, which tfjs's cpu kernels lack, is checked against the cpu kernels run with the zero-dilated filter.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';

import { BackendError } from '../src/errors';
import {
  registerWasmTrainingKernels,
  stockWasmKernel,
  wasmTrainingKernelsRegistered,
} from '../src/backends/wasm-kernels';
import { ATOL, RTOL, expectClose } from './helpers';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  outC: number;
  s: number | [number, number];
  p: Pad;
  d?: number;
  round?: 'floor' | 'round' | 'ceil';
}

/** Deterministic values in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on `backend` and returns its values (the engine moves the inputs' data between backends). */
async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/** `[kh, kw, c, o]` filter -> its zero-dilated version `[(kh-1)d+1, (kw-1)d+1, c, o]`. */
function dilateFilter(w: Float32Array, shape: number[], d: number): [Float32Array, number[]] {
  const [kh, kw, c, o] = shape;
  const dShape = [(kh - 1) * d + 1, (kw - 1) * d + 1, c, o];
  const out = new Float32Array(size(dShape));
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++)
      out.set(w.subarray((i * kw + j) * c * o, (i * kw + j + 1) * c * o), (i * d * dShape[1] + j * d) * c * o);
  }
  return [out, dShape];
}

/** The taps `[i*d, j*d]` of a dilated filter's gradient: the gradient of the undilated filter. */
function undilate(g: Float32Array, shape: number[], d: number): Float32Array {
  const [kh, kw, c, o] = shape;
  const dW = (kw - 1) * d + 1;
  const out = new Float32Array(size(shape));
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++)
      out.set(g.subarray((i * d * dW + j * d) * c * o, (i * d * dW + j * d + 1) * c * o), (i * kw + j) * c * o);
  }
  return out;
}

/**
 * RTOL, and ATOL scaled by the reference's RMS: a float32 sum of thousands of terms (the cpu kernels accumulate in
 * float64) errs in proportion to the terms' scale, not to its possibly cancelled result.
 */
function tolerance(ref: Float32Array): { rtol: number; atol: number } {
  let ss = 0;
  for (const v of ref) ss += v * v;
  return { rtol: RTOL, atol: ATOL * Math.max(1, Math.sqrt(ss / Math.max(ref.length, 1))) };
}

function caseName(c: Case): string {
  const pad = Array.isArray(c.p) ? JSON.stringify(c.p.slice(1, 3)) : String(c.p);
  return (
    `x=[${c.x}],k=${c.k.join('x')},outC=${c.outC},s=${c.s},p=${pad}` +
    (c.d ? `,d=${c.d}` : '') +
    (c.round ? `,round=${c.round}` : '')
  );
}

const CASES: Case[] = [
  // The article's layers, at a small batch.
  { x: [2, 14, 14, 6], k: [4, 4], outC: 5, s: 2, p: 1 },
  { x: [2, 28, 28, 1], k: [4, 4], outC: 4, s: 2, p: 1 },
  { x: [2, 7, 7, 8], k: [3, 3], outC: 6, s: 2, p: 1 },
  { x: [3, 4, 4, 5], k: [3, 3], outC: 7, s: 1, p: 1 },
  { x: [2, 9, 9, 8], k: [3, 3], outC: 1, s: 1, p: 1 },
  // Odd sizes, 'same'/'valid', strides up to 3, non-square kernels and strides.
  { x: [2, 7, 7, 5], k: [4, 4], outC: 3, s: 2, p: 'same' },
  { x: [1, 9, 8, 3], k: [3, 3], outC: 2, s: 1, p: 'valid' },
  { x: [3, 11, 10, 6], k: [3, 2], outC: 4, s: [3, 2], p: 'valid' },
  { x: [2, 10, 11, 5], k: [5, 3], outC: 6, s: 3, p: 'same' },
  { x: [2, 13, 12, 7], k: [2, 5], outC: 3, s: [2, 3], p: 2 },
  { x: [1, 5, 6, 9], k: [5, 6], outC: 2, s: 1, p: 'valid' },
  // Phases that no tap reaches (k < s), explicit asymmetric padding, padding beyond the kernel (crops dy).
  { x: [2, 9, 9, 6], k: [1, 1], outC: 5, s: 2, p: 'valid' },
  { x: [2, 10, 7, 6], k: [2, 2], outC: 5, s: 3, p: 0 },
  {
    x: [2, 8, 8, 7],
    k: [3, 3],
    outC: 5,
    s: 2,
    p: [
      [0, 0],
      [3, 2],
      [0, 4],
      [0, 0],
    ],
  },
  {
    x: [2, 6, 5, 6],
    k: [1, 2],
    outC: 5,
    s: 1,
    p: [
      [0, 0],
      [2, 3],
      [3, 1],
      [0, 0],
    ],
  },
  { x: [1, 8, 8, 6], k: [3, 3], outC: 5, s: 2, p: 0, round: 'ceil' },
  {
    x: [1, 1, 2, 3],
    k: [1, 1],
    outC: 1,
    s: 3,
    p: [
      [0, 0],
      [5, 0],
      [5, 0],
      [0, 0],
    ],
  }, // windows all in the padding
  {
    x: [2, 1, 2, 6],
    k: [1, 1],
    outC: 5,
    s: 3,
    p: [
      [0, 0],
      [5, 0],
      [5, 0],
      [0, 0],
    ],
  },
  // Few input channels (GEMM + col2im) and few output channels (conv method for the filter gradient).
  { x: [3, 9, 10, 2], k: [3, 4], outC: 5, s: 2, p: 1 },
  { x: [2, 8, 7, 5], k: [4, 3], outC: 2, s: 2, p: 1 },
  { x: [2, 8, 7, 5], k: [3, 3], outC: 1, s: [1, 2], p: 'same' },
  // Dilation: with stride 1 (phases, and col2im for few channels), and with stride 2 (col2im, GEMM).
  { x: [2, 10, 9, 5], k: [3, 3], outC: 4, s: 1, p: 'same', d: 2 },
  { x: [2, 11, 9, 6], k: [2, 3], outC: 1, s: 1, p: 1, d: 3 },
  { x: [2, 10, 9, 3], k: [3, 3], outC: 4, s: 1, p: 0, d: 2 },
  { x: [2, 11, 10, 5], k: [3, 2], outC: 4, s: 2, p: 2, d: 2 },
  // Batches large enough to be processed in chunks (GEMM filter gradient; col2im input gradient).
  { x: [100, 4, 4, 64], k: [7, 7], outC: 4, s: 1, p: 3 },
  { x: [100, 16, 16, 4], k: [7, 7], outC: 8, s: 1, p: 3 },
];

async function checkCase(c: Case): Promise<void> {
  const d = c.d ?? 1;
  const wShape = [c.k[0], c.k[1], c.x[3], c.outC];
  const info = tf.backend_util.computeConv2DInfo(c.x, wShape as [number, number, number, number], c.s, d, c.p, c.round);
  const dyShape = info.outShape;
  const x = values(size(c.x), 1);
  const w = values(size(wShape), 2);
  const dy = values(size(dyShape), 3);
  const [wd, wdShape] = dilateFilter(w, wShape, d);
  const attrs = { strides: c.s, pad: c.p, dataFormat: 'NHWC', dimRoundingMode: c.round } as unknown as tf.NamedAttrMap;
  const run = (kernel: string, inputs: Record<string, [Float32Array, number[]]>, extra: object) => () => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
    const out = tf.engine().runKernel(kernel, ts, { ...attrs, ...extra }) as tf.Tensor;
    tf.dispose(Object.values(ts));
    return out;
  };
  const ours = { dilations: d };
  const dxRef = await on(
    'cpu',
    run('Conv2DBackpropInput', { dy: [dy, dyShape], filter: [wd, wdShape] }, { inputShape: c.x }),
  );
  const dx = await on(
    'wasm',
    run('Conv2DBackpropInput', { dy: [dy, dyShape], filter: [w, wShape] }, { inputShape: c.x, ...ours }),
  );
  expectClose(dx, dxRef, `${caseName(c)}: input gradient`, tolerance(dxRef));
  const dwRef = await on(
    'cpu',
    run('Conv2DBackpropFilter', { x: [x, c.x], dy: [dy, dyShape] }, { filterShape: wdShape }),
  );
  const dw = await on(
    'wasm',
    run('Conv2DBackpropFilter', { x: [x, c.x], dy: [dy, dyShape] }, { filterShape: wShape, ...ours }),
  );
  const dwRefTaps = undilate(dwRef, wShape, d);
  expectClose(dw, dwRefTaps, `${caseName(c)}: filter gradient`, tolerance(dwRefTaps));
}

describe('wasm Conv2DBackpropInput / Conv2DBackpropFilter match the cpu kernels', () => {
  for (const c of CASES) test(caseName(c), () => checkCase(c));
});

test('gradients of conv2d and conv2dTranspose through tf.grads on wasm equal those on cpu', async () => {
  const x = values(2 * 9 * 9 * 3, 4);
  const w1 = values(4 * 4 * 3 * 6, 5);
  const w2 = values(4 * 4 * 2 * 6, 6);
  const r = values(2 * 9 * 9 * 2, 7);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ];
  const grads = (backend: string) => async () => {
    await tf.setBackend(backend);
    const gs = tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, pad); // [2, 4, 4, 6]
        const y = tf.conv2dTranspose(tf.relu(h), c as tf.Tensor4D, [2, 9, 9, 2], 2, pad);
        return tf.sum(tf.mul(y, tf.tensor(r, [2, 9, 9, 2])));
      };
      return tf.grads(f)([tf.tensor(x, [2, 9, 9, 3]), tf.tensor(w1, [4, 4, 3, 6]), tf.tensor(w2, [4, 4, 2, 6])]);
    });
    const out = await Promise.all(gs.map((g) => g.data() as Promise<Float32Array>));
    tf.dispose(gs);
    return out;
  };
  const ref = await grads('cpu')();
  const got = await grads('wasm')();
  ['x', 'conv2d filter', 'conv2dTranspose filter'].forEach((what, i) => expectClose(got[i], ref[i], `d/d ${what}`));
});

test('the kernels free every intermediate tensor', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const x = tf.tensor(values(2 * 9 * 9 * 5, 1), [2, 9, 9, 5]);
  const w = tf.tensor(values(4 * 4 * 5 * 3, 2), [4, 4, 5, 3]);
  const dy = tf.tensor(values(2 * 5 * 5 * 3, 3), [2, 5, 5, 3]);
  const before = backend.numDataIds();
  for (const [s, p] of [
    [2, 1],
    [1, 'same'],
    [3, 0],
  ] as const) {
    const info = tf.backend_util.computeConv2DInfo([2, 9, 9, 5], [4, 4, 5, 3], s, 1, p);
    const g = tf.tensor(values(size(info.outShape), 4), info.outShape);
    const n = backend.numDataIds();
    tf.tidy(() => {
      tf.conv2dTranspose(g as tf.Tensor4D, w as tf.Tensor4D, [2, 9, 9, 5], s, p); // phases
      tf.conv2dTranspose(g as tf.Tensor4D, w.slice([0, 0, 0, 0], [-1, -1, 2, -1]) as tf.Tensor4D, [2, 9, 9, 2], s, p); // col2im
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy: g },
        { strides: s, pad: p, dataFormat: 'NHWC', filterShape: [4, 4, 5, 3] },
      ); // GEMM
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy: g.slice([0, 0, 0, 0], [-1, -1, -1, 1]) },
        { strides: s, pad: p, dataFormat: 'NHWC', filterShape: [4, 4, 5, 1] },
      ); // conv
    });
    expect(backend.numDataIds(), `s=${s},p=${p}`).toBe(n);
    g.dispose();
  }
  expect(backend.numDataIds()).toBe(before);
  tf.dispose([x, w, dy]);
});

test('registration is idempotent and keeps the stock input-gradient kernel for comparison', () => {
  const before = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(before);
  expect(wasmTrainingKernelsRegistered()).toBe(true);
  expect(stockWasmKernel('Conv2DBackpropInput')?.kernelFunc).toBeTypeOf('function');
  expect(stockWasmKernel('Conv2DBackpropInput')?.kernelFunc).not.toBe(before?.kernelFunc);
  expect(stockWasmKernel('Conv2DBackpropFilter')).toBeUndefined();
});

test('unsupported attributes throw a BackendError naming the kernel and attrs, inconsistent shapes a ShapeError', async () => {
  await tf.setBackend('wasm');
  const dy = tf.zeros([1, 3, 3, 2]);
  const w = tf.zeros([3, 3, 4, 2]);
  const call = (attrs: object) => () =>
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
      strides: 1,
      pad: 'same',
      inputShape: [1, 3, 3, 4],
      ...attrs,
    } as tf.NamedAttrMap);
  expect(call({ dataFormat: 'NCHW', inputShape: [1, 4, 3, 3] })).toThrow(BackendError);
  expect(call({ dataFormat: 'NCHW', inputShape: [1, 4, 3, 3] })).toThrow(/Conv2DBackpropInput.*dataFormat: 'NCHW'/);
  const dyInt = tf.zeros([1, 3, 3, 2], 'int32');
  expect(() =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropInput',
        { dy: dyInt, filter: w },
        { strides: 1, pad: 'same', inputShape: [1, 3, 3, 4] },
      ),
  ).toThrow(new BackendError("Conv2DBackpropInput on wasm: expected float32 'dy', got int32 of shape [1,3,3,2]"));
  dyInt.dispose();
  expect(call({ strides: 2 })).toThrow(/dy has spatial size 3x3, but .* gives 2x2/);
  expect(() =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x: tf.zeros([1, 3, 3, 5]), dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 4, 2] },
      ),
  ).toThrow(/Conv2DBackpropFilter: input \[1,3,3,5\] .* disagree/);
  tf.dispose([dy, w]);
});
