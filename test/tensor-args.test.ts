// Tensor factories refuse what torch refuses, in the library's words (issue 9.7, 18): float64 (tfjs has none),
// int32 overflow (torch: "value cannot be converted to type int32 without overflow"), sizes past tfjs's limit
// (at once, not after allocating or looping), typo'd options, disposed tensors. Nothing leaks on failure.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { ArgumentTypeError, TorchError, ValueError } from '../src/errors';
import {
  arange,
  full,
  fullLike,
  item,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randnLike,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from '../src/tensor';

const float2 = tf.ones([2]);
const int1 = tf.zeros([1], 'int32');

const call = (fn: () => unknown) => () => {
  const before = tf.memory().numTensors;
  try {
    fn();
  } finally {
    expect(tf.memory().numTensors, 'no tensor leaked').toBe(before);
  }
};

describe("float64: the library's TypeError-class error naming the call and suggesting float32", () => {
  const dtype = 'float64' as never;
  it.each([
    ['zeros', () => zeros([2, 3], { dtype })],
    ['ones', () => ones(2, { dtype })],
    ['full', () => full([2], 1, { dtype })],
    ['tensor', () => tensor([1, 2], { dtype })],
    ['arange', () => arange(5, { dtype })],
    ['randn', () => randn([2], { dtype } as never)],
    ['randint', () => randint(5, [2], { dtype })],
    ['zeros_like', () => zerosLike(float2, { dtype })],
  ])('torch.%s', (name, fn) => {
    expect(call(fn)).toThrow(ArgumentTypeError);
    expect(call(fn)).toThrow(
      new RegExp(`torch\\.${name}\\(\\): dtype float64 is not supported: tfjs has no float64; use 'float32'`),
    );
  });
});

describe('int32 overflow, as torch', () => {
  it.each([
    ['full([2], 2**40, int32)', () => full([2], 2 ** 40, { dtype: 'int32' })],
    ['full([2], Infinity, int32)', () => full([2], Number.POSITIVE_INFINITY, { dtype: 'int32' })],
    ['full([2], NaN, int32)', () => full([2], Number.NaN, { dtype: 'int32' })],
    ['tensor([1, 2**40], int32)', () => tensor([1, 2 ** 40], { dtype: 'int32' })],
    ['tensor([NaN], int32)', () => tensor([Number.NaN], { dtype: 'int32' })],
    ['arange(0, 2**31 + 2, 2**30)', () => arange(0, 2 ** 31 + 2, 2 ** 30)],
    ['fullLike(int32, 2**31)', () => fullLike(int1, 2 ** 31)],
  ])('%s', (_, fn) => {
    expect(call(fn)).toThrow(ValueError);
    expect(call(fn)).toThrow(/value cannot be converted to type int32 without overflow/);
  });

  it('the largest int32 values are fine, and floats truncate as torch', () => {
    const t = tensor([2 ** 31 - 1, -(2 ** 31), 1.7, -1.7], { dtype: 'int32' });
    expect(Array.from(t.dataSync())).toEqual([2 ** 31 - 1, -(2 ** 31), 1, -1]);
    t.dispose();
  });
});

describe("sizes past tfjs's limit fail at once", () => {
  it.each([
    ['randn([2**16, 2**16])', () => randn([2 ** 16, 2 ** 16])],
    ['randint(10, [2**31])', () => randint(10, [2 ** 31])],
    ['zeros(2**31)', () => zeros(2 ** 31)],
    ['rand(2**20, 2**20)', () => rand(2 ** 20, 2 ** 20)],
    ['randperm(2**31)', () => randperm(2 ** 31)],
    ['arange(0, 1e12)', () => arange(0, 1e12)],
  ])('%s', (_, fn) => {
    expect(call(fn)).toThrow(TorchError);
    expect(call(fn)).toThrow(/more than 2147483647|at most 2147483647|below 2\^31/);
  });
});

describe('options and tensors are checked', () => {
  it('typo in an option name, a wrong generator, a disposed tensor', () => {
    expect(call(() => zeros([2], { dtyp: 'int32' } as never))).toThrow(
      /unexpected keyword argument 'dtyp' \(did you mean 'dtype'\?\)/,
    );
    expect(call(() => randn([2], { generator: 5 } as never))).toThrow(
      /argument 'generator' must be a Generator, got number 5/,
    );
    const gone = tf.ones([2]);
    gone.dispose();
    for (const fn of [
      () => zerosLike(gone),
      () => onesLike(gone),
      () => randnLike(gone),
      () => tensor(gone),
      () => item(gone),
    ]) {
      expect(call(fn)).toThrow(/disposed/);
    }
  });
});
