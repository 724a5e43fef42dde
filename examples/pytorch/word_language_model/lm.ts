/**
 * The data pipeline and loops of pytorch/examples' `word_language_model/main.py`: `batchify`, `getBatch`,
 * `repackageHidden`, `train` (clip_grad_norm_, then the original's manual SGD update `p -= lr * p.grad`) and
 * `evaluate`, for `RNNModel` (hidden state carried across batches) and `TransformerModel` (none).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as torch from 'tfjs-torch';
import { nn } from 'tfjs-torch';

import { type Hidden, type LanguageModel, TransformerModel } from './model';

export type { LanguageModel } from './model';

/** Cuts the ids into `bsz` columns: `[nbatch, bsz]` int32, dropping what does not fit. */
export function batchify(data: Int32Array, bsz: number): tf.Tensor2D {
  const nbatch = Math.floor(data.length / bsz);
  return tf.tidy(() => tf.tensor2d(data.subarray(0, nbatch * bsz), [bsz, nbatch], 'int32').transpose() as tf.Tensor2D);
}

/** Rows `i .. i + seqLen` as input and the same shifted by one, flattened, as targets. */
export function getBatch(source: tf.Tensor, i: number, bptt: number): [tf.Tensor, tf.Tensor] {
  const seqLen = Math.min(bptt, source.shape[0] - 1 - i);
  const data = source.slice(i, seqLen);
  const target = source.slice(i + 1, seqLen).view(-1);
  return [data, target];
}

/** Detaches hidden states from their history (keeps them: they outlive the step's tf.tidy). */
export function repackageHidden(h: Hidden): Hidden {
  if (Array.isArray(h)) return [tf.keep(torch.detach(h[0])), tf.keep(torch.detach(h[1]))];
  return tf.keep(torch.detach(h));
}

function disposeHidden(h: Hidden): void {
  if (Array.isArray(h)) tf.dispose(h);
  else h.dispose();
}

/** The flags the loops read. */
export interface LmArgs {
  /** Sequence length (`--bptt`). */
  bptt: number;
  /** Gradient-norm clip (`--clip`). */
  clip: number;
  /** Batches between log lines (`--log-interval`). */
  logInterval: number;
  /** One batch only (`--dry-run`). */
  dryRun: boolean;
  /** The batch size (`--batch-size`). */
  batchSize: number;
}

/** One training epoch at learning rate `lr`; returns every batch's loss. */
export function train(
  args: LmArgs,
  model: LanguageModel,
  trainData: tf.Tensor,
  lr: number,
  epoch: number,
  log: (line: string) => void = console.log,
): number[] {
  model.train();
  const criterion = new nn.NLLLoss();
  let totalLoss = 0;
  let startTime = Date.now();
  let hidden = model instanceof TransformerModel ? null : model.initHidden(args.batchSize);
  const losses: number[] = [];
  for (let batch = 0, i = 0; i < trainData.shape[0] - 1; batch++, i += args.bptt) {
    const value = tf.tidy(() => {
      const [data, targets] = getBatch(trainData, i, args.bptt);
      model.zeroGrad();
      let output: tf.Tensor;
      if (model instanceof TransformerModel) output = model.forward(data).view(-1, model.decoder.outFeatures);
      else {
        // (hidden = repackage_hidden(hidden): the previous step stored it detached already)
        const [out, newHidden] = model.forward(data, hidden as Hidden);
        disposeHidden(hidden as Hidden);
        hidden = repackageHidden(newHidden);
        output = out;
      }
      const loss = criterion.forward(output, targets);
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), args.clip);
      for (const p of model.parameters()) p.assign(p.sub((p.grad as tf.Tensor).mul(lr))); // p.data.add_(p.grad, alpha=-lr)
      return loss.item();
    });
    losses.push(value);
    totalLoss += value;
    if (batch % args.logInterval === 0 && batch > 0) {
      const curLoss = totalLoss / args.logInterval;
      const elapsed = (Date.now() - startTime) / 1000;
      log(
        `| epoch ${String(epoch).padStart(3)} | ${String(batch).padStart(5)}/${String(Math.floor(trainData.shape[0] / args.bptt)).padStart(5)} batches | ` +
          `lr ${lr.toFixed(2)} | ms/batch ${((elapsed * 1000) / args.logInterval).toFixed(2).padStart(5)} | ` +
          `loss ${curLoss.toFixed(2).padStart(5)} | ppl ${Math.exp(curLoss).toFixed(2).padStart(8)}`,
      );
      totalLoss = 0;
      startTime = Date.now();
    }
    if (args.dryRun) break;
  }
  if (hidden) disposeHidden(hidden);
  return losses;
}

