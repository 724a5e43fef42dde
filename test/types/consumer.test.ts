// A user's TypeScript project type-checks against the BUILT declarations (tsup's dist/index.d.ts and
// index.d.cts), under every module resolution a user may pick: the torch-style tensor methods that the
// library adds to tfjs's Tensor (`loss.backward()`, `t.item()`, `p.grad`) must be visible in each.
// The package is linked, not installed: a temporary node_modules holds the built declarations and
// symlinks to this repository's tfjs packages.
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);

/** What a user writes: every method and property the library declares on tfjs's Tensor. */
const consumerSource = `
import * as tf from '@tensorflow/tfjs-core';
import { nn, Parameter, backward } from 'tfjs-torch';

const lin = new nn.Linear(4, 2);
const x: tf.Tensor = tf.ones([3, 4]);
const loss = lin.forward(x).sum();
loss.backward();
loss.backward(null, { retainGraph: true });
backward(loss);
const value: number = loss.item();
const p: Parameter = lin.weight;
const g: tf.Tensor | null = p.grad;
p.grad = null;
const leafGrad: tf.Tensor | null = x.grad;
const needs: boolean = x.requiresGrad;
const same: tf.Tensor = x.requiresGrad_().detach();
// tfjs's own chained methods stay visible too.
const mean: tf.Tensor = same.add(1).mean();
export { value, g, leafGrad, needs, mean };
`;

/** Consumer projects: [name, package.json "type", compilerOptions]. */
const variants: [string, 'module' | 'commonjs', Record<string, unknown>][] = [
  // The one that also checks every declaration file (3x slower); the others skip them, as `tsc --init` does.
  ['nodenext-esm', 'module', { module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: false }],
  ['nodenext-cjs', 'commonjs', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
  ['node16-esm', 'module', { module: 'Node16', moduleResolution: 'Node16' }],
  ['node16-cjs', 'commonjs', { module: 'Node16', moduleResolution: 'Node16' }],
  ['bundler', 'module', { module: 'ESNext', moduleResolution: 'Bundler' }],
  ['node10-cjs', 'commonjs', { module: 'CommonJS', moduleResolution: 'Node10', ignoreDeprecations: '5.0' }],
];

/** Whether dist/'s declarations were built after the last change to any source or to the build config. */
function distIsFresh(): boolean {
  const built = join(repo, 'dist', 'index.d.ts');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const newest = (path: string): number =>
    statSync(path).isDirectory()
      ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
      : statSync(path).mtimeMs;
  return (
    Math.max(newest(join(repo, 'src')), newest(join(repo, 'tsup.config.ts')), newest(join(repo, 'package.json'))) <
    builtAt
  );
}

let root = '';
/** tsc's output per variant ('' when clean), all run at once. */
let results: Record<string, string> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tfjs-torch-consumer-'));
  const pkg = join(root, 'node_modules', 'tfjs-torch');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repo, 'package.json'), join(pkg, 'package.json'));
  // The declarations `npx tsup` builds (tsup.config.ts's d.ts banner included): dist/ when it is newer than
  // every source (as after `npm ci`, whose `prepare` builds it), else a fresh build of the current sources.
  if (distIsFresh()) cpSync(join(repo, 'dist'), join(pkg, 'dist'), { recursive: true });
  else execFileSync(bin('tsup'), ['--out-dir', join(pkg, 'dist'), '--silent'], { cwd: repo, stdio: 'pipe' });
  for (const dep of ['@tensorflow', '@types']) {
    symlinkSync(join(repo, 'node_modules', dep), join(root, 'node_modules', dep), 'dir');
  }
  for (const [name, type, options] of variants) {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
    const compilerOptions = { target: 'ES2020', strict: true, noEmit: true, skipLibCheck: true, ...options };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
    writeFileSync(join(dir, 'main.ts'), consumerSource);
  }
  const runs = variants.map(
    ([name]) =>
      new Promise<[string, string]>((resolve) =>
        execFile(bin('tsc'), ['-p', join(root, name)], { cwd: root }, (error, stdout, stderr) =>
          resolve([name, error ? `${stdout}${stderr}` || String(error) : '']),
        ),
      ),
  );
  results = Object.fromEntries(await Promise.all(runs));
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a consumer project type-checks against the built declarations', () => {
  it('augments tfjs-core only through specifiers with the file extension (the one NodeNext ESM resolves)', () => {
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const dts = readFileSync(join(root, 'node_modules', 'tfjs-torch', 'dist', file), 'utf8');
      const augmented = [...dts.matchAll(/declare module '([^']+)'/g)].map((m) => m[1]);
      expect(augmented).toContain('@tensorflow/tfjs-core/dist/tensor.js');
      expect(
        augmented.filter((s) => !s.endsWith('.js')),
        file,
      ).toEqual([]);
    }
  });

  it.each(variants.map(([name]) => name))('%s', (name) => {
    expect(results[name]).toBe('');
  });
});
