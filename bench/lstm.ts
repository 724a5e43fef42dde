/**
 * `npm run bench:lstm`: how fast tfjs-torch trains pytorch/examples' word_language_model LSTM, against PyTorch 1.13
 * running the same model in the same run.
 *
 *     npm run bench:lstm -- [--steps 3] [--rounds 3] [--warmup 2] [--backend wasm] [--no-torch]
 *
 * Model: Embedding(10000, 200) -> Dropout 0.2 -> LSTM(200, 200, 2 layers, dropout 0.2) -> Dropout 0.2 ->
 * Linear(200, 10000), untied; batch 20, sequence 35. One step: hidden detached from the previous step, zero_grad,
 * forward, cross entropy, backward, plain SGD (lr 20; the example's gradient clipping is left out on both sides),
 * loss read back. PyTorch runs as a child process (`bench/torch_lstm.py`, one thread, `OPENBLAS_NUM_THREADS=1`,
 * on `libopenblas0-pthread`'s OpenBLAS when installed); rounds interleave the two so machine load hits both.
 * Prints ms/step (median) for each, the ratio ours / torch, the load average and the peak RSS of each process.
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
const NO_TORCH = argv.includes('--no-torch');

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

async function main(): Promise<void> {
  const backend = await initBackend(BACKEND);
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
  const torchSteps = async (n: number): Promise<{ ms: number[]; rss_mb: number }> => {
    torchProc!.stdin!.write(`steps ${n}\n`);
    return JSON.parse((await torchLines!.next()).value as string);
  };
  console.log(`tfjs-torch on ${backend}; word_language_model LSTM: batch ${BATCH}, bptt ${BPTT}, vocab ${NTOKEN}`);
  for (let i = 0; i < WARMUP; i++) await step();
  if (torchProc) await torchSteps(WARMUP);
  const ours: number[] = [];
  const theirs: number[] = [];
  let torchRss = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (let s = 0; s < STEPS; s++) {
      const t0 = performance.now();
      await step();
      ours.push(performance.now() - t0);
    }
    if (torchProc) {
      const res = await torchSteps(STEPS);
      theirs.push(...res.ms);
      torchRss = res.rss_mb;
    }
  }
  const oursMs = median(ours);
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`tfjs-torch: ${f1(oursMs)} ms/step (median of ${ours.length}), peak RSS ${f1(rss)} MB`);
  if (torchProc) {
    const torchMs = median(theirs);
    console.log(`PyTorch:    ${f1(torchMs)} ms/step (median of ${theirs.length}), peak RSS ${f1(torchRss)} MB`);
    console.log(`ratio (ours / torch): ${(oursMs / torchMs).toFixed(2)}x`);
    torchProc.stdin!.write('quit\n');
  }
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`tensors alive: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
