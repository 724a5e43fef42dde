/**
 * The library's error classes. Every message says what was expected, what came, and where.
 * @module
 */

/** Base class of every error tfjs-torch throws on purpose. */
export class TorchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor of the wrong rank, shape, size or dtype (torch raises `RuntimeError` / `ValueError`). */
export class ShapeError extends TorchError {}

/** A hyperparameter or argument outside what the function accepts (torch's `ValueError`). */
export class ValueError extends TorchError {}

/** A wrong type of argument (torch's `TypeError`). */
export class ArgumentTypeError extends TorchError {}

/** An autograd misuse: backward of a non-scalar without a gradient, a tensor that needs no grad, ... */
export class AutogradError extends TorchError {}

/** `loadStateDict` problems, all of them collected in one error, as torch does. */
export class StateDictError extends TorchError {
  constructor(
    message: string,
    readonly missingKeys: string[] = [],
    readonly unexpectedKeys: string[] = [],
    readonly sizeMismatches: string[] = [],
  ) {
    super(message);
  }
}

/** A file that is not what it should be: wrong magic, truncated, corrupt or hostile. */
export class FormatError extends TorchError {}

/** A backend that lacks a kernel the library needs. */
export class BackendError extends TorchError {}
