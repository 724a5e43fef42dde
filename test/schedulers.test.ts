// optim.lrScheduler against real PyTorch 1.13 (test/fixtures/schedulers.json, written by
// scripts/fixtures/schedulers.py): get_last_lr() after construction and every step, cycled momentum / betas,
// ReduceLROnPlateau on a fixed metric sequence, fractional epochs, a learning rate changed by hand, torch's
// messages; plus state-dict round trips and the step-order warning.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Parameter } from '../src/autograd';
import { ArgumentTypeError, ValueError } from '../src/errors';
import * as optim from '../src/optim';
import type { Optimizer } from '../src/optim';
import { camelCase } from '../src/repr';
import { expectClose, loadFixture } from './helpers';

const { lrScheduler } = optim;

interface Setup {
  name: 'setup';
  errors: Array<[string, Record<string, unknown>, string, string]>;
  onecycle_past_end: string;
}

interface Case {
  name: string;
  kind: string;
  kwargs: Record<string, unknown>;
  opt_kind: string;
  opt_kwargs: Record<string, unknown>;
  groups: Array<Record<string, unknown>> | null;
  steps: number;
  metrics: number[] | null;
  fractional: number[] | null;
  scale_lr_at: number | null;
  lrs: number[][];
  extras: Array<Array<{ momentum?: number; betas?: number[] }>>;
}

const fixture = loadFixture<Setup | Case>('schedulers');
const setup = fixture.cases[0] as Setup;
const cases = fixture.cases.slice(1) as Case[];

// The same functions as scripts/fixtures/schedulers.py's LAMBDAS.
const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1.0 / (e + 1),
  const09: () => 0.9,
  warm10: (e) => Math.min(1.0, (e + 1) / 10),
};

function camel(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camelCase(k), v]));
}

type Ctor = new (...args: unknown[]) => unknown;

function makeOpt(kind: string, kwargs: Record<string, unknown>, groups: Case['groups']): Optimizer<object> {
  const ps = [new Parameter(tf.zeros([2])), new Parameter(tf.zeros([1]))];
  const params = groups ? groups.map((g, i) => ({ params: [ps[i]], ...camel(g) })) : ps;
  return new (optim as unknown as Record<string, Ctor>)[kind](params, camel(kwargs)) as Optimizer<object>;
}

function build(opt: Optimizer<object>, kind: string, kwargs: Record<string, unknown>): optim.lrScheduler.Scheduler {
  const kw = camel(kwargs);
  if (kind === 'LambdaLR' || kind === 'MultiplicativeLR') {
    const f = kw.lrLambda as string | string[];
    kw.lrLambda = Array.isArray(f) ? f.map((n) => LAMBDAS[n]) : LAMBDAS[f];
  }
  const Cls = (lrScheduler as unknown as Record<string, Ctor>)[kind];
  if (kind === 'ChainedScheduler') {
    return new Cls(
      (kw.schedulers as Array<[string, Record<string, unknown>]>).map(([k, a]) => build(opt, k, a)),
    ) as never;
  }
  if (kind === 'SequentialLR') {
    kw.schedulers = (kw.schedulers as Array<[string, Record<string, unknown>]>).map(([k, a]) => build(opt, k, a));
  }
  return new Cls(opt, kw) as optim.lrScheduler.Scheduler;
}

function groupLrs(opt: Optimizer<object>): number[] {
  return opt.paramGroups.map((g) => (g as unknown as { lr: number }).lr);
}

function stepOnce(c: Case, opt: Optimizer<object>, s: optim.lrScheduler.Scheduler, i: number): void {
  opt.step();
  if (c.scale_lr_at === i) for (const g of opt.paramGroups) (g as unknown as { lr: number }).lr *= 0.5;
  if (c.metrics) (s as optim.lrScheduler.ReduceLROnPlateau).step(c.metrics[i]);
  else if (c.fractional) (s as optim.lrScheduler.CosineAnnealingWarmRestarts).step(c.fractional[i]);
  else (s.step as () => void)();
}

function checkExtras(c: Case, opt: Optimizer<object>, i: number): void {
  c.extras[i].forEach((e, gi) => {
    const g = opt.paramGroups[gi] as unknown as { momentum?: number; betas?: number[] };
    if (e.momentum !== undefined) expectClose(g.momentum!, e.momentum, `${c.name}: momentum of group ${gi} at ${i}`);
    if (e.betas !== undefined) expectClose(g.betas!, e.betas, `${c.name}: betas of group ${gi} at ${i}`);
  });
}

const RTOL = { rtol: 1e-12, atol: 1e-15 };

describe("schedulers match torch 1.13's get_last_lr() step by step", () => {
  afterEach(() => vi.restoreAllMocks());
  for (const c of cases) {
    it(c.name, () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const opt = makeOpt(c.opt_kind, c.opt_kwargs, c.groups);
      const s = build(opt, c.kind, c.kwargs);
      expectClose(
        c.kind === 'ReduceLROnPlateau' ? groupLrs(opt) : s.getLastLr(),
        c.lrs[0],
        `${c.name}: at construction`,
        RTOL,
      );
      checkExtras(c, opt, 0);
      for (let i = 0; i < c.steps; i++) {
        stepOnce(c, opt, s, i);
        expectClose(s.getLastLr(), c.lrs[i + 1], `${c.name}: after step ${i + 1}`, RTOL);
        checkExtras(c, opt, i + 1);
      }
      opt.dispose();
    });
  }
});

