// Torch-named factories: size parsing (varargs / array / options), dtypes, errors, arange against torch 1.13.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentTypeError, ShapeError, ValueError } from '../src/errors';
import { Generator, manualSeed } from '../src/random';
import {
  arange,
  full,
  fullLike,
  item,
  normal,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from '../src/tensor';
import { type FixtureTensor, fixtureData, loadFixture } from './helpers';

interface ArangeCase {
  args: number[];
  dtype: string;
  out: FixtureTensor;
}
const fixture = loadFixture<{ name: string; aranges?: ArangeCase[] }>('random_ops');

const values = (t: tf.Tensor) => Array.from(t.dataSync() as ArrayLike<number>);

describe('sizes: varargs, one array, trailing options', () => {
  it.each([
    ['randn(2, 3)', () => randn(2, 3), [2, 3]],
    ['randn([2, 3])', () => randn([2, 3]), [2, 3]],
    ['randn()', () => randn(), []],
    ['rand(4)', () => rand(4), [4]],
    ['rand([0, 3])', () => rand([0, 3]), [0, 3]],
    ['zeros(2, 1, 3)', () => zeros(2, 1, 3), [2, 1, 3]],
    ['ones([5])', () => ones([5]), [5]],
    ['randn(2, 3, { generator })', () => randn(2, 3, { generator: new Generator(1) }), [2, 3]],
  ] as const)('%s', (_name, make, shape) => {
    const t = make();
    expect(t.shape).toEqual(shape);
    expect(t.dtype).toBe('float32');
  });

  it('varargs and array sizes draw the same numbers', () => {
    manualSeed(3);
    const a = values(randn(3, 7));
    manualSeed(3);
    expect(values(randn([3, 7]))).toEqual(a);
    expect(values(randn(3, 7, { generator: new Generator(3) }))).toEqual(a);
    expect(values(randn([3, 7], { generator: new Generator(3) }))).toEqual(a);
  });

  it('a generator option leaves the default generator untouched', () => {
    manualSeed(4);
    const a = values(rand(3));
    manualSeed(4);
    randn(100, { generator: new Generator(9) });
    expect(values(rand(3))).toEqual(a);
  });

  it.each([
    ['randn(2, -1)', () => randn(2, -1)],
    ['rand([1.5])', () => rand([1.5])],
    ['zeros(NaN)', () => zeros(NaN)],
    ['normal(0, 1, [-3])', () => normal(0, 1, [-3])],
    ['randint(0, 5, [2, -2])', () => randint(0, 5, [2, -2])],
  ])('%s: ShapeError naming the size', (_name, fn) => {
    expect(fn).toThrow(ShapeError);
    expect(fn).toThrow(/expected a size of non-negative integers, got \[/);
  });

  it('rejects a non-float dtype for randn and extra arguments after an array size', () => {
    expect(() => randn([2], { dtype: 'int32' } as never)).toThrow(/floating dtype/);
    expect(() => randn([2], 3 as never)).toThrow(ArgumentTypeError);
  });
});

describe('randint / randperm / normal', () => {
  it('randint(high, size) is randint(0, high, size); int32 by default, float32 on request', () => {
    manualSeed(1);
    const a = randint(6, [10]);
    manualSeed(1);
    const b = randint(0, 6, [10], { dtype: 'float32' });
    expect(a.dtype).toBe('int32');
    expect(b.dtype).toBe('float32');
    expect(values(a)).toEqual(values(b));
    expect(values(a).every((v) => v >= 0 && v < 6)).toBe(true);
  });

  it('randint low >= high fails like torch', () => {
    expect(() => randint(3, 3, [2])).toThrow(ValueError);
    expect(() => randint(3, 3, [2])).toThrow(/from=3 >= to=3/);
    expect(() => randint(3, 5 as never)).toThrow(ArgumentTypeError);
  });

  it('randperm is a permutation, int32 [n]', () => {
    const p = randperm(50, { generator: new Generator(2) });
    expect(p.shape).toEqual([50]);
    expect(p.dtype).toBe('int32');
    expect([...values(p)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(randperm(0).shape).toEqual([0]);
  });

  it('normal(mean, std, size) shifts and scales; rejects tensor arguments and std < 0', () => {
    const t = normal(3, 0, [4]);
    expect(values(t)).toEqual([3, 3, 3, 3]);
    expect(() => normal(0, -1, [2])).toThrow(/std >= 0.0/);
    expect(() => normal(tf.zeros([2]) as never, 1, [2])).toThrow(ArgumentTypeError);
  });
});

describe('constant factories and *Like', () => {
  it('zeros/ones/full with dtypes', () => {
    expect(zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(values(ones(3))).toEqual([1, 1, 1]);
    const f = full([2, 2], 0.9);
    expect(f.dtype).toBe('float32');
    expect(values(f)).toEqual(Array(4).fill(Math.fround(0.9)));
    expect(full([3], true).dtype).toBe('bool');
    expect(values(full([2], 7, { dtype: 'int32' }))).toEqual([7, 7]);
    expect(() => full([2], 'a' as never)).toThrow(ArgumentTypeError);
  });

  it('*Like copy shape and dtype', () => {
    const x = tf.zeros([2, 3], 'int32');
    expect(zerosLike(x).dtype).toBe('int32');
    expect(onesLike(x, { dtype: 'float32' }).dtype).toBe('float32');
    const f = fullLike(x, 4);
    expect([f.shape, f.dtype, values(f)[5]]).toEqual([[2, 3], 'int32', 4]);
    const g = new Generator(8);
    const r = randnLike(x, { generator: g });
    expect([r.shape, r.dtype]).toEqual([[2, 3], 'float32']);
    expect(values(randnLike(x, { generator: new Generator(8) }))).toEqual(values(r));
    expect(randLike(x).shape).toEqual([2, 3]);
  });
});

describe('tensor(data)', () => {
  it('nested arrays, typed arrays, scalars, booleans, tensors', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([a.shape, a.dtype, values(a)]).toEqual([[2, 3], 'float32', [1, 2, 3, 4, 5, 6]]);
    expect(tensor([0, 1], { dtype: 'int32' }).dtype).toBe('int32');
    expect(tensor(Int32Array.from([1, 2])).dtype).toBe('int32');
    const b = tensor([[true, false]]);
    expect([b.shape, b.dtype, values(b)]).toEqual([[1, 2], 'bool', [1, 0]]);
    const s = tensor(2.5);
    expect([s.shape, values(s)]).toEqual([[], [2.5]]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([Float32Array.from([1, 2]), Float32Array.from([3, 4])]).shape).toEqual([2, 2]);
    const c = tensor(tf.tensor([1.5, 2.5]), { dtype: 'int32' });
    expect([c.dtype, values(c)]).toEqual(['int32', [1, 2]]);
  });

  it('ragged data fails like torch, naming the dim', () => {
    expect(() =>
      tensor([
        [1, 2, 3],
        [4, 5],
      ]),
    ).toThrow(ShapeError);
    expect(() =>
      tensor([
        [1, 2, 3],
        [4, 5],
      ]),
    ).toThrow('expected sequence of length 3 at dim 1 (got 2)');
    expect(() => tensor([[1], 2] as never)).toThrow(/at dim 1 \(got number\)/);
    expect(() => tensor([1, [2]] as never)).toThrow(/expected a number or boolean at depth 1/);
  });
});

describe(`arange matches torch ${fixture.torch_version}`, () => {
  const cases = fixture.cases.find((c) => c.name === 'arange')!.aranges!;
  it.each(cases.map((c) => [`arange(${c.args.join(', ')})`, c] as const))('%s', (_name, c) => {
    const [a, b, s] = c.args;
    const t = c.args.length === 1 ? arange(a) : c.args.length === 2 ? arange(a, b) : arange(a, b, s);
    expect(t.dtype).toBe(c.dtype === 'int64' ? 'int32' : 'float32');
    expect(t.shape).toEqual(c.out.shape);
    const want = Array.from(fixtureData(c.out) as ArrayLike<number>);
    values(t).forEach((v, i) => {
      if (!Object.is(v, want[i])) expect.fail(`element ${i} is ${v}, torch gives ${want[i]}`);
    });
  });

  it('dtype option and errors', () => {
    expect(arange(3, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => arange(0, 1, 0)).toThrow('step must be nonzero');
    expect(() => arange(0, 1, -1)).toThrow(/inconsistent with step sign/);
    expect(() => arange(0, Infinity)).toThrow(ArgumentTypeError);
  });
});

describe('item', () => {
  it('reads one-element tensors of any shape', () => {
    expect(item(tf.scalar(3.5))).toBe(3.5);
    expect(item(tf.tensor([[7]], [1, 1], 'int32'))).toBe(7);
  });

  it('names the shape of anything else', () => {
    expect(() => item(tf.tensor([1, 2]))).toThrow(ShapeError);
    expect(() => item(tf.tensor([1, 2]))).toThrow(
      'item: expected a tensor with one element, got shape [2] (2 elements)',
    );
    expect(() => item(tf.zeros([0]))).toThrow(/got shape \[0\] \(0 elements\)/);
  });
});
