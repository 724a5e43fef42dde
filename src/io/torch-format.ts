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

import { bool, describeValue, float, isOptionsObject, signature, str } from '../args';
import { ArgumentTypeError, FormatError, ValueError } from '../errors';
import { numpyReader } from './numpy';
import {
  type AllowedGlobal,
  OrderedDict,
  PyGlobal,
  PyPersistentId,
  PyReduce,
  type PyValue,
  describe,
  isTuple,
  tuple,
} from './pickle-values';
import { pickle } from './pickle-writer';
import {
  DTYPES,
  type DType,
  type TensorArray,
  type TensorData,
  checkedNumel,
  contiguousStrides,
  gatherStrided,
  isTensorData,
} from './tensor-data';
import { fromTfTensor } from './tf-tensors';
import { unpickle } from './unpickle';
import { ZipArchive, writeZip } from './zip';

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
      data = gatherStrided(storage!.typed, make(new ArrayBuffer(numel * itemsize)), shape, strides, offset);
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

const SERIALIZE_OPTIONS = signature('serializeTorchFile', [['archiveName', str().optional()]]);

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
  const archive = SERIALIZE_OPTIONS.parseOptions(options).archiveName ?? 'archive';
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

// The vocabulary a caller of this format uses with it, under the names this module has always exported.
export { OrderedDict, tuple, isTuple } from './pickle-values';
export type { PyValue } from './pickle-values';
export {
  DTYPES,
  bfloat16ToFloat,
  checkedNumel,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  isTensorData,
} from './tensor-data';
export type { DType, DTypeInfo, TensorArray, TensorData } from './tensor-data';
export { fromTfStateDict, fromTfTensor, toTfStateDict, toTfTensor } from './tf-tensors';
