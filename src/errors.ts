/**
 * The library's error classes. Every message says what was expected, what came, and where.
 * @module
 */

/**
 * Base class of every error tfjs-torch throws on purpose. `name` is the subclass's name; a failing
 * `forward` prefixes the message with the module path (`Discriminator.disc2.conv (Conv2d): ...`).
 * @example
 * ```ts
 * try {
 *   netD.forward(tf.zeros([8, 3, 28, 28]));
 * } catch (e) {
 *   if (e instanceof ShapeError || e instanceof ValueError) console.error(e.message);
 *   else throw e;
 * }
 * ```
 */
export class TorchError extends Error {
  /** @param message what was expected, what came, and where. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor of the wrong rank, shape, size or dtype (torch raises `RuntimeError` / `ValueError`). */
export class ShapeError extends TorchError {}

/** A hyperparameter or argument outside what the function accepts (torch's `ValueError`). */
export class ValueError extends TorchError {}

/**
 * A loss that needs probabilities got values outside [0, 1] or NaN (torch's "all elements of input should be
 * between 0 and 1", e.g. from `BCELoss`). `nanCount` says how many were NaN, which in training means a
 * network's weights went bad.
 * @example
 * ```ts
 * try { criterion.forward(probs, target); } catch (e) {
 *   if (e instanceof ProbabilityRangeError && e.nanCount > 0) console.error('the model produced NaN');
 * }
 * ```
 */
export class ProbabilityRangeError extends ValueError {
  /**
   * @param message what came and where.
   * @param nanCount how many of the values were NaN.
   */
  constructor(
    message: string,
    /** How many of the values were NaN. */
    readonly nanCount: number,
  ) {
    super(message);
  }
}

/** A wrong type of argument (torch's `TypeError`). */
export class ArgumentTypeError extends TorchError {}

/** An autograd misuse: backward of a non-scalar without a gradient, a tensor that needs no grad, ... */
export class AutogradError extends TorchError {}

/**
 * `loadStateDict` problems, all of them collected in one error, as torch does.
 *
 * @example
 * ```ts
 * try {
 *   netG.loadStateDict(sd);
 * } catch (e) {
 *   if (e instanceof StateDictError) console.log(e.missingKeys, e.unexpectedKeys, e.sizeMismatches);
 * }
 * ```
 */
export class StateDictError extends TorchError {
  /**
   * @param message the whole report, in torch's words.
   * @param missingKeys keys the module has and the state dict lacks. Default: `[]`.
   * @param unexpectedKeys keys of the state dict the module does not have. Default: `[]`.
   * @param sizeMismatches one `size mismatch for <key>: ...` line per wrong shape. Default: `[]`.
   */
  constructor(
    message: string,
    /** Keys the module has and the state dict lacks (torch's `missing_keys`). */
    readonly missingKeys: string[] = [],
    /** Keys of the state dict that the module does not have (torch's `unexpected_keys`). */
    readonly unexpectedKeys: string[] = [],
    /** One `size mismatch for <key>: copying a param with shape [...] ...` message per wrong shape. */
    readonly sizeMismatches: string[] = [],
  ) {
    super(message);
  }
}

/** A file that is not what it should be: wrong magic, truncated, corrupt or hostile. */
export class FormatError extends TorchError {}

/** A backend that lacks a kernel the library needs. */
export class BackendError extends TorchError {}

/**
 * A shape as every message of the library prints it: `[8, 64, 14, 14]` (a scalar is `[]`).
 * @param shape the shape.
 * @example
 * ```ts
 * formatShape(x.shape); // '[8, 64, 14, 14]'
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
