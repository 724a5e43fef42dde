/**
 * torch's creation functions that `src/tensor.ts` does not have: `eye`, `linspace`, `logspace`, `empty`,
 * `emptyLike`. (`tensor`, `zeros`, `ones`, `full`, `arange`, `zerosLike`, `onesLike`, `fullLike` live there.)
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, checkNoExtraArgs, checkNumel, float, int, intList, isOptionsObject, signature } from '../args';
import { dtypeArg, tensorArg } from './common';

const EYE = signature('torch.eye', [
  ['n', int({ min: 0 })],
  ['m', int({ min: 0 }).optional()],
  ['dtype', dtypeArg().default('float32')],
]);

/**
 * A 2-D tensor with ones on the diagonal (torch's [`torch.eye`](https://pytorch.org/docs/1.13/generated/torch.eye.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `n`: rows.
 * - `m`: columns. Default: `n`.
 * - `dtype`: `'float32'`, `'int32'` or `'bool'`. Default: `'float32'`.
 * @example
 * ```ts
 * torch.eye(3);
 * ```
 */
export function eye(...args: ArgsOf<typeof EYE>): tf.Tensor {
  const { n, m, dtype } = EYE.parse(args);
  const cols = m ?? n;
  const data = new Int32Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return dtype === 'bool' ? tf.tensor(Uint8Array.from(data), [n, cols], 'bool') : tf.tensor(data, [n, cols], dtype);
}

const LINSPACE = signature('torch.linspace', [
  ['start', float()],
  ['end', float()],
  ['steps', int({ min: 0 })],
  ['dtype', dtypeArg().default('float32')],
]);

/** torch's linspace kernel: the first half counts up from `start`, the second half down from `end`. */
function linspaceValues(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) out[0] = start;
  if (steps <= 1) return out;
  const step = Math.fround((end - start) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < half ? Math.fround(start + step * i) : Math.fround(end - step * (steps - i - 1));
  }
  return out;
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive (torch's
 * [`torch.linspace`](https://pytorch.org/docs/1.13/generated/torch.linspace.html)), computed as torch does.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `start`: first value.
 * - `end`: last value.
 * - `steps`: how many.
 * - `dtype`: `'float32'` or `'int32'` (truncated). Default: `'float32'`.
 * @example
 * ```ts
 * torch.linspace(-1, 1, 5); // [-1, -0.5, 0, 0.5, 1]
 * ```
 */
export function linspace(...args: ArgsOf<typeof LINSPACE>): tf.Tensor {
  const { start, end, steps, dtype } = LINSPACE.parse(args);
  const v = linspaceValues(start, end, steps);
  return dtype === 'float32' ? tf.tensor1d(v) : tf.tensor1d(Int32Array.from(v, Math.trunc), dtype);
}

const LOGSPACE = signature('torch.logspace', [
  ['start', float()],
  ['end', float()],
  ['steps', int({ min: 0 })],
  ['base', float({ gt: 0 }).default(10)],
  ['dtype', dtypeArg().default('float32')],
]);

/**
 * `base ** linspace(start, end, steps)` (torch's
 * [`torch.logspace`](https://pytorch.org/docs/1.13/generated/torch.logspace.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `start`: first exponent.
 * - `end`: last exponent.
 * - `steps`: how many.
 * - `base`: the base. Default: `10`.
 * - `dtype`: `'float32'` or `'int32'`. Default: `'float32'`.
 * @example
 * ```ts
 * torch.logspace(-3, 0, 4); // [0.001, 0.01, 0.1, 1]
 * ```
 */
export function logspace(...args: ArgsOf<typeof LOGSPACE>): tf.Tensor {
  const { start, end, steps, base, dtype } = LOGSPACE.parse(args);
  const v = Float32Array.from(linspaceValues(start, end, steps), (e) => base ** e);
  return dtype === 'float32' ? tf.tensor1d(v) : tf.tensor1d(Int32Array.from(v, Math.trunc), dtype);
}

/**
 * An uninitialised tensor in torch; here zeros (tfjs has no uninitialised memory), as torch's
 * [`torch.empty`](https://pytorch.org/docs/1.13/generated/torch.empty.html). Sizes as varargs or one list.
 * @param size the sizes, optionally followed by `{ dtype }`.
 * @example
 * ```ts
 * torch.empty(2, 3);
 * ```
 */
export function empty(...size: Array<number | readonly number[] | { dtype?: string }>): tf.Tensor {
  const last = size[size.length - 1];
  const opts = isOptionsObject(last) ? (size.pop() as { dtype?: string }) : {};
  const given = size.length === 1 && Array.isArray(size[0]) ? size[0] : size;
  const dims = intList({ min: 0 }).check(given, { where: 'torch.empty', name: 'size' });
  checkNumel(dims, 'the tensor', 'torch.empty');
  const dtype = dtypeArg().check(opts.dtype ?? 'float32', { where: 'torch.empty', name: 'dtype' });
  return tf.zeros(dims, dtype);
}

/**
 * A tensor of `input`'s shape and dtype (zeros; torch's
 * [`torch.empty_like`](https://pytorch.org/docs/1.13/generated/torch.empty_like.html)).
 * @param input the tensor whose shape to take.
 * @param extra nothing: an extra argument (torch's `out=`) is an error, not ignored.
 * @example
 * ```ts
 * torch.emptyLike(x);
 * ```
 */
export function emptyLike(input: tf.Tensor, ...extra: unknown[]): tf.Tensor {
  tensorArg().check(input, { where: 'torch.empty_like', name: 'input' });
  checkNoExtraArgs('torch.empty_like', ['input'], extra);
  return tf.zerosLike(input);
}
