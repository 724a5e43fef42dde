// The losses of issue 11 against PyTorch 1.13 (test/fixtures/losses_more.json, scripts/fixtures/losses_more.py):
// modules with torch's positional order and keywords, every reduction, legacy size_average/reduce, unbatched inputs;
// F calls, including those torch refuses.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ArgumentTypeError, ValueError } from '../src/errors';
import * as nn from '../src/nn';
import * as torch from '../src/autograd';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase | FunctionCase>('losses_more');
const moduleCases = fixture.cases.filter((c): c is ModuleCase => 'kind' in c);
const functionCases = fixture.cases.filter((c): c is FunctionCase => 'fn' in c);

// torch warns about size_average/reduce; so does the library.
beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

describe('loss modules match torch 1.13', () => {
  runModuleCases({ ...fixture, cases: moduleCases } as Fixture<ModuleCase>);
});

describe('F losses match torch 1.13', () => {
  runFunctionCases({ ...fixture, cases: functionCases } as Fixture<FunctionCase>);
});

describe('issue-11 losses: arguments, errors and memory', () => {
  it("bad constructor arguments are torch's errors, named", () => {
    expect(() => new nn.SmoothL1Loss({ beta: -1 })).toThrow(ValueError);
    expect(() => new nn.HuberLoss('mean', 0)).toThrow("argument 'delta'");
    expect(() => new nn.KLDivLoss({ reduction: 'avg' as never })).toThrow(ValueError);
    expect(() => new nn.MultiMarginLoss(3)).toThrow('only p == 1 and p == 2 supported');
    expect(() => new nn.TripletMarginLoss({ swapp: true } as never)).toThrow("did you mean 'swap'");
    expect(() => new nn.PoissonNLLLoss('yes' as never)).toThrow(ArgumentTypeError);
    expect(() => new nn.GaussianNLLLoss({ eps: '1e-6' } as never)).toThrow(ArgumentTypeError);
  });

  it('TripletMarginWithDistanceLoss takes any distance function and prints without a child then', () => {
    const l1 = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.abs(tf.sub(x, y)), -1);
    const loss = new nn.TripletMarginWithDistanceLoss({ distanceFunction: l1, margin: 0.5 });
    expect(loss.toString()).toBe('TripletMarginWithDistanceLoss()');
    const [a, p, n] = [tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 1]]), tf.tensor2d([[0, 1]])];
    // max(0, 0.5 + |a - p|_1 - |a - n|_1) = 0.5 + 2 - 1
    expect(loss.forward(a, p, n).dataSync()[0]).toBeCloseTo(1.5, 6);
    tf.dispose([a, p, n]);
  });

  it('a training step through each loss keeps tf.memory().numTensors constant', () => {
    const w = new nn.Parameter(tf.randomNormal([4, 3]));
    const x = tf.randomNormal([5, 4]);
    const sgn = tf.tensor1d([1, -1, 1, 1, -1]);
    const labels = tf.tensor1d([0, 2, 1, 1, 0], 'int32');
    const losses: Array<(y: tf.Tensor) => tf.Tensor> = [
      (y) => new nn.SmoothL1Loss().forward(y, tf.zerosLike(y)),
      (y) => new nn.HuberLoss().forward(y, tf.onesLike(y)),
      (y) => new nn.KLDivLoss({ reduction: 'batchmean' }).forward(tf.logSoftmax(y), tf.fill(y.shape, 1 / 3)),
      (y) => new nn.PoissonNLLLoss().forward(y, tf.onesLike(y)),
      (y) => new nn.GaussianNLLLoss().forward(y, tf.zerosLike(y), tf.onesLike(y)),
      (y) => new nn.MultiLabelSoftMarginLoss().forward(y, tf.onesLike(y)),
      (y) => new nn.MultiMarginLoss().forward(y, labels),
      (y) => new nn.CosineEmbeddingLoss().forward(y, tf.onesLike(y), sgn),
      (y) => new nn.TripletMarginLoss().forward(y, tf.onesLike(y), tf.zerosLike(y)),
      (y) => new nn.TripletMarginWithDistanceLoss().forward(y, tf.onesLike(y), tf.zerosLike(y)),
    ];
    const step = (f: (y: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => {
        const loss = f(tf.matMul(x, w));
        torch.backward(loss);
        w.grad?.dispose();
        torch.setGradOf(w, null);
      });
    for (const f of losses) {
      step(f);
      const before = tf.memory().numTensors;
      step(f);
      step(f);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([w, x, sgn, labels]);
  });
});
