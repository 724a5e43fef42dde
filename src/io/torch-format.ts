/**
 * PyTorch's `torch.save` / `torch.load` file format (the zip container of PyTorch 1.6+), on bytes.
 *
 * {@link parseTorchFile} reads what `torch.save(obj, f)` writes, the way `torch.load(f,
 * weights_only=True)` does: a restricted unpickler that only rebuilds tensors, `OrderedDict`s and plain
 * data, never executing anything. {@link serializeTorchFile} writes files that PyTorch 1.13 loads with
 * `torch.load(f)` (and with `weights_only=True` when they hold no Python floats, which 1.13's
 * weights-only unpickler lacks).
 *
 * Tensors are {@link TensorData}: dtype, shape and a contiguous typed array in C order. A state dict
 * comes back as an {@link OrderedDict} (a `Map<string, TensorData>`) in the file's key order; an
 * optimizer's state dict as nested `Map`s (its `state` keyed by integer), arrays, numbers, strings.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';

import { bool, describeValue, float, isOptionsObject, signature } from '../args';
import { ArgumentTypeError, FormatError, ValueError } from '../errors';
import { numpyReader } from './numpy';
import { OrderedDict, PyGlobal, PyPersistentId, PyReduce, describe, isTuple, pickle, tuple, unpickle } from './pickle';
import type { AllowedGlobal, PyValue } from './pickle';
import { ZipArchive, writeZip } from './zip';

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
function contiguousStrides(shape: readonly number[]): number[] {
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

// ---------------------------------------------------------------------------------------------
// tfjs conversion

/**
 * A {@link TensorData} as a tfjs tensor. tfjs has float32, int32 and bool only, so float64, float16
 * and bfloat16 become float32; int64, int16, int8 and uint8 become int32 (int64 values outside the
 * int32 range are an error, never silently wrapped).
 * @param td the tensor data.
 * @returns a new tensor; the caller owns it.
 * @throws ValueError when an int64 value does not fit int32.
 * @example
 * ```ts
 * const sd = parseTorchFile(bytes) as Map<string, TensorData>;
 * const w = toTfTensor(sd.get('linear.weight')!);
 * ```
 */
export function toTfTensor(td: TensorData): tf.Tensor {
  if (!isTensorData(td)) {
    throw new ArgumentTypeError(
      `toTfTensor(): expected tensor data ({ dtype, shape, data } as parseTorchFile returns), got ${describeValue(td)}`,
    );
  }
  const shape = td.shape;
  switch (td.dtype) {
    case 'float32':
      return tf.tensor(td.data as Float32Array, shape, 'float32');
    case 'float64':
      return tf.tensor(Float32Array.from(td.data as Float64Array), shape, 'float32');
    case 'float16':
      return tf.tensor(Float32Array.from(td.data as Uint16Array, halfToFloat), shape, 'float32');
    case 'bfloat16':
      return tf.tensor(Float32Array.from(td.data as Uint16Array, bfloat16ToFloat), shape, 'float32');
    case 'int64': {
      const src = td.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new ValueError(
            `toTfTensor: int64 element ${i} of a [${shape.join(', ')}] tensor is ${v}, outside int32 (tfjs has no int64)`,
          );
        }
        out[i] = Number(v);
      }
      return tf.tensor(out, shape, 'int32');
    }
    case 'int32':
      return tf.tensor(td.data as Int32Array, shape, 'int32');
    case 'int16':
    case 'int8':
    case 'uint8':
      return tf.tensor(Int32Array.from(td.data as Int16Array), shape, 'int32');
    case 'bool':
      return tf.tensor(td.data as Uint8Array, shape, 'bool');
  }
}

/**
 * A tfjs tensor as {@link TensorData} (reads its values synchronously).
 *
 * By default float32 stays float32, bool stays bool, and int32 becomes int64: torch's integer tensors
 * (BatchNorm's `num_batches_tracked`, Adam's steps) are int64, and {@link toTfTensor} maps them to int32.
 * @param t the tensor.
 * @param dtype the dtype to store. Default: float32 → `'float32'`, int32 → `'int64'`, bool → `'bool'`.
 * @throws ArgumentTypeError for string/complex tensors; ValueError when a value does not fit `dtype`.
 * @example
 * ```ts
 * const td = fromTfTensor(tf.scalar(3, 'int32')); // { dtype: 'int64', shape: [], data: BigInt64Array [3n] }
 * ```
 */