/** The mean loss per token over `dataSource` (`[n, evalBatchSize]`), as the original's `evaluate`. */
export function evaluate(args: LmArgs, model: LanguageModel, dataSource: tf.Tensor, evalBatchSize: number): number {
  model.eval();
  const criterion = new nn.NLLLoss();
  let totalLoss = 0;
  let hidden = model instanceof TransformerModel ? null : model.initHidden(evalBatchSize);
  torch.noGrad(() => {
    for (let i = 0; i < dataSource.shape[0] - 1; i += args.bptt) {
      tf.tidy(() => {
        const [data, targets] = getBatch(dataSource, i, args.bptt);
        let output: tf.Tensor;
        if (model instanceof TransformerModel) output = model.forward(data).view(-1, model.decoder.outFeatures);
        else {
          const [out, newHidden] = model.forward(data, hidden as Hidden);
          disposeHidden(hidden as Hidden);
          hidden = repackageHidden(newHidden);
          output = out;
        }
        totalLoss += data.shape[0] * criterion.forward(output, targets).item();
      });
    }
  });
  if (hidden) disposeHidden(hidden);
  return totalLoss / (dataSource.shape[0] - 1);
}

/**
 * The original `generate.py`'s loop: from a random first word (`torch.randint(ntokens, (1, 1))`), `words` times:
 * the model's last log-probabilities over `temperature`, exponentiated, one `torch.multinomial` draw; an RNN
 * carries its hidden state and is fed the drawn word, the Transformer re-reads the whole sequence (without a
 * mask, as the original calls `model(input, False)`). Calls `onWord(i, wordIdx)` per word; returns the ids.
 */
export function generateWords(
  model: LanguageModel,
  ntokens: number,
  words: number,
  temperature: number,
  onWord: (i: number, wordIdx: number) => void = () => {},
): number[] {
  model.eval();
  const out: number[] = [];
  let hidden = model instanceof TransformerModel ? null : model.initHidden(1);
  let input = torch.randint(ntokens, [1, 1]);
  torch.noGrad(() => {
    for (let i = 0; i < words; i++) {
      const wordIdx = tf.tidy(() => {
        let last: tf.Tensor;
        if (model instanceof TransformerModel) {
          const output = model.forward(input, false);
          last = output.slice(output.shape[0] - 1, 1);
        } else {
          const [output, newHidden] = model.forward(input, hidden as Hidden);
          disposeHidden(hidden as Hidden);
          hidden = repackageHidden(newHidden);
          last = output;
        }
        const wordWeights = last.squeeze().div(temperature).exp();
        return torch.multinomial(wordWeights, 1).dataSync()[0];
      });
      const wordTensor = tf.tensor2d([[wordIdx]], [1, 1], 'int32');
      if (model instanceof TransformerModel) {
        const next = tf.concat([input, wordTensor], 0);
        tf.dispose([input, wordTensor]);
        input = next;
      } else {
        input.dispose();
        input = wordTensor; // input.fill_(word_idx)
      }
      out.push(wordIdx);
      onWord(i, wordIdx);
    }
  });
  input.dispose();
  if (hidden) disposeHidden(hidden);
  return out;
}
