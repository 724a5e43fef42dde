// Adam, AdamW and SGD against real PyTorch 1.13 (test/fixtures/optim.json, written by scripts/fixtures/optim.py):
// 20-step trajectories of a tiny network, state dicts after 10 steps, resuming from torch's state, reprs
// and argument errors; plus exact resume, memory and torch-file round trips.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward, Parameter, tapeSize } from '../src/autograd';
import { ArgumentTypeError, StateDictError, ValueError } from '../src/errors';
import { parseTorchFile, serializeTorchFile } from '../src/io/torch-format';
import { Tanh } from '../src/nn/activation';
import { Sequential } from '../src/nn/container';
import { Linear } from '../src/nn/linear';
import { Adam, AdamW, disposeStateDict, type Optimizer, SGD } from '../src/optim';
import type { OptimizerStateDict, ParamState } from '../src/optim';
import { expectClose, fixtureData, loadFixture, toTensor, type FixtureTensor } from './helpers';

interface Setup {
  name: 'setup';
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  target: FixtureTensor;
  errors: Array<[string, string]>;
  steps: number;
  snapshot: number;
}

interface SavedStateDict {
  state: Array<[number, Record<string, FixtureTensor | null>]>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

interface Case {
  name: string;
  extra: boolean;
  set_to_none: boolean;
  init: FixtureTensor[];
  losses: number[];
  params: FixtureTensor;
  state_dict_10: SavedStateDict;
  repr: string;
}

const fixture = loadFixture<Setup | Case>('optim');
const setup = fixture.cases[0] as Setup;
const cases = fixture.cases.slice(1) as Case[];

type Factory = (net: Sequential, ps: Parameter[]) => Optimizer<object>;

// The same optimizers, built as scripts/fixtures/optim.py builds them.
const factories: Record<string, Factory> = {
  'Adam()': (_, ps) => new Adam(ps),
  'Adam(lr=2e-4,betas=(0.2,0.999),eps=1e-7)': (_, ps) => new Adam(ps, { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 }),
  'Adam(lr=1e-2,weight_decay=0.1)': (_, ps) => new Adam(ps, { lr: 1e-2, weightDecay: 0.1 }),
  'Adam(lr=1e-2,amsgrad=True)': (_, ps) => new Adam(ps, { lr: 1e-2, amsgrad: true }),
  'Adam(lr=1e-2,maximize=True)': (_, ps) => new Adam(ps, { lr: 1e-2, maximize: true }),
  'Adam(lr=0.05,betas=(0.5,0.9),eps=0.1,weight_decay=0.01,amsgrad=True)': (_, ps) =>
    new Adam(ps, { lr: 0.05, betas: [0.5, 0.9], eps: 0.1, weightDecay: 0.01, amsgrad: true }),
  'AdamW()': (_, ps) => new AdamW(ps),
  'AdamW(lr=1e-2,weight_decay=0.5,amsgrad=True)': (_, ps) =>
    new AdamW(ps, { lr: 1e-2, weightDecay: 0.5, amsgrad: true }),
  'AdamW(lr=1e-2,weight_decay=0,maximize=True)': (_, ps) => new AdamW(ps, { lr: 1e-2, weightDecay: 0, maximize: true }),
  'SGD(lr=0.1)': (_, ps) => new SGD(ps, { lr: 0.1 }),
  'SGD(lr=0.1,momentum=0.9,dampening=0.3)': (_, ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.3 }),
  'SGD(lr=0.05,momentum=0.9,nesterov=True,weight_decay=1e-2)': (_, ps) =>
    new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }),
  'SGD(lr=0.1,weight_decay=0.1,maximize=True)': (_, ps) => new SGD(ps, { lr: 0.1, weightDecay: 0.1, maximize: true }),
  'Adam(groups:[0]lr=1e-2,[2]betas=(0.5,0.9);lr=1e-3)': (net) =>
    new Adam(
      [
        { params: net.getSubmodule('0').parameters(), lr: 1e-2 },
        { params: net.getSubmodule('2').parameters(), betas: [0.5, 0.9] },
      ],
      { lr: 1e-3 },
    ),
  'SGD(groups:[0]momentum=0.9,[2];lr=0.1)': (net) =>
    new SGD(
      [{ params: net.getSubmodule('0').parameters(), momentum: 0.9 }, { params: net.getSubmodule('2').parameters() }],
      {
        lr: 0.1,
      },
    ),
  'Adam(lr=1e-2),extra,set_to_none=True': (_, ps) => new Adam(ps, { lr: 1e-2 }),
  'Adam(lr=1e-2),extra,set_to_none=False': (_, ps) => new Adam(ps, { lr: 1e-2 }),
  'SGD(lr=0.1,momentum=0.9),extra,set_to_none=True': (_, ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
  'SGD(lr=0.1,momentum=0.9),extra,set_to_none=False': (_, ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
};

interface Run {
  net: Sequential;
  params: Parameter[];
  opt: Optimizer<object>;
  x: tf.Tensor;
  target: tf.Tensor;
  dispose(): void;
}

/** The fixture's network with torch's initial weights, its parameters (plus `e`), and the case's optimizer. */
function build(c: Case): Run {
  const net = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 3));
  const sd = new Map(Object.entries(setup.state_dict).map(([k, v]) => [k, toTensor(v)]));
  net.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  const params = net.parameters();
  if (c.extra) params.push(new Parameter(tf.tensor([0.5, -1.25, 2.0])));
  params.forEach((p, i) => expectClose(p, c.init[i], `${c.name}: initial parameter ${i}`));
  const opt = factories[c.name](net, params);
  const x = toTensor(setup.input);
  const target = toTensor(setup.target);
  return {
    net,
    params,
    opt,
    x,
    target,
    dispose() {
      opt.dispose();
      params.forEach((p) => p.dispose());
      tf.dispose([x, target]);
    },
  };
}

