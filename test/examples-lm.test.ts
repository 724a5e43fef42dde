// examples/pytorch/word_language_model (pytorch/examples word_language_model ported: RNNModel, Corpus, batchify,
// get_batch, repackage_hidden, train with clip_grad_norm_ and the manual SGD update, evaluate) against the original
// run by PyTorch 1.13 (scripts/fixtures/examples_lm.py -> test/fixtures/examples_lm.json): the same seed, the same
// text and tokenisation, the initialisation (Embedding, the recurrent layers, Linear, init_weights) and the dropout
// masks (after the embedding, between recurrent layers, after the RNN) drawn as torch draws them; LSTM, GRU,
// RNN_TANH and RNN_RELU, tied and untied; and TransformerModel (nn.Transformer's initialisation, its decoder stack
// drawn then replaced by a Linear, the positional encoding, the causal mask, the dropouts of the positional
// encoding, the attention weights and the feed-forward blocks). Every training loss and the validation loss after
// each epoch.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

import { Corpus } from '../examples/pytorch/word_language_model/data';
import { batchify, evaluate, generateWords, train } from '../examples/pytorch/word_language_model/lm';
import {
  modelFromStateDict,
  RNNModel,
  type RnnType,
  TransformerModel,
} from '../examples/pytorch/word_language_model/model';
import { manualSeed, parseTorchFile, toTfStateDict } from '../src';
import { load } from '../src/node';
import { runExample, useExampleDir } from './examples-helpers';
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

interface GenerateCase {
  checkpoint: string;
  model: RnnType | 'Transformer';
  nhead: number;
  seed: number;
  temperature: number;
  words: number;
  ids: number[];
  text: string;
  texts: { train: string; valid: string; test: string };
}

const cases = loadFixture<Case>('examples_lm').cases;
const genCases = loadFixture<GenerateCase>('examples_lm_generate').cases;
const fixturePath = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("pytorch/examples word_language_model: the port's first steps give torch's numbers", () => {
  // float32 on both sides; tiny matmuls, but SGD at lr up to 20 after clipping amplifies the ~1e-7 differences in
  // summation order step by step: measured < 2e-7 relative on every loss of the RNN models and of the Transformers
  // at lr 5 and 0.5; the Transformer at lr 20 (the original's default; its loss climbs to 10.5 by the second epoch)
  // drifts to 9.2e-6. Asserted: 1e-5 relative, 5e-5 for that case.
  for (const [k, c] of cases.entries()) {
    const heads = c.model === 'Transformer' ? `, ${c.nhead} head(s)` : '';
    const tol = c.model === 'Transformer' && c.lr >= 20 ? 5e-5 : 1e-5;
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
        losses.forEach((l, i) => expect(rel(l, want.losses[i]), `epoch ${e + 1} step ${i}`).toBeLessThan(tol));
        expect(rel(evaluate(args, model, valData, 10), want.val_loss)).toBeLessThan(tol);
      });
      // nothing leaks: what stays is one .grad per parameter (a tied weight counts once), as in torch, and the
      // Transformer's cached causal mask
      const mask = model instanceof TransformerModel ? 1 : 0;
      expect(tf.memory().numTensors).toBe(start + model.parameters().length + mask);
      tf.dispose([trainData, valData]);
    });
  }
});

describe("pytorch/examples word_language_model: generate.py's words from torch-trained checkpoints", () => {
  // Models trained by PyTorch 1.13 (LSTM, GRU, Transformer), saved with torch.save(model.state_dict()): rebuilt from
  // the state dict, they sample torch's word ids for the same seed and temperature (a randint first word, then
  // torch.multinomial over exp(log-probs / T); exact indices: one multinomial draw per word).
  for (const c of genCases) {
    it(`${c.model} (${c.checkpoint}), seed ${c.seed}, temperature ${c.temperature}, ${c.words} words`, () => {
      manualSeed(c.seed); // before the model is rebuilt, as generate.py seeds before torch.load
      const state = toTfStateDict(parseTorchFile(new Uint8Array(readFileSync(fixturePath(c.checkpoint)))));
      const model = modelFromStateDict(state, { nhead: c.nhead });
      tf.dispose([...state.values()]);
      expect(model instanceof TransformerModel).toBe(c.model === 'Transformer');
      const ntokens = new Corpus(c.texts).dictionary.length;
      const start = tf.memory().numTensors;
      expect(generateWords(model, ntokens, c.words, c.temperature)).toEqual(c.ids);
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose([...model.parameters(), ...model.buffers()]);
    });
  }
});

describe('pytorch/examples word_language_model: the commands (main.ts, generate.ts)', () => {
  const dir = useExampleDir('lm');

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

  it("generate.ts on torch's Transformer checkpoint: torch's words in generated.txt, the progress lines", () => {
    const c = genCases.find((g) => g.model === 'Transformer') as GenerateCase;
    const data = join(dir, 'gen');
    mkdirSync(data, { recursive: true });
    for (const [name, text] of Object.entries(c.texts)) writeFileSync(join(data, `${name}.txt`), text);
    const args = ['--data', data, '--seed', String(c.seed), '--temperature', String(c.temperature)];
    const r = runExample(
      'word_language_model/generate.ts',
      [...args, '--checkpoint', fixturePath(c.checkpoint), '--words', String(c.words), '--log-interval', '10'],
      dir,
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`| Generated 0/${c.words} words\n| Generated 10/${c.words} words\n`);
    expect(readFileSync(join(dir, 'generated.txt'), 'utf8')).toBe(c.text);
  });

  it('--model Transformer --dry-run: one batch, the end-of-epoch and test lines, model.pt with nn.Transformer keys', async () => {
    const r = runExample(
      'word_language_model/main.ts',
      [
        '--data',
        dir,
        '--model',
        'Transformer',
        '--emsize',
        '8',
        '--nhid',
        '6',
        '--nlayers',
        '1',
        '--nhead',
        '4',
        '--epochs',
        '1',
        '--batch_size',
        '4',
        '--bptt',
        '5',
        '--dry-run',
        '--save',
        'tr.pt',
        '--backend',
        'cpu',
      ],
      dir,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /\| end of epoch {3}1 \| time: +\d+\.\d\ds \| valid loss +\d+\.\d\d \| valid ppl +\d+\.\d\d\n/,
    );
    const state = (await load(join(dir, 'tr.pt'))) as Map<string, unknown>;
    expect([...state.keys()].slice(-5)).toEqual([
      'encoder.norm.bias',
      'decoder.weight',
      'decoder.bias',
      'pos_encoder.pe',
      'input_emb.weight',
    ]);
  });
});
