// trainGAN: the article's PyTorch loop replayed from a seed (test/fixtures/train.json, scripts/fixtures/train.py),
// finite losses, constant tensor count, exact resume, NaN stop, AbortSignal, callbacks, option checks.
// Tiny models (8x8 images, widths 4..8) on the wasm backend keep every run well under a second.
// Then the progress bar, and the training command end to end (examples/*.ts import the package by name,
// i.e. dist/: built by `npm ci` through `prepare`, or here when missing; rebuild after changing src/).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ImageDataset } from '../src/data/dataset';
import { ValueError } from '../src/errors';
import { loadCheckpoint } from '../src/node/checkpoint';
import { ProgressBar, formatDuration } from '../src/node/progress';
import { Discriminator, Generator } from '../src/models/dcgan';
import { randn } from '../src/tensor';
import {
  NonFiniteLossError,
  createDCGAN,
  ganModelsFromCheckpoint,
  parseCheckpoint,
  randomBatches,
  serializeCheckpoint,
  shuffledBatches,
  trainGAN,
} from '../src/train';
import type { BatchSource, GANCheckpoint, TrainGANOptions } from '../src/train';
import { expectClose, loadFixture, useWasmBackend, type FixtureTensor } from './helpers';

interface Case {
  name: string;
  seed: number;
  steps: number;
  batch_size: number;
  z_dim: number;
  img_size: number;
  hidden_dim: number;
  width: number;
  n_fixed: number;
  images: number[];
  history: Array<{ d_loss: number; g_loss: number; d_x: number; d_g_z1: number; d_g_z2: number }>;
  netG: Record<string, FixtureTensor>;
  netD: Record<string, FixtureTensor>;
  fixed_noise: FixtureTensor;
  samples: FixtureTensor;
}

const fixture = loadFixture<Case>('train');
const resumeFixture = loadFixture<Case & { checkpoint: string; history_after: Case['history'] }>('train_resume')
  .cases[0];

/** 8x8 random byte images, deterministic. */
function tinyDataset(n = 24, size = 8): ImageDataset {
  const bytes = new Uint8Array(n * size * size);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return new ImageDataset(bytes, [n, 1, size, size]);
}

const tiny = (extra: Partial<TrainGANOptions> = {}): TrainGANOptions => ({
  data: tinyDataset(),
  generator: { zDim: 5, imgSize: 8, hiddenDim: 8 },
  discriminator: { imgSize: 8, width: 4 },
  batchSize: 6,
  seed: 7,
  steps: 4,
  ...extra,
});

function weights(m: { stateDict(): Map<string, tf.Tensor> }): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of m.stateDict()) {
    out[k] = Array.from(t.dataSync());
    t.dispose();
  }
  return out;
}

