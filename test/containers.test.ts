// Containers against PyTorch 1.13 (test/fixtures/containers.json, scripts/fixtures/containers.py): after torch's
// container operations (addModule, insert, append, extend, delete, pop, slicing, set), print text, state-dict keys
// and shapes, and Sequential's forward all follow one registry.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { ArgumentTypeError, TorchError, ValueError } from '../src/errors';
import * as nn from '../src/nn';
import { expectClose, type FixtureTensor, loadFixture, toTensor } from './helpers';

interface ContainerCase {
  name: string;
  repr: string;
  keys: string[];
  shapes: number[][];
  state_dict?: Record<string, FixtureTensor>;
  input?: FixtureTensor;
  output?: FixtureTensor;
}

const lin = (i: number, o: number) => new nn.Linear(i, o);
const param = (shape: number[]) => new nn.Parameter(tf.zeros(shape));
const five = () => new nn.Sequential(lin(3, 3), new nn.ReLU(), lin(3, 3), new nn.Tanh(), lin(3, 2));

class Holder extends nn.Module {
  blocks = this.registerModule('blocks', new nn.ModuleList([lin(2, 2), lin(2, 2)]));
  heads = this.registerModule('heads', new nn.ModuleDict({ y: lin(2, 1) }));
  extra = this.registerModule('extra', new nn.ParameterList([param([2])]));
  scales = this.registerModule('scales', new nn.ParameterDict({ s: param([1]) }));
}

/** Each case built as scripts/fixtures/containers.py builds it. */
const BUILD: Record<string, () => nn.Module> = {
  seq: () => new nn.Sequential(lin(3, 4), new nn.ReLU(), lin(4, 2)),
  'seq add_module': () => {
    const s = new nn.Sequential(lin(3, 4), new nn.ReLU());
    s.addModule('head', lin(4, 2));
    return s;
  },
  'seq named + append': () =>
    new nn.Sequential(
      new Map<string, nn.Module>([
        ['fc', lin(3, 4)],
        ['act', new nn.Tanh()],
      ]),
    ).append(lin(4, 1)),
  'seq insert 1': () => new nn.Sequential(lin(3, 4), new nn.ReLU(), lin(4, 2)).insert(1, new nn.Sigmoid()),
  'seq insert -1': () => new nn.Sequential(lin(3, 4), new nn.ReLU(), lin(4, 2)).insert(-1, new nn.Tanh()),
  'seq del 1': () => five().delete(1),
  'seq del 1:3': () => five().deleteSlice(1, 3),
  'seq pop -2': () => {
    const s = five();
    expect(s.pop(-2)).toBeInstanceOf(nn.Tanh);
    return s;
  },
  'seq slice 2:': () => five().slice(2),
  'seq named slice 1:': () =>
    new nn.Sequential(
      new Map<string, nn.Module>([
        ['a', lin(3, 3)],
        ['b', new nn.ReLU()],
        ['c', lin(3, 2)],
      ]),
    ).slice(1),
  'seq set 1': () => new nn.Sequential(lin(3, 3), new nn.ReLU(), lin(3, 2)).set(1, new nn.Tanh()),
  'seq extend': () => new nn.Sequential(lin(3, 3)).extend([new nn.ReLU(), lin(3, 2)]),
  'seq nested': () => new nn.Sequential(new nn.Sequential(lin(3, 3), new nn.ReLU()), new nn.Sequential(lin(3, 2))),
  'seq empty': () => new nn.Sequential(),
  'list insert 0': () => new nn.ModuleList([lin(2, 2), lin(2, 3)]).append(new nn.ReLU()).insert(0, new nn.Tanh()),
  'list del 0 + extend': () =>
    new nn.ModuleList([lin(2, 2), new nn.ReLU(), lin(2, 3), new nn.Tanh()]).delete(0).extend([new nn.Sigmoid()]),
  'list slice 1:3': () => new nn.ModuleList([lin(2, 2), new nn.ReLU(), lin(2, 3), new nn.Tanh()]).slice(1, 3),
  'list del -3:': () => new nn.ModuleList([lin(2, 2), new nn.ReLU(), lin(2, 3), new nn.Tanh()]).deleteSlice(-3),
  'list empty': () => new nn.ModuleList(),
  dict: () => new nn.ModuleDict({ cls: lin(4, 3), box: lin(4, 2) }).set('mask', new nn.ReLU()),
  'dict del + update': () =>
    new nn.ModuleDict([
      ['b', lin(4, 3)],
      ['a', lin(4, 2)],
    ])
      .delete('b')
      .update([
        ['c', new nn.Tanh()],
        ['a', lin(4, 1)],
      ]),
  plist: () => new nn.ParameterList([param([3, 4]), param([5])]).append(param([2, 1, 3])),
  'plist one': () => new nn.ParameterList([param([2])]),
  'plist empty': () => new nn.ParameterList(),
  // a plain object is added in sorted key order, as torch's dict
  pdict: () => new nn.ParameterDict({ right: param([5, 10]), left: param([2]) }).set('mid', param([3])),
  'pdict ordered + del': () =>
    new nn.ParameterDict(
      new Map([
        ['z', param([1])],
        ['a', param([2, 2])],
      ]),
    ).delete('z'),
  holder: () => new Holder(),
};

