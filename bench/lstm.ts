/**
 * `npm run bench:lstm`: how fast tfjs-torch trains pytorch/examples' word_language_model LSTM, against PyTorch 1.13
 * running the same model in the same run.
 *
 *     npm run bench:lstm -- [--steps 3] [--rounds 3] [--warmup 2] [--backend wasm] [--threads 1] [--no-torch]
 *                            [--profile]
 *
 * Model: Embedding(10000, 200) -> Dropout 0.2 -> LSTM(200, 200, 2 layers, dropout 0.2) -> Dropout 0.2 ->
 * Linear(200, 10000), untied; batch 20, sequence 35. One step: hidden detached from the previous step, zero_grad,
 * forward, cross entropy, backward, plain SGD (lr 20; the example's gradient clipping is left out on both sides),
 * loss read back. PyTorch runs as a child process (`bench/torch_lstm.py`, one thread, `OPENBLAS_NUM_THREADS=1`,
 * on `libopenblas0-pthread`'s OpenBLAS when installed); rounds interleave the two so machine load hits both.
 * Prints ms/step (median) for each, wall-clock and process CPU time, the ratios ours / torch, the load average and the
 * peak RSS of each process. On a shared machine the CPU-time ratio is the steadier one: both sides run one thread, and
 * time spent waiting for a core counts in neither. `--threads` sets the wasm backend's XNNPACK threads (default 1, as
 * PyTorch's one thread). `--profile` (no PyTorch) also prints the CPU time per step of each kernel of the backend,
 * by kernel and by input shapes (outermost kernel calls: a fused kernel's inner GEMMs are counted in it).
 * The library is imported by its package name (`dist/`: run `npx tsup` after changing `src/`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { F, backward, detach, initBackend, manualSeed, nn, noGrad } from 'tfjs-torch';

import { type KernelStat, printProfile, profileKernels } from './common';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
const NTOKEN = 10000;
const NINP = 200;
const NHID = 200;
const NLAYERS = 2;
const BPTT = 35;
const BATCH = 20;
const LR = 20;

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : Number(argv[i + 1]);
};
const STEPS = flag('--steps', 3);
const ROUNDS = flag('--rounds', 3);
const WARMUP = flag('--warmup', 2);
const backendIdx = argv.indexOf('--backend');
const BACKEND = backendIdx < 0 ? 'wasm' : argv[backendIdx + 1];
const THREADS = flag('--threads', 1);
const PROFILE = argv.includes('--profile');
const NO_TORCH = argv.includes('--no-torch') || PROFILE;

/** word_language_model's RNNModel (LSTM, untied). */
class RNNModel extends nn.Module {
  drop = this.registerModule('drop', new nn.Dropout(0.2));
  encoder = this.registerModule('encoder', new nn.Embedding(NTOKEN, NINP));
  rnn = this.registerModule('rnn', new nn.LSTM(NINP, NHID, NLAYERS, { dropout: 0.2 }));
  decoder = this.registerModule('decoder', new nn.Linear(NHID, NTOKEN));
  override forward(x: tf.Tensor, hidden: nn.LSTMState | null): [tf.Tensor, nn.LSTMState] {
    const emb = this.drop.forward(this.encoder.forward(x));
    const [out, state] = this.rnn.forward(emb, hidden);
    return [this.decoder.forward(this.drop.forward(out)), state];
  }
}

function makeTrainer() {
  manualSeed(0);
  const model = new RNNModel();
  model.train();
  let hidden: nn.LSTMState | null = null;
  return async function step(): Promise<number> {
    const x = tf.randomUniformInt([BPTT, BATCH], 0, NTOKEN);
    const y = tf.randomUniformInt([BPTT * BATCH], 0, NTOKEN);
    const [loss, next] = tf.tidy(() => {
      model.zeroGrad();
      // The previous step's state enters as a constant (torch's repackage_hidden).
      const [out, state] = model.forward(x, hidden);
      const l = F.crossEntropy(tf.reshape(out, [-1, NTOKEN]), y);
      backward(l);
      noGrad(() => {
        for (const p of model.parameters()) {
          if (!p.grad) continue;
          const updated = tf.sub(p, tf.mul(p.grad, LR));
          p.assign(updated);
        }
      });
      return [l, state.map((s) => detach(s))] as const;
    });
    hidden?.forEach((h) => h.dispose());
    hidden = next as unknown as nn.LSTMState;
    const v = (await loss.data())[0];
    loss.dispose();
    x.dispose();
    y.dispose();
    return v;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x: number) => x.toFixed(1);
const cpuMs = (since?: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const backend = await initBackend(BACKEND, { wasmThreads: THREADS });
  const step = makeTrainer();
  let torchProc: ReturnType<typeof spawn> | null = null;
  let torchLines: AsyncIterator<string> | null = null;
  let blas = 'installed BLAS';
  if (!NO_TORCH) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
    if (existsSync(join(OPENBLAS_DIR, 'libblas.so.3'))) {
      env.LD_LIBRARY_PATH = [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
      blas = 'OpenBLAS (libopenblas0-pthread)';
    }
    torchProc = spawn(PYTHON, [join(HERE, 'torch_lstm.py')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    torchLines = createInterface({ input: torchProc.stdout! })[Symbol.asyncIterator]();
    const ready = JSON.parse((await torchLines.next()).value as string);
    console.log(`PyTorch ${ready.torch}, ${ready.threads} thread, on the ${blas}`);
  }
  const torchSteps = async (n: number): Promise<{ ms: number[]; cpu_ms: number[]; rss_mb: number }> => {
    torchProc!.stdin!.write(`steps ${n}\n`);
    return JSON.parse((await torchLines!.next()).value as string);
  };
  const threads = backend === 'wasm' ? `, ${THREADS} thread${THREADS === 1 ? '' : 's'}` : '';
  console.log(
    `tfjs-torch on ${backend}${threads}; word_language_model LSTM: batch ${BATCH}, bptt ${BPTT}, vocab ${NTOKEN}`,
  );
  for (let i = 0; i < WARMUP; i++) await step();
  if (torchProc) await torchSteps(WARMUP);
  const table = new Map<string, KernelStat>();
  if (PROFILE) profileKernels(backend, table);
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const theirs: number[] = [];
  const theirsCpu: number[] = [];
  let torchRss = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (let s = 0; s < STEPS; s++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await step();
      oursCpu.push(cpuMs(c0));
      ours.push(performance.now() - t0);
    }
    if (torchProc) {
      const res = await torchSteps(STEPS);
      theirs.push(...res.ms);
      theirsCpu.push(...res.cpu_ms);
      torchRss = res.rss_mb;
    }
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  const n = ours.length;
  console.log(
    `tfjs-torch: ${f1(median(ours))} ms/step wall, ${f1(median(oursCpu))} ms/step CPU (medians of ${n}), ` +
      `peak RSS ${f1(rss)} MB`,
  );
  if (torchProc) {
    console.log(
      `PyTorch:    ${f1(median(theirs))} ms/step wall, ${f1(median(theirsCpu))} ms/step CPU (medians of ` +
        `${theirs.length}), peak RSS ${f1(torchRss)} MB`,
    );
    const wall = median(ours) / median(theirs);
    const cpu = median(oursCpu) / median(theirsCpu);
    console.log(`ratio (ours / torch): ${wall.toFixed(2)}x wall, ${cpu.toFixed(2)}x CPU`);
    torchProc.stdin!.write('quit\n');
  }
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`tensors alive: ${tf.memory().numTensors}`);
  if (PROFILE) printProfile(table, n);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
