/**
 * Imperative autograd over tfjs's engine tape: torch's `loss.backward()` across ordinary statements.
 *
 * tfjs records a tape only inside `tf.grad`-style closures. torch records every op whose input requires a
 * gradient, whenever it runs. This module gives tfjs torch's behaviour:
 *
 * - The engine's tape is switched on once (`gradientDepth` 1) and kept on.
 * - Every kernel call goes through {@link recordingRunKernelFunc}: it is recorded only when grad mode is
 *   on and one of its inputs requires a gradient (a {@link Parameter} with `requiresGrad`, or the output
 *   of a recorded op); otherwise it runs as if inside a kernel, saving nothing. So data-only work, `noGrad`
 *   blocks and frozen parameters cost nothing, as in torch.
 * - `backward()` walks the recorded nodes from the loss back to the leaves, accumulates into each leaf's
 *   `.grad`, then frees the graph it used (torch's `retain_graph=False`).
 * - Nodes whose outputs were all disposed (for example by the `tf.tidy` around a training step) and that
 *   no live tensor depends on are swept, so the tape never grows without bound.
 *
 * Relies on tfjs-core 4.22.0 internals (engine state, `runKernelFunc`, `endScope`, tape nodes); the
 * version is checked when the hooks are installed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, AutogradError, BackendError, ValueError } from '../errors';
import { retainedGrads, tensorHooks } from './hook-state';
import { checkAssignedGrad, Parameter } from './parameter';

/** The tfjs-core version whose engine internals these hooks were written against. */
export const SUPPORTED_TFJS_CORE = '4.22.0';

type NamedTensorMap = Record<string, tf.Tensor>;

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: NamedTensorMap;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

interface EngineState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: TapeNode[] | null;
  scopeStack: Array<{ name: string }>;
}

interface EngineInternals {
  state: EngineState;
  runKernelFunc(params: { inputs?: NamedTensorMap }): tf.Tensor | tf.Tensor[];
  endScope(result?: unknown): void;
  clone(x: tf.Tensor): tf.Tensor;
}

/** Tensors that are not parameters but require grad: outputs of recorded ops, and `requiresGrad_` leaves. */
const requiresGradSet = new WeakSet<tf.Tensor>();
/** Non-parameter leaves made by {@link requiresGrad_}: backward stores their gradient in {@link leafGrads}. */
const leafSet = new WeakSet<tf.Tensor>();
const leafGrads = new WeakMap<tf.Tensor, tf.Tensor>();
/** Outputs of nodes freed by a backward pass: backward through them again is torch's "second time" error. */
const freedOutputs = new WeakSet<tf.Tensor>();
/**
 * The tensor each copy the engine saved for backward was cloned from (the engine tapes the clone as an op): a
 * gradient computed with `createGraph` differentiates through saved values back to their sources.
 */
const cloneSource = new WeakMap<tf.Tensor, tf.Tensor>();
/** Whether a `createGraph` backward made saved copies differentiable (then {@link gradientOrder} reorders). */
let differentiableClones = false;

/**
 * The tape in an order backward can walk: the engine tapes the copy of a saved *output* before the op that
 * produced it, so a differentiable copy is moved right after its source's producer.
 */
function gradientOrder(t: TapeNode[]): TapeNode[] {
  if (!differentiableClones) return t;
  const producer = new Map<number, number>();
  t.forEach((node, i) => {
    for (const o of node.outputs) producer.set(o.id, i);
  });
  let moved = false;
  const keys = t.map((node, i) => {
    const o = node.outputs[0];
    const src = o == null ? undefined : cloneSource.get(o);
    if (src != null && requiresGradSet.has(o)) {
      const p = producer.get(src.id);
      if (p != null && p > i) {
        moved = true;
        return p + 0.5;
      }
    }
    return i;
  });
  if (!moved) return t;
  return t
    .map((node, i) => [keys[i], node] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, node]) => node);
}

