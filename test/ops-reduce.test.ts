// torch's reductions and sorting (src/ops/reduction.ts, sorting.ts) against real PyTorch 1.13
// (test/fixtures/ops_reduce.json, written by scripts/fixtures/ops_reduce.py).
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('torch reductions and sorting match torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('ops_reduce'));
});
