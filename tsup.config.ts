import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  // tfjs and its backends are peers/dependencies the user's app shares: never bundle them.
  external: [/^@tensorflow\//, 'pngjs', 'mnist'],
});
