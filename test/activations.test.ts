// Activation modules and F.* ops against real PyTorch 1.13 (test/fixtures/activations*.json, written by
// scripts/fixtures/activations.py): values and gradients at each function's kinks, RReLU's seeded draws, the softmax
// family's legacy dim rule and torch's refusals; argument checks of issue 18; the same cases on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as F from '../src/nn/functional';
import * as nn from '../src/nn';
import { manualSeed } from '../src/random';
import { type FunctionCase, checkFunctionCase } from './function-cases';
import { loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, checkModuleCase } from './module-cases';

type Seeded<C> = C & { seed?: number };
const modules = loadFixture<Seeded<ModuleCase>>('activations');
const functions = loadFixture<Seeded<FunctionCase>>('activations_f');

function runAll(): void {
  for (const c of modules.cases) {
    it(c.name + (c.seed != null ? `,seed=${c.seed}` : ''), () => {
      if (c.seed != null) manualSeed(c.seed);
      checkModuleCase(c);
    });
  }
  for (const c of functions.cases) it(c.name, () => checkFunctionCase(c));
}

describe('activations match torch 1.13', () => {
  runAll();
});

describe('activations match torch 1.13 on wasm', () => {
  useWasmBackend();
  runAll();
});

describe('activation arguments (issue 18)', () => {
  const x = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  it('F.softmax / F.logSoftmax: a non-integer or out-of-range dim is an error before any kernel runs', () => {
    const before = tf.memory().numTensors;
    expect(() => F.softmax(x, 0.5)).toThrow(/argument 'dim' must be an int.*got number 0.5/);
    expect(() => F.logSoftmax(x, 0.5)).toThrow(/argument 'dim' must be an int/);
    expect(() => F.softmax(x, 1.5)).toThrow(/argument 'dim' must be an int/);
    expect(() => F.softmax(x, 5)).toThrow(/Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)/);
    expect(() => F.softmax(x, { dim: -3 })).toThrow(/Dimension out of range/);
    expect(() => F.softmax(x, { dims: 1 } as never)).toThrow(
      /unexpected keyword argument 'dims' \(did you mean 'dim'\?\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
  it('module hyperparameters are checked', () => {
    expect(() => new nn.LeakyReLU(Number.NaN)).toThrow(/negativeSlope.*must be a finite number, got number NaN/);
    expect(() => new nn.LeakyReLU('0.2' as never)).toThrow(/got string '0.2'/);
    expect(() => new nn.ReLU({ inplace: 1 } as never)).toThrow(/'inplace' must be a boolean/);
    expect(() => new nn.Hardtanh(1, -1)).toThrow(/max_val must be greater than min_val/);
    expect(() => new nn.Softshrink(-0.5)).toThrow(/lambd/);
    expect(() => new nn.CELU(0)).toThrow(/must not be 0/);
    expect(() => new nn.GELU('fast' as never)).toThrow(/one of 'none', 'tanh'/);
    expect(() => new nn.PReLU(0)).toThrow(/numParameters/);
    expect(() => new nn.Softmax(1.5)).toThrow(/must be an int/);
    expect(() => new nn.Tanh({ inplace: true } as never)).toThrow(/unexpected keyword argument 'inplace'/);
  });
  it('print text as torch for inplace flags', () => {
    expect(new nn.ReLU(true).toString()).toBe('ReLU(inplace=True)');
    expect(new nn.LeakyReLU(0.1, true).toString()).toBe('LeakyReLU(negative_slope=0.1, inplace=True)');
    expect(new nn.SiLU({ inplace: true }).toString()).toBe('SiLU(inplace=True)');
    expect(new nn.Hardswish(true).toString()).toBe('Hardswish()');
    expect(new nn.ReLU6(true).toString()).toBe('ReLU6(inplace=True)');
    expect(new nn.Threshold(0.1, 20, true).toString()).toBe('Threshold(threshold=0.1, value=20, inplace=True)');
  });
});
