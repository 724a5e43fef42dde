// CTCLoss / F.ctcLoss against PyTorch 1.13 (test/fixtures/ctc.json, scripts/fixtures/ctc.py): losses and torch's
// gradient for padded and concatenated targets, repeats, a non-zero blank, every reduction, infinite losses with
// and without zeroInfinity, unbatched input, and torch's refusals.
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase | FunctionCase>('ctc');

describe('CTCLoss matches torch 1.13', () => {
  runModuleCases({
    ...fixture,
    cases: fixture.cases.filter((c): c is ModuleCase => 'kind' in c),
  } as Fixture<ModuleCase>);
});

describe('F.ctcLoss matches torch 1.13', () => {
  runFunctionCases({
    ...fixture,
    cases: fixture.cases.filter((c): c is FunctionCase => 'fn' in c),
  } as Fixture<FunctionCase>);
});
