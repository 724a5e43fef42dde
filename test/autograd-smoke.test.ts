import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect } from 'vitest';
import { Parameter, backward, noGrad, detach, tapeSize } from '../src/autograd';

describe('autograd smoke', () => {
  it('linear', () => {
    const w = new Parameter(tf.tensor2d([[1, 2], [3, 4]]));
    const x = tf.tensor2d([[1, 1]]);
    const y = tf.matMul(x, w).sum();
    y.backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 1, 1, 1]);
    const y2 = tf.matMul(x, w).square().sum();
    backward(y2);
    // d/dw sum((xw)^2) = x^T 2(xw) = [[2*4, 2*6],[8,12]] ; plus previous ones
    expect(Array.from(w.grad!.dataSync())).toEqual([9, 13, 9, 13]);
    expect(() => y2.backward()).toThrow(/second time/);
    expect(() => tf.matMul(x, w).backward()).toThrow(/scalar/);
    const z = noGrad(() => tf.matMul(x, w).sum());
    expect(() => z.backward()).toThrow(/does not require grad/);
    const d = detach(tf.matMul(x, w));
    expect(d.requiresGrad).toBe(false);
  });
  it('tidy loop constant', () => {
    const w = new Parameter(tf.randomNormal([8, 8]));
    const x = tf.randomNormal([4, 8]);
    const counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      tf.tidy(() => {
        if (w.grad) { w.grad.dispose(); w.grad = null; }
        const h = tf.matMul(x, w).relu();
        const m = h.mean();   // not part of loss
        const loss = tf.matMul(h, w).sigmoid().mean();
        loss.backward();
        m.dataSync();
        w.assign(w.sub(w.grad!.mul(0.1)));
      });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(2)).size).toBe(1);
    const before = tapeSize();
    tf.tidy(() => { tf.matMul(x, w).mean(); });
    expect(tapeSize()).toBe(before);
  });
});
