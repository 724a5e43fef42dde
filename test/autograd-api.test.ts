// torch.autograd.grad (incl. createGraph: WGAN-GP's gradient penalty against torch, test/fixtures/ops_autograd.json
// from scripts/fixtures/ops_autograd.py), tensor hooks, retainGrad, and the torch-named tensor methods.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import * as torch from '../src';
import { Discriminator, autograd, requiresGrad_ } from '../src';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface GPCase {
  name: string;
  state_dict: Record<string, FixtureTensor>;
  x_hat: FixtureTensor;
  grad_x: FixtureTensor;
  penalty: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  grad_x_hat: FixtureTensor;
}

/** One WGAN-GP case: D(x_hat)'s input gradient (createGraph), the penalty, and its gradients, against torch. */
function checkGradientPenalty(c: GPCase): void {
  const d = new Discriminator({ width: 4 });
  d.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
  d.eval();
  tf.tidy(() => {
    const xHat = requiresGrad_(toTensor(c.x_hat));
    const out = d.forward(xHat);
    const [g] = autograd.grad(out, xHat, { gradOutputs: tf.onesLike(out), createGraph: true });
    expectClose(g!, c.grad_x, 'gradient of D(x_hat)');
    const n = xHat.shape[0];
    const norms = torch.linalg.vectorNorm(g!.view(n, -1), 2, 1);
    const gp = norms.sub(1).square().mean().mul(10);
    expectClose(gp, c.penalty, 'penalty');
    gp.backward();
    for (const [name, p] of d.namedParameters()) expectClose(p.grad!, c.grads[name], `grad of ${name}`);
    expectClose(xHat.grad!, c.grad_x_hat, 'grad of x_hat');
  });
  for (const p of d.parameters()) p.grad = null;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`autograd.grad with createGraph: WGAN-GP gradient penalty matches torch 1.13 (${backend})`, () => {
    if (backend === 'wasm') useWasmBackend();
    for (const c of loadFixture<GPCase>('ops_autograd').cases) {
      it(c.name, () => {
        expect(tf.getBackend()).toBe(backend);
        checkGradientPenalty(c);
      });
    }
  });
}

describe('autograd.grad', () => {
  it('returns gradients without touching .grad; allowUnused gives null; unused without it is an error', () => {
    tf.tidy(() => {
      const x = requiresGrad_(tf.tensor([1, 2, 3]));
      const y = requiresGrad_(tf.tensor([4, 5]));
      const z = x.square().sum();
      const [gx, gy] = autograd.grad(z, [x, y], { allowUnused: true, retainGraph: true });
      expect(Array.from(gx!.dataSync())).toEqual([2, 4, 6]);
      expect(gy).toBeNull();
      expect(x.grad).toBeNull();
      expect(() => autograd.grad(z, [y])).toThrow(/not have been used in the graph/);
    });
  });

  it('differentiates a non-leaf input, and twice with createGraph', () => {
    tf.tidy(() => {
      const x = requiresGrad_(tf.tensor([0.5, -1, 2]));
      const h = x.mul(3);
      const y = h.pow(3).sum();
      const [gh] = autograd.grad(y, h, { createGraph: true });
      // d/dh h^3 = 3 h^2; d/dx sum(3 h^2) = 6 h * 3
      expectClose(gh!, h.square().mul(3).dataSync(), 'first');
      const [gx] = autograd.grad(gh!.sum(), x);
      expectClose(gx!, h.mul(18).dataSync(), 'second');
    });
  });
});

describe('tensor hooks and retainGrad', () => {
  it('a hook sees the whole gradient and may replace it; remove() unregisters; retainGrad keeps a non-leaf grad', () => {
    tf.tidy(() => {
      const x = requiresGrad_(tf.tensor([1, 2]));
      const h = x.mul(2);
      const seen: number[][] = [];
      const handle = h.registerHook((g) => {
        seen.push(Array.from(g.dataSync()));
        return g.mul(10);
      });
      h.retainGrad();
      h.add(h).sum().backward();
      expect(seen).toEqual([[2, 2]]);
      expect(Array.from(h.grad!.dataSync())).toEqual([20, 20]);
      expect(Array.from(x.grad!.dataSync())).toEqual([40, 40]);
      handle.remove();
      const x2 = requiresGrad_(tf.tensor([1, 2]));
      const leafHook = x2.registerHook((g) => g.neg());
      x2.mul(3).sum().backward();
      expect(Array.from(x2.grad!.dataSync())).toEqual([-3, -3]);
      leafHook.remove();
    });
  });
});

describe('torch-named tensor methods', () => {
  it('view, permute, unsqueeze, dim, numel, expandAs, maskedFill, float, long, and tfjs methods unchanged', () => {
    tf.tidy(() => {
      const x = tf.range(0, 24).reshape([2, 3, 4]);
      expect(x.view(-1, 4).shape).toEqual([6, 4]);
      expect(x.view([4, 6]).shape).toEqual([4, 6]);
      expect(x.permute(2, 0, 1).shape).toEqual([4, 2, 3]);
      expect(x.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
      expect(x.dim()).toBe(3);
      expect(x.numel()).toBe(24);
      expect(x.size).toBe(24); // tfjs's property, unchanged
      expect(tf.ones([1, 4]).expandAs(x).shape).toEqual([2, 3, 4]);
      expect(x.long().dtype).toBe('int32');
      expect(x.long().float().dtype).toBe('float32');
      const m = x.maskedFill(x.gt(20), -1);
      expect(Array.from(m.dataSync()).slice(-4)).toEqual([20, -1, -1, -1]);
      expect(x.flatten().shape).toEqual([24]); // tfjs's flatten, unchanged
      expect(() => x.view(5, -1)).toThrow(/shape '\[5, -1\]' is invalid for input of size 24/);
      expect(() => x.double()).toThrow(/float64/);
    });
  });
});
