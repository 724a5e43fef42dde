/**
 * Containers (torch's `torch/nn/modules/container.py`): `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`,
 * `ParameterDict`. Each keeps its items in the module registry itself (torch's `_modules` / `_parameters`), so
 * registering, inserting, deleting and slicing keep `forward`, `length`, iteration and state-dict keys in step.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { Parameter } from '../autograd/parameter';
import { ArgumentTypeError, TorchError, ValueError } from '../errors';
import { runChain } from './channels-last';
import { Module } from './module';

/** torch's `IndexError: index 5 is out of range` for an int index into a container of `length` items. */
function absIndex(idx: number, length: number, where: string, allowEnd = false): number {
  if (typeof idx !== 'number' || !Number.isInteger(idx)) {
    throw new ArgumentTypeError(`${where}: indices must be integers, got ${describeValue(idx)}`);
  }
  const hi = allowEnd ? length : length - 1;
  if (idx < -length || idx > hi) throw new ValueError(`${where}: index ${idx} is out of range (length ${length})`);
  return idx < 0 ? idx + length : idx;
}

/** Python's `slice(start, stop).indices(length)` for step 1: `[from, to)` clamped, negatives from the end. */
function sliceRange(length: number, start?: number | null, end?: number | null): [number, number] {
  const norm = (v: number | null | undefined, dflt: number) => {
    if (v == null) return dflt;
    if (!Number.isInteger(v)) throw new ArgumentTypeError(`slice indices must be integers, got ${describeValue(v)}`);
    return Math.min(Math.max(v < 0 ? v + length : v, 0), length);
  };
  const from = norm(start, 0);
  return [from, Math.max(norm(end, length), from)];
}

function checkModule(m: unknown, where: string): Module {
  if (!(m instanceof Module)) throw new ArgumentTypeError(`${where}: ${describeValue(m)} is not a Module subclass`);
  return m;
}

/** Base of the module containers: the children live only in the registry (`_modules`). */
abstract class ModuleContainer extends Module {
  /** Number of modules (torch's `len`). */
  get length(): number {
    return this._modules.size;
  }

  /** Replaces the children with `entries`, in order (for renumbering and inserting). */
  protected setChildren(entries: Array<[string, Module | null]>): void {
    this._modules.clear();
    for (const [k, m] of entries) this._modules.set(k, m);
  }
}

/** Base of `Sequential` and `ModuleList`: int indexing, append, insert, extend, delete, pop. */
abstract class IndexedModules extends ModuleContainer {
  /** The module at `idx` (negative counts from the end), torch's `container[idx]`. */
  get(idx: number): Module {
    const i = absIndex(idx, this.length, this.typeName);
    return [...this._modules.values()][i] as Module;
  }

  /**
   * Replaces the module at `idx` under the same key (torch's `container[idx] = module`).
   * @param idx the index (negative counts from the end).
   * @param module the new module.
   */
  set(idx: number, module: Module): this {
    const i = absIndex(idx, this.length, this.typeName);
    const key = [...this._modules.keys()][i] as string;
    this._modules.set(key, checkModule(module, this.typeName));
    return this;
  }

  /** Appends a module under the key `String(length)` (torch's `append`); returns this. */
  append(module: Module): this {
    this.registerModule(String(this.length), checkModule(module, `${this.typeName}.append`));
    return this;
  }

  /** Appends every module of `modules` (torch's `extend`, `+=`); returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules == null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw new ArgumentTypeError(
        `${this.typeName}.extend should be called with an iterable, but got ${describeValue(modules)}`,
      );
    }
    for (const m of [...modules]) this.append(m);
    return this;
  }

  /**
   * Inserts `module` before index `idx` (torch's `insert`): later modules move up one key (`'1'` → `'2'`), as torch
   * reassigns `_modules[str(i)]`.
   * @param idx where to insert, in `[-length, length]`.
   * @param module the module.
   */
  insert(idx: number, module: Module): this {
    checkModule(module, `${this.typeName}.insert`);
    const n = this.length;
    const at = absIndex(idx, n, `${this.typeName}.insert`, true);
    // torch: for i in range(n, index, -1): _modules[str(i)] = _modules[str(i - 1)]; _modules[str(index)] = module
    const entries = new Map(this._modules);
    for (let i = n; i > at; i--) entries.set(String(i), entries.get(String(i - 1)) ?? null);
    entries.set(String(at), module);
    this.setChildren([...entries]);
    return this;
  }

