// The layer kit's table-driven module checker on layers that predate it (test/fixtures/kit.json, written by
// scripts/fixtures/kit.py with real PyTorch 1.13): torch's positional and keyword arguments, train and eval.
import { describe } from 'vitest';

import { loadFixture } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

describe('module cases match torch 1.13', () => {
  runModuleCases(loadFixture<ModuleCase>('kit'));
});
