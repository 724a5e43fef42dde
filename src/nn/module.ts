import * as tf from '@tensorflow/tfjs-core';

import { describeValue, isOptionsObject } from '../args';
import { Parameter } from '../autograd/parameter';
import { noGrad, setGradOf } from '../autograd/tape';
import { StateDictError, TorchError, ValueError, ArgumentTypeError } from '../errors';
import {
  type BackwardHookOf,
  type HookOf,
  type PreHookOf,
  type RemovableHandle,
  addBackwardHook,
  addForwardHook,
  addForwardPreHook,
  runHooked,
} from './hooks';

/** A forward pre-hook: sees the inputs; may return replacement inputs (an array, or one value). */
export type ForwardPreHook = PreHookOf<Module>;
/** A forward hook: sees the inputs and the output; may return a replacement output. */
export type ForwardHook = HookOf<Module>;
/**
 * A full backward hook: sees the gradients of the module's tensor inputs and of its outputs (`null` where none);
 * may return replacement input gradients.
 */
export type BackwardHook = BackwardHookOf<Module>;

/** A state dict: torch's `OrderedDict[str, Tensor]`, as an insertion-ordered `Map` with torch's keys. */
export type StateDict = Map<string, tf.Tensor>;

/** What {@link Module.loadStateDict} returns (torch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  /** Keys the module has and the state dict lacks (empty unless `strict: false`). */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have (empty unless `strict: false`). */
  unexpectedKeys: string[];
}

const ERROR_PATH = Symbol('tfjs-torch.modulePath');
const ERROR_MODULE = Symbol('tfjs-torch.module');
let forwardDepth = 0;

/** The `forward`s the constructor installed: a module's class's own, not one assigned to the instance later. */
const classForwards = new WeakSet<object>();

/**
 * Whether `m.forward` is its class's own (what the constructor installed), not a function assigned later.
 * @param m the module.
 */
export function runsClassForward(m: Module): boolean {
  return classForwards.has(m.forward);
}

interface AnnotatedError {
  [ERROR_PATH]?: string[];
  [ERROR_MODULE]?: Module;
  message: string;
}

/**
 * Base class for all neural network modules: torch's `nn.Module`.
 *
 * Mirrors [torch.nn.Module](https://pytorch.org/docs/1.13/generated/torch.nn.Module.html). TypeScript has no
 * `__setattr__`, so state is registered explicitly with {@link registerParameter}, {@link registerBuffer} and
 * {@link registerModule}, into insertion-ordered maps; that order is torch's `state_dict` order.
 *
 * When a `forward` fails with one of the library's errors, the message is prefixed with the path of the
 * submodule that failed, e.g. `Discriminator.disc2.conv (Conv2d): expected input[1] to be 32, got 64 ...`.
 *
 * @example
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = this.registerModule('fc1', new nn.Linear(4, 8));
 *   act = this.registerModule('act', new nn.ReLU());
 *   override forward(x: tf.Tensor): tf.Tensor {
 *     return this.act.forward(this.fc1.forward(x));
 *   }
 * }
 * const net = new Net();
 * [...net.stateDict().keys()]; // ['fc1.weight', 'fc1.bias']
 * ```
 */
export class Module {
  /** Train mode (`true`, the default) or eval mode. Set it with {@link train} / {@link eval}. */
  training = true;
  /** Own parameters by name, in registration order (torch's `_parameters`); containers edit it. */
  protected readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, tf.Variable | null>();
  private readonly _nonPersistentBuffers = new Set<string>();
  /** Children by name, in registration order (torch's `_modules`): the one list containers keep. */
  protected readonly _modules = new Map<string, Module | null>();

