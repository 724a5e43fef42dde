/**
 * The model and the two loops of pytorch/examples' `mnist/main.py`, ported to tfjs-torch: `Net` (two
 * convolutions, max pooling, dropout, two linear layers, log-softmax), `train` (one epoch of
 * `nll_loss` + `optimizer.step()` with the original's log lines) and `test` (summed `nll_loss` and
 * accuracy). The command is `main.ts` next to this file; tests import these directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { type DataLoader, F, nn, type optim } from 'tfjs-torch';

/** The original's `Net`: state-dict keys `conv1.weight`, ..., `fc2.bias`, as PyTorch's. */
export class Net extends nn.Module {
  readonly conv1 = this.registerModule('conv1', new nn.Conv2d(1, 32, 3, 1));
  readonly conv2 = this.registerModule('conv2', new nn.Conv2d(32, 64, 3, 1));
  readonly dropout1 = this.registerModule('dropout1', new nn.Dropout(0.25));
  readonly dropout2 = this.registerModule('dropout2', new nn.Dropout(0.5));
  readonly fc1 = this.registerModule('fc1', new nn.Linear(9216, 128));
  readonly fc2 = this.registerModule('fc2', new nn.Linear(128, 10));

  /** `[N, 1, 28, 28]` images to `[N, 10]` log-probabilities. */
  override forward(input: tf.Tensor): tf.Tensor {
    let x = this.conv1.forward(input);
    x = F.relu(x);
    x = this.conv2.forward(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2) as tf.Tensor; // (no returnIndices: one tensor)
    x = this.dropout1.forward(x);
    x = torch.flatten(x, 1);
    x = this.fc1.forward(x);
    x = F.relu(x);
    x = this.dropout2.forward(x);
    x = this.fc2.forward(x);
    return F.logSoftmax(x, { dim: 1 });
  }
}

/** The flags `train` reads (`args.log_interval`, `args.dry_run`). */
export interface TrainArgs {
  /** Batches between log lines. */
  logInterval: number;
  /** Stop after the first log line. */
  dryRun: boolean;
}

/** A line printer (`print`); `console.log` by default, a collector in tests. */
export type Log = (line: string) => void;

/** Python's `'{:.0f}'` (round half to even, as `format` does). */
function fixed0(x: number): string {
  const r = Math.round(x);
  return String(Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r);
}

/**
 * One epoch, as the original's `train(args, model, device, train_loader, optimizer, epoch)`; returns
 * every batch's loss (the original only prints them).
 */
export function train(
  args: TrainArgs,
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
    // One tf.tidy per step frees the step's tensors; .grad and the optimizer's state survive it.
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

/** What {@link test} measured: the mean loss per image and the number classified right. */
export interface TestResult {
  /** `test_loss / len(test_loader.dataset)`. */
  testLoss: number;
  /** Images whose arg-max class is the target. */
  correct: number;
  /** `len(test_loader.dataset)`. */
  total: number;
}

/** The original's `test(model, device, test_loader)`: prints and returns the loss and accuracy. */
export function test(model: Net, testLoader: DataLoader, log: Log = console.log): TestResult {
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
