import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: {
    // tfjs's declarations of the chained methods (`x.add(y)`, `x.mean()`), which the library registers at
    // run time (src/chained-ops.ts): without this, a tfjs-core-only project would not see them.
    banner: "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';",
  },
  sourcemap: true,
  clean: true,
  target: 'es2020',
  shims: true,
  // tfjs and its backends are the user's: one copy, shared with their app, never bundled...
  external: [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'pngjs',
    'mnist',
  ],
  // ...except tfjs-core's gradient registrations, which exist only as ESM files inside its dist/ (see
  // src/gradients.ts): bundled, they register into tfjs's global registry at import time.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
