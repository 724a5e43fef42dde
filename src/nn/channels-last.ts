/**
 * Channels-last runs. tfjs's convolution kernels compute in NHWC, so each convolution of an NCHW network transposes
 * its input to NHWC and its output back (and its gradients, in backward). Where a chain of layers (a `Sequential`,
 * the DCGAN's blocks) holds several convolutions with only BatchNorm and elementwise layers between them, the chain
 * runs on NHWC activations instead: one transpose where the chain's input enters, one where its output leaves, the
 * same kernels in between. The result is the chain's NCHW output as before; only BatchNorm's float64 statistics may
 * differ in the last bit (another summation order).
 *
 * A run happens only where nobody can observe the inside: every module of the chain runs its class's own `forward`
 * (not a subclass's override or a replaced function) and has no hooks (`summary()` and the user's hooks see NCHW
 * tensors, as torch's), and every layer accepts its input. Otherwise the chain runs module by module, and a layer
 * that refuses its input raises its own error as it always does. `TFJS_TORCH_CHANNELS_LAST=off` (or
 * {@link setChannelsLastRuns}) turns the runs off, for comparison.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { fromChannelsLast, toChannelsLast } from './functional/utils';
import { hasHooks } from './hooks';
import { type Module, runsClassForward } from './module';

/** A layer that can run inside a channels-last run. */
export interface ChannelsLastLayer {
  /**
   * The NCHW shape `forward` returns for a 4-d NCHW input of `shape`, or `null` where `forward` would refuse the
   * input or this layer cannot run channels-last for it (the chain then runs module by module).
   */
  channelsLastShape(shape: readonly number[]): number[] | null;
  /** `forward` on the NHWC form `x` of its NCHW input, returning the NHWC form of its output. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor;
  /** Whether the layer's NCHW `forward` transposes to NHWC and back (the convolutions): what a run saves. */
  readonly computesInChannelsLast?: boolean;
}

/** A module whose `forward` calls its layers in order, each on the previous one's output and nothing else. */
export interface LayerChain {
  /** The layers `forward` calls, in order (`null` for a `Sequential`'s absent child). */
  chainLayers(): ReadonlyArray<Module | null>;
}

/**
 * `shape()`, or `null` where it throws: a layer's {@link ChannelsLastLayer.channelsLastShape} from the checks its
 * `forward` makes (the refused input then goes through `forward`, which raises the error).
 * @param shape computes the output shape, throwing for an input the layer refuses.
 */
export function shapeOrNull(shape: () => number[]): number[] | null {
  try {
    return shape();
  } catch {
    return null;
  }
}

/** The environment variable that turns the runs off (`off`). */
export const CHANNELS_LAST_ENV_VAR = 'TFJS_TORCH_CHANNELS_LAST';

let enabled: boolean | undefined;

/**
 * Turns channels-last runs on (the default) or off; `TFJS_TORCH_CHANNELS_LAST=off` turns them off in Node.
 * @param on whether chains may run channels-last.
 */
export function setChannelsLastRuns(on: boolean): void {
  enabled = on;
}

function runsEnabled(): boolean {
  if (enabled === undefined) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    enabled = env?.[CHANNELS_LAST_ENV_VAR]?.toLowerCase() !== 'off';
  }
  return enabled;
}

/**
 * Whether `m` runs its class's own `forward` without hooks, and `method` comes from that class or a subclass of it
 * (a subclass that overrides `forward` does not inherit its base's channels-last form).
 */
function owns(m: Module, method: keyof ChannelsLastLayer | keyof LayerChain): boolean {
  if (!runsClassForward(m) || hasHooks(m)) return false;
  const has = (p: object, key: string) => Object.prototype.hasOwnProperty.call(p, key);
  for (let p = Object.getPrototypeOf(m); p != null; p = Object.getPrototypeOf(p)) {
    if (has(p, method)) return true;
    if (has(p, 'forward')) return false;
  }
  return false;
}

