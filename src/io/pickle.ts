/**
 * A restricted Python [pickle](https://docs.python.org/3/library/pickle.html) reader and a protocol-2
 * writer, enough for PyTorch checkpoints.
 *
 * The reader is torch's `weights_only=True` idea: it never executes anything. `GLOBAL` may only name
 * entries of an allowlist the caller passes, `REDUCE` may only call those entries, `BUILD` only sets
 * attributes of an `OrderedDict` (or goes to the caller's `build`, which accepts only objects it made),
 * and every other opcode outside the binary subset listed in {@link unpickle} is refused with a
 * {@link FormatError} that names it and its byte offset. Every length is checked against the data before
 * anything is allocated.
 *
 * Python values map to JavaScript as: `None` → `null`, `bool` → `boolean`, `int` → `number` (a
 * `bigint` past 2^53), `float` → `number`, `str` → `string`, `bytes` → `Uint8Array`, `list` → array,
 * `tuple` → a frozen array (see {@link tuple}), `dict` → `Map`, `collections.OrderedDict` →
 * {@link OrderedDict} (a `Map`), `set` → `Set`.
 * @module
 */

import { FormatError, ValueError } from '../errors';

/** A Python value as the reader returns it and the writer accepts it (see the module doc). */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly PyValue[]
  | Map<PyValue, PyValue>
  | Set<PyValue>
  | object;

/**
 * Python's `collections.OrderedDict` (torch's `state_dict()` type): a `Map` whose {@link attributes}
 * keep what pickle's `BUILD` set on it, e.g. a state dict's `_metadata` (per-module versions).
 *
 * @example
 * ```ts
 * const sd = new OrderedDict<string, TensorData>([['weight', w]]);
 * ```
 */
export class OrderedDict<K = PyValue, V = PyValue> extends Map<K, V> {
  /** Instance attributes (`__dict__`), e.g. `_metadata` on a torch state dict. */
  readonly attributes = new Map<string, PyValue>();
}

/**
 * A Python tuple: a frozen array. The reader returns tuples frozen and lists unfrozen, and the writer
 * writes a frozen array as a tuple, any other array as a list.
 * @param items the tuple's items.
 * @example
 * ```ts
 * const group = { lr: 0.0002, betas: tuple(0.5, 0.999) };
 * ```
 */
export function tuple<T extends PyValue>(...items: T[]): readonly T[] {
  return Object.freeze(items);
}

/**
 * Whether `v` is a tuple in the sense of {@link tuple} (a frozen array).
 * @param v any value.
 * @example
 * ```ts
 * isTuple(tuple(1, 2)); // true; isTuple([1, 2]) is false
 * ```
 */
