// The fixtures of the core ops, the issue-11 losses and CTC, on the wasm backend (the default users get): the same
// torch numbers and gradients through the library's autograd as on cpu.
import { describe } from 'vitest';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';
for (const name of ['losses_more', 'ctc', 'kit_ops']) {
  const fixture = loadFixture<ModuleCase | FunctionCase>(name);
  describe(`${name} on wasm`, () => {
    useWasmBackend();
    runModuleCases({
      ...fixture,
      cases: fixture.cases.filter((c): c is ModuleCase => 'kind' in c),
    } as Fixture<ModuleCase>);
    runFunctionCases({
      ...fixture,
      cases: fixture.cases.filter((c): c is FunctionCase => 'fn' in c),
    } as Fixture<FunctionCase>);
  });
}
