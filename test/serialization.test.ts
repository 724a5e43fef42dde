// src/io: torch.save files and safetensors, against files written by real PyTorch 1.13
// (scripts/fixtures/serialization.py), hostile inputs built here, and a live round trip with PyTorch
// (scripts/torch_roundtrip.py) when /usr/bin/python3 has torch.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { FormatError, TorchError, ValueError } from '../src/errors';
import { OrderedDict, PyGlobal, PyPersistentId, PyReduce, isTuple, pickle, tuple, unpickle } from '../src/io/pickle';
import type { PyValue } from '../src/io/pickle';
import { MAX_HEADER_BYTES, parseSafetensors, serializeSafetensors } from '../src/io/safetensors';
import {
  bfloat16ToFloat,
  floatToBfloat16,
  floatToHalf,
  fromTfTensor,
  halfToFloat,
  isTensorData,
  parseTorchFile,
  serializeTorchFile,
  toTfStateDict,
  toTfTensor,
} from '../src/io/torch-format';
import type { TensorData } from '../src/io/torch-format';
import { ZipArchive, crc32, writeZip } from '../src/io/zip';
import { load, loadSafetensors, save, saveSafetensors } from '../src/node/io';
import { loadFixture } from './helpers';
import type { FixtureTensor } from './helpers';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/');
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + name));

// ---------------------------------------------------------------------------------------------
// Comparing with scripts/fixtures/serialization.py's tagged JSON (`enc`), exactly.

type Enc = any;

/** A fixture tensor's values, int64 as BigInt64Array (test/helpers' fixtureData narrows to int32). */
function rawValues(t: FixtureTensor): Float32Array | Float64Array | BigInt64Array | Uint8Array {
  const b = Buffer.from(t.b64, 'base64');
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'bool':
      return new Uint8Array(buf);
  }
}

