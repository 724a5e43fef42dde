// F.pad against real PyTorch 1.13 (test/fixtures/pad.json, written by scripts/fixtures/pad.py).
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('F.pad matches torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('pad'));
});
