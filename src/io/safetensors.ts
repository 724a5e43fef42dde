/**
 * The [safetensors](https://huggingface.co/docs/safetensors/index) format, read and written on bytes.
 *
 * Layout: an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON
 * (`{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}`),
 * then the tensors' bytes, little-endian and C-contiguous, offsets relative to the end of the header.
 * Nothing is executed and nothing is pickled, so it is the safe way to exchange weights with Python.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';

import { ArgumentTypeError, FormatError, ValueError } from '../errors';
import { DTYPES, type DType, type TensorData, checkedNumel, isTensorData } from './tensor-data';
import { fromTfTensor } from './tf-tensors';
import { checkFileBytes } from './torch-format';

/** The header's dtype names and ours. */
const NAMES: Readonly<Record<string, DType>> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const CODES = Object.fromEntries(Object.entries(NAMES).map(([k, v]) => [v, k])) as Record<DType, string>;

/** safetensors' own limit on the header (100 MB), so a hostile length cannot make us read gigabytes of JSON. */
export const MAX_HEADER_BYTES = 100_000_000;

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** Tensors by name, in the order of their data in the file. */
  tensors: Map<string, TensorData>;
  /** The `__metadata__` string map, or `null` when the file has none. */
  metadata: Record<string, string> | null;
}

/**
 * Reads a safetensors file, validating its header against the format's rules: the length within the
 * file and at most 100 MB (safetensors' own limit), JSON that is an object, known dtypes, non-negative integer
 * shapes, each tensor's byte range exactly `numel * itemsize` long, the ranges contiguous from 0 with
 * no overlap or gap and ending at the end of the file, `__metadata__` a map of strings.
 *
 * Supported dtypes: `F32 F64 F16 BF16 I64 I32 I16 I8 U8 BOOL`.
 * @param bytes the file.
 * @returns the tensors (copied out of `bytes`) and the metadata.
 * @throws FormatError for any violation, naming the tensor and the offsets.
 * @example
 * ```ts
 * const { tensors } = parseSafetensors(readFileSync('model.safetensors'));
 * const w = toTfTensor(tensors.get('linear.weight')!);
 * ```
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  checkFileBytes(bytes, 'parseSafetensors');
  // A Node Buffer's slice() is a view, not a copy: work on a plain Uint8Array so slices copy.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8)
    throw new FormatError(`safetensors: expected at least 8 bytes (the header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    throw new FormatError(`safetensors: header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(declared);
  if (8 + n > bytes.length)
    throw new FormatError(`safetensors: header length ${n} runs past the end of the ${bytes.length}-byte file`);
  if (n < 2 || bytes[8] !== 0x7b) throw new FormatError("safetensors: expected the JSON header to start with '{'");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new FormatError(`safetensors: the ${n}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new FormatError('safetensors: expected the header to be a JSON object');
  }
  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  let metadata: Record<string, string> | null = null;
  const infos: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new FormatError('safetensors: expected __metadata__ to be an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string')
          throw new FormatError(`safetensors: expected string metadata values, '${k}' is ${typeof v}`);
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const where = `safetensors: tensor '${name}'`;
    if (raw === null || typeof raw !== 'object')
      throw new FormatError(`${where}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(raw)}`);
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof info.dtype === 'string' && Object.hasOwn(NAMES, info.dtype) ? NAMES[info.dtype] : undefined;
    if (dtype === undefined) {
      throw new FormatError(
        `${where}: dtype ${JSON.stringify(info.dtype)} is not supported (expected one of ${Object.keys(NAMES).join(', ')})`,
      );
    }
    if (!Array.isArray(info.shape))
      throw new FormatError(`${where}: expected a shape array, got ${JSON.stringify(info.shape)}`);
    const numel = checkedNumel(info.shape, where);
    const offs = info.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offs[0] > offs[1]
    ) {
      throw new FormatError(
        `${where}: expected data_offsets [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`,
      );
    }
    const [begin, end] = offs as number[];
    const expected = numel * DTYPES[dtype].itemsize;
    if (end - begin !== expected) {
      throw new FormatError(
        `${where}: ${info.dtype} [${(info.shape as number[]).join(', ')}] needs ${expected} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    infos.push({ name, dtype, shape: [...(info.shape as number[])], begin, end });
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of infos) {
    if (t.begin !== cursor) {
      const what = t.begin < cursor ? 'overlaps the previous tensor' : 'leaves a gap after the previous tensor';
      throw new FormatError(
        `safetensors: tensor '${t.name}' starts at byte ${t.begin} of the data, which ${what} (ending at ${cursor})`,
      );
    }
    cursor = t.end;
  }
  if (cursor !== bufferLength) {
    throw new FormatError(
      `safetensors: the header describes ${cursor} bytes of tensor data, the file has ${bufferLength} after the header`,
    );
  }
  const tensors = new Map<string, TensorData>();
  for (const t of infos) {
    const data = DTYPES[t.dtype].make(bytes.slice(bufferStart + t.begin, bufferStart + t.end).buffer);
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
  }
  return { tensors, metadata };
}

/**
 * Writes tensors as a safetensors file. Tensors are laid out by element size, largest first (stable,
 * otherwise in the given order), and the header is padded with spaces to a multiple of 8 bytes, so
 * every tensor's data is aligned to its element size, as the Python library does.
 *
 * @param tensors name → {@link TensorData} or tfjs tensor (converted by {@link fromTfTensor}: int32
 *   becomes I64, as torch's integer tensors are).
 * @param metadata optional `__metadata__` strings. Default: none.
 * @returns the file's bytes.
 * @throws ValueError for the reserved name `__metadata__`, non-string metadata, or a shape/data mismatch.
 * @example
 * ```ts
 * const bytes = serializeSafetensors({ 'linear.weight': tf.ones([2, 3]) }, { format: 'pt' });
 * ```
 */
export function serializeSafetensors(
  tensors: Map<string, TensorData | tf.Tensor> | Record<string, TensorData | tf.Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const items = entries.map(([name, t]) => {
    if (name === '__metadata__')
      throw new ValueError("serializeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    let td: TensorData;
    if (t instanceof tf.Tensor) td = fromTfTensor(t);
    else if (isTensorData(t)) td = t;
    else throw new ArgumentTypeError(`serializeSafetensors: '${name}' is not a tensor`);
    const numel = td.shape.reduce((a, b) => a * b, 1);
    if (numel !== td.data.length || td.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new ValueError(
        `serializeSafetensors: '${name}' has shape [${td.shape.join(', ')}] but ${td.data.length} elements`,
      );
    }
    return { name, td };
  });
  items.sort((a, b) => DTYPES[b.td.dtype].itemsize - DTYPES[a.td.dtype].itemsize);
  const header: Record<string, unknown> = Object.create(null); // a tensor may be called '__proto__'
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new ValueError(`serializeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  // Insertion order of string keys is kept by JSON.stringify, except integer-like names, which JS
  // objects move first; the reader orders by data offset, so any header order is valid.
  let offset = 0;
  for (const { name, td } of items) {
    header[name] = { dtype: CODES[td.dtype], shape: td.shape, data_offsets: [offset, offset + td.data.byteLength] };
    offset += td.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const { td } of items) {
    out.set(new Uint8Array(td.data.buffer, td.data.byteOffset, td.data.byteLength), p);
    p += td.data.byteLength;
  }
  return out;
}
