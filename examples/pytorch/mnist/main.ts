/**
 * pytorch/examples' `mnist/main.py` (the CNN classifier), ported to tfjs-torch:
 *
 *   npx tsx examples/pytorch/mnist/main.ts [--epochs 1] [--save-model] [--dry-run] [--data idx:DIR]
 *
 * Same flags and defaults as the original (`--batch-size 64 --test-batch-size 1000 --epochs 14 --lr 1.0
 * --gamma 0.7 --seed 1 --log-interval 10`), same log lines, same Adadelta + StepLR schedule; with
 * `--save-model` it writes `mnist_cnn.pt` in the working directory, a `torch.save(model.state_dict())`
 * file PyTorch loads into the original's `Net`. `-h` lists the flags.
 *
 * Data: by default the 10,000 real digits of the npm package `mnist` (interleaved by class): the first
 * 8,000 are the training set, the last 2,000 the test set (`MNIST(null)` of tfjs-torch/node). With
 * `--data idx:DIR`, the IDX files `DIR/MNIST/raw/*-idx?-ubyte[.gz]` (torchvision's layout) or
 * `DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` (e.g. Debian's /usr/share/datasets/fashion-mnist).
 *
 * Measured (1 epoch, default flags, embedded digits, a loaded 2-core machine): 1,901/2,000 test accuracy
 * (loss 0.1686), 280 s for the command on wasm; PyTorch 1.13 running the original on the same split:
 * 1,903/2,000 (loss 0.1647), 123 s for its training epoch (1 thread).
 *
 * Where the port differs from the original, and why:
 * - no accelerator flag effect: `--no-accel` is accepted; the tfjs backend is chosen by `--backend` (or
 *   automatically) instead, and the loaders never shuffle, as the original's CPU path;
 * - `--data` is new (the original downloads MNIST; there is no network here);
 * - the model and loops live in `net.ts` so tests can import them without running this command.
 */

import * as torch from 'tfjs-torch';
import { DataLoader, optim, transforms } from 'tfjs-torch';
import { initBackend, save } from 'tfjs-torch/node';

import { Cli, mnistDatasets } from '../common';
import { Net, test, train } from './net';

const USAGE = `usage: main.ts [-h] [--batch-size N] [--test-batch-size N] [--epochs N] [--lr LR] [--gamma M]
               [--no-accel] [--dry-run] [--seed S] [--log-interval N] [--save-model]
               [--data mnist|idx:DIR] [--backend NAME]

PyTorch MNIST Example (tfjs-torch port of pytorch/examples mnist/main.py)

options:
  --batch-size N       input batch size for training (default: 64)
  --test-batch-size N  input batch size for testing (default: 1000)
  --epochs N           number of epochs to train (default: 14)
  --lr LR              learning rate (default: 1.0)
  --gamma M            Learning rate step gamma (default: 0.7)
  --no-accel           disables accelerator (accepted; see --backend)
  --dry-run            quickly check a single pass
  --seed S             random seed (default: 1)
  --log-interval N     how many batches to wait before logging training status (default: 10)
  --save-model         For Saving the current Model (writes mnist_cnn.pt)
  --data SRC           mnist: the npm package's 10,000 digits, 8,000 train / 2,000 test (default);
                       idx:DIR: MNIST-format IDX files in DIR or DIR/MNIST/raw
  --backend NAME       tfjs backend: wasm, cpu, tensorflow, ... (default: automatic)
`;

const cli = new Cli(USAGE);

async function main(): Promise<void> {
  const values = cli.parse({
    'batch-size': { type: 'string', default: '64' },
    'test-batch-size': { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '14' },
    lr: { type: 'string', default: '1.0' },
    gamma: { type: 'string', default: '0.7' },
    'no-accel': { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'log-interval': { type: 'string', default: '10' },
    'save-model': { type: 'boolean', default: false },
    data: { type: 'string', default: 'mnist' },
    backend: { type: 'string' },
  });
  const s = (k: string) => values[k] as string;
  const args = {
    batchSize: cli.int('batch-size', s('batch-size')),
    testBatchSize: cli.int('test-batch-size', s('test-batch-size')),
    epochs: cli.int('epochs', s('epochs'), 0),
    lr: cli.float('lr', s('lr')),
    gamma: cli.float('gamma', s('gamma')),
    dryRun: values['dry-run'] as boolean,
    seed: cli.int('seed', s('seed'), 0),
    logInterval: cli.int('log-interval', s('log-interval')),
    saveModel: values['save-model'] as boolean,
  };
  await initBackend(values.backend as string | undefined);

  torch.manualSeed(args.seed);

  const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
  const [dataset1, dataset2] = mnistDatasets(cli, s('data'), transform);
  const trainLoader = new DataLoader(dataset1, { batchSize: args.batchSize });
  const testLoader = new DataLoader(dataset2, { batchSize: args.testBatchSize });

  const model = new Net();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });

  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, trainLoader, optimizer, epoch);
    test(model, testLoader);
    scheduler.step();
  }

  if (args.saveModel) {
    const state = model.stateDict();
    await save(state, 'mnist_cnn.pt');
    for (const t of state.values()) t.dispose();
  }
}

await main();
