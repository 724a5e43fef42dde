/**
 * A protocol-2 Python [pickle](https://docs.python.org/3/library/pickle.html) writer, the protocol
 * `torch.save` uses.
 * @module
 */

import { ValueError } from '../errors';
import { OrderedDict, PyGlobal, PyPersistentId, PyReduce, type PyValue, describe } from './pickle-values';

/** Options of {@link pickle}. */
export interface PickleOptions {
  /**
   * Called for every object before the writer looks at it: returns a writable replacement (e.g. a
   * tensor's {@link PyReduce}), or `undefined` to write the object as it is. Each object is replaced once, then memoized, so an object
   * referenced twice is one object in Python.
   */
  replace?(value: object, path: string): PyValue | undefined;
  /** Deepest nesting accepted. Default: `1000`. */
  maxDepth?: number;
}

const BATCH = 1000;

/**
 * Writes `value` as a protocol-2 pickle, the protocol `torch.save` uses.
 *
 * Accepts what {@link unpickle} returns: `null`, booleans, numbers (a safe integer is a Python
 * `int`, any other number a `float`, so a float `1.0` read from a pickle is written back as `1`), bigints, strings, arrays (frozen: tuple), `Map`s and plain
 * objects (→ `dict`), {@link OrderedDict}s (with their attributes), and the writer nodes
 * {@link PyGlobal}, {@link PyReduce}, {@link PyPersistentId}.
 *
 * @param value the value to write.
 * @param options a replacement hook for other objects, and a depth limit.
 * @returns the pickle bytes.
 * @throws ValueError for values pickle cannot express here (`undefined`, functions, bytes, sets, cycles).
 * @example
 * ```ts
 * const bytes = pickle(new Map([['lr', 0.0002], ['betas', tuple(0.5, 0.999)]]));
 * ```
 */
