/**
 * Gradient clipping and flat parameter vectors: torch.nn.utils' `clip_grad_norm_`, `clip_grad_value_`,
 * `parameters_to_vector` and `vector_to_parameters`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, checkTensors, float, signature, tensor, type ArgsOf } from '../../args';
import { gradOf, noGrad, setGradOf } from '../../autograd/tape';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../../errors';

/** One tensor or an iterable of them (torch's `_tensor_or_tensors`), e.g. `model.parameters()`. */
export type TensorOrTensors = tf.Tensor | Iterable<tf.Tensor>;

function tensorList(parameters: TensorOrTensors, where: string): tf.Tensor[] {
  if (parameters instanceof tf.Tensor) return [parameters];
  if (parameters == null || typeof (parameters as Iterable<tf.Tensor>)[Symbol.iterator] !== 'function') {
    throw new ArgumentTypeError(`${where}: expected a tensor or an iterable of tensors, got ${String(parameters)}`);
  }
  const list = [...parameters];
  list.forEach((p, i) => tensor().check(p, { where, name: `parameters[${i}]` }));
  return list;
}

/**
 * The `p`-norm of all elements of `x` (torch's `torch.norm(x, p)`): `Infinity` is the largest `|x|`, `-Infinity`
 * the smallest, `0` the number of non-zero elements.
 * @param x the tensor.
 * @param p the order.
 */
export function vectorNorm(x: tf.Tensor, p: number): tf.Tensor {
  checkTensors('vectorNorm', { x });
  return tf.tidy(() => {
    const a = tf.abs(x);
    if (p === Infinity) return tf.max(a);
    if (p === -Infinity) return tf.min(a);
    if (p === 0) return tf.sum(tf.cast(tf.notEqual(x, 0), 'float32'));
    if (p === 1) return tf.sum(a);
    if (p === 2) return tf.sqrt(tf.sum(tf.square(x)));
    return tf.pow(tf.sum(tf.pow(a, p)), 1 / p);
  });
}

const CLIP_GRAD_NORM = signature('clipGradNorm_', [
  ['maxNorm', float()],
  ['normType', float({ allowInfinity: true }).default(2)],
  ['errorIfNonfinite', bool().default(false)],
]);

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of all gradients together, as
 * one vector) is at most `maxNorm`, exactly as torch: `coef = min(maxNorm / (total + 1e-6), 1)`. Parameters without
 * a gradient are skipped. Returns the total norm before clipping (a scalar tensor; `0` when no parameter has a
 * gradient).
 *
 * Mirrors [torch.nn.utils.clip_grad_norm_](https://pytorch.org/docs/1.13/generated/torch.nn.utils.clip_grad_norm_.html).
 *
 * @param parameters a tensor or an iterable of tensors, e.g. `model.parameters()`.
 * @param args torch's `max_norm, norm_type=2.0, error_if_nonfinite=False`, positionally or in a trailing options
 *   object; `normType` may be `Infinity` (the largest absolute gradient).
 * @returns the total norm of the gradients, before clipping.
 * @throws ValueError with `errorIfNonfinite` when the total norm is NaN or infinite (nothing is scaled then).
 * @example
 * ```ts
 * backward(loss);
 * const norm = nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * optimizer.step();
 * ```
 */
export function clipGradNorm_(parameters: TensorOrTensors, ...args: ArgsOf<typeof CLIP_GRAD_NORM>): tf.Tensor {
  const where = 'clipGradNorm_';
  const { maxNorm, normType, errorIfNonfinite } = CLIP_GRAD_NORM.parse(args);
  const withGrad = tensorList(parameters, where).filter((p) => gradOf(p) != null);
  if (withGrad.length === 0) return tf.scalar(0);
  return noGrad(() => {
    const total = tf.tidy(() => {
      const norms = withGrad.map((p) => vectorNorm(gradOf(p)!, normType));
      if (normType === Infinity) return norms.length === 1 ? norms[0]! : tf.max(tf.stack(norms));
      return vectorNorm(tf.stack(norms), normType);
    });
    if (errorIfNonfinite) {
      const t = total.dataSync()[0] as number;
      if (!Number.isFinite(t)) {
        total.dispose();
        throw new ValueError(
          `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be ` +
            'clipped. To disable this error and scale the gradients by the non-finite norm anyway, set ' +
            '`errorIfNonfinite=false`',
        );
      }
    }
    tf.tidy(() => {
      const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1);
      for (const p of withGrad) setGradOf(p, tf.mul(gradOf(p)!, coef));
    });
    return total;
  });
}

