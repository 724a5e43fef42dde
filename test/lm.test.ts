// A 2-layer LSTM language model trained by torch 1.13 on Debian's fortunes (scripts/fixtures/lm.py, the
// word_language_model RNNModel): its torch.save'd state dict loads strictly into the same model built from the
// library's modules and gives torch's logits and final states within 1e-4.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { parseTorchFile, toTfStateDict } from '../src/io/torch-format';
import * as nn from '../src/nn';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface LmCase {
  vocab: number;
  emb: number;
  hidden: number;
  layers: number;
  input: FixtureTensor;
  logits: FixtureTensor;
  h: FixtureTensor;
  c: FixtureTensor;
  keys: string[];
}

/** pytorch/examples' word_language_model RNNModel (LSTM, untied). */
class RNNModel extends nn.Module {
  drop = this.registerModule('drop', new nn.Dropout(0.2));
  encoder: nn.Embedding;
  rnn: nn.LSTM;
  decoder: nn.Linear;
  constructor(ntoken: number, ninp: number, nhid: number, nlayers: number) {
    super();
    this.encoder = this.registerModule('encoder', new nn.Embedding(ntoken, ninp));
    this.rnn = this.registerModule('rnn', new nn.LSTM(ninp, nhid, nlayers, { dropout: 0.2 }));
    this.decoder = this.registerModule('decoder', new nn.Linear(nhid, ntoken));
  }
  override forward(input: tf.Tensor, hidden: nn.LSTMState | null = null): [tf.Tensor, nn.LSTMState] {
    const emb = this.drop.forward(this.encoder.forward(input));
    const [output, state] = this.rnn.forward(emb, hidden);
    return [this.decoder.forward(this.drop.forward(output)), state];
  }
}

const c = loadFixture<LmCase>('lm').cases[0];
const stateBytes = readFileSync(fileURLToPath(new URL('./fixtures/lm_state.pt', import.meta.url)));

function check(): void {
  tf.tidy(() => {
    const model = new RNNModel(c.vocab, c.emb, c.hidden, c.layers);
    expect([...model.stateDict().keys()]).toEqual(c.keys);
    model.loadStateDict(toTfStateDict(parseTorchFile(new Uint8Array(stateBytes)))); // strict by default
    model.eval();
    const [logits, [h, cc]] = model.forward(toTensor(c.input));
    expectClose(logits, c.logits, 'logits', { rtol: 1e-4, atol: 1e-4 });
    expectClose(h, c.h, 'h_n', { rtol: 1e-4, atol: 1e-4 });
    expectClose(cc, c.c, 'c_n', { rtol: 1e-4, atol: 1e-4 });
    for (const p of model.parameters()) p.dispose();
  });
}

describe('torch-trained LSTM language model (fortunes)', () => {
  it('loads strictly and gives torch logits (cpu)', check);
});

describe('torch-trained LSTM language model (fortunes), wasm', () => {
  useWasmBackend();
  it('loads strictly and gives torch logits (wasm)', check);
});
