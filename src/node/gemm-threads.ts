/**
 * Helper threads for the wasm backend's own GEMM (`src/backends/wasm/gemm-relaxed.ts`) in Node, so that it runs on as
 * many threads as XNNPACK does when the backend is threaded (its memory is then a `SharedArrayBuffer`). Each helper
 * is a `worker_threads` Worker that instantiates the same GEMM module on the same memory and, woken through
 * `Atomics`, takes row-chunk tasks of a plan from a shared counter (the calling thread takes tasks too, so a helper
 * that is slow to wake costs nothing but its share). Workers are unref'd: they never keep a finished program alive.
 * @module
 */
import { Worker } from 'node:worker_threads';

import { type GemmThreads, runTasks, setGemmThreadsFactory } from '../backends/wasm/gemm-relaxed';

/** Int32 words of a shared plan; a larger plan runs on the calling thread alone. */
const PLAN_WORDS = 1 << 20;

// Control words: the plan's generation (helpers wait on it), the next task, and the tasks done.
const GENERATION = 0;
const COUNTER = 1;
/** The task counter while a plan is being written: past any plan's task count. */
const CLOSED = 1 << 30;

function workerSource(): string {
  return `
const { workerData } = require('node:worker_threads');
const runTasks = ${runTasks.toString()};
const { bytes, memory, kernels: count, control, plan } = workerData;
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
const kernels = Array.from({ length: count }, (_, i) => instance.exports['k' + (i + 1)]);
const ctrl = new Int32Array(control);
const counter = new Int32Array(control, ${4 * COUNTER}, 2);
const calls = new Int32Array(plan);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GENERATION}, seen);
  seen = Atomics.load(ctrl, ${GENERATION});
  runTasks(calls, kernels, counter);
}
`;
}

function makeThreads(
  bytes: Uint8Array,
  memory: WebAssembly.Memory,
  kernels: number,
  helpers: number,
): GemmThreads | null {
  if (!(memory.buffer instanceof SharedArrayBuffer) || helpers < 1) return null;
  const control = new SharedArrayBuffer(16);
  const plan = new SharedArrayBuffer(4 * PLAN_WORDS);
  const ctrl = new Int32Array(control);
  const counter = new Int32Array(control, 4 * COUNTER, 2);
  const calls = new Int32Array(plan);
  const source = workerSource();
  for (let i = 0; i < helpers; i++) {
    const worker = new Worker(source, { eval: true, workerData: { bytes, memory, kernels, control, plan } });
    worker.unref();
  }
  let tasks = 0;
  return {
    start(p) {
      if (p.calls.length > PLAN_WORDS) return null;
      // A helper still leaving the previous plan takes a task number past any plan while this one is written.
      Atomics.store(counter, 0, CLOSED);
      calls.set(p.calls);
      tasks = p.tasks;
      Atomics.store(counter, 1, 0);
      Atomics.store(counter, 0, 0);
      Atomics.add(ctrl, GENERATION, 1);
      Atomics.notify(ctrl, GENERATION);
      return { calls, counter };
    },
    wait() {
      for (;;) {
        const done = Atomics.load(counter, 1);
        if (done >= tasks) return;
        Atomics.wait(counter, 1, done);
      }
    },
  };
}

/** Lets the wasm backend's own GEMM use helper threads in this process (Node's entry calls it once). */
export function installGemmThreads(): void {
  setGemmThreadsFactory(makeThreads);
}