export function fromTfTensor(t: tf.Tensor, dtype?: DType): TensorData {
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
    throw new ArgumentTypeError(`fromTfTensor: expected a float32, int32 or bool tensor, got ${t.dtype}`);
  }
  const target: DType = dtype ?? (t.dtype === 'int32' ? 'int64' : t.dtype);
  const values = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  return {
    dtype: target,
    shape: [...t.shape],
    data: castValues(values, target, `fromTfTensor(${t.dtype} [${t.shape.join(', ')}])`),
  };
}

const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int16: [-32768, 32767],
  int8: [-128, 127],
  uint8: [0, 255],
  bool: [0, 1],
};

/** `values` stored as `dtype`; integer dtypes take integers in range only. */
function castValues(values: ArrayLike<number>, dtype: DType, where: string): TensorArray {
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

/**
 * The tensors of a parsed state dict as tfjs tensors, keys in the file's order (see {@link toTfTensor}).
 * @param value what {@link parseTorchFile} returned for `torch.save(model.state_dict())`.
 * @returns a new map of new tensors; the caller owns them.
 * @throws ArgumentTypeError when `value` is not a dict of tensors (e.g. a whole checkpoint dict).
 * @example
 * ```ts
 * const sd = toTfStateDict(parseTorchFile(bytes));
 * model.loadStateDict(sd);
 * ```
 */
export function toTfStateDict(value: PyValue): Map<string, tf.Tensor> {
  if (!(value instanceof Map))
    throw new ArgumentTypeError(`toTfStateDict: expected a dict of tensors, got ${describe(value)}`);
  for (const [k, v] of value) {
    if (typeof k !== 'string' || !isTensorData(v)) {
      throw new ArgumentTypeError(
        `toTfStateDict: expected string keys and tensors, got ${describe(k)} → ${describe(v)}`,
      );
    }
  }
  const out = new Map<string, tf.Tensor>();
  for (const [k, v] of value as Map<string, TensorData>) out.set(k, toTfTensor(v));
  return out;
}

/**
 * A module's state dict as plain tensor data, the inverse of {@link toTfStateDict}: an `OrderedDict` (what
 * `model.state_dict()` is in torch) that {@link serializeTorchFile} writes as `torch.save(model.state_dict())`.
 * @param stateDict `module.stateDict()` (or any name → tensor map), keys in order.
 * @param options `{ dispose }`. Default: `{}`.
 * @param options.dispose free each tensor once read (for a fresh `stateDict()` nobody else holds). Default: `false`.
 * @returns the keys in the same order, each with its {@link TensorData} (see {@link fromTfTensor}).
 * @example
 * ```ts
 * const bytes = serializeTorchFile(fromTfStateDict(model.stateDict(), { dispose: true }));
 * ```
 */
export function fromTfStateDict(
  stateDict: ReadonlyMap<string, tf.Tensor>,
  { dispose = false }: { dispose?: boolean } = {},
): OrderedDict<string, TensorData> {
  if (!(stateDict instanceof Map)) {
    throw new ArgumentTypeError(
      `fromTfStateDict(): expected a state dict (a Map of name to tensor, as module.stateDict() returns), got ${describeValue(stateDict)}`,
    );
  }
  const out = new OrderedDict<string, TensorData>();
  for (const [k, t] of stateDict) {
    out.set(k, fromTfTensor(t));
    if (dispose) t.dispose();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// reading

/** Options of {@link parseTorchFile}. */
export interface ParseTorchOptions {
  /** Check each record's CRC-32. Default: `true`. */
  verifyCrc?: boolean;
  /**
   * Largest tensor accepted, in bytes, once rebuilt contiguous. A tensor that does not overlap itself is never
   * larger than the file; a stride-0 (expanded) view can declare far more than the file holds. Default: the
   * file's size, at least 64 MiB.
   */
  maxTensorBytes?: number;
  /**
   * Most bytes all the file's tensors may take together once rebuilt (views of one storage each get their own
   * copy). Default: 4 times the file's size, at least 256 MiB.
   */
  maxTotalBytes?: number;
  /**
   * Rebuild pickled NumPy arrays (`torch.save(np_array, f)`) as {@link TensorData} (float64 ... bool; object,
   * string, structured and complex arrays are refused), without executing anything. Default: `false` (a NumPy
   * array is a {@link FormatError} saying to pass this).
   */
  allowNumpy?: boolean;
}

const PARSE_OPTIONS = signature('parseTorchFile', [
  ['verifyCrc', bool().default(true)],
  ['maxTensorBytes', float({ min: 0, allowInfinity: true }).optional()],
  ['maxTotalBytes', float({ min: 0, allowInfinity: true }).optional()],
  ['allowNumpy', bool().default(false)],
]);

interface Storage {
  key: string;
  dtype: DType;
  numel: number;
  bytes: Uint8Array;
  typed: TensorArray | null;
}

const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * Reads a `torch.save` file (PyTorch 1.6+ zip format) like
 * [torch.load](https://pytorch.org/docs/1.13/generated/torch.load.html)`(f, weights_only=True)`.
 *
 * Tensors are rebuilt from their storages, with storage offsets and strides applied (a transposed
 * or sliced view comes back as its own contiguous {@link TensorData}). Only these globals are
 * allowed: `collections.OrderedDict`, `torch._utils._rebuild_tensor`, `_rebuild_tensor_v2`,
 * `_rebuild_parameter`, `_rebuild_parameter_with_state`, and the storage types of {@link DTYPES}.
 * Anything else (`os.system`, a pickled `nn.Module`, ...) is a {@link FormatError} naming it.
 *
 * @param bytes the file.
 * @param options CRC checking, the size limits, NumPy arrays (see {@link ParseTorchOptions}).
 * @returns the saved object: a state dict is an {@link OrderedDict} of {@link TensorData}; dicts are
 *   `Map`s, lists arrays, tuples frozen arrays.
 * @throws FormatError for anything that is not a well-formed, weights-only torch file.
 * @example
 * ```ts
 * const sd = parseTorchFile(readFileSync('netG.pt')) as Map<string, TensorData>;
 * sd.get('gen1.bn.num_batches_tracked'); // { dtype: 'int64', shape: [], data: BigInt64Array [..] }
 * ```
 */
export function parseTorchFile(bytes: Uint8Array, options: ParseTorchOptions = {}): PyValue {
  checkFileBytes(bytes, 'parseTorchFile');
  if (!isOptionsObject(options)) {
    throw new ArgumentTypeError(`parseTorchFile(): options must be an object, got ${describeValue(options)}`);
  }
  const parsed = PARSE_OPTIONS.parse([options]);
  const verify = parsed.verifyCrc;
  const maxTensorBytes = parsed.maxTensorBytes ?? Math.max(2 ** 26, bytes.length);
  const maxTotalBytes = parsed.maxTotalBytes ?? Math.max(2 ** 28, 4 * bytes.length);
  let totalBytes = 0;
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes.length > 14 && LEGACY_MAGIC.every((b, i) => bytes[i + 2] === b)) {
    throw new FormatError(
      'torch file: this is the legacy (pre-1.6 or _use_new_zipfile_serialization=False) format, which is not supported; re-save it with torch.save in PyTorch >= 1.6',
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(
      `torch file: expected a zip archive (magic 50 4b 03 04) as torch.save writes, got ${head || 'an empty file'}`,
    );
  }
  const zip = new ZipArchive(bytes);
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    const names = [...zip.entries.keys()];
    if (names.some((n) => /^[^/]+\/constants\.pkl$/.test(n))) {
      throw new FormatError(
        'torch file: this is a TorchScript archive (torch.jit.save); only torch.save files are supported',
      );
    }
    throw new FormatError(
      `torch file: expected exactly one '<archive>/data.pkl' record, found ${pickles.length} among ${names.length} entries`,
    );
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (zip.has(prefix + 'constants.pkl')) {
    throw new FormatError(
      'torch file: this is a TorchScript archive (torch.jit.save); only torch.save files are supported',
    );
  }
  for (const name of [prefix + 'version', prefix + '.data/version']) {
    if (!zip.has(name)) continue;
    const v = new TextDecoder().decode(zip.read(name, verify)).trim();
    if (!/^\d+$/.test(v))
      throw new FormatError(`torch file: expected an integer in '${name}', got '${v.slice(0, 20)}'`);
  }
  let bigEndian = false;
  if (zip.has(prefix + 'byteorder')) {
    const order = new TextDecoder().decode(zip.read(prefix + 'byteorder', verify));
    if (order !== 'little' && order !== 'big')
      throw new FormatError(
        `torch file: expected 'little' or 'big' in '${prefix}byteorder', got '${order.slice(0, 20)}'`,
      );
    bigEndian = order === 'big';
  }

  const storageTypes = new Map<object, DType>();
  const globals = new Map<string, AllowedGlobal>();
  for (const dtype of Object.keys(DTYPES) as DType[]) {
    const marker = Object.freeze({ storageType: DTYPES[dtype].storage });
    storageTypes.set(marker, dtype);
    globals.set(`torch.${DTYPES[dtype].storage}`, { value: marker });
  }
  const storages = new Map<string, Storage>();
  const storageSet = new Set<object>();
  const persistentLoad = (pid: PyValue, at: string): PyValue => {
    if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw new FormatError(
        `${at}: expected a persistent id ('storage', type, key, location, numel), got ${describe(pid)}`,
      );
    }
    const [, type, key, , numel] = pid;
    const dtype = storageTypes.get(type as object);
    if (dtype === undefined) throw new FormatError(`${at}: expected a storage type, got ${describe(type)}`);
    if (typeof key !== 'string') throw new FormatError(`${at}: expected a string storage key, got ${describe(key)}`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
      throw new FormatError(`${at}: expected a non-negative storage size, got ${describe(numel)}`);
    }
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.dtype !== dtype)
        throw new FormatError(`${at}: storage '${key}' is ${known.dtype} and ${dtype} at once`);
      return known as unknown as PyValue;
    }
    const record = `${prefix}data/${key}`;
    if (!zip.has(record)) throw new FormatError(`${at}: storage '${key}' has no record '${record}' in the archive`);
    let data = zip.read(record, verify);
    const itemsize = DTYPES[dtype].itemsize;
    if (numel * itemsize > data.length) {
      throw new FormatError(
        `${at}: storage '${key}' declares ${numel} ${dtype} elements (${numel * itemsize} bytes), its record has ${data.length} bytes`,
      );
    }
    data = data.subarray(0, numel * itemsize);
    if (bigEndian && itemsize > 1) {
      data = data.slice();
      for (let i = 0; i < data.length; i += itemsize) data.subarray(i, i + itemsize).reverse();
    }
    const storage: Storage = { key, dtype, numel, bytes: data, typed: null };
    storages.set(key, storage);
    storageSet.add(storage);
    return storage as unknown as PyValue;
  };

  const rebuild = (args: readonly PyValue[], at: string, name: string): TensorData => {
    if (args.length < 4)
      throw new FormatError(
        `${at}: ${name} expects (storage, offset, size, stride, ...), got ${args.length} arguments`,
      );
    const [st, offset, size, stride] = args;
    const storage = storageSet.has(st as object) ? (st as unknown as Storage) : null;
    if (storage === null) throw new FormatError(`${at}: ${name}: expected a storage, got ${describe(st)}`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw new FormatError(`${at}: ${name}: expected a non-negative storage offset, got ${describe(offset)}`);
    }
    if (!isTuple(size) || !isTuple(stride) || size.length !== stride.length) {
      throw new FormatError(
        `${at}: ${name}: expected size and stride tuples of equal length, got ${describe(size)} and ${describe(stride)}`,
      );
    }
    const where = `${at}: tensor of storage '${storage!.key}'`;
    const shape = size as number[];
    const numel = checkedNumel(shape, where);
    if (!stride.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
      throw new FormatError(`${where}: expected non-negative integer strides, got [${stride.map(String).join(', ')}]`);
    }
    const strides = stride as number[];
    const { itemsize, make } = DTYPES[storage!.dtype];
    if (numel * itemsize > maxTensorBytes) {
      throw new FormatError(
        `${where}: shape [${shape.join(', ')}] needs ${numel * itemsize} bytes, more than the ${maxTensorBytes} allowed ` +
          '(maxTensorBytes; by default the size of the file, at least 64 MiB)',
      );
    }
    totalBytes += numel * itemsize;
    if (totalBytes > maxTotalBytes) {
      throw new FormatError(
        `${where}: the file's tensors need more than ${maxTotalBytes} bytes together once rebuilt ` +
          '(maxTotalBytes; by default 4 times the size of the file, at least 256 MiB)',
      );
    }
    let last = offset;
    for (let i = 0; i < shape.length; i++) if (shape[i] > 0) last += (shape[i] - 1) * strides[i];
    if (!Number.isSafeInteger(last) || (numel > 0 ? last >= storage!.numel : offset > storage!.numel)) {
      throw new FormatError(
        `${where}: shape [${shape.join(', ')}], strides [${strides.join(', ')}], offset ${offset} reach element ${last} of a ${storage!.numel}-element storage`,
      );
    }
    const cont = contiguousStrides(shape);
    const isContiguous = shape.every((d, i) => d <= 1 || strides[i] === cont[i]);
    let data: TensorArray;
    if (isContiguous || numel === 0) {
      const start = offset * itemsize;
      data = make(storage!.bytes.slice(start, start + numel * itemsize).buffer);
    } else {
      if (storage!.typed === null) storage!.typed = make(storage!.bytes.slice().buffer);
      const src = storage!.typed as unknown as { [i: number]: number | bigint };
      const out = make(new ArrayBuffer(numel * itemsize)) as unknown as { [i: number]: number | bigint };
      const nd = shape.length;
      const idx = new Array<number>(nd).fill(0);
      let p = offset;
      for (let i = 0; i < numel; i++) {
        out[i] = src[p];
        for (let d = nd - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) {
            p += strides[d];
            break;
          }
          p -= (shape[d] - 1) * strides[d];
          idx[d] = 0;
        }
      }
      data = out as unknown as TensorArray;
    }
    return { dtype: storage!.dtype, shape: [...shape], data };
  };
  const tensorArg = (args: readonly PyValue[], at: string, name: string): TensorData => {
    if (args.length < 1 || !isTensorData(args[0]))
      throw new FormatError(`${at}: ${name} expects a tensor first, got ${describe(args[0])}`);
    return args[0] as TensorData;
  };
  globals.set('collections.OrderedDict', {
    call(args, at) {
      const d = new OrderedDict();
      if (args.length === 0) return d;
      const items = args[0];
      if (args.length !== 1 || !Array.isArray(items))
        throw new FormatError(`${at}: OrderedDict expects () or (items,), got ${args.length} arguments`);
      for (const pair of items as PyValue[]) {
        if (!Array.isArray(pair) || pair.length !== 2)
          throw new FormatError(`${at}: OrderedDict items must be pairs, got ${describe(pair)}`);
        d.set(pair[0], pair[1]);
      }
      return d;
    },
  });
  globals.set('torch._utils._rebuild_tensor', { call: (a, at) => rebuild(a, at, '_rebuild_tensor') });
  globals.set('torch._utils._rebuild_tensor_v2', { call: (a, at) => rebuild(a, at, '_rebuild_tensor_v2') });
  globals.set('torch._utils._rebuild_parameter', { call: (a, at) => tensorArg(a, at, '_rebuild_parameter') });
  globals.set('torch._utils._rebuild_parameter_with_state', {
    call: (a, at) => tensorArg(a, at, '_rebuild_parameter_with_state'),
  });

  const numpy = numpyReader(parsed.allowNumpy, maxTensorBytes);
  for (const [name, impl] of numpy.globals) globals.set(name, impl);
  const where = `${prefix}data.pkl`;
  const value = unpickle(zip.read(where, verify), { globals, persistentLoad, build: numpy.build, where });
  numpy.finish(where);
  return value;
}

