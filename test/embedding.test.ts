// nn.Embedding / nn.EmbeddingBag and F.embedding / F.embeddingBag against torch 1.13
// (scripts/fixtures/embedding.py), on cpu and on wasm (whose gather gradient needs the library's
// UnsortedSegmentSum kernel); bad indices.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase & FunctionCase>('embedding');
const modules = { ...fixture, cases: fixture.cases.filter((c) => 'kind' in c && c.kind) };
const functions = { ...fixture, cases: fixture.cases.filter((c) => 'fn' in c && c.fn) };

describe('Embedding and EmbeddingBag match torch 1.13 (cpu)', () => {
  runModuleCases(modules);
  runFunctionCases(functions);
});

describe('Embedding and EmbeddingBag match torch 1.13 (wasm)', () => {
  useWasmBackend();
  runModuleCases(modules);
  runFunctionCases(functions);
});

describe('Embedding: bad input and API', () => {
  it('an index >= numEmbeddings or a padding index out of range is a clear error', () => {
    const model = new nn.Sequential(new nn.Embedding(5, 2));
    expect(() => model.forward(tf.tensor1d([1, 5], 'int32'))).toThrow(
      /0.*index 5 is out of range for an embedding of 5 rows \(input of shape \[2\]\)/,
    );
    expect(() => new nn.Embedding(5, 2, 5)).toThrow(/Padding_idx must be within num_embeddings/);
    expect(() => new nn.Embedding(5, 2, -6)).toThrow(/Padding_idx must be within num_embeddings/);
    expect(() => new nn.Embedding(5, 2).forward(tf.tensor1d([1.5]))).toThrow(/expected an int32 index tensor/);
  });

  it('fromPretrained freezes by default and keeps the values', () => {
    const w = tf.tensor2d([
      [1, 2.3, 3],
      [4, 5.1, 6.3],
    ]);
    const emb = nn.Embedding.fromPretrained(w);
    expect(emb.weight.requiresGrad).toBe(false);
    expect(Array.from(emb.forward(tf.tensor1d([1], 'int32')).dataSync())).toEqual(Array.from(w.slice(1).dataSync()));
    expect(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it('trains in a loop without leaking', () => {
    const emb = new nn.Embedding(20, 4, { paddingIdx: 0 });
    const x = tf.tensor2d(
      [
        [0, 3, 5],
        [7, 7, 19],
      ],
      [2, 3],
      'int32',
    );
    const step = () =>
      tf.tidy(() => {
        emb.zeroGrad();
        backward(tf.sum(tf.square(emb.forward(x))));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('wasm UnsortedSegmentSum kernel (the gather gradient) against the cpu backend', () => {
  const x = tf.randomNormal([7, 3, 2]);
  const ids = tf.tensor1d([4, 0, 4, -1, 2, 9, 0], 'int32'); // -1 and 9 (>= numSegments) are dropped
  let cpu: number[] = [];
  it('cpu', () => {
    cpu = Array.from(tf.unsortedSegmentSum(x, ids, 5).dataSync());
  });
  describe('wasm', () => {
    useWasmBackend();
    it('matches', () => {
      const xw = tf.tensor(x.dataSync(), x.shape);
      const iw = tf.tensor1d(ids.dataSync() as Int32Array, 'int32');
      const out = tf.unsortedSegmentSum(xw, iw, 5);
      expect(out.shape).toEqual([5, 3, 2]);
      const got = Array.from(out.dataSync());
      got.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 5));
    });
  });
});
