// torch's shape functions (src/ops/join.ts, shape.ts, select.ts) against real PyTorch 1.13
// (test/fixtures/ops_shape.json, written by scripts/fixtures/ops_shape.py).
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('torch shape functions match torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('ops_shape'));
});
