// nn.init's orthogonal_, sparse_, dirac_ and eye_ against PyTorch 1.13 (test/fixtures/init_more.json,
// scripts/fixtures/init_more.py): the same seed gives torch's tensor.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { ArgumentTypeError, ValueError } from '../src/errors';
import { init } from '../src/nn';
import { manualSeed } from '../src/random';
import { expectClose, type FixtureTensor, loadFixture } from './helpers';

interface InitCase {
  name: string;
  fn: 'orthogonal_' | 'sparse_' | 'dirac_' | 'eye_';
  shape: number[];
  seed: number;
  args: number[];
  out: FixtureTensor;
}

describe('nn.init additions match torch 1.13 from the same seed', () => {
  for (const c of loadFixture<InitCase>('init_more').cases) {
    it(c.name, () => {
      manualSeed(c.seed);
      const v = tf.variable(tf.zeros(c.shape));
      (init[c.fn] as (t: tf.Variable, ...a: number[]) => tf.Variable)(v, ...c.args);
      expectClose(v, c.out, c.name);
      v.dispose();
    });
  }

  it('bad arguments are clear errors', () => {
    const v = tf.variable(tf.zeros([3]));
    expect(() => init.orthogonal_(v)).toThrow(ValueError);
    expect(() => init.dirac_(v)).toThrow('Only tensors with 3, 4, or 5 dimensions');
    expect(() => init.sparse_(v, 0.1)).toThrow('Only tensors with 2 dimensions');
    expect(() => init.constant_(v, 'a' as never)).toThrow(ArgumentTypeError);
    const w = tf.variable(tf.zeros([4, 2, 3]));
    expect(() => init.dirac_(w, 3)).toThrow('dim 0 must be divisible by groups');
    tf.dispose([v, w]);
  });
});
