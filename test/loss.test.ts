// F.* losses and the loss modules against PyTorch 1.13 (scripts/fixtures/losses.py).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { backward, Parameter } from '../src/autograd';
import { ShapeError, ValueError } from '../src/errors';
import * as F from '../src/nn/functional/loss';
import * as nn from '../src/nn/loss';
import { expectClose, fixtureData, loadFixture, toTensor, type FixtureTensor } from './helpers';

interface LossCase {
  kind: 'functional';
  name: string;
  fn: keyof typeof FNS;
  input: FixtureTensor;
  target: FixtureTensor;
  options: Record<string, FixtureTensor | string | number>;
  out: FixtureTensor;
  grad_output: FixtureTensor;
  grad_input: FixtureTensor;
  grad_target?: FixtureTensor;
}

interface ModuleCase {
  kind: 'module';
  name: string;
  cls: keyof typeof MODULES;
  options: Record<string, FixtureTensor | string | number>;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  target: FixtureTensor;
  out: FixtureTensor;
  grad_output: FixtureTensor;
  grad_input: FixtureTensor;
}

type LossFn = (input: tf.Tensor, target: tf.Tensor, options?: Record<string, unknown>) => tf.Tensor;

const FNS = {
  binary_cross_entropy: F.binaryCrossEntropy as LossFn,
  binary_cross_entropy_with_logits: F.binaryCrossEntropyWithLogits as LossFn,
  mse_loss: F.mseLoss as LossFn,
  l1_loss: F.l1Loss as LossFn,
  nll_loss: F.nllLoss as LossFn,
  cross_entropy: F.crossEntropy as LossFn,
};

const OPTION_NAMES: Record<string, string> = {
  weight: 'weight',
  pos_weight: 'posWeight',
  reduction: 'reduction',
  ignore_index: 'ignoreIndex',
  label_smoothing: 'labelSmoothing',
};

const MODULES = {
  BCELoss: nn.BCELoss,
  BCEWithLogitsLoss: nn.BCEWithLogitsLoss,
  MSELoss: nn.MSELoss,
  L1Loss: nn.L1Loss,
  NLLLoss: nn.NLLLoss,
  CrossEntropyLoss: nn.CrossEntropyLoss,
};

function options(c: LossCase | ModuleCase): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) {
    o[OPTION_NAMES[k]!] = typeof v === 'object' ? toTensor(v) : v;
  }
  return o;
}

/** expectClose, with NaN and ±Infinity required at exactly the positions torch has them. */
function expectCloseNonFinite(actual: tf.Tensor, expected: FixtureTensor, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = Array.from(actual.dataSync());
  const e = Array.from(fixtureData(expected) as ArrayLike<number>);
  const finite = e.map((v) => Number.isFinite(v));
  e.forEach((v, i) => {
    if (!finite[i]) expect(a[i], `${what}: element ${i}`).toBe(v);
  });
  expectClose(
    a.filter((_, i) => finite[i]),
    e.filter((_, i) => finite[i]),
    what,
  );
}

const fixture = loadFixture<LossCase | ModuleCase>('losses');
const functionalCases = fixture.cases.filter((c): c is LossCase => c.kind === 'functional');
const moduleCases = fixture.cases.filter((c): c is ModuleCase => c.kind === 'module');

describe('F losses match torch 1.13: forward and gradients', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(functionalCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fn = FNS[c.fn];
    const input = toTensor(c.input);
    const target = toTensor(c.target);
    const opts = options(c);
    const out = fn(input, target, opts);
    expectCloseNonFinite(out, c.out, 'loss');

    const floatTarget = c.grad_target !== undefined;
    const xs = floatTarget ? [input, target] : [input];
    const f = (...args: tf.Tensor[]) => fn(args[0]!, floatTarget ? args[1]! : target, opts);
    const grads = tf.grads(f)(xs, toTensor(c.grad_output));
    expectCloseNonFinite(grads[0]!, c.grad_input, 'grad w.r.t. input');
    if (floatTarget) expectCloseNonFinite(grads[1]!, c.grad_target!, 'grad w.r.t. target');
  });
});

