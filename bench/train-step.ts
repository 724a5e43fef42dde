/**
 * `npm run bench`: how fast tfjs-torch trains the reference article's DCGAN, against PyTorch 1.13 on the same CPU.
 *
 *     npm run bench -- [--batch 128] [--steps 3] [--rounds 3] [--warmup 3] [--backend NAME] [--threads 1]
 *                      [--no-torch] [--no-tuned] [--torch-blas auto|installed|openblas] [--profile | --profile-shapes]
 *                      [--infer-reps 5]
 *
 * The step is trainGAN's own (`GANStep`: the article's, with the fake batch detached in the D step): D on a real
 * batch and on G(noise).detach(), one Adam step of D; G on fresh noise through D (D's parameters frozen), one Adam
 * step of G; Adam(lr 2e-4, betas (0.2, 0.999), eps 1e-7), Dropout 0.25, batch 128, one read of the losses per step.
 * The library is imported by its package name (`tfjs-torch`, i.e. `dist/`: run `npx tsup` after changing `src/`).
 *
 * Rounds interleave the libraries so that machine load hits both: each round times `--steps` steps of ours, then as
 * many of PyTorch (`bench/torch_train_step.py`, a persistent child process, `OPENBLAS_NUM_THREADS=1`), then as many of
 * PyTorch with `OPENBLAS_CORETYPE=SkylakeX`. Ratios are ours / torch, the median of the per-round ratios of medians.
 *
 * `--torch-blas`: Debian's python3-torch runs on whichever `libblas.so.3` the system selects; the reference BLAS is
 * about 10x slower than OpenBLAS. `auto` (default) runs torch on `libopenblas0-pthread`'s OpenBLAS when that package
 * is installed (as the performance issue specifies), else on the installed BLAS; the BLAS used is printed.
 *
 * `--profile` adds a per-kernel table: milliseconds per step spent in each tfjs kernel (outermost calls only, so the
 * kernels our composite kernels call are counted inside them), and the rest of the step (JS, tape, engine);
 * `--profile-shapes` splits it by input shapes. `--threads N`: the wasm backend's XNNPACK threads (see initBackend); without it, the default backend
 * as `initBackend()` starts it (on Node with 2+ cores: wasm with its thread pool).
 * Figures, method and history: docs/performance.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Discriminator,
  GANStep,
  Generator,
  initBackend,
  manualSeed,
  noGrad,
  optim,
  randn,
  weightsInit,
} from 'tfjs-torch';

import {
  f1,
  f3,
  Flags,
  hasTorch,
  load,
  median,
  PYTHON,
  roundRatios,
  TORCH_BLAS_CHOICES,
  TorchChild,
  torchEnv,
} from './common';

// ---------------------------------------------------------------------------------------------------------
// Options

const USAGE =
  'npm run bench -- [--batch 128] [--steps 3] [--rounds 3] [--warmup 3] [--backend NAME] [--threads 1] [--no-torch] ' +
  '[--no-tuned] [--torch-blas auto|installed|openblas] [--profile | --profile-shapes] [--infer-reps 5]';
const flags = new Flags(USAGE, [
  '--batch',
  '--steps',
  '--rounds',
  '--warmup',
  '--backend',
  '--threads',
  '--no-torch',
  '--no-tuned',
  '--torch-blas',
  '--profile',
  '--profile-shapes',
  '--infer-reps',
]);
const BATCH = flags.int('--batch', 128, 1);
const STEPS = flags.int('--steps', 3, 1);
const ROUNDS = flags.int('--rounds', 3, 1);
const WARMUP = flags.int('--warmup', 3, 0);
const INFER_REPS = flags.int('--infer-reps', 5, 1);
const BACKEND = flags.has('--backend') ? flags.str('--backend', '') : undefined;
const THREADS = flags.has('--threads') ? flags.int('--threads', 1, 1) : undefined;
const PROFILE = flags.has('--profile') || flags.has('--profile-shapes');
const PROFILE_SHAPES = flags.has('--profile-shapes');
const TORCH_BLAS = flags.choice('--torch-blas', TORCH_BLAS_CHOICES, 'auto');

const Z_DIM = 100;
const IMG = 28;

// ---------------------------------------------------------------------------------------------------------
// FLOPs of one step

/** Multiply-adds of one forward pass per image, per layer, and which gradients each layer computes. */
interface LayerCost {
  name: string;
  /** Multiply-adds per image of the forward pass (= of the input gradient, = of the weight gradient). */
  macs: number;
  net: 'G' | 'D';
  /** The layer's input is the network input (no input gradient needed: noise for G, data or detached fake for D). */
  first: boolean;
}

