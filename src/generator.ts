/**
 * PyTorch 1.13's CPU random generator, bit for bit: mt19937 seeded as torch seeds it, its 32- and 53-bit draws,
 * the cached second normal of the scalar Box-Muller, torch's state bytes (`get_state`/`set_state`), the global
 * default generator and `manualSeed`/`seed`/`initialSeed`/`getRngState`/`setRngState`.
 * How torch's CPU kernels turn these draws into samples is in `random.ts`.
 * @module
 */
import { ShapeError, ValueError } from './errors';
const N = 624;
const M = 397;
// int32 views of the constants: the state lives in an Int32Array so V8 keeps every word a small integer.
const MATRIX_A = 0x9908b0df | 0;
const UMASK = 0x80000000 | 0;
const LMASK = 0x7fffffff;
const UINT64_MAX = (1n << 64n) - 1n;

/** torch's `default_rng_seed_val`: the seed of a `torch.Generator()` made without one. */
const DEFAULT_SEED = 67280421310721n;
/** `sizeof(CPUGeneratorImplState)` and `sizeof(CPUGeneratorImplStateLegacy)` in torch 1.13 on x86-64. */
const STATE_BYTES = 5056;
const LEGACY_STATE_BYTES = 5048;

const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

function toSeed(seed: number | bigint, where: string): bigint {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) {
      throw new ValueError(`${where}: expected an integer seed (a bigint beyond 2^53), got ${seed}`);
    }
    seed = BigInt(seed);
  }
  if (typeof seed !== 'bigint') throw new ValueError(`${where}: expected a number or bigint seed, got ${typeof seed}`);
  // torch reads a seed as uint64, and a negative one as int64 reinterpreted (-1 -> 2^64 - 1).
  if (seed < -(1n << 63n) || seed > UINT64_MAX) {
    throw new ValueError(`${where}: expected a seed in [-2^63, 2^64), got ${seed}`);
  }
  return seed < 0n ? seed + (1n << 64n) : seed;
}

