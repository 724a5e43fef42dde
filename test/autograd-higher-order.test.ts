// Second derivatives (autograd.grad with createGraph, then backward through the gradient) of the ops a gradient
// penalty runs through, on the cpu and wasm backends, against torch 1.13 (test/fixtures/higher_order.json from
// scripts/fixtures/higher_order.py; the functions are the fixture's, by case name); and a WGAN-GP critic step in
// training mode on both backends (test/fixtures/wgan_gp_train.json). The eval-mode gradient penalty on the article's
// Discriminator runs on cpu and wasm in autograd-api.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as torch from '../src';
import { Discriminator, autograd, requiresGrad_ } from '../src';
import * as F from '../src/nn/functional';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface HigherCase {
  name: string;
  args: FixtureTensor[];
  requires_grad: boolean[];
  diff: number[];
  proj: FixtureTensor;
  proj2: FixtureTensor[];
  first: FixtureTensor[];
  grads: Array<FixtureTensor | null>;
}

const leaky = (x: tf.Tensor) => F.leakyRelu(x, 0.2);
const bnTrain = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => F.batchNorm(x, null, null, w, b, true);

/** scripts/fixtures/higher_order.py's FNS, in the library's terms. */
const FNS: Record<string, (...a: tf.Tensor[]) => tf.Tensor> = {
  tanh: (x) => F.tanh(x),
  sigmoid: (x) => F.sigmoid(x),
  softplus: (x) => F.softplus(x),
  elu: (x) => F.elu(x),
  'leaky_relu mlp': (x, w1, b1, w2, b2) => F.linear(leaky(F.linear(x, w1, b1)), w2, b2),
  'linear sigmoid': (x, w, b) => F.sigmoid(F.linear(x, w, b)),
  'linear (no bias) square': (x, w) => tf.square(F.linear(x, w)),
  'conv2d tanh': (x, w, b) => F.tanh(F.conv2d(x, w, b, 2, 1)),
  'conv2d leaky_relu': (x, w, b) => leaky(F.conv2d(x, w, b, 1, 1)),
  'batch_norm training': bnTrain,
  'batch_norm eval tanh': (x, w, b, rm, rv) => F.tanh(F.batchNorm(x, rm, rv, w, b, false)),
  'conv2d batch_norm leaky_relu': (x, w, g, b) => leaky(bnTrain(F.conv2d(x, w, null, 2, 1), g, b)),
  'max_pool2d tanh': (x) => F.tanh(F.maxPool2d(x, 2) as tf.Tensor),
  'avg_pool2d square': (x) => tf.square(F.avgPool2d(x, 2, 1)),
  log_softmax: (x) => F.logSoftmax(x, 1),
  layer_norm: (x, w, b) => F.layerNorm(x, [x.shape[x.rank - 1]], w, b),
  'conv_transpose2d tanh': (x, w, b) => F.tanh(F.convTranspose2d(x, w, b, 2, 1)),
  gelu: (x) => F.gelu(x),
  mse_loss: (x, t) => tf.reshape(F.mseLoss(x, t), [1]),
  bce_with_logits: (x, t) => tf.reshape(F.binaryCrossEntropyWithLogits(x, t), [1]),
  cross_entropy: (x, t) => tf.reshape(F.crossEntropy(x, t), [1]),
  softmax: (x) => F.softmax(x, -1),
  group_norm: (x, w, b) => F.groupNorm(x, 2, w, b),
  instance_norm: (x) => F.instanceNorm(x),
  smooth_l1_loss: (x, t) => tf.reshape(F.smoothL1Loss(x, t, { beta: 2 }), [1]),
};

