/** Python-style formatting for `extraRepr()` strings, so `toString()` reads as torch's `print(model)`. */

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
