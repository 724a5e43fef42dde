/**
 * Times the convolution kernels of the article's DCGAN (batch 128, NHWC) on the wasm backend: forward, input
 * gradient and filter gradient, ours against tfjs-backend-wasm's stock kernel where it has one.
 *
 *     npx tsx bench/kernels.ts [--reps 5] [--batch 128] [--no-stock] [--only <substring>]
 *
 * Prints the median of `--reps` timed runs after one warm-up, per kernel call. Single-threaded (the wasm backend
 * disables its thread pool in Node). Other processes on the machine slow it down: compare runs made side by side.
 */
import { loadavg } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels, stockWasmKernel } from '../src/backends/wasm-kernels';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const REPS = Number(flag('--reps', '5'));
const BATCH = Number(flag('--batch', '128'));
const STOCK = !argv.includes('--no-stock');
const ONLY = flag('--only', '');

interface ConvLayer {
  name: string;
  /** Forward conv geometry: x `[B, H, W, inC]`, filter `[k, k, inC, outC]`, stride, torch padding. */
  x: [number, number, number];
  inC: number;
  outC: number;
  k: number;
  s: number;
  p: number;
  /** A ConvTranspose2d layer: its forward is Conv2DBackpropInput, its input gradient is Conv2D. */
  transposed?: boolean;
}

// The conv layers of the article's DCGAN, described by the forward conv whose gradient each one uses.
const LAYERS: ConvLayer[] = [
  { name: 'G ConvT(128,128,4,2,1) 7->14', x: [14, 14, 128], inC: 128, outC: 128, k: 4, s: 2, p: 1, transposed: true },
  { name: 'G ConvT(128,64,4,2,1) 14->28', x: [28, 28, 64], inC: 64, outC: 128, k: 4, s: 2, p: 1, transposed: true },
  { name: 'G Conv(64,1,3,1,1) 28', x: [28, 28, 64], inC: 64, outC: 1, k: 3, s: 1, p: 1 },
  { name: 'D Conv(1,32,4,2,1) 28->14', x: [28, 28, 1], inC: 1, outC: 32, k: 4, s: 2, p: 1 },
  { name: 'D Conv(32,64,4,2,1) 14->7', x: [14, 14, 32], inC: 32, outC: 64, k: 4, s: 2, p: 1 },
  { name: 'D Conv(64,128,3,2,1) 7->4', x: [7, 7, 64], inC: 64, outC: 128, k: 3, s: 2, p: 1 },
  { name: 'D Conv(128,256,3,1,1) 4', x: [4, 4, 128], inC: 128, outC: 256, k: 3, s: 1, p: 1 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median milliseconds of one direct kernel call (no engine, no tape), after a warm-up call. */
function time(kernel: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): number {
  const backend = tf.backend();
  const once = () => {
    const t0 = performance.now();
    const out = kernel.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
    const ms = performance.now() - t0;
    backend.disposeData(out.dataId);
    return ms;
  };
  once();
  return median(Array.from({ length: REPS }, once));
}

const ORDER = ['forward', 'input grad', 'filter grad'];
const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms.toFixed(1));

async function main(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  registerWasmTrainingKernels();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  console.log(
    `tfjs ${tf.version_core}, wasm (simd: ${simd}), batch ${BATCH}, median of ${REPS} after 1 warm-up, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const rows: string[][] = [['layer', 'op', 'kernel', 'GFLOP', 'ours ms', 'stock ms', 'speed-up', 'ours GFLOP/s']];
  for (const l of LAYERS) {
    if (ONLY && !l.name.includes(ONLY)) continue;
    const pad = tf.backend_util.computeConv2DInfo([BATCH, ...l.x], [l.k, l.k, l.inC, l.outC], l.s, 1, l.p);
    const [oh, ow] = [pad.outHeight, pad.outWidth];
    const x = tf.randomNormal([BATCH, ...l.x]);
    const w = tf.randomNormal([l.k, l.k, l.inC, l.outC]);
    const dy = tf.randomNormal([BATCH, oh, ow, l.outC]);
    const attrs = { strides: l.s, pad: l.p, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
    const gflop = (2 * BATCH * oh * ow * l.k * l.k * l.inC * l.outC) / 1e9;
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
    for (const [op, kernel, inputs, kAttrs] of ops.sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]))) {
      const ours = tf.getKernel(kernel, 'wasm')!;
      const stock = kernel === 'Conv2D' ? undefined : stockWasmKernel(kernel);
      const oursMs = time(ours, inputs, kAttrs);
      const stockMs = STOCK && stock ? time(stock, inputs, kAttrs) : undefined;
      rows.push([
        l.name,
        op,
        kernel === 'Conv2D' ? 'Conv2D (stock)' : kernel,
        gflop.toFixed(2),
        fmt(oursMs),
        fmt(stockMs),
        stockMs ? `${(stockMs / oursMs).toFixed(1)}x` : '-',
        (gflop / (oursMs / 1e3)).toFixed(1),
      ]);
    }
    tf.dispose([x, w, dy]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => (c < 3 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
