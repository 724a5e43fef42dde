/**
 * Imperative autograd: `backward`, `noGrad`, `detach`, and torch-style methods on tfjs tensors
 * (`loss.backward()`, `t.item()`, `t.detach()`), added the way tfjs adds its chained ops.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import '../gradients';
import { registerChainedOps } from '../chained-ops';
import { backward, detach, gradOf, installAutograd, requiresGrad, requiresGrad_, setGradOf } from './tape';
import type { BackwardOptions } from './tape';
import { item } from '../tensor';

export { Parameter } from './parameter';
export { defineFunction } from './function';
export type { AppliedFunction, FunctionCtx, FunctionDef, Gradients } from './function';
export {
  backward,
  detach,
  enableGrad,
  gradOf,
  installAutograd,
  isGradEnabled,
  isLeaf,
  noGrad,
  requiresGrad,
  requiresGrad_,
  setGradEnabled,
  setGradOf,
  sweepTape,
  tapeSize,
  SUPPORTED_TFJS_CORE,
} from './tape';
export type { BackwardOptions } from './tape';

// Methods added to tfjs's Tensor are declared by augmenting tfjs-core's `dist/tensor.js` module, spelled
// WITH the `.js`: tfjs-core has no `exports` map, so under `moduleResolution` NodeNext/Node16 an ESM
// consumer resolves a deep import only by its exact file name (`dist/tensor` would declare a new, unrelated
// ambient module and the methods would vanish), and Bundler, Node10 and CJS consumers accept the `.js`
// too. Declare any further chained method the same way (test/types/consumer.test.ts checks the built d.ts).
declare module '@tensorflow/tfjs-core/dist/tensor.js' {
  interface Tensor {
    /** torch's `loss.backward(gradient?)`: see {@link backward}. */
    backward(gradient?: Tensor | null, options?: BackwardOptions): void;
    /** torch's `t.item()`: the value of a one-element tensor as a number (reads the data synchronously). */
    item(): number;
    /** torch's `t.detach()`: same values, cut from the graph. */
    detach(): this;
    /** torch's `t.requires_grad`. */
    readonly requiresGrad: boolean;
    /**
     * torch's `t.grad` for leaves (parameters and `requiresGrad_` tensors); `null` otherwise. Assigning it
     * (torch's `t.grad = g`) keeps the new gradient, out of any `tf.tidy`, and frees the old one.
     */
    grad: Tensor | null;
    /** torch's `t.requires_grad_(mode)`. */
    requiresGrad_(mode?: boolean): this;
  }
}

function addChainedMethods(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const define = (name: string, desc: PropertyDescriptor) => {
    // Parameter defines its own requiresGrad/grad; never clobber anything tfjs defines itself.
    if (Object.hasOwn(proto, name)) return;
    Object.defineProperty(proto, name, { configurable: true, ...desc });
  };
  define('backward', {
    value(this: tf.Tensor, gradient?: tf.Tensor | null, options?: BackwardOptions) {
      backward(this, gradient, options);
    },
  });
  define('item', {
    value(this: tf.Tensor) {
      return item(this);
    },
  });
  define('detach', {
    value(this: tf.Tensor) {
      return detach(this);
    },
  });
  define('requiresGrad_', {
    value(this: tf.Tensor, mode = true) {
      return requiresGrad_(this, mode);
    },
  });
  define('requiresGrad', {
    get(this: tf.Tensor) {
      return requiresGrad(this);
    },
  });
  define('grad', {
    get(this: tf.Tensor) {
      return gradOf(this);
    },
    set(this: tf.Tensor, value: tf.Tensor | null) {
      setGradOf(this, value);
    },
  });
}

registerChainedOps();
installAutograd();
addChainedMethods();
