/**
 * Trains the reference article's DCGAN on MNIST: `npm run train` (`npx tsx examples/train-dcgan.ts`).
 *
 * Flags in the spirit of pytorch/examples' dcgan/main.py; `--help` lists them. Every `--sample-every`
 * steps it writes `samples/step_000100.png` (an 8x8 grid of G on 64 fixed noise vectors, torchvision's
 * `save_image` layout), `loss.png` and `checkpoint.pt` (torch.save format, loads in PyTorch); once,
 * `real_samples.png`. Ctrl-C stops after the current step and saves a checkpoint; `--resume` continues
 * the run exactly where it stopped.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import {
  ProgressBar,
  loadCheckpoint,
  loadIdxArrays,
  loadMnistArrays,
  saveCheckpoint,
  saveImageGrid,
  saveLossPlot,
} from 'tfjs-torch/node';
import type { GANCheckpoint, GANHistory, ImageBytes } from 'tfjs-torch';

const DEFAULT_STEPS = 500;

const USAGE = `Usage: npm run train -- [options]      (or: npx tsx examples/train-dcgan.ts [options])

Trains the reference article's DCGAN (its PyTorch Generator/Discriminator, weights_init, BCELoss, Adam)
on MNIST and writes sample grids, a loss plot and a checkpoint as it goes.

Options:
  --steps N          total training steps; a resumed run continues up to N
                     (default ${DEFAULT_STEPS}; the article runs 3001)
  --batch-size N     images per step (default 128)
  --lr X             Adam learning rate of both networks (default 0.0002)
  --beta1 X          Adam beta1 of both networks (default 0.2, the article's; pytorch/examples uses 0.5)
  --seed N           seed of noise, dropout, initialisation and batch sampling, 0..4294967295
                     (default: random, printed so the run can be replayed)
  --data SRC         mnist: the 10,000 real digits of the npm package 'mnist' (default)
                     idx:PATH: an IDX image file, raw or .gz (e.g. train-images-idx3-ubyte.gz)
                     fake: random images (smoke tests)
  --out DIR          output directory (default out)
  --sample-every N   steps between sample grids, loss plot and checkpoint (default 100)
  --resume FILE      continue from a checkpoint.pt (its seed, data, batch size and settings)
  --backend NAME     tfjs backend: wasm, cpu, tensorflow, ... (default: automatic, or $TFJS_TORCH_BACKEND)
  --dry-run          run one step, write every output, exit
  -h, --help         show this help
`;

class UsageError extends Error {}

interface Flags {
  steps?: number;
  batchSize?: number;
  lr?: number;
  beta1?: number;
  seed?: number;
  data?: string;
  out: string;
  sampleEvery: number;
  resume?: string;
  backend?: string;
  dryRun: boolean;
}

function intFlag(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got '${v}'`);
  }
  return n;
}

function numberFlag(
  name: string,
  v: string | undefined,
  ok: (x: number) => boolean,
  range: string,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${name} must be a number ${range}, got '${v}'`);
  return n;
}

function parseFlags(argv: string[]): Flags | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        steps: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        beta1: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        'sample-every': { type: 'string' },
        resume: { type: 'string' },
        backend: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const data = v.data;
  if (data !== undefined && data !== 'mnist' && data !== 'fake' && !(data.startsWith('idx:') && data.length > 4)) {
    throw new UsageError(`--data must be mnist, fake or idx:PATH, got '${data}'`);
  }
  return {
    steps: intFlag('steps', v.steps, 1),
    batchSize: intFlag('batch-size', v['batch-size'], 1),
    lr: numberFlag('lr', v.lr, (x) => x > 0, '> 0'),
    beta1: numberFlag('beta1', v.beta1, (x) => x >= 0 && x < 1, 'in [0, 1)'),
    seed: intFlag('seed', v.seed, 0, 2 ** 32 - 1),
    data,
    out: v.out ?? 'out',
    sampleEvery: intFlag('sample-every', v['sample-every'], 1) ?? 100,
    resume: v.resume,
    backend: v.backend,
    dryRun: !!v['dry-run'],
  };
}

/** The training images as bytes: the embedded MNIST, an IDX file, or random images. */
function loadData(spec: string, seed: number): { bytes: ImageBytes; label: string } {
  if (spec === 'mnist') return { bytes: loadMnistArrays(), label: "mnist (the npm package 'mnist')" };
  if (spec.startsWith('idx:')) return { bytes: loadIdxArrays(spec.slice(4)), label: spec };
  const count = 512;
  // Its own generator, so the training stream is the same whatever the data.
  const values = torch.randintFill(count * 28 * 28, 0, 256, new torch.RandomGenerator(seed));
  return {
    bytes: { images: Uint8Array.from(values), labels: null, count, channels: 1, height: 28, width: 28 },
    label: 'fake (random images)',
  };
}