  /**
   * Removes the module at `idx`, then renumbers the keys `'0'`, `'1'`, ... as torch's `del container[idx]` does.
   * @param idx the index (negative counts from the end).
   */
  delete(idx: number): this {
    const i = absIndex(idx, this.length, this.typeName);
    return this.keepIndices((j) => j !== i);
  }

  /**
   * Removes the modules `[start, end)` (torch's `del container[start:end]`), then renumbers the keys.
   * @param start first index removed (negative from the end). Default: `0`.
   * @param end one past the last index removed. Default: the length.
   */
  deleteSlice(start?: number | null, end?: number | null): this {
    const [from, to] = sliceRange(this.length, start, end);
    return this.keepIndices((j) => j < from || j >= to);
  }

  /**
   * Removes and returns the module at `idx` (torch's `pop`).
   * @param idx the index (negative counts from the end).
   */
  pop(idx: number): Module {
    const m = this.get(idx);
    this.delete(idx);
    return m;
  }

  /** Iterates the modules in order: `for (const m of container)`. */
  [Symbol.iterator](): Iterator<Module> {
    return ([...this._modules.values()] as Module[])[Symbol.iterator]();
  }

  private keepIndices(keep: (j: number) => boolean): this {
    const kept = [...this._modules.values()].filter((_, j) => keep(j));
    this.setChildren(kept.map((m, j) => [String(j), m]));
    return this;
  }
}

/**
 * A chain of modules called in order, each on the previous one's output (torch's `nn.Sequential`).
 * Children are named `'0'`, `'1'`, ..., or by the keys of a `Map` (torch's `OrderedDict`) or object, so state-dict
 * keys are torch's (`'0.weight'`). The children are the module registry itself: `addModule('x', m)` adds a step to
 * `forward`, `length` and iteration, as in torch.
 *
 * Mirrors [torch.nn.Sequential](https://pytorch.org/docs/1.13/generated/torch.nn.Sequential.html). Stretches of
 * convolutions, BatchNorm and elementwise layers run on NHWC activations between their ends (see
 * `nn/channels-last.ts`); what each child returns to its caller, and the output, are NCHW as in torch.
 *
 * Shape: the first module's input shape to the last module's output shape.
 * @example
 * ```ts
 * const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
 * mlp.forward(tf.ones([2, 4])); // [2, 1]
 * const named = new nn.Sequential(new Map([['fc', new nn.Linear(4, 1)]])); // key 'fc.weight'
 * mlp.slice(0, 2);        // torch's mlp[0:2]: a Sequential of the first two, keys '0', '1'
 * mlp.insert(1, new nn.Dropout());
 * ```
 */
export class Sequential extends IndexedModules {
  /** @param modules the modules in order, or one `Map`/object of named modules. */
  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && !(first instanceof Module) && first != null && typeof first === 'object') {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) this.registerModule(name, checkModule(m, 'Sequential'));
    } else {
      (modules as Module[]).forEach((m, i) => {
        this.registerModule(String(i), checkModule(m, 'Sequential'));
      });
    }
  }

  /**
   * A new Sequential of the modules `[start, end)`, with their keys (torch's `seq[start:end]`).
   * @param start first index (negative from the end). Default: `0`.
   * @param end one past the last index. Default: the length.
   */
  slice(start?: number | null, end?: number | null): Sequential {
    const [from, to] = sliceRange(this.length, start, end);
    return new Sequential(new Map([...this._modules].slice(from, to) as Array<[string, Module]>));
  }

  /**
   * Calls each module on the previous one's output.
   * @param input the first module's input.
   */
  override forward(input: tf.Tensor): tf.Tensor {
    const names = [...this._modules.keys()];
    return runChain(
      input,
      [...this._modules.values()],
      (i) => new TorchError(`Sequential: child '${names[i]}' is None and cannot be called`),
    );
  }

  /** The children, in order: what `forward` calls (channels-last runs flatten nested chains through it). */
  chainLayers(): ReadonlyArray<Module | null> {
    return [...this._modules.values()];
  }
}

