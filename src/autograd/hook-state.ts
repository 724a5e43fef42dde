/**
 * The state of tensor hooks (torch's `t.register_hook`, `t.retain_grad`), read by backward (`tape.ts`) and written
 * by `registerHook` / `retainGrad` (`grad.ts`).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Hooks on tensors (torch's `t.register_hook(fn)`), run on the tensor's gradient in backward. */
export const tensorHooks = new WeakMap<tf.Tensor, Array<(grad: tf.Tensor) => tf.Tensor | undefined | void>>();
/** Non-leaf tensors whose gradient backward keeps in `.grad` (torch's `t.retain_grad()`). */
export const retainedGrads = new WeakSet<tf.Tensor>();
