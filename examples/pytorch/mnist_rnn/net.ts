/**
 * The model and loops of pytorch/examples' `mnist_rnn/main.py`, ported to tfjs-torch: `Net` reads each
 * image row by row with an LSTM (28 steps of 28 pixels, `batch_first`), then BatchNorm1d, Dropout2d, two
 * linear layers and log-softmax; `train` and `test` are the original's loops (`test` stops after one batch
 * with `--dry-run`, as the original does). The command is `main.ts` next to this file.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { type DataLoader, F, nn, type optim } from 'tfjs-torch';

/** The original's `Net`: state-dict keys `rnn.weight_ih_l0`, ..., `batchnorm.running_mean`, ..., `fc2.bias`. */
export class Net extends nn.Module {
  readonly rnn = this.registerModule('rnn', new nn.LSTM({ inputSize: 28, hiddenSize: 64, batchFirst: true }));
  readonly batchnorm = this.registerModule('batchnorm', new nn.BatchNorm1d(64));
  readonly dropout1 = this.registerModule('dropout1', new nn.Dropout2d(0.25));
  readonly dropout2 = this.registerModule('dropout2', new nn.Dropout2d(0.5));
  readonly fc1 = this.registerModule('fc1', new nn.Linear(64, 32));
  readonly fc2 = this.registerModule('fc2', new nn.Linear(32, 10));

  /** `[N, 1, 28, 28]` images to `[N, 10]` log-probabilities. */
  override forward(input: tf.Tensor): tf.Tensor {
    // (batch, 1, 28, 28) -> (batch, 28, 28): 28 time steps of 28 pixels, batch first
    const x = input.reshape([-1, 28, 28]);
    const [out] = this.rnn.forward(x);
    // the last time step's output: output[:, -1, :]
    let output = out.select(1, -1);
    output = this.batchnorm.forward(output);
    // (Dropout2d on a 2-D input is element-wise dropout, with torch's deprecation warning, shown once)
    output = this.dropout1.forward(output);
    output = this.fc1.forward(output);
    output = F.relu(output);
    output = this.dropout2.forward(output);
    output = this.fc2.forward(output);
    return F.logSoftmax(output, { dim: 1 });
  }
}

/** The flags the loops read. */
export interface RnnArgs {
  /** Batches between log lines (`--log-interval`). */
  logInterval: number;
  /** One batch of each loop (`--dry-run`). */
  dryRun: boolean;
}

/** A line printer (`print`); `console.log` by default, a collector in tests. */
export type Log = (line: string) => void;

/** Python's `'{:.0f}'` (round half to even, as `format` does). */
function fixed0(x: number): string {
  const r = Math.round(x);
  return String(Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r);
}

/** One epoch (the original's `train`); returns every batch's loss. */
export function train(
  args: RnnArgs,
  model: Net,
  trainLoader: DataLoader,
  optimizer: optim.Optimizer,
  epoch: number,
  log: Log = console.log,
): number[] {
  model.train();
  const losses: number[] = [];
  const datasetLength = (trainLoader.dataset as { length: number }).length;
  let batchIdx = 0;
  for (const [data, target] of trainLoader as Iterable<[tf.Tensor, tf.Tensor]>) {
    const lossValue = tf.tidy(() => {
      optimizer.zeroGrad();
      const output = model.forward(data);
      const loss = F.nllLoss(output, target);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
    losses.push(lossValue);
    if (batchIdx % args.logInterval === 0) {
      log(
        `Train Epoch: ${epoch} [${batchIdx * data.shape[0]}/${datasetLength} ` +
          `(${fixed0((100 * batchIdx) / trainLoader.length)}%)]\tLoss: ${lossValue.toFixed(6)}`,
      );
      if (args.dryRun) break;
    }
    batchIdx++;
  }
  return losses;
}

/** The original's `test`: prints and returns the mean loss per image and the number classified right. */
export function test(
  args: RnnArgs,
  model: Net,
  testLoader: DataLoader,
  log: Log = console.log,
): { testLoss: number; correct: number; total: number } {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  torch.noGrad(() => {
    for (const [data, target] of testLoader as Iterable<[tf.Tensor, tf.Tensor]>) {
      tf.tidy(() => {
        const output = model.forward(data);
        testLoss += F.nllLoss(output, target, { reduction: 'sum' }).item(); // sum up batch loss
        const pred = output.argmax(1, true); // get the index of the max log-probability
        correct += pred.eq(target.view(pred.shape)).sum().item();
      });
      if (args.dryRun) break;
    }
  });
  const total = (testLoader.dataset as { length: number }).length;
  testLoss /= total;
  log(
    `\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${total} ` +
      `(${fixed0((100 * correct) / total)}%)\n`,
  );
  return { testLoss, correct, total };
}