/**
 * Holds submodules in a list, registered as `'0'`, `'1'`, ... (torch's `nn.ModuleList`). It has no
 * `forward`: the owner iterates it.
 *
 * Mirrors [torch.nn.ModuleList](https://pytorch.org/docs/1.13/generated/torch.nn.ModuleList.html).
 *
 * Shape: none of its own (no `forward`); each held module has its own.
 * @example
 * ```ts
 * const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 * for (const b of blocks) x = b.forward(x);
 * blocks.insert(0, new nn.ReLU()).delete(-1); // keys renumbered '0', '1' as torch
 * ```
 */
export class ModuleList extends IndexedModules {
  /** @param modules the initial modules. Default: none. */
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /**
   * A new ModuleList of the modules `[start, end)`, renumbered from `'0'` (torch's `list[start:end]`).
   * @param start first index (negative from the end). Default: `0`.
   * @param end one past the last index. Default: the length.
   */
  slice(start?: number | null, end?: number | null): ModuleList {
    const [from, to] = sliceRange(this.length, start, end);
    return new ModuleList(([...this._modules.values()] as Module[]).slice(from, to));
  }
}

/**
 * Holds submodules by name, in insertion order (torch's `nn.ModuleDict`); state-dict keys are `<name>.<param>`.
 * Iterating it gives the names, as torch's.
 *
 * Mirrors [torch.nn.ModuleDict](https://pytorch.org/docs/1.13/generated/torch.nn.ModuleDict.html).
 *
 * Shape: none of its own (no `forward`).
 * @example
 * ```ts
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 10), box: new nn.Linear(8, 4) });
 * heads.get('cls').forward(x);
 * heads.set('mask', new nn.Linear(8, 1));
 * ```
 */
export class ModuleDict extends ModuleContainer {
  /**
   * @param modules a `Map`, an object, or `[name, module]` pairs (added in their order). Default: none.
   */
  constructor(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> | null = null) {
    super();
    if (modules != null) this.update(modules);
  }

  /** The module under `key` (torch's `dict[key]`); a missing key is an error. */
  get(key: string): Module {
    if (!this._modules.has(key)) {
      throw new ValueError(`ModuleDict: no module named '${key}' (keys: ${[...this._modules.keys()].join(', ')})`);
    }
    return this._modules.get(key) as Module;
  }

  /**
   * Adds or replaces the module under `key` (torch's `dict[key] = module`, `add_module`).
   * @param key the name; a state-dict key segment.
   * @param module the module.
   */
  set(key: string, module: Module): this {
    this.registerModule(key, checkModule(module, 'ModuleDict'));
    return this;
  }

