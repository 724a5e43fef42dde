// LayerNorm, GroupNorm, InstanceNorm1d/2d, LocalResponseNorm and their F.* ops against real PyTorch 1.13
// (test/fixtures/normalization*.json, written by scripts/fixtures/normalization.py).
import { describe } from 'vitest';

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
