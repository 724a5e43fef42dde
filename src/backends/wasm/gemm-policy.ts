/**
 * Where the wasm backend's kernels use the library's GEMM (`gemm-relaxed.ts`) instead of XNNPACK, which build, and on
 * how many threads: one policy for `Conv2D` and `BatchMatMul`, set by {@link setGemmMode} or `TFJS_TORCH_WASM_GEMM`.
 * @module
 */
import { type Gemm, type GemmThreads, gemmFor } from './gemm-relaxed';

/**
 * Where the wasm `Conv2D` and `BatchMatMul` kernels use the library's GEMM, and which build: `'fma'` is `'on'` with the
 * relaxed-SIMD FMA build where the runtime has it (its fused roundings differ from the plain build's in the last
 * bits, so results would depend on the runtime; it measured no faster on Zen 4, see `gemm-relaxed.ts`).
 */
export type GemmMode = 'auto' | 'on' | 'fma' | 'off';

/** The environment variable that sets {@link GemmMode} (`auto`, `on`, `fma`, `off`). */
export const GEMM_ENV_VAR = 'TFJS_TORCH_WASM_GEMM';

let current: GemmMode | undefined;

/**
 * Sets where the wasm `Conv2D` and `BatchMatMul` kernels use the library's GEMM: `'auto'` (the default) where XNNPACK
 * runs on one thread or helper threads can start (Node), and for small products beside XNNPACK's threads; `'on'`
 * also for large ones beside XNNPACK's threads; `'fma'` as `'on'` with the relaxed-SIMD FMA build; `'off'` never.
 * `'auto'` and `'on'` use the plain SIMD128 build, so a result is the same bits on every runtime (Node 20, Node 22,
 * a browser). `TFJS_TORCH_WASM_GEMM` sets it in Node.
 */
export function setGemmMode(mode: GemmMode): void {
  current = mode;
}

/** The current {@link GemmMode}. */
export function gemmMode(): GemmMode {
  if (current === undefined) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const v = env?.[GEMM_ENV_VAR]?.toLowerCase();
    current = v === 'on' || v === 'off' || v === 'fma' ? v : 'auto';
  }
  return current;
}

/** XNNPACK's thread count on a wasm backend (tfjs-backend-wasm 4.22's `wasm.tfjs.getThreadsCount`), else 1. */
export function backendThreads(backend: unknown): number {
  const n = (
    backend as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | null
  )?.wasm?.tfjs?.getThreadsCount?.();
  return typeof n === 'number' && n >= 1 ? n : 1;
}

/**
 * The GEMM build and helper threads a kernel should use under the current mode, or `null` for XNNPACK: the plain
 * SIMD128 build (the relaxed-SIMD FMA build in `'fma'` mode, where the runtime has it). A `large` problem runs on as
 * many threads as XNNPACK has when helper threads can start (Node), and in `'auto'` mode not at all where XNNPACK
 * has threads and the GEMM would not (a browser page); a small one runs on the calling thread (waking threads would
 * cost more than it saves).
 * @param memory the wasm backend's memory.
 * @param backend the wasm backend.
 * @param large whether the problem is large enough for threads.
 */
export function ownGemm(
  memory: WebAssembly.Memory | undefined,
  backend: unknown,
  large: boolean,
): { gemm: Gemm; threads: GemmThreads | null } | null {
  const mode = gemmMode();
  if (mode === 'off' || memory === undefined) return null;
  const gemm = (mode === 'fma' ? gemmFor(memory, true) : null) ?? gemmFor(memory, false);
  if (!gemm) return null;
  const count = backendThreads(backend);
  const threads = count > 1 && large ? gemm.threads(memory, count) : null;
  if (mode === 'auto' && count > 1 && large && !threads) return null;
  return { gemm, threads };
}