  /** Whether `key` is held (torch's `key in dict`). */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes the module under `key` (torch's `del dict[key]`). */
  delete(key: string): this {
    this.get(key);
    this._modules.delete(key);
    return this;
  }

  /** Removes and returns the module under `key` (torch's `pop`). */
  pop(key: string): Module {
    const m = this.get(key);
    this._modules.delete(key);
    return m;
  }

  /** Removes every module (torch's `clear`). */
  clear(): void {
    this._modules.clear();
  }

  /** The names, in order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules, in order. */
  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  /** `[name, module]` pairs, in order. */
  items(): Array<[string, Module]> {
    return [...this._modules] as Array<[string, Module]>;
  }

  /**
   * Adds or replaces modules from a `Map`, an object, another ModuleDict, or `[name, module]` pairs, in their
   * order (torch's `update`).
   * @param modules the modules by name.
   */
  update(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> | ModuleDict): this {
    for (const [k, m] of pairs(modules, 'ModuleDict.update')) this.set(k, m as Module);
    return this;
  }

  /** Iterates the names, as torch's `for key in module_dict`. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}

/** Entries of a Map, a ModuleDict/ParameterDict, a plain object (sorted by key when `sortObject`), or pairs. */
function pairs(v: unknown, where: string, sortObject = false): Array<[string, unknown]> {
  if (v instanceof Map) return [...v];
  if (v instanceof ModuleDict || v instanceof ParameterDict) return v.items();
  if (v != null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(v as Iterable<unknown>)].map((p, j) => {
      if (!Array.isArray(p))
        throw new ArgumentTypeError(`${where}: sequence element #${j} should be a pair; is ${describeValue(p)}`);
      if (p.length !== 2)
        throw new ValueError(`${where}: sequence element #${j} has length ${p.length}; 2 is required`);
      return p as [string, unknown];
    });
  }
  if (v != null && typeof v === 'object') {
    const entries = Object.entries(v);
    return sortObject ? entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : entries;
  }
  throw new ArgumentTypeError(
    `${where} should be called with an iterable of key/value pairs, but got ${describeValue(v)}`,
  );
}

/** A tensor as a parameter: a Parameter as is, any other tensor copied into a new Parameter (torch wraps it). */
function asParameter(v: unknown, where: string): Parameter {
  if (v instanceof Parameter) return v;
  if (v instanceof tf.Tensor) {
    if (v.isDisposed) throw new ValueError(`${where}: the tensor was disposed`);
    return new Parameter(v);
  }
  throw new ArgumentTypeError(`${where}: expected a Parameter or a tensor, got ${describeValue(v)}`);
}

/** torch's `Parameter containing: [torch.float32 of size 3x4]` (the dtype as `dtype` names it). */
function parameterLine(key: string, p: Parameter, dtype: string): string {
  return `  (${key}): Parameter containing: [${dtype} of size ${p.shape.join('x')}]`;
}

/**
 * Holds parameters in a list, registered as `'0'`, `'1'`, ... (torch's `nn.ParameterList`): they appear in
 * `parameters()` and the state dict. Tensors that are not parameters are wrapped in a new {@link Parameter}.
 *
 * Mirrors [torch.nn.ParameterList](https://pytorch.org/docs/1.13/generated/torch.nn.ParameterList.html).
 *
 * Shape: none (no `forward`).
 * @example
 * ```ts
 * const ps = new nn.ParameterList([new nn.Parameter(tf.zeros([3, 4])), tf.ones([4])]);
 * ps.get(0); // the first parameter; state-dict keys '0', '1'
 * ```
 */
export class ParameterList extends Module {
  /** @param values the initial parameters (tensors are wrapped). Default: none. */
  constructor(values: Iterable<Parameter | tf.Tensor> = []) {
    super();
    this.extend(values);
  }

  /** Number of parameters. */
  get length(): number {
    return this._parameters.size;
  }

  /** The parameter at `idx` (negative counts from the end). */
  get(idx: number): Parameter {
    return this._parameters.get(String(absIndex(idx, this.length, 'ParameterList'))) as Parameter;
  }

  /**
   * Replaces the parameter at `idx` (torch's `list[idx] = p`; a tensor is wrapped).
   * @param idx the index (negative counts from the end).
   * @param value the parameter or tensor.
   */
  set(idx: number, value: Parameter | tf.Tensor): this {
    const key = String(absIndex(idx, this.length, 'ParameterList'));
    this._parameters.set(key, asParameter(value, 'ParameterList'));
    return this;
  }

  /** Appends a parameter (a tensor is wrapped); returns this. */
  append(value: Parameter | tf.Tensor): this {
    this.registerParameter(String(this.length), asParameter(value, 'ParameterList.append'));
    return this;
  }

  /** Appends every parameter of `values`; returns this. */
  extend(values: Iterable<Parameter | tf.Tensor>): this {
    if (values == null || values instanceof tf.Tensor || typeof values[Symbol.iterator] !== 'function') {
      throw new ArgumentTypeError(
        `ParameterList.extend should be called with an iterable, but got ${describeValue(values)}`,
      );
    }
    for (const v of [...values]) this.append(v);
    return this;
  }

  /**
   * A new ParameterList of the parameters `[start, end)` (the same Parameter objects).
   * @param start first index (negative from the end). Default: `0`.
   * @param end one past the last index. Default: the length.
   */
  slice(start?: number | null, end?: number | null): ParameterList {
    const [from, to] = sliceRange(this.length, start, end);
    return new ParameterList(([...this._parameters.values()] as Parameter[]).slice(from, to));
  }

  /** Iterates the parameters in order. */
  [Symbol.iterator](): Iterator<Parameter> {
    return ([...this._parameters.values()] as Parameter[])[Symbol.iterator]();
  }

  override forward(): never {
    throw new TorchError('ParameterList should not be called.');
  }