function expectTensor(actual: unknown, e: Enc, path: string): void {
  expect(isTensorData(actual), `${path}: a tensor`).toBe(true);
  const td = actual as TensorData;
  expect(td.dtype, `${path}: dtype`).toBe(e.dtype);
  expect(td.shape, `${path}: shape`).toEqual(e.shape);
  if (e.bits !== undefined) {
    const bits = rawValues(e.bits) as BigInt64Array;
    expect(Array.from(td.data as Uint16Array), `${path}: bits`).toEqual(Array.from(bits, Number));
    return;
  }
  const want = Array.from(rawValues(e.values) as ArrayLike<number | bigint>);
  let got: (number | bigint)[] = Array.from(td.data as ArrayLike<number | bigint>);
  if (typeof want[0] === 'bigint' && typeof got[0] === 'number') got = got.map((x) => BigInt(x as number));
  expect(got.length, `${path}: numel`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${path}: element ${i} is ${got[i]}, torch has ${want[i]}`);
  }
}

function expectPy(actual: unknown, e: Enc, path = 'value'): void {
  if (e === null || typeof e === 'boolean' || typeof e === 'string') {
    expect(actual, path).toBe(e);
  } else if (Array.isArray(e)) {
    expect(Array.isArray(actual) && !isTuple(actual), `${path}: a list`).toBe(true);
    expect((actual as unknown[]).length, `${path}: length`).toBe(e.length);
    e.forEach((x, i) => expectPy((actual as unknown[])[i], x, `${path}[${i}]`));
  } else if ('$int' in e) {
    expect(typeof actual === 'number' || typeof actual === 'bigint', `${path}: an int, got ${typeof actual}`).toBe(
      true,
    );
    expect(BigInt(actual as number), path).toBe(BigInt(e.$int));
    if (typeof actual === 'bigint')
      expect(Number.isSafeInteger(Number(actual)), `${path}: bigint only past 2^53`).toBe(false);
  } else if ('$float' in e) {
    const want = typeof e.$float === 'number' ? e.$float : Number(e.$float.replace('inf', 'Infinity'));
    expect(Object.is(actual, want), `${path}: ${String(actual)} vs ${want}`).toBe(true);
  } else if ('$tuple' in e) {
    expect(isTuple(actual), `${path}: a tuple`).toBe(true);
    expect((actual as unknown[]).length, `${path}: length`).toBe(e.$tuple.length);
    e.$tuple.forEach((x: Enc, i: number) => expectPy((actual as unknown[])[i], x, `${path}[${i}]`));
  } else if ('$dict' in e) {
    expect(actual instanceof Map, `${path}: a dict`).toBe(true);
    expect(actual instanceof OrderedDict, `${path}: OrderedDict?`).toBe(e.ordered);
    const entries = [...(actual as Map<unknown, unknown>).entries()];
    expect(entries.length, `${path}: size`).toBe(e.$dict.length);
    e.$dict.forEach(([k, v]: [Enc, Enc], i: number) => {
      expectPy(entries[i][0], k, `${path} key ${i}`);
      expectPy(entries[i][1], v, `${path}.${String(entries[i][0])}`);
    });
  } else if ('$tensor' in e) {
    expectTensor(actual, e.$tensor, path);
  } else {
    throw new Error(`unknown encoding at ${path}`);
  }
}

/** The same tagged JSON from our side, for scripts/torch_roundtrip.py to compare against. */
function encPy(v: unknown): Enc {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { $int: v.toString() };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return { $int: String(v) };
    return { $float: Number.isFinite(v) ? v : String(v).replace('Infinity', 'inf').replace('NaN', 'nan') };
  }
  if (isTuple(v)) return { $tuple: v.map(encPy) };
  if (Array.isArray(v)) return v.map(encPy);
  if (v instanceof tf.Tensor) return encPy(fromTfTensor(v));
  if (isTensorData(v)) {
    const raw = (a: ArrayBufferView, dtype: string, shape: number[]): FixtureTensor => ({
      shape,
      dtype: dtype as FixtureTensor['dtype'],
      b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
    });
    let values: FixtureTensor;
    const d = v.data;
    switch (v.dtype) {
      case 'float32':
      case 'float64':
      case 'int64':
      case 'bool':
        values = raw(d, v.dtype, v.shape);
        break;
      case 'float16':
        values = raw(Float64Array.from(d as Uint16Array, halfToFloat), 'float64', v.shape);
        break;
      case 'bfloat16':
        values = raw(Float64Array.from(d as Uint16Array, bfloat16ToFloat), 'float64', v.shape);
        break;
      default:
        values = raw(
          BigInt64Array.from(d as Int32Array, (x) => BigInt(x)),
          'int64',
          v.shape,
        );
    }
    return { $tensor: { dtype: v.dtype, shape: v.shape, values } };
  }
  if (v instanceof Map)
    return { $dict: [...v].map(([k, x]) => [encPy(k), encPy(x)]), ordered: v instanceof OrderedDict };
  if (typeof v === 'object')
    return { $dict: Object.entries(v as object).map(([k, x]) => [k, encPy(x)]), ordered: false };
  throw new Error(`cannot encode ${typeof v}`);
}

interface Case {
  kind: 'torch' | 'safetensors' | 'dcgan';
  file: string;
  value?: Enc;
  metadata?: Record<string, string>;
  tensors?: DcganTensor[];
}
interface DcganTensor {
  key: string;
  dtype: string;
  shape: number[];
  sha256: string;
  sum: number;
  head: FixtureTensor;
  values?: FixtureTensor;
}

const fixture = loadFixture<Case>('serialization');
const torchCases = fixture.cases.filter((c) => c.kind === 'torch');

const bytesOf = (td: TensorData): Uint8Array => new Uint8Array(td.data.buffer, td.data.byteOffset, td.data.byteLength);
const enc = new TextEncoder();

// ---------------------------------------------------------------------------------------------

describe('parseTorchFile reads what torch.save wrote', () => {
  it.each(torchCases.map((c) => [c.file, c] as const))('%s', (_, c) => {
    expectPy(parseTorchFile(fixtureBytes(c.file)), c.value);
  });

  it('views come back contiguous: transposed, sliced with an offset, strided, stride-0, permuted, empty', () => {
    const sd = parseTorchFile(fixtureBytes('ser_basic.pt')) as Map<string, TensorData>;
    const base = sd.get('shared_base')!;
    const at = (r: number, c: number) => (base.data as Float32Array)[r * 6 + c];
    expect(sd.get('slice')!.shape).toEqual([3, 3]);
    expect(Array.from(sd.get('slice')!.data as Float32Array).slice(0, 3)).toEqual([at(1, 2), at(1, 3), at(1, 4)]);
    expect(Array.from(sd.get('shared_row')!.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5].map((c) => at(2, c)));
    expect(sd.get('empty_view')!.shape).toEqual([4, 0]);
    expect(sd.get('expanded')!.data.length).toBe(12);
  });

  it('keeps the state dict _metadata (versions per module) as OrderedDict attributes', () => {
    const sd = parseTorchFile(fixtureBytes('ser_batchnorm.pt')) as OrderedDict;
    const meta = sd.attributes.get('_metadata') as Map<string, Map<string, number>>;
    expect(meta.get('1')!.get('version')).toBe(2); // BatchNorm's version with num_batches_tracked
  });

  it('BatchNorm2d num_batches_tracked is int64 3 after three training steps', () => {
    const sd = parseTorchFile(fixtureBytes('ser_batchnorm.pt')) as Map<string, TensorData>;
    const nbt = sd.get('1.num_batches_tracked')!;
    expect(nbt.dtype).toBe('int64');
    expect(nbt.shape).toEqual([]);
    expect(nbt.data[0]).toBe(3n);
    const t = toTfStateDict(sd);
    expect(t.get('1.num_batches_tracked')!.dtype).toBe('int32');
    expect(t.get('1.num_batches_tracked')!.arraySync()).toBe(3);
    tf.dispose([...t.values()]);
  });
});

describe("the article's DCGAN (torch.manual_seed(0), weights_init)", () => {
  for (const c of fixture.cases.filter((x) => x.kind === 'dcgan')) {
    it(`${c.file}: keys in torch's order, dtypes, shapes, exact bytes`, () => {
      const sd = parseTorchFile(fixtureBytes(c.file));
      expect(sd).toBeInstanceOf(OrderedDict);
      const map = sd as Map<string, TensorData>;
      expect([...map.keys()]).toEqual(c.tensors!.map((t) => t.key));
      for (const e of c.tensors!) {
        const td = map.get(e.key)!;
        expect(td.dtype, e.key).toBe(e.dtype);
        expect(td.shape, e.key).toEqual(e.shape);
        expect(createHash('sha256').update(bytesOf(td)).digest('hex'), `${e.key}: sha256`).toBe(e.sha256);
        const head = rawValues(e.head);
        expect(Array.from(td.data as ArrayLike<number | bigint>).slice(0, head.length), `${e.key}: head`).toEqual(
          Array.from(head as ArrayLike<number | bigint>),
        );
        if (e.values !== undefined) expectTensor(td, { dtype: e.dtype, shape: e.shape, values: e.values }, e.key);
        if (e.dtype === 'float32') {
          let s = 0;
          for (const x of td.data as Float32Array) s += x;
          expect(Math.abs(s - e.sum), `${e.key}: sum`).toBeLessThan(1e-6 * Math.max(1, Math.abs(e.sum)) + 1e-4);
        }
      }
      const tensors = toTfStateDict(sd);
      expect(tensors.get(c.tensors![0].key)!.shape).toEqual(c.tensors![0].shape);
      tf.dispose([...tensors.values()]);
    });
  }
});