/** One training step as the fixture takes it; returns the loss before the step. */
function trainStep(r: Run, c: Case, step: number): number {
  return tf.tidy(() => {
    r.opt.zeroGrad(c.set_to_none);
    let loss = r.net.forward(r.x).sub(r.target).square().mean();
    if (c.extra && step % 2 === 0) {
      const e = r.params[r.params.length - 1];
      loss = loss.add(e.mul(e).sum().mul(0.1));
    }
    backward(loss);
    r.opt.step();
    return loss.dataSync()[0];
  });
}

/** Torch's parameter values after step `step` (1-based), one array per parameter. */
function torchParamsAfter(c: Case, step: number, shapes: number[][]): Float32Array[] {
  const all = fixtureData(c.params) as Float32Array;
  const width = c.params.shape[1];
  const row = all.subarray((step - 1) * width, step * width);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const s of shapes) {
    const n = s.reduce((a, b) => a * b, 1);
    out.push(row.slice(offset, offset + n));
    offset += n;
  }
  return out;
}

/** A fixture state dict as {@link Optimizer.loadStateDict} takes it. */
function toStateDict(s: SavedStateDict): OptimizerStateDict {
  const state = new Map<number, ParamState>();
  for (const [k, v] of s.state) {
    const st: ParamState = {};
    for (const [name, t] of Object.entries(v)) st[name] = t == null ? null : toTensor(t);
    state.set(k, st);
  }
  return { state, param_groups: s.param_groups };
}

describe('optimizers match torch 1.13 step by step', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = build(c);
      const shapes = r.params.map((p) => p.shape);
      for (let step = 0; step < setup.steps; step++) {
        const loss = trainStep(r, c, step);
        expectClose(loss, c.losses[step], `${c.name}: loss before step ${step + 1}`);
        const expected = torchParamsAfter(c, step + 1, shapes);
        r.params.forEach((p, i) => expectClose(p, expected[i], `${c.name}: parameter ${i} after step ${step + 1}`));

        if (step + 1 === setup.snapshot) {
          const sd = r.opt.stateDict();
          const saved = c.state_dict_10;
          expect(sd.param_groups).toEqual(saved.param_groups);
          sd.param_groups.forEach((g, i) => expect(Object.keys(g)).toEqual(Object.keys(saved.param_groups[i])));
          expect([...sd.state.keys()]).toEqual(saved.state.map(([k]) => k));
          for (const [k, v] of saved.state) {
            const mine = sd.state.get(k)!;
            expect(Object.keys(mine)).toEqual(Object.keys(v));
            for (const [name, t] of Object.entries(v)) {
              if (t == null) {
                expect(mine[name]).toBeNull();
                continue;
              }
              const got = mine[name] as tf.Tensor;
              expect(got.dtype).toBe('float32');
              if (name === 'step') expect(Array.from(got.dataSync())).toEqual(Array.from(fixtureData(t)));
              else expectClose(got, t, `${c.name}: state[${k}].${name} after step 10`);
            }
          }
          disposeStateDict(sd);
        }
      }
      expect(r.opt.toString()).toBe(c.repr);
      r.dispose();
    });
  }
});

