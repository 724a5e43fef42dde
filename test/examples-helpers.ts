// Helpers of the pytorch/examples tests (test/examples-*.test.ts): a tiny IDX dataset and running a command.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, beforeAll } from 'vitest';

import { encodeIdx, MNIST } from '../src/node';

/** A tiny MNIST-format IDX folder: the first `nTrain` / `nTest` digits of the package's two splits. */
export function writeTinyIdx(dir: string, nTrain: number, nTest: number): void {
  for (const [prefix, train, n] of [
    ['train', true, nTrain],
    ['t10k', false, nTest],
  ] as const) {
    const ds = new MNIST(null, { train });
    const images = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const [img, label] = ds.get(i) as [{ data: Uint8Array }, number];
      images.set(img.data, i * 784);
      labels[i] = label;
    }
    writeFileSync(
      join(dir, `${prefix}-images-idx3-ubyte`),
      encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: images }),
    );
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx({ dtype: 'uint8', shape: [n], data: labels }));
  }
}

/** Runs an example command with node + tsx in `cwd` (it imports the built dist/, as a user's script would). */
export function runExample(
  script: string,
  args: string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const r = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(tsx).href, join(root, 'examples', 'pytorch', script), ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A temporary folder for an example command's files, removed after the enclosing `describe`, and the built dist/ that
 * the commands import (built once if missing). Call it in a `describe` body.
 */
export function useExampleDir(name: string): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), `tfjs-torch-ex-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'node.js'))) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  }, 300_000);
  return dir;
}
