// The op helper (torch.autograd.Function): forward and backward side by side, several outputs, saved tensors,
// non-tensor arguments, needsInputGrad, and no leaks. Gradients are checked against tfjs's own tf.grads of the
// same computation (closed-form derivatives; no PyTorch numbers are involved).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { Parameter, defineFunction, noGrad } from '../src/autograd';
import { AutogradError } from '../src/errors';

const ScaledExp = defineFunction({
  name: 'ScaledExp',
  forward(ctx, x: tf.Tensor, s: tf.Tensor, k: number) {
    ctx.k = k;
    ctx.saveForBackward(x, s);
    return tf.mul(tf.mul(x, tf.exp(s)), k);
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, s] = ctx.savedTensors;
    const e = tf.mul(tf.exp(s), ctx.k as number);
    return [
      ctx.needsInputGrad[0] ? tf.mul(dy, e) : null,
      ctx.needsInputGrad[1] ? tf.sum(tf.mul(dy, tf.mul(x, e))) : null,
      null,
    ];
  },
});

const TwoOut = defineFunction({
  name: 'TwoOut',
  forward(_ctx, x: tf.Tensor) {
    return [tf.mul(x, 2), tf.square(x)];
  },
  backward(_ctx, [da, db]: tf.Tensor[]) {
    return [tf.add(tf.mul(da, 2), tf.mul(db, 0))];
  },
});

describe('defineFunction (torch.autograd.Function)', () => {
  it('gives the closed-form gradients of every tensor input and frees what it saved', () => {
    const x = new Parameter(tf.tensor([1, -2, 3]));
    const s = new Parameter(tf.scalar(0.5));
    const before = tf.memory().numTensors;
    tf.tidy(() => ScaledExp(x, s, 2).sum().backward());
    const xs = [x.clone(), s.clone()];
    const [gx, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, tf.exp(b)), 2)))(xs);
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(gx.dataSync()));
    expect(s.grad!.dataSync()[0]).toBeCloseTo(gs.dataSync()[0], 5);
    tf.dispose([gx, gs, ...xs]);
    // Only the two new .grad tensors remain.
    expect(tf.memory().numTensors - before).toBe(2);
    x.dispose();
    s.dispose();
  });

  it('skips the gradients of inputs that need none (ctx.needsInputGrad) and saves nothing under noGrad', () => {
    const x = new Parameter(tf.tensor([1, 2]));
    const s = new Parameter(tf.scalar(1), false);
    let seen: boolean[] = [];
    const Probe = defineFunction({
      name: 'Probe',
      forward(ctx, a: tf.Tensor, b: tf.Tensor) {
        seen = ctx.needsInputGrad;
        ctx.saveForBackward(a);
        return tf.mul(a, b);
      },
      backward(ctx, dy: tf.Tensor) {
        return [ctx.needsInputGrad[0] ? dy : null, ctx.needsInputGrad[1] ? dy : null];
      },
    });
    tf.tidy(() => Probe(x, s).sum().backward());
    expect(seen).toEqual([true, false]);
    expect(s.grad).toBeNull();
    const before = tf.memory().numTensors;
    const y = noGrad(() => Probe(x, s));
    expect(seen).toEqual([false, false]);
    expect(tf.memory().numTensors - before).toBe(1);
    y.dispose();
    x.dispose();
    s.dispose();
  });

  it('handles several outputs; an unused output gets a zero gradient', () => {
    const x = new Parameter(tf.tensor([1, 2]));
    tf.tidy(() => {
      const [a] = TwoOut(x);
      a.sum().backward();
    });
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 2]);
    x.dispose();
  });

  it('refuses a wrong number of gradients and disposed inputs with clear errors', () => {
    const Bad = defineFunction({
      name: 'Bad',
      forward(_ctx, a: tf.Tensor) {
        return tf.neg(a);
      },
      backward(_ctx, dy: tf.Tensor) {
        return [dy, dy];
      },
    });
    const x = new Parameter(tf.tensor([1]));
    expect(() => tf.tidy(() => Bad(x).sum().backward())).toThrow(/Bad.backward returned 2 gradients, expected 1/);
    const t = tf.tensor([1]);
    t.dispose();
    expect(() => Bad(t)).toThrow(AutogradError);
    x.dispose();
  });
});
