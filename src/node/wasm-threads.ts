/**
 * The wasm backend's XNNPACK thread pool in Node, which tfjs-backend-wasm 4.22 leaves off there (tfjs issue #3830)
 * and otherwise caps at half the logical cores. Node-only (reached from Node's entry points, never from the browser
 * core): `initBackend` starts it through {@link startWasmThreads}. Reads the internals of tfjs-backend-wasm 4.22.0
 * (its emscripten glue), hence checked against that version:
 *
 * - the threaded binary is chosen by setting the `WASM_HAS_MULTITHREAD_SUPPORT` flag (tfjs answers `false` in Node);
 * - its pthread workers are created by the glue with `new Worker(blob URL)` and loaded with a Blob script, which Node's
 *   `worker_threads` cannot run: while the backend initialises, `globalThis.Worker` is a `worker_threads.Worker` that
 *   evaluates the package's own worker script and loads the package's own glue file from disk instead;
 * - the pool size is capped by `emscripten_num_logical_cores() / 2`, read once at initialisation from
 *   `os.cpus().length`: while the backend initialises, `os.cpus()` reports enough cores for the requested threads.
 *
 * Both patches are undone before this returns. XNNPACK splits work by output tiles, so results do not depend on the
 * thread count.
 * @module
 */
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';

import { PINNED_TFJS_VERSION } from '../backends/wasm/internals';
import { BackendError } from '../errors';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WORKER_FILE = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`;
const GLUE_FILE = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`;
/** The glue preallocates this many pthread workers (PTHREAD_POOL_SIZE), the most the pool can use. */
export const MAX_WASM_THREADS = 8;

interface WasmModuleApi {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Initialises and activates the `wasm` backend with `threads` XNNPACK threads in Node. Returns the thread count the
 * backend reports. Must run before the wasm backend has been initialised in this process.
 * @param threads XNNPACK threads, 1 to {@link MAX_WASM_THREADS}.
 * @throws BackendError when tfjs is not 4.22.0, the backend was already initialised, or initialisation fails.
 * @example
 * ```ts
 * registerWasmTrainingKernels();
 * const threads = await activateThreadedWasm(2); // what initBackend('wasm', { wasmThreads: 2 }) does in Node
 * ```
 */
export async function activateThreadedWasm(threads: number): Promise<number> {
  if (tf.version_core !== PINNED_TFJS_VERSION) {
    throw new BackendError(
      `wasm threads in Node need tfjs ${PINNED_TFJS_VERSION} (its emscripten glue), found ${tf.version_core}`,
    );
  }
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new BackendError(`wasm threads: expected an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  if (registry.wasm != null) {
    throw new BackendError(
      'wasm threads: the wasm backend is already initialised in this process; ask for threads before it starts',
    );
  }
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmModuleApi;
  const require = createRequire(import.meta.url);
  const os = require('node:os') as { cpus(): unknown[] };
  const source = (require(WORKER_FILE) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const glue = require.resolve(GLUE_FILE);

  class PthreadWorker extends Worker {
    constructor() {
      super(source, { eval: true });
    }

    override postMessage(msg: unknown, transfer?: readonly unknown[]): void {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      // The glue sends its own source as a Blob, which a Node worker cannot import: send the file's path instead.
      super.postMessage(
        m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: glue } : msg,
        transfer as Parameters<Worker['postMessage']>[1],
      );
    }
  }

  const g = globalThis as Record<string, unknown>;
  const workerDescriptor = Object.getOwnPropertyDescriptor(g, 'Worker');
  const realCpus = os.cpus;
  // The glue assigns Node's Worker to the global while it runs: keep ours in place until it is done.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  os.cpus = () => {
    const cpus = realCpus.call(os);
    return Array.from({ length: Math.max(cpus.length, 2 * threads) }, (_, i) => cpus[i % cpus.length]);
  };
  let ok = false;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    ok = await tf.setBackend('wasm');
  } catch (err) {
    throw new BackendError(
      `wasm threads: the threaded wasm backend failed to initialise: ${(err as Error).message ?? err}`,
    );
  } finally {
    os.cpus = realCpus;
    if (workerDescriptor) Object.defineProperty(g, 'Worker', workerDescriptor);
    else delete g.Worker;
  }
  if (!ok) throw new BackendError("wasm threads: tf.setBackend('wasm') returned false with the threaded binary");
  // The pool's threads wait for work forever, and the glue refs a worker while its thread runs: unref them all so
  // that they do not keep the process alive once the program is done.
  const pthread = (
    tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: unknown[]; unusedWorkers?: unknown[] } } }
  ).wasm?.PThread;
  for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])])
    (w as { unref?: () => void }).unref?.();
  return wasm.getThreadsCount();
}

/** Why the threaded wasm backend cannot start in this process, or `null`. */
function threadsUnavailable(): string | null {
  if (tf.version_core !== PINNED_TFJS_VERSION) return `they need tfjs ${PINNED_TFJS_VERSION}, found ${tf.version_core}`;
  if (typeof SharedArrayBuffer === 'undefined') return 'this runtime has no SharedArrayBuffer';
  return null;
}

/**
 * What `initBackend` calls in Node to start the wasm backend with threads. A number is what the caller asked for:
 * any failure is an error. `'auto'` (the default) starts as many threads as cores (at most {@link MAX_WASM_THREADS})
 * on 2 or more cores; when threads cannot start it prints a one-line notice and returns `null`, and the caller starts
 * the single-threaded backend (also, silently, on one core or when the wasm backend is already running).
 * @param threads the thread count, or `'auto'`.
 * @returns the thread count the backend reports, or `null` when it was not started.
 * @example
 * ```ts
 * await startWasmThreads('auto'); // 2 on a 2-core machine
 * ```
 */
export async function startWasmThreads(threads: number | 'auto'): Promise<number | null> {
  if (threads !== 'auto') return activateThreadedWasm(threads);
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  if (cores < 2 || registry.wasm != null) return null;
  const notice = (why: string) =>
    console.warn(`tfjs-torch: wasm threads unavailable (${why}); running the wasm backend on one thread`);
  const why = threadsUnavailable();
  if (why) {
    notice(why);
    return null;
  }
  try {
    return await activateThreadedWasm(Math.min(cores, MAX_WASM_THREADS));
  } catch (err) {
    notice((err as Error).message);
    // The single-threaded binary next (tfjs's own answer in Node).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return null;
  }
}
