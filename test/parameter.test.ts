// Parameter construction and `.grad` assignment as torch (issue 9.3, 18): `p.grad = null` frees the old
// gradient, `p.grad = p.grad.mul(0.5)` in a tidy keeps the new one; torch's checks on assigned grads and on
// backward's `inputs`. The expected values are torch's rules (checked against PyTorch 1.13 by hand, quoted).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward, gradOf, Parameter, requiresGrad_, setGradOf } from '../src/autograd';
import { ArgumentTypeError, AutogradError, ShapeError, ValueError } from '../src/errors';
import { Linear } from '../src/nn/linear';
import { SGD } from '../src/optim';

describe('Parameter.grad assignment (torch: p.grad = ...)', () => {
  it('p.grad = null frees the old gradient: numTensors constant over iterations', () => {
    const lin = new Linear(4, 2);
    const x = tf.ones([3, 4]);
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => lin.forward(x).sum().backward());
      for (const p of lin.parameters()) p.grad = null;
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    for (const p of lin.parameters()) expect(p.grad).toBeNull();
    lin.parameters().forEach((p) => p.dispose());
    x.dispose();
  });

  it('p.grad = p.grad.mul(0.5) inside a tidy keeps the new gradient, frees the old one, and step() works', () => {
    const lin = new Linear(4, 2);
    const opt = new SGD(lin.parameters(), { lr: 0.1 });
    const x = tf.ones([3, 4]);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      tf.tidy(() => {
        opt.zeroGrad();
        lin.forward(x).sum().backward();
        const before = lin.weight.grad!.dataSync().slice();
        for (const p of lin.parameters()) p.grad = p.grad!.mul(0.5);
        const after = lin.weight.grad!.dataSync();
        expect(Array.from(after)).toEqual(Array.from(before, (v) => v * 0.5));
      });
      expect(lin.weight.grad!.isDisposed).toBe(false);
      opt.step();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    x.dispose();
  });

  it('an assigned grad is kept outside a tidy, and the old one is disposed', () => {
    const p = new Parameter(tf.zeros([2]));
    const first = tf.tidy(() => {
      p.grad = tf.ones([2]);
      return p.grad;
    });
    expect(first.isDisposed).toBe(false);
    p.grad = tf.fill([2], 3);
    expect(first.isDisposed).toBe(true);
    expect(Array.from(p.grad!.dataSync())).toEqual([3, 3]);
    const same = p.grad;
    p.grad = same; // the same tensor: kept
    expect(p.grad!.isDisposed).toBe(false);
    p.dispose();
  });

  it("torch's checks: different size, different type, not a tensor, its own grad, a disposed tensor", () => {
    const p = new Parameter(tf.zeros([3]));
    const before = tf.memory().numTensors;
    const wrongShape = tf.ones([3, 3]);
    const wrongType = tf.ones([3], 'int32');
    const disposed = tf.ones([3]);
    disposed.dispose();
    // torch 1.13: RuntimeError: assigned grad has data of a different size / type; TypeError: assigned grad
    // expected to be a Tensor or None but got grad of type str; RuntimeError: can't assign Variable as its own grad.
    expect(() => (p.grad = wrongShape)).toThrow(ShapeError);
    expect(() => (p.grad = wrongShape)).toThrow(
      /assigned grad has data of a different size \(\[3, 3\], expected \[3\]\)/,
    );
    expect(() => setGradOf(p, wrongShape)).toThrow(/different size/);
    expect(() => (p.grad = wrongType)).toThrow(/assigned grad has data of a different type/);
    expect(() => (p.grad = 'a' as never)).toThrow(ArgumentTypeError);
    expect(() => (p.grad = 'a' as never)).toThrow(/expected to be a Tensor or null but got string 'a'/);
    expect(() => (p.grad = p)).toThrow(/own grad/);
    expect(() => (p.grad = disposed)).toThrow(/disposed/);
    expect(p.grad).toBeNull();
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([p, wrongShape, wrongType]);
  });

  it('a plain leaf accepts t.grad = g too (setGradOf), with the same checks', () => {
    const x = requiresGrad_(tf.ones([2]));
    x.grad = tf.fill([2], 2);
    expect(Array.from(gradOf(x)!.dataSync())).toEqual([2, 2]);
    expect(() => (x.grad = tf.ones([5]))).toThrow(ShapeError);
    x.grad = null;
    expect(x.grad).toBeNull();
  });
});

describe('new Parameter(...) checks its arguments', () => {
  it('a disposed tensor is "a tensor that was disposed" (was: Maximum call stack size exceeded)', () => {
    const t = tf.ones([2]);
    t.dispose();
    expect(() => new Parameter(t)).toThrow(ValueError);
    expect(() => new Parameter(t)).toThrow(/Parameter\(\): argument 'data' is a tensor that was disposed/);
  });

  it('wrong types name the argument, and nothing leaks', () => {
    const [f, i] = [tf.zeros([2]), tf.zeros([2], 'int32')];
    const before = tf.memory().numTensors;
    expect(() => new Parameter('a' as never)).toThrow(/argument 'data' must be a tensor, got string 'a'/);
    expect(() => new Parameter(f, 'yes' as never)).toThrow(ArgumentTypeError);
    expect(() => new Parameter(i)).toThrow(/only float32/);
    expect(() => new Parameter(f, true, 3 as never)).toThrow(/at most 2 positional arguments/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([f, i]);
  });

  it('requiresGrad positionally or as an option, as torch', () => {
    const a = new Parameter(tf.zeros([1]), false);
    const b = new Parameter(tf.zeros([1]), { requiresGrad: false });
    expect([a.requiresGrad, b.requiresGrad]).toEqual([false, false]);
    tf.dispose([a, b]);
  });
});

describe("backward's inputs (torch's inputs=)", () => {
  it('a non-leaf input gets its .grad, the leaves behind it none (torch: h.grad = ones, w.grad = None)', () => {
    const w = new Parameter(tf.ones([3]));
    const h = w.mul(2);
    backward(h.sum(), null, { inputs: [h] });
    expect(Array.from(h.grad!.dataSync())).toEqual([1, 1, 1]);
    expect(w.grad).toBeNull();
  });

  it("torch's refusals: empty, a tensor that needs no grad, not a list", () => {
    const w = new Parameter(tf.ones([3]));
    expect(() => backward(w.sum(), null, { inputs: [] })).toThrow(/cannot be empty/);
    expect(() => backward(w.sum(), null, { inputs: [tf.ones([3])] })).toThrow(AutogradError);
    expect(() => backward(w.sum(), null, { inputs: [tf.ones([3])] })).toThrow(/requires_grad=False/);
    expect(() => backward(w.sum(), null, { inputs: w as never })).toThrow(ArgumentTypeError);
    expect(() => backward(w.sum(), 3 as never)).toThrow(/argument 'gradient' must be a live tensor or null/);
  });
});
