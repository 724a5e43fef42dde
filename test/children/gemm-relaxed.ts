// Child process of test/gemm-relaxed.test.ts, run as `node --experimental-wasm-relaxed-simd --import tsx` on Node 20
// (relaxed SIMD is on by default from Node 22): the relaxed-SIMD (FMA) build of the GEMM against the cpu backend.
// With argument `threads`: the threaded wasm backend (2 XNNPACK threads) and both builds on 2 threads (helper threads
// of src/node/gemm-threads.ts). Prints one JSON line: whether the runtime has relaxed SIMD, and each case's relative
// difference; then exits by itself (helper threads must not keep it alive).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { hasRelaxedSimd } from '../../src/backends/wasm/gemm-relaxed';
import { installGemmThreads } from '../../src/node/gemm-threads';
import { activateThreadedWasm } from '../../src/node/wasm-threads';
import { runGemmCases } from './gemm-cases';

const threaded = process.argv[2] === 'threads';
if (threaded) {
  await activateThreadedWasm(2);
  installGemmThreads();
}
const relaxed = hasRelaxedSimd();
const results = threaded ? [...(await runGemmCases(false, 2)), ...(relaxed ? await runGemmCases(true, 2) : [])] : [];
if (!threaded && relaxed) results.push(...(await runGemmCases(true)));
console.log(JSON.stringify({ relaxed, results }));