  override extraRepr(): string {
    return [...this._parameters]
      .map(([k, p]) => parameterLine(k, p as Parameter, `torch.${p!.dtype === 'int32' ? 'int32' : 'float32'}`))
      .join('\n');
  }
}

/**
 * Holds parameters by name (torch's `nn.ParameterDict`): they appear in `parameters()` and the state dict under
 * their names. As torch, a plain object given to the constructor or `update` is added in sorted key order (a `Map`
 * keeps its order); tensors that are not parameters are wrapped.
 *
 * Mirrors [torch.nn.ParameterDict](https://pytorch.org/docs/1.13/generated/torch.nn.ParameterDict.html).
 *
 * Shape: none (no `forward`).
 * @example
 * ```ts
 * const ps = new nn.ParameterDict(new Map([['left', new nn.Parameter(tf.zeros([5, 10]))]]));
 * ps.set('right', tf.ones([5, 10]));
 * ps.get('left');
 * ```
 */
export class ParameterDict extends Module {
  /** @param parameters a `Map`, an object (sorted by key, as torch), or `[name, tensor]` pairs. Default: none. */
  constructor(
    parameters:
      | Map<string, Parameter | tf.Tensor>
      | Record<string, Parameter | tf.Tensor>
      | Iterable<[string, Parameter | tf.Tensor]>
      | null = null,
  ) {
    super();
    if (parameters != null) this.update(parameters);
  }

  /** Number of parameters. */
  get length(): number {
    return this._parameters.size;
  }

  /** The parameter under `key`; a missing key is an error. */
  get(key: string): Parameter {
    const p = this._parameters.get(key);
    if (!p) throw new ValueError(`ParameterDict: no parameter named '${key}' (keys: ${this.keys().join(', ')})`);
    return p;
  }

  /**
   * Adds or replaces the parameter under `key` (a tensor is wrapped), as torch's `dict[key] = value`.
   * @param key the name; a state-dict key.
   * @param value the parameter or tensor.
   */
  set(key: string, value: Parameter | tf.Tensor): this {
    if (typeof key !== 'string') {
      throw new ArgumentTypeError(
        `Index given to ParameterDict cannot be used as a key as it is not a string (got ${describeValue(key)})`,
      );
    }
    this.registerParameter(key, asParameter(value, 'ParameterDict'));
    return this;
  }

  /** Whether `key` is held. */
  has(key: string): boolean {
    return this._parameters.has(key);
  }

  /** Removes the parameter under `key` (torch's `del dict[key]`). */
  delete(key: string): this {
    this.get(key);
    this._parameters.delete(key);
    return this;
  }

  /** Removes and returns the parameter under `key` (torch's `pop`). */
  pop(key: string): Parameter {
    const p = this.get(key);
    this._parameters.delete(key);
    return p;
  }

  /** Removes every parameter (torch's `clear`). */
  clear(): void {
    this._parameters.clear();
  }

  /** The names, in order. */
  keys(): string[] {
    return [...this._parameters.keys()];
  }

  /** The parameters, in order. */
  values(): Parameter[] {
    return [...this._parameters.values()] as Parameter[];
  }

  /** `[name, parameter]` pairs, in order. */
  items(): Array<[string, Parameter]> {
    return [...this._parameters] as Array<[string, Parameter]>;
  }

  /**
   * Adds or replaces parameters: a `Map`, ParameterDict or pairs in their order; a plain object in sorted key
   * order (torch's `update` on a `dict`).
   * @param parameters the parameters by name.
   */
  update(
    parameters:
      | Map<string, Parameter | tf.Tensor>
      | Record<string, Parameter | tf.Tensor>
      | Iterable<[string, Parameter | tf.Tensor]>
      | ParameterDict,
  ): this {
    for (const [k, p] of pairs(parameters, 'ParameterDict.update', true)) this.set(k, p as tf.Tensor);
    return this;
  }

  /** Iterates the names, as torch's `for key in parameter_dict`. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  override forward(): never {
    throw new TorchError('ParameterDict should not be called.');
  }

  override extraRepr(): string {
    // torch prints torch.typename(p) here: torch.FloatTensor for a float32 CPU tensor.
    return this.items()
      .map(([k, p]) => parameterLine(k, p, p.dtype === 'int32' ? 'torch.IntTensor' : 'torch.FloatTensor'))
      .join('\n');
  }
}