  /**
   * Takes no arguments, as torch's `Module.__init__(self)`: a subclass without a constructor of its own (or
   * `new nn.Module(...)` itself) given arguments is torch's `TypeError`, not silently ignored.
   * @param args nothing.
   */
  constructor(...args: never[]) {
    if (args.length > 0) {
      throw new ArgumentTypeError(
        `${new.target === Module ? 'Module' : new.target.name}() takes no arguments (torch's Module.__init__() takes 1 positional argument), ` +
          `got ${args.length}: ${args.map((a) => describeValue(a)).join(', ')}`,
      );
    }
    // Wrap the subclass's forward so errors name the failing submodule's path.
    const impl = (this as unknown as { forward: (...args: unknown[]) => unknown }).forward;
    if (impl !== Module.prototype.forward) {
      const wrapped = (...args: unknown[]) => this.runForward(impl, args);
      classForwards.add(wrapped);
      Object.defineProperty(this, 'forward', {
        value: wrapped,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }

  /**
   * Defines the computation performed at every call. Every subclass overrides it.
   * @param args the inputs, usually one NCHW tensor.
   */
  forward(...args: any[]): any {
    throw new TorchError(`Module [${this.typeName}] is missing the required "forward" function`);
  }

  private runForward(impl: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    forwardDepth++;
    try {
      return runHooked(this, impl, args);
    } catch (e) {
      if (e instanceof TorchError) annotate(e as unknown as AnnotatedError, this, forwardDepth === 1);
      throw e;
    } finally {
      forwardDepth--;
    }
  }

  /**
   * Registers a hook run before each `forward` (torch's `register_forward_pre_hook`): `fn(module, args)` may
   * return replacement inputs.
   * @param fn the hook.
   * @returns a handle whose `remove()` unregisters it.
   */
  registerForwardPreHook(fn: ForwardPreHook): RemovableHandle {
    return addForwardPreHook(this, fn);
  }

  /**
   * Registers a hook run after each `forward` (torch's `register_forward_hook`): `fn(module, args, output)` may
   * return a replacement output.
   * @param fn the hook.
   * @returns a handle whose `remove()` unregisters it.
   */
  registerForwardHook(fn: ForwardHook): RemovableHandle {
    return addForwardHook(this, fn);
  }

  /**
   * Registers a hook run when the gradients of the module's inputs are computed (torch's
   * `register_full_backward_hook`): `fn(module, gradInput, gradOutput)` may return replacement input gradients.
   * @param fn the hook.
   * @returns a handle whose `remove()` unregisters it.
   */
  registerFullBackwardHook(fn: BackwardHook): RemovableHandle {
    return addBackwardHook(this, fn);
  }

  /** The name `toString()` and error messages use; the class name by default (torch's `_get_name`). */
  get typeName(): string {
    return this.constructor.name;
  }

  /**
   * Adds a parameter to the module (torch's `register_parameter`). Returns it, so a subclass writes
   * `this.weight = this.registerParameter('weight', new Parameter(...))`.
   * @param name name of the parameter; a state-dict key segment. Must not contain `.` or be empty.
   * @param param the parameter, or `null` for an optional one that is absent (torch's `bias=False`).
   */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.checkName(name, 'parameter', this._parameters);
    if (param !== null && !(param instanceof Parameter)) {
      throw new ArgumentTypeError(
        `cannot assign '${describe(param)}' object to parameter '${name}' (tfjs-torch Parameter or null required)`,
      );
    }
    this._parameters.set(name, param);
    return param;
  }

  /**
   * Creates a parameter of `shape`, registers it under `name` and returns it (candle's `vs.get_with_hints`).
   * `init` fills it in place (e.g. `(p) => init.kaimingUniform_(p, { a: Math.sqrt(5) })`); without it the
   * parameter is zeros. Every temporary is freed, so building a module leaves only its parameters.
   * @param name the state-dict key segment, as torch's attribute name (`weight`, `bias`, `in_proj_weight`).
   * @param shape the parameter's shape, in torch's layout.
   * @param init fills the new parameter in place. Default: none (zeros).
   * @example
   * ```ts
   * this.weight = this.createParameter('weight', [out, inF], (w) => init.kaimingUniform_(w, { a: Math.sqrt(5) }));
   * ```
   */
  createParameter(name: string, shape: readonly number[], init?: (p: Parameter) => unknown): Parameter {
    const zeros = tf.zeros([...shape]);
    let p: Parameter;
    try {
      p = new Parameter(zeros);
    } finally {
      zeros.dispose();
    }
    try {
      if (init) tf.tidy(() => void init(p));
      return this.registerParameter(name, p);
    } catch (e) {
      p.dispose();
      throw e;
    }
  }

  /**
   * Adds a buffer: state that is not a parameter, such as BatchNorm's `running_mean` (torch's
   * `register_buffer`). The tensor is stored as a non-trainable `tf.Variable`, which is returned.
   * @param name name of the buffer.
   * @param tensor its initial value, or `null`.
   * @param persistent whether it is part of {@link stateDict}. Default: `true`.
   */
  registerBuffer(name: string, tensor: tf.Tensor | null, persistent = true): tf.Variable | null {
    this.checkName(name, 'buffer', this._buffers);
    if (tensor !== null && !(tensor instanceof tf.Tensor)) {
      throw new ArgumentTypeError(
        `cannot assign '${describe(tensor)}' object to buffer '${name}' (tf.Tensor or null required)`,
      );
    }
    const old = this._buffers.get(name);
    if (old) old.dispose();
    const v = tensor === null ? null : tf.variable(tensor, false);
    this._buffers.set(name, v);
    if (persistent) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    return v;
  }

  /**
   * Adds a child module (torch's `add_module` / `register_module`). Returns it.
   * @param name name of the child; the state-dict key prefix of its state.
   * @param module the child, or `null`.
   */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.checkName(name, 'module', this._modules);
    if (module !== null && !(module instanceof Module)) {
      throw new ArgumentTypeError(`${describe(module)} is not a Module subclass (registering '${name}')`);
    }
    this._modules.set(name, module);
    return module;
  }

  /** Alias of {@link registerModule}, torch's `add_module`. */
  addModule<M extends Module | null>(name: string, module: M): M {
    return this.registerModule(name, module);
  }

  private checkName(name: string, kind: string, own: Map<string, unknown>): void {
    if (typeof name !== 'string') throw new ArgumentTypeError(`${kind} name should be a string. Got ${typeof name}`);
    if (name === '') throw new ValueError(`${kind} name can't be empty string ""`);
    if (name.includes('.')) throw new ValueError(`${kind} name can't contain ".", got "${name}"`);
    const taken =
      (own !== this._parameters && this._parameters.has(name)) ||
      (own !== this._buffers && this._buffers.has(name)) ||
      (own !== this._modules && this._modules.has(name)) ||
      (!own.has(name) && name in Module.prototype);
    if (taken) throw new ValueError(`attribute '${name}' already exists (registering a ${kind} on ${this.typeName})`);
  }

  /** The child registered under `name`, or `undefined`. */
  getModule(name: string): Module | null | undefined {
    return this._modules.get(name);
  }

  /** The submodule at a dotted path such as `'gen1.conv'` (torch's `get_submodule`). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    const done: string[] = [];
    for (const item of target.split('.')) {
      const next = mod._modules.get(item);
      if (!next)
        throw new ValueError(
          `${[mod.typeName, ...done].join('.')} has no attribute \`${item}\` (looking up '${target}')`,
        );
      mod = next;
      done.push(item);
    }
    return mod;
  }

  /** The parameter at a dotted path such as `'gen1.conv.weight'` (torch's `get_parameter`). */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const p = mod._parameters.get(target.slice(i + 1));
    if (!p)
      throw new ValueError(`${mod.typeName} has no parameter \`${target.slice(i + 1)}\` (looking up '${target}')`);
    return p;
  }

