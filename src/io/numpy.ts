/**
 * NumPy arrays inside a `torch.save` file (`torch.save(np_array, f)`, as pytorch/examples'
 * time_sequence_prediction saves its training data), rebuilt without executing anything.
 *
 * NumPy pickles an array as `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` followed by
 * `BUILD` with `(1, shape, dtype, is_fortran, raw_bytes)`, and its dtype as `numpy.dtype('f8', False, True)`
 * followed by `BUILD` with `(3, byteorder, None, None, None, -1, -1, flags)`; pickle protocol 2 writes the
 * bytes as `_codecs.encode(text, 'latin1')` (and `b''` as `__builtin__.bytes()`). Here each of those globals is a small data constructor: an array
 * becomes a {@link TensorData} (C order, little-endian) of a dtype torch has, every other dtype (object
 * arrays, strings, structured, unsigned wider than 8 bits, complex) is refused, and the byte count must
 * match the shape exactly.
 * @module
 */
import { FormatError } from '../errors';
import { describe, isTuple } from './pickle-values';
import type { AllowedGlobal, PyValue } from './pickle-values';
import { type DType, type TensorArray, type TensorData, gatherStrided } from './tensor-data';

/** A typed-array constructor: over a buffer, or of a length. */
type ArrayCtor = { new (buffer: ArrayBuffer): TensorArray; new (length: number): TensorArray };

/** NumPy's dtype codes (`dtype.str` without the byte order) that torch has: torch's dtype, bytes, array type. */
const NUMPY_DTYPES: Readonly<Record<string, [DType, number, ArrayCtor]>> = {
  f8: ['float64', 8, Float64Array],
  f4: ['float32', 4, Float32Array],
  f2: ['float16', 2, Uint16Array],
  i8: ['int64', 8, BigInt64Array],
  i4: ['int32', 4, Int32Array],
  i2: ['int16', 2, Int16Array],
  i1: ['int8', 1, Int8Array],
  u1: ['uint8', 1, Uint8Array],
  b1: ['bool', 1, Uint8Array],
};

/** A `numpy.dtype` as the pickle builds it: its code, then its byte order from `BUILD`. */
interface NumpyDtype {
  code: string;
  order: '<' | '>' | '|' | '=' | null;
}

/** What {@link numpyReader} gives `parseTorchFile`: globals to allow, the `BUILD` hook, a final check. */
export interface NumpyReader {
  /** `numpy.core.multiarray._reconstruct` and `.scalar`, `numpy.ndarray`, `numpy.dtype`; bytes as protocol 2 writes them. */
  globals: Map<string, AllowedGlobal>;
  /** `BUILD` on an array or dtype this reader made (anything else is refused). */
  build(obj: PyValue, state: PyValue, at: string): void;
  /** Throws when an array never got its state (a pickle that stopped half-way). */
  finish(where: string): void;
}

const NDARRAY = Object.freeze({ numpyClass: 'numpy.ndarray' });

/**
 * The globals and `BUILD` hook that rebuild NumPy arrays.
 * @param allow whether NumPy arrays are accepted (`parseTorchFile`'s `allowNumpy`); when not, the first
 *   array is refused with a message saying how to accept them.
 * @param maxBytes the largest array accepted, in bytes.
 * @internal
 */
