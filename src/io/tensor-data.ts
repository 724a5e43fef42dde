/**
 * {@link TensorData}, a tensor as a file holds it (dtype, shape, a contiguous typed array), and its dtypes:
 * element sizes and torch's storage names, shape checks for what files declare, the float16/bfloat16 bit
 * conversions, and storing numbers as a dtype.
 * @module
 */

import { FormatError, ValueError } from '../errors';

/** Element types a {@link TensorData} can hold, named as torch names them (`torch.float32`, ...). */
export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** The typed arrays behind {@link TensorData}, one per dtype (float16 and bfloat16 keep raw bits). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/**
 * A tensor as a file holds it: dtype, shape, and its elements contiguous in C (row-major) order.
 *
 * `data` is a `Float32Array` (float32), `Float64Array` (float64), `Uint16Array` of IEEE half bits
 * (float16) or of bfloat16 bits (bfloat16), `BigInt64Array` (int64), `Int32Array`, `Int16Array`,
 * `Int8Array`, `Uint8Array` (uint8; bool as 0/1). Convert with {@link toTfTensor} / {@link fromTfTensor}.
 *
 * @example
 * ```ts
 * const w: TensorData = { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) };
 * ```
 */
export interface TensorData {
  /** Element type, torch's name. */
  dtype: DType;
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
  /** The elements, contiguous in C order: `shape`'s product of them. */
  data: TensorArray;
}

/**
 * What {@link DTYPES} holds per dtype.
 * @example
 * ```ts
 * const info: DTypeInfo = DTYPES.float32; // { itemsize: 4, storage: 'FloatStorage', make }
 * ```
 */
export interface DTypeInfo {
  /** Bytes per element (torch's `element_size()`). */
  itemsize: number;
  /** torch's storage class name, as a file's persistent ids name it (`'FloatStorage'`, `'LongStorage'`, ...). */
  storage: string;
  /**
   * A typed array over `buffer` (no copy): `Uint16Array` holds float16/bfloat16 bits, `Uint8Array` bool.
   * @param buffer the bytes.
   * @param offset byte offset of the first element (a multiple of `itemsize`). Default: `0`.
   * @param length number of elements. Default: to the end of `buffer`.
   */
  make(buffer: ArrayBuffer, offset?: number, length?: number): TensorArray;
}

/**
 * Per dtype: element size, torch's storage class (what a file's persistent ids name), and a
 * constructor of its typed array over a buffer.
 * @example
 * ```ts
 * DTYPES.int64.itemsize; // 8
 * ```
 */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { itemsize: 4, storage: 'FloatStorage', make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { itemsize: 8, storage: 'DoubleStorage', make: (b, o, n) => new Float64Array(b, o, n) },
  float16: { itemsize: 2, storage: 'HalfStorage', make: (b, o, n) => new Uint16Array(b, o, n) },
  bfloat16: { itemsize: 2, storage: 'BFloat16Storage', make: (b, o, n) => new Uint16Array(b, o, n) },
  int64: { itemsize: 8, storage: 'LongStorage', make: (b, o, n) => new BigInt64Array(b, o, n) },
  int32: { itemsize: 4, storage: 'IntStorage', make: (b, o, n) => new Int32Array(b, o, n) },
  int16: { itemsize: 2, storage: 'ShortStorage', make: (b, o, n) => new Int16Array(b, o, n) },
  int8: { itemsize: 1, storage: 'CharStorage', make: (b, o, n) => new Int8Array(b, o, n) },
  uint8: { itemsize: 1, storage: 'ByteStorage', make: (b, o, n) => new Uint8Array(b, o, n) },
  bool: { itemsize: 1, storage: 'BoolStorage', make: (b, o, n) => new Uint8Array(b, o, n) },
};

const ARRAY_TYPES: Readonly<Record<DType, Function>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Most dimensions a tensor may declare (torch's own limit is lower in practice). */
const MAX_DIMS = 64;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('tfjs-torch io: a little-endian platform is required');
}