describe('loss modules match torch 1.13: repr, state dict, forward, backward', () => {
  const make = (c: ModuleCase) => new (MODULES[c.cls] as new (o: Record<string, unknown>) => nn.BCELoss)(options(c));

  it.each(moduleCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = make(c);
    expect(m.toString()).toBe(c.repr);
    const sd = m.stateDict();
    expect([...sd.keys()]).toEqual(Object.keys(c.state_dict));
    for (const [k, v] of Object.entries(c.state_dict)) expectClose(sd.get(k)!, v, `state_dict ${k}`);

    // backward through the library's autograd into a Parameter, as a training step does
    const x = new Parameter(toTensor(c.input));
    const out = m.forward(x, toTensor(c.target));
    expectClose(out, c.out, 'loss');
    backward(out, toTensor(c.grad_output));
    expectClose(x.grad!, c.grad_input, 'grad w.r.t. input');
  });

  it.each(moduleCases.filter((c) => Object.keys(c.state_dict).length).map((c) => [c.name, c] as const))(
    "%s: loadStateDict of torch's buffers restores the loss",
    (_name, c) => {
      const zeros: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(options(c))) zeros[k] = v instanceof tf.Tensor ? tf.zerosLike(v) : v;
      const m = new (MODULES[c.cls] as new (o: Record<string, unknown>) => nn.BCELoss)(zeros);
      m.loadStateDict(Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      expectClose(m.forward(toTensor(c.input), toTensor(c.target)), c.out, 'loss after loadStateDict');
    },
  );

  it.each([
    [
      'BCELoss reduction=avg',
      () => new nn.BCELoss({ reduction: 'avg' as F.Reduction }),
      'BCELoss: avg is not a valid value for reduction',
    ],
    [
      'CrossEntropyLoss labelSmoothing=1.5',
      () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }),
      'label_smoothing must be between 0.0 and 1.0. Got: 1.5',
    ],
  ])('constructor error: %s', (_n, make, message) => {
    expect(make).toThrow(ValueError);
    expect(make).toThrow(message);
  });
});

