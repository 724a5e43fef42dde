// The core modules and F ops parsed through the layer kit (test/fixtures/kit_ops.json, written by
// scripts/fixtures/kit_ops.py with real PyTorch 1.13): torch's positional order and keywords, torch's deprecated
// size_average/reduce on every loss, BatchNorm1d/2d/3d, Flatten/Unflatten; and the bad inputs of issue 18.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ArgumentTypeError, ShapeError, ValueError } from '../src/errors';
import * as nn from '../src/nn';
import * as F from '../src/nn/functional';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase | FunctionCase>('kit_ops');
const moduleCases = fixture.cases.filter((c): c is ModuleCase => 'kind' in c);
const functionCases = fixture.cases.filter((c): c is FunctionCase => 'fn' in c);

// torch warns about size_average/reduce; so does the library.
beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

describe('core modules match torch 1.13 (positional and keyword arguments)', () => {
  runModuleCases({ ...fixture, cases: moduleCases } as Fixture<ModuleCase>);
});

describe('F.linear, F.batchNorm and F losses match torch 1.13', () => {
  runFunctionCases({ ...fixture, cases: functionCases } as Fixture<FunctionCase>);
});

/** Expects `f` to throw `cls` matching `message`, and to leave no tensor behind. */
function expectCleanThrow(f: () => unknown, cls: new (...a: never[]) => Error, message: RegExp | string): void {
  const before = tf.memory().numTensors;
  expect(f).toThrow(cls);
  expect(f).toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

describe('bad arguments are clear errors that free what they allocated (issue 18)', () => {
  it("BatchNorm2d(3, { eps: '1e-5' }) is a type error", () => {
    expectCleanThrow(
      () => new nn.BatchNorm2d(3, { eps: '1e-5' as unknown as number }),
      ArgumentTypeError,
      "BatchNorm2d(): argument 'eps' must be a finite number >= 0, got string '1e-5'",
    );
  });

  it("BatchNorm2d(3, { momentum: '0.1' }) is a type error and leaks nothing", () => {
    expectCleanThrow(
      () => new nn.BatchNorm2d(3, { momentum: '0.1' as unknown as number }),
      ArgumentTypeError,
      "argument 'momentum'",
    );
  });

  it('BatchNorm2d(2**31) names the size limit before allocating', () => {
    expectCleanThrow(() => new nn.BatchNorm2d(2 ** 31), ValueError, /numFeatures.*2147483647/);
  });

  it('BatchNorm1d(0), BatchNorm3d(2.5), affine: 1 are refused', () => {
    expectCleanThrow(() => new nn.BatchNorm1d(0), ValueError, "argument 'numFeatures' must be an int >= 1");
    expectCleanThrow(() => new nn.BatchNorm3d(2.5), ArgumentTypeError, 'numFeatures');
    expectCleanThrow(() => new nn.BatchNorm2d(2, { affine: 1 as unknown as boolean }), ArgumentTypeError, 'affine');
  });

  it('a BatchNorm value given twice names the parameter', () => {
    expectCleanThrow(
      () => new nn.BatchNorm2d(2, 1e-3, { eps: 1e-3 }),
      ArgumentTypeError,
      "multiple values for argument 'eps'",
    );
  });

  it('CrossEntropyLoss labelSmoothing NaN and 1.5 are refused; a typo is named', () => {
    expectCleanThrow(() => new nn.CrossEntropyLoss({ labelSmoothing: NaN }), ArgumentTypeError, 'labelSmoothing');
    expectCleanThrow(
      () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }),
      ValueError,
      'label_smoothing must be between 0.0 and 1.0. Got: 1.5',
    );
    expectCleanThrow(
      () => new nn.CrossEntropyLoss({ labelSmothing: 0.1 } as never),
      ArgumentTypeError,
      "unexpected keyword argument 'labelSmothing' (did you mean 'labelSmoothing'?)",
    );
  });

  it("BCELoss({ reduce: false }) gives torch's per-element loss, not a scalar", () => {
    const loss = new nn.BCELoss({ reduce: false });
    expect(loss.reduction).toBe('none');
    const out = loss.forward(tf.tensor1d([0.2, 0.7]), tf.tensor1d([0, 1]));
    expect(out.shape).toEqual([2]);
    expect(new nn.MSELoss({ sizeAverage: false }).reduction).toBe('sum');
    expect(new nn.L1Loss(false, false).reduction).toBe('none');
  });

  it('loss reductions: an unknown value and a non-boolean reduce are refused', () => {
    expectCleanThrow(() => new nn.MSELoss({ reduction: 'avg' as never }), ValueError, 'avg is not a valid value');
    expectCleanThrow(() => new nn.BCELoss({ reduce: 0 as never }), ArgumentTypeError, "argument 'reduce'");
    const a = tf.ones([2]);
    expectCleanThrow(
      () => F.mseLoss(a, a, { reductoin: 'sum' } as never),
      ArgumentTypeError,
      "did you mean 'reduction'",
    );
    a.dispose();
  });

  it('a non-tensor loss input is a type error', () => {
    const [a, b] = [tf.ones([2]), tf.ones([2, 3])];
    expectCleanThrow(() => F.l1Loss([1, 2] as never, a), ArgumentTypeError, "argument 'input' must be a tensor");
    expectCleanThrow(() => new nn.NLLLoss().forward(b, 1 as never), ArgumentTypeError, "'target'");
    tf.dispose([a, b]);
  });

  it('Linear refuses an int32 input instead of computing on it', () => {
    const fc = new nn.Linear(3, 2);
    const x = tf.ones([2, 3], 'int32');
    expectCleanThrow(() => fc.forward(x), ShapeError, 'expected input to be float32, got int32');
    tf.dispose([x, fc.weight, fc.bias!]);
  });

  it("linear.loadStateDict('weights.pt') says it needs tensors, not a path", () => {
    const fc = new nn.Linear(3, 2);
    expectCleanThrow(
      () => fc.loadStateDict('weights.pt' as never),
      ArgumentTypeError,
      "expected a Map or a plain object of tensors (as stateDict() or torch.load give), got string 'weights.pt'",
    );
    expect(() => fc.loadStateDict('weights.pt' as never)).not.toThrow(/"0"/);
    fc.weight.dispose();
    fc.bias?.dispose();
  });

  it('F.batchNorm checks its arguments before any kernel runs', () => {
    const [x, m, v] = [tf.ones([4, 3]), tf.zeros([3]), tf.ones([3])];
    expectCleanThrow(() => F.batchNorm(x, null, null, { training: 'yes' as never }), ArgumentTypeError, 'training');
    expectCleanThrow(() => F.batchNorm(x, null, null, { training: true, eps: -1 }), ValueError, 'eps');
    expectCleanThrow(() => F.batchNorm(x, m, v, { training: true }), ValueError, 'tf.Variable');
    tf.dispose([x, m, v]);
  });

  it('Flatten/Unflatten refuse non-int dims and two inferred sizes', () => {
    expectCleanThrow(() => new nn.Flatten(0.5), ArgumentTypeError, 'startDim');
    expectCleanThrow(() => new nn.Unflatten(1, [-1, -1]), ShapeError, 'only one dimension can be inferred');
    const x = tf.ones([2, 3]);
    expectCleanThrow(() => new nn.Flatten(0, 3).forward(x), ValueError, 'Dimension out of range');
    x.dispose();
  });

  it('building BatchNorm leaves only its parameters and buffers', () => {
    const before = tf.memory().numTensors;
    const bn = new nn.BatchNorm2d(4);
    expect(tf.memory().numTensors - before).toBe(5);
    for (const p of bn.parameters()) p.dispose();
    for (const b of bn.buffers()) b.dispose();
  });
});
