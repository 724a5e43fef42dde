/**
 * `npm run bench:small`: the per-op cost of the library on two small models of pytorch/examples, against PyTorch
 * 1.13 running the same in the same run.
 *
 *     npm run bench:small -- [--workload lstm-cell|mnist|all] [--steps 5] [--rounds 3] [--warmup 3]
 *                            [--backend NAME] [--threads N] [--no-torch] [--torch-blas auto|installed|openblas]
 *                            [--profile]
 *
 * Workloads (one training step each: zero_grad, forward, loss, backward, optimizer step, loss read back):
 * - `lstm-cell`: time_sequence_prediction's `Sequence` (LSTMCell(1, 51), LSTMCell(51, 51), Linear(51, 1)) unrolled
 *   over 100 steps at batch 64 (input split into columns, outputs concatenated), MSE loss, Adam(lr 0.01), float32
 *   (the example trains in float64 with LBFGS; Adam's step is one closure evaluation). About 1,100 recorded ops per
 *   step on tiny tensors: the time is per-op overhead, not FLOPs.
 * - `mnist`: mnist/main.py's `Net` (`examples/pytorch/mnist/net.ts`), batch 64, `nll_loss`, Adadelta(lr 1.0),
 *   dropout on (train mode).
 *
 * Inputs are fixed random tensors (their values do not change the cost). PyTorch runs `bench/torch_small_ops.py` as a
 * persistent child (one thread, OpenBLAS when installed: see `bench/common.ts`); rounds interleave the two so that
 * machine load hits both. The ratio is ours / torch, the median of per-round ratios of medians, of wall time and of
 * CPU time (each process's threads together: steadier than wall time on a loaded machine). `--profile` (no PyTorch)
 * adds the CPU time per step of each kernel (outermost calls), by kernel and by input shapes. To profile the
 * library's JavaScript: `npx tsx --cpu-prof --cpu-prof-dir .scratch/prof bench/small-ops.ts --no-torch ...`.
 * The library is imported by its package name (`dist/`: run `npx tsup` after changing `src/`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { F, initBackend, manualSeed, nn, optim, split, cat } from 'tfjs-torch';

import { Net } from '../examples/pytorch/mnist/net';
import {
  f1,
  f3,
  Flags,
  hasTorch,
  type KernelStat,
  load,
  median,
  PYTHON,
  printProfile,
  profileKernels,
  roundRatios,
  timeCpu,
  TORCH_BLAS_CHOICES,
  TorchChild,
  torchEnv,
} from './common';

const USAGE =
  'npm run bench:small -- [--workload lstm-cell|mnist|all] [--steps 5] [--rounds 3] [--warmup 3] [--backend NAME] ' +
  '[--threads N] [--no-torch] [--torch-blas auto|installed|openblas] [--profile]';
const flags = new Flags(USAGE, [
  '--workload',
  '--steps',
  '--rounds',
  '--warmup',
  '--backend',
  '--threads',
  '--no-torch',
  '--torch-blas',
  '--profile',
]);
const WORKLOADS = ['lstm-cell', 'mnist'] as const;
type Workload = (typeof WORKLOADS)[number];
const WORKLOAD = flags.choice('--workload', [...WORKLOADS, 'all'] as const, 'all');
const STEPS = flags.int('--steps', 5, 1);
const ROUNDS = flags.int('--rounds', 3, 1);
const WARMUP = flags.int('--warmup', 3, 0);
const BACKEND = flags.has('--backend') ? flags.str('--backend', '') : undefined;
const THREADS = flags.has('--threads') ? flags.int('--threads', 1, 1) : undefined;
const TORCH_BLAS = flags.choice('--torch-blas', TORCH_BLAS_CHOICES, 'auto');
const PROFILE = flags.has('--profile');
/** Kernel times of the timed steps (`--profile`). */
const profile = new Map<string, KernelStat>();

const BATCH = 64;
const SEQ_LEN = 100;
const HIDDEN = 51;

/** time_sequence_prediction's `Sequence` (its `future` predictions left out). */
class Sequence extends nn.Module {
  readonly lstm1 = this.registerModule('lstm1', new nn.LSTMCell(1, HIDDEN));
  readonly lstm2 = this.registerModule('lstm2', new nn.LSTMCell(HIDDEN, HIDDEN));
  readonly linear = this.registerModule('linear', new nn.Linear(HIDDEN, 1));

  override forward(input: tf.Tensor): tf.Tensor {
    const outputs: tf.Tensor[] = [];
    let h = tf.zeros([input.shape[0], HIDDEN]);
    let c = tf.zeros([input.shape[0], HIDDEN]);
    let h2 = tf.zeros([input.shape[0], HIDDEN]);
    let c2 = tf.zeros([input.shape[0], HIDDEN]);
    for (const inputT of split(input, 1, 1)) {
      [h, c] = this.lstm1.forward(inputT, [h, c]);
      [h2, c2] = this.lstm2.forward(h, [h2, c2]);
      outputs.push(this.linear.forward(h2));
    }
    return cat(outputs, 1);
  }
}