/** The article's layers (28x28 MNIST, hidden 128, D widths 32..256); conv cost = outputs x k² x inC x outC. */
function layerCosts(): LayerCost[] {
  const conv = (outHW: number, k: number, inC: number, outC: number) => outHW * outHW * k * k * inC * outC;
  // A transposed conv costs as the conv it is the input gradient of: its input positions x k² x inC x outC.
  return [
    { name: 'G linear 100->6272', macs: 100 * 6272, net: 'G', first: true },
    { name: 'G convT 128->128 7->14 k4', macs: conv(7, 4, 128, 128), net: 'G', first: false },
    { name: 'G convT 128->64 14->28 k4', macs: conv(14, 4, 64, 128), net: 'G', first: false },
    { name: 'G conv 64->1 28 k3', macs: conv(28, 3, 64, 1), net: 'G', first: false },
    { name: 'D conv 1->32 28->14 k4', macs: conv(14, 4, 1, 32), net: 'D', first: true },
    { name: 'D conv 32->64 14->7 k4', macs: conv(7, 4, 32, 64), net: 'D', first: false },
    { name: 'D conv 64->128 7->4 k3', macs: conv(4, 3, 64, 128), net: 'D', first: false },
    { name: 'D conv 128->256 4 k3', macs: conv(4, 3, 128, 256), net: 'D', first: false },
    { name: 'D linear 4096->1', macs: 4096, net: 'D', first: false },
  ];
}

/**
 * FLOPs (2 per multiply-add) of one training step, convolutions and linear layers only (BatchNorm, activations,
 * losses and Adam are O(elements), under 1%):
 * - D step: D(real) and D(fake) forward and backward (weight gradients; input gradients except at D's input), and
 *   G(noise) forward (detached: no backward);
 * - G step: G forward, D forward, D input gradients down to the image (D's weights frozen), G backward (weight
 *   gradients; input gradients except at the noise).
 */
function stepFlops(batch: number): number {
  let macs = 0;
  for (const l of layerCosts()) {
    const fwd = l.macs;
    const dW = l.macs;
    const dX = l.first ? 0 : l.macs;
    if (l.net === 'D') {
      macs += 2 * (fwd + dW + dX); // D step: real and fake batches
      macs += fwd + l.macs; // G step: forward and input gradient (also at D's input: the gradient flows into G)
    } else {
      macs += fwd; // D step: the fake batch
      macs += fwd + dW + dX; // G step
    }
  }
  return 2 * macs * batch;
}

// ---------------------------------------------------------------------------------------------------------
// Per-kernel profile

interface KernelStat {
  ms: number;
  calls: number;
}
const kernelStats = new Map<string, KernelStat>();
let kernelDepth = 0;
let profiling = false;

/** Wraps every kernel of `backend` so that outermost calls are timed into `kernelStats`. */
function instrumentKernels(backend: string): void {
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    const kname = config.kernelName;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      const name = PROFILE_SHAPES
        ? `${kname} ${Object.values(args.inputs)
            .map((t) => `[${t!.shape}]`)
            .join(' ')}`
        : kname;
      if (kernelDepth > 0 || !profiling) return inner(args);
      kernelDepth++;
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const ms = performance.now() - t0;
        kernelDepth--;
        const s = kernelStats.get(name) ?? { ms: 0, calls: 0 };
        s.ms += ms;
        s.calls++;
        kernelStats.set(name, s);
      }
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Ours

interface Trainer {
  step(): Promise<number[]>;
  inferenceMs(): number;
}