const CLIP_GRAD_VALUE = signature('clipGradValue_', [['clipValue', float()]]);

/**
 * Clamps every gradient of `parameters` to `[-clipValue, clipValue]`, in place (parameters without a gradient are
 * skipped).
 *
 * Mirrors [torch.nn.utils.clip_grad_value_](https://pytorch.org/docs/1.13/generated/torch.nn.utils.clip_grad_value_.html).
 *
 * @param parameters a tensor or an iterable of tensors.
 * @param args torch's `clip_value`, positionally or in an options object.
 * @example
 * ```ts
 * nn.utils.clipGradValue_(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue_(parameters: TensorOrTensors, ...args: ArgsOf<typeof CLIP_GRAD_VALUE>): void {
  const { clipValue } = CLIP_GRAD_VALUE.parse(args);
  const withGrad = tensorList(parameters, 'clipGradValue_').filter((p) => gradOf(p) != null);
  noGrad(() =>
    tf.tidy(() => {
      for (const p of withGrad) setGradOf(p, tf.clipByValue(gradOf(p)!, -clipValue, clipValue));
    }),
  );
}

/**
 * The parameters flattened and concatenated into one 1-D tensor, in order.
 *
 * Mirrors [torch.nn.utils.parameters_to_vector](https://pytorch.org/docs/1.13/generated/torch.nn.utils.parameters_to_vector.html).
 *
 * @param parameters an iterable of tensors, e.g. `model.parameters()`.
 * @returns a `[Σ sizes]` tensor (a copy).
 * @example
 * ```ts
 * const flat = nn.utils.parametersToVector(model.parameters());
 * ```
 */
export function parametersToVector(parameters: TensorOrTensors): tf.Tensor1D {
  const list = tensorList(parameters, 'parametersToVector');
  return tf.tidy(() =>
    list.length ? tf.concat(list.map((p) => tf.reshape(p, [-1]))) : tf.tensor1d([]),
  ) as tf.Tensor1D;
}

/**
 * Copies consecutive slices of the 1-D `vec` into `parameters`, in order and in place (the inverse of
 * {@link parametersToVector}).
 *
 * Mirrors [torch.nn.utils.vector_to_parameters](https://pytorch.org/docs/1.13/generated/torch.nn.utils.vector_to_parameters.html).
 *
 * @param vec a 1-D tensor with at least as many elements as the parameters together.
 * @param parameters variables (e.g. `model.parameters()`), written in place.
 * @throws ShapeError when `vec` is too short.
 * @example
 * ```ts
 * nn.utils.vectorToParameters(flat, model.parameters());
 * ```
 */
export function vectorToParameters(vec: tf.Tensor, parameters: Iterable<tf.Variable>): void {
  const where = 'vectorToParameters';
  if (!(vec instanceof tf.Tensor)) {
    throw new ArgumentTypeError(`${where}: expected a tensor, but got: ${typeof vec}`);
  }
  const list = tensorList(parameters, where);
  list.forEach((p, i) => {
    if (!(p instanceof tf.Variable)) {
      throw new ArgumentTypeError(`${where}: parameters[${i}] must be a variable (written in place), got a tensor`);
    }
  });
  const total = list.reduce((n, p) => n + p.size, 0);
  if (vec.rank !== 1 || vec.size < total) {
    throw new ShapeError(
      `${where}: expected a 1-D vector of at least ${total} elements for the parameters, got shape ${formatShape(vec.shape)}`,
    );
  }
  noGrad(() =>
    tf.tidy(() => {
      let offset = 0;
      for (const p of list as tf.Variable[]) {
        p.assign(tf.cast(tf.reshape(tf.slice(vec, [offset], [p.size]), p.shape), p.dtype));
        offset += p.size;
      }
    }),
  );
}
