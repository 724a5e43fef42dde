/**
 * Which tensors take part in autograd, and the gradients of leaves: torch's `requires_grad`, `is_leaf`,
 * `requires_grad_()`, `detach()` and `.grad` for tensors that are not parameters. The recorder (`recorder.ts`)
 * marks the outputs of recorded ops here; backward (`backward.ts`) reads and writes the leaves' gradients.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, checkNoExtraArgs, checkTensors, signature } from '../args';
import { AutogradError } from '../errors';
import { noGrad } from './grad-mode';
import { checkAssignedGrad, Parameter } from './parameter';

/**
 * Tensors that are not parameters but require grad: outputs of recorded ops, and `requiresGrad_` leaves.
 * @internal
 */
export const requiresGradSet = new WeakSet<tf.Tensor>();
/** Non-parameter leaves made by {@link requiresGrad_}: backward stores their gradient in {@link leafGrads}. */
const leafSet = new WeakSet<tf.Tensor>();
const leafGrads = new WeakMap<tf.Tensor, tf.Tensor>();

/**
 * Whether `t` takes part in autograd (torch's
 * [`t.requires_grad`](https://pytorch.org/docs/1.13/generated/torch.Tensor.requires_grad.html)): a trainable
 * float32 variable (a Parameter), a {@link requiresGrad_} leaf, or the output of a recorded op.
 * @param t any tensor; `null`/`undefined` give `false`.
 * @example
 * ```ts
 * requiresGrad(linear.weight);                        // true
 * requiresGrad(linear.forward(x));                    // true
 * requiresGrad(noGrad(() => linear.forward(x)));      // false
 * ```
 */
export function requiresGrad(t: tf.Tensor | null | undefined): boolean {
  if (t == null) return false;
  // Every trainable float32 tf.Variable is a leaf that requires grad (a Parameter, or a user's tf.variable);
  // buffers are non-trainable variables. (`instanceof tf.Variable` is structural and slower than this test,
  // which runs for every input of every kernel call.)
  if (typeof (t as { assign?: unknown }).assign === 'function' && t instanceof tf.Variable) {
    return t.trainable && t.dtype === 'float32';
  }
  return requiresGradSet.has(t);
}

/**
 * Whether `t` is a leaf of the graph (torch's
 * [`t.is_leaf`](https://pytorch.org/docs/1.13/generated/torch.Tensor.is_leaf.html)): a parameter, a
 * `requiresGrad_` tensor, or a tensor that needs no grad. Only leaves get a `.grad`.
 * @param t any tensor.
 * @example
 * ```ts
 * isLeaf(linear.weight);           // true
 * isLeaf(linear.forward(x));       // false
 * ```
 */
export function isLeaf(t: tf.Tensor): boolean {
  return !requiresGradSet.has(t) || leafSet.has(t);
}

/**
 * Marks the float32 outputs of a recorded op as requiring grad (integer and boolean results, such as argmax and
 * comparisons, never do, as in torch).
 * @internal
 */
export function markOutputs(out: tf.Tensor | tf.Tensor[]): void {
  if (Array.isArray(out)) {
    for (const o of out) if (o != null && o.dtype === 'float32') requiresGradSet.add(o);
  } else if (out != null && out.dtype === 'float32') {
    requiresGradSet.add(out);
  }
}

/**
 * A new tensor with the same values that does not require grad (torch's
 * [`t.detach()`](https://pytorch.org/docs/1.13/generated/torch.Tensor.detach.html)): backward stops
 * here. Shares the data (no copy). Also a method: `t.detach()`.
 * @param t a tensor.
 * @param extra nothing: torch's `detach()` takes no argument; one given is an error, not ignored.
 * @example
 * ```ts
 * // The discriminator step without a backward pass through the generator:
 * const output = netD.forward(detach(netG.forward(noise)));
 * ```
 */
