// BatchNorm1d/2d against real PyTorch 1.13 (test/fixtures/batchnorm.json from scripts/fixtures/layers.py):
// outputs, gradients and running statistics after each of three train-mode steps, then eval mode.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import { BatchNorm1d, BatchNorm2d } from '../src/nn/batchnorm';
import { expectClose, loadFixture, toTensor, type FixtureTensor } from './helpers';

interface Step {
  input: FixtureTensor;
  output: FixtureTensor;
  proj: FixtureTensor;
  grad_input: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  state_after?: Record<string, FixtureTensor>;
}
interface Case {
  name: string;
  kind: 'BatchNorm1d' | 'BatchNorm2d';
  args: { num_features: number; eps: number; momentum: number | null; affine: boolean; track_running_stats: boolean };
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  train_steps: Step[];
  eval: Step;
}

const fixture = loadFixture<Case>('batchnorm');

function runStep(bn: BatchNorm2d | BatchNorm1d, s: Step, label: string): void {
  const x = tf.variable(toTensor(s.input));
  const out = bn.forward(x);
  expectClose(out, s.output, `${label}: output`);
  backward(out.mul(toTensor(s.proj)).sum());
  expectClose(x.grad!, s.grad_input, `${label}: grad input`);
  for (const [name, p] of bn.namedParameters()) expectClose(p.grad!, s.grads[name], `${label}: grad ${name}`);
  bn.zeroGrad();
}

describe('BatchNorm matches torch 1.13', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const { num_features, eps, momentum, affine, track_running_stats } = c.args;
      const Cls = c.kind === 'BatchNorm2d' ? BatchNorm2d : BatchNorm1d;
      const bn = new Cls(num_features, { eps, momentum, affine, trackRunningStats: track_running_stats });
      expect(bn.toString()).toBe(c.repr);
      expect([...bn.stateDict().keys()]).toEqual(Object.keys(c.state_dict));
      bn.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      c.train_steps.forEach((s, i) => {
        runStep(bn, s, `${c.name} train step ${i}`);
        const sd = bn.stateDict();
        for (const [k, v] of Object.entries(s.state_after!)) expectClose(sd.get(k)!, v, `${c.name} step ${i}: ${k}`);
      });
      bn.eval();
      runStep(bn, c.eval, `${c.name} eval`);
    });
  }
});

describe('BatchNorm errors', () => {
  it('names rank and channel mismatches', () => {
    const bn = new BatchNorm2d(64);
    expect(() => bn.forward(tf.zeros([2, 64, 3]))).toThrow(/BatchNorm2d: expected 4D input \(got 3D input/);
    expect(() => bn.forward(tf.zeros([2, 32, 3, 3]))).toThrow(
      /BatchNorm2d\(64\): expected input\[1\] \(channels\) to be 64, got 32 for input of shape \[2, 32, 3, 3\]/,
    );
    expect(() => new BatchNorm1d(3).forward(tf.zeros([1, 3]))).toThrow(
      /Expected more than 1 value per channel when training, got input size \[1, 3\]/,
    );
    expect(() => new BatchNorm1d(3).forward(tf.zeros([2, 3, 4, 5]))).toThrow(/expected 2D or 3D input \(got 4D input/);
  });
  it('leaks no tensors in train or eval mode', () => {
    const bn = new BatchNorm2d(3);
    const x = tf.randomNormal([4, 3, 5, 5]);
    tf.tidy(() => {
      bn.forward(x);
    });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++)
      tf.tidy(() => {
        bn.forward(x);
        bn.eval().forward(x);
        bn.train();
      });
    expect(tf.memory().numTensors).toBe(before);
  });
});