/**
 * Whether `v` has the shape of a {@link TensorData} (a known dtype, a shape, a matching typed array).
 * @param v any value.
 * @example
 * ```ts
 * isTensorData({ dtype: 'int64', shape: [], data: BigInt64Array.of(3n) }); // true
 * ```
 */
export function isTensorData(v: unknown): v is TensorData {
  if (v === null || typeof v !== 'object') return false;
  const t = v as TensorData;
  return (
    typeof t.dtype === 'string' &&
    Object.hasOwn(DTYPES, t.dtype) &&
    Array.isArray(t.shape) &&
    t.data instanceof ARRAY_TYPES[t.dtype]
  );
}

/**
 * Number of elements of `shape`, checked: non-negative safe integers, at most 64 dimensions, a safe
 * product. For validating shapes read from files.
 * @param shape the declared sizes.
 * @param where the start of the error message.
 * @throws FormatError when a check fails.
 * @example
 * ```ts
 * checkedNumel([2, 3], 'tensor w'); // 6
 * ```
 */
export function checkedNumel(shape: readonly unknown[], where: string): number {
  if (shape.length > MAX_DIMS) throw new FormatError(`${where}: ${shape.length} dimensions (at most ${MAX_DIMS})`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(`${where}: expected non-negative integer sizes, got [${shape.map(String).join(', ')}]`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) throw new FormatError(`${where}: shape [${shape.join(', ')}] has too many elements`);
  }
  return n;
}

/** torch's contiguous strides: each the product of the later sizes, a size 0 counting as 1. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(1, shape[i]);
  }
  return strides;
}

// ---------------------------------------------------------------------------------------------
// float16 / bfloat16 bits

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The value of IEEE half-precision bits `h` (exact: every half is a float32).
 * @param h the 16 bits.
 * @example
 * ```ts
 * halfToFloat(0x3c00); // 1
 * ```
 */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * IEEE half-precision bits of `v` (as a float32), rounded to nearest even as torch's `.half()` does;
 * beyond 65504 it rounds to infinity.
 * @param v the value.
 * @example
 * ```ts
 * floatToHalf(0.1); // 0x2e66
 * ```
 */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/**
 * The value of bfloat16 bits `b` (exact: the top half of a float32).
 * @param b the 16 bits.
 * @example
 * ```ts
 * bfloat16ToFloat(0x3f80); // 1
 * ```
 */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/**
 * bfloat16 bits of `v` (as a float32), rounded to nearest even as torch's `.bfloat16()` does.
 * @param v the value.
 * @example
 * ```ts
 * floatToBfloat16(1); // 0x3f80
 * ```
 */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int16: [-32768, 32767],
  int8: [-128, 127],
  uint8: [0, 255],
  bool: [0, 1],
};

/**
 * Copies the view of `src` with `shape`, `strides` (in elements) and `offset` into `out` in C order, and returns
 * `out` (`out.length` is the view's element count): a transposed, sliced or Fortran-order view made contiguous.
 */
export function gatherStrided(
  src: TensorArray,
  out: TensorArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): TensorArray {
  const from = src as unknown as { [i: number]: number | bigint };
  const to = out as unknown as { [i: number]: number | bigint };
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = offset;
  for (let i = 0; i < out.length; i++) {
    to[i] = from[p];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        p += strides[d];
        break;
      }
      p -= (shape[d] - 1) * strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** `values` stored as `dtype`; integer dtypes take integers in range only. */
export function castValues(values: ArrayLike<number>, dtype: DType, where: string): TensorArray {
  const n = values.length;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float16':
      return Uint16Array.from(values, floatToHalf);
    case 'bfloat16':
      return Uint16Array.from(values, floatToBfloat16);
    default: {
      const [lo, hi] = INT_RANGES[dtype]!;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (!Number.isInteger(v) || v < lo || v > hi)
          throw new ValueError(`${where}: element ${i} is ${v}, not a ${dtype} value`);
      }
      if (dtype === 'int64') {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = BigInt(values[i]);
        return out;
      }
      return (ARRAY_TYPES[dtype] as unknown as { from(a: ArrayLike<number>): TensorArray }).from(values);
    }
  }
}