export function detach<T extends tf.Tensor>(t: T, ...extra: unknown[]): T {
  checkTensors('detach', { input: t });
  checkNoExtraArgs('detach', ['input'], extra);
  return noGrad(() => tf.clone(t)) as T;
}

const REQUIRES_GRAD = signature('requiresGrad_', [['requiresGrad', bool().default(true)]]);

/**
 * Marks a (non-parameter) float tensor as a leaf that requires grad (torch's
 * [`t.requires_grad_()`](https://pytorch.org/docs/1.13/generated/torch.Tensor.requires_grad_.html)):
 * backward stores its gradient, readable with {@link gradOf}. Parameters use `param.requiresGrad`.
 * Returns `t`. Also a method: `t.requiresGrad_()`.
 * @param t a float32 tensor that is not the output of a recorded op.
 * @param args `requiresGrad` (torch's `requires_grad`), positionally or as `{ requiresGrad }`: `true` to require grad,
 *   `false` to stop. Default: `true`.
 * @example
 * ```ts
 * const x = requiresGrad_(tf.tensor([1, 2, 3]));
 * x.square().sum().backward();
 * gradOf(x); // [2, 4, 6]
 * ```
 */
export function requiresGrad_<T extends tf.Tensor>(t: T, ...args: ArgsOf<typeof REQUIRES_GRAD>): T {
  const mode = REQUIRES_GRAD.parse(args).requiresGrad;
  if (t instanceof Parameter) {
    t.requiresGrad = mode;
    return t;
  }
  checkTensors('requiresGrad_', { input: t });
  if (mode && t.dtype !== 'float32') {
    throw new AutogradError(`only float32 tensors can require gradients, got dtype ${t.dtype} for shape [${t.shape}]`);
  }
  if (requiresGradSet.has(t) && !leafSet.has(t)) {
    throw new AutogradError(
      'you can only change requires_grad flags of leaf variables; use detach() first to get a leaf ' +
        `(tensor of shape [${t.shape}] is the output of a recorded op)`,
    );
  }
  if (mode) {
    requiresGradSet.add(t);
    leafSet.add(t);
  } else {
    requiresGradSet.delete(t);
    leafSet.delete(t);
  }
  return t;
}

/**
 * The accumulated gradient of a leaf: `param.grad` for a {@link Parameter}, else the `requiresGrad_`
 * leaf's (torch's [`t.grad`](https://pytorch.org/docs/1.13/generated/torch.Tensor.grad.html)); `null`
 * before any backward. Also a getter: `t.grad`.
 * @param t a leaf.
 * @param extra nothing: an extra argument is an error, not ignored.
 * @example
 * ```ts
 * gradOf(linear.weight) === linear.weight.grad; // true
 * ```
 */
export function gradOf(t: tf.Tensor, ...extra: unknown[]): tf.Tensor | null {
  checkNoExtraArgs('gradOf', ['input'], extra);
  if (t instanceof Parameter) return t.grad;
  if (!(t instanceof tf.Tensor) || t.isDisposed) checkTensors('gradOf', { input: t });
  return leafGrads.get(t) ?? null;
}

/**
 * Sets or clears a leaf's gradient, disposing the one it replaces and keeping the new one (what
 * `zeroGrad` uses; torch assigns `t.grad = ...`).
 * @param t a leaf.
 * @param grad the new gradient (kept, so it survives `tf.tidy`), or `null`.
 * @example
 * ```ts
 * setGradOf(param, null); // torch: param.grad = None
 * ```
 */
export function setGradOf(t: tf.Tensor, grad: tf.Tensor | null): void {
  if (t instanceof Parameter) {
    t.grad = grad; // checks it, keeps the new gradient and frees the old one
    return;
  }
  if (!(t instanceof tf.Tensor)) checkTensors('setGradOf', { input: t });
  checkAssignedGrad(t, grad, 'setGradOf');
  const old = gradOf(t);
  if (old && old !== grad) old.dispose();
  if (grad) tf.keep(grad);
  if (grad) leafGrads.set(t, grad);
  else leafGrads.delete(t);
}