let gradEnabled = true;
let engine: EngineInternals | null = null;
let hookedState: EngineState | null = null;
/** Outputs disposed since the last sweep that belong to tape nodes. */
let tapeSizeAfterSweep = 0;

function isParameterLike(t: tf.Tensor): t is tf.Variable {
  return t instanceof tf.Variable;
}

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
  // buffers are non-trainable variables.
  if (isParameterLike(t)) return t.trainable && t.dtype === 'float32';
  return requiresGradSet.has(t);
}

/**
 * Whether a backward pass can ask for the gradient of `t` through an op that consumes it now: `t` requires grad, or
 * tfjs's own `tf.grad` / `tf.grads` is recording (it differentiates with respect to plain tensors). A custom op checks
 * its inputs when it runs and skips the gradients nobody will read, as torch's `ctx.needs_input_grad` does.
 * @param t an input of the op.
 * @example
 * ```ts
 * const needW = needsInputGrad(weight); // false for a frozen parameter: its gradient is not computed
 * ```
 */
export function needsInputGrad(t: tf.Tensor | null | undefined): boolean {
  if (t == null) return false;
  if (engine != null && engine.state.gradientDepth > 1) return true;
  return gradEnabled && requiresGrad(t);
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

function anyInputRequiresGrad(inputs: NamedTensorMap | undefined): boolean {
  if (inputs == null) return false;
  for (const key in inputs) {
    if (requiresGrad(inputs[key])) return true;
  }
  return false;
}

function markOutputs(out: tf.Tensor | tf.Tensor[]): void {
  const outs = Array.isArray(out) ? out : [out];
  for (const o of outs) {
    // Integer and boolean results (argmax, comparisons) never require grad, as in torch.
    if (o != null && o.dtype === 'float32') requiresGradSet.add(o);
  }
}

function tape(): TapeNode[] {
  const eng = installAutograd();
  return eng.state.activeTape!;
}

/**
 * Installs the hooks on tfjs's engine (idempotent; called on import of the library). Exposed for
 * code that resets the engine (`tf.engine().reset()`), after which the hooks re-arm themselves anyway.
 * No torch counterpart (torch records natively).
 * @returns the engine, typed with the internals the hooks use.
 * @example
 * ```ts
 * tf.engine().reset();
 * installAutograd();
 * ```
 */
export function installAutograd(): EngineInternals {
  const eng = tf.engine() as unknown as EngineInternals;
  if (engine !== eng) {
    if (tf.version_core !== SUPPORTED_TFJS_CORE) {
      throw new BackendError(
        `tfjs-torch's autograd hooks need @tensorflow/tfjs-core ${SUPPORTED_TFJS_CORE} exactly, found ${tf.version_core}; ` +
          `install @tensorflow/tfjs-core@${SUPPORTED_TFJS_CORE}`,
      );
    }
    const original = eng.runKernelFunc;
    const originalEndScope = eng.endScope;
    const originalClone = eng.clone;
    eng.clone = function (this: EngineInternals, x: tf.Tensor) {
      const y = originalClone.call(this, x);
      cloneSource.set(y, x);
      return y;
    };
    eng.runKernelFunc = function (this: EngineInternals, params) {
      armTape(this);
      return recordingRunKernelFunc(this, original, params);
    };
    eng.endScope = function (this: EngineInternals, result?: unknown) {
      originalEndScope.call(this, result);
      afterScope(this);
    };
    engine = eng;
  }
  armTape(eng);
  return eng;
}

/** Keeps the engine's tape switched on: one level of `gradientDepth` belongs to this module. */
function armTape(eng: EngineInternals): void {
  const st = eng.state;
  if (hookedState !== st || st.activeTape == null) {
    if (st.gradientDepth === 0) st.activeTape = [];
    st.gradientDepth++;
    hookedState = st;
    tapeSizeAfterSweep = 0;
  }
}

function recordingRunKernelFunc(
  eng: EngineInternals,
  original: EngineInternals['runKernelFunc'],
  params: { inputs?: NamedTensorMap },
): tf.Tensor | tf.Tensor[] {
  const st = eng.state;
  if (st.kernelDepth > 0) return original.call(eng, params);
  if (st.gradientDepth > 1) {
    // tfjs's own tf.grad / optimizer.minimize is running: let it record everything it needs.
    const out = original.call(eng, params);
    if (gradEnabled && anyInputRequiresGrad(params.inputs)) markOutputs(out);
    return out;
  }
  if (!gradEnabled || !anyInputRequiresGrad(params.inputs)) {
    // Run as the engine runs nested kernels: no tape node, nothing saved for backward.
    st.kernelDepth++;
    try {
      return original.call(eng, params);
    } finally {
      st.kernelDepth--;
    }
  }
  const out = original.call(eng, params);
  markOutputs(out);
  return out;
}

function afterScope(eng: EngineInternals): void {
  const st = eng.state;
  const t = st.activeTape;
  if (t == null || t.length === 0 || st.kernelDepth > 0) return;
  // Sweep when a user-level scope (tf.tidy, not an op's internal scope) closes with no user-level scope
  // left open, and also whenever the tape has doubled since the last sweep.
  let userScopeOpen = false;
  for (const s of st.scopeStack) {
    if (!s.name.endsWith('__op')) {
      userScopeOpen = true;
      break;
    }
  }
  if (!userScopeOpen || t.length > Math.max(256, 2 * tapeSizeAfterSweep)) sweepTape();
}

/**
 * Drops tape nodes that no live tensor depends on and disposes what they saved for backward.
 * Runs automatically; exposed for tests and for long computations outside any `tf.tidy`. (torch frees
 * its graph by reference counting; there is no torch counterpart.)
 * @example
 * ```ts
 * y.dispose();
 * sweepTape(); // the nodes that produced y are gone unless something live depends on them
 * ```
 */
export function sweepTape(): void {
  const t = engine?.state.activeTape;
  if (t == null) return;
  const needed = new Set<number>();
  const kept: TapeNode[] = [];
  for (let i = t.length - 1; i >= 0; i--) {
    const node = t[i];
    let live = false;
    for (const o of node.outputs) {
      if (!o.isDisposed || needed.has(o.id)) {
        live = true;
        break;
      }
    }
    if (live) {
      for (const key in node.inputs) {
        const x = node.inputs[key];
        if (x != null) needed.add(x.id);
      }
      kept.push(node);
    } else {
      disposeSaved(node);
    }
  }
  kept.reverse();
  t.length = 0;
  for (const node of kept) t.push(node);
  tapeSizeAfterSweep = t.length;
}

function disposeSaved(node: TapeNode): void {
  if (node.saved) {
    for (const s of node.saved) s.dispose();
    node.saved = [];
  }
}

/**
 * Number of recorded tape nodes (for tests and leak hunting); constant across the iterations of a
 * training loop that uses one `tf.tidy` per step.
 * @example
 * ```ts
 * const before = tapeSize();
 * tf.tidy(() => { optimizer.zeroGrad(); loss(model).backward(); optimizer.step(); });
 * tapeSize() === before; // true
 * ```
 */
export function tapeSize(): number {
  return tape().length;
}

/**
 * Whether ops are being recorded for backward (torch's
 * [`torch.is_grad_enabled()`](https://pytorch.org/docs/1.13/generated/torch.is_grad_enabled.html)).
 * @example
 * ```ts
 * isGradEnabled();                  // true
 * noGrad(() => isGradEnabled());    // false
 * ```
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Switches recording on or off globally (torch's
 * [`torch.set_grad_enabled(mode)`](https://pytorch.org/docs/1.13/generated/torch.set_grad_enabled.html)).
 * Prefer {@link noGrad}, which restores the previous mode.
 * @param mode `true` to record, `false` to stop.
 * @example
 * ```ts
 * setGradEnabled(false); // inference only from here on
 * ```
 */
export function setGradEnabled(mode: boolean): void {
  gradEnabled = mode;
}

/**
 * Runs `fn` with recording off, as torch's
 * [`with torch.no_grad():`](https://pytorch.org/docs/1.13/generated/torch.no_grad.html). Nothing inside
 * is recorded or saved for backward, and results do not require grad. It does not dispose anything: combine
 * it with `tf.tidy` for that. Returns what `fn` returns.
 *
 * @param fn the computation.
 * @example
 * ```ts
 * const samples = noGrad(() => generator.forward(fixedNoise));
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Runs `fn` with recording on, inside a `noGrad` block (torch's
 * [`torch.enable_grad()`](https://pytorch.org/docs/1.13/generated/torch.enable_grad.html)). Returns what
 * `fn` returns.
 * @param fn the computation.
 * @example
 * ```ts
 * noGrad(() => {
 *   const y = enableGrad(() => model.forward(x)); // recorded
 * });
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * A new tensor with the same values that does not require grad (torch's
 * [`t.detach()`](https://pytorch.org/docs/1.13/generated/torch.Tensor.detach.html)): backward stops
 * here. Shares the data (no copy). Also a method: `t.detach()`.
 * @param t any tensor.
 * @example
 * ```ts
 * // The discriminator step without a backward pass through the generator:
 * const output = netD.forward(detach(netG.forward(noise)));
 * ```
 */
export function detach<T extends tf.Tensor>(t: T): T {
  return noGrad(() => tf.clone(t)) as T;
}

/**
 * Marks a (non-parameter) float tensor as a leaf that requires grad (torch's
 * [`t.requires_grad_()`](https://pytorch.org/docs/1.13/generated/torch.Tensor.requires_grad_.html)):
 * backward stores its gradient, readable with {@link gradOf}. Parameters use `param.requiresGrad`.
 * Returns `t`. Also a method: `t.requiresGrad_()`.
 * @param t a float32 tensor that is not the output of a recorded op.
 * @param mode `true` to require grad, `false` to stop. Default: `true`.
 * @example
 * ```ts
 * const x = requiresGrad_(tf.tensor([1, 2, 3]));
 * x.square().sum().backward();
 * gradOf(x); // [2, 4, 6]
 * ```
 */
export function requiresGrad_<T extends tf.Tensor>(t: T, mode = true): T {
  if (t instanceof Parameter) {
    t.requiresGrad = mode;
    return t;
  }
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
 * @example
 * ```ts
 * gradOf(linear.weight) === linear.weight.grad; // true
 * ```
 */
export function gradOf(t: tf.Tensor): tf.Tensor | null {
  if (t instanceof Parameter) return t.grad;
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
  checkAssignedGrad(t, grad, 'setGradOf');
  const old = gradOf(t);
  if (old && old !== grad) old.dispose();
  if (grad) tf.keep(grad);
  if (grad) leafGrads.set(t, grad);
  else leafGrads.delete(t);
}

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
  tape(); // arms the engine hooks
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
  const ordered = gradientOrder(t);
  for (let i = ordered.length - 1; i >= 0; i--) {
    const node = ordered[i];
    if (!node.outputs.some((o) => needed.has(o.id))) continue;
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

    const previous = gradEnabled;
    gradEnabled = createGraph;
    try {
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
        if (createGraph) {
          // Saved copies of values that require grad take part in the recorded gradient computation.
          for (const s of node.saved ?? []) {
            const src = cloneSource.get(s);
            if (src != null && requiresGrad(src) && s.dtype === 'float32') {
              requiresGradSet.add(s);
              differentiableClones = true;
            }
          }
        }
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
    } finally {
      gradEnabled = previous;
    }
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
    const keep: TapeNode[] = [];
    for (const node of t) {
      if (inGraph.has(node)) {
        disposeSaved(node);
        for (const o of node.outputs) freedOutputs.add(o);
      } else {
        keep.push(node);
      }
    }
    t.length = 0;
    for (const node of keep) t.push(node);
    tapeSizeAfterSweep = Math.min(tapeSizeAfterSweep, t.length);
  }
  return new Map(collected);
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