describe('state dicts: a scheduler loaded half-way continues as the original', () => {
  afterEach(() => vi.restoreAllMocks());
  for (const c of cases.filter((k) => !k.fractional && k.scale_lr_at == null)) {
    it(c.name, () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const half = Math.floor(c.steps / 2);
      const opt = makeOpt(c.opt_kind, c.opt_kwargs, c.groups);
      const s = build(opt, c.kind, c.kwargs);
      for (let i = 0; i < half; i++) stepOnce(c, opt, s, i);
      const sd = JSON.parse(
        JSON.stringify(s.stateDict(), (_, v) => (v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v)),
        (_, v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v),
      );
      const optSd = opt.stateDict();
      // A fresh optimizer and scheduler (built as at the start), then both states loaded.
      const opt2 = makeOpt(c.opt_kind, c.opt_kwargs, c.groups);
      const s2 = build(opt2, c.kind, c.kwargs);
      opt2.loadStateDict(optSd);
      optim.disposeStateDict(optSd);
      s2.loadStateDict(sd);
      for (let i = half; i < c.steps; i++) stepOnce(c, opt2, s2, i);
      expectClose(s2.getLastLr(), c.lrs[c.steps], `${c.name}: resumed at ${half}`, RTOL);
      opt.dispose();
      opt2.dispose();
    });
  }
});

describe("bad arguments: torch's messages", () => {
  it.each(
    setup.errors.map(([kind, kw, optKind, msg]) => [
      `${kind}(${JSON.stringify(kw)}) on ${optKind}`,
      kind,
      kw,
      optKind,
      msg,
    ]),
  )('%s', (_, kind, kw, optKind, msg) => {
    const opt = makeOpt(optKind as string, optKind === 'SGD' ? { lr: 0.1, momentum: 0.9 } : { lr: 0.1 }, null);
    expect(() => build(opt, kind as string, kw as Record<string, unknown>)).toThrow(ValueError);
    expect(() => build(opt, kind as string, kw as Record<string, unknown>)).toThrow(msg as string);
  });

  it('OneCycleLR stepped past total_steps', () => {
    const opt = makeOpt('SGD', { lr: 0.1, momentum: 0.9 }, null);
    const s = new lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 3 });
    for (let i = 0; i < 3; i++) {
      opt.step();
      s.step();
    }
    expect(() => s.step()).toThrow(setup.onecycle_past_end);
  });

  it.each([
    ['not an optimizer', () => new lrScheduler.StepLR({} as never, 1), ArgumentTypeError, /Object is not an Optimizer/],
    ['step size 0', () => new lrScheduler.StepLR(makeOpt('SGD', { lr: 0.1 }, null), 0), ValueError, /stepSize/],
    [
      'gamma string',
      () => new lrScheduler.StepLR(makeOpt('SGD', { lr: 0.1 }, null), 1, '0.5' as never),
      ArgumentTypeError,
      /gamma/,
    ],
    [
      'unknown option',
      () => new lrScheduler.ExponentialLR(makeOpt('SGD', { lr: 0.1 }, null), { gama: 0.9 } as never),
      ArgumentTypeError,
      /did you mean 'gamma'/,
    ],
    [
      'bad mode',
      () => new lrScheduler.ReduceLROnPlateau(makeOpt('SGD', { lr: 0.1 }, null), 'minimum' as never),
      ValueError,
      /mode/,
    ],
    [
      'sequential milestones',
      () => {
        const o = makeOpt('SGD', { lr: 0.1 }, null);
        return new lrScheduler.SequentialLR(o, [new lrScheduler.ExponentialLR(o, 0.9)], [3]);
      },
      ValueError,
      /one more than the number of milestone/,
    ],
  ])('%s', (_, make, cls, msg) => {
    expect(make).toThrow(cls);
    expect(make).toThrow(msg);
  });
});

describe("torch's warning when scheduler.step() comes before optimizer.step()", () => {
  it('warns once, with torch text; not when the optimizer stepped first', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const opt = makeOpt('SGD', { lr: 0.1 }, null);
    const good = new lrScheduler.StepLR(opt, 1);
    opt.step();
    good.step();
    expect(warn).not.toHaveBeenCalled();
    const s = new lrScheduler.StepLR(opt, 1);
    s.step();
    s.step();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('Detected call of `lr_scheduler.step()` before `optimizer.step()`');
    warn.mockRestore();
  });

  it('a scheduler on a fresh optimizer with lastEpoch != -1 needs initial_lr', () => {
    const opt = makeOpt('SGD', { lr: 0.1 }, null);
    expect(() => new lrScheduler.CosineAnnealingLR(opt, 10, 0, 4)).toThrow(
      "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
    );
  });

  it('Adadelta(lr=1.0) + StepLR(1, 0.7) as pytorch/examples mnist: initial_lr in the optimizer state dict', () => {
    const opt = new optim.Adadelta([new Parameter(tf.zeros([2]))], 1.0);
    const s = new lrScheduler.StepLR(opt, 1, 0.7);
    opt.step();
    s.step();
    const sd = opt.stateDict();
    expect(sd.param_groups[0].initial_lr).toBe(1.0);
    optim.disposeStateDict(sd);
  });
});
