// Tensor.viewAs / torch.viewAs (torch's x.view_as(other)): other's shape, the same values in order; torch's view
// refusal when the element counts differ (a gap found porting pytorch/examples).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { viewAs } from '../src';

describe('viewAs', () => {
  it("takes other's shape, keeps the values in order, as x.view(other.size())", () => {
    const x = tf.range(0, 12);
    const y = tf.zeros([3, 1, 4]);
    const v = x.viewAs(y);
    expect(v.shape).toEqual([3, 1, 4]);
    expect(Array.from(v.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(viewAs(v, x).shape).toEqual([12]);
    expect(() => x.viewAs(tf.zeros([5]))).toThrow(/shape '\[5\]' is invalid for input of size 12/);
    expect(() => viewAs(x, [3, 4] as unknown as tf.Tensor)).toThrow(/other/);
    tf.dispose([x, y, v]);
  });
});
