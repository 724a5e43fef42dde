/**
 * Weight reparameterisations: torch.nn.utils' `weight_norm` / `remove_weight_norm` and `spectral_norm` /
 * `remove_spectral_norm`, with torch's parameter and buffer names (`weight_g`/`weight_v`;
 * `weight_orig`/`weight_u`/`weight_v`), so their state dicts load from torch. The recomputation torch runs in a
 * forward pre-hook runs here before each `forward`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue, float, int, signature, str, type ArgsOf } from '../../args';
import { Parameter } from '../../autograd/parameter';
import { noGrad } from '../../autograd/tape';
import { ArgumentTypeError, ValueError } from '../../errors';
import { normalFill } from '../../random';
import { Module } from '../module';

/** The registry maps of a module (torch's `module._parameters`), which these utilities edit as torch's do. */
interface Registry {
  _parameters: Map<string, Parameter | null>;
}

const HOOKS = Symbol('tfjs-torch.preForwardHooks');

interface Hook {
  /** The forward the hook wraps. */
  inner: unknown;
  /** The reparameterised weight without side effects (spectral norm: no power-iteration step). */
  current?: () => tf.Tensor;
}

interface Hooked {
  [HOOKS]?: Map<string, Hook>;
}

/** Runs `before` ahead of every `forward` of `module` (torch's `register_forward_pre_hook`), under key `key`. */
function addPreForwardHook(module: Module, key: string, before: () => void, current?: () => tf.Tensor): void {
  const hooked = module as unknown as Hooked;
  const hooks = (hooked[HOOKS] ??= new Map());
  if (hooks.has(key)) throw new ValueError(`Cannot register two ${key.split(':')[0]} hooks on the same parameter`);
  const inner = (module as unknown as { forward: (...a: unknown[]) => unknown }).forward;
  hooks.set(key, { inner, current });
  Object.defineProperty(module, 'forward', {
    value: (...args: unknown[]) => {
      before();
      return (inner as (...a: unknown[]) => unknown).apply(module, args);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function removePreForwardHook(module: Module, key: string, what: string): Hook {
  if (!(module instanceof Module)) {
    throw new ArgumentTypeError(`remove_${what}: expected a Module, got ${describeValue(module)}`);
  }
  const hooks = (module as unknown as Hooked)[HOOKS];
  const hook = hooks?.get(key);
  if (!hook) throw new ValueError(`${what} of '${key.split(':')[1]}' not found in ${module.typeName}`);
  hooks!.delete(key);
  Object.defineProperty(module, 'forward', {
    value: hook.inner,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return hook;
}

/** Sets a plain (non-parameter) attribute, as torch's `setattr(module, name, tensor)`. */
function setAttr(module: Module, name: string, value: tf.Tensor): void {
  Object.defineProperty(module, name, { value, writable: true, configurable: true, enumerable: true });
}

/** Removes parameter `name` from the registry and returns it (torch's `del module._parameters[name]`). */
function takeParameter(module: Module, name: string, where: string): Parameter {
  const params = (module as unknown as Registry)._parameters;
  const p = params.get(name);
  if (!(p instanceof Parameter)) {
    throw new ValueError(`${where}: module ${module.typeName} has no parameter '${name}'`);
  }
  params.delete(name);
  return p;
}

/** torch's `norm_except_dim(v, 2, dim)`: the 2-norm over every dimension but `dim` (all of them for `dim = -1`). */
function normExceptDim(v: tf.Tensor, dim: number): tf.Tensor {
  if (dim === -1) return tf.sqrt(tf.sum(tf.square(v)));
  const axes = v.shape.map((_, i) => i).filter((i) => i !== dim);
  return tf.sqrt(tf.sum(tf.square(v), axes, true));
}

const WEIGHT_NORM = signature('weightNorm', [
  ['name', str().default('weight')],
  ['dim', int().optional().default(0)],
]);

/**
 * Weight normalisation (torch's `nn.utils.weight_norm`): replaces the parameter `name` by `name_g` (its norm over
 * every dimension but `dim`; over all of them for `dim: null`) and `name_v` (its direction), and recomputes
 * `name = v · g / ‖v‖` before each forward. The state dict then has torch's keys (`weight_g`, `weight_v`, after the
 * module's other parameters).
 *
 * Mirrors [torch.nn.utils.weight_norm](https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html).
 *
 * @param module the module, changed in place and returned.
 * @param args torch's `name='weight', dim=0`, positionally or in a trailing options object.
 * @returns the module.
 * @example
 * ```ts
 * const fc = nn.utils.weightNorm(new nn.Linear(20, 40)); // fc.weight_g [40, 1], fc.weight_v [40, 20]
 * ```
 */
export function weightNorm<M extends Module>(module: M, ...args: ArgsOf<typeof WEIGHT_NORM>): M {
  const where = 'weightNorm';
  if (!(module instanceof Module)) throw new ArgumentTypeError(`${where}: expected a Module, got ${String(module)}`);
  const a = WEIGHT_NORM.parse(args);
  const name = a.name;
  const weight = (module as unknown as Registry)._parameters.get(name);
  if (!(weight instanceof Parameter))
    throw new ValueError(`${where}: module ${module.typeName} has no parameter '${name}'`);
  // torch: dim None means -1 (every dimension); a negative dim other than -1 counts from the end.
  const dim = a.dim === null || a.dim === -1 ? -1 : a.dim < 0 ? a.dim + weight.rank : a.dim;
  if (dim !== -1 && (dim < 0 || dim >= weight.rank)) {
    throw new ValueError(`${where}: dim ${a.dim} is out of range for ${name} of rank ${weight.rank}`);
  }
  takeParameter(module, name, where);
  const g = tf.tidy(() => normExceptDim(weight, dim));
  const gParam = new Parameter(g);
  g.dispose();
  const vParam = new Parameter(weight);
  weight.dispose();
  module.registerParameter(`${name}_g`, gParam);
  module.registerParameter(`${name}_v`, vParam);
  const compute = () => tf.mul(vParam, tf.div(gParam, normExceptDim(vParam, dim)));
  setAttr(
    module,
    name,
    noGrad(() => tf.tidy(compute)),
  );
  addPreForwardHook(module, `weight_norm:${name}`, () => setAttr(module, name, compute()));
  return module;
}

/**
 * Removes weight normalisation (torch's `nn.utils.remove_weight_norm`): `name` becomes one parameter again, with the
 * current `v · g / ‖v‖`.
 *
 * Mirrors [torch.nn.utils.remove_weight_norm](https://pytorch.org/docs/1.13/generated/torch.nn.utils.remove_weight_norm.html).
 *
 * @param module a module given to {@link weightNorm}.
 * @param name the parameter's name. Default: `'weight'`.
 * @returns the module.
 * @example
 * ```ts
 * nn.utils.removeWeightNorm(fc);
 * ```
 */
export function removeWeightNorm<M extends Module>(module: M, name = 'weight'): M {
  removePreForwardHook(module, `weight_norm:${name}`, 'weight_norm');
  const g = takeParameter(module, `${name}_g`, 'removeWeightNorm');
  const v = takeParameter(module, `${name}_v`, 'removeWeightNorm');
  const dim = g.rank === 0 ? -1 : g.shape.findIndex((d, i) => d !== 1 || v.shape[i] === 1);
  const w = noGrad(() => tf.tidy(() => tf.mul(v, tf.div(g, normExceptDim(v, dim)))));
  g.dispose();
  v.dispose();
  const p = new Parameter(w);
  w.dispose();
  setAttr(module, name, p);
  module.registerParameter(name, p);
  return module;
}

const SPECTRAL_NORM = signature('spectralNorm', [
  ['name', str().default('weight')],
  ['nPowerIterations', int({ min: 1 }).default(1)], // torch: 'Expected n_power_iterations to be positive'
  ['eps', float({ gt: 0 }).default(1e-12)],
  ['dim', int().optional()],
]);

/** `x / max(‖x‖, eps)` (torch's `F.normalize(x, dim=0, eps)`) of a 1-D tensor. */
function normalize(x: tf.Tensor, eps: number): tf.Tensor {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x))), eps));
}

/**
 * Spectral normalisation (torch's `nn.utils.spectral_norm`): the parameter `name` becomes `name_orig`, buffers
 * `name_u` and `name_v` hold torch's power-iteration vectors (drawn from the library's torch-exact generator, as
 * torch draws them: after `manualSeed`, the same `u` and `v`), and before each forward `name = W / σ` with
 * `σ = uᵀ W v`; in train mode `nPowerIterations` steps of the power iteration first update `u` and `v`. `dim`
 * defaults to 1 for `ConvTranspose*d`, else 0. The state dict has torch's keys.
 *
 * Mirrors [torch.nn.utils.spectral_norm](https://pytorch.org/docs/1.13/generated/torch.nn.utils.spectral_norm.html).
 *
 * @param module the module, changed in place and returned.
 * @param args torch's `name='weight', n_power_iterations=1, eps=1e-12, dim=None`, positionally or in a trailing
 *   options object.
 * @returns the module.
 * @example
 * ```ts
 * const d = nn.utils.spectralNorm(new nn.Conv2d(3, 64, 4, 2, 1)); // weight_orig, weight_u [64], weight_v [48]
 * ```
 */
export function spectralNorm<M extends Module>(module: M, ...args: ArgsOf<typeof SPECTRAL_NORM>): M {
  const where = 'spectralNorm';
  if (!(module instanceof Module)) throw new ArgumentTypeError(`${where}: expected a Module, got ${String(module)}`);
  const { name, nPowerIterations, eps, dim: dimArg } = SPECTRAL_NORM.parse(args);
  const hooks = (module as unknown as Hooked)[HOOKS];
  if (hooks?.has(`spectral_norm:${name}`)) {
    throw new ValueError(`Cannot register two spectral_norm hooks on the same parameter ${name}`);
  }
  const weight = (module as unknown as Registry)._parameters.get(name);
  if (!(weight instanceof Parameter))
    throw new ValueError(`${where}: module ${module.typeName} has no parameter '${name}'`);
  const dim = dimArg ?? (module.typeName.startsWith('ConvTranspose') ? 1 : 0);
  const d = dim < 0 ? dim + weight.rank : dim;
  if (d < 0 || d >= weight.rank)
    throw new ValueError(`${where}: dim ${dim} is out of range for ${name} of rank ${weight.rank}`);
  const toMatrix = (w: tf.Tensor): tf.Tensor2D => {
    const perm = d === 0 ? null : [d, ...w.shape.map((_, i) => i).filter((i) => i !== d)];
    const m = perm ? tf.transpose(w, perm) : w;
    return tf.reshape(m, [m.shape[0] as number, -1]) as tf.Tensor2D;
  };
  const [h, wdt] = [weight.shape[d] as number, weight.size / (weight.shape[d] as number)];
  // torch draws u then v: normal_(0, 1) of sizes h and w, each normalised.
  const [u0, v0] = tf.tidy(() => [
    normalize(tf.tensor1d(normalFill(h)), eps),
    normalize(tf.tensor1d(normalFill(wdt)), eps),
  ]);
  takeParameter(module, name, where);
  module.registerParameter(`${name}_orig`, weight);
  setAttr(module, name, weight);
  const u = module.registerBuffer(`${name}_u`, u0)!;
  const v = module.registerBuffer(`${name}_v`, v0)!;
  tf.dispose([u0, v0]);
  const weightOverSigma = () => {
    const sigma = tf.sum(
      tf.mul(tf.clone(u), tf.squeeze(tf.matMul(toMatrix(weight), tf.reshape(tf.clone(v), [-1, 1])), [1])),
    );
    return tf.div(weight, sigma);
  };
  const compute = () => {
    if (module.training && nPowerIterations > 0) {
      noGrad(() =>
        tf.tidy(() => {
          const wm = toMatrix(weight);
          let uu: tf.Tensor = u;
          let vv: tf.Tensor = v;
          for (let i = 0; i < nPowerIterations; i++) {
            vv = normalize(tf.squeeze(tf.matMul(wm, tf.reshape(uu, [-1, 1]), true, false), [1]), eps);
            uu = normalize(tf.squeeze(tf.matMul(wm, tf.reshape(vv, [-1, 1])), [1]), eps);
          }
          v.assign(vv);
          u.assign(uu);
        }),
      );
    }
    return weightOverSigma();
  };
  addPreForwardHook(module, `spectral_norm:${name}`, () => setAttr(module, name, compute()), weightOverSigma);
  return module;
}

/**
 * Removes spectral normalisation (torch's `nn.utils.remove_spectral_norm`): `name` becomes one parameter again, with
 * the current `W / σ` (no power iteration), and the buffers go.
 *
 * Mirrors [torch.nn.utils.remove_spectral_norm](https://pytorch.org/docs/1.13/generated/torch.nn.utils.remove_spectral_norm.html).
 *
 * @param module a module given to {@link spectralNorm}.
 * @param name the parameter's name. Default: `'weight'`.
 * @returns the module.
 * @example
 * ```ts
 * nn.utils.removeSpectralNorm(d);
 * ```
 */
export function removeSpectralNorm<M extends Module>(module: M, name = 'weight'): M {
  const hook = removePreForwardHook(module, `spectral_norm:${name}`, 'spectral_norm');
  const w = noGrad(() => tf.tidy(() => hook.current!()));
  const orig = takeParameter(module, `${name}_orig`, 'removeSpectralNorm');
  orig.dispose();
  // torch: del module._buffers[name + '_u'], [name + '_v'] (registerBuffer(null) frees them; then the keys go).
  module.registerBuffer(`${name}_u`, null);
  module.registerBuffer(`${name}_v`, null);
  const buffers = (module as unknown as { _buffers: Map<string, unknown> })._buffers;
  buffers.delete(`${name}_u`);
  buffers.delete(`${name}_v`);
  const p = new Parameter(w);
  w.dispose();
  setAttr(module, name, p);
  module.registerParameter(name, p);
  return module;
}
