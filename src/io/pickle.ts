/**
 * A restricted Python [pickle](https://docs.python.org/3/library/pickle.html) reader and a protocol-2
 * writer, enough for PyTorch checkpoints: the reader in `unpickle.ts` (never executes anything; an allowlist
 * of globals), the writer in `pickle-writer.ts`, the Python values both use in `pickle-values.ts`.
 * @module
 */

export * from './pickle-values';
export { type PickleOptions, pickle } from './pickle-writer';
export { type UnpickleOptions, unpickle } from './unpickle';
