/**
 * Torch-exact random numbers: PyTorch 1.13's CPU generator (mt19937) and the way its CPU kernels turn
 * its draws into uniform, normal, integer, permutation and Bernoulli samples, bit for bit in float32.
 *
 * `manualSeed(0)` followed by `randn([3, 4])` (src/tensor.ts) gives `torch.manual_seed(0); torch.randn(3, 4)`.
 *
 * What "torch's numbers" means here, per kernel (aten/src/ATen/native/cpu/DistributionTemplates.h):
 * - uniform_ (float32): one 32-bit draw per element, `x = (r & 0xFFFFFF) * 2^-24`, then
 *   `fma(x, to - from, from)` in float32 (the kernel is built with FMA contraction).
 * - normal_ on 16 or more contiguous float32 elements: uniforms for the whole tensor, then Box-Muller on
 *   blocks of 16 (first 8 give the radii, last 8 the angles) with the AVX2 kernel's Cephes log/sincos;
 *   a tail that is not a multiple of 16 redraws the last 16 uniforms and transforms them again.
 *   This is the path x86-64 CPUs with AVX2 take (torch 1.13 reports `CPU capability usage: AVX2`);
 *   ARM builds and `ATEN_CPU_CAPABILITY=default` use libm instead and differ in the last bits.
 * - normal_ on fewer than 16 elements: scalar Box-Muller in float64 from 53-bit draws, the second value
 *   of each pair cached in the generator across calls, cast to float32 at the end.
 * - random_(from, to) (`randint`): `r % range + from` with one 32-bit draw (two when `range >= 2^32`).
 * - randperm(n): Fisher-Yates with `r % (n - i)`.
 * - bernoulli_(p) with a float `p` (what dropout uses on CPU): `u53 < p` per element. Torch builds with MKL
 *   (the pip wheels) take an MKL path instead; builds without MKL (Debian's, which the fixtures come from)
 *   match this one bit for bit.
 * @module
 */
import { MAX_SIZE, describeValue } from './args';
import { ShapeError, ValueError } from './errors';
import { type Generator, defaultGenerator } from './generator';

export {
  Generator,
  defaultGenerator,
  getRngState,
  initialSeed,
  manualSeed,
  seed,
  setRngState,
} from './generator';

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_32 = 2 ** 32;

// ---------------------------------------------------------------------------------------------------------
// float32 arithmetic as the AVX2 kernels do it

const f32 = Math.fround;

/**
 * `fmaf(a, b, c)` for float32 `a`, `b`, `c`: `a * b` is exact in float64, and the float64 sum `s` is rounded
 * once more to float32. That second rounding can only go wrong when `s` lands exactly halfway between two
 * floats (`r` and `2s - r`); {@link fmafTie} then settles it with the exact error of the sum. Kept tiny so
 * V8 inlines it into the loops below.
 */
function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  const r = f32(s);
  const other = 2 * s - r;
  return other === r || f32(other) !== other ? r : fmafTie(a * b, c, s, r, other);
}

function fmafTie(p: number, c: number, s: number, r: number, other: number): number {
  const bb = s - p;
  const err = p - (s - bb) + (c - bb); // exact: p + c = s + err
  if (err === 0) return r;
  return err > 0 === other > r ? other : r;
}

const SQRTHF = f32(0.707106781186547524);
const LOG_P0 = f32(7.0376836292e-2);
const LOG_P1 = f32(-1.151461031e-1);
const LOG_P2 = f32(1.167699874e-1);
const LOG_P3 = f32(-1.2420140846e-1);
const LOG_P4 = f32(1.4249322787e-1);
const LOG_P5 = f32(-1.6668057665e-1);
const LOG_P6 = f32(2.0000714765e-1);
const LOG_P7 = f32(-2.4999993993e-1);
const LOG_P8 = f32(3.3333331174e-1);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);
const FOPI = f32(1.27323954473516);
const DP1 = f32(-0.78515625);
const DP2 = f32(-2.4187564849853515625e-4);
const DP3 = f32(-3.77489497744594108e-8);
const SIN_P0 = f32(-1.9515295891e-4);
const SIN_P1 = f32(8.3321608736e-3);
const SIN_P2 = f32(-1.6666654611e-1);
const COS_P0 = f32(2.443315711809948e-5);
const COS_P1 = f32(-1.388731625493765e-3);
const COS_P2 = f32(4.166664568298827e-2);
const TWO_PI_F = f32(2 * Math.PI);
const POW2_NEG = Float64Array.from({ length: 32 }, (_, i) => 2 ** -i);

