/**
 * Backward: torch's `loss.backward()` over the recorded tape (`recorder.ts`). Walks the recorded nodes from the
 * roots back to the leaves, accumulates into each leaf's `.grad`, then frees the graph it used (torch's
 * `retain_graph=False`). `autograd.grad` (`grad.ts`) runs the same pass and collects the gradients instead.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, AutogradError, ValueError } from '../errors';
import { withGradMode } from './grad-mode';
import { retainedGrads, tensorHooks } from './hook-state';
import { dropNodes, linkSavedCopies, type TapeNode, tape } from './recorder';
import { gradOf, isLeaf, requiresGrad, requiresGradSet, setGradOf } from './requires-grad';

/** Outputs of nodes freed by a backward pass: backward through them again is torch's "second time" error. */
const freedOutputs = new WeakSet<tf.Tensor>();

/** Options of {@link backward}, as torch's `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. Default: `false` (the graph is freed). */
  retainGraph?: boolean;
  /** Accumulate only into these leaves (torch's `inputs=`). Default: every leaf that took part. */
  inputs?: tf.Tensor[];
  /**
   * Record the backward pass itself, so the gradients are differentiable (higher-order gradients, e.g. a gradient
   * penalty); implies `retainGraph`. Default: `false`.
   */
  createGraph?: boolean;
}

/**
 * Computes the gradient of `tensor` with respect to every leaf that took part in computing it and
 * **accumulates** it into each leaf's `.grad`, as torch's `tensor.backward(gradient)`.
 *
 * Mirrors [torch.Tensor.backward](https://pytorch.org/docs/1.13/generated/torch.Tensor.backward.html).
 * Gradients add up across calls until `zeroGrad()`. Parameters that did not take part keep their `.grad`.
 * The graph is freed afterwards unless `retainGraph` is set. `.grad` tensors are kept (they survive the
 * `tf.tidy` around a training step).
 *
 * @param tensor the output to differentiate; a one-element tensor unless `gradient` is given.
 * @param gradient the gradient of some scalar with respect to `tensor`, same shape. Default: ones for a
 *   one-element tensor; required otherwise (torch: "grad can be implicitly created only for scalar outputs").
 *
 * @example
 * ```ts
 * tf.tidy(() => {
 *   optimizer.zeroGrad();
 *   const loss = criterion.forward(model.forward(x), y);
 *   backward(loss);            // or loss.backward()
 *   optimizer.step();
 * });
 * ```
 */
export function backward(tensor: tf.Tensor, gradient?: tf.Tensor | null, options: BackwardOptions = {}): void {
  if (!(tensor instanceof tf.Tensor))
    throw new ArgumentTypeError(`backward(): expected a tensor, got ${describeValue(tensor)}`);
  if (tensor.isDisposed) throw new ValueError('backward(): the tensor was disposed');
  if (gradient != null && !(gradient instanceof tf.Tensor && !gradient.isDisposed)) {
    throw new ArgumentTypeError(
      `backward(): argument 'gradient' must be a live tensor or null, got ${describeValue(gradient)}`,
    );
  }
  if (!requiresGrad(tensor)) {
    if (freedOutputs.has(tensor)) throw secondTimeError(tensor);
    throw new AutogradError(
      `element 0 of tensors does not require grad and does not have a grad_fn (tensor of shape [${tensor.shape}]: ` +
        'no parameter that requires grad took part in computing it, or it was computed under noGrad/detach)',
    );
  }
  if (gradient == null) {
    if (tensor.size !== 1) {
      throw new AutogradError(
        `grad can be implicitly created only for scalar outputs; got a tensor of shape [${tensor.shape}]: ` +
          'pass a gradient of the same shape, or reduce it first (e.g. loss.mean())',
      );
    }
  } else if (!tf.util.arraysEqual(gradient.shape, tensor.shape)) {
    throw new AutogradError(
      `backward: gradient has shape [${gradient.shape}] but the tensor has shape [${tensor.shape}]; they must match`,
    );
  }
  const onlyInputs = options.inputs === undefined ? null : checkBackwardInputs(options.inputs);
  runBackward([tensor], [gradient ?? null], options, onlyInputs, false);
}