/**
 * Checks that `bytes` is a file's bytes (a `Uint8Array`; a Node `Buffer` is one) before any parsing.
 * @internal
 */
export function checkFileBytes(bytes: unknown, where: string): asserts bytes is Uint8Array {
  if (bytes instanceof Uint8Array) return;
  const hint =
    bytes instanceof ArrayBuffer
      ? ' (wrap it: new Uint8Array(buffer))'
      : Array.isArray(bytes)
        ? ' (convert it: Uint8Array.from(array))'
        : typeof bytes === 'string'
          ? " (a path? tfjs-torch/node's load(path) reads files)"
          : '';
  throw new ArgumentTypeError(
    `${where}(): argument 'bytes' must be a Uint8Array (a Buffer is one), got ${describeValue(bytes)}${hint}`,
  );
}

// ---------------------------------------------------------------------------------------------
// writing

/** Options of {@link serializeTorchFile}. */
export interface SerializeTorchOptions {
  /** The archive's folder name; torch uses the file's base name. Default: `'archive'`. */
  archiveName?: string;
}

/**
 * Writes `obj` the way [torch.save](https://pytorch.org/docs/1.13/generated/torch.save.html)`(obj, f)`
 * does in PyTorch 1.13 (zip container, protocol-2 pickle,
 * one 64-byte-aligned record per tensor), so `torch.load(f)` reads it back.
 *
 * `obj` may hold {@link TensorData} and tfjs tensors (written through {@link fromTfTensor}: an int32
 * tfjs tensor becomes int64, torch's integer type), and plain data as the pickle writer accepts: `Map`s
 * and plain objects become `dict`s, {@link OrderedDict} an `OrderedDict`, arrays lists, frozen
 * arrays ({@link tuple}) tuples, safe-integer numbers `int`s, other numbers `float`s. A tensor
 * object referenced twice is written once and loads as one tensor. PyTorch 1.13's `weights_only=True`
 * loader knows no floats, so a file holding Python floats (an optimizer's `lr`) needs a plain
 * `torch.load` there (later PyTorch versions accept it weights-only).
 *
 * @param obj what to save, typically a state dict (`Map<string, tf.Tensor>` or an object of them).
 * @param options the archive name.
 * @returns the file's bytes.
 * @throws ValueError for values that cannot be written (functions, `undefined`, cycles).
 * @example
 * ```ts
 * const bytes = serializeTorchFile(new OrderedDict([['weight', tf.ones([2, 2])]]));
 * // python: torch.load('w.pt', weights_only=True)['weight']
 * ```
 */