// `normal_fill_16_AVX2` on blocks of 16 uniforms `k * 2^-24`: radii from the first 8, angles from the last 8.
// avx_mathfun.h writes separate _mm256_mul_ps/_mm256_add_ps, but torch's AVX2 kernels are built with -mfma
// and GCC contracts a product into the add or subtract that is its only use (when both operands of an add
// are products, the earlier one: `y*z + e*q1` becomes `fma(y, z, round(e*q1))`). The fmaf calls below sit
// exactly where that happens; plain float32 steps elsewhere. Checked against torch on millions of values.
// Two passes over the blocks (radii in place, then angles) keep each loop small enough for V8 to inline
// every fmaf.

/**
 * `data[j] = sqrt(-2 * log(1 - data[j]))` for the first 8 slots of each block of 16 in `data[start .. end)`,
 * with `log256_ps` of ATen's avx_mathfun.h (Cephes logf) and the multiply-adds GCC contracts into FMAs.
 */
function boxMullerRadii(data: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const j = i + ((i - start) & ~7); // 8 radius slots, skip the 8 angle slots
    const m = 16777216 - data[j] * 16777216; // (1 - u) * 2^24, an integer in [1, 2^24]
    const ex = 31 - Math.clz32(m) - 24; // 1 - u = x * 2^(ex + 1), x in [0.5, 1)
    let x = m * POW2_NEG[25 + ex];
    let e = ex + 1;
    let tmp = 0;
    if (x < SQRTHF) {
      e -= 1;
      tmp = x;
    }
    x = f32(x - 1 + tmp);
    const z = f32(x * x);
    let y = fmaf(LOG_P0, x, LOG_P1);
    y = fmaf(y, x, LOG_P2);
    y = fmaf(y, x, LOG_P3);
    y = fmaf(y, x, LOG_P4);
    y = fmaf(y, x, LOG_P5);
    y = fmaf(y, x, LOG_P6);
    y = fmaf(y, x, LOG_P7);
    y = fmaf(y, x, LOG_P8);
    y = fmaf(f32(y * x), z, f32(e * LOG_Q1));
    y = f32(y - z * 0.5);
    const log = f32(f32(x + y) + e * LOG_Q2);
    data[j] = Math.sqrt(-2 * log);
  }
}

/**
 * `data[j], data[j + 8] = r cos(t), r sin(t)` (times `std` plus `mean`) with `r = data[j]` and
 * `t = 2 pi data[j + 8]`, for each block of 16 in `data[start .. end)`, by `sincos256_ps` of ATen's
 * avx_mathfun.h (Cephes sinf/cosf, FMA-contracted).
 */
function boxMullerAngles(data: Float32Array, start: number, end: number, mean: number, std: number): void {
  for (let i = start; i < end; i++) {
    const j = i + ((i - start) & ~7);
    const radius = data[j];
    let x = f32(TWO_PI_F * data[j + 8]);
    const q = (f32(x * FOPI) + 1) & ~1; // octant, rounded up to even (x >= 0)
    x = fmaf(q, DP1, x);
    x = fmaf(q, DP2, x);
    x = fmaf(q, DP3, x);
    const z = f32(x * x);
    let yc = fmaf(COS_P0, z, COS_P1);
    yc = fmaf(yc, z, COS_P2);
    yc = f32(fmaf(f32(yc * z), z, -f32(z * 0.5)) + 1);
    let ys = fmaf(SIN_P0, z, SIN_P1);
    ys = fmaf(ys, z, SIN_P2);
    ys = fmaf(f32(ys * z), x, x);
    const swap = (q & 2) !== 0;
    let sin = swap ? yc : ys;
    let cos = swap ? ys : yc;
    if (q & 4) sin = -sin;
    if (((q - 2) & 4) === 0) cos = -cos;
    if (std === 1) {
      data[j] = f32(radius * cos) + mean; // fma(n, 1, mean), also turning -0 into +0 as the FMA does
      data[j + 8] = f32(radius * sin) + mean;
    } else {
      data[j] = fmaf(f32(radius * cos), std, mean);
      data[j + 8] = fmaf(f32(radius * sin), std, mean);
    }
  }
}

const CHUNK = 4096;
const scratch = new Uint32Array(CHUNK);

