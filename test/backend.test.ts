// Backend selection: explicit names, the environment variable, the automatic order, missing vs broken native
// packages, and requireKernels. @tensorflow/tfjs-node(-gpu) are not installed here; a broken one is simulated.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';

import { BackendError } from '../src/errors';
import {
  BACKEND_ENV_VAR,
  CONV_TRAINING_KERNELS,
  initBackend,
  isMissingPackage,
  requireKernels,
} from '../src/backends/select';
import { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from '../src/backends/wasm-kernels';

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env[BACKEND_ENV_VAR];
  delete process.env[BACKEND_ENV_VAR];
});
afterEach(async () => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = savedEnv;
  vi.restoreAllMocks();
  vi.doUnmock('@tensorflow/tfjs-node-gpu');
  await tf.setBackend('cpu');
});

test("initBackend('cpu') and initBackend('wasm') activate those backends; wasm gets the training kernels", async () => {
  expect(await initBackend('cpu')).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect(await initBackend('wasm')).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(wasmTrainingKernelsRegistered()).toBe(true);
  expect(() => requireKernels(CONV_TRAINING_KERNELS, 'training conv layers')).not.toThrow();
  // The .wasm binary was found in node_modules without setWasmPaths: a conv runs.
  const y = tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid');
  expect(Array.from(await y.data())).toEqual([4, 4, 4, 4]);
  y.dispose();
});

test('without a preference, and without tfjs-node installed, the choice is wasm', async () => {
  const warn = vi.spyOn(console, 'warn');
  expect(await initBackend()).toBe('wasm');
  expect(warn).not.toHaveBeenCalled(); // absent optional packages are skipped silently
});

test(`${BACKEND_ENV_VAR} overrides the argument`, async () => {
  process.env[BACKEND_ENV_VAR] = 'cpu';
  expect(await initBackend('wasm')).toBe('cpu');
  process.env[BACKEND_ENV_VAR] = 'nope';
  await expect(initBackend('cpu')).rejects.toThrow(`${BACKEND_ENV_VAR}=nope asks for backend 'nope', which is unknown`);
});

test('an unknown backend name is an error listing the available ones', async () => {
  const err = await initBackend('tpu').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackendError);
  expect((err as Error).message).toMatch(
    /initBackend\('tpu'\) asks for backend 'tpu', which is unknown; available: 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'/,
  );
});

test("'tensorflow' without tfjs-node installed says which packages it needs", async () => {
  await expect(initBackend('tensorflow')).rejects.toThrow(
    /backend 'tensorflow', which needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node; neither is installed/,
  );
});

test('an installed but broken native package is reported, then skipped (auto) or fatal (asked for)', async () => {
  vi.doMock('@tensorflow/tfjs-node-gpu', () => {
    throw new Error('libtensorflow.so.2: cannot open shared object file');
  });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  expect(await initBackend()).toBe('wasm');
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0][0])).toMatch(
    /@tensorflow\/tfjs-node-gpu is installed but failed to load.*trying the wasm backend/,
  );
  await expect(initBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node-gpu is installed but failed to load/);
});

test('isMissingPackage tells a missing package from a broken one', async () => {
  const pkg = '@tensorflow/tfjs-node';
  const real = await import(/* @vite-ignore */ pkg).catch((e: unknown) => e);
  expect(isMissingPackage(real, pkg)).toBe(true);
  const err = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });
  expect(
    isMissingPackage(err('ERR_MODULE_NOT_FOUND', `Cannot find package '${pkg}' imported from /app/x.js`), pkg),
  ).toBe(true);
  expect(
    isMissingPackage(err('MODULE_NOT_FOUND', `Cannot find module '${pkg}'\nRequire stack:\n- /app/x.cjs`), pkg),
  ).toBe(true);
  expect(isMissingPackage(err(undefined, `Failed to resolve module specifier "${pkg}"`), pkg)).toBe(true);
  // Its own files or dependencies missing, a sibling package, or a load failure: broken, not missing.
  expect(
    isMissingPackage(
      err('MODULE_NOT_FOUND', `Cannot find module '/app/node_modules/${pkg}/lib/napi-v8/tfjs_binding.node'`),
      pkg,
    ),
  ).toBe(false);
  expect(isMissingPackage(err('MODULE_NOT_FOUND', "Cannot find module '@mapbox/node-pre-gyp'"), pkg)).toBe(false);
  expect(isMissingPackage(err('ERR_MODULE_NOT_FOUND', `Cannot find package '${pkg}-gpu'`), pkg)).toBe(false);
  expect(isMissingPackage(err(undefined, 'libtensorflow.so.2: cannot open shared object file'), pkg)).toBe(false);
});

test('requireKernels names the backend, the missing kernel and the purpose', async () => {
  await initBackend('cpu');
  expect(() => requireKernels(['Conv2D', 'NoSuchKernel'], 'testing')).toThrow(
    new BackendError("Backend 'cpu' has no kernel 'NoSuchKernel' needed for testing"),
  );
  expect(() => requireKernels(['NoA', 'NoB'])).toThrow("Backend 'cpu' has no kernels 'NoA', 'NoB' needed for training");

  await initBackend('wasm');
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  try {
    expect(() => requireKernels(CONV_TRAINING_KERNELS, 'Conv2d weight gradients')).toThrow(
      /^Backend 'wasm' has no kernel 'Conv2DBackpropFilter' needed for Conv2d weight gradients \(call registerWasmTrainingKernels/,
    );
  } finally {
    registerWasmTrainingKernels();
  }
  expect(() => requireKernels(CONV_TRAINING_KERNELS)).not.toThrow();
});
