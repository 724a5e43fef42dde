/**
 * Grad mode: whether ops are recorded for backward (torch's `torch.is_grad_enabled`, `no_grad`, `enable_grad`,
 * `set_grad_enabled`). The recorder (`recorder.ts`) reads it on every kernel call.
 * @module
 */
import { describeValue } from '../args';
import { ArgumentTypeError } from '../errors';

let gradEnabled = true;

/**
 * Whether ops are being recorded for backward (torch's
 * [`torch.is_grad_enabled()`](https://pytorch.org/docs/1.13/generated/torch.is_grad_enabled.html)).
 * @example
 * ```ts
 * isGradEnabled();                  // true
 * noGrad(() => isGradEnabled());    // false
 * ```
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Switches recording on or off globally (torch's
 * [`torch.set_grad_enabled(mode)`](https://pytorch.org/docs/1.13/generated/torch.set_grad_enabled.html)).
 * Prefer {@link noGrad}, which restores the previous mode.
 * @param mode `true` to record, `false` to stop (a boolean: torch refuses anything else).
 * @example
 * ```ts
 * setGradEnabled(false); // inference only from here on
 * ```
 */
export function setGradEnabled(mode: boolean): void {
  if (typeof mode !== 'boolean') {
    throw new ArgumentTypeError(`setGradEnabled(): argument 'mode' must be a boolean, got ${describeValue(mode)}`);
  }
  gradEnabled = mode;
}

/**
 * Runs `fn` with grad mode `mode`, restoring the previous mode after it, even when it throws.
 * @internal
 */
export function withGradMode<T>(mode: boolean, fn: () => T, where = 'withGradMode'): T {
  if (typeof fn !== 'function') {
    throw new ArgumentTypeError(`${where}(): argument 'fn' must be a function, got ${describeValue(fn)}`);
  }
  const previous = gradEnabled;
  gradEnabled = mode;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Runs `fn` with recording off, as torch's
 * [`with torch.no_grad():`](https://pytorch.org/docs/1.13/generated/torch.no_grad.html). Nothing inside
 * is recorded or saved for backward, and results do not require grad. It does not dispose anything: combine
 * it with `tf.tidy` for that. Returns what `fn` returns.
 *
 * @param fn the computation.
 * @example
 * ```ts
 * const samples = noGrad(() => generator.forward(fixedNoise));
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/**
 * Runs `fn` with recording on, inside a `noGrad` block (torch's
 * [`torch.enable_grad()`](https://pytorch.org/docs/1.13/generated/torch.enable_grad.html)). Returns what
 * `fn` returns.
 * @param fn the computation.
 * @example
 * ```ts
 * noGrad(() => {
 *   const y = enableGrad(() => model.forward(x)); // recorded
 * });
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}
