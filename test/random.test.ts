// torch 1.13's CPU generator, bit for bit: every case of test/fixtures/random_ops.json (scripts/fixtures/random_ops.py)
// is replayed call by call and compared exactly (float32 bits, int values), so a case also proves that the
// generator advanced exactly as torch's did.
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../src/errors';
import {
  Generator,
  bernoulliFill,
  defaultGenerator,
  getRngState,
  initialSeed,
  manualSeed,
  normalFill,
  randintFill,
  randpermArray,
  seed,
  setRngState,
  uniformFill,
} from '../src/random';
import { normal, rand, randint, randn, randperm } from '../src/tensor';
import { type FixtureTensor, fixtureData, loadFixture } from './helpers';

interface Digest {
  shape: number[];
  head: FixtureTensor;
  tail: FixtureTensor;
  sum: number;
  weighted_sum: number;
}
interface Call {
  op: string;
  size?: number[];
  n?: number;
  from?: number;
  to?: number;
  mean?: number;
  std?: number;
  low?: number;
  high?: number;
  p?: number;
  default?: boolean;
  out?: FixtureTensor;
  digest?: Digest;
}
interface Case {
  name: string;
  seed?: number;
  seed_str?: string;
  generator_seed_str?: string | null;
  initial_seed?: string;
  state_b64?: string;
  generator_state_b64?: string;
  calls: Call[];
}

const fixture = loadFixture<Case>('random_ops');

/** Runs one fixture call with the library, returning its values and shape. */
function run(call: Call, gen?: Generator): { data: Float32Array | Int32Array; shape: number[] } {
  const g = gen ?? defaultGenerator;
  const opt = { generator: g };
  const tensorOut = (t: tf.Tensor) => {
    const r = { data: t.dataSync() as Float32Array | Int32Array, shape: t.shape };
    t.dispose();
    return r;
  };
  switch (call.op) {
    case 'randn':
      return tensorOut(randn(call.size!, opt));
    case 'rand':
      return tensorOut(rand(call.size!, opt));
    case 'normal':
      return tensorOut(normal(call.mean!, call.std!, call.size!, opt));
    case 'randint':
      return tensorOut(randint(call.low!, call.high!, call.size!, opt));
    case 'randperm':
      return tensorOut(randperm(call.n!, opt));
    case 'uniform':
      return { data: uniformFill(call.n!, call.from, call.to, g), shape: [call.n!] };
    case 'normal_':
      return { data: normalFill(call.n!, call.mean, call.std, g), shape: [call.n!] };
    case 'bernoulli':
      return { data: bernoulliFill(call.n!, call.p!, g), shape: [call.n!] };
    case 'dropout': {
      // What F.dropout does on CPU without MKL: keep where bernoulli_(1 - p) is 1, scale by float32(1 / (1 - p)).
      const n = call.n!;
      const keep = bernoulliFill(n, 1 - call.p!, g);
      const scale = Math.fround(1 / (1 - call.p!));
      return { data: Float32Array.from(keep, (k, i) => Math.fround((i + 1) / 8) * k * scale), shape: [n] };
    }
    default:
      throw new Error(`unknown op ${call.op}`);
  }
}

