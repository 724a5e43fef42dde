// A conv2d -> batch norm (training) -> leaky ReLU block and its gradients on fixed values, big enough for XNNPACK to
// split across threads; the functional ops are passed in (src/ in the test, the built package in the child process).
import * as tf from '@tensorflow/tfjs-core';

import type { batchNorm as BatchNorm } from '../../src/nn/functional/batchnorm';
import type { conv2d as Conv2d } from '../../src/nn/functional/conv';
import type { leakyRelu as LeakyRelu } from '../../src/nn/functional/activation';

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** The functional ops the probe uses. */
export interface ProbeOps {
  conv2d: typeof Conv2d;
  batchNorm: typeof BatchNorm;
  leakyRelu: typeof LeakyRelu;
}

/**
 * `[y, dx, dw]` of `leakyRelu(batchNorm(conv2d(x [8, 16, 12, 12], w [24, 16, 3, 3], padding 1)), 0.2)` against a fixed
 * `dy`.
 */
export function convProbe({ conv2d, batchNorm, leakyRelu }: ProbeOps): tf.Tensor[] {
  const x = tf.tensor(values(8 * 16 * 12 * 12, 1), [8, 16, 12, 12]);
  const w = tf.tensor(values(24 * 16 * 9, 2), [24, 16, 3, 3]);
  const dy = tf.tensor(values(8 * 24 * 12 * 12, 3), [8, 24, 12, 12]);
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    leakyRelu(batchNorm(conv2d(a, b, null, { padding: 1 }), null, null, { training: true }), 0.2);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([x, w]);
  const y = f(x, w);
  tf.dispose([x, w, dy]);
  return [y, dx, dw];
}