  /** Parameters of this module and, with `recurse`, all submodules; a shared parameter once. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** `[name, parameter]` pairs in torch's order, shared parameters once (torch's `named_parameters`). */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): Array<[string, Parameter]> {
    return this.namedMembers((m) => m._parameters, prefix, recurse, removeDuplicate) as Array<[string, Parameter]>;
  }

  /** Buffers of this module and, with `recurse`, all submodules. */
  buffers(recurse = true): tf.Variable[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** `[name, buffer]` pairs in torch's order (torch's `named_buffers`). */
  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): Array<[string, tf.Variable]> {
    return this.namedMembers((m) => m._buffers, prefix, recurse, removeDuplicate) as Array<[string, tf.Variable]>;
  }

  private namedMembers(
    get: (m: Module) => Map<string, tf.Tensor | null>,
    prefix: string,
    recurse: boolean,
    removeDuplicate: boolean,
  ): Array<[string, tf.Tensor]> {
    const memo = new Set<tf.Tensor>();
    const mods: Array<[string, Module]> = recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this]];
    const out: Array<[string, tf.Tensor]> = [];
    for (const [modPrefix, mod] of mods) {
      for (const [k, v] of get(mod)) {
        if (v == null || (removeDuplicate && memo.has(v))) continue;
        memo.add(v);
        out.push([modPrefix + (modPrefix ? '.' : '') + k, v]);
      }
    }
    return out;
  }

  /** Direct children (torch's `children`). */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** `[name, child]` pairs of direct children, each module once (torch's `named_children`). */
  namedChildren(): Array<[string, Module]> {
    const memo = new Set<Module>();
    const out: Array<[string, Module]> = [];
    for (const [name, m] of this._modules) {
      if (m && !memo.has(m)) {
        memo.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  /** This module and all submodules, pre-order (torch's `modules`). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** `[path, module]` pairs, this module first with path `prefix` (torch's `named_modules`). */
  namedModules(prefix = '', removeDuplicate = true, memo: Set<Module> = new Set()): Array<[string, Module]> {
    if (removeDuplicate) {
      if (memo.has(this)) return [];
      memo.add(this);
    }
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, m] of this._modules) {
      if (m == null) continue;
      out.push(...m.namedModules(prefix + (prefix ? '.' : '') + name, removeDuplicate, memo));
    }
    return out;
  }

  /**
   * Applies `fn` to every submodule (children first, recursively) and then to this module; returns this
   * (torch's `apply`, typically for weight initialisation).
   * @example
   * ```ts
   * generator.apply(weightsInit);
   * ```
   */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets train mode (`true`) or eval mode on this module and all submodules; returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ValueError(`training mode is expected to be boolean, got ${typeof mode}`);
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Sets eval mode (Dropout off, BatchNorm uses running statistics); returns this. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (torch's `requires_grad_`); returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Resets every parameter's gradient: to `null` by default (torch 2's default, and `set_to_none=True`
   * in 1.13), or to zeros with `setToNone = false`.
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad == null) continue;
      setGradOf(p, setToNone ? null : tf.zerosLike(p.grad));
    }
  }

  /**
   * The module's state: parameters and persistent buffers under torch's keys, in torch's order.
   *
   * Unlike torch, whose state-dict tensors alias the live parameters, the values are snapshots (tfjs
   * tensors are immutable): dispose them when done, or take them inside `tf.tidy`. With `keepVars` the
   * live parameters and buffers themselves are returned (do not dispose those).
   */
  stateDict({ prefix = '', keepVars = false }: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = new Map();
    this.collectState(out, prefix, keepVars);
    return out;
  }

  private collectState(out: StateDict, prefix: string, keepVars: boolean): void {
    const take = (t: tf.Variable) => (keepVars ? t : noGrad(() => tf.keep(tf.clone(t))));
    for (const [name, p] of this._parameters) if (p) out.set(prefix + name, take(p));
    for (const [name, b] of this._buffers) {
      if (b && !this._nonPersistentBuffers.has(name)) out.set(prefix + name, take(b));
    }
    for (const [name, m] of this._modules) if (m) m.collectState(out, prefix + name + '.', keepVars);
  }

  /**
   * Copies parameters and buffers from `stateDict` into this module, in place (torch's `load_state_dict`).
   *
   * Every missing key, unexpected key and size mismatch is collected and reported in one
   * {@link StateDictError}, in torch's words. Size mismatches are always errors; missing and unexpected
   * keys only with `strict` (default `true`). Values are cast to the parameter's dtype (torch's int64
   * `num_batches_tracked` loads into int32).
   * @param stateDict a `Map` or a plain object of tensors, as {@link Module.stateDict} or `torch.load` give.
   */
  loadStateDict(
    stateDict: StateDict | Record<string, tf.Tensor>,
    { strict = true }: { strict?: boolean } = {},
  ): IncompatibleKeys {
    if (!(stateDict instanceof Map) && !isOptionsObject(stateDict)) {
      throw new ArgumentTypeError(
        `${this.typeName}.loadStateDict: expected a Map or a plain object of tensors (as stateDict() or torch.load ` +
          `give), got ${describeValue(stateDict)}` +
          (typeof stateDict === 'string' ? "; to read a file, load it first (load() from 'tfjs-torch/node')" : ''),
      );
    }
    if (typeof strict !== 'boolean') {
      throw new ArgumentTypeError(
        `${this.typeName}.loadStateDict(): argument 'strict' must be a boolean, got ${describeValue(strict)}`,
      );
    }
    const sd: StateDict = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missingKeys: string[] = [];
    const errors: string[] = [];
    const expected = new Set<string>();
    const assignments: Array<[tf.Variable, tf.Tensor]> = [];
    for (const [modPrefix, mod] of this.namedModules('', false)) {
      const p = modPrefix ? modPrefix + '.' : '';
      const own: Array<[string, tf.Variable]> = [];
      for (const [n, v] of mod._parameters) if (v) own.push([n, v]);
      for (const [n, v] of mod._buffers) if (v && !mod._nonPersistentBuffers.has(n)) own.push([n, v]);
      for (const [n, v] of own) {
        const key = p + n;
        expected.add(key);
        const value = sd.get(key);
        if (value === undefined) {
          missingKeys.push(key);
          continue;
        }
        if (!(value instanceof tf.Tensor)) {
          errors.push(
            `While copying the parameter named "${key}", expected tf.Tensor from checkpoint but received ${describe(value)}`,
          );
          continue;
        }
        if (!tf.util.arraysEqual(value.shape, v.shape)) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape [${value.shape.join(', ')}] from checkpoint, ` +
              `the shape in current model is [${v.shape.join(', ')}].`,
          );
          continue;
        }
        assignments.push([v, value]);
      }
    }
    const unexpectedKeys = [...sd.keys()].filter((k) => !expected.has(k));
    if (strict) {
      if (unexpectedKeys.length)
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) {
      throw new StateDictError(
        `Error(s) in loading state_dict for ${this.typeName}:\n\t${errors.join('\n\t')}`,
        missingKeys,
        unexpectedKeys,
        errors.filter((e) => e.startsWith('size mismatch')),
      );
    }
    noGrad(() => {
      for (const [v, value] of assignments) {
        const cast = value.dtype === v.dtype ? tf.clone(value) : tf.cast(value, v.dtype);
        v.assign(cast);
        cast.dispose();
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text inside this module's `toString()` parentheses (torch's `extra_repr`). */
  extraRepr(): string {
    return '';
  }

  /** The module tree as torch's `print(model)` shows it. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [name, m] of this._modules) {
      const s = m ? m.toString() : 'None';
      childLines.push(`(${name}): ${s.split('\n').join('\n  ')}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = this.typeName + '(';
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += '\n  ' + lines.join('\n  ') + '\n';
    }
    return main + ')';
  }
}

function annotate(e: AnnotatedError, mod: Module, outermost: boolean): void {
  if (!e[ERROR_PATH]) {
    e[ERROR_PATH] = [];
    e[ERROR_MODULE] = mod;
    Object.defineProperty(e, 'innermostType', { value: mod.typeName, enumerable: false, configurable: true });
  } else if (e[ERROR_MODULE] !== mod) {
    const child = e[ERROR_MODULE]!;
    const entry = mod.namedChildren().find(([, m]) => m === child);
    e[ERROR_PATH].unshift(entry ? entry[0] : child.typeName);
    e[ERROR_MODULE] = mod;
  }
  if (outermost) {
    const path = [mod.typeName, ...e[ERROR_PATH]].join('.');
    const inner = (e as unknown as { innermostType: string }).innermostType;
    const where = e[ERROR_PATH].length ? `${path} (${inner})` : path;
    // A module's own check that already names it (`Discriminator: expected ...`) needs no prefix.
    if (e[ERROR_PATH].length || !e.message.startsWith(mod.typeName)) e.message = `${where}: ${e.message}`;
    delete e[ERROR_PATH];
    delete e[ERROR_MODULE];
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}
