// examples/pytorch/word_language_model (pytorch/examples word_language_model ported: RNNModel, Corpus, batchify,
// get_batch, repackage_hidden, train with clip_grad_norm_ and the manual SGD update, evaluate) against the original
// run by PyTorch 1.13 (scripts/fixtures/examples_lm.py -> test/fixtures/examples_lm.json): the same seed, the same
// text and tokenisation, the initialisation (Embedding, the recurrent layers, Linear, init_weights) and the dropout
// masks (after the embedding, between recurrent layers, after the RNN) drawn as torch draws them; LSTM, GRU,
// RNN_TANH and RNN_RELU, tied and untied; and TransformerModel (nn.Transformer's initialisation, its decoder stack
// drawn then replaced by a Linear, the positional encoding, the causal mask, the dropouts of the positional
// encoding, the attention weights and the feed-forward blocks). Every training loss and the validation loss after
// each epoch.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { Corpus } from '../examples/pytorch/word_language_model/data';
import { batchify, evaluate, train } from '../examples/pytorch/word_language_model/lm';
import { RNNModel, type RnnType, TransformerModel } from '../examples/pytorch/word_language_model/model';
import { manualSeed } from '../src';
import { load } from '../src/node';
import { runExample } from './examples-helpers';
import { loadFixture } from './helpers';

// The example imports the published entry points; here they resolve to the sources under test.
vi.mock('tfjs-torch', () => import('../src/index'));
vi.mock('tfjs-torch/node', () => import('../src/node/index'));

interface Case {
  seed: number;
  model: RnnType | 'Transformer';
  nhead: number;
  emsize: number;
  nhid: number;
  nlayers: number;
  dropout: number;
  tied: boolean;
  batch_size: number;
  bptt: number;
  lr: number;
  clip: number;
  ntokens: number;
  train_ids: number[];
  texts: { train: string; valid: string; test: string };
  epoch: Array<{ losses: number[]; val_loss: number }>;
}

const cases = loadFixture<Case>('examples_lm').cases;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("pytorch/examples word_language_model: the port's first steps give torch's numbers", () => {
  // float32 on both sides; tiny matmuls, but SGD at lr up to 20 after clipping amplifies the ~1e-7 differences in
  // summation order step by step: measured < 1e-6 relative; asserted 1e-5 relative on losses.
  for (const [k, c] of cases.entries()) {
    const heads = c.model === 'Transformer' ? `, ${c.nhead} head(s)` : '';
    it(`case ${k}: ${c.model}${c.tied ? ' tied' : ''}, ${c.nlayers} layer(s)${heads}, dropout ${c.dropout}, lr ${c.lr}`, () => {
      manualSeed(c.seed);
      const corpus = new Corpus(c.texts);
      expect(Array.from(corpus.train)).toEqual(c.train_ids);
      expect(corpus.dictionary.length).toBe(c.ntokens);
      const trainData = batchify(corpus.train, c.batch_size);
      const valData = batchify(corpus.valid, 10);
      const model =
        c.model === 'Transformer'
          ? new TransformerModel(c.ntokens, c.emsize, c.nhead, c.nhid, c.nlayers, c.dropout)
          : new RNNModel(c.model, c.ntokens, c.emsize, c.nhid, c.nlayers, c.dropout, c.tied);
      const args = { bptt: c.bptt, clip: c.clip, logInterval: 200, dryRun: false, batchSize: c.batch_size };
      const start = tf.memory().numTensors;
      c.epoch.forEach((want, e) => {
        const losses = train(args, model, trainData, c.lr, e + 1, () => {});
        expect(losses.length).toBe(want.losses.length);
        losses.forEach((l, i) => expect(rel(l, want.losses[i]), `epoch ${e + 1} step ${i}`).toBeLessThan(1e-5));
        expect(rel(evaluate(args, model, valData, 10), want.val_loss)).toBeLessThan(1e-5);
      });
      // nothing leaks: what stays is one .grad per parameter (a tied weight counts once), as in torch, and the
      // Transformer's cached causal mask
      const mask = model instanceof TransformerModel ? 1 : 0;
      expect(tf.memory().numTensors).toBe(start + model.parameters().length + mask);
      tf.dispose([trainData, valData]);
    });
  }
});

describe('pytorch/examples word_language_model: the command (examples/pytorch/word_language_model/main.ts)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-torch-ex-lm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'node.js'))) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  }, 300_000);

  it('2 epochs of a tied LSTM on a tiny corpus folder: log lines, perplexities, model.pt with torch keys', async () => {
    for (const [name, text] of Object.entries(cases[0].texts)) writeFileSync(join(dir, `${name}.txt`), text);
    const r = runExample(
      'word_language_model/main.ts',
      [
        '--data',
        dir,
        '--epochs',
        '2',
        '--emsize',
        '8',
        '--nhid',
        '8',
        '--batch_size',
        '4',
        '--bptt',
        '5',
        '--log-interval',
        '2',
        '--tied',
        '--backend',
        'wasm',
      ],
      dir,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Using device: wasm\n/);
    expect(r.stdout).toMatch(
      /\| epoch {3}1 \| {5}2\/ {4}4 batches \| lr 20\.00 \| ms\/batch +\d+\.\d\d \| loss +\d+\.\d\d \| ppl +\d+\.\d\d\n/,
    );
    expect(r.stdout).toMatch(
      /\| end of epoch {3}2 \| time: +\d+\.\d\ds \| valid loss +\d+\.\d\d \| valid ppl +\d+\.\d\d\n/,
    );
    expect(r.stdout).toMatch(/\| End of training \| test loss +\d+\.\d\d \| test ppl +\d+\.\d\d\n/);
    const state = (await load(join(dir, 'model.pt'))) as Map<string, unknown>;
    expect([...state.keys()]).toEqual([
      'encoder.weight',
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'rnn.weight_ih_l1',
      'rnn.weight_hh_l1',
      'rnn.bias_ih_l1',
      'rnn.bias_hh_l1',
      'decoder.weight',
      'decoder.bias',
    ]);
  });
});