/** The layers `m` runs, flattened through {@link LayerChain}s, when all can run channels-last; else `null`. */
function leavesOf(m: Module | null): Array<Module & ChannelsLastLayer> | null {
  if (m == null) return null;
  if (owns(m, 'chainLayers')) return channelsLastLayers((m as Module & LayerChain).chainLayers());
  return owns(m, 'forwardChannelsLast') ? [m as Module & ChannelsLastLayer] : null;
}

/**
 * The layers of `modules` flattened through {@link LayerChain}s when every one can run channels-last (its class's
 * `forward`, no hooks), else `null`: for a module whose own channels-last form runs several of its children (a
 * residual block).
 * @param modules the modules.
 */
export function channelsLastLayers(modules: readonly (Module | null)[]): Array<Module & ChannelsLastLayer> | null {
  const out: Array<Module & ChannelsLastLayer> = [];
  for (const m of modules) {
    const leaves = leavesOf(m);
    if (leaves == null) return null;
    out.push(...leaves);
  }
  return out;
}

/**
 * The NCHW output shape of `layers` run in order on an input of `shape`, or `null` where one of them refuses it.
 * @param layers the layers, from {@link channelsLastLayers}.
 * @param shape the input's NCHW shape.
 */
export function chainShape(layers: readonly ChannelsLastLayer[], shape: readonly number[]): number[] | null {
  let s: readonly number[] | null = shape;
  for (const l of layers) s = s && l.channelsLastShape(s);
  return s && [...s];
}

/**
 * `layers` run in order on the NHWC activation `x`, each on the previous one's output.
 * @param layers the layers, from {@link channelsLastLayers}.
 * @param x the NHWC form of the first layer's input.
 */
export function forwardChannelsLast(layers: readonly ChannelsLastLayer[], x: tf.Tensor): tf.Tensor {
  return layers.reduce((t, l) => l.forwardChannelsLast(t), x);
}

/** The longest run of `layers` from `start` that can run channels-last on an input of `shape`, with its layers. */
function segmentAt(layers: readonly (Module | null)[], start: number, shape: readonly number[]) {
  const blocks: Array<Array<Module & ChannelsLastLayer>> = [];
  let convs = 0;
  let s: readonly number[] = shape;
  for (let i = start; i < layers.length; i++) {
    const leaves = leavesOf(layers[i]);
    const t = leaves && chainShape(leaves, s);
    if (leaves == null || t == null) break;
    blocks.push(leaves);
    convs += leaves.filter((l) => l.computesInChannelsLast).length;
    s = t;
  }
  // One convolution alone gains nothing: its own two transposes would only move to the run's ends.
  return convs >= 2 ? blocks : null;
}

/** Runs `blocks` (each one module's layers) on `x` in NHWC, returning the NCHW output; each block in its own tidy. */
function runSegment(x: tf.Tensor, blocks: Array<Array<Module & ChannelsLastLayer>>): tf.Tensor {
  return tf.tidy(() => {
    let h = toChannelsLast(x, 2);
    for (const leaves of blocks) {
      const input = h;
      h = tf.tidy(() => forwardChannelsLast(leaves, input));
    }
    return fromChannelsLast(h, 4);
  });
}

/**
 * Calls `layers` in order on `input`, each on the previous one's output (`Sequential.forward`), running the stretches
 * that can run channels-last that way.
 * @param input the first layer's input.
 * @param layers the modules, in order.
 * @param missing the error for an absent module (a `Sequential`'s `null` child) when the chain reaches it.
 * @returns the last layer's output.
 */
export function runChain(
  input: tf.Tensor,
  layers: readonly (Module | null)[],
  missing: (index: number) => Error = (i) => new TypeError(`layer ${i} is null and cannot be called`),
): tf.Tensor {
  let x = input;
  for (let i = 0; i < layers.length; ) {
    const blocks =
      runsEnabled() && x instanceof tf.Tensor && x.rank === 4 && x.dtype === 'float32'
        ? segmentAt(layers, i, x.shape)
        : null;
    if (blocks) {
      x = runSegment(x, blocks);
      i += blocks.length;
      continue;
    }
    const m = layers[i];
    if (m == null) throw missing(i);
    x = m.forward(x);
    i++;
  }
  return x;
}
