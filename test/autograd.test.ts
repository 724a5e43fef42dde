// Imperative autograd semantics against real PyTorch 1.13 (test/fixtures/autograd.json,
// scripts/fixtures/autograd.py): accumulation, retainGraph, frozen parameters, detach, inputs=,
// explicit gradients, torch's errors; plus the memory behaviour of a tidied training loop.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward, detach, noGrad, Parameter, requiresGrad, sweepTape, tapeSize } from '../src/autograd';
import { Tanh } from '../src/nn/activation';
import { Sequential } from '../src/nn/container';
import { Linear } from '../src/nn/linear';
import { expectClose, loadFixture, toTensor, type FixtureTensor } from './helpers';

type Grads = Record<string, FixtureTensor | null>;
const c = loadFixture<Record<string, any>>('autograd').cases[0];

function setup() {
  const net = new Sequential(new Linear(4, 5), new Tanh(), new Linear(5, 3));
  net.loadStateDict(
    new Map(Object.entries(c.state_dict as Record<string, FixtureTensor>).map(([k, v]) => [k, toTensor(v)])),
  );
  const x = toTensor(c.x);
  const target = toTensor(c.target);
  const lossOf = () => net.forward(x).sub(target).square().mean();
  return { net, x, target, lossOf };
}

function expectGrads(net: Sequential, expected: Grads, label: string) {
  for (const [k, p] of net.namedParameters()) {
    const e = expected[k];
    if (e == null) expect(p.grad, `${label}: ${k} should have no grad`).toBeNull();
    else expectClose(p.grad!, e, `${label}: grad ${k}`);
  }
}

describe('backward() accumulates like torch', () => {
  it("two backward calls with retainGraph add up; a third after the graph is freed is torch's error", () => {
    const { net, lossOf } = setup();
    const loss = lossOf();
    expectClose(loss, c.loss, 'loss');
    loss.backward(null, { retainGraph: true });
    expectGrads(net, c.once, 'once');
    backward(loss);
    expectGrads(net, c.twice, 'twice');
    expect(() => loss.backward()).toThrow(/^Trying to backward through the graph a second time/);
    expect(c.second_time_error).toMatch(/^Trying to backward through the graph a second time/);
  });

  it('frozen parameters get no grad and the rest are unchanged', () => {
    const { net, lossOf } = setup();
    const first = net.get(0) as Linear;
    first.weight.requiresGrad = false;
    first.bias!.requiresGrad_(false);
    backward(lossOf());
    expectGrads(net, c.frozen, 'frozen');
  });

  it('detach() cuts the graph', () => {
    const { net, x, target } = setup();
    const h = detach(net.get(1).forward(net.get(0).forward(x)));
    expect(requiresGrad(h)).toBe(false);
    backward(net.get(2).forward(h).sub(target).square().mean());
    expectGrads(net, c.detached, 'detached');
  });

  it('a non-scalar output needs an explicit gradient, as in torch', () => {
    const { net, x } = setup();
    expect(() => net.forward(x).backward()).toThrow(c.non_scalar_error);
    const out = net.forward(x);
    out.backward(toTensor(c.vector_gradient));
    expectGrads(net, c.vector, 'explicit gradient');
    expect(() => out.backward(tf.ones([2, 2]))).toThrow(/gradient has shape \[2,2\] but the tensor has shape \[6,3\]/);
  });

  it('noGrad records nothing and its results cannot be differentiated', () => {
    const { net, lossOf } = setup();
    sweepTape();
    const before = tapeSize();
    const y = noGrad(() => lossOf());
    expect(tapeSize()).toBe(before);
    expect(requiresGrad(y)).toBe(false);
    expect(() => y.backward()).toThrow(c.no_grad_error);
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('inputs= accumulates only into the listed leaves', () => {
    const { net, lossOf } = setup();
    backward(lossOf(), null, { inputs: [(net.get(2) as Linear).weight] });
    expectGrads(net, c.inputs_only, 'inputs only');
  });

  it('parameters that took no part keep their .grad', () => {
    const { net, x } = setup();
    const extra = new Parameter(tf.ones([2]));
    backward(extra.sum());
    backward(net.forward(x).sum());
    expect(Array.from(extra.grad!.dataSync())).toEqual([1, 1]);
  });
});

describe('memory', () => {
  it('1,000 tidied training iterations keep tf.memory().numTensors and the tape constant', () => {
    const { net, lossOf } = setup();
    const params = net.parameters();
    const counts: number[] = [];
    sweepTape();
    const tapeBefore = tapeSize(); // nodes of live tensors from earlier tests
    for (let i = 0; i < 1000; i++) {
      tf.tidy(() => {
        net.zeroGrad();
        const loss = lossOf();
        const monitor = loss.mul(2); // a recorded op nobody differentiates: swept with the tidy
        loss.backward();
        for (const p of params) p.assign(p.sub(p.grad!.mul(0.01)));
        void monitor;
      });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tapeSize()).toBe(tapeBefore);
  });

  it('ops recorded outside any tf.tidy are swept once their results are disposed, while a live graph stays', () => {
    const w = new Parameter(
      tf.tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    sweepTape();
    const tapeBefore = tapeSize();
    // A live chain (an unrolled loop written without tf.tidy): every node stays until its results are disposed.
    const chain: tf.Tensor[] = [w];
    for (let i = 0; i < 50; i++) chain.push(tf.mul(chain[chain.length - 1], 0.5));
    expect(tapeSize()).toBe(tapeBefore + 50);
    // Short-lived results beside it: each op's scope ends at the top level and sweeps what it recorded.
    for (let i = 0; i < 300; i++) tf.mul(w, 2).dispose();
    expect(tapeSize()).toBeLessThanOrEqual(tapeBefore + 52); // the chain and the last result or two
    // The chain's gradient is still there, and its nodes go once it is disposed.
    const loss = tf.sum(chain[50]);
    backward(loss, null, { retainGraph: true });
    expect(Array.from(w.grad!.dataSync())).toEqual(Array(4).fill(0.5 ** 50));
    for (const t of [...chain.slice(1), loss]) t.dispose();
    // Swept by the next full sweep: once as many ops were recorded as the tape held (the cost of a sweep is paid
    // for by what is recorded, so a long-lived graph does not make every op sweep all of it).
    for (let i = 0; i < 60; i++) tf.tidy(() => tf.mul(w, 2).dispose());
    expect(tapeSize()).toBeLessThanOrEqual(tapeBefore + 2);
    sweepTape();
    expect(tapeSize()).toBe(tapeBefore);
  });

  it('.grad survives the tidy it was computed in', () => {
    const w = new Parameter(tf.tensor([1, 2, 3]));
    tf.tidy(() => backward(w.mul(w).sum()));
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 4, 6]);
  });
});
