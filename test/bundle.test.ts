// The built core (`tfjs-torch` under the `browser` condition, dist/: `npx tsup` after changing src/) bundles for a
// web page: esbuild with --platform=browser resolves no Node module, and its size (min+gzip) stays under a budget.
// The README's "In the browser" section quotes the sizes this test prints.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** min+gzip budget of the core alone (tfjs and its backends are the app's own dependencies). */
const CORE_BUDGET_KB = 250;
/** min+gzip budget of a page's whole bundle: the core, tfjs-core, and the wasm and cpu backends it can load. */
const PAGE_BUDGET_KB = 450;

const NODE_BUILTINS =
  /^(node:|(assert|buffer|child_process|crypto|events|fs|http|https|module|net|os|path|process|stream|url|util|vm|worker_threads|zlib)(\/|$))/;

async function bundle(contents: string, external: string[]) {
  const imports: string[] = [];
  const result = await build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'page.js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    external,
    logLevel: 'silent',
    metafile: true,
    plugins: [
      {
        name: 'record-node-imports',
        setup(b) {
          // The library's own files only: tfjs's packages map their Node-only imports away in their `browser` fields.
          b.onResolve({ filter: NODE_BUILTINS }, (args) => {
            if (!args.importer.includes('node_modules')) imports.push(`${args.path} (imported by ${args.importer})`);
            return undefined;
          });
        },
      },
    ],
  }).catch((e: { errors?: Array<{ text: string }> }) => {
    throw new Error(`esbuild --platform=browser failed: ${(e.errors ?? []).map((x) => x.text).join('; ') || e}`);
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs);
  return { imports, inputs, minKb: code.length / 1024, gzipKb: gzipSync(code, { level: 9 }).length / 1024 };
}

describe('the core bundles for a browser page', () => {
  test('the package is built (dist/index.js; npx tsup), with its import-time registrations (package.json sideEffects lists their files)', () => {
    expect(existsSync(`${ROOT}/dist/index.js`)).toBe(true);
    for (const file of ['index.js', 'index.cjs', 'node.cjs']) {
      const built = readFileSync(`${ROOT}/dist/${file}`, 'utf8');
      expect(built, file).toContain('tfjs-core/dist/register_all_gradients.js');
      expect(built, file).toContain('src/ops/methods.ts');
    }
  });

  test(`no Node module is reachable from 'tfjs-torch' (browser condition), and the core is under ${CORE_BUDGET_KB} KB min+gzip`, async () => {
    const core = await bundle("export * from 'tfjs-torch';", ['@tensorflow/*']);
    expect(core.imports).toEqual([]);
    expect(core.inputs.filter((f) => /dist\/(node|index\.node)\.|src\/node\//.test(f))).toEqual([]);
    console.log(`core: ${core.minKb.toFixed(0)} KB minified, ${core.gzipKb.toFixed(0)} KB min+gzip`);
    expect(core.gzipKb).toBeLessThan(CORE_BUDGET_KB);
  }, 60_000);

  test(`a page with tfjs-core and the wasm and cpu backends bundles too, under ${PAGE_BUDGET_KB} KB min+gzip`, async () => {
    const page = await bundle("import { initBackend } from 'tfjs-torch'; await initBackend();", []);
    expect(page.imports).toEqual([]);
    console.log(`page: ${page.minKb.toFixed(0)} KB minified, ${page.gzipKb.toFixed(0)} KB min+gzip`);
    expect(page.gzipKb).toBeLessThan(PAGE_BUDGET_KB);
  }, 60_000);
});