/** `out[start .. end)` = float32 `uniform(0, 1)` draws, `(r & 0xFFFFFF) * 2^-24`. */
function drawUnit24(gen: Generator, out: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i += CHUNK) {
    const k = Math.min(CHUNK, end - i);
    gen.fillRandom(scratch, k);
    for (let j = 0; j < k; j++) out[i + j] = (scratch[j] & 0xffffff) * TWO_POW_M24;
  }
}

// ---------------------------------------------------------------------------------------------------------
// fills

function checkCount(n: number, where: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ShapeError(`${where}: expected a non-negative integer number of elements, got ${describeValue(n)}`);
  }
  if (n > MAX_SIZE) {
    throw new ValueError(`${where}: ${n} elements, more than ${MAX_SIZE} (tfjs's int32 limit on a tensor's size)`);
  }
}

/**
 * `n` float32 samples of U[from, to), drawn as torch's `uniform_` draws them (one 32-bit draw each).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.uniform_.html
 *
 * @param n Number of samples.
 * @param from Lower bound. Default: `0`.
 * @param to Upper bound (exclusive). Default: `1`.
 * @param gen Generator. Default: {@link defaultGenerator}.
 * @example
 * ```ts
 * manualSeed(0);
 * uniformFill(4, -0.1, 0.1); // torch.manual_seed(0); torch.empty(4).uniform_(-0.1, 0.1)
 * ```
 */