/** One training step of a workload, ending with the loss read back. */
type Step = () => Promise<number>;

function makeStep(workload: Workload): Step {
  manualSeed(0);
  let model: nn.Module;
  let optimizer: { zeroGrad(): void; step(): unknown };
  let input: tf.Tensor;
  let loss: (out: tf.Tensor) => tf.Tensor;
  if (workload === 'lstm-cell') {
    model = new Sequence();
    optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    input = tf.randomUniform([BATCH, SEQ_LEN], -1, 1);
    const target = tf.randomUniform([BATCH, SEQ_LEN], -1, 1);
    loss = (out) => F.mseLoss(out, target);
  } else {
    model = new Net();
    optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
    input = tf.randomNormal([BATCH, 1, 28, 28]);
    const target = tf.randomUniformInt([BATCH], 0, 10);
    loss = (out) => F.nllLoss(out, target);
  }
  model.train();
  return async () => {
    const l = tf.tidy(() => {
      optimizer.zeroGrad();
      const value = loss(model.forward(input));
      value.backward();
      optimizer.step();
      return value;
    });
    const v = (await l.data())[0];
    l.dispose();
    return v;
  };
}

async function runWorkload(workload: Workload, torchAvailable: boolean): Promise<void> {
  const torch = torchAvailable
    ? new TorchChild('torch', 'torch_small_ops.py', ['--workload', workload], torchEnv(TORCH_BLAS))
    : null;
  if (torch) {
    await torch.start();
    console.log(torch.describe());
  }
  const step = makeStep(workload);
  for (let i = 0; i < WARMUP; i++) await step();
  const tensorsBefore = tf.memory().numTensors;
  await torch?.steps(Math.max(WARMUP, 1));
  profile.clear();
  const ours: number[][] = [];
  const oursCpu: number[][] = [];
  let lastLoss = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const ms: number[] = [];
    const cpu: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const t = await timeCpu(step);
      lastLoss = t.value;
      ms.push(t.ms);
      cpu.push(t.cpuMs);
    }
    ours.push(ms);
    oursCpu.push(cpu);
    const parts = [`${workload} round ${r + 1}/${ROUNDS}: ours ${f1(median(ms))} ms`];
    if (torch) parts.push(`torch ${f1(median(await torch.round(STEPS)))} ms`);
    console.log(`${parts.join(', ')} (load ${load()})`);
  }
  if (PROFILE) printProfile(profile, ROUNDS * STEPS);
  if (!Number.isFinite(lastLoss)) throw new Error(`${workload}: non-finite loss ${lastLoss}`);
  const all = ours.flat();
  const leaked = tf.memory().numTensors - tensorsBefore;
  console.log(
    `${workload}: ours ${f1(median(all))} ms/step (median of ${all.length}; min ${f1(Math.min(...all))}, ` +
      `max ${f1(Math.max(...all))}), CPU ${f1(median(oursCpu.flat()))} ms/step` +
      `${leaked > 0 ? `, ${leaked} tensors more than after the warm-up steps` : ''}`,
  );
  if (torch) {
    const t = torch.roundMs.flat();
    const ratios = roundRatios(ours, torch.roundMs);
    const cpuRatios = roundRatios(oursCpu, torch.roundCpuMs);
    console.log(
      `${workload}: torch ${f1(median(t))} ms/step (median of ${t.length}), CPU ${f1(median(torch.roundCpuMs.flat()))} ` +
        `ms/step; ours/torch = ${f3(ratios.median)} (per round: ${ratios.perRound.map(f3).join(', ')}); ` +
        `CPU time ours/torch = ${f3(cpuRatios.median)} (per round: ${cpuRatios.perRound.map(f3).join(', ')})`,
    );
    torch.quit();
  }
}

async function main(): Promise<void> {
  const backend = await initBackend(BACKEND, THREADS === undefined ? {} : { wasmThreads: THREADS });
  const threads = backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : undefined;
  console.log(
    `tfjs-torch small-ops bench: tfjs ${tf.version_core}, backend ${backend}` +
      `${threads !== undefined ? ` (threads: ${threads})` : ''}, node ${process.version}, load average ${load()}`,
  );
  if (PROFILE) profileKernels(backend, profile);
  let torchAvailable = false;
  if (!flags.has('--no-torch') && !PROFILE) {
    torchAvailable = await hasTorch();
    if (!torchAvailable) console.log(`PyTorch: not run (${PYTHON} cannot import torch)`);
  }
  for (const w of WORKLOAD === 'all' ? WORKLOADS : [WORKLOAD]) await runWorkload(w, torchAvailable);
  console.log(`load average at the end: ${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
