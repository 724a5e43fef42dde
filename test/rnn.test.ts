// nn.RNN / nn.LSTM / nn.GRU, the cells and nn.utils.rnn against torch 1.13 (scripts/fixtures/rnn.py): outputs,
// final states, gradients of the input, the initial states and every parameter, print(model); on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import type { Module } from '../src/nn/module';
import { manualSeed } from '../src/random';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface RnnCase {
  name: string;
  kind: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  train: boolean;
  seed: number | null;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  hx: FixtureTensor[] | null;
  packed: { lengths: number[]; enforce_sorted: boolean } | null;
  outputs: FixtureTensor[];
  projs: FixtureTensor[];
  grad_input: FixtureTensor;
  grad_hx: FixtureTensor[] | null;
  grads: Record<string, FixtureTensor>;
}

const fixture = loadFixture<RnnCase>('rnn');

function build(c: RnnCase): Module {
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[c.kind];
  return Object.keys(c.kwargs).length ? new Ctor(...c.args, c.kwargs) : new Ctor(...c.args);
}

function flatOut(c: RnnCase, out: unknown): tf.Tensor[] {
  if (c.kind.endsWith('Cell')) return Array.isArray(out) ? out : [out as tf.Tensor];
  const [o, h] = out as [tf.Tensor | nn.utils.PackedSequence, tf.Tensor | tf.Tensor[]];
  const data = o instanceof nn.utils.PackedSequence ? o.data : o;
  return [data, ...(Array.isArray(h) ? h : [h])];
}

function check(c: RnnCase): void {
  tf.tidy(() => {
    const m = build(c);
    try {
      expect(m.toString(), 'print(model)').toBe(c.repr);
      expect([...m.stateDict().keys()], 'state-dict keys').toEqual(Object.keys(c.state_dict));
      m.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      m.train(c.train);
      const x = tf.variable(toTensor(c.input));
      const hs = c.hx?.map((h) => tf.variable(toTensor(h))) ?? null;
      let inp: tf.Tensor | nn.utils.PackedSequence = x;
      if (c.packed) {
        inp = nn.utils.packPaddedSequence(x, c.packed.lengths, {
          batchFirst: Boolean(c.kwargs.batchFirst),
          enforceSorted: c.packed.enforce_sorted,
        });
      }
      if (c.seed != null) manualSeed(c.seed);
      const state = hs == null ? null : c.kind === 'LSTM' || c.kind === 'LSTMCell' ? hs : hs[0];
      const outs = flatOut(c, (m.forward as (...a: unknown[]) => unknown)(inp, state));
      expect(outs.length, 'number of outputs').toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `output ${i}`));
      backward(tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, toTensor(c.projs[i]))))));
      expectClose(x.grad!, c.grad_input, 'grad of input');
      hs?.forEach((h, i) => expectClose(h.grad!, c.grad_hx![i], `grad of hx[${i}]`));
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name], `grad of ${name}`);
      for (const v of [x, ...(hs ?? [])]) {
        v.grad?.dispose();
        v.dispose();
      }
    } finally {
      for (const p of m.parameters()) p.dispose();
    }
  });
}

describe('recurrent layers match torch 1.13 (cpu)', () => {
  for (const c of fixture.cases) it(c.name, () => check(c));
});

describe('recurrent layers match torch 1.13 (wasm)', () => {
  useWasmBackend();
  for (const c of fixture.cases) it(c.name, () => check(c));
});

interface UtilsCase {
  name: string;
  lengths: number[];
  batch_first: boolean;
  enforce_sorted: boolean;
  seqs: FixtureTensor[];
  padded: FixtureTensor;
  data: FixtureTensor;
  batch_sizes: FixtureTensor;
  sorted_indices: FixtureTensor | null;
  unsorted_indices: FixtureTensor | null;
  unpacked: FixtureTensor;
  unpacked_lengths: FixtureTensor;
}

