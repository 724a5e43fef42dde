/**
 * GFLOP/s of the hand-assembled GEMM (`src/backends/wasm/gemm-relaxed.ts`: relaxed-SIMD FMA and plain SIMD128 builds)
 * beside XNNPACK's (tfjs-backend-wasm's BatchMatMul and Conv2D), on the GEMMs of the article's DCGAN at batch 128.
 *
 *     node --experimental-wasm-relaxed-simd --import tsx bench/gemm.ts [--reps 5] [--tiles 4x2,6x2]
 *          [--only <substring>] [--blocking 96x512] [--threads 1] [--gemms | --convs] [--micro]
 *
 * (On Node 22+ relaxed SIMD is on without the flag; `tsx bench/gemm.ts` would start Node without it.) One thread
 * unless `--threads`. Variants run interleaved, one call each per
 * round, so that the machine's load hits them alike; it prints the median of `--reps` rounds after one warm-up round,
 * the ratio to XNNPACK and the largest difference from XNNPACK's result relative to the result's largest magnitude.
 * `--threads N`: XNNPACK's threads and ours (helper threads, src/node/gemm-threads.ts). `--micro`: the micro-kernel
 * alone on an in-cache problem (96 x 256 x 64, 50 calls, best of 40 rounds) for each `--tiles` entry, FMA and plain.
 */
import { loadavg } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { Gemm, type GemmTile, gemmConv2D, hasRelaxedSimd } from '../src/backends/wasm/gemm-relaxed';
import { gemmMatMul } from '../src/backends/wasm/batch-matmul';
import { setGemmMode } from '../src/backends/wasm/gemm-policy';
import { WasmHeap } from '../src/backends/wasm/internals';
import { installGemmThreads } from '../src/node/gemm-threads';
import { isWinogradConv, winogradConv2D } from '../src/backends/wasm/winograd';
import { activateThreadedWasm } from '../src/node/wasm-threads';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const REPS = Number(flag('--reps', '5'));
const ONLY = flag('--only', '');
const TILES: GemmTile[] = flag('--tiles', '4x2')
  .split(',')
  .map((s) => {
    const [mr, nv] = s.split('x').map(Number);
    return { mr, nv };
  });
const [MC, KC] = flag('--blocking', '96x512').split('x').map(Number);
const MICRO = argv.includes('--micro');
const GEMMS = !argv.includes('--convs');
const CONVS = !argv.includes('--gemms');
const BATCH = 128;
const THREADS = Number(flag('--threads', '1'));

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
}

