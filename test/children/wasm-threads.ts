// Child process of test/wasm-threads.test.ts: the wasm backend with XNNPACK threads in Node, which needs a process
// whose wasm backend has not started yet. Runs the built package (dist/, as a user would; `npx tsup` after changing
// src/). Prints one JSON line: the backend, its thread count, and a conv's output and gradients; then exits by itself
// (the pool's workers must not keep it alive).
import * as tf from '@tensorflow/tfjs-core';
import { F, initBackend } from 'tfjs-torch';

import { convProbe } from './conv-probe';

// A thread count, or `default` (initBackend's own choice), or `no-shared-memory` (the default where threads cannot
// start: no SharedArrayBuffer).
const mode = process.argv[2] ?? '2';
if (mode === 'no-shared-memory') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
const backend = /^\d+$/.test(mode) ? await initBackend('wasm', { wasmThreads: Number(mode) }) : await initBackend();
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const out = convProbe(F);
console.log(
  JSON.stringify({ backend, threads: wasm.getThreadsCount(), out: out.map((t) => Array.from(t.dataSync())) }),
);
tf.dispose(out);
