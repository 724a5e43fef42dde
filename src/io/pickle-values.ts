/**
 * The Python values of a pickle as JavaScript values: the types {@link unpickle} returns and {@link pickle}
 * writes, and a short description of any of them for error messages.
 *
 * Python values map to JavaScript as: `None` → `null`, `bool` → `boolean`, `int` → `number` (a
 * `bigint` past 2^53), `float` → `number`, `str` → `string`, `bytes` → `Uint8Array`, `list` → array,
 * `tuple` → a frozen array (see {@link tuple}), `dict` → `Map`, `collections.OrderedDict` →
 * {@link OrderedDict} (a `Map`), `set` → `Set`.
 * @module
 */

import { ArgumentTypeError, ValueError } from '../errors';

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

  /**
   * @param entries `[key, value]` pairs, or a plain object whose own keys become the entries in their order
   *   (Python's `OrderedDict(mapping)` / `OrderedDict(a=1)`); anything else is a ValueError, as in Python.
   */
  constructor(entries?: Iterable<readonly [K, V]> | Record<string, V> | null) {
    super();
    if (entries == null) return;
    const proto = typeof entries === 'object' ? Object.getPrototypeOf(entries) : undefined;
    if (proto === Object.prototype || proto === null) {
      for (const [k, v] of Object.entries(entries as Record<string, V>)) this.set(k as K, v);
      return;
    }
    if (typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new ArgumentTypeError(
        `OrderedDict: expected an iterable of [key, value] pairs or an object, got ${typeof entries}`,
      );
    }
    let i = 0;
    for (const item of entries as Iterable<unknown>) {
      if (!Array.isArray(item) || item.length !== 2) {
        const got = Array.isArray(item) ? `length ${item.length}` : typeof item;
        throw new ValueError(`OrderedDict: element #${i} of the sequence has ${got}; 2 ([key, value]) is required`);
      }
      this.set(item[0] as K, item[1] as V);
      i++;
    }
  }
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

/** The object an allowed global is on the reader's stack: its name, for messages, and its behaviour. */
export class GlobalRef {
  /**
   * @param qualname `module.name`.
   * @param impl what the allowlist says the global does.
   */
  constructor(
    readonly qualname: string,
    readonly impl: AllowedGlobal,
  ) {}
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
