// torch's indexing functions (src/ops/indexing.ts reads, src/ops/scatter.ts writes) against real PyTorch 1.13
// (test/fixtures/ops_index.json, written by scripts/fixtures/ops_index.py), and refused calls that free what they
// made before the refusal.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as torch from '../src';
import { TorchError } from '../src/errors';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { loadFixture } from './helpers';

describe('torch indexing functions match torch 1.13 (values, gradients, refusals)', () => {
  runFunctionCases(loadFixture<FunctionCase>('ops_index'));
});

describe('refused indexing calls throw the library error and leak nothing', () => {
  const i32 = (v: number[]) => tf.tensor1d(v, 'int32');
  // Each entry makes its arguments, then returns the call (counted from there).
  const calls: Array<[string, (x: tf.Tensor) => () => unknown]> = [
    [
      'index: out-of-range tensor after a slice',
      (x, i = i32([0, 9])) =>
        () =>
          torch.index(x, ['1:', i]),
    ],
    ['index: a slice with a non-int part', (x) => () => torch.index(x, [{ start: 0, stop: 'a' as unknown as number }])],
    ['index: an entry of no index kind', (x) => () => torch.index(x, [':', true as unknown as number])],
    [
      'index: a float index tensor',
      (x, i = tf.tensor1d([0.5])) =>
        () =>
          torch.index(x, [i]),
    ],
    [
      'index: a mask of the wrong shape',
      (x, m = tf.tensor1d([true, false], 'bool')) =>
        () =>
          torch.index(x, ['0:1', m]),
    ],
    [
      'sliceAssign: values that do not broadcast',
      (x, v = tf.ones([3, 3])) =>
        () =>
          torch.sliceAssign(x, [':', '0:2'], v),
    ],
    [
      'indexPut: out-of-range index',
      (x, i = i32([5])) =>
        () =>
          torch.indexPut(x, [i], 1),
    ],
    [
      'indexPut: values of another dtype',
      (x, i = i32([1]), v = i32([1])) =>
        () =>
          torch.indexPut(x, [i], v),
    ],
    [
      'scatter: out-of-range index',
      (x, i = tf.tensor2d([[0, 7]], [1, 2], 'int32')) =>
        () =>
          torch.scatter(x, 1, i, 1),
    ],
    [
      'scatterReduce: src of another dtype',
      (x, i = tf.tensor2d([[0]], [1, 1], 'int32')) =>
        () =>
          torch.scatterReduce(x, 1, i, i, 'amax'),
    ],
    [
      'gather: index of another rank',
      (x, i = i32([0])) =>
        () =>
          torch.gather(x, 0, i),
    ],
    [
      'unique: an unselected empty dim',
      (_, e = tf.zeros([2, 0])) =>
        () =>
          torch.unique(e, { dim: 0 }),
    ],
    ['uniqueConsecutive: dim out of range', (x) => () => torch.uniqueConsecutive(x, { dim: 2 })],
    [
      'sort: a string tensor',
      (_, s = tf.tensor(['a', 'b'])) =>
        () =>
          torch.sort(s),
    ],
  ];
  for (const [name, make] of calls) {
    it(name, () => {
      tf.tidy(() => {
        const call = make(tf.randomNormal([4, 5]));
        const before = tf.memory().numTensors;
        expect(call).toThrow(TorchError);
        expect(tf.memory().numTensors - before).toBe(0);
      });
    });
  }
});
