// Linear, activations, Dropout, Flatten/Unflatten and Sequential against real PyTorch 1.13
// (test/fixtures/layers.json, written by scripts/fixtures/layers.py).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../src/nn/activation';
import { Sequential } from '../src/nn/container';
import { Dropout } from '../src/nn/dropout';
import { Flatten, Unflatten } from '../src/nn/flatten';
import { Linear } from '../src/nn/linear';
import type { Module } from '../src/nn/module';
import { expectClose, loadFixture, toTensor, type FixtureTensor } from './helpers';

interface Case {
  name: string;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  proj: FixtureTensor;
  grad_input: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  repr: string;
}

function build(c: Case): Module {
  const sd = c.state_dict;
  switch (c.name) {
    case 'linear,in=5,out=3':
      return new Linear(5, 3);
    case 'linear,bias=False':
      return new Linear(7, 2, { bias: false });
    case 'linear,3d-input':
      return new Linear(4, 6);
    case 'linear,N=1':
      return new Linear(100, 9);
    case 'relu':
      return new ReLU();
    case 'leakyrelu,0.2':
      return new LeakyReLU(0.2);
    case 'leakyrelu,default':
      return new LeakyReLU();
    case 'tanh':
      return new Tanh();
    case 'sigmoid':
      return new Sigmoid();
    case 'dropout,eval':
      return new Dropout(0.25).eval();
    case 'flatten':
      return new Flatten();
    case 'flatten,0,-2':
      return new Flatten(0, -2);
    case 'unflatten':
      return new Unflatten(1, [2, 3]);
    case 'sequential':
      return new Sequential(new Linear(4, 8), new LeakyReLU(0.2), new Linear(8, 2), new Sigmoid());
  }
  throw new Error(`no builder for ${c.name} (${Object.keys(sd)})`);
}

const fixture = loadFixture<Case>('layers');

describe('layers match torch 1.13', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const m = build(c);
      expect(m.toString()).toBe(c.repr);
      const sd = new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)]));
      expect([...m.stateDict().keys()]).toEqual(Object.keys(c.state_dict));
      m.loadStateDict(sd);
      const x = tf.variable(toTensor(c.input));
      const out = m.forward(x);
      expectClose(out, c.output, `${c.name}: output`);
      backward(out.mul(toTensor(c.proj)).sum());
      expectClose(x.grad!, c.grad_input, `${c.name}: grad input`);
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name], `${c.name}: grad ${name}`);
      expect(Object.keys(c.grads).sort()).toEqual(
        m
          .namedParameters()
          .map(([n]) => n)
          .sort(),
      );
    });
  }
});

describe('layer errors and memory', () => {
  it('Linear names the shapes on a bad input', () => {
    const fc = new Linear(100, 6272);
    expect(() => fc.forward(tf.zeros([8, 50]))).toThrow(
      /Linear: .*expected input\[-1\] \(in_features\) to be 100, got 50 for input of shape \[8, 50\]/,
    );
    expect(() => new Linear(0, 3)).toThrow(/Linear\(\): argument 'inFeatures' must be an int >= 1, got number 0/);
    // torch's positional arguments (issue 9): Linear(4, 2, False) has no bias; a typo'd option is an error.
    expect(new Linear(4, 2, false).bias).toBeNull();
    expect(() => new Linear(8, 5, { biass: true } as never)).toThrow(
      /unexpected keyword argument 'biass' \(did you mean 'bias'\?\)/,
    );
    expect(() => new Linear('4' as never, 4)).toThrow(/argument 'inFeatures' must be an int >= 1, got string '4'/);
  });
  it('Dropout: p outside [0, 1] is an error; train mode zeroes and rescales; eval is identity', () => {
    expect(() => new Dropout(1.5)).toThrow(/dropout probability has to be between 0 and 1, but got 1.5/);
    const d = new Dropout(0.5);
    const y = d.forward(tf.ones([1000])).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    expect(y.every((v) => v === 0 || v === 2)).toBe(true);
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    const x = tf.ones([3]);
    expect(d.eval().forward(x)).toBe(x);
  });
  it('forward passes leak no tensors', () => {
    const mods: Module[] = [
      new Linear(4, 3),
      new ReLU(),
      new LeakyReLU(0.2),
      new Tanh(),
      new Sigmoid(),
      new Dropout(0.3),
      new Flatten(),
    ];
    const x = tf.randomNormal([2, 4]);
    for (const m of mods) m.forward(x).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++)
      tf.tidy(() => {
        for (const m of mods) m.forward(x);
      });
    expect(tf.memory().numTensors).toBe(before);
  });
});