describe('nn.utils.rnn matches torch 1.13', () => {
  const ints = (t: tf.Tensor | null) => (t ? Array.from(t.dataSync()) : null);
  for (const c of loadFixture<UtilsCase>('rnn_utils').cases) {
    it(c.name, () =>
      tf.tidy(() => {
        const seqs = c.seqs.map(toTensor);
        expectClose(nn.utils.padSequence(seqs, c.batch_first, -1.5), c.padded, 'pad_sequence');
        const packed = nn.utils.packPaddedSequence(nn.utils.padSequence(seqs, c.batch_first), c.lengths, {
          batchFirst: c.batch_first,
          enforceSorted: c.enforce_sorted,
        });
        expectClose(packed.data, c.data, 'data');
        expect(ints(packed.batchSizes)).toEqual(ints(toTensor(c.batch_sizes)));
        expect(ints(packed.sortedIndices)).toEqual(c.sorted_indices && ints(toTensor(c.sorted_indices)));
        expect(ints(packed.unsortedIndices)).toEqual(c.unsorted_indices && ints(toTensor(c.unsorted_indices)));
        const [unpacked, lengths] = nn.utils.padPackedSequence(packed, {
          batchFirst: c.batch_first,
          paddingValue: 0.5,
          totalLength: Math.max(...c.lengths) + 1,
        });
        expectClose(unpacked, c.unpacked, 'pad_packed_sequence');
        expect(ints(lengths)).toEqual(ints(toTensor(c.unpacked_lengths)));
        const again = nn.utils.packSequence(seqs, c.enforce_sorted);
        expectClose(again.data, c.batch_first ? c.data : c.data, 'pack_sequence');
      }),
    );
  }
});

describe('recurrent layers: bad input', () => {
  it('wrong input size names the module path and shapes', () => {
    const model = new nn.Sequential(new nn.LSTM(4, 3));
    expect(() => model.forward(tf.zeros([5, 2, 6]))).toThrow(
      /0.*input.size\(-1\) must be equal to input_size. Expected 4, got 6 \(input of shape \[5, 2, 6\]\)/,
    );
    expect(() => new nn.GRU(4, 3).forward(tf.zeros([1, 5, 2, 4]))).toThrow(
      /Expected input to be 2-D or 3-D but received 4-D/,
    );
  });
  it('state shape mismatch', () => {
    const lstm = new nn.LSTM(4, 3, 2);
    expect(() => lstm.forward(tf.zeros([5, 2, 4]), [tf.zeros([2, 2, 3]), tf.zeros([1, 2, 3])])).toThrow(
      /Expected hidden\[1\] size \(2, 2, 3\), got \[1, 2, 3\]/,
    );
    expect(() => new nn.GRU(4, 3).forward(tf.zeros([5, 2, 4]), tf.zeros([2, 3]))).toThrow(
      /For batched 3-D input, hx should also be 3-D but got \(2-D\) tensors/,
    );
    expect(() => new nn.RNN(4, 3).forward(tf.zeros([5, 2, 4]), tf.zeros([1, 3, 3]))).toThrow(
      /Expected hidden size \(1, 2, 3\), got \[1, 3, 3\]/,
    );
    expect(() => new nn.LSTMCell(4, 3).forward(tf.zeros([2, 4]), [tf.zeros([3, 3]), tf.zeros([2, 3])])).toThrow(
      /LSTMCell: hidden of shape \[3, 3\]/,
    );
  });
  it('unsorted lengths with enforceSorted', () => {
    expect(() => nn.utils.packPaddedSequence(tf.zeros([4, 3, 2]), [2, 4, 1])).toThrow(
      /must be sorted in decreasing order when `enforce_sorted` is True \(got \[2, 4, 1\]\)/,
    );
    expect(() => nn.utils.packPaddedSequence(tf.zeros([4, 3, 2]), [2, 1])).toThrow(/batch_size=3/);
  });
  it('hyperparameters', () => {
    expect(() => new nn.LSTM(4, 3, { projSize: 3 })).toThrow(/proj_size has to be smaller than hidden_size/);
    expect(() => new nn.GRU(4, 3, { dropout: 1.5 })).toThrow(/dropout should be a number in range \[0, 1\]/);
    expect(() => new nn.RNN(4, 3, { nonlinearity: 'sigmoid' as never })).toThrow(/nonlinearity/);
  });
});

describe('recurrent layers: memory', () => {
  it('BPTT over 35 steps in a 1,000-iteration loop keeps tf.memory().numTensors constant', () => {
    manualSeed(0);
    const lstm = new nn.LSTM(2, 2);
    const x = tf.randomNormal([35, 1, 2]);
    const step = () =>
      tf.tidy(() => {
        lstm.zeroGrad();
        const [out] = lstm.forward(x);
        backward(tf.sum(out));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    for (const p of lstm.parameters()) p.dispose();
  }, 120_000);

  it('train-mode dropout between layers changes the output and is seeded-deterministic', () => {
    const gru = new nn.GRU(3, 4, 2, { dropout: 0.5 });
    const x = tf.randomNormal([6, 2, 3]);
    const run = (seed: number) => {
      manualSeed(seed);
      return Array.from(gru.forward(x)[0].dataSync());
    };
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    gru.eval();
    expect(run(1)).not.toEqual(a);
  });
});