describe('trainGAN (wasm backend)', () => {
  useWasmBackend();

  for (const c of fixture.cases) {
    it(`replays the article's torch script from the seed alone: ${c.name}`, async () => {
      const n = c.images.length / (c.img_size * c.img_size);
      const data = new ImageDataset(Uint8Array.from(c.images), [n, 1, c.img_size, c.img_size]);
      let samples: number[] | null = null;
      let sampleShape: number[] = [];
      const result = await trainGAN({
        data,
        seed: c.seed,
        steps: c.steps,
        batchSize: c.batch_size,
        generator: { zDim: c.z_dim, imgSize: c.img_size, hiddenDim: c.hidden_dim },
        discriminator: { imgSize: c.img_size, width: c.width },
        sampleCount: c.n_fixed,
        sampleEvery: 1000,
        onSample: (images, step) => {
          expect(step).toBe(c.steps); // only the last step: sampleEvery is larger
          samples = Array.from(images.dataSync());
          sampleShape = images.shape;
        },
      });
      const h = result.history;
      expect(h.dLoss.length).toBe(c.steps);
      c.history.forEach((s, i) => {
        expectClose(h.dLoss[i], s.d_loss, `step ${i + 1} d_loss`);
        expectClose(h.gLoss[i], s.g_loss, `step ${i + 1} g_loss`);
        expectClose(h.dX[i], s.d_x, `step ${i + 1} D(x)`);
        expectClose(h.dGz1[i], s.d_g_z1, `step ${i + 1} D(G(z1))`);
        expectClose(h.dGz2[i], s.d_g_z2, `step ${i + 1} D(G(z2))`);
      });
      for (const [k, t] of result.generator.stateDict()) expectClose(t, c.netG[k], `netG ${k}`);
      for (const [k, t] of result.discriminator.stateDict()) expectClose(t, c.netD[k], `netD ${k}`);
      expectClose(result.fixedNoise!, c.fixed_noise, 'fixed noise', { rtol: 0, atol: 0 });
      expect(sampleShape).toEqual(c.samples.shape);
      expectClose(samples!, c.samples, 'G(fixed noise) in eval mode');
      result.fixedNoise!.dispose();
    });
  }

  it("continues a run from a checkpoint torch wrote (torch's optimizer and RNG state), as torch continues it", async () => {
    const c = resumeFixture;
    const ckpt = parseCheckpoint(readFileSync(fileURLToPath(new URL(`../${c.checkpoint}`, import.meta.url))));
    expect([ckpt.step, ckpt.seed]).toEqual([c.steps, c.seed]);
    const n = c.images.length / (c.img_size * c.img_size);
    const r = await trainGAN({
      data: new ImageDataset(Uint8Array.from(c.images), [n, 1, c.img_size, c.img_size]),
      resume: ckpt,
    });
    expect(r.step).toBe(c.steps + c.history_after.length); // meta.total_steps
    c.history.forEach((s, i) => expect(r.history.dLoss[i]).toBe(Math.fround(s.d_loss)));
    c.history_after.forEach((s, k) => {
      const i = c.steps + k;
      expectClose(r.history.dLoss[i], s.d_loss, `step ${i + 1} d_loss`);
      expectClose(r.history.gLoss[i], s.g_loss, `step ${i + 1} g_loss`);
      expectClose(r.history.dX[i], s.d_x, `step ${i + 1} D(x)`);
      expectClose(r.history.dGz1[i], s.d_g_z1, `step ${i + 1} D(G(z1))`);
      expectClose(r.history.dGz2[i], s.d_g_z2, `step ${i + 1} D(G(z2))`);
    });
    for (const [k, t] of r.generator.stateDict()) expectClose(t, c.netG[k], `netG ${k}`);
    for (const [k, t] of r.discriminator.stateDict()) expectClose(t, c.netD[k], `netD ${k}`);
  });

  it('finite losses, D outputs in (0, 1), and a constant tensor count after the first step', async () => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const result = await trainGAN(tiny({ steps: 6, onStep: () => void counts.push(tf.memory().numTensors) }));
    for (const k of ['dLoss', 'gLoss', 'dX', 'dGz1', 'dGz2'] as const) {
      expect(result.history[k]).toHaveLength(6);
      for (const v of result.history[k]) expect(Number.isFinite(v)).toBe(true);
    }
    for (const v of [...result.history.dX, ...result.history.dGz1, ...result.history.dGz2]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    expect(new Set(counts.slice(1)).size, `tensor counts per step: ${counts}`).toBe(1);
    // What stays: parameters, buffers, gradients and Adam state, nothing per step.
    expect(counts[5]).toBeGreaterThan(before);
  });

  it('resuming from a step-k checkpoint (also through the torch file bytes) equals the uninterrupted run exactly', async () => {
    const checkpoints: GANCheckpoint[] = [];
    const full = await trainGAN(tiny({ steps: 7, checkpointEvery: 3, onCheckpoint: (c) => void checkpoints.push(c) }));
    expect(checkpoints.map((c) => c.step)).toEqual([3, 6]);
    const fullG = weights(full.generator);
    const fullD = weights(full.discriminator);

    const inMemory = await trainGAN(tiny({ steps: 7, resume: checkpoints[0] }));
    const fromBytes = await trainGAN(tiny({ steps: 7, resume: parseCheckpoint(serializeCheckpoint(checkpoints[0])) }));
    for (const r of [inMemory, fromBytes]) {
      expect(r.step).toBe(7);
      expect(r.history).toEqual(full.history);
      expect(weights(r.generator)).toEqual(fullG);
      expect(weights(r.discriminator)).toEqual(fullD);
    }
    // The models can also come from the checkpoint alone (no options): built from its meta.
    const bare = await trainGAN({ data: tinyDataset(), steps: 7, resume: checkpoints[1] });
    expect(bare.history).toEqual(full.history);
    expect(bare.generator).toBeInstanceOf(Generator);
    expect((bare.generator as Generator).hiddenDim).toBe(8);
  });

  it('the result checkpoint resumes exactly too; a resumed run past its end is a no-op', async () => {
    const first = await trainGAN(tiny({ steps: 2 }));
    const ckpt = first.checkpoint();
    expect(ckpt.step).toBe(2);
    const cont = await trainGAN(tiny({ steps: 5, resume: ckpt }));
    const straight = await trainGAN(tiny({ steps: 5 }));
    expect(cont.history).toEqual(straight.history);
    const none = await trainGAN(tiny({ steps: 2, resume: ckpt }));
    expect(none.step).toBe(2);
    expect(none.history).toEqual(first.history);
  });

  it('a NaN loss stops with NonFiniteLossError, and no checkpoint of the bad step is made', async () => {
    const ds = tinyDataset();
    const inner = randomBatches(ds, { seed: 1 });
    let calls = 0;
    const poisoned: BatchSource = {
      imageShape: [1, 8, 8],
      nextBatch(b) {
        const x = inner.nextBatch(b);
        if (++calls < 5) return x;
        const bad = tf.add(x, tf.scalar(NaN)) as tf.Tensor4D;
        x.dispose();
        return bad;
      },
    };
    const saved: number[] = [];
    const err = await trainGAN(
      tiny({ data: poisoned, steps: 10, checkpointEvery: 2, onCheckpoint: (c) => void saved.push(c.step) }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const e = err as NonFiniteLossError;
    expect(e.message).toBe(
      'D loss became NaN at step 5; the last good checkpoint is kept (step 4) ' +
        '(try a lower learning rate, or check the data for NaN values)',
    );
    expect([e.which, e.step, e.lastCheckpointStep]).toEqual(['D', 5, 4]);
    expect(Number.isNaN(e.value)).toBe(true);
    expect(e.history.dLoss).toHaveLength(4);
    expect(saved).toEqual([2, 4]);
  });

  it('an AbortSignal stops after the current step and returns the history; an aborted signal runs nothing', async () => {
    const ac = new AbortController();
    const r = await trainGAN(tiny({ steps: 50, signal: ac.signal, onStep: (i) => void (i.step === 2 && ac.abort()) }));
    expect([r.step, r.aborted, r.history.gLoss.length]).toEqual([2, true, 2]);
    // Fired by a timer (as a Ctrl-C handler would): the loop yields to the event loop between steps.
    const timer = new AbortController();
    setTimeout(() => timer.abort(), 0);
    const t = await trainGAN(tiny({ steps: 1000, signal: timer.signal }));
    expect(t.aborted).toBe(true);
    expect(t.step).toBeLessThan(1000);
    const none = await trainGAN(tiny({ signal: AbortSignal.abort() }));
    expect([none.step, none.aborted]).toEqual([0, true]);
  });

  it('callbacks cannot change the run: random draws inside them are undone', async () => {
    const quiet = await trainGAN(tiny());
    const noisy = await trainGAN(
      tiny({
        onStep: () => void randn([3, 3]).dispose(),
        sampleEvery: 1,
        onSample: () => void randn([50]).dispose(),
        checkpointEvery: 1,
        onCheckpoint: () => void randn([7]).dispose(),
      }),
    );
    expect(noisy.history).toEqual(quiet.history);
    noisy.fixedNoise?.dispose();
  });

  it('samples G(fixedNoise) in eval mode every sampleEvery steps and at the last step, leaving G in train mode', async () => {
    const steps: number[] = [];
    const noise = randn([3, 5]);
    const r = await trainGAN(
      tiny({
        steps: 5,
        sampleEvery: 2,
        fixedNoise: noise,
        onSample: async (images, step) => {
          expect(images.shape).toEqual([3, 1, 8, 8]);
          steps.push(step);
        },
      }),
    );
    expect(steps).toEqual([2, 4, 5]);
    expect(r.generator.training).toBe(true);
    expect(r.fixedNoise).toBe(noise);
    noise.dispose();
  });

  it('given modules are trained in place; epochs count batches of the source', async () => {
    const { generator, discriminator } = createDCGAN({
      generator: { zDim: 5, imgSize: 8, hiddenDim: 8 },
      discriminator: { imgSize: 8, width: 4 },
    });
    const before = weights(generator);
    const r = await trainGAN({
      data: shuffledBatches(tinyDataset(10), { seed: 0 }),
      generator,
      discriminator,
      batchSize: 4,
      epochs: 2,
      seed: 1,
    });
    expect(r.step).toBe(6); // ceil(10 / 4) = 3 batches per epoch
    expect(r.generator).toBe(generator);
    expect(weights(generator)).not.toEqual(before);
    const ck = r.checkpoint();
    const rebuilt = ganModelsFromCheckpoint(ck);
    expect(weights(rebuilt.generator)).toEqual(weights(generator));
    expect(rebuilt.discriminator).toBeInstanceOf(Discriminator);
  });

  it('checks its options', async () => {
    await expect(trainGAN({} as TrainGANOptions)).rejects.toThrow(/options.data is required/);
    await expect(trainGAN(tiny({ steps: 3, epochs: 1 }))).rejects.toThrow(/give steps or epochs, not both/);
    await expect(trainGAN(tiny({ batchSize: 0 }))).rejects.toThrow(ValueError);
    await expect(trainGAN(tiny({ seed: -1 }))).rejects.toThrow(/seed must be an integer in \[0, 2\^32\)/);
    await expect(trainGAN(tiny({ zDim: 9 }))).rejects.toThrow(/zDim 9 differs from the generator's zDim 5/);
    const noise = tf.zeros([2, 4]);
    await expect(trainGAN(tiny({ fixedNoise: noise }))).rejects.toThrow(
      /fixedNoise must have shape \[n, 5\], got \[2,4\]/,
    );
    noise.dispose();
    const ck = (await trainGAN(tiny({ steps: 1 }))).checkpoint();
    await expect(trainGAN(tiny({ resume: ck, seed: 8 }))).rejects.toThrow(
      /seed 8 differs from the checkpoint's seed 7/,
    );
    await expect(
      trainGAN({ data: { nextBatch: () => tf.zeros([1, 1, 8, 8]) as tf.Tensor4D }, epochs: 1 }),
    ).rejects.toThrow(/epochs needs a data source with stepsPerEpoch/);
  });
});

describe('ProgressBar', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, columns: 200, write: (c: string) => void chunks.push(c) } };
  };

  it('redraws one line in place on a terminal', () => {
    const { chunks, stream } = sink(true);
    const bar = new ProgressBar({ total: 4, stream, barWidth: 8 });
    bar.update(1, 'D 0.693 G 0.700');
    expect(chunks[0]).toMatch(
      /^\r\s*step 1\/4 \[##\.\.\.\.\.\.\] {2}25% \| D 0.693 G 0.700 \| [\d.-]+ steps\/s \| ETA [\d:-]+\x1b\[K$/,
    );
    bar.log('saved');
    expect(chunks.slice(1, 3)).toEqual(['\r\x1b[Ksaved\n', chunks[0].slice(1, -3)]);
    bar.update(4);
    expect(chunks.at(-1)).toMatch(/step 4\/4 \[########\] 100% \| .* \| took \d+:\d\d/);
    bar.done();
    expect(chunks.at(-1)).toBe('\n');
  });

  it('prints plain lines at the first step, every `every` steps and the last without a terminal', () => {
    const { chunks, stream } = sink(false);
    const bar = new ProgressBar({ total: 25, start: 2, stream, every: 10 });
    for (let s = 3; s <= 25; s++) bar.update(s);
    expect(chunks.map((c) => c.match(/step +(\d+)/)![1])).toEqual(['3', '10', '20', '25']);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(bar.summary().steps).toBe(23);
  });

  it('formats durations', () => {
    expect([formatDuration(0), formatDuration(75), formatDuration(3725), formatDuration(NaN)]).toEqual([
      '0:00',
      '1:15',
      '1:02:05',
      '--:--',
    ]);
  });
});

describe('the training command (examples/train-dcgan.ts, examples/generate.ts)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), 'tfjs-torch-train-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'node.js'))) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  }, 300_000);

  /** Runs an example with node + tsx (no npx in between, so signals reach it); resolves with its exit. */
  const run = (script: string, args: string[], onStdout?: (all: string, kill: (s: NodeJS.Signals) => void) => void) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join('examples', script), ...args], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => {
        stdout += d;
        onStdout?.(stdout, (s) => p.kill(s));
      });
      p.stderr.on('data', (d) => (stderr += d));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const isPng = (path: string) =>
    readFileSync(path)
      .subarray(0, 8)
      .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

  it('--dry-run trains one step and writes samples, real samples, loss plot and a checkpoint', async () => {
    const dir = join(out, 'dry');
    const r = await run('train-dcgan.ts', [
      '--dry-run',
      '--data',
      'fake',
      '--out',
      dir,
      '--batch-size',
      '4',
      '--seed',
      '3',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('backend wasm | seed 3 (replay with --seed 3)');
    expect(r.stdout).toMatch(/step 1\/1 \[#+\] 100% \| D \d\.\d{3} G \d\.\d{3} \| D\(x\) /);
    for (const f of ['samples/step_000001.png', 'real_samples.png', 'loss.png'])
      expect(isPng(join(dir, f)), f).toBe(true);
    const ckpt = await loadCheckpoint(join(dir, 'checkpoint.pt'));
    expect([ckpt.step, ckpt.seed, ckpt.meta.batch_size, ckpt.meta.data]).toEqual([1, 3, 4, 'fake']);
    expect(ckpt.history.dLoss).toHaveLength(1);
  });

  it('Ctrl-C stops after the current step and saves a checkpoint; generate.ts draws digits from it', async () => {
    const dir = join(out, 'sigint');
    let sent = false;
    const r = await run(
      'train-dcgan.ts',
      ['--data', 'fake', '--out', dir, '--batch-size', '2', '--steps', '100000', '--seed', '4', '--backend', 'wasm'],
      (all, kill) => {
        if (!sent && /step +1\/100000/.test(all)) {
          sent = true;
          kill('SIGINT');
        }
      },
    );
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toMatch(/interrupted at step \d+/);
    const ckpt = await loadCheckpoint(join(dir, 'checkpoint.pt'));
    expect(ckpt.step).toBeGreaterThanOrEqual(1);
    expect(ckpt.step).toBeLessThan(100000);
    expect(isPng(join(dir, 'samples', `step_${String(ckpt.step).padStart(6, '0')}.png`))).toBe(true);

    const png = join(dir, 'gen', 'digits.png');
    const g = await run('generate.ts', [
      '--checkpoint',
      join(dir, 'checkpoint.pt'),
      '--out',
      png,
      '--n',
      '9',
      '--nrow',
      '3',
      '--seed',
      '1',
      '--backend',
      'wasm',
    ]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain(`wrote ${png}: 9 digits`);
    expect(isPng(png)).toBe(true);
  });

  it('bad flags print the error and the usage and exit with code 2', async () => {
    for (const args of [['--bogus'], ['--steps', '0'], ['--data', 'cifar'], ['--lr', 'fast']]) {
      const r = await run('train-dcgan.ts', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^train-dcgan: .+\n\nUsage: npm run train/);
    }
    const h = await run('train-dcgan.ts', ['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--sample-every N');
  });
});
