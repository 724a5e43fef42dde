import { defineConfig, type Options } from 'tsup';

// tfjs and its backends are the user's: one copy, shared with their app, never bundled...
const external = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'pngjs',
  'mnist',
];

const common: Options = {
  format: ['esm', 'cjs'],
  dts: {
    // tfjs's declarations of the chained methods (`x.add(y)`, `x.mean()`), which the library registers at
    // run time (src/chained-ops.ts): without this, a tfjs-core-only project would not see them.
    banner: "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';",
  },
  sourcemap: true,
  // `npm run build` empties dist/ first (two configs build into it at once).
  clean: false,
  target: 'es2020',
  external,
  // ...except tfjs-core's gradient registrations, which exist only as ESM files inside its dist/ (see
  // src/gradients.ts): bundled, they register into tfjs's global registry at import time.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
};

export default defineConfig([
  // The core, `tfjs-torch` in a page (and for any non-Node runtime): no Node module, no shims (tsup's shims import
  // `path` and `url`). test/bundle.test.ts bundles it for the browser and fails on any Node import.
  { ...common, entry: { index: 'src/index.ts' }, shims: false },
  // Node's entries: `tfjs-torch` under the `node` condition (the core plus the wasm thread pool) and `tfjs-torch/node`.
  // Built together so that they share one copy of the core (ESM chunks). Their types are the core's and node's.
  {
    ...common,
    entry: { 'index.node': 'src/node/core.ts', node: 'src/node/index.ts' },
    dts: { ...(common.dts as object), entry: { node: 'src/node/index.ts' } },
    shims: true,
  },
]);
