// torch.load of pickled NumPy arrays (issue 9.6) against what PyTorch 1.13 + NumPy load from the same files
// (test/fixtures/numpy_load.json and np_*.pt, written by scripts/fixtures/numpy_load.py): opt-in with
// allowNumpy, every dtype torch has, Fortran order, big-endian, 0-d and empty arrays; hostile files refused.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { FormatError } from '../src/errors';
import { halfToFloat, isTensorData, parseTorchFile, type TensorData, toTfTensor } from '../src/io/torch-format';
import { type FixtureTensor, fixtureData, loadFixture } from './helpers';

interface Encoded {
  np_dtype: string;
  shape: number[];
  values: FixtureTensor;
}
interface NumpyCase {
  name: string;
  file: string;
  value?: Encoded;
  dict?: Record<string, Encoded>;
  fortran?: string[];
  hostile?: boolean;
  torch_error?: string;
}

const cases = loadFixture<NumpyCase>('numpy_load').cases;
const bytesOf = (file: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))));

const TORCH_DTYPE: Record<string, string> = {
  float64: 'float64',
  float32: 'float32',
  float16: 'float16',
  int64: 'int64',
  int32: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

function expectArray(got: unknown, expected: Encoded, what: string) {
  expect(isTensorData(got), `${what} is tensor data`).toBe(true);
  const td = got as TensorData;
  expect(td.dtype, what).toBe(TORCH_DTYPE[expected.np_dtype]);
  expect(td.shape, what).toEqual(expected.shape);
  if (expected.values.dtype === 'int64') {
    // exact as int64 (values past 2^53 included); fixtureData narrows int64 to int32
    const buf = Buffer.from(expected.values.b64, 'base64');
    const want = new BigInt64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const got = Array.from(td.data as ArrayLike<number | bigint>, (v) => BigInt(v));
    expect(got, what).toEqual(Array.from(want));
  } else {
    const values =
      td.dtype === 'float16'
        ? Array.from(td.data as Uint16Array, halfToFloat)
        : Array.from(td.data as ArrayLike<number | bigint>, (v) => Number(v));
    expect(values, what).toEqual(Array.from(fixtureData(expected.values) as Float64Array));
  }
}

describe('torch.load of NumPy arrays', () => {
  it("time_sequence_prediction's traindata.pt (a float64 array): refused by default, rebuilt with allowNumpy", () => {
    const c = cases.find((k) => k.name === 'traindata')!;
    const bytes = bytesOf(c.file);
    expect(() => parseTorchFile(bytes)).toThrow(FormatError);
    expect(() => parseTorchFile(bytes)).toThrow(/holds a NumPy array .*\{ allowNumpy: true \}/);
    const got = parseTorchFile(bytes, { allowNumpy: true });
    expectArray(got, c.value!, 'traindata');
    const t = toTfTensor(got as TensorData);
    expect(t.shape).toEqual(c.value!.shape);
    t.dispose();
  });

  it('every dtype torch has, Fortran order, big-endian, 0-d, empty and sliced arrays', () => {
    const c = cases.find((k) => k.name === 'dtypes')!;
    const got = parseTorchFile(bytesOf(c.file), { allowNumpy: true }) as Map<string, unknown>;
    expect([...got.keys()]).toEqual(Object.keys(c.dict!));
    expect(c.fortran).toEqual(['fortran_2d', 'fortran_3d']);
    for (const [key, expected] of Object.entries(c.dict!)) expectArray(got.get(key), expected, key);
  });

  const hostile = cases.filter((c) => c.hostile);
  const reasons: Record<string, RegExp> = {
    'hostile object_array': /object array .*arbitrary Python objects/,
    'hostile unsigned32': /NumPy dtype 'u4', which has no torch dtype/,
    'hostile complex': /NumPy dtype 'c8'/,
    'hostile unicode': /NumPy dtype 'U2'/,
    'hostile structured': /NumPy dtype 'V8'/,
    'hostile short_data': /shape \[2, 3\] \(float64\) needs 48 bytes, the pickle holds 40/,
    'hostile long_data': /shape \[2\] \(float32\) needs 8 bytes, the pickle holds 12/,
    'hostile negative_shape': /non-negative integers/,
    'hostile fortran_not_bool': /is_fortran to be a bool/,
    'hostile bad_version': /expected a NumPy array state/,
    'hostile dtype_not_dtype': /expected a numpy.dtype, got/,
    'hostile unknown_dtype_code': /NumPy dtype 'q9'/,
    'hostile bad_byteorder': /byte order must be/,
  };
  it.each(hostile.map((c) => [c.name, c] as const))('%s is a FormatError naming the problem', (name, c) => {
    expect(reasons[name], `a reason for ${name}`).toBeDefined();
    const bytes = bytesOf(c.file);
    expect(() => parseTorchFile(bytes, { allowNumpy: true })).toThrow(FormatError);
    expect(() => parseTorchFile(bytes, { allowNumpy: true })).toThrow(reasons[name]);
  });
});
