/**
 * `tfjs-torch` as Node loads it (the package's `node` export condition): the core, plus what only Node has, which
 * `initBackend` then uses (the wasm backend's thread pool, see `wasm-threads.ts`). A page gets the core alone.
 * @module
 */
import { setWasmThreadsStarter } from '../backends/select';
import { installGemmThreads } from './gemm-threads';
import { startWasmThreads } from './wasm-threads';

setWasmThreadsStarter(startWasmThreads);
installGemmThreads();

export * from '../index';
