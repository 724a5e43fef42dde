/**
 * The model, loss and loops of pytorch/examples' `vae/main.py`, ported to tfjs-torch: `VAE` (encoder
 * `fc1` → `fc21`/`fc22`, the reparameterisation trick, decoder `fc3` → `fc4` → sigmoid), `lossFunction`
 * (summed binary cross-entropy plus the KL divergence), `train` and `test` epochs with the original's log
 * lines. The command is `main.ts` next to this file; tests import these directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { type DataLoader, F, nn, type optim } from 'tfjs-torch';

/** The original's `VAE`: state-dict keys `fc1.weight`, ..., `fc4.bias`, as PyTorch's. */
export class VAE extends nn.Module {
  readonly fc1 = this.registerModule('fc1', new nn.Linear(784, 400));
  readonly fc21 = this.registerModule('fc21', new nn.Linear(400, 20));
  readonly fc22 = this.registerModule('fc22', new nn.Linear(400, 20));
  readonly fc3 = this.registerModule('fc3', new nn.Linear(20, 400));
  readonly fc4 = this.registerModule('fc4', new nn.Linear(400, 784));

  /** `[N, 784]` to the posterior's `[mu, logvar]`, each `[N, 20]`. */
  encode(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const h1 = F.relu(this.fc1.forward(x));
    return [this.fc21.forward(h1), this.fc22.forward(h1)];
  }

  /** `mu + eps * exp(logvar / 2)` with `eps ~ N(0, 1)` drawn as `torch.randn_like`. */
  reparameterize(mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
    const std = logvar.mul(0.5).exp();
    const eps = torch.randnLike(std);
    return mu.add(eps.mul(std));
  }

  /** `[N, 20]` codes to `[N, 784]` pixel probabilities. */
  decode(z: tf.Tensor): tf.Tensor {
    const h3 = F.relu(this.fc3.forward(z));
    return tf.sigmoid(this.fc4.forward(h3));
  }

  /** Images (any shape with 784 values per image) to `[reconstruction, mu, logvar]`. */
  override forward(x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const [mu, logvar] = this.encode(x.view(-1, 784));
    const z = this.reparameterize(mu, logvar);
    return [this.decode(z), mu, logvar];
  }
}

/** Reconstruction + KL divergence losses summed over all elements and batch (the original's `loss_function`). */
export function lossFunction(reconX: tf.Tensor, x: tf.Tensor, mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
  const BCE = F.binaryCrossEntropy(reconX, x.view(-1, 784), { reduction: 'sum' });
  // see Appendix B from VAE paper: Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
  // 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
  const KLD = logvar.add(1).sub(mu.pow(2)).sub(logvar.exp()).sum().mul(-0.5);
  return BCE.add(KLD);
}

/** A line printer (`print`); `console.log` by default, a collector in tests. */
export type Log = (line: string) => void;

/** Python's `'{:.0f}'` (round half to even, as `format` does). */
function fixed0(x: number): string {
  const r = Math.round(x);
  return String(Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r);
}

/** The flags the loops read. */
export interface VaeArgs {
  /** Batches between log lines (`--log-interval`). */
  logInterval: number;
}

/** One training epoch (the original's `train(epoch)`); returns every batch's summed loss. */
export function train(
  args: VaeArgs,
  model: VAE,
  trainLoader: DataLoader,
  optimizer: optim.Optimizer,
  epoch: number,
  log: Log = console.log,
): number[] {
  model.train();
  let trainLoss = 0;
  const losses: number[] = [];
  const datasetLength = (trainLoader.dataset as { length: number }).length;
  let batchIdx = 0;
  for (const [data] of trainLoader as Iterable<[tf.Tensor, tf.Tensor]>) {
    const loss = tf.tidy(() => {
      optimizer.zeroGrad();
      const [reconBatch, mu, logvar] = model.forward(data);
      const l = lossFunction(reconBatch, data, mu, logvar);
      l.backward();
      const value = l.item();
      optimizer.step();
      return value;
    });
    trainLoss += loss;
    losses.push(loss);
    if (batchIdx % args.logInterval === 0) {
      log(
        `Train Epoch: ${epoch} [${batchIdx * data.shape[0]}/${datasetLength} ` +
          `(${fixed0((100 * batchIdx) / trainLoader.length)}%)]\tLoss: ${(loss / data.shape[0]).toFixed(6)}`,
      );
    }
    batchIdx++;
  }
  log(`====> Epoch: ${epoch} Average loss: ${(trainLoss / datasetLength).toFixed(4)}`);
  return losses;
}

/**
 * One test epoch (the original's `test(epoch)`): returns the mean loss per image and the first batch's
 * comparison images (`[2n, 1, 28, 28]`, the first n inputs then their reconstructions, n = min(8, batch);
 * the caller saves them with `saveImageGrid(comparison, path, { nrow: n })` and disposes them).
 */
export function test(
  model: VAE,
  testLoader: DataLoader,
  epoch: number,
  log: Log = console.log,
): { testLoss: number; comparison: tf.Tensor; n: number } {
  model.eval();
  let testLoss = 0;
  let comparison: tf.Tensor | null = null;
  let n = 0;
  torch.noGrad(() => {
    let i = 0;
    for (const [data] of testLoader as Iterable<[tf.Tensor, tf.Tensor]>) {
      tf.tidy(() => {
        const [reconBatch, mu, logvar] = model.forward(data);
        testLoss += lossFunction(reconBatch, data, mu, logvar).item();
        if (i === 0) {
          n = Math.min(data.shape[0], 8);
          // (the original views recon_batch as [args.batch_size, 1, 28, 28], which fails on a short first batch)
          comparison = tf.keep(torch.cat([data.slice(0, n), reconBatch.view(-1, 1, 28, 28).slice(0, n)]));
        }
      });
      i++;
    }
  });
  testLoss /= (testLoader.dataset as { length: number }).length;
  log(`====> Test set loss: ${testLoss.toFixed(4)}`);
  if (comparison === null) throw new Error(`test(${epoch}): the test loader is empty`);
  return { testLoss, comparison, n };
}