/** Exact equality (bits for floats), reporting the first differing element. */
function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i} is ${got[i]}, torch gives ${want[i]}`);
  }
}

function check(call: Call, got: { data: ArrayLike<number>; shape: number[] }, what: string): void {
  if (call.out) {
    expect(got.shape, `${what}: shape`).toEqual(call.out.shape);
    expectExact(got.data, fixtureData(call.out) as ArrayLike<number>, what);
    return;
  }
  const d = call.digest!;
  expect(got.shape, `${what}: shape`).toEqual(d.shape);
  const n = got.data.length;
  expectExact(Array.from(got.data).slice(0, 16), fixtureData(d.head) as ArrayLike<number>, `${what} (head)`);
  expectExact(Array.from(got.data).slice(n - 16), fixtureData(d.tail) as ArrayLike<number>, `${what} (tail)`);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += got.data[i];
    weighted += got.data[i] * ((i % 7) + 1);
  }
  expect(sum, `${what}: left-to-right sum of all ${n} values`).toBe(d.sum);
  expect(weighted, `${what}: weighted sum of all ${n} values`).toBe(d.weighted_sum);
}

function b64(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

const describeCall = (c: Call) =>
  `${c.op}(${[c.size && `[${c.size}]`, c.n, c.from, c.to, c.mean, c.std, c.low, c.high, c.p].filter((v) => v !== undefined).join(', ')})`;

describe(`torch ${fixture.torch_version} CPU generator, replayed bit for bit`, () => {
  const seeded = fixture.cases.filter((c) => c.seed !== undefined && c.generator_seed_str === undefined);
  it.each(seeded.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    manualSeed(c.seed!);
    c.calls.forEach((call, i) => check(call, run(call), `${c.name}: call ${i} ${describeCall(call)}`));
    if (c.state_b64) expectExact(getRngState(), b64(c.state_b64), `${c.name}: generator state bytes`);
  });

  it.each(fixture.cases.filter((c) => c.seed_str !== undefined).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    manualSeed(BigInt(c.seed_str!));
    expect(initialSeed()).toBe(BigInt(c.initial_seed!));
    check(c.calls[0], run(c.calls[0]), c.name);
  });

  it('torch.Generator() without a seed starts from 67280421310721', () => {
    const c = fixture.cases.find((x) => x.name === 'torch.Generator() default seed')!;
    const g = new Generator();
    expect(g.initialSeed()).toBe(BigInt(c.initial_seed!));
    check(c.calls[0], run(c.calls[0], g), c.name);
  });

  it('a separate Generator leaves the default one alone', () => {
    const c = fixture.cases.find((x) => x.generator_seed_str === '5')!;
    manualSeed(c.seed!);
    const g = new Generator(5);
    c.calls.forEach((call, i) => check(call, run(call, call.default ? undefined : g), `${c.name}: call ${i}`));
    expectExact(g.getState(), b64(c.generator_state_b64!), 'Generator(5) state bytes');
  });
});

describe('Generator state', () => {
  it('setState with torch bytes continues torch stream', () => {
    const c = fixture.cases.find((x) => x.name === 'randn cache carried across calls')!;
    // state after torch.manual_seed(0) and those calls carries a cached float64 normal
    const g = new Generator(123).setState(b64(c.state_b64!));
    expect(g.initialSeed()).toBe(0n);
    expectExact(g.getState(), b64(c.state_b64!), 'round trip');
    manualSeed(0);
    for (const call of c.calls) run(call);
    expectExact(normalFill(3, 0, 1, g), normalFill(3), 'continuation incl. cached normal');
  });

  it('accepts the legacy 5048-byte layout', () => {
    const g = new Generator(3);
    const legacy = g.getState().slice(0, 5048);
    const a = new Generator(9).setState(legacy);
    expectExact(uniformFill(5, 0, 1, a), uniformFill(5, 0, 1, g), 'after legacy setState');
  });

  it('getRngState/setRngState replay the default generator', () => {
    manualSeed(77);
    randn(5);
    const s = getRngState();
    const a = randn(40).dataSync();
    const b = rand(3).dataSync();
    setRngState(s);
    expectExact(randn(40).dataSync(), a, 'randn after setRngState');
    expectExact(rand(3).dataSync(), b, 'rand after setRngState');
  });

  it('rejects states of the wrong size or an invalid mt19937 state', () => {
    const g = new Generator();
    expect(() => g.setState(new Uint8Array(10))).toThrow(ShapeError);
    expect(() => g.setState(new Uint8Array(10))).toThrow(/5056 bytes .*got 10 bytes/);
    expect(() => g.setState(new Uint8Array(5056))).toThrow(/invalid mt19937 state/);
  });

  it('manualSeed: same seed, same sequence; resets the cached normal', () => {
    manualSeed(5);
    const a = [randn(1).dataSync()[0], randn(3).dataSync(), rand(2).dataSync()];
    manualSeed(5);
    const b = [randn(1).dataSync()[0], randn(3).dataSync(), rand(2).dataSync()];
    expect(b).toEqual(a);
    manualSeed(5);
    randn(1); // leaves a cached normal behind
    manualSeed(5);
    expect(randn(1).dataSync()[0]).toBe(a[0]);
  });

  it('random64 puts the first draw in the high half', () => {
    const g = new Generator(1);
    const hi = g.random();
    const lo = g.random();
    expect(new Generator(1).random64()).toBe((BigInt(hi) << 32n) | BigInt(lo));
  });

  it('seeds: numbers, bigints, negatives; seed() is nondeterministic and reported', () => {
    expect(manualSeed(12n).initialSeed()).toBe(12n);
    expect(manualSeed(-2).initialSeed()).toBe(2n ** 64n - 2n);
    expect(() => manualSeed(2n ** 64n)).toThrow(ValueError);
    expect(() => manualSeed(1.5)).toThrow(/integer seed/);
    expect(() => manualSeed(2 ** 60)).toThrow(/bigint/);
    const s = seed();
    expect(initialSeed()).toBe(s);
    const a = rand(4).dataSync();
    manualSeed(s);
    expectExact(rand(4).dataSync(), a, 'replay of seed()');
  });
});

describe('fill argument checks (torch messages)', () => {
  it.each([
    ['uniform from > to', () => uniformFill(2, 1, 0), /from=1 > to=0/],
    ['normal std < 0', () => normalFill(2, 0, -1), /std >= 0.0, but found std -1/],
    ['randint low >= high', () => randintFill(2, 5, 5), /from=5 >= to=5/],
    ['randint beyond int32', () => randintFill(2, 0, 2 ** 40), /int32/],
    ['bernoulli p > 1', () => bernoulliFill(2, 1.5), /p to be in \[0, 1\], but got p=1.5/],
    ['randperm negative', () => randpermArray(-1), /non-negative/],
    ['negative count', () => uniformFill(-1), /non-negative integer number of elements, got (number )?-1/],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('speed', () => {
  it('fills 1M normals and 1M uniforms quickly', () => {
    const g = new Generator(0);
    normalFill(1 << 16, 0, 1, g); // warm the JIT
    let t = performance.now();
    normalFill(1 << 20, 0, 1, g);
    const normalMs = performance.now() - t;
    t = performance.now();
    uniformFill(1 << 20, 0, 1, g);
    const uniformMs = performance.now() - t;
    // generous bounds: the machines running the tests are shared
    expect(normalMs).toBeLessThan(1000);
    expect(uniformMs).toBeLessThan(300);
  });
});
