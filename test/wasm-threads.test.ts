// initBackend('wasm', { wasmThreads }) in Node: a child process (running the built package, dist/) gets the threaded
// binary with the requested thread count and computes what the single-threaded backend computes. initBackend() does
// so by default on 2+ cores (issue 17 item 1), and starting the backend leaves Node's error reporting alone (issue 9
// item 4).
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { leakyRelu } from '../src/nn/functional/activation';
import { batchNorm } from '../src/nn/functional/batchnorm';
import { conv2d } from '../src/nn/functional/conv';
import { convProbe } from './children/conv-probe';
import { expectClose, useWasmBackend } from './helpers';

const child = fileURLToPath(new URL('./children/wasm-threads.ts', import.meta.url));
const thrower = fileURLToPath(new URL('./children/throw-after-init.ts', import.meta.url));
// The suite's own children run single-threaded (vitest.config.ts); these ask for initBackend's real default.
const DEFAULT_ENV = { ...process.env, TFJS_TORCH_BACKEND: '', TFJS_TORCH_WASM_THREADS: '' };

type Probe = { backend: string; threads: number; out: number[][]; stderr: string };

async function probe(mode: string, env: NodeJS.ProcessEnv = DEFAULT_ENV): Promise<Probe> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, mode], {
    timeout: 150_000,
    env,
  });
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<Probe, 'stderr'>), stderr };
}

/** Runs the thrower; resolves with its exit code and stderr (it must exit by itself: no worker keeps it alive). */
async function throwAfterInit(arg = ''): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', thrower, arg], {
    timeout: 150_000,
    env: DEFAULT_ENV,
  })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((e: { code: number | null; stdout: string; stderr: string }) => e);
}

describe('wasm threads in Node', () => {
  useWasmBackend();

  test('2 threads: the threaded backend starts, reports 2 threads and gives the single-threaded results (conv, fused BatchNorm and LeakyReLU on shared memory)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, '2'], {
      timeout: 60_000,
      env: { ...process.env, TFJS_TORCH_BACKEND: '', TFJS_TORCH_WASM_THREADS: '' },
    });
    const got = JSON.parse(stdout.trim().split('\n').pop()!) as { backend: string; threads: number; out: number[][] };
    expect(got.backend).toBe('wasm');
    expect(got.threads).toBe(2);
    const ref = convProbe({ conv2d, batchNorm, leakyRelu });
    ref.forEach((t, i) => expectClose(Float32Array.from(got.out[i]), t, `output ${i}`));
    tf.dispose(ref);
  }, 90_000);

  test('by default, threads on 2+ cores (the same results); TFJS_TORCH_WASM_THREADS=1 turns them off; without shared memory, one thread after a one-line notice', async () => {
    const [auto, off, noShared] = await Promise.all([
      probe('default'),
      probe('default', { ...DEFAULT_ENV, TFJS_TORCH_WASM_THREADS: '1' }),
      probe('no-shared-memory'),
    ]);
    const cores = availableParallelism();
    expect(auto.backend).toBe('wasm');
    expect(auto.threads).toBe(cores >= 2 ? Math.min(cores, 8) : 1);
    expect(auto.stderr).toBe('');
    expect(off.threads).toBe(1);
    expect(noShared.threads).toBe(1);
    expect(noShared.stderr.trim().split('\n')).toEqual([
      'tfjs-torch: wasm threads unavailable (this runtime has no SharedArrayBuffer); running the wasm backend on one thread',
    ]);
    const ref = convProbe({ conv2d, batchNorm, leakyRelu });
    for (const got of [auto, off, noShared]) {
      ref.forEach((t, i) => expectClose(Float32Array.from(got.out[i]), t, `output ${i}`));
    }
    tf.dispose(ref);
  }, 240_000);

  test('an uncaught error after initBackend() is reported at the caller, in under 2 KB (no Emscripten rethrow)', async () => {
    const [thrown, rejected] = await Promise.all([throwAfterInit(), throwAfterInit('reject')]);
    for (const r of [thrown, rejected]) {
      expect(r.stdout).toMatch(/^backend wasm$/m);
      expect(r.code).toBe(1);
      expect(r.stderr.length).toBeLessThan(2048);
      expect(r.stderr).not.toMatch(/tf-backend-wasm/);
      expect(r.stderr).toMatch(/throw-after-init\.ts/);
    }
    expect(thrown.stderr).toMatch(
      /Error: an error from the caller\n\s+at theCallerThatThrows \(.*throw-after-init\.ts:\d+/,
    );
    expect(rejected.stderr).toMatch(/Error: a rejection from the caller/);
  }, 240_000);
});