describe("resuming from torch's state dict after 10 steps gives torch's steps 11-20", () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = build(c);
      const shapes = r.params.map((p) => p.shape);
      const at10 = torchParamsAfter(c, setup.snapshot, shapes);
      r.params.forEach((p, i) => p.assign(tf.tensor(at10[i], p.shape)));
      const sd = toStateDict(c.state_dict_10);
      r.opt.loadStateDict(sd);
      disposeStateDict(sd);
      for (let step = setup.snapshot; step < setup.steps; step++) {
        trainStep(r, c, step);
        const expected = torchParamsAfter(c, step + 1, shapes);
        r.params.forEach((p, i) => expectClose(p, expected[i], `${c.name}: parameter ${i} after step ${step + 1}`));
      }
      r.dispose();
    });
  }
});

describe('exact resume: 10 steps + stateDict/loadStateDict + 10 steps == 20 steps', () => {
  const names = [
    'Adam(lr=0.05,betas=(0.5,0.9),eps=0.1,weight_decay=0.01,amsgrad=True)',
    'AdamW(lr=1e-2,weight_decay=0.5,amsgrad=True)',
    'SGD(lr=0.05,momentum=0.9,nesterov=True,weight_decay=1e-2)',
    'Adam(groups:[0]lr=1e-2,[2]betas=(0.5,0.9);lr=1e-3)',
    'SGD(lr=0.1,momentum=0.9),extra,set_to_none=True',
  ];
  for (const name of names) {
    it(name, () => {
      const c = cases.find((k) => k.name === name)!;
      const straight = build(c);
      for (let s = 0; s < 20; s++) trainStep(straight, c, s);

      const first = build(c);
      for (let s = 0; s < 10; s++) trainStep(first, c, s);
      const sd = first.opt.stateDict();
      const weights = first.params.map((p) => p.clone());
      first.dispose();

      const second = build(c);
      second.params.forEach((p, i) => p.assign(weights[i]));
      tf.dispose(weights);
      second.opt.loadStateDict(sd);
      disposeStateDict(sd);
      for (let s = 10; s < 20; s++) trainStep(second, c, s);
      second.params.forEach((p, i) =>
        expect(Array.from(p.dataSync()), `parameter ${i}`).toEqual(Array.from(straight.params[i].dataSync())),
      );
      straight.dispose();
      second.dispose();
    });
  }
});

