// torch.nn.utils against PyTorch 1.13 (test/fixtures/nn_utils.json, scripts/fixtures/nn_utils.py): gradient
// clipping, flat parameter vectors, weight_norm and spectral_norm (torch's keys, u/v drawn from the same seed,
// power iteration in train mode, outputs and gradients).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward, gradOf, setGradOf } from '../src/autograd';
import { ValueError } from '../src/errors';
import * as nn from '../src/nn';
import { manualSeed } from '../src/random';
import { expectClose, type FixtureTensor, loadFixture, toTensor } from './helpers';

interface UtilsCase {
  name: string;
  kind: string;
  [key: string]: unknown;
}

const fromJsonNumber = (v: unknown) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const cases = loadFixture<UtilsCase>('nn_utils').cases;

const BUILD: Record<string, () => nn.Module> = {
  weight_norm_linear: () => nn.utils.weightNorm(new nn.Linear(4, 3)),
  weight_norm_linear_dim1: () => nn.utils.weightNorm(new nn.Linear(4, 3), { dim: 1 }),
  weight_norm_linear_none: () => nn.utils.weightNorm(new nn.Linear(3, 5), { dim: null }),
  weight_norm_conv: () => nn.utils.weightNorm(new nn.Conv2d(2, 3, 3)),
  spectral_linear: () => nn.utils.spectralNorm(new nn.Linear(5, 4)),
  spectral_linear_eval: () => nn.utils.spectralNorm(new nn.Linear(6, 3), { nPowerIterations: 3 }),
  spectral_conv: () => nn.utils.spectralNorm(new nn.Conv2d(2, 4, 3)),
  spectral_convt: () => nn.utils.spectralNorm(new nn.ConvTranspose2d(3, 2, 2)),
};

const leaves = (c: UtilsCase) => (c.grads as FixtureTensor[]).map((g) => tf.variable(tf.zerosLike(toTensor(g))));

describe('nn.utils gradient clipping and vectors match torch 1.13', () => {
  for (const c of cases.filter((k) => k.kind.startsWith('clip') || k.kind === 'to_vector')) {
    it(c.name, () => {
      if (c.kind === 'to_vector') {
        const m = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 1, false));
        m.loadStateDict(
          new Map(Object.entries(c.state_dict as Record<string, FixtureTensor>).map(([k, v]) => [k, toTensor(v)])),
        );
        const vec = nn.utils.parametersToVector(m.parameters());
        expectClose(vec, c.vector as FixtureTensor, 'vector');
        nn.utils.vectorToParameters(tf.mul(vec, 2), m.parameters());
        expectClose(
          nn.utils.parametersToVector(m.parameters()),
          tf.mul(toTensor(c.vector as FixtureTensor), 2),
          'round trip',
        );
        return;
      }
      const ps = leaves(c);
      const noGradParam = tf.variable(tf.zeros([2]));
      ps.forEach((p, i) => setGradOf(p, toTensor((c.grads as FixtureTensor[])[i]!)));
      if (c.kind === 'clip_norm') {
        const total = nn.utils.clipGradNorm_([...ps, noGradParam], c.max_norm as number, fromJsonNumber(c.norm_type));
        expectClose(total, c.total as FixtureTensor, 'total norm');
      } else {
        nn.utils.clipGradValue_(ps, { clipValue: c.clip_value as number });
      }
      ps.forEach((p, i) => expectClose(gradOf(p)!, (c.after as FixtureTensor[])[i]!, `grad ${i} after`));
      expect(gradOf(noGradParam)).toBeNull();
      ps.forEach((p) => {
        setGradOf(p, null);
        p.dispose();
      });
      noGradParam.dispose();
    });
  }
});

describe('weightNorm and spectralNorm match torch 1.13', () => {
  for (const c of cases.filter((k) => k.kind in BUILD)) {
    it(c.name, () => {
      if (c.seed != null) manualSeed(c.seed as number);
      const m = BUILD[c.kind]!();
      expect(m.toString()).toBe(c.repr);
      const sd = c.state_dict as Record<string, FixtureTensor>;
      const mine = m.stateDict();
      expect([...mine.keys()]).toEqual(Object.keys(sd));
      // spectral norm: the same u and v (and weights) from the same seed, as torch draws them
      if (c.seed != null) for (const [k, v] of Object.entries(sd)) expectClose(mine.get(k)!, v, `initial ${k}`);
      m.loadStateDict(new Map(Object.entries(sd).map(([k, v]) => [k, toTensor(v)])));
      m.train(c.train as boolean);
      const x = tf.variable(toTensor(c.input as FixtureTensor));
      for (let s = 1; s < (c.steps as number); s++) tf.tidy(() => void m.forward(x));
      const out = m.forward(x) as tf.Tensor;
      expectClose(out, c.output as FixtureTensor, 'output');
      backward(tf.sum(tf.mul(out, toTensor(c.proj as FixtureTensor))));
      expectClose(gradOf(x)!, c.grad_input as FixtureTensor, 'grad of input');
      for (const [k, p] of m.namedParameters())
        expectClose(p.grad!, (c.grads as Record<string, FixtureTensor>)[k]!, `grad of ${k}`);
      const after = m.stateDict();
      for (const [k, v] of Object.entries(c.state_after as Record<string, FixtureTensor>))
        expectClose(after.get(k)!, v, `after: ${k}`);
    });
  }

  it('removeWeightNorm / removeSpectralNorm restore one weight parameter', () => {
    const fc = nn.utils.weightNorm(new nn.Linear(4, 3));
    const x = tf.randomNormal([2, 4]);
    const y = fc.forward(x) as tf.Tensor;
    nn.utils.removeWeightNorm(fc);
    expect([...fc.stateDict().keys()]).toEqual(['bias', 'weight']);
    expectClose(fc.forward(x), y, 'same function after remove');
    const sn = nn.utils.spectralNorm(new nn.Linear(4, 3)).eval();
    const z = sn.forward(x) as tf.Tensor;
    nn.utils.removeSpectralNorm(sn);
    expect([...sn.stateDict().keys()]).toEqual(['bias', 'weight']);
    expectClose(sn.forward(x), z, 'same function after remove');
    expect(() => nn.utils.removeSpectralNorm(sn)).toThrow(ValueError);
    expect(() => nn.utils.weightNorm(new nn.ReLU())).toThrow("has no parameter 'weight'");
  });

  it('clipGradNorm_ with errorIfNonfinite refuses a NaN norm and leaves the gradients', () => {
    const p = tf.variable(tf.zeros([2]));
    setGradOf(p, tf.tensor1d([NaN, 1]));
    expect(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true })).toThrow('non-finite');
    expect(Array.from(gradOf(p)!.dataSync())[1]).toBe(1);
    expect(nn.utils.clipGradNorm_([], 1).dataSync()[0]).toBe(0);
    expect(() => nn.utils.clipGradNorm_([p], '1' as never)).toThrow("argument 'maxNorm'");
  });
});
