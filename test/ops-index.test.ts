// torch's indexing functions (src/ops/indexing.ts) against real PyTorch 1.13
// (test/fixtures/ops_index.json, written by scripts/fixtures/ops_index.py).
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('torch indexing functions match torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('ops_index'));
});
