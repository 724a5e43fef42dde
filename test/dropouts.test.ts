// Dropout variants against real PyTorch 1.13 (test/fixtures/dropouts*.json, written by scripts/fixtures/dropouts.py):
// each training case seeds the generator as the script did, so the masks must be torch's; eval, p = 0 and 1,
// unbatched inputs, torch's refusals; the same cases on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as nn from '../src/nn';
import { manualSeed } from '../src/random';
import { type FunctionCase, checkFunctionCase } from './function-cases';
import { loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, checkModuleCase } from './module-cases';

type Seeded<C> = C & { seed?: number };
const modules = loadFixture<Seeded<ModuleCase>>('dropouts');
const functions = loadFixture<Seeded<FunctionCase>>('dropouts_f');

function runAll(): void {
  const seeded =
    <C>(c: Seeded<C>, check: (c: C) => void) =>
    () => {
      if (c.seed != null) manualSeed(c.seed);
      check(c);
    };
  for (const c of modules.cases)
    it(
      `${c.name},seed=${c.seed}`,
      seeded(c, (x) => checkModuleCase(x)),
    );
  for (const c of functions.cases)
    it(
      `${c.name},seed=${c.seed}`,
      seeded(c, (x) => checkFunctionCase(x)),
    );
}

describe('dropout variants match torch 1.13 (same masks for the same seed)', () => {
  runAll();
});

describe('dropout variants match torch 1.13 on wasm', () => {
  useWasmBackend();
  runAll();
});

describe('dropout arguments (issue 18)', () => {
  it('p is a number in [0, 1]; null, NaN and strings are refused', () => {
    expect(() => new nn.Dropout(null as never)).toThrow(/'p' must be a finite number, got null/);
    expect(() => new nn.Dropout(Number.NaN)).toThrow(/got number NaN/);
    expect(() => new nn.Dropout2d('0.5' as never)).toThrow(/got string '0.5'/);
    expect(() => new nn.AlphaDropout(1.5)).toThrow(/dropout probability has to be between 0 and 1, but got 1.5/);
    expect(() => new nn.Dropout(0.5, { inplce: true } as never)).toThrow(/did you mean 'inplace'/);
  });
  it('a failing call frees what it allocated', () => {
    const x = tf.zeros([2, 3]);
    const before = tf.memory().numTensors;
    expect(() => new nn.Dropout1d(0.5).forward(tf.zeros([2, 3, 4, 5]))).toThrow(/Expected 2D or 3D input/);
    expect(tf.memory().numTensors).toBe(before + 1); // only the zeros made in the call above
    x.dispose();
  });
});
