/**
 * Module hooks as torch's: `registerForwardPreHook`, `registerForwardHook` and `registerFullBackwardHook`, with
 * torch's call order (pre-hooks, forward, forward hooks; backward hooks when the gradients of the module's inputs
 * are computed) and removable handles. `Module` calls {@link runHooked} around every `forward`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { defineFunction } from '../autograd/function';
import { needsInputGrad } from '../autograd/tape';
/**
 * A forward pre-hook of a module of type `M` (`nn.ForwardPreHook` is this for `Module`): sees the inputs; may
 * return replacement inputs (an array, or one value).
 */
export type PreHookOf<M> = (module: M, args: unknown[]) => unknown[] | unknown | undefined | void;
/** A forward hook of a module of type `M` (`nn.ForwardHook`): sees the inputs and the output; may replace it. */
export type HookOf<M> = (module: M, args: unknown[], output: unknown) => unknown | undefined | void;
/**
 * A full backward hook of a module of type `M` (`nn.BackwardHook`): sees the gradients of the module's tensor
 * inputs and of its outputs (`null` where none); may return replacement input gradients.
 */
export type BackwardHookOf<M> = (
  module: M,
  gradInput: Array<tf.Tensor | null>,
  gradOutput: Array<tf.Tensor | null>,
) => Array<tf.Tensor | null> | undefined | void;

// The table is keyed by the module object; the hooks stored take it back as what it was registered as.
type AnyModule = object;
type ForwardPreHook = PreHookOf<AnyModule>;
type ForwardHook = HookOf<AnyModule>;
type BackwardHook = BackwardHookOf<AnyModule>;

/** What `register*Hook` returns (torch's `RemovableHandle`). */
export interface RemovableHandle {
  /** Unregisters the hook. */
  remove(): void;
}

interface Hooks {
  pre: ForwardPreHook[];
  post: ForwardHook[];
  backward: BackwardHook[];
}

const hooksOf = new WeakMap<AnyModule, Hooks>();

function table(m: AnyModule): Hooks {
  let h = hooksOf.get(m);
  if (!h) {
    h = { pre: [], post: [], backward: [] };
    hooksOf.set(m, h);
  }
  return h;
}

function add<T>(list: T[], fn: T): RemovableHandle {
  list.push(fn);
  return {
    remove() {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/**
 * Registers a forward pre-hook (torch's `register_forward_pre_hook`).
 * @param m the module.
 * @param fn the hook.
 */
export function addForwardPreHook<M extends object>(m: M, fn: PreHookOf<M>): RemovableHandle {
  return add(table(m).pre, fn as ForwardPreHook);
}

/**
 * Registers a forward hook (torch's `register_forward_hook`).
 * @param m the module.
 * @param fn the hook.
 */
export function addForwardHook<M extends object>(m: M, fn: HookOf<M>): RemovableHandle {
  return add(table(m).post, fn as ForwardHook);
}

/**
 * Registers a full backward hook (torch's `register_full_backward_hook`).
 * @param m the module.
 * @param fn the hook.
 */
export function addBackwardHook<M extends object>(m: M, fn: BackwardHookOf<M>): RemovableHandle {
  return add(table(m).backward, fn as BackwardHook);
}

/**
 * Whether any hook is registered on `m`.
 * @param m the module.
 */
export function hasHooks(m: AnyModule): boolean {
  const h = hooksOf.get(m);
  return h != null && (h.pre.length > 0 || h.post.length > 0 || h.backward.length > 0);
}

/** Shared between the identity ops around one call: the output gradients, once backward has them. */
interface CallState {
  gradOutputs: Array<tf.Tensor | null> | null;
  inputsNeedGrad: boolean;
}

/** Identity on the outputs: records their gradients (and runs the hooks when no input needs a gradient). */
const HookOutputs = defineFunction({
  name: 'BackwardHookOutputs',
  forward(ctx, state: CallState, m: AnyModule, ...xs: tf.Tensor[]) {
    ctx.state = state;
    ctx.module = m;
    return xs.map((x) => tf.clone(x));
  },
  backward(ctx, dy: tf.Tensor[]) {
    // One output comes back as one tensor (the engine unwraps single gradients).
    const dys = Array.isArray(dy) ? dy : [dy as unknown as tf.Tensor];
    const state = ctx.state as CallState;
    if (!state.inputsNeedGrad) {
      for (const hook of table(ctx.module as AnyModule).backward) hook(ctx.module as AnyModule, [null], dys);
    } else {
      // Kept until the input side's backward has run the hooks (backward frees each gradient once consumed).
      state.gradOutputs = dys.map((d) => tf.keep(tf.clone(d)));
    }
    return [null, null, ...dys];
  },
});

/** Identity on the inputs: its backward has the input gradients, so it runs the backward hooks. */
const HookInputs = defineFunction({
  name: 'BackwardHookInputs',
  forward(ctx, state: CallState, m: AnyModule, ...xs: tf.Tensor[]) {
    ctx.state = state;
    ctx.module = m;
    return xs.map((x) => tf.clone(x));
  },
  backward(ctx, dy: tf.Tensor[]) {
    const dys = Array.isArray(dy) ? dy : [dy as unknown as tf.Tensor];
    const state = ctx.state as CallState;
    let grads: Array<tf.Tensor | null> = dys;
    try {
      for (const hook of table(ctx.module as AnyModule).backward) {
        const r = hook(ctx.module as AnyModule, grads, state.gradOutputs ?? []);
        if (Array.isArray(r)) grads = r;
      }
    } finally {
      for (const g of state.gradOutputs ?? []) g?.dispose();
      state.gradOutputs = null;
    }
    return [null, null, ...grads];
  },
});

/**
 * Runs `impl` with the module's hooks: pre-hooks (which may replace the inputs), the forward, forward hooks
 * (which may replace the output), and identity ops that call the backward hooks during backward.
 * @param m the module.
 * @param impl the module's own forward.
 * @param args the inputs.
 */
export function runHooked(m: AnyModule, impl: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  if (!hasHooks(m)) return impl.apply(m, args);
  const h = hooksOf.get(m)!;
  let inputs = args;
  for (const hook of [...h.pre]) {
    const r = hook(m, inputs);
    if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
  }
  let state: CallState | null = null;
  if (h.backward.length) {
    const tensorAt = inputs.flatMap((x, i) => (x instanceof tf.Tensor && needsInputGrad(x) ? [i] : []));
    state = { gradOutputs: null, inputsNeedGrad: tensorAt.length > 0 };
    if (tensorAt.length) {
      const wrapped = HookInputs(state, m, ...tensorAt.map((i) => inputs[i] as tf.Tensor)) as tf.Tensor[];
      inputs = [...inputs];
      tensorAt.forEach((i, k) => {
        inputs[i] = wrapped[k];
      });
    }
  }
  let out = impl.apply(m, inputs);
  if (state) {
    const outs = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? (out as unknown[]) : [];
    const at = outs.flatMap((x, i) => (x instanceof tf.Tensor && needsInputGrad(x) ? [i] : []));
    if (at.length) {
      const wrapped = HookOutputs(state, m, ...at.map((i) => outs[i] as tf.Tensor)) as tf.Tensor[];
      const next = [...outs];
      at.forEach((i, k) => {
        next[i] = wrapped[k];
      });
      out = out instanceof tf.Tensor ? next[0] : next;
    }
  }
  for (const hook of [...h.post]) {
    const r = hook(m, inputs, out);
    if (r !== undefined) out = r;
  }
  return out;
}
