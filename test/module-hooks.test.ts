// Module hooks (src/nn/hooks.ts) against torch 1.13 (test/fixtures/ops_hooks.json, from scripts/fixtures/ops_hooks.py):
// what the hooks see and change, call order and removable handles.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { nn, requiresGrad_ } from '../src';
import { type FixtureTensor, expectClose, loadFixture, toTensor } from './helpers';

interface HookCase {
  name: string;
  state_dict: Record<string, FixtureTensor>;
  x: FixtureTensor;
  proj: FixtureTensor;
  output: FixtureTensor;
  grad_input: FixtureTensor;
  grad_output: FixtureTensor;
  grad_x: FixtureTensor;
  grad_weight: FixtureTensor;
  grad_bias: FixtureTensor;
}

describe('module hooks match torch 1.13', () => {
  const c = loadFixture<HookCase>('ops_hooks').cases[0];
  it(c.name, () => {
    const m = new nn.Linear(3, 2);
    m.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
    const order: string[] = [];
    let gin: tf.Tensor | null = null;
    let gout: tf.Tensor | null = null;
    const handles = [
      m.registerForwardPreHook((_mod, args) => {
        order.push('pre');
        return [(args[0] as tf.Tensor).mul(0.5)];
      }),
      m.registerForwardHook((_mod, _args, out) => {
        order.push('forward');
        return (out as tf.Tensor).add(1);
      }),
      m.registerFullBackwardHook((_mod, gradInput, gradOutput) => {
        order.push('backward');
        gin = tf.keep(tf.clone(gradInput[0]!));
        gout = tf.keep(tf.clone(gradOutput[0]!));
        return [gradInput[0]!.mul(2)];
      }),
    ];
    tf.tidy(() => {
      const x = requiresGrad_(toTensor(c.x));
      const out = m.forward(x);
      expectClose(out, c.output, 'output');
      out.mul(toTensor(c.proj)).sum().backward();
      expect(order).toEqual(['pre', 'forward', 'backward']);
      expectClose(gin!, c.grad_input, 'grad_input seen by the hook');
      expectClose(gout!, c.grad_output, 'grad_output seen by the hook');
      expectClose(x.grad!, c.grad_x, 'x.grad (doubled by the hook)');
      expectClose(m.weight.grad!, c.grad_weight, 'weight.grad');
      expectClose(m.bias!.grad!, c.grad_bias, 'bias.grad');
    });
    for (const h of handles) h.remove();
    order.length = 0;
    tf.tidy(() => m.forward(tf.ones([1, 3])));
    expect(order).toEqual([]);
  });
});
