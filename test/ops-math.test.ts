// torch's math, comparison, linear algebra and creation functions (src/ops/math.ts, linalg.ts, creation.ts) against real PyTorch 1.13
// (test/fixtures/ops_math.json, written by scripts/fixtures/ops_math.py).
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('torch math, comparison, linear algebra and creation functions match torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('ops_math'));
});