const pad6 = (n: number) => String(n).padStart(6, '0');
/** torchvision's `save_image(x, normalize=True, value_range=(-1, 1))`: tanh outputs to [0, 1]. */
const GRID = { nrow: 8, normalize: true, valueRange: [-1, 1] as [number, number] };

function lossSeries(h: GANHistory) {
  return { lossD: h.dLoss, lossG: h.gLoss, dX: h.dX, dGz1: h.dGz1, dGz2: h.dGz2 };
}

async function main(argv: string[]): Promise<number> {
  let flags: Flags | 'help';
  try {
    flags = parseFlags(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`train-dcgan: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const backend = await torch.initBackend(flags.backend);
  torch.requireKernels(torch.CONV_TRAINING_KERNELS, 'training the DCGAN');

  let resume: GANCheckpoint | undefined;
  if (flags.resume) {
    resume = await loadCheckpoint(flags.resume);
    if (flags.seed !== undefined && flags.seed !== resume.seed) {
      throw new UsageError(
        `--seed ${flags.seed} differs from the checkpoint's seed ${resume.seed}; omit --seed to resume`,
      );
    }
    if (flags.lr !== undefined || flags.beta1 !== undefined) {
      console.warn("train-dcgan: --lr/--beta1 are ignored with --resume: the checkpoint's optimizer settings continue");
    }
  }
  const seed = resume?.seed ?? flags.seed ?? Math.floor(Math.random() * 2 ** 32);
  const metaData = typeof resume?.meta.data === 'string' ? resume.meta.data : undefined;
  const dataSpec = flags.data ?? metaData ?? 'mnist';
  const start = resume?.step ?? 0;
  const metaSteps = typeof resume?.meta.total_steps === 'number' ? resume.meta.total_steps : undefined;
  const steps = flags.dryRun ? start + 1 : (flags.steps ?? metaSteps ?? DEFAULT_STEPS);
  const sampleEvery = flags.dryRun ? 1 : flags.sampleEvery;
  const lr = flags.lr ?? 2e-4;
  const beta1 = flags.beta1 ?? 0.2;

  const { bytes, label } = loadData(dataSpec, seed);
  const dataset = torch.ImageDataset.fromBytes(bytes);
  const metaBatch = typeof resume?.meta.batch_size === 'number' ? resume.meta.batch_size : undefined;
  const batchSize = flags.batchSize ?? metaBatch ?? 128;
  const out = flags.out;
  mkdirSync(join(out, 'samples'), { recursive: true });
  const checkpointPath = join(out, 'checkpoint.pt');

  console.log(`tfjs-torch DCGAN | backend ${backend} | seed ${seed} (replay with --seed ${seed})`);
  console.log(
    `data ${label}: ${bytes.count} images ${bytes.channels}x${bytes.height}x${bytes.width} | batch ${batchSize} | ` +
      `steps ${start ? `${start} -> ` : ''}${steps} | Adam lr ${lr} betas (${beta1}, 0.999) eps 1e-7`,
  );
  console.log(
    `writing to ${out}/: samples/step_NNNNNN.png every ${sampleEvery} steps, real_samples.png, loss.png, checkpoint.pt`,
  );

  const real = tf.tidy(() => dataset.batch(Array.from({ length: Math.min(64, dataset.length) }, (_, i) => i)).images);
  await saveImageGrid(real, join(out, 'real_samples.png'), GRID);
  real.dispose();

  const controller = new AbortController();
  const bar = new ProgressBar({ total: steps, start });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      bar.log('train-dcgan: second Ctrl-C, exiting without saving');
      process.exit(130);
    }
    bar.log('train-dcgan: Ctrl-C, stopping after this step and saving a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  let history: GANHistory = resume?.history ?? { dLoss: [], gLoss: [], dX: [], dGz1: [], dGz2: [] };
  let savedStep = start;
  let sampledStep = -1;
  const writeSample = async (images: tf.Tensor, step: number) => {
    await saveImageGrid(images, join(out, 'samples', `step_${pad6(step)}.png`), GRID);
    if (history.dLoss.length > 0) await saveLossPlot(lossSeries(history), join(out, 'loss.png'));
    sampledStep = step;
  };

  let code = 0;
  try {
    const result = await torch.trainGAN({
      data: torch.randomBatches(dataset, { seed }),
      seed,
      resume,
      steps,
      batchSize,
      optimizerG: { lr, betas: [beta1, 0.999], eps: 1e-7 },
      optimizerD: { lr, betas: [beta1, 0.999], eps: 1e-7 },
      sampleEvery,
      sampleCount: 64,
      checkpointEvery: sampleEvery,
      signal: controller.signal,
      meta: { data: dataSpec, command: ['train-dcgan', ...argv].join(' '), lr, beta1 },
      onStep: (s) => {
        history = s.history;
        bar.update(
          s.step,
          `D ${s.dLoss.toFixed(3)} G ${s.gLoss.toFixed(3)} | D(x) ${s.dX.toFixed(2)} D(G(z)) ${s.dGz1.toFixed(2)}/${s.dGz2.toFixed(2)}`,
        );
      },
      onCheckpoint: async (c) => {
        await saveCheckpoint(checkpointPath, c);
        savedStep = c.step;
      },
      onSample: writeSample,
    });
    bar.done();
    if (result.step > savedStep) {
      await saveCheckpoint(checkpointPath, result.checkpoint());
      savedStep = result.step;
    }
    if (result.step > sampledStep && result.fixedNoise && result.step > start) {
      const images = torch.noGrad(() => {
        result.generator.eval();
        const x = result.generator.forward(result.fixedNoise!) as tf.Tensor;
        result.generator.train();
        return x;
      });
      await writeSample(images, result.step);
      images.dispose();
    }
    result.fixedNoise?.dispose();
    const { steps: done, seconds, stepsPerSecond } = bar.summary();
    console.log(
      `${result.aborted ? 'interrupted' : 'done'} at step ${result.step}: ${done} steps in ${seconds.toFixed(1)} s ` +
        `(${stepsPerSecond.toFixed(3)} steps/s); checkpoint ${checkpointPath} (step ${savedStep}), ` +
        `samples ${join(out, 'samples')}/, loss plot ${join(out, 'loss.png')}`,
    );
    if (result.aborted) {
      console.log(`resume with: npm run train -- --resume ${checkpointPath}`);
      code = 130;
    }
  } catch (e) {
    bar.done();
    if (e instanceof torch.NonFiniteLossError) {
      console.error(`train-dcgan: ${e.message}`);
      if (e.history.dLoss.length > 0) await saveLossPlot(lossSeries(e.history), join(out, 'loss.png'));
      code = 1;
    } else {
      throw e;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`train-dcgan: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`train-dcgan: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
