// Child process of test/gemm-relaxed.test.ts, run as `node --experimental-wasm-relaxed-simd --import tsx` on Node 20
// (relaxed SIMD is on by default from Node 22): the relaxed-SIMD (FMA) build of the GEMM against the cpu backend.
// Prints one JSON line: whether the runtime has relaxed SIMD, and each case's relative difference.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { hasRelaxedSimd } from '../../src/backends/wasm/gemm-relaxed';
import { runGemmCases } from './gemm-cases';

const relaxed = hasRelaxedSimd();
const results = relaxed ? await runGemmCases(true) : [];
console.log(JSON.stringify({ relaxed, results }));