// The GEMMs XNNPACK runs for the article's DCGAN at batch 128 (docs/performance.md), as `[m, k] @ [k, n]`: a conv's
// forward is pixels x (taps * inC) @ (taps * inC) x outC; a transposed conv's forward (and a conv's input gradient)
// runs per stride phase on the 2x2 sub-filter; the weight gradients are (taps * inC) x pixels @ pixels x outC.
const SHAPES: Shape[] = [
  { name: 'G ConvT 128->128 phase (7x7)', m: 128 * 49, k: 4 * 128, n: 128 },
  { name: 'G ConvT 128->64 phase (14x14)', m: 128 * 196, k: 4 * 128, n: 64 },
  { name: 'G ConvT 128->64 input grad', m: 128 * 196, k: 16 * 64, n: 128 },
  { name: 'D Conv 32->64 k4 s2 (14->7)', m: 128 * 49, k: 16 * 32, n: 64 },
  { name: 'D Conv 64->128 k3 s2 (7->4)', m: 128 * 16, k: 9 * 64, n: 128 },
  { name: 'D Conv 128->256 k3 s1 (4)', m: 128 * 16, k: 9 * 128, n: 256 },
  { name: 'D Conv 128->256 input grad', m: 128 * 16, k: 9 * 256, n: 128 },
  { name: 'D Conv 1->32 k4 s2 (28->14)', m: 128 * 196, k: 16, n: 32 },
  { name: 'dW D Conv 64->128 k3 s2', m: 9 * 64, k: 128 * 16, n: 128 },
  { name: 'dW D Conv 128->256 k3 s1', m: 9 * 128, k: 128 * 16, n: 256 },
  { name: 'dW G ConvT 128->128', m: 16 * 128, k: 128 * 49, n: 128 },
  { name: 'odd sizes', m: 1001, k: 333, n: 77 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function maxRelDiff(x: Float32Array, ref: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    diff = Math.max(diff, Math.abs(x[i] - ref[i]));
  }
  return diff / (scale || 1);
}

async function main(): Promise<void> {
  if (THREADS > 1) {
    await activateThreadedWasm(THREADS);
    installGemmThreads();
  } else if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  registerWasmTrainingKernels();
  // The XNNPACK column is the stock path: the Conv2D kernel must not route to the own GEMM here.
  setGemmMode('off');
  const heap = new WasmHeap(tf.backend(), 'bench/gemm');
  const memory = heap.memory();
  if (!memory) throw new Error('the wasm backend does not expose its memory');
  const relaxed = hasRelaxedSimd();
  console.log(
    `Node ${process.version}, tfjs ${tf.version_core} wasm, ${THREADS} thread(s) each, relaxed SIMD: ${relaxed}, ` +
      `blocking ${MC}x${KC}, median of ${REPS} interleaved rounds, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const variants: Variant[] = [{ name: 'XNNPACK', gemm: null }];
  for (const tile of TILES) {
    const blocking = { mc: MC, kc: KC };
    if (relaxed) variants.push({ name: `fma ${tile.mr}x${4 * tile.nv}`, gemm: new Gemm(memory, tile, true, blocking) });
    variants.push({ name: `plain ${tile.mr}x${4 * tile.nv}`, gemm: new Gemm(memory, tile, false, blocking) });
  }
  if (MICRO) micro(relaxed);
  else {
    if (GEMMS) gemms(heap, variants);
    if (CONVS) convs(heap, variants);
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

type Variant = { name: string; gemm: Gemm | null };

/** The micro-kernel's rate on a problem that stays in L1/L2: C [96, 64] = A [96, 256] · B, best of 40 rounds. */
function micro(relaxed: boolean): void {
  const [m, k, n] = [96, 256, 64];
  const scratch = new WebAssembly.Memory({ initial: 64 });
  const f = new Float32Array(scratch.buffer);
  for (let i = 0; i < f.length; i++) f[i] = Math.random() - 0.5;
  const bp = 4 * m * k;
  const ind = bp + 4 * k * n;
  const c = ind + 4 * m;
  const rows = new Int32Array(scratch.buffer, ind, m);
  for (let r = 0; r < m; r++) rows[r] = 4 * k * r;
  const builds = TILES.flatMap((t) => [
    ...(relaxed ? [new Gemm(scratch, t, true, { mc: m, kc: k })] : []),
    new Gemm(scratch, t, false, { mc: m, kc: k }),
  ]);
  const best = builds.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < 40; round++) {
    builds.forEach((g, i) => {
      const t0 = performance.now();
      for (let it = 0; it < 50; it++) g.run(scratch, ind, m, 1, k, bp, n, c, false, 0);
      best[i] = Math.min(best[i], performance.now() - t0);
    });
  }
  for (const [i, g] of builds.entries()) {
    const rate = (50 * 2 * m * k * n) / best[i] / 1e6;
    console.log(`micro ${g.fma ? 'fma  ' : 'plain'} ${g.tile.mr}x${4 * g.tile.nv}: ${rate.toFixed(1)} GFLOP/s`);
  }
}

/** Helper threads for a build when the bench runs threaded. */
const helpers = (heap: WasmHeap, g: Gemm) => (THREADS > 1 ? g.threads(heap.memory()!, THREADS) : null);

/** Times `run(variant)` for every variant, interleaved; returns median ms per variant and the max relative diff. */
function timeVariants<V extends Variant>(
  variants: V[],
  run: (v: V) => tf.TensorInfo,
  heap: WasmHeap,
): [number[], number] {
  const ref = run(variants[0]);
  const refV = heap.f32(ref).slice();
  heap.free(ref);
  let diff = 0;
  const times = variants.map(() => [] as number[]);
  for (let rep = 0; rep <= REPS; rep++) {
    variants.forEach((v, i) => {
      const t0 = performance.now();
      const out = run(v);
      const ms = performance.now() - t0;
      if (rep > 0) times[i].push(ms);
      else if (v.gemm) diff = Math.max(diff, maxRelDiff(heap.f32(out), refV));
      heap.free(out);
    });
  }
  return [times.map(median), diff];
}

function report(name: string, size: string, flops: number, ms: number[], diff: number, extra: string[] = []): void {
  const rates = ms.map((t) => flops / t / 1e6);
  console.log(
    [
      name,
      size,
      ...rates.map((r) => r.toFixed(1)),
      ...extra,
      (Math.max(...rates.slice(1)) / rates[0]).toFixed(2),
      diff.toExponential(1),
    ].join(' | '),
  );
}

function gemms(heap: WasmHeap, variants: Variant[]): void {
  console.log(
    ['GEMM', 'm x k x n', ...variants.map((v) => `${v.name} GFLOP/s`), 'best/XNN', 'max rel diff'].join(' | '),
  );
  for (const s of SHAPES) {
    if (ONLY && !s.name.includes(ONLY)) continue;
    const a = tf.randomUniform([s.m, s.k], -1, 1);
    const b = tf.randomUniform([s.k, s.n], -1, 1);
    const run = ({ gemm: g }: Variant) =>
      g ? gemmMatMul(heap, g, a, b, s.m, s.k, s.n, undefined, helpers(heap, g)) : heap.matMul(a, b, s.m, s.k, s.n);
    const [ms, diff] = timeVariants(variants, run, heap);
    report(s.name, `${s.m} x ${s.k} x ${s.n}`, 2 * s.m * s.k * s.n, ms, diff);
    a.dispose();
    b.dispose();
  }
}

// The conv layers of the article's DCGAN as bench/kernels.ts lists them (the forward conv whose gradients each uses).
const LAYERS = [
  { name: 'G ConvT(128,128,4,2,1) 7->14', x: [14, 14, 128], inC: 128, outC: 128, k: 4, s: 2, p: 1, transposed: true },
  { name: 'G ConvT(128,64,4,2,1) 14->28', x: [28, 28, 64], inC: 64, outC: 128, k: 4, s: 2, p: 1, transposed: true },
  { name: 'G Conv(64,1,3,1,1) 28', x: [28, 28, 64], inC: 64, outC: 1, k: 3, s: 1, p: 1 },
  { name: 'D Conv(1,32,4,2,1) 28->14', x: [28, 28, 1], inC: 1, outC: 32, k: 4, s: 2, p: 1 },
  { name: 'D Conv(32,64,4,2,1) 14->7', x: [14, 14, 32], inC: 32, outC: 64, k: 4, s: 2, p: 1 },
  { name: 'D Conv(64,128,3,2,1) 7->4', x: [7, 7, 64], inC: 64, outC: 128, k: 3, s: 2, p: 1 },
  { name: 'D Conv(128,256,3,1,1) 4', x: [4, 4, 128], inC: 128, outC: 256, k: 3, s: 1, p: 1 },
];

interface ConvCall {
  name: string;
  x: number[];
  filter: number[];
  attrs: tf.NamedAttrMap;
}

/** The XNNPACK Conv2D calls the training kernels make for each layer's forward, input and filter gradients. */
function recordConvCalls(): ConvCall[] {
  const config = tf.getKernel('Conv2D', 'wasm')!;
  const original = config.kernelFunc;
  const calls = new Map<string, ConvCall>();
  let current = '';
  (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const key = JSON.stringify([x.shape, filter.shape, args.attrs]);
    if (!calls.has(key)) calls.set(key, { name: current, x: x.shape, filter: filter.shape, attrs: args.attrs! });
    return original(args);
  };
  try {
    for (const l of LAYERS) {
      if (ONLY && !l.name.includes(ONLY)) continue;
      const info = tf.backend_util.computeConv2DInfo([BATCH, ...l.x] as never, [l.k, l.k, l.inC, l.outC], l.s, 1, l.p);
      const x = tf.randomNormal([BATCH, ...l.x]);
      const w = tf.randomNormal([l.k, l.k, l.inC, l.outC]);
      const dy = tf.randomNormal([BATCH, info.outHeight, info.outWidth, l.outC]);
      const attrs = { strides: l.s, pad: l.p, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
      const backend = tf.backend();
      const ops: [string, string, tf.NamedTensorInfoMap, tf.NamedAttrMap][] = [
        [l.transposed ? 'input grad' : 'forward', 'Conv2D', { x, filter: w }, attrs],
        [
          l.transposed ? 'forward' : 'input grad',
          'Conv2DBackpropInput',
          { dy, filter: w },
          { ...attrs, inputShape: x.shape },
        ],
        ['filter grad', 'Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }],
      ];
      for (const [op, kernel, inputs, kAttrs] of ops) {
        current = `${l.name} ${op}`;
        const out = tf.getKernel(kernel, 'wasm')!.kernelFunc({ inputs, attrs: kAttrs, backend }) as tf.TensorInfo;
        backend.disposeData(out.dataId);
      }
      tf.dispose([x, w, dy]);
    }
  } finally {
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = original;
  }
  return [...calls.values()];
}

function convs(heap: WasmHeap, variants: Variant[]): void {
  console.log(
    [
      'Conv2D call',
      'x, filter, stride, dilation',
      ...variants.map((v) => `${v.name} GFLOP/s`),
      ...variants.slice(1).map((v) => `Winograd ${v.name} GFLOP/s (direct-conv FLOPs)`),
      'best/XNN',
      'max rel diff',
    ].join(' | '),
  );
  const backend = tf.backend();
  const conv = tf.getKernel('Conv2D', 'wasm')!;
  for (const c of recordConvCalls()) {
    const x = tf.randomNormal(c.x);
    const filter = tf.randomNormal(c.filter);
    const a = c.attrs as unknown as {
      strides: number | [number, number];
      dilations: number | [number, number];
      pad: never;
    };
    const info = tf.backend_util.computeConv2DInfo(
      c.x as never,
      c.filter as never,
      a.strides,
      a.dilations ?? 1,
      a.pad,
      undefined,
      false,
      'channelsLast',
    );
    const winograd = isWinogradConv(info);
    // Winograd variants after the direct ones, for 3x3 stride-1 calls.
    const all: (Variant & { wino?: boolean })[] = [
      ...variants,
      ...(winograd ? variants.slice(1).map((v) => ({ ...v, name: `wino ${v.name}`, wino: true })) : []),
    ];
    const run = (v: Variant & { wino?: boolean }) =>
      !v.gemm
        ? (conv.kernelFunc({ inputs: { x, filter }, attrs: c.attrs, backend }) as tf.TensorInfo)
        : v.wino
          ? winogradConv2D(heap, v.gemm, x, filter, info, helpers(heap, v.gemm))
          : gemmConv2D(heap, v.gemm, x, filter, info, helpers(heap, v.gemm));
    const [ms, diff] = timeVariants(all, run, heap);
    const flops =
      2 *
      info.batchSize *
      info.outHeight *
      info.outWidth *
      info.outChannels *
      info.filterHeight *
      info.filterWidth *
      info.inChannels;
    const direct = ms.slice(0, variants.length);
    const wino = ms.slice(variants.length).map((t) => (flops / t / 1e6).toFixed(1));
    const size = `[${c.x}] [${c.filter}] s${JSON.stringify(a.strides)} d${JSON.stringify(a.dilations)}`;
    report(c.name, size, flops, direct, diff, winograd ? wino : variants.slice(1).map(() => '-'));
    tf.dispose([x, filter]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
