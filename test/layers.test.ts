// Linear, activations, Dropout, Flatten/Unflatten and Sequential against real PyTorch 1.13
// (test/fixtures/layers.json: module_case lines in scripts/fixtures/layers.py, checked by test/module-cases.ts).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../src/nn/activation';
import { Dropout } from '../src/nn/dropout';
import { Flatten } from '../src/nn/flatten';
import { Linear } from '../src/nn/linear';
import type { Module } from '../src/nn/module';

import { loadFixture } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

describe('layers match torch 1.13', () => runModuleCases(loadFixture<ModuleCase>('layers')));

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
