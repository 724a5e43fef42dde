import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One copy of tfjs-core (its ESM build) for the library, the backends and the gradient registrations.
    alias: [
      {
        find: /^@tensorflow\/tfjs-core$/,
        replacement: fileURLToPath(new URL('./node_modules/@tensorflow/tfjs-core/dist/index.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Child processes (examples, probes) start the wasm backend single-threaded: the suite's workers already share
    // the cores. test/wasm-threads.test.ts clears it to test initBackend's default.
    env: { TFJS_TORCH_WASM_THREADS: '1' },
    server: {
      deps: {
        // tfjs-core's gradient registrations are ESM-only files inside its dist/ (see src/gradients.ts):
        // let vite load all of tfjs as ESM, so tests use one copy of it, as the published bundle does.
        inline: [/@tensorflow\//],
      },
    },
  },
});