export function uniformFill(n: number, from = 0, to = 1, gen: Generator = defaultGenerator): Float32Array {
  checkCount(n, 'uniformFill');
  if (!(from <= to)) {
    throw new ValueError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  if (to - from > 3.4028234663852886e38) {
    throw new ValueError(`uniform_ expects to-from <= float32 max, but found to=${to} and from=${from}`);
  }
  const lo = f32(from);
  const range = f32(f32(to) - lo);
  const out = new Float32Array(n);
  drawUnit24(gen, out, 0, n);
  if (lo !== 0 || range !== 1) for (let i = 0; i < n; i++) out[i] = fmaf(out[i], range, lo);
  return out;
}

/**
 * `n` float32 samples of N(mean, std^2), drawn as torch's `normal_` draws them for a contiguous float32
 * tensor of `n` elements (vectorised Box-Muller from 16 elements up, cached scalar Box-Muller below).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.normal_.html
 *
 * @param n Number of samples.
 * @param mean Mean. Default: `0`.
 * @param std Standard deviation, `>= 0`. Default: `1`.
 * @param gen Generator. Default: {@link defaultGenerator}.
 * @example
 * ```ts
 * manualSeed(0);
 * normalFill(100, 0, 0.02); // torch.manual_seed(0); torch.empty(100).normal_(0, 0.02)
 * ```
 */
export function normalFill(n: number, mean = 0, std = 1, gen: Generator = defaultGenerator): Float32Array {
  checkCount(n, 'normalFill');
  if (!(std >= 0)) throw new ValueError(`normal expects std >= 0.0, but found std ${std}`);
  const out = new Float32Array(n);
  if (n >= 16) {
    const m = f32(mean);
    const s = f32(std);
    drawUnit24(gen, out, 0, n);
    const whole = n - (n % 16);
    boxMullerRadii(out, 0, whole / 2);
    boxMullerAngles(out, 0, whole / 2, m, s);
    if (n % 16 !== 0) {
      // torch redraws the last 16 uniforms (over normals already written) and transforms them again
      drawUnit24(gen, out, n - 16, n);
      boxMullerRadii(out, n - 16, n - 8);
      boxMullerAngles(out, n - 16, n - 8, m, s);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let z: number;
    if (gen.nextDoubleNormal !== null) {
      z = gen.nextDoubleNormal;
      gen.nextDoubleNormal = null;
    } else {
      const u1 = gen.random53();
      const u2 = gen.random53();
      const r = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      gen.nextDoubleNormal = r * Math.sin(theta);
      z = r * Math.cos(theta);
    }
    // torch fuses this into one float64 FMA; the float32 cast hides the difference (mean 0, std 1: exact).
    out[i] = z * std + mean;
  }
  return out;
}

/**
 * `n` integers uniform in [low, high), drawn as torch's `random_(low, high)` / `randint` draws int64
 * (`r % (high - low) + low`, one 32-bit draw each, two when the range reaches 2^32).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randint.html
 *
 * @param n Number of samples.
 * @param low Lowest value (inclusive), an integer `>= -2^31`.
 * @param high One above the highest value, an integer `<= 2^31`, `> low`.
 * @param gen Generator. Default: {@link defaultGenerator}.
 * @example
 * ```ts
 * manualSeed(0);
 * randintFill(50, 0, 10); // torch.manual_seed(0); torch.randint(0, 10, (50,))
 * ```
 */
export function randintFill(n: number, low: number, high: number, gen: Generator = defaultGenerator): Int32Array {
  checkCount(n, 'randintFill');
  if (!Number.isInteger(low) || !Number.isInteger(high)) {
    throw new ValueError(`randint: expected integer bounds, got low=${low}, high=${high}`);
  }
  if (low < -TWO_POW_32 / 2 || high > TWO_POW_32 / 2) {
    throw new ValueError(`randint: expected bounds within int32 ([-2^31, 2^31]), got low=${low}, high=${high}`);
  }
  if (!(low < high)) {
    throw new ValueError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  }
  const range = high - low;
  const out = new Int32Array(n);
  if (range < TWO_POW_32) {
    for (let i = 0; i < n; i++) out[i] = (gen.random() % range) + low;
  } else {
    const r = BigInt(range);
    for (let i = 0; i < n; i++) out[i] = Number(gen.random64() % r) + low;
  }
  return out;
}

/**
 * A random permutation of `0 .. n-1`, as torch 1.13's CPU `randperm` (Fisher-Yates, one 32-bit draw per
 * swap).
 *
 * See https://pytorch.org/docs/1.13/generated/torch.randperm.html
 *
 * @param n Length, a non-negative integer below 2^31.
 * @param gen Generator. Default: {@link defaultGenerator}.
 * @example
 * ```ts
 * manualSeed(0);
 * randpermArray(10); // torch.manual_seed(0); torch.randperm(10)
 * ```
 */
export function randpermArray(n: number, gen: Generator = defaultGenerator): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n >= TWO_POW_32 / 2) {
    throw new ValueError(`randperm: n must be a non-negative integer below 2^31, got ${describeValue(n)}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (gen.random() % (n - i));
    const t = out[i];
    out[i] = out[z];
    out[z] = t;
  }
  return out;
}

/**
 * `n` float32 Bernoulli(p) samples (1 with probability `p`), drawn as torch's CPU `bernoulli_(p)` for a
 * float `p` without MKL: `u < p` with `u` from 53 bits (two draws per element). `F.dropout(x, q)` keeps
 * the elements where `bernoulliFill(n, 1 - q)` is 1.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bernoulli_.html
 *
 * @param n Number of samples.
 * @param p Probability of a 1, in [0, 1].
 * @param gen Generator. Default: {@link defaultGenerator}.
 * @param value What a 1 is written as (dropout's `1 / (1 - q)`, rounded to float32 as `mask * scale` would be).
 *   Default: `1`.
 * @example
 * ```ts
 * manualSeed(0);
 * bernoulliFill(8, 0.5); // torch.manual_seed(0); torch.empty(8).bernoulli_(0.5)
 * ```
 */
export function bernoulliFill(n: number, p: number, gen: Generator = defaultGenerator, value = 1): Float32Array {
  checkCount(n, 'bernoulliFill');
  if (!(p >= 0 && p <= 1)) throw new ValueError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`bernoulliFill: value must be a finite number, got ${value}`);
  }
  const out = new Float32Array(n);
  gen.fillBernoulli(out, p, value);
  return out;
}

/**
 * One draw of torch's `multinomial_with_replacement` CPU kernel: the first index whose normalised cumulative weight
 * is not below a 53-bit uniform (a binary search). Used by `torch.multinomial` (float32 weights) and
 * `WeightedRandomSampler` (float64 weights).
 * @param cum normalised cumulative weights, non-decreasing, the last one exactly 1.
 * @param gen the generator to draw the uniform from.
 * @example
 * ```ts
 * const k = drawCumulative(Float64Array.from([0.25, 0.5, 1]), defaultGenerator); // 0, 1 or 2
 * ```
 */
export function drawCumulative(cum: Float32Array | Float64Array, gen: Generator): number {
  const u = gen.random53();
  let lo = 0;
  let hi = cum.length;
  while (hi - lo > 0) {
    const mid = lo + ((hi - lo) >> 1);
    if (cum[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