describe('serializeTorchFile', () => {
  it.each(torchCases.map((c) => [c.file, c] as const))('%s survives parse → serialize → parse', (_, c) => {
    const bytes = serializeTorchFile(parseTorchFile(fixtureBytes(c.file)));
    expectPy(parseTorchFile(bytes), c.value);
  });

  it("lays records out as torch does: archive/data.pkl, data/<key>, byteorder, version '3'; data 64-byte aligned", () => {
    const bytes = serializeTorchFile({ w: tf.ones([3]), n: tf.scalar(2, 'int32') }, { archiveName: 'netG' });
    const zip = new ZipArchive(bytes);
    expect([...zip.entries.keys()]).toEqual([
      'netG/data.pkl',
      'netG/data/0',
      'netG/data/1',
      'netG/byteorder',
      'netG/version',
    ]);
    for (const e of zip.entries.values()) expect(e.dataOffset % 64, e.name).toBe(0);
    expect(new TextDecoder().decode(zip.read('netG/version'))).toBe('3\n');
    const back = parseTorchFile(bytes) as Map<string, TensorData>;
    expect(back.get('n')!.dtype).toBe('int64'); // tfjs int32 is torch's int64
    expect(back.get('n')!.data[0]).toBe(2n);
  });

  it('writes a tensor referenced twice once', () => {
    const td: TensorData = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
    const bytes = serializeTorchFile({ a: td, b: td });
    expect([...new ZipArchive(bytes).entries.keys()].filter((n) => n.includes('/data/'))).toEqual(['archive/data/0']);
    const back = parseTorchFile(bytes) as Map<string, TensorData>;
    expect(back.get('a')).toBe(back.get('b'));
  });

  it('refuses what pickle cannot express: undefined, functions, cycles, bad shapes, disposed tensors', () => {
    expect(() => serializeTorchFile({ a: undefined } as never)).toThrow(/'a' is undefined/);
    expect(() => serializeTorchFile({ f: () => 1 } as never)).toThrow(ValueError);
    const cyc: unknown[] = [];
    cyc.push(cyc);
    expect(() => serializeTorchFile(cyc as PyValue)).toThrow(/contains itself/);
    expect(() => serializeTorchFile({ t: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /shape \[3\] but 2 elements/,
    );
    const t = tf.ones([2]);
    t.dispose();
    expect(() => serializeTorchFile({ t })).toThrow(/disposed/);
    expect(() => serializeTorchFile({}, { archiveName: '../x' })).toThrow(ValueError);
  });
});

describe('safetensors', () => {
  const c = fixture.cases.find((x) => x.kind === 'safetensors')!;

  it('parses the spec-following file with every dtype and metadata', () => {
    const f = parseSafetensors(fixtureBytes(c.file));
    expect(f.metadata).toEqual(c.metadata);
    expectPy(new Map(f.tensors), { ...c.value, ordered: false });
  });

  it('serialize → parse keeps every tensor and the metadata; data aligned, header padded to 8', () => {
    const f = parseSafetensors(fixtureBytes(c.file));
    const bytes = serializeSafetensors(f.tensors, { format: 'pt' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    const want = new Map(c.value.$dict.map(([k, v]: [string, Enc]) => [k, v]));
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
    for (const [name, td] of back.tensors) {
      expectPy(td, want.get(name), name);
      expect((8 + headerLen + json[name].data_offsets[0]) % td.data.BYTES_PER_ELEMENT, `${name}: aligned`).toBe(0);
    }
    expect(back.tensors.size).toBe(want.size);
    expect(parseSafetensors(serializeSafetensors({ w: tf.ones([2, 2]) })).metadata).toBeNull();
  });

  const header = (h: unknown, data = new Uint8Array(0), pad = ''): Uint8Array => {
    const j = enc.encode(JSON.stringify(h) + pad);
    const out = new Uint8Array(8 + j.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
    out.set(j, 8);
    out.set(data, 8 + j.length);
    return out;
  };
  const f32 = (n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });
  const hostile: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /at least 8 bytes/],
    [
      'header length past the end',
      (() => {
        const b = header({});
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      })(),
      /past the end/,
    ],
    [
      'header length over 100 MB',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES) + 1n, true);
        return b;
      })(),
      /exceeds/,
    ],
    [
      'header length 2^64-1',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
        return b;
      })(),
      /exceeds/,
    ],
    [
      'not JSON',
      (() => {
        const b = header({});
        b[9] = 0x7b;
        return b;
      })(),
      /not valid UTF-8 JSON/,
    ],
    ['JSON not an object', header([1, 2]), /start with '\{'/],
    [
      'unknown dtype',
      header({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /dtype "C64" is not supported/,
    ],
    ['negative dim', header({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /non-negative integer sizes/],
    [
      'fractional dim',
      header({ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }, new Uint8Array(6)),
      /non-negative integer sizes/,
    ],
    [
      'size does not match the offsets',
      header({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /needs 12 bytes/,
    ],
    [
      'offsets reversed',
      header({ x: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /begin <= end/,
    ],
    ['offset past the data', header({ x: f32(4) }, new Uint8Array(8)), /describes 16 bytes .* has 8/],
    ['trailing data', header({ x: f32(1) }, new Uint8Array(8)), /describes 4 bytes .* has 8/],
    ['a gap', header({ x: f32(1), y: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)), /gap/],
    [
      'overlap',
      header({ x: f32(2), y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /overlaps/,
    ],
    [
      'huge shape',
      header({ x: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /too many elements/,
    ],
    ['metadata not strings', header({ __metadata__: { n: 1 } }), /string metadata values/],
  ];
  it.each(hostile)('refuses %s', (_, bytes, message) => {
    expect(() => parseSafetensors(bytes)).toThrow(FormatError);
    expect(() => parseSafetensors(bytes)).toThrow(message);
  });

  it('accepts an empty file body, padding spaces, and a tensor named __proto__', () => {
    expect(parseSafetensors(header({}, new Uint8Array(0), '   ')).tensors.size).toBe(0);
    const b = serializeSafetensors(
      new Map([['__proto__', { dtype: 'uint8', shape: [1], data: new Uint8Array([7]) } as TensorData]]),
    );
    expect(parseSafetensors(b).tensors.get('__proto__')!.data[0]).toBe(7);
    expect(() => serializeSafetensors({ __metadata__: tf.ones([1]) })).toThrow(ValueError);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile and malformed torch files.

/** A stored zip with a hand-made pickle and storages, as torch would lay it out. */
function torchZip(
  pkl: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  extra: Record<string, Uint8Array> = {},
): Uint8Array {
  return writeZip([
    { name: 'archive/data.pkl', data: pkl },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    ...Object.entries(extra).map(([name, data]) => ({ name, data })),
    { name: 'archive/version', data: enc.encode('3\n') },
  ]);
}

/** A pickle of `_rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, OrderedDict())`. */
function tensorPickle(o: {
  storage?: string;
  key?: string;
  numel: number;
  offset?: number;
  size: PyValue[];
  stride: PyValue[];
}): Uint8Array {
  const pid = new PyPersistentId(
    tuple<PyValue>('storage', new PyGlobal('torch', o.storage ?? 'FloatStorage'), o.key ?? '0', 'cpu', o.numel),
  );
  return pickle(
    new Map([
      [
        't',
        new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), [
          pid,
          o.offset ?? 0,
          Object.freeze(o.size),
          Object.freeze(o.stride),
          false,
          new OrderedDict(),
        ]),
      ],
    ]),
  );
}

/** Raw pickle bytes from opcodes written as latin-1 text. */
const raw = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

describe('parseTorchFile refuses hostile and malformed files with FormatError', () => {
  const good = fixtureBytes('ser_batchnorm.pt');
  const withPickle = (p: Uint8Array) => torchZip(p);
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty file', () => new Uint8Array(0), /expected a zip archive .* got an empty file/],
    ['wrong magic', () => enc.encode('GIF89a........................'), /magic 50 4b 03 04\).* got 47 49 46 38/],
    ['a truncated zip', () => good.subarray(0, good.length - 200), /end-of-central-directory|past the end|truncated/],
    ['a zip cut in the middle', () => good.subarray(0, Math.floor(good.length / 2)), /end-of-central-directory/],
    [
      'a corrupted storage (CRC)',
      () => {
        const b = good.slice();
        const z = new ZipArchive(b);
        b[z.entries.get('ser_batchnorm/data/0')!.dataOffset] ^= 1;
        return b;
      },
      /CRC-32/,
    ],
    ['the legacy format', () => fixtureBytes('ser_legacy.pt'), /legacy .* not supported/],
    [
      'a pickled nn.Module',
      () => fixtureBytes('ser_module.pt'),
      /global 'torch\.nn\.modules\.linear\.Linear' is not allowed/,
    ],
    [
      'a TorchScript archive',
      () =>
        writeZip([
          { name: 'm/data.pkl', data: pickle(null) },
          { name: 'm/constants.pkl', data: pickle(null) },
        ]),
      /TorchScript/,
    ],
    [
      'no data.pkl',
      () => writeZip([{ name: 'archive/version', data: enc.encode('3\n') }]),
      /exactly one '<archive>\/data\.pkl'/,
    ],
    [
      'GLOBAL os.system',
      () => withPickle(raw('\x80\x02cos\nsystem\nX\x02\x00\x00\x00idt\x85R.')),
      /global 'os\.system' is not allowed .*GLOBAL \(0x63\) at byte 2/,
    ],
    [
      'REDUCE of builtins.eval',
      () => withPickle(raw('\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.')),
      /global 'builtins\.eval' is not allowed/,
    ],
    [
      'STACK_GLOBAL of posix.system',
      () => withPickle(raw('\x80\x04\x8c\x05posix\x8c\x06system\x93.')),
      /global 'posix\.system' is not allowed/,
    ],
    ['the text opcode INST', () => withPickle(raw('\x80\x02(ios\nsystem\n.')), /INST \(0x69\) at byte 3/],
    ['the text opcode INT', () => withPickle(raw('I1\n.')), /unsupported opcode.*INT \(0x49\) at byte 0/],
    ['an unknown opcode', () => withPickle(raw('\x80\x02\xff.')), /0xff at byte 2/],
    ['NEWOBJ', () => withPickle(raw('\x80\x02ccollections\nOrderedDict\n)\x81.')), /NEWOBJ/],
    [
      'REDUCE of a non-callable storage type',
      () => withPickle(raw('\x80\x02ctorch\nFloatStorage\n)R.')),
      /expected an allowed global to call/,
    ],
    ['BUILD on a list', () => withPickle(raw('\x80\x02]}b.')), /BUILD may only set attributes of an OrderedDict/],
    ['APPEND to a tuple', () => withPickle(raw('\x80\x02)K\x01a.')), /expected a list to append to, got tuple/],
    ['SETITEM on a list', () => withPickle(raw('\x80\x02]K\x01K\x02s.')), /expected a dict/],
    ['stack underflow', () => withPickle(raw('\x80\x02t.')), /no MARK to pop to/],
    ['a missing memo index', () => withPickle(raw('\x80\x02h\x07.')), /memo index 7 was never stored/],
    ['a truncated pickle', () => withPickle(raw('\x80\x02X\x10\x00\x00\x00abc')), /truncated: needs 16 more bytes/],
    [
      'a 4 GiB string length',
      () => withPickle(raw('\x80\x02X\xff\xff\xff\xff.')),
      /truncated: needs 4294967295 more bytes/,
    ],
    ['no STOP', () => withPickle(raw('\x80\x02N')), /no STOP/],
    ['a huge LONG4', () => withPickle(raw('\x80\x02\x8b\xff\xff\xff\x7f.')), /integer of 2147483647 bytes/],
    ['10000 nested MARKs', () => withPickle(raw('\x80\x02' + '('.repeat(10000) + '.')), /more than 1000 nested MARKs/],
    [
      'a persistent id that is not a storage',
      () => withPickle(raw('\x80\x02X\x03\x00\x00\x00abcQ.')),
      /expected a persistent id \('storage'/,
    ],
    [
      'a storage without a record',
      () => withPickle(tensorPickle({ key: '9', numel: 1, size: [1], stride: [1] })),
      /storage '9' has no record/,
    ],
    [
      'a storage larger than its record',
      () => torchZip(tensorPickle({ numel: 1000, size: [1000], stride: [1] }), { 0: new Uint8Array(16) }),
      /declares 1000 float32 elements \(4000 bytes\), its record has 16/,
    ],
    [
      'a huge declared storage',
      () => torchZip(tensorPickle({ numel: 2 ** 52, size: [1], stride: [1] }), { 0: new Uint8Array(16) }),
      /declares 4503599627370496 float32 elements/,
    ],
    [
      'an offset past the end',
      () => torchZip(tensorPickle({ numel: 4, offset: 4, size: [1], stride: [1] }), { 0: new Uint8Array(16) }),
      /offset 4 reach element 4 of a 4-element storage/,
    ],
    [
      'strides past the end',
      () => torchZip(tensorPickle({ numel: 4, size: [2, 2], stride: [3, 1] }), { 0: new Uint8Array(16) }),
      /reach element 4 of a 4-element storage/,
    ],
    [
      'a negative dim',
      () => torchZip(tensorPickle({ numel: 4, size: [-1], stride: [1] }), { 0: new Uint8Array(16) }),
      /non-negative integer sizes/,
    ],
    [
      'a float dim',
      () => torchZip(tensorPickle({ numel: 4, size: [1.5], stride: [1] }), { 0: new Uint8Array(16) }),
      /non-negative integer sizes/,
    ],
    [
      'a stride-0 view of 2^40 elements',
      () => torchZip(tensorPickle({ numel: 4, size: [2 ** 20, 2 ** 20], stride: [0, 0] }), { 0: new Uint8Array(16) }),
      /needs 4398046511104 bytes, more than the 67108864 allowed \(maxTensorBytes; by default the size of the file/,
    ],
    [
      'a negative stride',
      () => torchZip(tensorPickle({ numel: 4, offset: 3, size: [2], stride: [-1] }), { 0: new Uint8Array(16) }),
      /non-negative integer strides/,
    ],
    [
      '65 dimensions',
      () =>
        torchZip(tensorPickle({ numel: 4, size: Array(65).fill(1), stride: Array(65).fill(1) }), {
          0: new Uint8Array(16),
        }),
      /65 dimensions \(at most 64\)/,
    ],
    [
      'size and stride of different lengths',
      () => torchZip(tensorPickle({ numel: 4, size: [2, 2], stride: [1] }), { 0: new Uint8Array(16) }),
      /equal length/,
    ],
    [
      'an unknown storage type',
      () =>
        torchZip(tensorPickle({ storage: 'ComplexFloatStorage', numel: 1, size: [1], stride: [1] }), {
          0: new Uint8Array(8),
        }),
      /global 'torch\.ComplexFloatStorage' is not allowed/,
    ],
    [
      'one storage as two dtypes',
      () =>
        torchZip(
          pickle([
            new PyPersistentId(tuple<PyValue>('storage', new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', 1)),
            new PyPersistentId(tuple<PyValue>('storage', new PyGlobal('torch', 'IntStorage'), '0', 'cpu', 1)),
          ]),
          { 0: new Uint8Array(4) },
        ),
      /float32 and int32 at once/,
    ],
    [
      'a bad byteorder',
      () => torchZip(pickle(null), {}, { 'archive/byteorder': enc.encode('middle') }),
      /'little' or 'big'/,
    ],
    [
      'a compressed entry',
      () => {
        const b = writeZip([{ name: 'archive/data.pkl', data: pickle(null) }]);
        const v = new DataView(b.buffer);
        v.setUint16(8, 8, true);
        v.setUint16(b.length - 22 - 46 - 'archive/data.pkl'.length + 10, 8, true);
        return b;
      },
      /compressed \(deflate\); only stored entries/,
    ],
  ];
  it.each(cases)('%s', (_, make, message) => {
    const bytes = make();
    let err: unknown;
    try {
      parseTorchFile(bytes);
    } catch (e) {
      err = e;
    }
    expect(err, 'an error').toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(message);
  });

  it('a 360 KB file whose tensor claims shape (8191, 65535) with strides (0, 1) is refused (was: 2 GB allocated)', () => {
    const bytes = torchZip(tensorPickle({ numel: 65535, size: [8191, 65535], stride: [0, 1] }), {
      0: new Uint8Array(65535 * 4 + 100_000),
    });
    expect(bytes.length).toBeGreaterThan(350_000);
    expect(() => parseTorchFile(bytes)).toThrow(/needs 2147188740 bytes, more than the 67108864 allowed/);
    // Many views below the per-tensor limit: their total is capped too (by default 4x the file, at least 256 MiB).
    const views = pickle(
      new Map(
        Array.from({ length: 8 }, (_, i) => [
          `v${i}`,
          new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), [
            new PyPersistentId(tuple<PyValue>('storage', new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', 4)),
            0,
            tuple(2 ** 10, 2 ** 10),
            tuple(0, 0),
            false,
            new OrderedDict(),
          ]),
        ]),
      ),
    );
    const many = torchZip(views, { 0: new Uint8Array(16) });
    expect(() => parseTorchFile(many, { maxTotalBytes: 2 ** 24 })).toThrow(
      /more than 16777216 bytes together once rebuilt \(maxTotalBytes/,
    );
    expect((parseTorchFile(many) as Map<string, TensorData>).size).toBe(8);
  });

  it('checks its arguments: bytes a Uint8Array, options by name and type (maxTensorBytes: NaN is an error)', () => {
    const good = torchZip(pickle(null));
    expect(parseTorchFile(Buffer.from(good))).toBeNull();
    const refusals: [unknown[], RegExp][] = [
      [[Array.from(good)], /argument 'bytes' must be a Uint8Array .*got array of length \d+ \(convert it/],
      [[null], /argument 'bytes' must be a Uint8Array .*got null/],
      [['model.pt'], /got string 'model.pt' \(a path\?/],
      [[good.buffer], /ArrayBuffer \(wrap it: new Uint8Array\(buffer\)\)/],
      [[good, { maxTensorBytes: Number.NaN }], /argument 'maxTensorBytes' must be a number >= 0, got number NaN/],
      [[good, { maxTensorBytes: -1 }], /argument 'maxTensorBytes' must be a number >= 0, got number -1/],
      [[good, { maxTensorBytes: '100' }], /argument 'maxTensorBytes' must be a number >= 0, got string '100'/],
      [[good, { verifyCRC: false }], /unexpected keyword argument 'verifyCRC' \(did you mean 'verifyCrc'\?\)/],
      [[good, { allowNumpy: 'yes' }], /argument 'allowNumpy' must be a boolean/],
      [[good, 5], /options must be an object, got number 5/],
    ];
    for (const [args, message] of refusals) {
      expect(() => (parseTorchFile as (...a: unknown[]) => unknown)(...args)).toThrow(TorchError);
      expect(() => (parseTorchFile as (...a: unknown[]) => unknown)(...args)).toThrow(message);
    }
  });

  it('a big-endian file (byteorder "big") is byte-swapped', () => {
    const bytes = torchZip(
      tensorPickle({ storage: 'IntStorage', numel: 2, size: [2], stride: [1] }),
      { 0: Uint8Array.of(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe) },
      { 'archive/byteorder': enc.encode('big') },
    );
    const t = (parseTorchFile(bytes) as Map<string, TensorData>).get('t')!;
    expect(Array.from(t.data as Int32Array)).toEqual([1, -2]);
  });
});

describe('pickle', () => {
  it('round-trips plain data: ints of every width, floats, strings, tuples, lists, dicts with int keys', () => {
    const value = new Map<PyValue, PyValue>([
      ['ints', [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 53, -(2 ** 53), 2n ** 70n, -(2n ** 70n)]],
      ['floats', [0.1, -0, 1e300, Infinity, -Infinity, NaN, 1.5]],
      ['text', 'データ'],
      ['none', null],
      ['flags', [true, false]],
      ['tuples', tuple(tuple(), tuple(1), tuple(1, 2), tuple(1, 2, 3), tuple(1, 2, 3, 4))],
      [3, new OrderedDict([['a', 1]])],
      ['long', Array.from({ length: 2500 }, (_, i) => i)],
    ]);
    const back = unpickle(pickle(value), {
      globals: new Map([['collections.OrderedDict', { call: () => new OrderedDict() }]]),
    });
    expectPy(back, encPy(value));
  });

  it('reads a list that contains itself (through the memo) without looping; the writer refuses it', () => {
    const v = unpickle(raw('\x80\x02]q\x00h\x00a.'), { globals: new Map() }) as unknown[];
    expect(v[0]).toBe(v);
    expect(() => pickle(v)).toThrow(/'\[0\]' contains itself|contains itself/);
  });

  it('refuses OrderedDict without it on the allowlist', () => {
    expect(() => unpickle(pickle(new OrderedDict()), { globals: new Map() })).toThrow(
      /'collections\.OrderedDict' is not allowed \(a weights-only load allows none\)/,
    );
  });
});

describe('zip', () => {
  it('crc32 of "123456789" is cbf43926', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
  });

  it('writeZip → ZipArchive round-trips names (UTF-8 included) and data, aligned to 64', () => {
    const files = [
      { name: 'a/b', data: enc.encode('hello') },
      { name: 'a/データ', data: new Uint8Array(100).fill(7) },
      { name: 'a/empty', data: new Uint8Array(0) },
    ];
    const zip = new ZipArchive(writeZip(files));
    for (const f of files) {
      expect(zip.read(f.name)).toEqual(f.data);
      expect(zip.entries.get(f.name)!.dataOffset % 64).toBe(0);
    }
    expect(() => writeZip([files[0], files[0]])).toThrow(/duplicate/);
  });
});

describe('tfjs conversion', () => {
  it('toTfTensor maps every dtype to float32/int32/bool; int64 outside int32 is an error', () => {
    const sd = parseTorchFile(fixtureBytes('ser_basic.pt')) as Map<string, TensorData>;
    const expected: Record<string, string> = {
      f32: 'float32',
      f64: 'float32',
      f16: 'float32',
      bf16: 'float32',
      i64: 'int32',
      i32: 'int32',
      i16: 'int32',
      i8: 'int32',
      u8: 'int32',
      bool: 'bool',
      scalar: 'float32',
      empty: 'float32',
    };
    for (const [k, dtype] of Object.entries(expected)) {
      const t = toTfTensor(sd.get(k)!);
      expect(t.dtype, k).toBe(dtype);
      expect(t.shape, k).toEqual(sd.get(k)!.shape);
      t.dispose();
    }
    expect(tf.tidy(() => toTfTensor(sd.get('i8')!).arraySync())).toEqual([-128, 127, -1]);
    expect(() => toTfTensor(sd.get('i64_big')!)).toThrow(/int64 element 0 .* is 1099511627776, outside int32/);
  });

  it('float16 and bfloat16 bits decode to torch values and encode back (round to nearest even)', () => {
    const c = torchCases.find((x) => x.file === 'ser_basic.pt')!;
    const byKey = new Map<string, Enc>(c.value.$dict.map(([k, v]: [string, Enc]) => [k, v.$tensor] as [string, Enc]));
    for (const [key, dec, encode] of [
      ['f16', halfToFloat, floatToHalf],
      ['bf16', bfloat16ToFloat, floatToBfloat16],
    ] as const) {
      const e = byKey.get(key);
      const values = Array.from(rawValues(e.values) as Float64Array);
      const bits = Array.from(rawValues(e.bits) as BigInt64Array, Number);
      bits.forEach((b, i) => {
        expect(Object.is(dec(b), values[i]), `${key} ${b}`).toBe(true);
        expect(encode(values[i]), `${key} ${values[i]}`).toBe(b);
      });
    }
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds to inf
    expect(floatToHalf(2 ** -25)).toBe(0); // tie → even (0)
    expect(floatToHalf(2 ** -25 * 1.5)).toBe(1);
  });

  it('fromTfTensor: float32 and bool kept, int32 becomes int64 unless asked; range-checked', () => {
    expect(fromTfTensor(tf.tensor([1.5, 2], [2])).dtype).toBe('float32');
    expect(fromTfTensor(tf.tensor([true], [1], 'bool')).data).toEqual(new Uint8Array([1]));
    expect(fromTfTensor(tf.scalar(7, 'int32')).data).toEqual(BigInt64Array.of(7n));
    expect(fromTfTensor(tf.scalar(7, 'int32'), 'int32').data).toEqual(Int32Array.of(7));
    expect(fromTfTensor(tf.tensor([1, 0.5]), 'float16').data).toEqual(Uint16Array.of(0x3c00, 0x3800));
    expect(() => fromTfTensor(tf.tensor([300], [1], 'int32'), 'uint8')).toThrow(/element 0 is 300, not a uint8 value/);
    expect(() => fromTfTensor(tf.tensor([0.5]), 'int64')).toThrow(ValueError);
  });
});

describe('node load/save (atomic)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-torch-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('save then load; the archive is named after the file; no temporary file remains', async () => {
    const sd = await load(FIXTURES + 'dcgan_netD.pt');
    await save(sd, join(dir, 'netD.pt'));
    await save(sd, join(dir, 'netD.pt')); // overwrite
    expect(readdirSync(dir)).toEqual(['netD.pt']);
    const bytes = new Uint8Array(readFileSync(join(dir, 'netD.pt')));
    expect(new ZipArchive(bytes).has('netD/data.pkl')).toBe(true);
    const back = (await load(join(dir, 'netD.pt'))) as Map<string, TensorData>;
    const orig = sd as Map<string, TensorData>;
    expect([...back.keys()]).toEqual([...orig.keys()]);
    for (const [k, v] of orig) expect(Buffer.from(bytesOf(back.get(k)!)).equals(bytesOf(v)), k).toBe(true);
  });

  it('saveSafetensors then loadSafetensors', async () => {
    await saveSafetensors(
      {
        w: tf.tensor([
          [1, 2],
          [3, 4],
        ]),
        n: tf.scalar(5, 'int32'),
      },
      join(dir, 'w.safetensors'),
      { format: 'pt' },
    );
    const f = await loadSafetensors(join(dir, 'w.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(Array.from(f.tensors.get('w')!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(f.tensors.get('n')!.data[0]).toBe(5n);
  });

  it('a failed save leaves nothing behind and propagates the error', async () => {
    await expect(save({ x: tf.ones([1]) }, join(dir, 'missing-dir', 'x.pt'))).rejects.toThrow(/ENOENT/);
    await expect(save({ x: undefined } as never, join(dir, 'bad.pt'))).rejects.toThrow(ValueError);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Live round trip with PyTorch (skipped where /usr/bin/python3 has no torch).

const PYTHON = '/usr/bin/python3';
const hasTorch =
  spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } })
    .status === 0;

describe.skipIf(!hasTorch)('round trip with real PyTorch (scripts/torch_roundtrip.py)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-torch-roundtrip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PyTorch loads what TypeScript wrote (weights_only where 1.13 allows), TypeScript reads what PyTorch wrote', async () => {
    const basic = parseTorchFile(fixtureBytes('ser_basic.pt')) as Map<string, TensorData>;
    const state = new OrderedDict<string, PyValue>([
      [
        'linear.weight',
        tf.tensor(
          [
            [1, -2, 3.5],
            [0.25, 0, -0],
          ],
          [2, 3],
        ),
      ],
      ['bn.num_batches_tracked', tf.scalar(12, 'int32')],
      ['mask', tf.tensor([true, false], [2], 'bool')],
      ...[...basic.entries()].map(([k, v]) => [`basic.${k}`, v] as [string, PyValue]),
    ]);
    const optim = new Map<PyValue, PyValue>([
      [
        'state',
        new Map<PyValue, PyValue>([
          [
            0,
            new Map<PyValue, PyValue>([
              ['step', tf.scalar(3)],
              ['exp_avg', tf.tensor([0.1, 0.2])],
            ]),
          ],
        ]),
      ],
      [
        'param_groups',
        [
          new Map<PyValue, PyValue>([
            ['lr', 0.0002],
            ['betas', tuple(0.2, 0.999)],
            ['eps', 1e-7],
            ['weight_decay', 0],
            ['amsgrad', false],
            ['foreach', null],
            ['params', [0]],
          ]),
        ],
      ],
      ['big', 2n ** 70n],
      ['text', 'データ'],
      ['inf', -Infinity],
    ]);
    const cases: Enc[] = [];
    const put = (file: string, value: PyValue, weightsOnly: boolean) => {
      writeFileSync(join(dir, file), serializeTorchFile(value));
      cases.push({ kind: 'torch', file, weights_only: weightsOnly, value: encPy(value) });
    };
    put('ts_state.pt', state, true);
    put('ts_optim.pt', optim, false); // torch 1.13's weights-only unpickler has no BINFLOAT
    put('ts_tensor.pt', tf.tensor([[1, 2]]), true);
    await save(parseTorchFile(fixtureBytes('dcgan_netG.pt')), join(dir, 'netG.pt'));
    cases.push({ kind: 'model', file: 'netG.pt', model: 'Generator', reference: 'test/fixtures/dcgan_netG.pt' });
    writeFileSync(join(dir, 'netD.pt'), serializeTorchFile(parseTorchFile(fixtureBytes('dcgan_netD.pt'))));
    cases.push({ kind: 'model', file: 'netD.pt', model: 'Discriminator', reference: 'test/fixtures/dcgan_netD.pt' });
    const stTensors = new Map(basic);
    writeFileSync(join(dir, 'ts.safetensors'), serializeSafetensors(stTensors, { format: 'pt' }));
    cases.push({
      kind: 'safetensors',
      file: 'ts.safetensors',
      value: encPy(new OrderedDict([...stTensors].sort((a, b) => bytesPerItem(b[1]) - bytesPerItem(a[1])))),
      metadata: { format: 'pt' },
    });
    writeFileSync(join(dir, 'from_ts.json'), JSON.stringify(cases));

    const run = spawnSync(PYTHON, [join(ROOT, 'scripts/torch_roundtrip.py'), dir], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
      timeout: 120_000,
    });
    const report = JSON.parse(run.stdout.trim().split('\n').pop() || '{}');
    expect(report.failures ?? [run.stderr], 'PyTorch side').toEqual([]);
    expect(report.checked).toBe(cases.length);
    expect(run.status).toBe(0);

    const fromTorch = JSON.parse(readFileSync(join(dir, 'from_torch.json'), 'utf8')) as Case[];
    expect(fromTorch.length).toBe(report.wrote);
    for (const c of fromTorch) {
      const bytes = new Uint8Array(readFileSync(join(dir, c.file)));
      if (c.kind === 'safetensors') {
        const f = parseSafetensors(bytes);
        expect(f.metadata, c.file).toEqual(c.metadata);
        expectPy(new OrderedDict(f.tensors), c.value, c.file);
      } else {
        expectPy(parseTorchFile(bytes), c.value, c.file);
      }
    }
  });
});

function bytesPerItem(td: TensorData): number {
  return td.data.BYTES_PER_ELEMENT;
}
