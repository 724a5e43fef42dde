/**
 * The one way to define a differentiable op: torch's
 * [`torch.autograd.Function`](https://pytorch.org/docs/1.13/autograd.html#function), forward and backward side
 * by side. Every custom gradient of the library is written with {@link defineFunction}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, AutogradError } from '../errors';
import { needsInputGrad } from './recorder';

/**
 * What `forward` and `backward` share (torch's `ctx`): tensors saved for backward, which inputs need a gradient,
 * and any other value the forward stores on it (`ctx.stride = ...`).
 */
export interface FunctionCtx {
  /**
   * Saves tensors for backward (torch's `ctx.save_for_backward`). Call it once, in `forward`; saved tensors are
   * kept past any `tf.tidy` and freed with the graph. Nothing is saved when no input needs a gradient.
   */
  saveForBackward(...tensors: tf.Tensor[]): void;
  /** The tensors given to {@link saveForBackward}, in order (torch's `ctx.saved_tensors`); only in `backward`. */
  readonly savedTensors: tf.Tensor[];
  /** For each argument of `apply`, whether backward must compute its gradient (torch's `ctx.needs_input_grad`). */
  readonly needsInputGrad: boolean[];
  /** Any value forward wants backward to see. */
  [key: string]: unknown;
}

/** A gradient per argument of `apply`: a tensor of that argument's shape, or `null` (no gradient: zeros). */
export type Gradients = ReadonlyArray<tf.Tensor | null | undefined>;

/** The definition of a differentiable op: see {@link defineFunction}. */
export interface FunctionDef<A extends unknown[], O extends tf.Tensor | tf.Tensor[]> {
  /** Name of the op, shown in autograd errors and profiles. */
  name: string;
  /**
   * Computes the output(s) from the arguments. Runs untaped: ops inside it are not recorded, and its temporaries
   * are freed when it returns (only the outputs and the saved tensors survive).
   */
  forward(ctx: FunctionCtx, ...args: A): O;
  /**
   * The gradients of the arguments from the gradient(s) of the output(s): `dy` is one tensor for one output, an
   * array (in output order) for several; an output nobody used gets zeros. Return one entry per argument of
   * `apply` (`null` for non-tensor arguments and for inputs whose `ctx.needsInputGrad` is false).
   */
  backward(ctx: FunctionCtx, dy: O extends tf.Tensor[] ? tf.Tensor[] : tf.Tensor): Gradients;
}

/** A defined op: call it with the forward's arguments (torch's `MyFunction.apply(...)`). */
export type AppliedFunction<A extends unknown[], O> = ((...args: A) => O) & {
  /** Same as calling it: torch's `Function.apply`. */
  apply(...args: A): O;
};

interface EngineWithKernelFunc {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: (tensors: tf.Tensor[]) => void) => tf.Tensor | tf.Tensor[];
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor | tf.Tensor[];
}

/**
 * Defines a differentiable op with forward and backward side by side (torch's `torch.autograd.Function`). The op
 * is one node of the autograd graph: `backward()` calls `def.backward` with the output's gradient. Tensor
 * arguments are the op's inputs; other arguments (numbers, options, `null` for an absent optional tensor) are
 * passed through to `forward` unchanged.
 *
 * @param def the op's name, `forward` and `backward`.
 * @returns the op; call it as a function or with `.apply(...)`.
 * @example
 * ```ts
 * // y = x * exp(s), differentiable in x and s.
 * const ScaledExp = defineFunction({
 *   name: 'ScaledExp',
 *   forward(ctx, x: tf.Tensor, s: tf.Tensor) {
 *     const y = tf.mul(x, tf.exp(s));
 *     ctx.saveForBackward(x, s);
 *     return y;
 *   },
 *   backward(ctx, dy: tf.Tensor) {
 *     const [x, s] = ctx.savedTensors;
 *     const e = tf.exp(s);
 *     return [
 *       ctx.needsInputGrad[0] ? tf.mul(dy, e) : null,
 *       ctx.needsInputGrad[1] ? tf.sum(tf.mul(dy, tf.mul(x, e))) : null,
 *     ];
 *   },
 * });
 * const y = ScaledExp(x, s); // or ScaledExp.apply(x, s)
 * y.sum().backward();
 * ```
 */
export function defineFunction<A extends unknown[], O extends tf.Tensor | tf.Tensor[]>(
  def: FunctionDef<A, O>,
): AppliedFunction<A, O> {
  checkDefinition(def);
  const run = (...args: A): O => {
    const inputs: Record<string, tf.Tensor> = {};
    const needs: boolean[] = [];
    args.forEach((a, i) => {
      if (a instanceof tf.Tensor) {
        if (a.isDisposed) throw new AutogradError(`${def.name}: argument ${i} is a tensor that was disposed`);
        inputs[i] = a;
        needs.push(needsInputGrad(a));
      } else {
        needs.push(false);
      }
    });
    let saved: tf.Tensor[] = [];
    const ctx = {
      needsInputGrad: needs,
      saveForBackward(...tensors: tf.Tensor[]) {
        saved = tensors;
      },
      get savedTensors(): tf.Tensor[] {
        return saved;
      },
    } as FunctionCtx;
    let multi = false;
    const engine = tf.engine() as unknown as EngineWithKernelFunc;
    const out = engine.runKernelFunc({
      forwardFunc: (_backend, save) => {
        const result = def.forward(ctx, ...args);
        multi = Array.isArray(result);
        save(saved);
        return result;
      },
      backwardsFunc: (dy, savedByEngine) => {
        saved = savedByEngine;
        const grads = def.backward(ctx, (multi ? dy : Array.isArray(dy) ? dy[0] : dy) as never);
        if (grads.length !== args.length) {
          throw new AutogradError(
            `${def.name}.backward returned ${grads.length} gradients, expected ${args.length} (one per argument of apply)`,
          );
        }
        const map: Record<string, () => tf.Tensor> = {};
        for (const key of Object.keys(inputs)) {
          const g = grads[Number(key)];
          const x = inputs[key];
          map[key] = () => (g == null ? tf.zerosLike(x) : g);
        }
        return map;
      },
      inputs,
    });
    return out as O;
  };
  Object.defineProperty(run, 'name', { value: def.name });
  return Object.assign(run, { apply: run }) as unknown as AppliedFunction<A, O>;
}

/** `defineFunction`'s argument as torch's `Function` subclass needs it: a name, `forward` and `backward`. */
function checkDefinition(def: unknown): void {
  const d = def as Partial<Record<'name' | 'forward' | 'backward', unknown>> | null;
  if (d === null || typeof d !== 'object') {
    throw new ArgumentTypeError(
      `defineFunction(): expected { name, forward(ctx, ...args), backward(ctx, dy) }, got ${describeValue(def)}`,
    );
  }
  if (typeof d.name !== 'string' || d.name === '') {
    throw new ArgumentTypeError(`defineFunction(): 'name' must be a non-empty string, got ${describeValue(d.name)}`);
  }
  for (const key of ['forward', 'backward'] as const) {
    if (typeof d[key] !== 'function') {
      throw new ArgumentTypeError(
        `defineFunction(${d.name}): '${key}' must be a function, got ${describeValue(d[key])}`,
      );
    }
  }
}
