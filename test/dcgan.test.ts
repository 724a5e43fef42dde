// The article's Generator and Discriminator against the article's PyTorch code run by torch 1.13
// (test/fixtures/dcgan.json, scripts/fixtures/dcgan.py).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import { Discriminator, Generator, weightsInit } from '../src/models/dcgan';
import { BCELoss } from '../src/nn/loss';
import { manualSeed } from '../src/random';
import { expectClose, loadFixture, toTensor, useWasmBackend, type FixtureTensor } from './helpers';

type SD = Record<string, FixtureTensor>;
interface Case {
  g_keys: Array<[string, number[]]>;
  d_keys: Array<[string, number[]]>;
  g_repr: string;
  d_repr: string;
  g_modules: string[];
  d_modules: string[];
  g_init: SD;
  d_init: SD;
  z: FixtureTensor;
  g_eval: FixtureTensor;
  d_eval: FixtureTensor;
  real: FixtureTensor;
  g_train: FixtureTensor;
  d_out_real: FixtureTensor;
  d_out_fake: FixtureTensor;
  d_loss: number;
  d_grads: SD;
  g_grads_from_d_loss: SD;
  g_bn_state_after_train_forward: SD;
}

const c = loadFixture<Case>('dcgan').cases[0];
const toSD = (sd: SD) => new Map(Object.entries(sd).map(([k, v]) => [k, toTensor(v)]));

describe("the article's DCGAN matches its PyTorch code", () => {
  it("state-dict keys and shapes, module names and print(model) are torch's", () => {
    const g = new Generator();
    const d = new Discriminator();
    expect([...g.stateDict().entries()].map(([k, v]) => [k, v.shape])).toEqual(c.g_keys);
    expect([...d.stateDict().entries()].map(([k, v]) => [k, v.shape])).toEqual(c.d_keys);
    expect(g.namedModules().map(([k]) => k)).toEqual(c.g_modules);
    // torch's Discriminator also lists nothing for `act` (torch.sigmoid is a function, not a module).
    expect(d.namedModules().map(([k]) => k)).toEqual(c.d_modules);
    expect(g.toString()).toBe(c.g_repr);
    expect(d.toString()).toBe(c.d_repr);
  });

  it("manualSeed(0) + weightsInit gives torch's exact initial weights", () => {
    manualSeed(0);
    const d = new Discriminator();
    const g = new Generator();
    g.apply(weightsInit);
    d.apply(weightsInit);
    for (const [k, v] of g.stateDict()) expectClose(v, c.g_init[k], `G ${k}`, { rtol: 0, atol: 0 });
    for (const [k, v] of d.stateDict()) expectClose(v, c.d_init[k], `D ${k}`, { rtol: 0, atol: 0 });
  });

  it("loads torch's state dicts and gives torch's outputs in eval mode", () => {
    const g = new Generator();
    const d = new Discriminator();
    g.loadStateDict(toSD(c.g_init));
    d.loadStateDict(toSD(c.d_init));
    g.eval();
    d.eval();
    const img = g.forward(toTensor(c.z));
    expectClose(img, c.g_eval, 'G(z) eval');
    expectClose(d.forward(img), c.d_eval, 'D(G(z)) eval');
  });
});

describe("the article's DCGAN trains as its PyTorch code (wasm backend)", () => {
  useWasmBackend();

  it("one iteration of the article's D loss: outputs, loss, every gradient, BatchNorm running stats", () => {
    const g = new Generator();
    const d = new Discriminator({ dropout: 0 });
    g.loadStateDict(toSD(c.g_init));
    d.loadStateDict(toSD(c.d_init));
    const criterion = new BCELoss();
    const outReal = d.forward(toTensor(c.real));
    expectClose(outReal, c.d_out_real, 'D(x)');
    const dLossReal = criterion.forward(outReal, tf.ones([4]));
    const fakeImage = g.forward(toTensor(c.z));
    expectClose(fakeImage, c.g_train, 'G(z) train mode');
    const outFake = d.forward(fakeImage);
    expectClose(outFake, c.d_out_fake, 'D(G(z))');
    const dLoss = dLossReal.add(criterion.forward(outFake, tf.zeros([4]))).mul(0.5);
    expectClose(dLoss, c.d_loss, 'd_loss');
    backward(dLoss);
    for (const [k, p] of d.namedParameters()) expectClose(p.grad!, c.d_grads[k], `D grad ${k}`);
    // Not detached, as in the article: the D loss also reaches the generator's parameters.
    for (const [k, p] of g.namedParameters()) expectClose(p.grad!, c.g_grads_from_d_loss[k], `G grad ${k}`);
    const sd = g.stateDict();
    for (const [k, v] of Object.entries(c.g_bn_state_after_train_forward)) expectClose(sd.get(k)!, v, `G ${k}`);
  });
});

describe('DCGAN model options', () => {
  it('invalid model options are clear errors at construction', () => {
    expect(() => new Generator({ imgSize: 30 })).toThrow(/imgSize must be a multiple of 4.*got 30/);
    expect(() => new Discriminator({ imgSize: 2 })).toThrow(/imgSize 2 is too small for the layer stack/);
    expect(() => new Generator({ preset: 'tf' as never })).toThrow(/preset must be 'torch' or 'keras'/);
    expect(() => new Discriminator().forward(tf.zeros([2, 1, 32, 32]))).toThrow(
      /expected input of shape \[N, 1, 28, 28\], got \[2, 1, 32, 32\]/,
    );
  });

  it("the keras preset builds the article's Keras shapes", () => {
    const g = new Generator({ preset: 'keras' });
    const d = new Discriminator({ preset: 'keras' });
    expect(g.forward(tf.zeros([2, 100])).shape).toEqual([2, 1, 28, 28]);
    expect(d.forward(tf.zeros([2, 1, 28, 28])).shape).toEqual([2]);
    expect(g.gen1.bn!.momentum).toBeCloseTo(0.2);
    expect(String(g.gen1)).toContain(
      'ConvTranspose2d(128, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), bias=False)',
    );
    expect(String(g.gen2.bn)).toBe('BatchNorm2d(64, eps=0.001, momentum=0.2, affine=True, track_running_stats=True)');
    expect(String(d.disc1.conv)).toBe('Conv2d(1, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)');
    // Same keys as the torch preset, different kernel sizes: loading one into the other is a size mismatch.
    expect([...g.stateDict().keys()]).toEqual([...new Generator().stateDict().keys()]);
    expect(() => d.loadStateDict(new Discriminator().stateDict())).toThrow(/size mismatch for disc1\.conv\.weight/);
  });
});