function nondeterministicSeed(): bigint {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else {
    words[0] = (Math.random() * TWO_POW_32) >>> 0;
    words[1] = ((Math.random() * TWO_POW_32) ^ Date.now()) >>> 0;
  }
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * A random number generator with the state and stream of torch's CPU generator (`torch.Generator()`):
 * mt19937 seeded with the low 32 bits of a 64-bit seed, plus the cached second normal of the scalar
 * Box-Muller path. Every random op here takes one as its `generator` option and uses
 * {@link defaultGenerator} otherwise. The package exports it as `RandomGenerator` (`Generator` is the
 * article's DCGAN generator there).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.Generator.html
 *
 * @param seed The initial seed. Default: torch's `67280421310721`, so `new RandomGenerator().random()` is
 *   `torch.Generator()`'s first draw.
 *
 * @example
 * ```ts
 * const g = new RandomGenerator(42);
 * const a = randn([2, 3], { generator: g });   // torch.randn(2, 3, generator=torch.Generator().manual_seed(42))
 * ```
 */
export class Generator {
  private readonly mt = new Int32Array(N);
  private left = 1;
  private next = 0;
  private seed_ = 0n;
  /**
   * The cached second value of the float64 Box-Muller pair (torch's `next_double_normal_sample`).
   * @internal
   */
  nextDoubleNormal: number | null = null;
  /**
   * torch's `next_float_normal_sample`: no 1.13 CPU kernel reads it, but the state bytes carry it.
   * @internal
   */
  nextFloatNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Re-seeds the generator and forgets any cached normal, as `torch.Generator.manual_seed` does.
   * @param seed An integer in [-2^63, 2^64); a negative seed is read as its two's complement.
   * @returns `this`.
   */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed, 'Generator.manualSeed');
    this.seed_ = s;
    const mt = this.mt;
    mt[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = mt[j - 1] ^ (mt[j - 1] >>> 30);
      mt[j] = (Math.imul(1812433253, prev) + j) | 0;
    }
    this.left = 1;
    this.next = 0;
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    return this;
  }

  /** The seed last set (torch's `initial_seed()`), as an unsigned 64-bit bigint. */
  initialSeed(): bigint {
    return this.seed_;
  }

  /** Seeds the generator from a nondeterministic source (crypto) and returns that seed, as `Generator.seed()`. */
  seed(): bigint {
    const s = nondeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /**
   * The state in torch's byte layout (`torch.get_rng_state()` / `Generator.get_state()`, 5056 bytes), so a
   * state saved from torch (`bytes(torch.get_rng_state().numpy())`) loads here and the other way round.
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this.seed_, true);
    v.setInt32(8, this.left, true);
    v.setInt32(12, 1, true);
    v.setBigUint64(16, BigInt(this.next), true);
    for (let i = 0; i < N; i++) v.setUint32(24 + 8 * i, this.mt[i] >>> 0, true);
    if (this.nextDoubleNormal !== null) {
      v.setFloat64(5024, this.nextDoubleNormal, true);
      v.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      v.setFloat32(5048, this.nextFloatNormal, true);
      bytes[5052] = 1;
    }
    return bytes;
  }

  /**
   * Restores a state from {@link Generator.getState} or from torch (`torch.get_rng_state()`), either the
   * current 5056-byte layout or the legacy 5048-byte one.
   * @param state The state bytes.
   * @returns `this`.
   */
  setState(state: Uint8Array | ArrayLike<number>): this {
    const bytes = state instanceof Uint8Array ? state : Uint8Array.from(state);
    if (bytes.length !== STATE_BYTES && bytes.length !== LEGACY_STATE_BYTES) {
      throw new ShapeError(
        `Generator.setState: expected a state of ${STATE_BYTES} bytes (or the legacy ${LEGACY_STATE_BYTES}), ` +
          `got ${bytes.length} bytes`,
      );
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = v.getInt32(8, true);
    const seeded = v.getInt32(12, true);
    const next = v.getBigUint64(16, true);
    if (seeded === 0 || left <= 0 || left > N || next > BigInt(N)) {
      throw new ValueError(
        `Generator.setState: invalid mt19937 state (seeded=${seeded}, left=${left}, next=${next}; ` +
          `expected seeded != 0, 0 < left <= ${N}, next <= ${N})`,
      );
    }
    this.seed_ = v.getBigUint64(0, true);
    this.left = left;
    this.next = Number(next);
    // torch's legacy layout keeps each 32-bit word in a uint64 and copies the low half.
    for (let i = 0; i < N; i++) this.mt[i] = v.getInt32(24 + 8 * i, true);
    this.nextDoubleNormal = v.getInt32(5040, true) !== 0 ? v.getFloat64(5024, true) : null;
    this.nextFloatNormal = bytes.length === STATE_BYTES && bytes[5052] !== 0 ? v.getFloat32(5048, true) : null;
    return this;
  }

  /** The next 32-bit draw, as an unsigned integer in [0, 2^32) (torch's `random()`). */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.mt[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * The next `n` draws into `dst[0 .. n)`, the same stream as `n` calls of {@link Generator.random}.
   * @internal
   */
  fillRandom(dst: Uint32Array, n: number): void {
    const mt = this.mt;
    let left = this.left;
    let next = this.next;
    let i = 0;
    while (i < n) {
      // `random()` twists when `--left` reaches 0: `left - 1` draws are available before the next twist.
      if (left === 1) {
        this.twist();
        left = N + 1;
        next = 0;
      }
      const k = Math.min(left - 1, n - i);
      for (let j = 0; j < k; j++) {
        let y = mt[next + j];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        dst[i + j] = y;
      }
      i += k;
      next += k;
      left -= k;
    }
    this.left = left;
    this.next = next;
  }

  /**
   * Fills `out` with Bernoulli(`p`) samples, the same as `out[i] = random53() < p ? 1 : 0` for each element in
   * turn (torch's CPU `bernoulli_(p)`), with integer comparisons: `u53 < p` is `hi21 * 2^32 + lo < p * 2^53`
   * (exact: scaling by a power of two), decided by the high word alone except when it equals the threshold's
   * (about once in 2^21 draws), so the low word is tempered only then, and no branch depends on the outcome.
   * A success is written as `value`.
   * @internal
   */
  fillBernoulli(out: Float32Array, p: number, value = 1): void {
    const threshold = p * TWO_POW_53;
    const hiT = Math.floor(threshold / TWO_POW_32);
    const loT = threshold - hiT * TWO_POW_32;
    const mt = this.mt;
    const n = out.length;
    let i = 0;
    while (i < n) {
      // `left - 1` draws remain before the next twist; a pair that straddles it goes through random().
      const pairs = Math.min((this.left - 1) >> 1, n - i);
      if (pairs === 0) {
        const hi = this.random() & 0x1fffff;
        const lo = this.random();
        out[i++] = hi < hiT || (hi === hiT && lo < loT) ? value : 0;
        continue;
      }
      let next = this.next;
      for (let j = 0; j < pairs; j++, next += 2) {
        let y = mt[next];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        const hi = y & 0x1fffff;
        let bit = (hi - hiT) >>> 31;
        if (hi === hiT) {
          let z = mt[next + 1];
          z ^= z >>> 11;
          z ^= (z << 7) & 0x9d2c5680;
          z ^= (z << 15) & 0xefc60000;
          z ^= z >>> 18;
          bit = z >>> 0 < loT ? 1 : 0;
        }
        out[i + j] = bit * value;
      }
      this.next = next;
      this.left -= 2 * pairs;
      i += pairs;
    }
  }

  /** Two draws as one unsigned 64-bit value, the first draw in the high half (torch's `random64()`). */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * `uniform_real_distribution<double>(0, 1)`: the low 53 bits of `random64()` times 2^-53, without BigInt.
   * @internal
   */
  random53(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  private twist(): void {
    const mt = this.mt;
    let k = 0;
    // `-(bit) & MATRIX_A` instead of `bit ? MATRIX_A : 0`: the bit is random, and a branch on it mispredicts half
    // the time.
    for (; k < N - M; k++) {
      const y = (mt[k] & UMASK) | (mt[k + 1] & LMASK);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ (-(mt[k + 1] & 1) & MATRIX_A);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k] & UMASK) | (mt[k + 1] & LMASK);
      mt[k] = mt[k + M - N] ^ (y >>> 1) ^ (-(mt[k + 1] & 1) & MATRIX_A);
    }
    const y = (mt[N - 1] & UMASK) | (mt[0] & LMASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(mt[0] & 1) & MATRIX_A);
    this.left = N;
    this.next = 0;
  }
}

/**
 * The generator every random op uses when not given one (torch's `default_generator`). Like torch's, it
 * starts from a nondeterministic seed; call {@link manualSeed} for reproducible runs.
 */
export const defaultGenerator: Generator = new Generator(nondeterministicSeed());

/**
 * Seeds the default generator, as `torch.manual_seed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.manual_seed.html
 *
 * @param seed An integer in [-2^63, 2^64) (number or bigint).
 * @returns The default generator.
 * @example
 * ```ts
 * manualSeed(0);
 * const z = randn(3, 4); // torch.manual_seed(0); torch.randn(3, 4)
 * ```
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/**
 * Seeds the default generator nondeterministically and returns the seed, as `torch.seed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.seed.html
 *
 * @example
 * ```ts
 * const s = seed(); // log it to replay the run with manualSeed(s)
 * ```
 */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/**
 * The default generator's seed, as `torch.initial_seed`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.initial_seed.html
 *
 * @example
 * ```ts
 * manualSeed(7);
 * initialSeed(); // 7n
 * ```
 */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/**
 * The default generator's state in torch's 5056-byte layout, as `torch.get_rng_state`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.get_rng_state.html
 *
 * @example
 * ```ts
 * const s = getRngState();
 * const a = rand(3);
 * setRngState(s);
 * const b = rand(3); // same numbers as a
 * ```
 */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/**
 * Restores the default generator's state, as `torch.set_rng_state`.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.set_rng_state.html
 *
 * @param state Bytes from {@link getRngState} or from `torch.get_rng_state()` (5056 or legacy 5048 bytes).
 * @example
 * ```ts
 * setRngState(getRngState());
 * ```
 */
export function setRngState(state: Uint8Array | ArrayLike<number>): void {
  defaultGenerator.setState(state);
}
