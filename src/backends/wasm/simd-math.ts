/**
 * Vector math for the hand-assembled WebAssembly SIMD modules (`cross-entropy.ts`, `lstm-cell.ts`), built on
 * `simd.ts`'s assembler: `exp` (Cephes' `expf`: range reduction by `ln 2` in two parts, a degree-5 polynomial, the
 * power of two built in the exponent bits; within 1 ulp of `Math.exp` on [-87.3, 88.3], exactly 0 below), `sigmoid`
 * as `1 / (1 + exp(-x))`, and `tanh` (Cephes' `tanhf`: an odd polynomial below 0.625, `1 - 2 / (exp(2|x|) + 1)` with
 * the sign above), four floats at a time. Each generator reads its argument from a v128 local and leaves the result
 * on the stack; NaN stays NaN.
 * @module
 */
import { asm } from './simd';

const { get, set, tee, i32c, simd } = asm;

/** A v128 constant of four equal float32 lanes. */
export const f32x4 = (v: number): number[] => simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
/** A v128 constant of four equal int32 lanes. */
export const i32x4 = (v: number): number[] => simd(0x0c, ...new Uint8Array(new Int32Array([v, v, v, v]).buffer));

/** SIMD and scalar instructions beyond those `simd.ts` exports. */
export const op = {
  F32X4_SPLAT: simd(0x13),
  F32X4_LT: simd(0x43),
  V128_AND: simd(0x4e),
  V128_ANDNOT: simd(0x4f),
  V128_OR: simd(0x50),
  BITSELECT: simd(0x52),
  F64X2_PROMOTE_LOW: simd(0x5f),
  F32X4_NEAREST: simd(0x6a),
  I32X4_SHL: simd(0xab),
  I32X4_ADD: simd(0xae),
  F32X4_ABS: simd(0xe0),
  F32X4_NEG: simd(0xe1),
  F32X4_ADD: simd(0xe4),
  F32X4_SUB: simd(0xe5),
  F32X4_MUL: simd(0xe6),
  F32X4_DIV: simd(0xe7),
  F32X4_MIN: simd(0xe8),
  F32X4_MAX: simd(0xe9),
  F64X2_ADD: simd(0xf0),
  I32X4_TRUNC_SAT_F32X4_S: simd(0xf8),
  F32X4_EXTRACT: (lane: number) => simd(0x1f, lane),
  F64X2_EXTRACT: (lane: number) => simd(0x21, lane),
  SHUFFLE_HIGH_TO_LOW: simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
  F32_MAX: [0x97],
  F64_ADD: [0xa0],
};

const { F32X4_LT, V128_ANDNOT, F32X4_NEAREST, I32X4_SHL, I32X4_ADD, F32X4_ADD, F32X4_SUB, F32X4_MUL, F32X4_MIN } = op;
const { F32X4_MAX, I32X4_TRUNC_SAT_F32X4_S, F32X4_NEG, F32X4_DIV, F32X4_ABS, V128_AND, V128_OR, BITSELECT } = op;

/** Scratch v128 locals that the generators need: 3 for `exp`, 4 for `sigmoid`, 6 for `tanh`. */
export interface Scratch {
  v: number;
  xc: number;
  n: number;
  r: number;
  a: number;
  z: number;
}

/** Below this, `exp` is 0 (the smallest normal float's exponent); above `EXP_HI` it overflows. */
export const EXP_LO = -87.33654;
export const EXP_HI = 88.37626;

/**
 * `exp(v)` for the v128 in local `v`, left on the stack (Cephes' expf). Scratch v128 locals: `xc`, `n`, `r`.
 * NaN stays NaN; below {@link EXP_LO} gives +0.
 */