describe('argument checks with torch 1.13 messages', () => {
  const ps = () => [new Parameter(tf.zeros([2]))];
  const p2 = [new Parameter(tf.zeros([2])), new Parameter(tf.zeros([3]))];
  const p3 = [new Parameter(tf.zeros([2])), new Parameter(tf.zeros([3])), new Parameter(tf.zeros([1]))];
  const make: Record<string, () => unknown> = {
    'Adam(lr=-1)': () => new Adam(ps(), { lr: -1 }),
    'Adam(eps=-1e-8)': () => new Adam(ps(), { eps: -1e-8 }),
    'Adam(betas=(1.5,0.999))': () => new Adam(ps(), { betas: [1.5, 0.999] }),
    'Adam(betas=(0.9,1))': () => new Adam(ps(), { betas: [0.9, 1] }),
    'Adam(betas=(0.9,-0.25))': () => new Adam(ps(), { betas: [0.9, -0.25] }),
    'Adam(weight_decay=-1)': () => new Adam(ps(), { weightDecay: -1 }),
    'Adam(lr=nan)': () => new Adam(ps(), { lr: NaN }),
    'AdamW(lr=-0.001)': () => new AdamW(ps(), { lr: -0.001 }),
    'AdamW(weight_decay=-0.5)': () => new AdamW(ps(), { weightDecay: -0.5 }),
    'SGD(lr=-1)': () => new SGD(ps(), { lr: -1 }),
    'SGD(momentum=-0.5)': () => new SGD(ps(), { lr: 0.1, momentum: -0.5 }),
    'SGD(weight_decay=-1e-5)': () => new SGD(ps(), { lr: 0.1, weightDecay: -1e-5 }),
    'SGD(no lr)': () => new SGD(ps()),
    'SGD(nesterov,momentum=0)': () => new SGD(ps(), { lr: 0.1, nesterov: true }),
    'SGD(nesterov,dampening=0.1)': () => new SGD(ps(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    'Adam([])': () => new Adam([]),
    'Adam(shared across groups)': () => {
      const shared = ps();
      return new Adam([{ params: shared }, { params: shared }]);
    },
    'load: group count': () =>
      new Adam(p2).loadStateDict(new Adam([{ params: p2.slice(0, 1) }, { params: p2.slice(1) }]).stateDict()),
    'load: group size': () =>
      new Adam([{ params: p3.slice(0, 1) }, { params: p3.slice(1) }]).loadStateDict(
        new Adam([{ params: p3.slice(0, 2) }, { params: p3.slice(2) }]).stateDict(),
      ),
  };
  for (const [name, message] of setup.errors) {
    it(name, () => {
      expect(make[name], `no TS counterpart for ${name}`).toBeDefined();
      let err: unknown = null;
      try {
        make[name]();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValueError);
      expect((err as Error).message.startsWith(message), `"${(err as Error).message}" starts with "${message}"`).toBe(
        true,
      );
    });
  }

  it('rejects a tensor as params, non-Parameter entries, and snake_case group keys', () => {
    const p = new Parameter(tf.zeros([2]));
    expect(() => new Adam(p as unknown as Parameter[])).toThrow(ArgumentTypeError);
    expect(() => new Adam(p as unknown as Parameter[])).toThrow(/should be an iterable of Tensors or dicts, but got/);
    expect(() => new Adam([tf.zeros([2]) as unknown as Parameter])).toThrow(
      /optimizer can only optimize Parameters, but one of the params is tf.Tensor \(group 0, index 0\)/,
    );
    expect(() => new SGD([p, 3 as unknown as Parameter], { lr: 1 })).toThrow(
      /one of the params is number \(group 0, index 1\)/,
    );
    expect(() => new Adam([{ params: [p], weight_decay: 0.1 } as never])).toThrow(
      /unknown optimizer option 'weight_decay'.*'weightDecay'/,
    );
    expect(() => new Adam([{ params: [p], lr: -2 }])).toThrow('Invalid learning rate: -2');
    expect(() => new SGD([{ params: [p], lr: 0.1 }, { params: [new Parameter(tf.zeros([1]))] }])).toThrow(
      "parameter group didn't specify a value of required optimization parameter lr",
    );
  });

  it('addParamGroup adds a group with its own options and defaults for the rest', () => {
    const a = new Parameter(tf.zeros([2]));
    const b = new Parameter(tf.zeros([3]));
    const opt = new Adam([a], { lr: 0.01, betas: [0.5, 0.9] });
    opt.addParamGroup({ params: b, lr: 0.1 });
    expect(opt.paramGroups[1].params).toEqual([b]);
    expect(opt.paramGroups[1].lr).toBe(0.1);
    expect(opt.paramGroups[1].betas).toEqual([0.5, 0.9]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('some parameters appear in more than one parameter group');
  });
});

describe('zeroGrad, skipping, state and memory', () => {
  it('zeroGrad sets grads to null (default) or zeros, disposing the old ones', () => {
    const p = new Parameter(tf.ones([3]));
    const opt = new SGD([p], { lr: 0.5 });
    backward(p.mul(2).sum());
    const g = p.grad!;
    opt.zeroGrad(false);
    expect(g.isDisposed).toBe(true);
    expect(Array.from(p.grad!.dataSync())).toEqual([0, 0, 0]);
    const z = p.grad!;
    opt.zeroGrad();
    expect(z.isDisposed).toBe(true);
    expect(p.grad).toBeNull();
    opt.step(); // no gradient: nothing happens, no state
    expect(Array.from(p.dataSync())).toEqual([1, 1, 1]);
    expect(opt.state.size).toBe(0);
    p.dispose();
  });

  it('step(closure) returns the loss and steps with the gradient the closure computed', () => {
    const p = new Parameter(tf.tensor([1, -2]));
    const opt = new SGD([p], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.square().sum();
      backward(l);
      return l;
    });
    expect(loss!.dataSync()[0]).toBe(5);
    expect(Array.from(p.dataSync())).toEqual([0.5, -1]);
    tf.dispose(loss!);
    p.dispose();
  });

  it("Adam state: step is a float32 scalar tensor, keys are torch's", () => {
    const p = new Parameter(tf.tensor([1, 2, 3]));
    const opt = new Adam([p], { amsgrad: true });
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        opt.zeroGrad();
        backward(p.square().sum());
        opt.step();
      });
    }
    const st = opt.state.get(p)!;
    expect(Object.keys(st)).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
    expect(st.step!.dtype).toBe('float32');
    expect(st.step!.shape).toEqual([]);
    expect(st.step!.dataSync()[0]).toBe(3);
    opt.dispose();
    p.dispose();
  });

  it('200 Adam steps on the fixture network keep tf.memory().numTensors and the tape size constant', () => {
    const c = cases.find((k) => k.name === 'Adam(lr=1e-2,amsgrad=True)')!;
    const r = build(c);
    trainStep(r, c, 0);
    const before = tf.memory().numTensors;
    const tape = tapeSize();
    for (let s = 1; s < 200; s++) trainStep(r, c, s);
    expect(tf.memory().numTensors).toBe(before);
    expect(tapeSize()).toBe(tape);
    r.dispose();
  });

  it('1,000 tidied zeroGrad/backward/step iterations (tiny model, each optimizer) keep the tensor count', () => {
    for (const make of [
      (ps: Parameter[]) => new Adam(ps, { weightDecay: 0.1 }),
      (ps: Parameter[]) => new AdamW(ps),
      (ps: Parameter[]) => new SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true }),
    ]) {
      const fc = new Linear(2, 1);
      const opt = make(fc.parameters());
      const x = tf.tensor([
        [1, 2],
        [3, -1],
      ]);
      const iteration = () =>
        tf.tidy(() => {
          opt.zeroGrad();
          backward(fc.forward(x).square().mean());
          opt.step();
        });
      iteration();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 1000; i++) iteration();
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      fc.parameters().forEach((p) => p.dispose());
      x.dispose();
    }
  });

  it('loadStateDict checks state tensor shapes and leaves the optimizer unchanged on error', () => {
    const p = new Parameter(tf.zeros([2, 3]));
    const opt = new Adam([p]);
    const bad: OptimizerStateDict = {
      state: new Map([[0, { step: tf.scalar(4), exp_avg: tf.zeros([3, 2]), exp_avg_sq: tf.zeros([2, 3]) }]]),
      param_groups: [{ lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0] }],
    };
    expect(() => opt.loadStateDict(bad)).toThrow(StateDictError);
    expect(() => opt.loadStateDict(bad)).toThrow('state[0].exp_avg has shape [3,2], but parameter 0 has shape [2,3]');
    expect(opt.state.size).toBe(0);
    expect(opt.paramGroups[0].lr).toBe(1e-3);
    disposeStateDict(bad);
    p.dispose();
  });
});