/**
 * The backward pass of {@link backward} and of `autograd.grad`: gradients of `roots` (seeded with `rootGrads`, ones
 * where `null`) for every tensor of their graph. Accumulates into the leaves' `.grad` (only those in `onlyInputs`
 * when given), or, with `collect`, returns the gradients of `onlyInputs` (in no `.grad`; `null` where unused).
 * @internal
 */
export function runBackward(
  roots: tf.Tensor[],
  rootGrads: Array<tf.Tensor | null>,
  options: BackwardOptions,
  onlyInputs: Set<number> | null,
  collect: boolean,
): Map<number, tf.Tensor> {
  const t = tape();
  const tensor = roots[0];
  const createGraph = options.createGraph ?? false;

  // Nodes of the graph of the roots, in tape (topological) order: every ancestor of them.
  const graph: TapeNode[] = [];
  const needed = new Set<number>(roots.map((r) => r.id));
  const inGraph = new Set<TapeNode>();
  for (let i = t.length - 1; i >= 0; i--) {
    const node = t[i];
    if (!producesAny(node, needed)) continue;
    graph.push(node);
    inGraph.add(node);
    for (const key in node.inputs) {
      const x = node.inputs[key];
      if (x != null && requiresGrad(x)) needed.add(x.id);
    }
  }

  const leaves = new Map<number, tf.Tensor>();
  const { leafResults, collected } = tf.tidy(() => {
    // Gradients by tensor id. A gradient function may return its dy unchanged, so one tensor can be the
    // gradient of several tensors: count references before disposing early (peak memory).
    const grads = new Map<number, tf.Tensor>();
    const byId = new Map<number, tf.Tensor>();
    const refs = new Map<tf.Tensor, number>();
    const release = (g: tf.Tensor) => {
      const n = (refs.get(g) ?? 0) - 1;
      if (n > 0) refs.set(g, n);
      else {
        refs.delete(g);
        g.dispose();
      }
    };
    const put = (x: tf.Tensor, g: tf.Tensor) => {
      const prev = grads.get(x.id);
      if (prev) {
        const sum = tf.add(prev, g);
        release(prev);
        if (!refs.has(g)) g.dispose();
        g = sum;
      }
      grads.set(x.id, g);
      byId.set(x.id, x);
      refs.set(g, (refs.get(g) ?? 0) + 1);
    };
    roots.forEach((r, i) => {
      const g = rootGrads[i];
      put(r, g == null ? tf.onesLike(r) : tf.clone(g));
    });
    // torch's `inputs=` may name non-leaves: their gradient is kept and accumulated into their `.grad` too; so is
    // a `retainGrad()` tensor's.
    const keeps = (x: tf.Tensor) => isLeaf(x) || (onlyInputs?.has(x.id) ?? false) || retainedGrads.has(x);
    for (const r of roots) if (keeps(r)) leaves.set(r.id, r);
    // A tensor's hooks see its whole gradient, once every consumer has added to it (torch's register_hook).
    const runHooks = (x: tf.Tensor) => {
      const hooks = tensorHooks.get(x);
      const g = grads.get(x.id);
      if (!hooks || !g) return;
      for (const hook of hooks) {
        const r = hook(grads.get(x.id)!);
        if (r instanceof tf.Tensor && r !== grads.get(x.id)) {
          if (!tf.util.arraysEqual(r.shape, x.shape)) {
            throw new AutogradError(
              `hook returned a gradient of shape [${r.shape}] for a tensor of shape [${x.shape}]; they must match`,
            );
          }
          release(grads.get(x.id)!);
          grads.set(x.id, r);
          refs.set(r, (refs.get(r) ?? 0) + 1);
        }
      }
    };

    withGradMode(createGraph, () => {
      for (const node of graph) {
        for (const o of node.outputs) runHooks(o);
        const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
        if (dys.every((d) => d == null)) continue;
        if (node.gradient == null) {
          throw new AutogradError(
            `Cannot compute gradient: gradient function not found for ${node.kernelName} ` +
              `(its output of shape [${node.outputs[0]?.shape}] lies between the parameters and the loss)`,
          );
        }
        // Saved copies of values that require grad take part in the recorded gradient computation.
        if (createGraph) linkSavedCopies(node, (c) => requiresGradSet.add(c));
        const wanted: tf.Tensor[] = [];
        // One scope for the gradient function and its thunks: a custom gradient computes eagerly in node.gradient,
        // so its temporaries (layout copies, unused input gradients) are freed here, not at the end of backward.
        const dxs = tf.tidy(() => {
          const inputGrads = node.gradient!(dys);
          const fns: Array<() => tf.Tensor> = [];
          for (const key in node.inputs) {
            const x = node.inputs[key];
            if (x == null || !requiresGrad(x)) continue;
            const fn = inputGrads[key];
            if (fn == null) {
              throw new AutogradError(
                `Cannot compute gradient: ${node.kernelName} has no gradient for its input '${key}'`,
              );
            }
            wanted.push(x);
            fns.push(fn);
          }
          return fns.map((fn) => fn());
        });
        wanted.forEach((x, i) => {
          const dx = dxs[i];
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new AutogradError(
              `gradient of ${node.kernelName} input has shape [${dx.shape}], expected [${x.shape}] (internal error)`,
            );
          }
          put(x, dx.dtype === 'float32' ? dx : tf.cast(dx, 'float32'));
          if (keeps(x)) leaves.set(x.id, x);
        });
        // Every consumer of this node's outputs came later on the tape and has been processed.
        for (const o of node.outputs) {
          const g = grads.get(o.id);
          if (g && !keeps(o)) {
            grads.delete(o.id);
            release(g);
          }
        }
      }
    });
    // A non-leaf gradient nobody consumed: its producer is gone, freed by an earlier backward.
    for (const id of grads.keys()) {
      const x = byId.get(id)!;
      if (!leaves.has(id) && freedOutputs.has(x)) throw secondTimeError(tensor);
    }
    for (const leaf of leaves.values()) if (isLeaf(leaf)) runHooks(leaf);
    if (collect) {
      const got: Array<[number, tf.Tensor]> = [];
      for (const id of onlyInputs ?? []) {
        const g = grads.get(id);
        if (g != null) got.push([id, g]);
      }
      return { leafResults: [] as Array<[tf.Tensor, tf.Tensor]>, collected: got };
    }
    const results: Array<[tf.Tensor, tf.Tensor]> = [];
    for (const [id, leaf] of leaves) {
      if (onlyInputs && !onlyInputs.has(id) && !retainedGrads.has(leaf)) continue;
      const g = grads.get(id);
      if (g == null) continue;
      const old = gradOf(leaf);
      results.push([leaf, old ? tf.add(old, g) : tf.clone(g)]);
    }
    return { leafResults: results, collected: [] as Array<[number, tf.Tensor]> };
  });
  for (const [leaf, next] of leafResults) setGradOf(leaf, next);

  if (!options.retainGraph && !createGraph) {
    dropNodes((node) => {
      if (!inGraph.has(node)) return false;
      for (const o of node.outputs) freedOutputs.add(o);
      return true;
    });
  }
  return new Map(collected);
}

