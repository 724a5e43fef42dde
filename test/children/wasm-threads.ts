// Child process of test/wasm-threads.test.ts: the wasm backend with XNNPACK threads in Node, which needs a process
// whose wasm backend has not started yet. Runs the built package (dist/, as a user would; `npx tsup` after changing
// src/). Prints one JSON line: the backend, its thread count, and a conv's output and gradients.
import * as tf from '@tensorflow/tfjs-core';
import { F, initBackend } from 'tfjs-torch';

import { convProbe } from './conv-probe';

const threads = Number(process.argv[2] ?? 2);
const backend = await initBackend('wasm', { wasmThreads: threads });
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const out = convProbe(F);
console.log(
  JSON.stringify({ backend, threads: wasm.getThreadsCount(), out: out.map((t) => Array.from(t.dataSync())) }),
);
tf.dispose(out);
