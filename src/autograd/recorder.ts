/**
 * The recorder: hooks on tfjs's engine that give it torch's imperative recording.
 *
 * tfjs records a tape only inside `tf.grad`-style closures. torch records every op whose input requires a
 * gradient, whenever it runs. The hooks give tfjs torch's behaviour:
 *
 * - The engine's tape is switched on once (`gradientDepth` 1) and kept on.
 * - Every kernel call goes through {@link recordingRunKernelFunc}: it is recorded only when grad mode is on and one
 *   of its inputs requires a gradient (a {@link Parameter} with `requiresGrad`, or the output of a recorded op);
 *   otherwise it runs as if inside a kernel, saving nothing, and a registered kernel is called directly (the
 *   engine's bookkeeping for tapes and profiles is skipped). So data-only work, `noGrad` blocks and frozen
 *   parameters cost little, as in torch.
 * - A tensor saved for backward shares its input's memory: a new tensor on the same data, without a kernel call
 *   or a tape node (the engine's own copy runs an `Identity` kernel and tapes it).
 * - Nodes whose outputs were all disposed (for example by the `tf.tidy` around a training step) and that no live
 *   tensor depends on are swept, so the tape never grows without bound.
 *
 * Relies on tfjs-core 4.22.0 internals (engine state, `runKernelFunc`, `endScope`, `clone`, tape nodes); the
 * version is checked when the hooks are installed. Backward is in `backward.ts`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, BackendError } from '../errors';
import { isGradEnabled } from './grad-mode';
import { markOutputs, requiresGrad } from './requires-grad';

/** The tfjs-core version whose engine internals these hooks were written against. */
export const SUPPORTED_TFJS_CORE = '4.22.0';

type NamedTensorMap = Record<string, tf.Tensor>;

/**
 * A recorded op, as tfjs's engine tapes it.
 * @internal
 */
export interface TapeNode {
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
  profiling: boolean;
  tensorInfo: Map<object, { backend: KernelBackendLike }>;
}

interface KernelBackendLike {
  incRef?(dataId: object): void;
}

interface KernelParams {
  kernelName?: string;
  inputs?: NamedTensorMap;
  attrs?: Record<string, unknown>;
}

/**
 * The engine's internals the hooks use (tfjs-core 4.22.0).
 * @internal
 */
export interface EngineInternals {
  state: EngineState;
  backendName: string | null;
  readonly backend: tf.KernelBackend;
  ENV: { getBool(flag: string): boolean };
  runKernelFunc(params: KernelParams): tf.Tensor | tf.Tensor[];
  endScope(result?: unknown): void;
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType, backend?: unknown): tf.Tensor;
}

let engine: EngineInternals | null = null;
let hookedState: EngineState | null = null;
/** The tape's length after the last full sweep (the whole tape is swept again when it has doubled). */
let tapeSizeAfterSweep = 0;
/** Nodes recorded since the last full sweep (a full sweep's cost is paid for by as many recorded nodes). */
let recordedSinceFullSweep = 0;
/** How many nodes at the start of the tape a sweep has examined (those after them are new since). */
let sweptUpTo = 0;
/**
 * Where the nodes that were new at the last sweep and survived it begin: the next sweep examines them again (an
 * op's result is usually disposed right after the op's scope ended and swept).
 */
let recentFrom = 0;

/**
 * The tensor each saved copy the engine made by copying (where the backend keeps no reference counts) was made
 * from; a shared copy is matched to its source by data ({@link linkSavedCopies}).
 */
const copiedSource = new WeakMap<tf.Tensor, tf.Tensor>();
/** Saved copies already given a node from their source (a second `createGraph` backward adds none). */
const linkedCopies = new WeakSet<tf.Tensor>();

/**
 * Installs the hooks on tfjs's engine (idempotent; called on import of the library). Exposed for
 * code that resets the engine (`tf.engine().reset()`), after which the hooks re-arm themselves anyway.
 * No torch counterpart (torch records natively).
 * @param noArgs none: it takes no arguments.
 * @returns the engine, typed with the internals the hooks use.
 * @example
 * ```ts
 * tf.engine().reset();
 * installAutograd();
 * ```
 */