export function expOf(v: number, xc: number, n: number, r: number): number[] {
  return [
    // xc = clamp(v); n = nearest(xc * log2(e)); r = xc - n * ln2 (in two parts: n * C1 is exact)
    ...get(v),
    ...f32x4(EXP_LO),
    ...F32X4_MAX,
    ...f32x4(EXP_HI),
    ...F32X4_MIN,
    ...tee(xc),
    ...f32x4(Math.LOG2E),
    ...F32X4_MUL,
    ...F32X4_NEAREST,
    ...set(n),
    ...get(xc),
    ...get(n),
    ...f32x4(0.693359375),
    ...F32X4_MUL,
    ...F32X4_SUB,
    ...get(n),
    ...f32x4(-2.1219444e-4),
    ...F32X4_MUL,
    ...F32X4_SUB,
    ...set(r),
    // p(r) = ((((p0 r + p1) r + p2) r + p3) r + p4) r + p5; exp(r) = p r² + r + 1
    ...f32x4(1.98756915e-4),
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(1.3981999507e-3),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(8.3334519073e-3),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(4.1665795894e-2),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(1.6666665459e-1),
    ...F32X4_ADD,
    ...get(r),
    ...F32X4_MUL,
    ...f32x4(5.0000001201e-1),
    ...F32X4_ADD,
    ...get(r),
    ...get(r),
    ...F32X4_MUL,
    ...F32X4_MUL,
    ...get(r),
    ...F32X4_ADD,
    ...f32x4(1),
    ...F32X4_ADD,
    // * 2^n, built in the exponent bits
    ...get(n),
    ...I32X4_TRUNC_SAT_F32X4_S,
    ...i32x4(127),
    ...I32X4_ADD,
    ...i32c(23),
    ...I32X4_SHL,
    ...F32X4_MUL,
    // exactly 0 below the range (NaN compares false and stays NaN)
    ...get(v),
    ...f32x4(EXP_LO),
    ...F32X4_LT,
    ...V128_ANDNOT,
  ];
}

/** A loop over byte offsets `i = 0, 16, ...` below `bytes` (locals), running `body` each time (simd.ts's). */
export const loop16 = asm.loopBytes16;

/** `sigmoid(x)` for the v128 in local `x`: `1 / (1 + exp(-x))`. Uses `s.v`, `s.xc`, `s.n`, `s.r`. */
export function sigmoidOf(x: number, s: Scratch): number[] {
  return [
    ...f32x4(1),
    ...get(x),
    ...F32X4_NEG,
    ...set(s.v),
    ...expOf(s.v, s.xc, s.n, s.r),
    ...f32x4(1),
    ...F32X4_ADD,
    ...F32X4_DIV,
  ];
}

/** `tanh(x)` for the v128 in local `x` (Cephes' `tanhf`). Uses every local of `s`. */
export function tanhOf(x: number, s: Scratch): number[] {
  const poly = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
  return [
    ...get(x),
    ...F32X4_ABS,
    ...set(s.a),
    // |x| < 0.625: x + x z p(z), z = x²
    ...get(x),
    ...get(x),
    ...F32X4_MUL,
    ...set(s.z),
    ...f32x4(poly[0]),
    ...poly.slice(1).flatMap((c) => [...get(s.z), ...F32X4_MUL, ...f32x4(c), ...F32X4_ADD]),
    ...get(s.z),
    ...F32X4_MUL,
    ...get(x),
    ...F32X4_MUL,
    ...get(x),
    ...F32X4_ADD,
    // else: sign(x) (1 - 2 / (exp(2|x|) + 1))
    ...f32x4(1),
    ...f32x4(2),
    ...get(s.a),
    ...get(s.a),
    ...F32X4_ADD,
    ...set(s.v),
    ...expOf(s.v, s.xc, s.n, s.r),
    ...f32x4(1),
    ...F32X4_ADD,
    ...F32X4_DIV,
    ...F32X4_SUB,
    ...get(x),
    ...i32x4(-0x80000000),
    ...V128_AND,
    ...V128_OR,
    // pick
    ...get(s.a),
    ...f32x4(0.625),
    ...F32X4_LT,
    ...BITSELECT,
  ];
}

/** `ptr + i` for a pointer local and the byte-offset local `i`. */
export const at = asm.at;

/** Converts the float count in local `n` to bytes, in place. */
export const toBytes = (n: number): number[] => [...get(n), ...i32c(2), 0x74 /* i32.shl */, ...set(n)];