describe('F losses: errors', () => {
  const p = () => tf.tensor2d([[0.2], [0.9], [0.5], [0.1]]);
  const logp = () =>
    tf.logSoftmax(
      tf.tensor2d([
        [1, 2, 3],
        [0, 1, 0],
      ]),
    );
  const idx = (v: number[], shape?: number[]) => tf.tensor(v, shape ?? [v.length], 'int32');
  const cases: Array<[string, () => unknown, typeof ShapeError | typeof ValueError, string]> = [
    [
      'bce target [4] vs input [4,1]',
      () => F.binaryCrossEntropy(p(), tf.ones([4])),
      ShapeError,
      'using a target size ([4]) that is different to the input size ([4, 1])',
    ],
    [
      'bce input 1.5 outside [0,1]',
      () => F.binaryCrossEntropy(tf.tensor1d([0.5, 1.5]), tf.ones([2])),
      ValueError,
      'all elements of input should be between 0 and 1, got values in [0.5, 1.5]',
    ],
    [
      'bce input -0.1 outside [0,1]',
      () => F.binaryCrossEntropy(tf.tensor1d([-0.1]), tf.ones([1])),
      ValueError,
      'all elements of input should be between 0 and 1',
    ],
    ['bce input NaN', () => F.binaryCrossEntropy(tf.tensor1d([NaN, 0.5]), tf.ones([2])), ValueError, '1 NaN'],
    [
      'bce weight [2] vs input [4,3]',
      () => F.binaryCrossEntropy(tf.fill([4, 3], 0.5), tf.ones([4, 3]), { weight: tf.ones([2]) }),
      ShapeError,
      'the size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1',
    ],
    [
      'bce weight [2,4,3] grows input [4,3]',
      () => F.binaryCrossEntropy(tf.fill([4, 3], 0.5), tf.ones([4, 3]), { weight: tf.ones([2, 4, 3]) }),
      ShapeError,
      'broadcasts the loss of shape [4, 3] to [2, 4, 3]',
    ],
    [
      'bce reduction=avg',
      () => F.binaryCrossEntropy(p(), p(), { reduction: 'avg' as F.Reduction }),
      ValueError,
      'avg is not a valid value for reduction',
    ],
    [
      'bce_logits target [4] vs input [4,1]',
      () => F.binaryCrossEntropyWithLogits(p(), tf.ones([4])),
      ShapeError,
      'target size ([4]) must be the same as input size ([4, 1])',
    ],
    [
      'bce_logits pos_weight [2] vs input [4,3]',
      () => F.binaryCrossEntropyWithLogits(tf.ones([4, 3]), tf.ones([4, 3]), { posWeight: tf.ones([2]) }),
      ShapeError,
      'must match the size of tensor b (2)',
    ],
    [
      'mse [4,3] vs [5]',
      () => F.mseLoss(tf.ones([4, 3]), tf.ones([5])),
      ShapeError,
      'the size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1',
    ],
    [
      'l1 [4,3] vs [4]',
      () => F.l1Loss(tf.ones([4, 3]), tf.ones([4])),
      ShapeError,
      'must match the size of tensor b (4)',
    ],
    [
      'nll float target',
      () => F.nllLoss(logp(), tf.tensor1d([1, 2])),
      ShapeError,
      'expected an int32 target of class indices (torch: Long), got float32',
    ],
    ['nll target 5 out of bounds C=3', () => F.nllLoss(logp(), idx([1, 5])), ValueError, 'Target 5 is out of bounds'],
    ['nll target -1 out of bounds', () => F.nllLoss(logp(), idx([-1, 0])), ValueError, 'Target -1 is out of bounds'],
    [
      'nll batch 2 vs 3',
      () => F.nllLoss(logp(), idx([1, 2, 0])),
      ShapeError,
      'expected input batch_size (2) to match target batch_size (3)',
    ],
    [
      'nll target [2,2] for [2,3]',
      () => F.nllLoss(logp(), idx([1, 2, 0, 0], [2, 2])),
      ShapeError,
      '0D or 1D target tensor expected, multi-target not supported',
    ],
    [
      'nll K=1 target [2,3] for [2,3,4]',
      () => F.nllLoss(tf.zeros([2, 3, 4]), idx([0, 0, 0, 0, 0, 0], [2, 3])),
      ShapeError,
      'expected target size [2, 4], got [2, 3]',
    ],
    [
      'nll unbatched [3] with target [1]',
      () => F.nllLoss(tf.zeros([3]), idx([1])),
      ShapeError,
      'size mismatch (got input: [3], target: [1])',
    ],
    ['nll 0-d input', () => F.nllLoss(tf.scalar(1), idx([1], [])), ShapeError, 'expected 1 or more dimensions (got 0)'],
    [
      'nll weight [4] for C=3',
      () => F.nllLoss(logp(), idx([1, 2]), { weight: tf.ones([4]) }),
      ShapeError,
      'weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]',
    ],
    [
      'ce label_smoothing=1.5',
      () => F.crossEntropy(logp(), idx([1, 2]), { labelSmoothing: 1.5 }),
      ValueError,
      'label_smoothing must be between 0.0 and 1.0. Got: 1.5',
    ],
    [
      'ce prob target with ignoreIndex=1',
      () => F.crossEntropy(logp(), tf.fill([2, 3], 1 / 3), { ignoreIndex: 1 }),
      ValueError,
      'ignore_index is not supported for floating point target',
    ],
    [
      'ce int target of the input shape',
      () => F.crossEntropy(logp(), tf.zeros([2, 3], 'int32')),
      ShapeError,
      'expected floating point type for target with class probabilities, got int32',
    ],
    [
      'ce prob weight [2] for C=3',
      () => F.crossEntropy(logp(), tf.fill([2, 3], 1 / 3), { weight: tf.ones([2]) }),
      ShapeError,
      'cross_entropy: weight tensor should be defined either for all 3 classes',
    ],
    [
      'ce float target [2,4] for [2,3]',
      () => F.crossEntropy(logp(), tf.ones([2, 4])),
      ShapeError,
      'expected an int32 target of class indices (torch: Long), got float32',
    ],
    [
      'ce target 7 out of bounds with label smoothing',
      () => F.crossEntropy(logp(), idx([1, 7]), { labelSmoothing: 0.1 }),
      ValueError,
      'Target 7 is out of bounds',
    ],
    [
      'ce reduction=avg',
      () => F.crossEntropy(logp(), idx([1, 2]), { reduction: 'avg' as F.Reduction }),
      ValueError,
      'avg is not a valid value for reduction',
    ],
  ];
  it.each(cases)('%s', (_name, call, cls, message) => {
    expect(call).toThrow(cls);
    expect(call).toThrow(message);
  });
});

describe('F losses: behaviour', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['mseLoss', F.mseLoss],
    ['l1Loss', F.l1Loss],
  ] as const)('%s warns (as torch) when a [4] target broadcasts against a [4,1] input', (_name, fn) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fn(tf.ones([4, 1]), tf.ones([4]));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(
      'using a target size ([4]) that is different to the input size ([4, 1])',
    );
    fn(tf.ones([4]), tf.ones([4]));
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('does not leak tensors (bce, bce_logits, nll, ce with label smoothing)', () => {
    const x = tf.fill([3, 4], 0.25);
    const y = tf.ones([3, 4]);
    const t = tf.tensor1d([0, 3, -100], 'int32');
    const before = tf.memory().numTensors;
    for (const loss of [
      F.binaryCrossEntropy(x, y, { weight: tf.ones([4]) }),
      F.binaryCrossEntropyWithLogits(x, y, { posWeight: tf.ones([4]) }),
      F.nllLoss(x, t),
      F.crossEntropy(x, t, { labelSmoothing: 0.1 }),
      F.l1Loss(x, y),
    ])
      loss.dispose();
    // the two weight tensors made inline above are the only survivors
    expect(tf.memory().numTensors - before).toBe(2);
  });
});