function producesAny(node: TapeNode, ids: Set<number>): boolean {
  for (const o of node.outputs) if (ids.has(o.id)) return true;
  return false;
}

/** `backward`'s `inputs` as torch checks them: a non-empty list of live tensors that require grad; their ids. */
function checkBackwardInputs(inputs: unknown): Set<number> {
  if (!Array.isArray(inputs)) {
    throw new ArgumentTypeError(
      `backward(): argument 'inputs' must be a list of tensors, got ${describeValue(inputs)}`,
    );
  }
  if (inputs.length === 0) throw new ValueError("backward(): 'inputs' argument to backward() cannot be empty");
  inputs.forEach((x, i) => {
    if (!(x instanceof tf.Tensor)) {
      throw new ArgumentTypeError(`backward(): inputs[${i}] must be a tensor, got ${describeValue(x)}`);
    }
    if (x.isDisposed) throw new ValueError(`backward(): inputs[${i}] is a tensor that was disposed`);
    if (!requiresGrad(x)) {
      throw new AutogradError(
        `backward(): can't retain_grad on Tensor that has requires_grad=False (inputs[${i}], ${describeValue(x)})`,
      );
    }
  });
  return new Set(inputs.map((x: tf.Tensor) => x.id));
}

function secondTimeError(t: tf.Tensor): AutogradError {
  return new AutogradError(
    'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
      `already been freed). Saved intermediate values of the graph of the tensor of shape [${t.shape}] are freed ` +
      'when you call backward(). Specify { retainGraph: true } if you need to backward through the graph a second time.',
  );
}
