// Conv1d / ConvTranspose1d / Unfold / Fold and torch's positional argument order for the 2-d convolutions, against
// PyTorch 1.13 (test/fixtures/conv1d.json, written by scripts/fixtures/conv1d.py), on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { ArgumentTypeError, ShapeError } from '../src/errors';
import * as nn from '../src/nn';
import * as F from '../src/nn/functional';
import { type FunctionCase, runFunctionCases } from './function-cases';
import { type Fixture, loadFixture, useWasmBackend } from './helpers';
import { type ModuleCase, runModuleCases } from './module-cases';

const fixture = loadFixture<ModuleCase & FunctionCase>('conv1d');
const modules: Fixture<ModuleCase> = { ...fixture, cases: fixture.cases.filter((c) => 'kind' in c) };
const functions: Fixture<FunctionCase> = { ...fixture, cases: fixture.cases.filter((c) => 'fn' in c) };

describe('Conv1d, ConvTranspose1d, Unfold, Fold match torch 1.13 (cpu)', () => runModuleCases(modules));
describe('F.conv1d, F.convTranspose1d, F.unfold, F.fold match torch 1.13 (cpu)', () => runFunctionCases(functions));
describe('the same on wasm (the default backend)', () => {
  useWasmBackend();
  runModuleCases(modules);
});

describe("torch's positional arguments (issue 9 item 2)", () => {
  test('new nn.Conv2d(1, 64, [5, 5], [1, 1], [2, 2]) pads 2: a 14x14 input stays 14x14', () => {
    const conv = new nn.Conv2d(1, 64, [5, 5], [1, 1], [2, 2]);
    expect(String(conv)).toBe('Conv2d(1, 64, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
    expect(tf.tidy(() => conv.forward(tf.zeros([1, 1, 14, 14])).shape)).toEqual([1, 64, 14, 14]);
  });
  test('a value given twice, an unknown option or a wrong type is an error naming the parameter', () => {
    expect(() => new nn.Conv2d(1, 4, 3, 2, { stride: 2 })).toThrow(
      new ArgumentTypeError("Conv2d() got multiple values for argument 'stride' (positionally and in the options)"),
    );
    expect(() => new nn.Conv1d(1, 4, 3, { strid: 2 } as never)).toThrow(
      /unexpected keyword argument 'strid' \(did you mean 'stride'\?\)/,
    );
    expect(() => new nn.ConvTranspose1d(2, 2, '3' as never)).toThrow(/argument 'kernelSize' must be an int or 1 ints/);
  });
  test('bad inputs name the module, the expected and the received shape', () => {
    const conv = new nn.Conv1d(3, 4, 3);
    expect(() => conv.forward(tf.zeros([2, 5, 9]))).toThrow(
      new ShapeError('Conv1d: expected input[1] (channels) to be in_channels = 3, got 5 for input of shape [2, 5, 9]'),
    );
    expect(() => conv.forward(tf.zeros([2, 3, 4, 9]))).toThrow(
      'Conv1d: expected 2-D (unbatched) or 3-D (batched) input, got 4-D input of shape [2, 3, 4, 9]',
    );
    expect(() => conv.forward(tf.zeros([1, 3, 2]))).toThrow(
      'Conv1d: conv1d: calculated padded input size per channel (2) is smaller than the kernel size (3, dilation included), for input of shape [1, 3, 2]',
    );
    expect(() => F.unfold(tf.zeros([1, 2, 2, 2]), 3)).toThrow(/no sliding block fits/);
  });
});