function makeTrainer(): Trainer {
  manualSeed(0);
  const generator = new Generator().apply(weightsInit);
  const discriminator = new Discriminator().apply(weightsInit);
  generator.train();
  discriminator.train();
  const adam = { lr: 2e-4, betas: [0.2, 0.999] as [number, number], eps: 1e-7 };
  const optimizerD = new optim.Adam(discriminator.parameters(), adam);
  const optimizerG = new optim.Adam(generator.parameters(), adam);
  // trainGAN's step; the real batch is uniform noise (the data's values do not change the work).
  const trainStep = new GANStep({ generator, discriminator, optimizerG, optimizerD, batchSize: BATCH, zDim: Z_DIM });
  const realBatch = () => tf.randomUniform([BATCH, 1, IMG, IMG], -1, 1);

  const noise = randn([BATCH, Z_DIM]);
  return {
    async step() {
      const stats = trainStep.run(realBatch);
      const v = Array.from(await stats.data());
      stats.dispose();
      return v;
    },
    inferenceMs() {
      generator.eval();
      const t0 = performance.now();
      const images = noGrad(() => tf.tidy(() => generator.forward(noise)));
      images.dataSync();
      const ms = performance.now() - t0;
      images.dispose();
      generator.train();
      return ms;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const backend = await initBackend(BACKEND, THREADS === undefined ? {} : { wasmThreads: THREADS });
  const flops = stepFlops(BATCH);
  console.log(
    `tfjs-torch bench: the article's DCGAN, batch ${BATCH}, one D step + one G step (fake detached in the D step)`,
  );
  const threads = backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : undefined;
  console.log(
    `tfjs ${tf.version_core}, backend ${backend}${threads !== undefined ? ` (threads: ${threads})` : ''}, ` +
      `node ${process.version}, ${f1(flops / 1e9)} GFLOP per step (convolutions and linear layers), load average ${load()}`,
  );

  const variants: TorchChild[] = [];
  if (!flags.has('--no-torch')) {
    if (await hasTorch()) {
      const args = ['--batch', String(BATCH)];
      variants.push(new TorchChild('torch', 'torch_train_step.py', args, torchEnv(TORCH_BLAS)));
      if (!flags.has('--no-tuned')) {
        variants.push(new TorchChild('torch SkylakeX', 'torch_train_step.py', args, torchEnv(TORCH_BLAS, true)));
      }
      for (const v of variants) {
        await v.start();
        console.log(v.describe());
      }
    } else {
      console.log(`PyTorch: not run (${PYTHON} cannot import torch)`);
    }
  }

  const trainer = makeTrainer();
  for (let i = 0; i < WARMUP; i++) await trainer.step();
  for (const v of variants) await v.steps(Math.max(WARMUP, 1));
  if (PROFILE) instrumentKernels(backend);
  profiling = PROFILE;

  const ours: number[][] = [];
  let lastLosses: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ms: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const t0 = performance.now();
      lastLosses = await trainer.step();
      ms.push(performance.now() - t0);
    }
    ours.push(ms);
    const parts = [`round ${r + 1}/${ROUNDS}: ours ${f1(median(ms))} ms`];
    for (const v of variants) {
      const t = await v.round(STEPS);
      parts.push(`${v.label} ${f1(median(t))} ms`);
    }
    console.log(`${parts.join(', ')} (load ${load()})`);
  }
  profiling = false;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  if (!lastLosses.every(Number.isFinite)) throw new Error(`non-finite losses ${lastLosses}`);

  const inferMs: number[] = [];
  trainer.inferenceMs();
  for (let i = 0; i < INFER_REPS; i++) inferMs.push(trainer.inferenceMs());

  const all = ours.flat();
  const stepMs = median(all);
  console.log('');
  console.log(
    `ours (${backend}): ${f1(stepMs)} ms/step (median of ${all.length}; min ${f1(Math.min(...all))}, ` +
      `max ${f1(Math.max(...all))}), ${f1((BATCH * 1000) / stepMs)} images/s, ${f1(flops / 1e6 / stepMs)} GFLOP/s, ` +
      `peak RSS ${Math.round(rssMb)} MB`,
  );
  console.log(
    `ours (${backend}): generator inference ${f1((BATCH * 1000) / median(inferMs))} images/s ` +
      `(batch ${BATCH}, eval mode, ${f1(median(inferMs))} ms per batch)`,
  );
  for (const v of variants) {
    const t = v.roundMs.flat();
    const ratios = roundRatios(ours, v.roundMs);
    console.log(
      `${v.label}: ${f1(median(t))} ms/step (median of ${t.length}), ${f1(flops / 1e6 / median(t))} GFLOP/s, ` +
        `peak RSS ${Math.round(v.maxRssMb)} MB; ours/${v.label} = ${f3(ratios.median)} ` +
        `(per round: ${ratios.perRound.map(f3).join(', ')})`,
    );
    v.quit();
  }
  console.log(`load average at the end: ${load()}`);

  if (PROFILE) {
    const steps = ROUNDS * STEPS;
    const rows = [...kernelStats.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const kernelMs = rows.reduce((s, [, k]) => s + k.ms, 0) / steps;
    console.log('');
    console.log(`per-kernel profile (ms per step, outermost kernel calls, mean of ${steps} steps):`);
    for (const [name, k] of rows) {
      if (k.ms / steps < 0.5) continue;
      console.log(
        `  ${name.padEnd(PROFILE_SHAPES ? 70 : 28)} ${f1(k.ms / steps).padStart(8)} ms  ${String(Math.round(k.calls / steps)).padStart(5)} calls`,
      );
    }
    const meanStep = all.reduce((s, x) => s + x, 0) / all.length;
    console.log(`  ${'(kernels total)'.padEnd(28)} ${f1(kernelMs).padStart(8)} ms`);
    console.log(
      `  ${'(outside kernels)'.padEnd(28)} ${f1(meanStep - kernelMs).padStart(8)} ms  (JS: tape, engine, RNG, ...)`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