export function isTuple(v: unknown): v is readonly PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** A reference to a Python global (`module.name`), written with the `GLOBAL` opcode. */
export class PyGlobal {
  /**
   * @param module the module (`torch._utils`).
   * @param name the name in it (`_rebuild_tensor_v2`).
   */
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  /** `module.name`, the key of an unpickler's allowlist. */
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** `callable(*args)` in the writer's output (`GLOBAL`, args tuple, `REDUCE`). */
export class PyReduce {
  /**
   * @param callable the global to call.
   * @param args its positional arguments (written as a tuple).
   */
  constructor(
    readonly callable: PyGlobal,
    readonly args: readonly PyValue[],
  ) {}
}

/** A persistent id (`BINPERSID`): how torch refers to storages stored outside the pickle. */
export class PyPersistentId {
  /** @param pid the id, e.g. the tuple `('storage', FloatStorage, '0', 'cpu', numel)`. */
  constructor(readonly pid: PyValue) {}
}

/** What a name on the unpickler's allowlist does when the pickle uses it. */
export interface AllowedGlobal {
  /** When given, `GLOBAL` pushes this value itself (e.g. a storage type a persistent id names). */
  value?: PyValue;
  /**
   * Called by `REDUCE` with the argument tuple; returns the result. Absent: the global may be pushed
   * (e.g. a storage type inside a persistent id) but not called.
   */
  call?(args: readonly PyValue[], at: string): PyValue;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** The allowlist: `module.name` → behaviour. Any other `GLOBAL` is refused. */
  globals: ReadonlyMap<string, AllowedGlobal>;
  /** Resolves a `BINPERSID` id. Absent: persistent ids are refused. */
  persistentLoad?(pid: PyValue, at: string): PyValue;
  /**
   * Handles `BUILD` (`obj.__setstate__(state)`) on an object other than an `OrderedDict`; must refuse (throw)
   * objects it did not create. Absent: such a `BUILD` is refused.
   */
  build?(obj: PyValue, state: PyValue, at: string): void;
  /** Name of the pickle in error messages. Default: `'pickle'`. */
  where?: string;
  /** Most `MARK`s open at once. Default: `1000`. */
  maxMarkDepth?: number;
}

/** The object an allowed global is on the stack: its name, for messages, and its behaviour. */
class GlobalRef {
  constructor(
    readonly qualname: string,
    readonly impl: AllowedGlobal,
  ) {}
}

const OPNAMES: Record<number, string> = {
  0x28: 'MARK',
  0x2e: 'STOP',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x46: 'FLOAT',
  0x49: 'INT',
  0x4a: 'BININT',
  0x4b: 'BININT1',
  0x4c: 'LONG',
  0x4d: 'BININT2',
  0x4e: 'NONE',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x52: 'REDUCE',
  0x53: 'STRING',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE',
  0x58: 'BINUNICODE',
  0x61: 'APPEND',
  0x62: 'BUILD',
  0x63: 'GLOBAL',
  0x64: 'DICT',
  0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS',
  0x67: 'GET',
  0x68: 'BINGET',
  0x69: 'INST',
  0x6a: 'LONG_BINGET',
  0x6c: 'LIST',
  0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ',
  0x70: 'PUT',
  0x71: 'BINPUT',
  0x72: 'LONG_BINPUT',
  0x73: 'SETITEM',
  0x74: 'TUPLE',
  0x29: 'EMPTY_TUPLE',
  0x75: 'SETITEMS',
  0x47: 'BINFLOAT',
  0x80: 'PROTO',
  0x81: 'NEWOBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x85: 'TUPLE1',
  0x86: 'TUPLE2',
  0x87: 'TUPLE3',
  0x88: 'NEWTRUE',
  0x89: 'NEWFALSE',
  0x8a: 'LONG1',
  0x8b: 'LONG4',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE',
  0x95: 'FRAME',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

function opName(op: number): string {
  const hex = '0x' + op.toString(16).padStart(2, '0');
  return op in OPNAMES ? `${OPNAMES[op]} (${hex})` : `${hex}`;
}

/** Most bytes of a `LONG1`/`LONG4` integer: 2^512 is already far beyond any checkpoint's needs. */
const MAX_LONG_BYTES = 64;

/** Two's-complement little-endian bytes as a number when exact, else a bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Reads a pickle (binary protocols 2 to 4, the subset checkpoints use) without executing anything.
 *
 * Supported opcodes: `PROTO FRAME STOP MARK POP POP_MARK DUP NONE NEWTRUE NEWFALSE BININT BININT1
 * BININT2 LONG1 LONG4 BINFLOAT BINUNICODE SHORT_BINUNICODE BINUNICODE8 BINSTRING SHORT_BINSTRING
 * BINBYTES SHORT_BINBYTES BINBYTES8 EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 TUPLE3 EMPTY_LIST LIST APPEND
 * APPENDS EMPTY_DICT DICT SETITEM SETITEMS EMPTY_SET ADDITEMS FROZENSET GLOBAL STACK_GLOBAL REDUCE
 * BUILD BINPERSID BINGET LONG_BINGET BINPUT LONG_BINPUT MEMOIZE`. `GLOBAL`/`STACK_GLOBAL` must name an
 * entry of `options.globals`; `REDUCE` must call one that has `call`; `BUILD` only updates an
 * {@link OrderedDict}'s attributes from a dict, or goes to `options.build`.
 *
 * @param bytes the pickle.
 * @param options the allowlist, the persistent-id resolver, limits.
 * @returns the unpickled value (see the module doc for the type mapping).
 * @throws FormatError on anything outside the above, on truncation, stack underflow or a bad memo index.
 * @example
 * ```ts
 * const value = unpickle(bytes, { globals: new Map() }); // plain data only
 * ```
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const where = options.where ?? 'pickle';
  const maxMarkDepth = options.maxMarkDepth ?? 1000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opAt = 0;
  let op = 0;

  const fail = (msg: string): never => {
    throw new FormatError(`${where}: ${msg} (opcode ${opName(op)} at byte ${opAt})`);
  };
  const need = (n: number): number => {
    if (!(n >= 0) || pos + n > bytes.length) {
      fail(`truncated: needs ${n} more bytes at byte ${pos}, the pickle has ${bytes.length - pos}`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 1024) fail('expected a newline-terminated name of at most 1024 bytes');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop()!;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  // Callers must take its result before touching `stack`, which it replaces.
  const popMark = (): PyValue[] => {
    if (metastack.length === 0) fail('no MARK to pop to');
    const items = stack;
    stack = metastack.pop()!;
    return items;
  };
  const text = (start: number, n: number): string => {
    try {
      return utf8.decode(bytes.subarray(start, start + n));
    } catch {
      return fail('invalid UTF-8 in a string');
    }
  };
  const global = (module: string, name: string): PyValue => {
    const qualname = `${module}.${name}`;
    const impl = options.globals.get(qualname);
    if (impl === undefined) {
      const allowed = [...options.globals.keys()].join(', ') || 'none';
      fail(`global '${qualname}' is not allowed (a weights-only load allows ${allowed})`);
    }
    return impl!.value !== undefined ? impl!.value : new GlobalRef(qualname, impl!);
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof Map)) fail(`expected a dict to set items on, got ${describe(target)}`);
    if (items.length % 2 !== 0) fail(`expected key/value pairs, got ${items.length} items`);
    for (let i = 0; i < items.length; i += 2) (target as Map<PyValue, PyValue>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(target) || Object.isFrozen(target))
      fail(`expected a list to append to, got ${describe(target)}`);
    for (const it of items) (target as PyValue[]).push(it);
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.length) {
      op = 0;
      throw new FormatError(`${where}: truncated: no STOP opcode before the end (${bytes.length} bytes)`);
    }
    op = bytes[pos++];
    switch (op) {
      case 0x80: {
        // PROTO
        const v = bytes[need(1)];
        if (v > 5) fail(`unknown pickle protocol ${v}`);
        break;
      }
      case 0x95:
        need(8);
        break; // FRAME: a hint for buffered readers
      case 0x2e: {
        // STOP
        const v = pop();
        return v;
      }
      case 0x28: // MARK
        if (metastack.length >= maxMarkDepth) fail(`more than ${maxMarkDepth} nested MARKs`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30:
        if (stack.length > 0) stack.pop();
        else popMark();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4a:
        stack.push(view.getInt32(need(4), true));
        break; // BININT
      case 0x4b:
        stack.push(bytes[need(1)]);
        break; // BININT1
      case 0x4d:
        stack.push(view.getUint16(need(2), true));
        break; // BININT2
      case 0x8a:
      case 0x8b: {
        // LONG1, LONG4
        const n = op === 0x8a ? bytes[need(1)] : view.getInt32(need(4), true);
        if (n < 0 || n > MAX_LONG_BYTES) fail(`integer of ${n} bytes (at most ${MAX_LONG_BYTES} accepted)`);
        const at = need(n);
        stack.push(decodeLong(bytes.subarray(at, at + n)));
        break;
      }
      case 0x47:
        stack.push(view.getFloat64(need(8), false));
        break; // BINFLOAT, big-endian
      case 0x58: {
        const n = view.getUint32(need(4), true);
        stack.push(text(need(n), n));
        break;
      } // BINUNICODE
      case 0x8c: {
        const n = bytes[need(1)];
        stack.push(text(need(n), n));
        break;
      } // SHORT_BINUNICODE
      case 0x8d: {
        // BINUNICODE8
        const n = Number(view.getBigUint64(need(8), true));
        stack.push(text(need(n), n));
        break;
      }
      case 0x54:
      case 0x55: {
        // BINSTRING, SHORT_BINSTRING: Python 2 str, decoded as latin-1
        const n = op === 0x55 ? bytes[need(1)] : view.getInt32(need(4), true);
        const at = need(n);
        stack.push(latin1.decode(bytes.subarray(at, at + n)));
        break;
      }
      case 0x42:
      case 0x43:
      case 0x8e: {
        // BINBYTES, SHORT_BINBYTES, BINBYTES8
        const n =
          op === 0x43
            ? bytes[need(1)]
            : op === 0x42
              ? view.getUint32(need(4), true)
              : Number(view.getBigUint64(need(8), true));
        const at = need(n);
        stack.push(bytes.slice(at, at + n));
        break;
      }
      case 0x29:
        stack.push(tuple());
        break; // EMPTY_TUPLE
      case 0x74: {
        const items = popMark();
        stack.push(Object.freeze(items));
        break;
      } // TUPLE
      case 0x85: {
        const a = pop();
        stack.push(tuple(a));
        break;
      } // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(tuple(a, b));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(tuple(a, b, c));
        break;
      } // TUPLE3
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x6c: {
        const items = popMark();
        stack.push(items);
        break;
      } // LIST
      case 0x61: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x64: {
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      } // DICT
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x8f:
        stack.push(new Set());
        break; // EMPTY_SET
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`expected a set to add items to, got ${describe(s)}`);
        for (const it of items) (s as Set<PyValue>).add(it);
        break;
      }
      case 0x91: {
        const items = popMark();
        stack.push(new Set(items));
        break;
      } // FROZENSET
      case 0x63: {
        const module = readLine();
        const name = readLine();
        stack.push(global(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('expected two strings (module, name)');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof GlobalRef)) fail(`expected an allowed global to call, got ${describe(fn)}`);
        const g = fn as GlobalRef;
        if (g.impl.call === undefined) fail(`global '${g.qualname}' may not be called`);
        if (!isTuple(args)) fail(`expected an argument tuple for '${g.qualname}', got ${describe(args)}`);
        stack.push(g.impl.call!(args as readonly PyValue[], `${where} byte ${opAt}`));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (!(obj instanceof OrderedDict) && options.build !== undefined) {
          options.build(obj, state, `${where} byte ${opAt}`);
          break;
        }
        if (!(obj instanceof OrderedDict))
          fail(`BUILD may only set attributes of an OrderedDict, got ${describe(obj)}`);
        if (!(state instanceof Map)) fail(`expected a dict of attributes, got ${describe(state)}`);
        for (const [k, v] of state as Map<PyValue, PyValue>) {
          if (typeof k !== 'string') fail(`expected string attribute names, got ${describe(k)}`);
          (obj as OrderedDict).attributes.set(k as string, v);
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (options.persistentLoad === undefined) fail('persistent ids are not allowed here');
        stack.push(options.persistentLoad!(pid, `${where} byte ${opAt}`));
        break;
      }
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const i = op === 0x68 ? bytes[need(1)] : view.getUint32(need(4), true);
        if (!memo.has(i)) fail(`memo index ${i} was never stored`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x71:
      case 0x72: {
        // BINPUT, LONG_BINPUT
        const i = op === 0x71 ? bytes[need(1)] : view.getUint32(need(4), true);
        memo.set(i, top());
        break;
      }
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      default:
        fail('unsupported opcode: a weights-only load refuses it');
    }
  }
}

/**
 * A short description of a Python value for error messages (`dict of 3`, `tuple of 2`, `None`).
 * @param v any value.
 * @example
 * ```ts
 * describe(new Map()); // 'dict of 0'
 * ```
 */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof GlobalRef) return `global '${v.qualname}'`;
  if (v instanceof OrderedDict) return `OrderedDict of ${v.size}`;
  if (v instanceof Map) return `dict of ${v.size}`;
  if (v instanceof Set) return `set of ${v.size}`;
  if (Array.isArray(v)) return `${Object.isFrozen(v) ? 'tuple' : 'list'} of ${v.length}`;
  if (v instanceof Uint8Array) return `bytes of ${v.length}`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

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
