// examples/pytorch/mnist_rnn (pytorch/examples mnist_rnn/main.py ported) against the original run by PyTorch 1.13
// (scripts/fixtures/examples_mnist_rnn.py -> test/fixtures/examples_mnist_rnn.json): the same seed, the same digits,
// both loaders shuffled in torch's order, the LSTM's and layers' initialisation and Dropout2d's masks drawn as torch
// draws them, BatchNorm1d's batch statistics, Adadelta and StepLR. Every training loss, each epoch's test loss and
// accuracy and the learning rate. Then the command, end to end, on a tiny IDX folder.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

import { Net, test as testLoop, train } from '../examples/pytorch/mnist_rnn/net';
import { DataLoader, manualSeed, optim, Subset, transforms } from '../src';
import { load, MNIST } from '../src/node';
import { runExample, writeTinyIdx, useExampleDir } from './examples-helpers';
import { loadFixture, useWasmBackend } from './helpers';

// The example imports the published entry points; here they resolve to the sources under test.
vi.mock('tfjs-torch', () => import('../src/index'));
vi.mock('tfjs-torch/node', () => import('../src/node/index'));

interface Epoch {
  losses: number[];
  test_loss: number;
  correct: number;
  lr_after: number;
}
interface Case {
  seed: number;
  n_train: number;
  n_test: number;
  batch_size: number;
  test_batch_size: number;
  epochs: number;
  lr: number;
  gamma: number;
  epoch: Epoch[];
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("pytorch/examples mnist_rnn: the port's first steps give torch's numbers (wasm backend)", () => {
  useWasmBackend();
  // float32 on both sides; the LSTM's 28 time steps chain matmuls whose sums run in a different order than
  // OpenBLAS's (~1e-7 relative each); asserted 2e-5 relative on the losses.
  for (const [k, c] of loadFixture<Case>('examples_mnist_rnn').cases.entries()) {
    it(`case ${k}: seed ${c.seed}, ${c.n_train} images shuffled in batches of ${c.batch_size}, ${c.epochs} epoch(s)`, () => {
      const transform = new transforms.Compose([
        new transforms.ToTensor(),
        new transforms.Normalize([0.1307], [0.3081]),
      ]);
      const trainSet = new Subset(new MNIST(null, { train: true, transform }), range(0, c.n_train));
      const testSet = new Subset(new MNIST(null, { train: false, transform }), range(0, c.n_test));
      manualSeed(c.seed);
      const trainLoader = new DataLoader(trainSet, { batchSize: c.batch_size, shuffle: true });
      const testLoader = new DataLoader(testSet, { batchSize: c.test_batch_size, shuffle: true });
      const model = new Net();
      const optimizer = new optim.Adadelta(model.parameters(), { lr: c.lr });
      const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: c.gamma });
      const args = { logInterval: 1000, dryRun: false };
      const lines: string[] = [];
      c.epoch.forEach((want, e) => {
        const losses = train(args, model, trainLoader, optimizer, e + 1, (l) => lines.push(l));
        expect(losses.length).toBe(want.losses.length);
        losses.forEach((l, i) => expect(rel(l, want.losses[i]), `epoch ${e + 1} step ${i}`).toBeLessThan(2e-5));
        const r = testLoop(args, model, testLoader, (l) => lines.push(l));
        expect(rel(r.testLoss, want.test_loss)).toBeLessThan(2e-5);
        expect(r.correct).toBe(want.correct);
        scheduler.step();
        expect(optimizer.paramGroups[0].lr).toBeCloseTo(want.lr_after, 12);
      });
      expect(lines[0]).toMatch(/^Train Epoch: 1 \[0\/\d+ \(0%\)\]\tLoss: \d\.\d{6}$/);
    });
  }
});

describe('pytorch/examples mnist_rnn: the command (examples/pytorch/mnist_rnn/main.ts)', () => {
  const dir = useExampleDir('mnist-rnn');

  it('--dry-run --save-model on a tiny IDX folder: the log lines, then mnist_rnn.pt with torch keys', async () => {
    writeTinyIdx(dir, 32, 10);
    const r = runExample(
      'mnist_rnn/main.ts',
      [
        '--data',
        `idx:${dir}`,
        '--batch-size',
        '16',
        '--test-batch-size',
        '8',
        '--epochs',
        '1',
        '--dry-run',
        '--save-model',
        '--backend',
        'wasm',
      ],
      dir,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Train Epoch: 1 \[0\/32 \(0%\)\]\tLoss: \d\.\d{6}\n/);
    expect(r.stdout).toMatch(/\nTest set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10 \(\d+%\)\n/);
    const state = (await load(join(dir, 'mnist_rnn.pt'))) as Map<string, unknown>;
    expect([...state.keys()]).toEqual([
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'batchnorm.weight',
      'batchnorm.bias',
      'batchnorm.running_mean',
      'batchnorm.running_var',
      'batchnorm.num_batches_tracked',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
  });
});
