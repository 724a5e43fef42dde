// initBackend('wasm', { wasmThreads }) in Node: a child process (running the built package, dist/) gets the threaded
// binary with the requested thread count and computes what the single-threaded backend computes.
import { execFile } from 'node:child_process';
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
});
