// nn.Bilinear and F.bilinear against real PyTorch 1.13 (test/fixtures/bilinear*.json, written by
// scripts/fixtures/bilinear.py): forward, gradients of both inputs and the parameters, torch's init for a seed,
// torch's refusals; the same cases on wasm.
import { describe, expect, it } from 'vitest';

import { manualSeed } from '../src/random';
import * as nn from '../src/nn';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { expectClose, loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, buildModule, runModuleCases } from './module-cases';

describe('Bilinear matches torch 1.13', () => {
  runModuleCases(loadFixture<ModuleCase>('bilinear'));
  runFunctionCases(loadFixture<FunctionCase>('bilinear_f'));
  for (const c of loadFixture<ModuleCase & { seed: number }>('bilinear_init').cases) {
    it(`${c.name}: torch's initial weights for seed ${c.seed}`, () => {
      manualSeed(c.seed);
      const m = buildModule(c);
      const sd = m.stateDict();
      expect([...sd.keys()]).toEqual(Object.keys(c.state_dict));
      for (const [k, v] of Object.entries(c.state_dict)) expectClose(sd.get(k)!, v, k, { rtol: 0, atol: 0 });
      for (const p of m.parameters()) p.dispose();
    });
  }
  it('checks its arguments', () => {
    expect(() => new nn.Bilinear(3, 4, undefined as never)).toThrow(/missing required argument 'outFeatures'/);
    expect(() => new nn.Bilinear(3, 4, 0)).toThrow(/outFeatures/);
    expect(() => new nn.Bilinear(3, 4, 2, { bais: false } as never)).toThrow(/did you mean 'bias'/);
  });
});

describe('Bilinear trains on wasm (same torch numbers)', () => {
  useWasmBackend();
  runModuleCases(loadFixture<ModuleCase>('bilinear'));
});