export function serializeTorchFile(obj: PyValue, options: SerializeTorchOptions = {}): Uint8Array {
  const archive = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(archive) || archive === '.' || archive === '..') {
    throw new ValueError(
      `serializeTorchFile: expected an archive name of letters, digits, '_', '.', '-', got '${archive}'`,
    );
  }
  const records: { key: string; data: Uint8Array }[] = [];
  const rebuild = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
  const replace = (v: object, path: string): PyValue | undefined => {
    let td: TensorData;
    if (v instanceof tf.Tensor) {
      if (v.isDisposed) throw new ValueError(`serializeTorchFile: the tensor at ${path} is disposed`);
      td = fromTfTensor(v);
    } else if (isTensorData(v)) {
      td = v;
    } else {
      return undefined;
    }
    const numel = td.shape.reduce((a, b) => a * b, 1);
    if (td.shape.some((d) => !Number.isSafeInteger(d) || d < 0) || numel !== td.data.length) {
      throw new ValueError(
        `serializeTorchFile: the tensor at ${path} has shape [${td.shape.join(', ')}] but ${td.data.length} elements`,
      );
    }
    const key = String(records.length);
    const data = td.data;
    records.push({ key, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    const storageType = new PyGlobal('torch', DTYPES[td.dtype].storage);
    const pid = new PyPersistentId(tuple<PyValue>('storage', storageType, key, 'cpu', numel));
    return new PyReduce(rebuild, [
      pid,
      0,
      tuple(...td.shape),
      tuple(...contiguousStrides(td.shape)),
      false,
      new OrderedDict(),
    ]);
  };
  const pkl = pickle(obj, { replace });
  const enc = new TextEncoder();
  return writeZip([
    { name: `${archive}/data.pkl`, data: pkl },
    ...records.map((r) => ({ name: `${archive}/data/${r.key}`, data: r.data })),
    { name: `${archive}/byteorder`, data: enc.encode('little') },
    { name: `${archive}/version`, data: enc.encode('3\n') },
  ]);
}

export { OrderedDict, tuple, isTuple };
export type { PyValue };
