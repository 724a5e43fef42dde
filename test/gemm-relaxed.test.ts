// The hand-assembled GEMM of the wasm backend (src/backends/wasm/gemm-relaxed.ts), plain SIMD128 and relaxed-SIMD FMA
// builds, against the cpu backend's matMul and conv2d: the same products to float32 rounding.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';

import { gemmModuleBytes, hasRelaxedSimd } from '../src/backends/wasm/gemm-relaxed';
import { type CaseResult, runGemmCases } from './children/gemm-cases';

/** Float32 rounding of sums of up to ~1100 products, relative to the result's largest magnitude. */
const TOL = 5e-6;

/** Relaxed SIMD with its final opcodes: behind a flag in Node 20 (V8 11.3), on by default from Node 22. */
const RELAXED_RUNTIME = Number(process.versions.node.split('.')[0]) >= 20;

const child = fileURLToPath(new URL('./children/gemm-relaxed.ts', import.meta.url));

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  expect(await tf.setBackend('wasm')).toBe(true);
});

async function runChild(...args: string[]): Promise<{ relaxed: boolean; results: CaseResult[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', 'tsx', child, ...args],
    { timeout: 150_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

function expectAllClose(results: CaseResult[]): void {
  expect(results.length).toBeGreaterThan(0);
  const bad = results.filter((r) => !(r.diff <= TOL)).map((r) => `${r.name}: ${r.diff}`);
  expect(bad).toEqual([]);
}

describe('GEMM on the wasm heap', () => {
  test('both builds assemble; relaxed SIMD is detected by validating the FMA build', () => {
    expect(WebAssembly.validate(gemmModuleBytes({ mr: 4, nv: 2 }, false, false))).toBe(true);
    expect(hasRelaxedSimd()).toBe(WebAssembly.validate(gemmModuleBytes({ mr: 4, nv: 2 }, true, false)));
  });

  test('plain SIMD build: matMul, accumulate and conv (stride, padding, dilation) match the cpu backend', async () => {
    expectAllClose(await runGemmCases(false));
  }, 60_000);

  test.runIf(hasRelaxedSimd())(
    'relaxed-SIMD build in this process matches the cpu backend',
    async () => {
      expectAllClose(await runGemmCases(true));
    },
    60_000,
  );

  test.runIf(RELAXED_RUNTIME)(
    'relaxed-SIMD build under --experimental-wasm-relaxed-simd (child process) matches the cpu backend',
    async () => {
      const { relaxed, results } = await runChild();
      // Node 20 has relaxed SIMD behind the flag, later versions by default: it must be there either way.
      expect(relaxed).toBe(true);
      expectAllClose(results);
      expect(results.some((r) => r.name.startsWith('fma'))).toBe(true);
    },
    160_000,
  );

  test('both builds on 2 threads (threaded wasm backend, helper threads) match the cpu backend; the child exits', async () => {
    const { relaxed, results } = await runChild('threads');
    expect(relaxed).toBe(RELAXED_RUNTIME || relaxed);
    expectAllClose(results);
    expect(results.filter((r) => r.name.includes('2 threads')).length).toBe(results.length);
    expect(results.some((r) => r.name.startsWith('fma'))).toBe(relaxed);
  }, 160_000);
});
