/**
 * A restricted Python [pickle](https://docs.python.org/3/library/pickle.html) reader, enough for PyTorch
 * checkpoints.
 *
 * It is torch's `weights_only=True` idea: it never executes anything. `GLOBAL` may only name entries of an
 * allowlist the caller passes, `REDUCE` may only call those entries, `BUILD` only sets attributes of an
 * `OrderedDict` (or goes to the caller's `build`, which accepts only objects it made), and every other opcode
 * outside the binary subset listed in {@link unpickle} is refused with a {@link FormatError} that names it and its
 * byte offset. Every length is checked against the data before anything is allocated.
 * @module
 */

import { FormatError } from '../errors';
import { type AllowedGlobal, GlobalRef, OrderedDict, type PyValue, describe, isTuple, tuple } from './pickle-values';

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
