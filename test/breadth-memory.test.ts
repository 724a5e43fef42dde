// Issue 11's no-leak bar for the activation, dropout, normalisation and Bilinear modules: a training loop over each
// (forward in train mode, backward, zeroGrad, one tf.tidy per step) keeps tf.memory().numTensors constant.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import type { Module } from '../src/nn/module';

const x4 = [2, 4, 3, 3];
const cases: Array<[string, () => Module, number[][]]> = [
  ['ELU', () => new nn.ELU(), [x4]],
  ['CELU', () => new nn.CELU(0.5), [x4]],
  ['SELU', () => new nn.SELU(), [x4]],
  ['GELU', () => new nn.GELU('tanh'), [x4]],
  ['SiLU', () => new nn.SiLU(), [x4]],
  ['Mish', () => new nn.Mish(), [x4]],
  ['Hardtanh', () => new nn.Hardtanh(), [x4]],
  ['ReLU6', () => new nn.ReLU6(), [x4]],
  ['Hardsigmoid', () => new nn.Hardsigmoid(), [x4]],
  ['Hardswish', () => new nn.Hardswish(), [x4]],
  ['Hardshrink', () => new nn.Hardshrink(), [x4]],
  ['Softshrink', () => new nn.Softshrink(), [x4]],
  ['Tanhshrink', () => new nn.Tanhshrink(), [x4]],
  ['Softsign', () => new nn.Softsign(), [x4]],
  ['Softplus', () => new nn.Softplus(2, 5), [x4]],
  ['LogSigmoid', () => new nn.LogSigmoid(), [x4]],
  ['PReLU', () => new nn.PReLU(4), [x4]],
  ['RReLU', () => new nn.RReLU(), [x4]],
  ['Threshold', () => new nn.Threshold(0.1, 2), [x4]],
  ['GLU', () => new nn.GLU(1), [x4]],
  ['Softmax', () => new nn.Softmax(1), [x4]],
  ['LogSoftmax', () => new nn.LogSoftmax(-1), [x4]],
  ['Softmin', () => new nn.Softmin(1), [x4]],
  ['Softmax2d', () => new nn.Softmax2d(), [x4]],
  ['Dropout', () => new nn.Dropout(0.3), [x4]],
  ['Dropout1d', () => new nn.Dropout1d(0.3), [[2, 4, 5]]],
  ['Dropout2d', () => new nn.Dropout2d(0.3), [x4]],
  ['Dropout3d', () => new nn.Dropout3d(0.3), [[2, 4, 2, 2, 2]]],
  ['AlphaDropout', () => new nn.AlphaDropout(0.3), [x4]],
  ['FeatureAlphaDropout', () => new nn.FeatureAlphaDropout(0.3), [x4]],
  ['LayerNorm', () => new nn.LayerNorm([3, 3]), [x4]],
  ['GroupNorm', () => new nn.GroupNorm(2, 4), [x4]],
  ['InstanceNorm1d', () => new nn.InstanceNorm1d(4, { affine: true, trackRunningStats: true }), [[2, 4, 5]]],
  ['InstanceNorm2d', () => new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }), [x4]],
  ['LocalResponseNorm', () => new nn.LocalResponseNorm(3), [x4]],
  [
    'Bilinear',
    () => new nn.Bilinear(3, 2, 4),
    [
      [5, 3],
      [5, 2],
    ],
  ],
];

describe('training loops keep tf.memory().numTensors constant', () => {
  for (const [name, make, shapes] of cases) {
    it(name, () => {
      const m = make().train();
      const inputs = shapes.map((s) => tf.variable(tf.randomNormal(s)));
      const step = () =>
        tf.tidy(() => {
          m.zeroGrad();
          const out = m.forward(...inputs) as tf.Tensor;
          backward(tf.sum(tf.mul(out, out)));
        });
      step();
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      for (const x of inputs) x.dispose();
      m.zeroGrad();
      for (const p of m.parameters()) p.dispose();
      for (const [, b] of m.namedBuffers()) b.dispose();
    });
  }
});
