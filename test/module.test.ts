// nn.Module's API against real PyTorch 1.13 (test/fixtures/module_api.json, scripts/fixtures/module_api.py):
// traversal orders with a shared submodule, apply order, state-dict keys, load_state_dict's collected
// error text, registration checks; and the module-path prefix on errors raised inside forward.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { Generator } from '../src/models/dcgan';
import { ReLU } from '../src/nn/activation';
import { BatchNorm1d } from '../src/nn/batchnorm';
import { Sequential } from '../src/nn/container';
import { Linear } from '../src/nn/linear';
import { Module } from '../src/nn/module';
import { Parameter } from '../src/autograd';
import { loadFixture } from './helpers';

const c = loadFixture<Record<string, any>>('module_api').cases[0];

function build() {
  const shared = new Linear(3, 3);
  return new Sequential(shared, new ReLU(), new Sequential(new Linear(3, 2), shared), new BatchNorm1d(3));
}

describe('Module traversal matches torch', () => {
  it('named parameters/buffers/modules/children, de-duplication, state-dict keys, repr', () => {
    const net = build();
    expect(net.namedParameters().map(([k]) => k)).toEqual(c.named_parameters);
    expect(net.parameters().length).toBe(c.n_parameters);
    expect(net.namedBuffers().map(([k]) => k)).toEqual(c.named_buffers);
    expect(net.namedModules().map(([k]) => k)).toEqual(c.named_modules);
    expect(net.namedChildren().map(([k]) => k)).toEqual(c.named_children);
    expect([...net.stateDict().keys()]).toEqual(c.state_dict_keys);
    expect(net.toString()).toBe(c.repr);
  });

  it('apply() visits children first and returns the module', () => {
    const net = build();
    const order: string[] = [];
    expect(net.apply((m) => order.push(m.typeName))).toBe(net);
    expect(order).toEqual(c.apply_order);
  });

  it('train()/eval() recurse', () => {
    const net = build();
    expect(
      net
        .eval()
        .modules()
        .every((m) => !m.training),
    ).toBe(true);
    expect(
      net
        .train()
        .modules()
        .every((m) => m.training),
    ).toBe(true);
  });
});

describe('loadStateDict', () => {
  it("collects every missing key, unexpected key and size mismatch into torch's one error", () => {
    const g = new Generator();
    const sd = g.stateDict();
    sd.delete('gen2.bn.running_var');
    sd.set('gen1.conv.weight', tf.zeros([128, 64, 4, 4]));
    sd.set('extra.weight', tf.zeros([1]));
    sd.set('gen3.conv.bias', tf.zeros([1]));
    const torchText = (c.load_error as string).replace(/torch\.Size\((\[[^\]]*\])\)/g, '$1');
    let err: Error | null = null;
    try {
      g.loadStateDict(sd);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toBe(torchText);
    expect(err).toMatchObject({
      missingKeys: ['gen2.bn.running_var'],
      unexpectedKeys: ['extra.weight', 'gen3.conv.bias'],
    });
  });

  it('strict=false reports missing and unexpected keys instead of throwing', () => {
    const g = new Generator();
    const sd = g.stateDict();
    sd.delete('linear.bias');
    const res = g.loadStateDict(sd, { strict: false });
    expect(res).toEqual({ missingKeys: c.non_strict.missing, unexpectedKeys: c.non_strict.unexpected });
  });

  it('copies in place: the module keeps its Parameter objects', () => {
    const a = new Linear(2, 2);
    const b = new Linear(2, 2);
    const w = b.weight;
    b.loadStateDict(a.stateDict());
    expect(b.weight).toBe(w);
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
  });
});

describe('registration checks', () => {
  class Bare extends Module {
    constructor() {
      super();
      this.registerParameter('weight', new Parameter(tf.zeros([1])));
    }
  }
  it("rejects names torch rejects, with torch's words", () => {
    const strip = (s: string) => s.replace(/^["']|["']$/g, '').replace(/\\'/g, "'");
    expect(() => new Bare().registerParameter('a.b', null)).toThrow(strip(c.register_error_dot));
    expect(() => new Bare().registerParameter('', null)).toThrow(strip(c.register_error_empty));
    expect(() => new Bare().registerBuffer('weight', null)).toThrow(strip(c.register_error_exists));
    expect(() => new Bare().registerParameter('x', tf.zeros([1]) as unknown as Parameter)).toThrow(
      /Parameter or null required/,
    );
  });
});

describe('errors inside forward name the module path', () => {
  it('a wrong latent size names Generator.linear', () => {
    expect(() => new Generator().forward(tf.zeros([2, 50]))).toThrow(
      /^Generator\.linear \(Linear\): linear: expected input\[-1\] \(in_features\) to be 100, got 50 for input of shape \[2, 50\]/,
    );
  });
  it('a wrong channel count names the conv inside gen1', () => {
    const g = new Generator();
    expect(() => g.gen1.forward(tf.zeros([2, 64, 7, 7]))).toThrow(/^gen_conv\.conv \(ConvTranspose2d\): .*64/);
  });
});