function checkHigher(c: HigherCase): void {
  tf.tidy(() => {
    const args = c.args.map((a, i) => (c.requires_grad[i] ? requiresGrad_(toTensor(a)) : toTensor(a)));
    const y = FNS[c.name](...args);
    const first = autograd.grad(
      tf.sum(tf.mul(y, toTensor(c.proj))),
      c.diff.map((i) => args[i]),
      { createGraph: true },
    );
    first.forEach((g, k) => {
      expectClose(g!, c.first[k], `first gradient of argument ${c.diff[k]}`);
    });
    const terms = first.map((g, k) => tf.sum(tf.mul(g!, toTensor(c.proj2[k]))));
    (terms.length === 1 ? terms[0] : tf.addN(terms)).backward();
    c.grads.forEach((e, i) => {
      if (!c.requires_grad[i]) return;
      const got = args[i].grad;
      // torch has no gradient where nothing depends on the argument twice: none here, or zeros.
      if (e === null) {
        if (got)
          expect(
            Array.from(got.dataSync()).every((v) => v === 0),
            `argument ${i}: zeros`,
          ).toBe(true);
        return;
      }
      expect(got, `argument ${i} has a gradient`).not.toBeNull();
      expectClose(got!, e, `second-order gradient of argument ${i}`);
    });
  });
}

const cases = loadFixture<HigherCase>('higher_order').cases;

describe('second derivatives match torch 1.13 (cpu)', () => {
  for (const c of cases) it(`${c.name} (diff ${c.diff})`, () => checkHigher(c));
});

describe('second derivatives match torch 1.13 (wasm)', () => {
  useWasmBackend();
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });
  for (const c of cases) it(`${c.name} (diff ${c.diff})`, () => checkHigher(c));
});

interface GPTrainCase {
  name: string;
  seed: number;
  state_dict: Record<string, FixtureTensor>;
  real: FixtureTensor;
  fake: FixtureTensor;
  x_hat: FixtureTensor;
  out_real: FixtureTensor;
  out_fake: FixtureTensor;
  grad_x: FixtureTensor;
  penalty: FixtureTensor;
  d_loss: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  grad_x_hat: FixtureTensor;
}

/** A WGAN-GP critic step in training mode (dropout masks from the seed), as scripts/fixtures/wgan_gp_train.py. */
function checkCriticStep(c: GPTrainCase): void {
  const d = new Discriminator({ width: 4 });
  d.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
  d.train();
  tf.tidy(() => {
    torch.manualSeed(c.seed);
    const outReal = d.forward(toTensor(c.real));
    const outFake = d.forward(toTensor(c.fake));
    const xHat = requiresGrad_(toTensor(c.x_hat));
    const out = d.forward(xHat);
    expectClose(outReal, c.out_real, 'D(real)');
    expectClose(outFake, c.out_fake, 'D(fake)');
    const [g] = autograd.grad(out, xHat, { gradOutputs: tf.onesLike(out), createGraph: true });
    expectClose(g!, c.grad_x, 'gradient of D(x_hat)');
    const n = xHat.shape[0];
    const gp = torch.linalg.vectorNorm(g!.view(n, -1), 2, 1).sub(1).square().mean().mul(10);
    expectClose(gp, c.penalty, 'penalty');
    const dLoss = outFake.mean().sub(outReal.mean()).add(gp);
    expectClose(dLoss, c.d_loss, 'd_loss');
    dLoss.backward();
    for (const [name, p] of d.namedParameters()) expectClose(p.grad!, c.grads[name], `grad of ${name}`);
    expectClose(xHat.grad!, c.grad_x_hat, 'grad of x_hat');
  });
  for (const p of d.parameters()) p.dispose();
}

describe('WGAN-GP critic step in training mode matches torch 1.13 (cpu)', () => {
  for (const c of loadFixture<GPTrainCase>('wgan_gp_train').cases) it(c.name, () => checkCriticStep(c));
});

describe('WGAN-GP critic step in training mode matches torch 1.13 (wasm)', () => {
  useWasmBackend();
  for (const c of loadFixture<GPTrainCase>('wgan_gp_train').cases) it(c.name, () => checkCriticStep(c));
});
