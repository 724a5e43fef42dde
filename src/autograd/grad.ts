/**
 * torch's [`torch.autograd`](https://pytorch.org/docs/1.13/autograd.html) functions: `grad` (gradients of
 * outputs with respect to given inputs, without touching any `.grad`; higher-order gradients with
 * `createGraph`), `backward`, and tensor hooks. Exported as the `autograd` namespace: `torch.autograd.grad(...)`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { checkTensors, describeValue } from '../args';
import { ArgumentTypeError, AutogradError } from '../errors';
import { retainedGrads, tensorHooks } from './hook-state';
import { runBackward } from './backward';
import { isLeaf, requiresGrad } from './requires-grad';

export { backward } from './backward';
export { defineFunction as Function } from './function';

/** What {@link registerHook} returns (torch's `RemovableHandle`). */
export interface HookHandle {
  /** Unregisters the hook. */
  remove(): void;
}

/** Options of {@link grad}, as torch's `torch.autograd.grad`. */
export interface GradOptions {
  /** The gradient of some scalar with respect to each output (torch's `grad_outputs`); `null` entries are ones for one-element outputs. Default: ones. */
  gradOutputs?: tf.Tensor | Array<tf.Tensor | null> | null;
  /** Keep the graph for another backward. Default: `createGraph`. */
  retainGraph?: boolean | null;
  /** Record the gradient computation, so the returned gradients can be differentiated again. Default: `false`. */
  createGraph?: boolean;
  /** Return `null` for inputs the outputs do not depend on, instead of an error. Default: `false`. */
  allowUnused?: boolean;
}

function asList(v: unknown, name: string): tf.Tensor[] {
  const list = v instanceof tf.Tensor ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ArgumentTypeError(
      `autograd.grad(): ${name} must be a tensor or a non-empty list of tensors, got ${describeValue(v)}`,
    );
  }
  list.forEach((t, i) => {
    if (!(t instanceof tf.Tensor) || t.isDisposed) {
      throw new ArgumentTypeError(`autograd.grad(): ${name}[${i}] must be a live tensor, got ${describeValue(t)}`);
    }
  });
  return list as tf.Tensor[];
}

/**
 * The gradients of `outputs` with respect to `inputs` (torch's
 * [`torch.autograd.grad`](https://pytorch.org/docs/1.13/generated/torch.autograd.grad.html)): returned, one per
 * input, never accumulated into `.grad`. Inputs may be any tensors that require grad (leaves or not). With
 * `createGraph: true` the gradients are themselves differentiable: a gradient penalty (WGAN-GP) then calls
 * `backward()` through them.
 *
 * @param outputs the tensor(s) to differentiate.
 * @param inputs the tensor(s) to differentiate with respect to.
 * @param options `gradOutputs`, `retainGraph`, `createGraph`, `allowUnused`.
 * @returns one gradient per input (`null` for an unused input with `allowUnused`).
 * @example
 * ```ts
 * // WGAN-GP's gradient penalty
 * const xHat = requiresGrad_(mix);
 * const [g] = torch.autograd.grad(netD.forward(xHat).sum(), xHat, { createGraph: true });
 * const penalty = g.reshape([n, -1]).norm(2, 1).sub(1).square().mean();
 * penalty.backward();
 * ```
 */
export function grad(
  outputs: tf.Tensor | tf.Tensor[],
  inputs: tf.Tensor | tf.Tensor[],
  options: GradOptions = {},
): Array<tf.Tensor | null> {
  const outs = asList(outputs, 'outputs');
  const ins = asList(inputs, 'inputs');
  const { createGraph = false, allowUnused = false } = options;
  const retainGraph = options.retainGraph ?? createGraph;
  const gouts =
    options.gradOutputs == null
      ? []
      : options.gradOutputs instanceof tf.Tensor
        ? [options.gradOutputs]
        : options.gradOutputs;
  if (gouts.length && gouts.length !== outs.length) {
    throw new ArgumentTypeError(
      `autograd.grad(): grad_outputs must have the same length as outputs (${gouts.length} vs ${outs.length})`,
    );
  }
  outs.forEach((o, i) => {
    if (!requiresGrad(o)) {
      throw new AutogradError(
        `element ${i} of tensors does not require grad and does not have a grad_fn (shape [${o.shape}])`,
      );
    }
    const g = gouts[i];
    if (g == null && o.size !== 1) {
      throw new AutogradError(
        `grad can be implicitly created only for scalar outputs (output ${i} has shape [${o.shape}]); pass gradOutputs`,
      );
    }
    if (g != null && !tf.util.arraysEqual(g.shape, o.shape)) {
      throw new AutogradError(
        `Mismatch in shape: grad_output[${i}] has a shape of [${g.shape}] and output[${i}] has a shape of [${o.shape}].`,
      );
    }
  });
  ins.forEach((x, i) => {
    if (!requiresGrad(x))
      throw new AutogradError(
        `One of the differentiated Tensors does not require grad (inputs[${i}], shape [${x.shape}])`,
      );
  });
  const got = runBackward(
    outs,
    outs.map((_, i) => gouts[i] ?? null),
    { retainGraph, createGraph },
    new Set(ins.map((x) => x.id)),
    true,
  );
  return ins.map((x, i) => {
    const g = got.get(x.id);
    if (g == null && !allowUnused) {
      throw new AutogradError(
        `One of the differentiated Tensors appears to not have been used in the graph (inputs[${i}], shape [${x.shape}]). Set allowUnused: true if this is the desired behavior.`,
      );
    }
    return g ?? null;
  });
}

/**
 * Registers a hook on a tensor's gradient (torch's
 * [`t.register_hook(fn)`](https://pytorch.org/docs/1.13/generated/torch.Tensor.register_hook.html)): backward
 * calls `fn(grad)` once the gradient is complete; a returned tensor replaces it (for a leaf, before it is
 * accumulated into `.grad`). Also a method: `t.registerHook(fn)`.
 * @param t a tensor that requires grad.
 * @param fn the hook.
 * @returns a handle whose `remove()` unregisters the hook.
 * @example
 * ```ts
 * const h = registerHook(x, (g) => g.mul(2));
 * y.backward();
 * h.remove();
 * ```
 */
export function registerHook(t: tf.Tensor, fn: (grad: tf.Tensor) => tf.Tensor | undefined | void): HookHandle {
  checkTensors('registerHook', { input: t });
  if (typeof fn !== 'function') {
    throw new ArgumentTypeError(`registerHook: expected a function (grad) => grad, got ${describeValue(fn)}`);
  }
  if (!requiresGrad(t)) {
    throw new AutogradError(`cannot register a hook on a tensor that doesn't require gradient (shape [${t.shape}])`);
  }
  const list = tensorHooks.get(t) ?? [];
  list.push(fn);
  tensorHooks.set(t, list);
  return {
    remove() {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/**
 * Makes backward keep a non-leaf tensor's gradient in its `.grad` (torch's
 * [`t.retain_grad()`](https://pytorch.org/docs/1.13/generated/torch.Tensor.retain_grad.html)); a no-op for
 * leaves. Also a method: `t.retainGrad()`.
 * @param t a tensor that requires grad.
 * @example
 * ```ts
 * const h = linear.forward(x);
 * retainGrad(h);
 * h.sum().backward();
 * h.grad; // dL/dh
 * ```
 */
export function retainGrad(t: tf.Tensor): void {
  checkTensors('retainGrad', { input: t });
  if (!requiresGrad(t)) {
    throw new AutogradError(`can't retain_grad on Tensor that has requires_grad=False (shape [${t.shape}])`);
  }
  if (!isLeaf(t)) retainedGrads.add(t);
}