describe('containers match torch 1.13: print text, state-dict keys, forward', () => {
  for (const c of loadFixture<ContainerCase>('containers').cases) {
    it(c.name, () => {
      const m = BUILD[c.name]!();
      expect(m.toString()).toBe(c.repr);
      const sd = m.stateDict();
      expect([...sd.keys()]).toEqual(c.keys);
      expect([...sd.values()].map((v) => v.shape)).toEqual(c.shapes);
      if (c.output) {
        m.loadStateDict(new Map(Object.entries(c.state_dict!).map(([k, v]) => [k, toTensor(v)])));
        expectClose((m as nn.Sequential).forward(toTensor(c.input!)), c.output, 'forward');
      }
      const s = m as unknown as { length?: number };
      if (m instanceof nn.Sequential || m instanceof nn.ModuleList) {
        expect(s.length).toBe(m.children().length);
        expect([...m]).toEqual(m.children());
      }
      for (const p of m.parameters()) p.dispose();
    });
  }
});

describe('container misuse is a clear error', () => {
  it('indices out of range, wrong types, missing keys', () => {
    const s = new nn.Sequential(new nn.ReLU());
    expect(() => s.get(1)).toThrow(ValueError);
    expect(() => s.get(1)).toThrow('index 1 is out of range');
    expect(() => s.get(0.5)).toThrow(ArgumentTypeError);
    expect(() => s.insert(3, new nn.ReLU())).toThrow('index 3 is out of range');
    expect(() => s.append(5 as never)).toThrow(ArgumentTypeError);
    expect(() => new nn.ModuleList(5 as never)).toThrow('should be called with an iterable');
    expect(() => new nn.ModuleDict({ a: new nn.ReLU() }).get('b')).toThrow("no module named 'b'");
    expect(() => new nn.ParameterList().append('x' as never)).toThrow(ArgumentTypeError);
    expect(() => new nn.ParameterList().forward()).toThrow(TorchError);
    expect(() => new nn.ModuleDict([['a'] as never])).toThrow('has length 1; 2 is required');
  });

  it('a ParameterList wraps a tensor and shows it in parameters()', () => {
    const t = tf.ones([2]);
    const pl = new nn.ParameterList([t]);
    expect(pl.parameters()).toHaveLength(1);
    expect(pl.get(0)).toBeInstanceOf(nn.Parameter);
    expect(pl.get(-1).dataSync()).toEqual(new Float32Array([1, 1]));
    pl.get(0).dispose();
    t.dispose();
  });
});
