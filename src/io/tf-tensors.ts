/**
 * {@link TensorData} to and from tfjs tensors, one tensor or a whole state dict: tfjs holds float32, int32 and
 * bool, so wider or narrower dtypes are converted on the way (never silently wrapped).
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';

import { checkTensors, describeValue } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { OrderedDict, type PyValue, describe } from './pickle-values';
import {
  DTYPES,
  type DType,
  type TensorData,
  bfloat16ToFloat,
  castValues,
  halfToFloat,
  isTensorData,
} from './tensor-data';

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
  checkTensors('fromTfTensor', { t });
  if (dtype !== undefined && !(typeof dtype === 'string' && dtype in DTYPES)) {
    throw new ArgumentTypeError(
      `fromTfTensor(): dtype must be one of ${Object.keys(DTYPES).join(', ')}, got ${describeValue(dtype)}`,
    );
  }
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
