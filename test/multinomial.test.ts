// torch.multinomial against PyTorch 1.13 (scripts/fixtures/multinomial.py -> test/fixtures/multinomial.json): the
// same indices after manualSeed (or with a Generator) for 1-D and 2-D weights, with and without replacement, one
// and several samples, zero-weight categories; the generator's next draws after the call; torch's refusals.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { manualSeed, multinomial, rand, RandomGenerator } from '../src';
import { type FixtureTensor, fixtureData, loadFixture, toTensor, useWasmBackend } from './helpers';

interface Case {
  name: string;
  seed: number;
  input: FixtureTensor;
  num_samples: number;
  replacement: boolean;
  generator: boolean;
  out?: number[] | number[][];
  after?: FixtureTensor;
  error?: string;
}

const cases = loadFixture<Case>('multinomial').cases;

function check(c: Case): void {
  const start = tf.memory().numTensors;
  const input = toTensor(c.input);
  const gen = c.generator ? new RandomGenerator(c.seed) : undefined;
  manualSeed(c.generator ? c.seed + 1 : c.seed);
  const call = () =>
    gen
      ? multinomial(input, c.num_samples, c.replacement, { generator: gen })
      : multinomial(input, c.num_samples, c.replacement);
  if (c.error !== undefined) {
    expect(call).toThrow(c.error);
  } else {
    const out = call();
    expect(out.dtype).toBe('int32');
    expect(out.arraySync()).toEqual(c.out);
    // the generator is left where torch leaves it: its next draws are torch's
    const after = rand(3, gen ? { generator: gen } : {});
    expect(Array.from(after.dataSync())).toEqual(Array.from(fixtureData(c.after as FixtureTensor)));
    tf.dispose([out, after]);
  }
  input.dispose();
  expect(tf.memory().numTensors).toBe(start);
}

describe("torch.multinomial: torch's indices for the same seed", () => {
  for (const c of cases) it(c.name, () => check(c));

  it('checks its arguments as torch', () => {
    const w = tf.tensor([1, 2, 3]);
    expect(() => multinomial(w, 1.5)).toThrow(/numSamples/);
    expect(() => multinomial(w, 1, 'yes' as unknown as boolean)).toThrow(/replacement/);
    expect(() => multinomial(w, 1, { generator: 3 as unknown as RandomGenerator })).toThrow(/Generator/);
    expect(() => multinomial([1, 2] as unknown as tf.Tensor, 1)).toThrow(/input/);
    expect(multinomial(w, { numSamples: 2, replacement: true }).shape).toEqual([2]);
    w.dispose();
  });
});

describe('torch.multinomial on wasm', () => {
  useWasmBackend();
  for (const c of cases.filter((c) => c.error === undefined).slice(0, 6)) it(c.name, () => check(c));
});