export function pickle(value: PyValue, options: PickleOptions = {}): Uint8Array {
  const maxDepth = options.maxDepth ?? 1000;
  const encoder = new TextEncoder();
  let buf = new Uint8Array(1024);
  let len = 0;
  const ensure = (n: number): void => {
    if (len + n <= buf.length) return;
    let cap = buf.length * 2;
    while (cap < len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(buf.subarray(0, len));
    buf = next;
  };
  const byte = (...bs: number[]): void => {
    ensure(bs.length);
    for (const b of bs) buf[len++] = b;
  };
  const raw = (b: Uint8Array): void => {
    ensure(b.length);
    buf.set(b, len);
    len += b.length;
  };
  const u32 = (v: number): void => byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  let nextMemo = 0;
  const memoOf = new Map<unknown, number>();
  const put = (key: unknown): void => {
    const i = nextMemo++;
    memoOf.set(key, i);
    if (i < 256)
      byte(0x71, i); // BINPUT
    else {
      byte(0x72);
      u32(i);
    } // LONG_BINPUT
  };
  const get = (key: unknown): boolean => {
    const i = memoOf.get(key);
    if (i === undefined) return false;
    if (i < 256)
      byte(0x68, i); // BINGET
    else {
      byte(0x6a);
      u32(i);
    } // LONG_BINGET
    return true;
  };
  const writeInt = (v: bigint): void => {
    if (v >= 0n && v < 256n) byte(0x4b, Number(v));
    else if (v >= 0n && v < 65536n) byte(0x4d, Number(v) & 0xff, Number(v) >> 8);
    else if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      byte(0x4a);
      u32(Number(BigInt.asUintN(32, v)));
    } else {
      const out: number[] = [];
      let x = v;
      // Minimal two's-complement little-endian, as Python's encode_long.
      for (;;) {
        out.push(Number(x & 0xffn));
        x >>= 8n;
        if ((x === 0n && (out[out.length - 1] & 0x80) === 0) || (x === -1n && (out[out.length - 1] & 0x80) !== 0))
          break;
      }
      if (out.length > 255) throw new ValueError(`pickle: integer ${v} is too large`);
      byte(0x8a, out.length, ...out);
    }
  };
  const inProgress = new Set<object>();
  const at = (path: string): string => (path === '' ? 'the value' : `'${path}'`);

  const write = (v: PyValue, path: string, depth: number): void => {
    if (depth > maxDepth) throw new ValueError(`pickle: ${at(path)} is nested deeper than ${maxDepth}`);
    if (v === null) return byte(0x4e);
    if (v === true) return byte(0x88);
    if (v === false) return byte(0x89);
    if (typeof v === 'bigint') return writeInt(v);
    if (typeof v === 'number') {
      // Python's int and float are one JS number: exact integers are ints, the rest (1e300 too) floats.
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return writeInt(BigInt(v));
      byte(0x47);
      ensure(8);
      new DataView(buf.buffer, buf.byteOffset + len, 8).setFloat64(0, v, false);
      len += 8;
      return;
    }
    if (typeof v === 'string') {
      const b = encoder.encode(v);
      byte(0x58);
      u32(b.length);
      return raw(b);
    }
    if (typeof v !== 'object')
      throw new ValueError(`pickle: ${at(path)} is ${typeof v}, which has no pickle form here`);
    if (v instanceof PyGlobal) {
      if (get(v.qualname)) return;
      if (/[\n]/.test(v.module + v.name)) throw new ValueError(`pickle: bad global name '${v.qualname}'`);
      byte(0x63);
      raw(encoder.encode(`${v.module}\n${v.name}\n`));
      return put(v.qualname);
    }
    if (get(v)) return;
    if (inProgress.has(v)) throw new ValueError(`pickle: ${at(path)} contains itself (cycles cannot be written)`);
    if (options.replace !== undefined && !(v instanceof PyPersistentId) && !(v instanceof PyReduce)) {
      const replaced = options.replace(v, at(path));
      if (replaced !== undefined) {
        inProgress.add(v);
        try {
          write(replaced, path, depth + 1);
        } finally {
          inProgress.delete(v);
        }
        // The replacement is what Python sees; referencing the original again fetches it from the memo.
        if (replaced !== null && typeof replaced === 'object' && memoOf.has(replaced))
          memoOf.set(v, memoOf.get(replaced)!);
        return;
      }
    }
    inProgress.add(v);
    try {
      if (v instanceof PyPersistentId) {
        write(v.pid, path, depth + 1);
        return byte(0x51);
      }
      if (v instanceof PyReduce) {
        write(v.callable, path, depth + 1);
        write(Object.freeze([...v.args]), path, depth + 1);
        byte(0x52);
        return put(v);
      }
      if (Array.isArray(v)) {
        if (Object.isFrozen(v)) {
          const n = v.length;
          if (n === 0) return byte(0x29);
          if (n > 3) byte(0x28);
          v.forEach((x, i) => write(x, `${path}[${i}]`, depth + 1));
          return byte(n === 1 ? 0x85 : n === 2 ? 0x86 : n === 3 ? 0x87 : 0x74);
        }
        byte(0x5d);
        for (let i = 0; i < v.length; i += BATCH) {
          const n = Math.min(BATCH, v.length - i);
          if (n > 1) byte(0x28);
          for (let j = i; j < i + n; j++) write(v[j], `${path}[${j}]`, depth + 1);
          byte(n > 1 ? 0x65 : 0x61);
        }
        return;
      }
      let entries: [PyValue, PyValue][];
      if (v instanceof OrderedDict) {
        write(new PyGlobal('collections', 'OrderedDict'), path, depth + 1);
        byte(0x29, 0x52); // EMPTY_TUPLE REDUCE
        entries = [...v.entries()];
      } else if (v instanceof Map) {
        byte(0x7d);
        entries = [...v.entries()];
      } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        byte(0x7d);
        entries = Object.entries(v);
      } else {
        throw new ValueError(`pickle: ${at(path)} is ${describe(v)}, which has no pickle form here`);
      }
      for (let i = 0; i < entries.length; i += BATCH) {
        const n = Math.min(BATCH, entries.length - i);
        if (n > 1) byte(0x28);
        for (let j = i; j < i + n; j++) {
          const [k, x] = entries[j];
          write(k, `${path}[${JSON.stringify(String(k))}]`, depth + 1);
          write(x, path === '' ? String(k) : `${path}.${String(k)}`, depth + 1);
        }
        byte(n > 1 ? 0x75 : 0x73);
      }
      if (v instanceof OrderedDict && v.attributes.size > 0) {
        write(new Map<PyValue, PyValue>(v.attributes), `${path}.__dict__`, depth + 1);
        byte(0x62); // BUILD
      }
    } finally {
      inProgress.delete(v);
    }
  };

  byte(0x80, 2);
  write(value, '', 0);
  byte(0x2e);
  return buf.slice(0, len);
}