export function numpyReader(allow: boolean, maxBytes: number): NumpyReader {
  const pendingArrays = new Set<object>();
  const dtypes = new Map<object, NumpyDtype>();
  const refuse = (at: string, what: string): never => {
    throw new FormatError(
      `${at}: the file holds a NumPy array (${what}); parseTorchFile(bytes, { allowNumpy: true }) (or ` +
        'load(path, { allowNumpy: true })) rebuilds NumPy arrays as tensor data without executing anything',
    );
  };
  const reconstruct: AllowedGlobal = {
    call(args, at) {
      if (!allow) refuse(at, 'numpy.core.multiarray._reconstruct');
      if (args.length !== 3 || args[0] !== NDARRAY) {
        throw new FormatError(`${at}: _reconstruct expects (numpy.ndarray, shape, dtype), got ${describe(args)}`);
      }
      const array = {};
      pendingArrays.add(array);
      return array;
    },
  };
  const globals = new Map<string, AllowedGlobal>([
    ['numpy.core.multiarray._reconstruct', reconstruct],
    ['numpy._core.multiarray._reconstruct', reconstruct], // NumPy 2's module name
    ['numpy.ndarray', { value: NDARRAY }],
    [
      'numpy.dtype',
      {
        call(args, at) {
          if (!allow) refuse(at, 'numpy.dtype');
          const code = args[0];
          if (typeof code !== 'string')
            throw new FormatError(`${at}: numpy.dtype expects a type code, got ${describe(code)}`);
          if (!Object.hasOwn(NUMPY_DTYPES, code)) {
            const kind = code.startsWith('O')
              ? 'an object array (it holds arbitrary Python objects, which a weights-only load never rebuilds)'
              : `NumPy dtype '${code.slice(0, 20)}', which has no torch dtype`;
            throw new FormatError(
              `${at}: ${kind}; accepted: ${Object.keys(NUMPY_DTYPES).join(', ')} (float64 ... bool)`,
            );
          }
          const dtype = {};
          dtypes.set(dtype, { code, order: null });
          return dtype;
        },
      },
    ],
    [
      // How pickle protocol 2 writes bytes: latin-1 text, encoded back to the same bytes.
      '_codecs.encode',
      {
        call(args, at) {
          const [text, encoding] = args;
          if (args.length !== 2 || typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
            throw new FormatError(`${at}: _codecs.encode is accepted only as (str, 'latin1'), got ${describe(args)}`);
          }
          const out = new Uint8Array(text.length);
          for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c > 255) throw new FormatError(`${at}: _codecs.encode: character ${c} is not latin-1`);
            out[i] = c;
          }
          return out;
        },
      },
    ],
    [
      // Protocol 2's b'' (an empty array's bytes): bytes() with no arguments.
      '__builtin__.bytes',
      {
        call(args, at) {
          if (args.length !== 0)
            throw new FormatError(`${at}: bytes is accepted only as bytes(), got ${describe(args)}`);
          return new Uint8Array(0);
        },
      },
    ],
  ]);

  const setDtypeState = (dt: NumpyDtype, state: PyValue, at: string): void => {
    if (!isTuple(state) || (state.length !== 8 && state.length !== 9) || (state[0] !== 3 && state[0] !== 4)) {
      throw new FormatError(`${at}: expected a NumPy dtype state (3, byteorder, ...), got ${describe(state)}`);
    }
    const [, order, subarray, names, fields] = state;
    if (order !== '<' && order !== '>' && order !== '|' && order !== '=') {
      throw new FormatError(`${at}: NumPy dtype byte order must be '<', '>', '|' or '=', got ${describe(order)}`);
    }
    if (subarray !== null || names !== null || fields !== null) {
      throw new FormatError(`${at}: structured and sub-array NumPy dtypes are refused`);
    }
    if (dt.order !== null) throw new FormatError(`${at}: a NumPy dtype's state was set twice`);
    dt.order = order;
  };

  const setArrayState = (array: object, state: PyValue, at: string): void => {
    // (version, shape, dtype, is_fortran, data); NumPy also reads the older form without the version.
    const s = isTuple(state) && state.length === 5 && state[0] === 1 ? state.slice(1) : state;
    if (!isTuple(state) || (state.length === 5 && state[0] !== 1) || !Array.isArray(s) || s.length !== 4) {
      throw new FormatError(
        `${at}: expected a NumPy array state (1, shape, dtype, is_fortran, data), got ${describe(state)}`,
      );
    }
    const [shape, dtypeObj, isFortran, raw] = s as PyValue[];
    if (!isTuple(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw new FormatError(`${at}: expected a NumPy shape of non-negative integers, got ${describe(shape)}`);
    }
    if (shape.length > 64) throw new FormatError(`${at}: a NumPy array of ${shape.length} dimensions (at most 64)`);
    const dt = dtypes.get(dtypeObj as object);
    if (dt === undefined) throw new FormatError(`${at}: expected a numpy.dtype, got ${describe(dtypeObj)}`);
    if (dt.order === null) throw new FormatError(`${at}: a numpy.dtype without its state`);
    if (typeof isFortran !== 'boolean') {
      throw new FormatError(`${at}: expected is_fortran to be a bool, got ${describe(isFortran)}`);
    }
    if (!(raw instanceof Uint8Array)) {
      throw new FormatError(`${at}: expected the array's bytes, got ${describe(raw)} (object arrays are refused)`);
    }
    const td = decode(dt, shape as number[], raw, at);
    if (isFortran && td.shape.length > 1 && td.data.length > 0) {
      td.data = fortranToC(td.data, td.shape, NUMPY_DTYPES[dt.code][2]);
    }
    Object.assign(array, td);
    pendingArrays.delete(array);
  };

  /** C-order bytes of `shape` as tensor data: exact byte count, little-endian, bools as 0/1. */
  const decode = (dt: NumpyDtype, shape: number[], raw: Uint8Array, at: string): TensorData => {
    const [dtype, itemsize, ArrayType] = NUMPY_DTYPES[dt.code];
    let numel = 1;
    for (const d of shape) numel *= d;
    const what = `NumPy array of shape [${shape.join(', ')}] (${dtype}) needs ${numel * itemsize} bytes`;
    if (!Number.isSafeInteger(numel * itemsize) || numel * itemsize > maxBytes) {
      throw new FormatError(`${at}: ${what}, more than the ${maxBytes} allowed`);
    }
    if (raw.length !== numel * itemsize) throw new FormatError(`${at}: ${what}, the pickle holds ${raw.length}`);
    const bytes = raw.slice();
    if (dt.order === '>' && itemsize > 1) {
      for (let i = 0; i < bytes.length; i += itemsize) bytes.subarray(i, i + itemsize).reverse();
    }
    if (dtype === 'bool') for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i] ? 1 : 0;
    return { dtype, shape: [...shape], data: new ArrayType(bytes.buffer) };
  };

  // numpy.float64(0.5) and friends: `numpy.core.multiarray.scalar(dtype, bytes)`, a 0-d tensor here.
  const scalar: AllowedGlobal = {
    call(args, at) {
      if (!allow) refuse(at, 'numpy.core.multiarray.scalar');
      const dt = dtypes.get(args[0] as object);
      if (args.length !== 2 || dt === undefined || dt.order === null || !(args[1] instanceof Uint8Array)) {
        throw new FormatError(`${at}: numpy scalar expects (dtype, bytes), got ${describe(args)}`);
      }
      return decode(dt, [], args[1], at);
    },
  };
  globals.set('numpy.core.multiarray.scalar', scalar);
  globals.set('numpy._core.multiarray.scalar', scalar);

  return {
    globals,
    build(obj, state, at) {
      if (obj !== null && typeof obj === 'object' && pendingArrays.has(obj)) return setArrayState(obj, state, at);
      const dt = dtypes.get(obj as object);
      if (dt !== undefined) return setDtypeState(dt, state, at);
      throw new FormatError(
        `${at}: BUILD may only set attributes of an OrderedDict or the state of a NumPy array or dtype, got ${describe(obj)}`,
      );
    },
    finish(where) {
      if (pendingArrays.size > 0) throw new FormatError(`${where}: a NumPy array never got its state (BUILD)`);
    },
  };
}

/** Column-major elements of `shape` in row-major order. */
function fortranToC(src: TensorArray, shape: number[], ArrayType: ArrayCtor): TensorArray {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = 0; d < shape.length; d++) {
    strides[d] = s;
    s *= shape[d];
  }
  return gatherStrided(src, new ArrayType(src.length), shape, strides, 0);
}
