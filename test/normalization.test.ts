// LayerNorm, GroupNorm, InstanceNorm1d/2d, LocalResponseNorm and their F.* ops against real PyTorch 1.13
// (test/fixtures/normalization*.json, written by scripts/fixtures/normalization.py).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as nn from '../src/nn';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

describe('normalization modules match torch 1.13', () => {
  runModuleCases(loadFixture<ModuleCase>('normalization'));
});

describe('normalization F.* match torch 1.13', () => {
  runFunctionCases(loadFixture<FunctionCase>('normalization_f'));
});

describe('normalization modules train on wasm (same torch numbers)', () => {
  useWasmBackend();
  runModuleCases(loadFixture<ModuleCase>('normalization'));
});

describe('normalization arguments and shapes (issues 11, 18)', () => {
  it('constructors check their arguments as torch', () => {
    expect(() => new nn.GroupNorm(2, 5)).toThrow(/num_channels must be divisible by num_groups/);
    expect(() => new nn.LayerNorm('5' as never)).toThrow(/got string '5'/);
    expect(() => new nn.LayerNorm(5, { eps: Number.NaN })).toThrow(/eps/);
    expect(() => new nn.InstanceNorm2d(3, { affin: true } as never)).toThrow(/did you mean 'affine'/);
    expect(() => new nn.LocalResponseNorm(0)).toThrow(/size/);
  });
  it('a wrong input rank or shape is an error naming the module and the shape, and frees nothing it made', () => {
    const x = tf.zeros([2, 3, 4, 5]);
    const before = tf.memory().numTensors;
    expect(() => new nn.InstanceNorm1d(3).forward(x)).toThrow(
      /InstanceNorm1d.*expected 2-D or 3-D input.*\[2, 3, 4, 5\]/,
    );
    expect(() => new nn.LayerNorm(4).forward(x)).toThrow(/expected input with shape \[\*, 4\].*\[2, 3, 4, 5\]/);
    const gn = new nn.GroupNorm(2, 4);
    const n = tf.memory().numTensors;
    expect(() => gn.forward(x)).toThrow(/divisible by num_groups, but got input of shape \[2, 3, 4, 5\]/);
    expect(tf.memory().numTensors).toBe(n);
    expect(before).toBeLessThanOrEqual(n);
    x.dispose();
  });
});
