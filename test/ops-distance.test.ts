// F.cosineSimilarity, F.pairwiseDistance, F.normalize, F.oneHot, nn.CosineSimilarity, nn.PairwiseDistance against
// real PyTorch 1.13 (test/fixtures/ops_distance.json, written by scripts/fixtures/ops_distance.py).
import { describe, it } from 'vitest';

import { type FunctionCase, checkFunctionCase } from './function-cases';
import { loadFixture } from './helpers';
import { type ModuleCase, checkModuleCase } from './module-cases';

describe('distance functions and modules match torch 1.13', () => {
  for (const c of loadFixture<FunctionCase & ModuleCase>('ops_distance').cases) {
    it(c.name, () => ('kind' in c && c.kind ? checkModuleCase(c) : checkFunctionCase(c)));
  }
});
