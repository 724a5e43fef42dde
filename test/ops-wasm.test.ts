// torch's tensor functions (src/ops/) on the wasm backend: the same torch fixtures as on cpu (values, gradients,
// refusals), so every gradient written here also holds where tfjs-backend-wasm runs the kernels.
import { describe } from 'vitest';

import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture, useWasmBackend } from './helpers';

describe('torch tensor functions on wasm match torch 1.13', () => {
  useWasmBackend();
  for (const name of ['ops_shape', 'ops_index', 'ops_reduce', 'ops_math']) {
    describe(name, () => runFunctionCases(loadFixture<FunctionCase>(name)));
  }
});