describe('torch files', () => {
  it("loads ser_adam.pt (torch.save of the article's Adam after 3 steps)", () => {
    const bytes = readFileSync(fileURLToPath(new URL('./fixtures/ser_adam.pt', import.meta.url)));
    const sd = parseTorchFile(new Uint8Array(bytes)) as Map<unknown, unknown>;
    // Conv2d(1, 3, 3) + BatchNorm2d(3): weight, bias, bn weight, bn bias.
    const params = [[3, 1, 3, 3], [3], [3], [3]].map((s) => new Parameter(tf.zeros(s)));
    const opt = new Adam(params, { lr: 1 });
    opt.loadStateDict(sd);
    const g = opt.paramGroups[0];
    expect([g.lr, g.eps, [...g.betas], g.weightDecay, g.amsgrad, g.maximize]).toEqual([
      2e-4,
      1e-7,
      [0.2, 0.999],
      0,
      false,
      false,
    ]);
    expect(opt.state.size).toBe(4);
    for (const p of params) {
      const st = opt.state.get(p)!;
      expect(st.step!.dataSync()[0]).toBe(3);
      expect(st.exp_avg!.shape).toEqual(p.shape);
    }
    expect(opt.toString()).toContain('betas: (0.2, 0.999)');
    opt.dispose();
    params.forEach((p) => p.dispose());
  });

  it('stateDict survives serializeTorchFile/parseTorchFile and resumes exactly', () => {
    const c = cases.find((k) => k.name === 'Adam(lr=2e-4,betas=(0.2,0.999),eps=1e-7)')!;
    const straight = build(c);
    const resumed = build(c);
    for (let s = 0; s < 5; s++) {
      trainStep(straight, c, s);
      trainStep(resumed, c, s);
    }
    const sd = resumed.opt.stateDict();
    const bytes = serializeTorchFile(sd as never);
    disposeStateDict(sd);
    const fresh = build(c);
    resumed.params.forEach((p, i) => fresh.params[i].assign(p));
    resumed.dispose();
    fresh.opt.loadStateDict(parseTorchFile(bytes) as Map<unknown, unknown>);
    expect((fresh.opt as Adam).paramGroups[0].betas).toEqual([0.2, 0.999]);
    for (let s = 5; s < 10; s++) {
      trainStep(straight, c, s);
      trainStep(fresh, c, s);
    }
    fresh.params.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(Array.from(straight.params[i].dataSync())));
    straight.dispose();
    fresh.dispose();
  });
});
