// Padding and resampling layers against PyTorch 1.13 (test/fixtures/padding.json and upsampling.json, written by
// scripts/fixtures/padding.py and upsampling.py), on the cpu backend and on wasm (the default backend).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import * as F from '../src/nn/functional';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const padding = loadFixture<ModuleCase>('padding');
const upsampling = loadFixture<ModuleCase & FunctionCase>('upsampling');
const modules: Fixture<ModuleCase> = { ...upsampling, cases: upsampling.cases.filter((c) => 'kind' in c) };
const functions: Fixture<FunctionCase> = { ...upsampling, cases: upsampling.cases.filter((c) => 'fn' in c) };

describe('padding layers match torch 1.13 (cpu)', () => runModuleCases(padding));
describe('resampling layers match torch 1.13 (cpu)', () => runModuleCases(modules));
describe('F.interpolate / pixel shuffles match torch 1.13 (cpu)', () => runFunctionCases(functions));

describe('padding and resampling on wasm (the default backend) match torch 1.13', () => {
  useWasmBackend();
  runModuleCases(padding);
  runModuleCases(modules);
});

describe('resampling: arguments, errors, no leaks', () => {
  test("torch's print text and positional order", () => {
    expect(String(new nn.ReflectionPad2d([1, 1, 2, 0]))).toBe('ReflectionPad2d((1, 1, 2, 0))');
    expect(String(new nn.Upsample(null, 2, 'bilinear'))).toBe('Upsample(scale_factor=2.0, mode=bilinear)');
  });
  test('errors name the function and the shapes', () => {
    expect(() => F.interpolate(tf.zeros([1, 2, 3, 4]), 4, { mode: 'linear' })).toThrow(
      'F.interpolate: got 4-D input of shape [1, 2, 3, 4], but linear mode needs 3-D input',
    );
    expect(() => F.pixelShuffle(tf.zeros([1, 8, 3, 3]), 3)).toThrow(/input.size\(-3\)=8 is not divisible by 9/);
    expect(() => new nn.ReflectionPad2d(3).forward(tf.zeros([1, 1, 3, 3]))).toThrow(
      /must be smaller than the input size 3/,
    );
  });
  test('a training loop keeps the tensor count constant', () => {
    const up = new nn.Upsample({ scaleFactor: 2, mode: 'bicubic' });
    const pad = new nn.ReflectionPad2d(1);
    const shuffle = new nn.PixelShuffle(2);
    const x = tf.variable(tf.randomNormal([1, 4, 5, 5]));
    const step = () =>
      tf.tidy(() => {
        backward(tf.sum(shuffle.forward(pad.forward(up.forward(x)))));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
