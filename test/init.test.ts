// nn.init against PyTorch 1.13 (scripts/fixtures/init.py): gains, fans, and the exact values written after a seed.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Parameter } from '../src/autograd';
import { ArgumentTypeError, ShapeError, ValueError } from '../src/errors';
import * as init from '../src/nn/init';
import { manualSeed } from '../src/random';
import { expectClose, loadFixture, type FixtureTensor } from './helpers';

interface GainCase {
  kind: 'gain';
  nonlinearity: init.Nonlinearity;
  param: number | null;
  gain: number;
}
interface FanCase {
  kind: 'fan';
  shape: number[];
  fan_in: number;
  fan_out: number;
}
interface Step {
  fn: string;
  shape: number[];
  args: unknown[] | Record<string, unknown>;
  out: FixtureTensor;
}
interface InitCase {
  kind: 'init';
  name: string;
  seed: number;
  steps: Step[];
}
type Case = GainCase | FanCase | InitCase;

const fixture = loadFixture<Case>('init');
const of = <K extends Case['kind']>(k: K) => fixture.cases.filter((c): c is Extract<Case, { kind: K }> => c.kind === k);

/** torch's snake_case initialiser names to ours. */
const FNS: Record<string, (v: tf.Variable, ...args: any[]) => tf.Variable> = {
  uniform_: init.uniform_,
  normal_: init.normal_,
  constant_: init.constant_,
  zeros_: init.zeros_,
  ones_: init.ones_,
  eye_: init.eye_,
  xavier_uniform_: init.xavierUniform_,
  xavier_normal_: init.xavierNormal_,
  kaiming_uniform_: init.kaimingUniform_,
  kaiming_normal_: init.kaimingNormal_,
  trunc_normal_: init.truncNormal_,
};

afterEach(() => vi.restoreAllMocks());

describe('calculateGain matches torch', () => {
  it.each(of('gain').map((c) => [`${c.nonlinearity} param=${c.param}`, c] as const))('%s', (_n, c) => {
    expect(init.calculateGain(c.nonlinearity, c.param)).toBeCloseTo(c.gain, 14);
  });
});

describe('calculateFanInAndFanOut matches torch', () => {
  it.each(of('fan').map((c) => [`shape=[${c.shape}]`, c] as const))('%s', (_n, c) => {
    expect(init.calculateFanInAndFanOut(c.shape)).toEqual([c.fan_in, c.fan_out]);
    const t = tf.zeros(c.shape);
    expect(init.calculateFanInAndFanOut(t)).toEqual([c.fan_in, c.fan_out]);
  });
});

describe("seeded initialisers write torch's values", () => {
  it.each(of('init').map((c) => [`${c.name} seed=${c.seed}`, c] as const))('%s', (_n, c) => {
    manualSeed(c.seed);
    c.steps.forEach((s, i) => {
      const p = new Parameter(tf.zeros(s.shape));
      const args = Array.isArray(s.args) ? s.args : [s.args];
      const ret = FNS[s.fn]!(p, ...args);
      expect(ret).toBe(p);
      expectClose(p, s.out, `step ${i} ${s.fn}`);
    });
  });
});

describe('nn.init behaviour', () => {
  it('writes a module buffer (a plain tf.Variable) too', () => {
    manualSeed(0);
    const buf = tf.variable(tf.zeros([3, 5]), false);
    const [a] = of('init').filter((c) => c.name === 'xavier_uniform_ [3,5]');
    init.xavierUniform_(buf);
    expectClose(buf, a!.steps[0]!.out, 'buffer');
  });

  it('records nothing for autograd: a parameter written by an initialiser keeps grad null', () => {
    const p = new Parameter(tf.zeros([2, 3]));
    init.kaimingUniform_(p);
    expect(p.grad).toBeNull();
  });

  it('kaimingUniform_ on a zero-element tensor warns and draws nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    manualSeed(3);
    init.kaimingUniform_(new Parameter(tf.zeros([0, 4])));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('initializing zero-element tensors is a no-op'));
    const after = new Parameter(tf.zeros([4]));
    init.uniform_(after);
    manualSeed(3);
    const fresh = new Parameter(tf.zeros([4]));
    init.uniform_(fresh);
    expectClose(after, fresh, 'draws after the no-op');
  });

  it("the deprecated alias normal (the article's torch.nn.init.normal) warns once and equals normal_", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    manualSeed(1);
    const a = init.normal(new Parameter(tf.zeros([64])), 0.0, 1.0);
    init.normal(new Parameter(tf.zeros([2])));
    manualSeed(1);
    const b = init.normal_(new Parameter(tf.zeros([64])), 0.0, 1.0);
    expectClose(a, b, 'normal vs normal_');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe('nn.init.normal is now deprecated in favor of nn.init.normal_.');
  });

  it('truncNormal_ warns when the mean is more than 2 std outside [a, b], and stays in [a, b]', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const p = init.truncNormal_(new Parameter(tf.zeros([50])), 5, 1, -1, 1);
    expect(warn).toHaveBeenCalledTimes(1);
    const v = p.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
  });

  const errors: Array<[string, () => unknown, Function, string]> = [
    [
      'calculateGain unknown nonlinearity',
      () => init.calculateGain('gelu' as init.Nonlinearity),
      ValueError,
      'unsupported nonlinearity gelu',
    ],
    [
      'calculateGain leaky_relu param=true',
      () => init.calculateGain('leaky_relu', true as unknown as number),
      ValueError,
      'negative_slope true not a valid number',
    ],
    [
      'fans of a 1-D shape [5]',
      () => init.calculateFanInAndFanOut([5]),
      ShapeError,
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape [5])',
    ],
    [
      'xavierUniform_ of a 1-D parameter',
      () => init.xavierUniform_(new Parameter(tf.zeros([5]))),
      ShapeError,
      'fewer than 2 dimensions',
    ],
    [
      'kaimingNormal_ mode=fan_avg',
      () => init.kaimingNormal_(new Parameter(tf.zeros([2, 2])), { mode: 'fan_avg' as init.FanMode }),
      ValueError,
      'Mode fan_avg not supported, please use one of fan_in, fan_out',
    ],
    [
      'eye_ of a 3-D parameter',
      () => init.eye_(new Parameter(tf.zeros([2, 2, 2]))),
      ValueError,
      'only tensors with 2 dimensions are supported (got shape [2, 2, 2])',
    ],
    [
      'uniform_ of an immutable tf.Tensor',
      () => init.uniform_(tf.zeros([2]) as unknown as tf.Variable),
      ArgumentTypeError,
      'expected a tf.Variable (a Parameter or a module buffer) to write in place, got a tf.Tensor',
    ],
    [
      'normal_ of an int32 variable',
      () => init.normal_(tf.variable(tf.zeros([2], 'int32'))),
      ArgumentTypeError,
      'expected a float32 variable, got int32',
    ],
    [
      'normal_ std=-1',
      () => init.normal_(new Parameter(tf.zeros([2])), 0, -1),
      ValueError,
      'normal expects std >= 0.0',
    ],
  ];
  it.each(errors)('error: %s', (_n, call, cls, message) => {
    expect(call).toThrow(cls as new () => Error);
    expect(call).toThrow(message);
  });
});
