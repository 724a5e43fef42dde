/**
 * Python's `repr` and `str` of values, in one place: `extraRepr()` strings (so `toString()` reads as torch's
 * `print(model)`), optimizer reprs, summaries and error messages.
 * @module
 */

/** A number as Python's `repr(float)` writes it: `1.0`, `0.25`, `1e-05`, `1e+16`. */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Shortest round-trip digits, as Python's repr.
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** `True` / `False`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/**
 * Python's `repr` of a number as torch prints it in messages: integers without a fraction (as the ints
 * torch users pass), other floats Python's way (`1e-08`, `0.0002`, `nan`, `inf`).
 */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}

/** Python's `repr` of a value: `None`, `True`, numbers as {@link pyNumber}, `'str'`, lists, frozen arrays as tuples. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) {
    const items = v.map(pyRepr);
    if (!Object.isFrozen(v)) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return String(v);
}

/** `weightDecay` → `weight_decay`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `weight_decay` → `weightDecay`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Python's `str(list)` of ints: `[-1, 128, 14, 14]`, `[[-1, 1], [-1, 2]]`. */
export function pyList(shape: number[] | number[][]): string {
  return `[${(shape as Array<number | number[]>).map((d) => (Array.isArray(d) ? pyList(d) : String(d))).join(', ')}]`;
}

/** A tuple as torch's `extra_repr` prints it: `(3, 3)`, `(2,)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