export function installAutograd(...noArgs: []): EngineInternals {
  if ((noArgs as unknown[]).length > 0) {
    throw new ArgumentTypeError(
      `installAutograd() takes no arguments (${noArgs.length} given: ${describeValue((noArgs as unknown[])[0])})`,
    );
  }
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
    // The engine calls clone only to save tensors for backward (a kernel's inputs/outputs, a custom op's saved
    // tensors), from inside the kernel call.
    eng.clone = function (this: EngineInternals, x: tf.Tensor) {
      const shared = shareData(this, x);
      if (shared != null) return shared;
      const y = originalClone.call(this, x);
      copiedSource.set(y, x);
      return y;
    };
    eng.runKernelFunc = function (this: EngineInternals, params: KernelParams) {
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

/**
 * The engine with its tape armed (installs the hooks on first use).
 * @internal
 */
export function armedEngine(): EngineInternals {
  if (engine == null || engine.state !== hookedState || engine.state.activeTape == null) return installAutograd();
  return engine;
}

/**
 * The recorded tape.
 * @internal
 */
export function tape(): TapeNode[] {
  return armedEngine().state.activeTape!;
}

/** Keeps the engine's tape switched on: one level of `gradientDepth` belongs to this module. */
function armTape(eng: EngineInternals): void {
  const st = eng.state;
  if (hookedState !== st || st.activeTape == null) {
    if (st.gradientDepth === 0) st.activeTape = [];
    st.gradientDepth++;
    hookedState = st;
    tapeSizeAfterSweep = 0;
    sweptUpTo = 0;
    recentFrom = 0;
    recordedSinceFullSweep = 0;
  }
}

/**
 * A new tensor on `x`'s data (reference-counted by the backend), as the cpu and wasm backends' `Identity` kernels
 * make it, without the kernel call and the tape node of the engine's `clone`; `null` where the backend keeps no
 * reference counts (the engine's clone then copies).
 */
function shareData(eng: EngineInternals, x: tf.Tensor): tf.Tensor | null {
  if (x.dtype === 'string' || x.dtype === 'complex64') return null;
  const info = eng.state.tensorInfo.get(x.dataId);
  const backend = info?.backend;
  if (backend == null || typeof backend.incRef !== 'function') return null;
  backend.incRef(x.dataId);
  return eng.makeTensorFromDataId(x.dataId, x.shape, x.dtype, backend);
}

/**
 * Before a `createGraph` backward runs `node`'s gradient: each copy it saved of a tensor that requires grad
 * becomes a differentiable stand-in for that tensor (a tape node from the source to the copy), so the recorded
 * gradient computation differentiates back through saved values, as torch's saved variables do. The node goes at
 * the end of the tape: after the source's producer, before the recorded ops that read the copy.
 * @internal
 */
export function linkSavedCopies(node: TapeNode, markRequiresGrad: (t: tf.Tensor) => void): void {
  for (const s of node.saved ?? []) {
    if (linkedCopies.has(s) || s.dtype !== 'float32') continue;
    const src = copiedSource.get(s) ?? savedFrom(node, s);
    if (src == null || !requiresGrad(src)) continue;
    linkedCopies.add(s);
    markRequiresGrad(s);
    tape().push({
      id: -1,
      kernelName: 'Identity',
      inputs: { x: src },
      outputs: [s],
      saved: [],
      gradient: (dys) => ({ x: () => dys[0]! }),
    });
  }
}

/**
 * The input or output of `node` a shared saved copy `s` was made from: the one on the same data, of the same shape,
 * that requires grad. (A custom op may also save tensors it computed in its forward; those never require grad.)
 */
function savedFrom(node: TapeNode, s: tf.Tensor): tf.Tensor | undefined {
  const same = (x: tf.Tensor | undefined) =>
    x != null && x !== s && x.dataId === s.dataId && tf.util.arraysEqual(x.shape, s.shape) && requiresGrad(x);
  for (const key in node.inputs) if (same(node.inputs[key])) return node.inputs[key];
  return node.outputs.find(same);
}

/**
 * Every kernel call: recorded when grad mode is on and an input requires grad; otherwise run untaped.
 * @internal
 */
export function recordingRunKernelFunc(
  eng: EngineInternals,
  original: EngineInternals['runKernelFunc'],
  params: KernelParams,
): tf.Tensor | tf.Tensor[] {
  const st = eng.state;
  if (st.kernelDepth > 0) return original.call(eng, params);
  if (st.gradientDepth > 1) {
    // tfjs's own tf.grad / optimizer.minimize is running: let it record everything it needs.
    const out = original.call(eng, params);
    if (isGradEnabled() && anyInputRequiresGrad(params.inputs)) markOutputs(out);
    return out;
  }
  if (!isGradEnabled() || !anyInputRequiresGrad(params.inputs)) {
    // Run as the engine runs nested kernels: no tape node, nothing saved for backward.
    st.kernelDepth++;
    try {
      return runUntaped(eng, original, params);
    } finally {
      st.kernelDepth--;
    }
  }
  const out = original.call(eng, params);
  markOutputs(out);
  recordedSinceFullSweep++;
  return out;
}

function anyInputRequiresGrad(inputs: NamedTensorMap | undefined): boolean {
  if (inputs == null) return false;
  for (const key in inputs) {
    if (requiresGrad(inputs[key])) return true;
  }
  return false;
}

/**
 * A kernel call with the tape off: a registered kernel is called directly and its outputs made tensors, as the
 * engine's `runKernelFunc` does with the tape off, minus its closures, scopes and second kernel lookup. Profiling,
 * `DEBUG` and `IS_TEST` (kernel leak checks), custom ops (`forwardFunc`) and an uninitialised backend take the
 * engine's path.
 */
function runUntaped(
  eng: EngineInternals,
  original: EngineInternals['runKernelFunc'],
  params: KernelParams,
): tf.Tensor | tf.Tensor[] {
  const name = params.kernelName;
  if (name === undefined || eng.backendName == null || eng.state.profiling) return original.call(eng, params);
  const env = eng.ENV;
  if (env.getBool('DEBUG') || env.getBool('IS_TEST')) return original.call(eng, params);
  const kernel = tf.getKernel(name, eng.backendName);
  if (kernel == null) return original.call(eng, params);
  const out = kernel.kernelFunc({
    inputs: params.inputs as tf.NamedTensorInfoMap,
    attrs: (params.attrs ?? {}) as tf.NamedAttrMap,
    backend: eng.backend,
  });
  if (!Array.isArray(out)) return asTensor(eng, out);
  return out.map((o) => asTensor(eng, o));
}

function asTensor(eng: EngineInternals, info: tf.TensorInfo): tf.Tensor {
  return (info as tf.Tensor).rank != null ? (info as tf.Tensor) : eng.makeTensorFromTensorInfo(info);
}

function afterScope(eng: EngineInternals): void {
  const st = eng.state;
  const t = st.activeTape;
  if (t == null || t.length === 0 || st.kernelDepth > 0) return;
  // When a scope closes with no user-level scope (tf.tidy, not an op's internal scope) left open: the nodes recorded
  // since the last sweep are swept, and the whole tape (where older nodes may have died since) once as many nodes
  // were recorded as it had at the last full sweep, so the cost stays proportional to what is recorded while a
  // graph is kept alive. Inside user scopes: the whole tape whenever it has doubled, and has more than 256 nodes.
  let userScopeOpen = false;
  for (const s of st.scopeStack) {
    if (!s.name.endsWith('__op')) {
      userScopeOpen = true;
      break;
    }
  }
  if (sweptUpTo > t.length) sweptUpTo = recentFrom = 0;
  if (userScopeOpen) {
    if (t.length > Math.max(256, 2 * tapeSizeAfterSweep)) sweepTape();
  } else if (recordedSinceFullSweep > tapeSizeAfterSweep) {
    sweepTape();
  } else if (t.length > recentFrom) {
    sweepFrom(t, Math.min(recentFrom, sweptUpTo));
  }
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
  sweepFrom(t, 0);
  tapeSizeAfterSweep = t.length;
  recentFrom = t.length;
  recordedSinceFullSweep = 0;
}

/**
 * Sweeps the nodes from index `start` on. Their consumers come after them on the tape, so this decides them as a
 * full sweep would; the earlier nodes (live at their last sweep) stay until a full sweep. Run at every top-level
 * scope's end, it costs the nodes recorded since, not the whole tape: code that keeps a graph alive across many
 * steps, or records outside any `tf.tidy` (each op's scope then ends at the top level), stays linear.
 */
function sweepFrom(t: TapeNode[], start: number): void {
  const needed = new Set<number>();
  const boundary = sweptUpTo;
  let kept = 0;
  let keptNew = 0;
  // Walk back to `start`, compacting the live nodes into the tail, then move them down to `start`.
  for (let i = t.length - 1; i >= start; i--) {
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
      kept++;
      if (i >= boundary) keptNew++;
      t[t.length - kept] = node;
    } else {
      disposeSaved(node);
    }
  }
  if (start + kept < t.length) t.copyWithin(start, t.length - kept);
  t.length = start + kept;
  sweptUpTo = t.length;
  recentFrom = t.length - keptNew;
}

/**
 * Removes the nodes `drop` selects from the tape (in order), disposing what they saved for backward.
 * @internal
 */
export function dropNodes(drop: (node: TapeNode) => boolean): void {
  const t = tape();
  let n = 0;
  let swept = 0;
  let beforeRecent = 0;
  for (let i = 0; i < t.length; i++) {
    const node = t[i];
    if (drop(node)) {
      disposeSaved(node);
    } else {
      if (i < sweptUpTo) swept++;
      if (i < recentFrom) beforeRecent++;
      t[n++] = node;
    }
  }
  t.length = n;
  sweptUpTo = swept;
  recentFrom = beforeRecent;
  tapeSizeAfterSweep = Math.min(tapeSizeAfterSweep, n);
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
  return isGradEnabled() && requiresGrad(t);
}
