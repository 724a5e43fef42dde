/**
 * torch's `torch.optim.Optimizer`: parameter groups, per-parameter state, `zeroGrad`, and state dicts in
 * torch's own structure, so an optimizer checkpoint written by `torch.save` loads here and back.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, describeValue, isOptionsObject } from '../args';
import { Parameter } from '../autograd/parameter';
import { enableGrad, noGrad, setGradOf } from '../autograd/tape';
import { ArgumentTypeError, StateDictError, ValueError } from '../errors';
import { isTensorData } from '../io/tensor-data';
import { toTfTensor } from '../io/tf-tensors';
import { camelCase, pyNumber, pyRepr, snakeCase } from '../repr';

/** An optimizer's per-parameter state (torch's `optimizer.state[p]`), under torch's keys (`exp_avg`, `step`). */
export type ParamState = Record<string, tf.Tensor | null>;

/**
 * One value of a saved optimizer state: a tensor, a Python number (RMSprop's `step` is an int in torch 1.13),
 * `null`, or a list of them (LBFGS's `old_dirs`).
 */
export type StateValue = tf.Tensor | number | null | StateValue[];

/** One parameter's state as a state dict holds it (torch's `state_dict()['state'][i]`). */
export type SavedParamState = Record<string, StateValue>;

/**
 * A live parameter group (torch's `optimizer.param_groups[i]`): the parameters and their hyperparameters,
 * camelCase. Change a value between steps (`group.lr = 1e-4`) as torch's LR schedulers do.
 */
export type ParamGroup<H extends object = Record<string, unknown>> = H & {
  /** The group's parameters. */
  params: Parameter[];
};

/**
 * A parameter group as passed to a constructor or {@link Optimizer.addParamGroup}: its parameters and any
 * hyperparameters that differ from the optimizer's defaults.
 */
export type ParamGroupInput<O extends object = Record<string, unknown>> = O & {
  /** The group's parameters: one, or an iterable of them (e.g. `model.parameters()`). */
  params: Iterable<Parameter> | Parameter;
};

/**
 * An optimizer's state dict, in torch's structure and keys (`state` keyed by parameter index, snake_case
 * hyperparameters, `betas` a tuple, `step` a float32 scalar tensor), so `torch.save` / `torch.load` of it
 * round-trips with PyTorch's `optimizer.state_dict()`.
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by the parameter's index across all groups (in group order). */
  state: Map<number, SavedParamState>;
  /** Each group's hyperparameters (snake_case) and `params`: the indices of its parameters. */
  param_groups: Array<
    Record<string, unknown> & {
      /** Indices of the group's parameters across all groups. */
      params: number[];
    }
  >;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof tf.Variable) return 'tf.Variable';
  if (v instanceof tf.Tensor) return 'tf.Tensor';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** Reads `key` from a plain object or a `Map` (what `parseTorchFile` returns for a Python dict). */
function field(obj: unknown, key: string): unknown {
  if (obj instanceof Map) return obj.get(key);
  if (obj != null && typeof obj === 'object') return (obj as Record<string, unknown>)[key];
  return undefined;
}

function entries(obj: unknown): Array<[unknown, unknown]> {
  if (obj instanceof Map) return [...obj.entries()];
  if (obj != null && typeof obj === 'object') return Object.entries(obj);
  return [];
}

/**
 * A hyperparameter that torch takes as a Python number: any number passes the type check (NaN and negative
 * values too, so that each optimizer raises torch's own `Invalid learning rate: nan`); strings, booleans and
 * `null` are refused.
 */
export function num(): Arg<number> {
  return new Arg('a number', (v, ctx) => {
    if (typeof v !== 'number') {
      throw new ArgumentTypeError(`${ctx.where}(): argument '${ctx.name}' must be a number, got ${describeValue(v)}`);
    }
    return v;
  });
}

/** A pair of numbers (torch's `betas=(0.9, 0.999)`), kept as a frozen array so it prints as a Python tuple. */
export function numPair(): Arg<readonly [number, number]> {
  return new Arg('a pair of numbers', (v, ctx) => {
    const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');
    if (!ok) {
      throw new ArgumentTypeError(
        `${ctx.where}(): argument '${ctx.name}' must be a pair of numbers [a, b], got ${describeValue(v)}`,
      );
    }
    return Object.freeze([v[0], v[1]]) as unknown as readonly [number, number];
  });
}

/** A fresh float32 scalar holding `value`, whose value is remembered so steps never read back the tensor. */
const stepValues = new WeakMap<tf.Tensor, number>();

/**
 * A kept float32 scalar tensor holding a step count, as torch 1.13's `state['step']` (`torch.tensor(0.)`).
 * @internal
 */
export function stepTensor(value: number): tf.Scalar {
  const t = tf.keep(tf.scalar(Math.fround(value), 'float32'));
  stepValues.set(t, Math.fround(value));
  return t;
}

/**
 * The number a step tensor holds (torch's `step_t.item()`); reads the tensor only for a step that came
 * from a loaded state dict.
 * @internal
 */
export function stepValue(t: tf.Tensor): number {
  let v = stepValues.get(t);
  if (v === undefined) {
    v = t.dataSync()[0] as number;
    stepValues.set(t, v);
  }
  return v;
}

/**
 * Base class of every optimizer (torch's `torch.optim.Optimizer`).
 *
 * Mirrors [torch.optim.Optimizer](https://pytorch.org/docs/1.13/optim.html#torch.optim.Optimizer).
 * Holds the parameter groups and the per-parameter state. Subclasses implement {@link updateGroup}: the
 * update of one group's parameters that have a gradient; the base runs it under `noGrad` inside a
 * `tf.tidy`, keeps the state tensors it returns and disposes the ones they replace, so a training loop
 * holds a constant number of tensors.
 *
 * @param params the parameters to optimize (e.g. `model.parameters()`), or parameter groups
 *   (`[{ params: a, lr: 0.1 }, { params: b }]`), each with hyperparameters that override `defaults`.
 * @param defaults every hyperparameter's default, camelCase; `undefined` marks a required one (SGD's `lr`).
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(model.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });
 * tf.tidy(() => {
 *   opt.zeroGrad();
 *   backward(criterion.forward(model.forward(x), y));
 *   opt.step();
 * });
 * ```
 */
export abstract class Optimizer<H extends object = object> {
  /** The default hyperparameters (camelCase), used where a group does not set its own. */
  readonly defaults: H;
  /** The parameter groups, in order (torch's `param_groups`). */
  readonly paramGroups: Array<ParamGroup<H>> = [];
  /** Per-parameter state (torch's `optimizer.state`): created at a parameter's first step, kept tensors. */
  readonly state = new Map<Parameter, ParamState>();

  /**
   * Calls of {@link step} since a learning-rate scheduler was attached (torch's `optimizer._step_count`), for
   * the scheduler's "`lr_scheduler.step()` before `optimizer.step()`" warning.
   * @internal
   */
  stepCount = 0;
  /** The constructor's signature: a group's hyperparameters are type-checked with it. */
  private readonly signature: HyperSignature | null;
  /** torch's checks of the hyperparameters' values (see {@link validate}); typed on `object` so the class stays covariant in `H`. */
  private readonly check: ((hyper: object) => void) | null;

  /**
   * @param params parameters or parameter groups.
   * @param defaults every hyperparameter's default (camelCase), in torch's `defaults` order.
   * @param sig the constructor's signature, used to type-check each group's hyperparameters.
   * @param check torch's checks of the hyperparameters' values, with torch's messages: run on `defaults` before
   *   anything else (torch checks its arguments before the parameters), then on every group. Default: none.
   */
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<object>>,
    defaults: H,
    sig: HyperSignature | null = null,
    check: ((hyper: H) => void) | null = null,
  ) {
    if (defaults == null || typeof defaults !== 'object') {
      throw new ArgumentTypeError(
        `Optimizer: expected defaults (an object of hyperparameters) after the parameters, got ${describeValue(defaults)}`,
      );
    }
    check?.(defaults);
    this.check = check as ((hyper: object) => void) | null;
    for (const [k, v] of Object.entries(defaults)) {
      if (Array.isArray(v) && !Object.isFrozen(v)) (defaults as Record<string, unknown>)[k] = Object.freeze([...v]);
    }
    this.defaults = defaults;
    this.signature = sig;
    if (params instanceof tf.Tensor) {
      throw new ArgumentTypeError(
        'params argument given to the optimizer should be an iterable of Tensors or dicts, but got ' + typeName(params),
      );
    }
    if (params == null || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new ArgumentTypeError(
        'params argument given to the optimizer should be an iterable of Parameters or parameter groups, but got ' +
          typeName(params),
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
    const first = list[0];
    const groups =
      first instanceof tf.Tensor || first == null || typeof first !== 'object'
        ? [{ params: list } as unknown as ParamGroupInput<Partial<H>>]
        : (list as Array<ParamGroupInput<Partial<H>>>);
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Checks one group's hyperparameters (torch checks the constructor's arguments with the same messages;
   * this also checks each group's overrides). Throws a {@link ValueError}. Default: the constructor's `check`.
   */
  protected validate(group: H): void {
    this.check?.(group);
  }

  /**
   * Updates every parameter of `group` in `params` (those with a gradient), in place with `assign`. Runs
   * under `noGrad` inside a `tf.tidy`; return the new state tensors by writing them into each parameter's
   * state object (see {@link setState}).
   */
  protected abstract updateGroup(group: ParamGroup<H>, params: Parameter[]): void;

  /**
   * Adds a parameter group (torch's `add_param_group`), e.g. to train layers unfrozen mid-training.
   * Hyperparameters it does not set come from {@link defaults}.
   *
   * @param group `{ params, ...hyperparameters }`; `params` a Parameter or an iterable of them.
   * @throws ArgumentTypeError for entries that are not Parameters; ValueError for a missing required
   *   hyperparameter, an invalid value, or a parameter already in another group.
   */
  addParamGroup(group: ParamGroupInput<Partial<H>>): void {
    if (group == null || typeof group !== 'object' || !('params' in group)) {
      throw new ArgumentTypeError(`param group must be an object with a 'params' entry, got ${typeName(group)}`);
    }
    const raw = group.params;
    const params: unknown[] = raw instanceof tf.Tensor ? [raw] : [...(raw as Iterable<unknown>)];
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) {
        throw new ArgumentTypeError(
          `optimizer can only optimize Parameters, but one of the params is ${typeName(p)} ` +
            `(group ${this.paramGroups.length}, index ${i}); wrap trainable tensors in new Parameter(t)`,
        );
      }
    });
    const out: Record<string, unknown> = { params };
    const defaults = this.defaults as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) {
      if (k === 'params' || v === undefined) continue;
      if (!(k in defaults) && camelCase(k) in defaults) {
        throw new ValueError(`unknown optimizer option '${k}' in a parameter group; did you mean '${camelCase(k)}'?`);
      }
      const arg = this.signature?.params.find(([n]) => n === k)?.[1];
      out[k] = arg ? arg.check(v, { where: this.signature!.where, name: k }) : v;
      if (Array.isArray(out[k]) && !Object.isFrozen(out[k])) out[k] = Object.freeze([...(out[k] as unknown[])]);
    }
    for (const [k, v] of Object.entries(defaults)) {
      if (k in out) continue;
      if (v === undefined) {
        throw new ValueError(
          `parameter group didn't specify a value of required optimization parameter ${snakeCase(k)}`,
        );
      }
      out[k] = v;
    }
    this.validate(out as H);
    if (new Set(params).size !== params.length) {
      console.warn(
        'optimizer contains a parameter group with duplicate parameters; ' +
          'in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    const existing = new Set<Parameter>();
    for (const g of this.paramGroups) for (const p of g.params) existing.add(p);
    if (params.some((p) => existing.has(p as Parameter))) {
      throw new ValueError('some parameters appear in more than one parameter group');
    }
    this.paramGroups.push(out as ParamGroup<H>);
  }

  /**
   * Resets the gradients of every optimized parameter (torch's `zero_grad`), disposing the old ones.
   *
   * @param setToNone `true` (default): set `.grad` to `null`, so the next `step()` skips parameters that
   *   receive no gradient (torch 2's default; torch 1.13's default is `false`). `false`: set `.grad` to
   *   zeros, so such parameters still take a step (momentum, Adam's moments). Also accepted as
   *   `{ setToNone }`, torch's keyword.
   */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = true): void {
    if (isOptionsObject(setToNone)) {
      for (const k of Object.keys(setToNone)) {
        if (k !== 'setToNone') {
          throw new ArgumentTypeError(`zeroGrad() got an unexpected keyword argument '${k}' (accepted: setToNone)`);
        }
      }
      setToNone = setToNone.setToNone ?? true;
    }
    if (typeof setToNone !== 'boolean') {
      throw new ArgumentTypeError(
        `zeroGrad(): argument 'setToNone' must be a boolean, got ${describeValue(setToNone)}`,
      );
    }
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g == null) continue;
        setGradOf(p, setToNone ? null : tf.zerosLike(g));
      }
    }
  }

  /**
   * Performs one optimization step (torch's `step`) on every parameter whose `.grad` is not `null`.
   *
   * @param closure optional: re-evaluates the model and calls `backward`, returning the loss; run with
   *   grad mode on before the update.
   * @returns the closure's loss, or `null`.
   */
  step(closure?: () => tf.Tensor): tf.Tensor | null {
    if (closure != null && typeof closure !== 'function') {
      throw new ArgumentTypeError(`step(): argument 'closure' must be a function, got ${describeValue(closure)}`);
    }
    this.stepCount++;
    const loss = closure ? enableGrad(closure) : null;
    noGrad(() => {
      for (const group of this.paramGroups) {
        const params = group.params.filter((p) => p.grad != null);
        if (params.length > 0) tf.tidy(() => this.updateGroup(group, params));
      }
    });
    return loss;
  }

  /**
   * State keys that torch keeps as Python numbers rather than tensors (torch 1.13's RMSprop, Rprop and
   * Adadelta count `step` in an int); held here as step tensors, written to the state dict as numbers.
   */
  protected pythonIntKeys(): readonly string[] {
    return [];
  }

  /** State keys holding one-element tensors rather than tensors of the parameter's shape (NAdam's `mu_product`). */
  protected scalarStateKeys(): readonly string[] {
    return [];
  }

  /**
   * Stores `value` (kept) as `state[key]` of `p` and disposes what it replaces. For {@link updateGroup}.
   */
  protected setState(p: Parameter, key: string, value: tf.Tensor | null): void {
    let st = this.state.get(p);
    if (st == null) {
      st = {};
      this.state.set(p, st);
    }
    const old = st[key];
    if (value) tf.keep(value);
    st[key] = value;
    if (old && old !== value) old.dispose();
  }

  /**
   * The optimizer's state in torch's structure (torch's `state_dict`): `state` keyed by parameter index,
   * `param_groups` with snake_case hyperparameters and the indices of their parameters.
   *
   * The tensors are copies that the caller owns (torch's alias the live state, but tfjs tensors are
   * replaced at every step): dispose them with {@link disposeStateDict} after saving.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Parameter, number>();
    const groups: OptimizerStateDict['param_groups'] = [];
    let start = 0;
    for (const g of this.paramGroups) {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k !== 'params') packed[snakeCase(k)] = Array.isArray(v) ? Object.freeze([...v]) : v;
      }
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = g.params.map((p) => index.get(p)!);
      start += g.params.length;
      groups.push(packed as Record<string, unknown> & { params: number[] });
    }
    const state = new Map<number, SavedParamState>();
    const ints = this.pythonIntKeys();
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const copy: SavedParamState = {};
      for (const [k, v] of Object.entries(st)) {
        if (v != null && ints.includes(k)) copy[k] = stepValue(v);
        else copy[k] = v == null ? null : tf.keep(v.clone());
      }
      state.set(i, copy);
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict from {@link stateDict} or from PyTorch (`parseTorchFile` of a `torch.save`d
   * `optimizer.state_dict()`: `Map`s and `TensorData`), so training resumes exactly (torch's
   * `load_state_dict`). The saved hyperparameters replace the groups' own; the tensors are copied (the
   * caller still owns `sd`). State saved for a parameter index this optimizer does not have is dropped.
   *
   * @param sd `{ state, param_groups }` (`paramGroups` is accepted too).
   * @throws ValueError when the number of groups or a group's size differs; StateDictError when a state
   *   tensor's shape does not match its parameter.
   */
  loadStateDict(sd: OptimizerStateDict | Map<unknown, unknown> | Record<string, unknown>): void {
    const savedGroups = field(sd, 'param_groups') ?? field(sd, 'paramGroups');
    if (!Array.isArray(savedGroups)) {
      throw new ArgumentTypeError(
        `loadStateDict: expected a state dict with a 'param_groups' list, got ${typeName(savedGroups)}`,
      );
    }
    if (savedGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        'loaded state dict has a different number of parameter groups ' +
          `(optimizer has ${this.paramGroups.length}, state dict has ${savedGroups.length})`,
      );
    }
    const idMap = new Map<number, Parameter>();
    savedGroups.forEach((sg, gi) => {
      const saved = field(sg, 'params');
      const current = this.paramGroups[gi].params;
      if (!Array.isArray(saved) || saved.length !== current.length) {
        throw new ValueError(
          "loaded state dict contains a parameter group that doesn't match the size of optimizer's group " +
            `(group ${gi}: optimizer has ${current.length} parameters, state dict has ${Array.isArray(saved) ? saved.length : typeName(saved)})`,
        );
      }
      saved.forEach((id, i) => idMap.set(Number(id), current[i]));
    });

    // Build everything first, so a bad entry leaves the optimizer unchanged.
    const newState = new Map<Parameter, ParamState>();
    const made: tf.Tensor[] = [];
    try {
      for (const [key, value] of entries(field(sd, 'state'))) {
        const p = idMap.get(Number(key));
        if (p === undefined) continue;
        const st: ParamState = {};
        for (const [k, v] of entries(value)) {
          const name = String(k);
          const t = this.toStateTensor(v, name, Number(key), p);
          if (t) made.push(t);
          st[name] = t;
        }
        newState.set(p, st);
      }
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
    const groups = savedGroups.map((sg, gi) => {
      const g: Record<string, unknown> = {};
      for (const [k, v] of entries(sg)) {
        if (k === 'params') continue;
        g[camelCase(String(k))] = Array.isArray(v) ? Object.freeze([...v]) : typeof v === 'bigint' ? Number(v) : v;
      }
      for (const [k, v] of Object.entries(this.defaults)) if (!(k in g) && v !== undefined) g[k] = v;
      g.params = this.paramGroups[gi].params;
      return g as ParamGroup<H>;
    });
    this.disposeState();
    for (const [p, st] of newState) this.state.set(p, st);
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
  }

  private toStateTensor(v: unknown, name: string, index: number, p: Parameter): tf.Tensor | null {
    if (v == null) return null;
    if (name === 'step') {
      // Before torch 1.12 `step` was a Python int; torch's __setstate__ turns it into a float tensor.
      if (typeof v === 'number' || typeof v === 'bigint') return stepTensor(Number(v));
      const t = v instanceof tf.Tensor ? v : isTensorData(v) ? toTfTensor(v) : null;
      if (t == null || t.size !== 1) {
        throw new StateDictError(
          `loadStateDict: state[${index}].step: expected a number or a one-element tensor, got ${typeName(v)}`,
        );
      }
      const value = t.dataSync()[0] as number;
      if (t !== v) t.dispose();
      return stepTensor(value);
    }
    let t: tf.Tensor;
    if (v instanceof tf.Tensor) t = tf.keep(v.dtype === 'float32' ? v.clone() : tf.cast(v, 'float32'));
    else if (isTensorData(v)) {
      const raw = toTfTensor(v);
      t = tf.keep(raw.dtype === 'float32' ? raw : tf.tidy(() => tf.cast(raw, 'float32')));
      if (t !== raw) raw.dispose();
    } else {
      throw new StateDictError(`loadStateDict: state[${index}].${name}: expected a tensor, got ${typeName(v)}`);
    }
    const scalar = this.scalarStateKeys().includes(name);
    if (scalar ? t.size !== 1 : !tf.util.arraysEqual(t.shape, p.shape)) {
      t.dispose();
      throw new StateDictError(
        `loadStateDict: state[${index}].${name} has shape [${t.shape}], but ` +
          (scalar ? 'expected a one-element tensor' : `parameter ${index} has shape [${p.shape}]`),
        [],
        [],
        [`state[${index}].${name}`],
      );
    }
    return t;
  }

  private disposeState(): void {
    for (const st of this.state.values()) for (const t of Object.values(st)) t?.dispose();
    this.state.clear();
  }

  /** Disposes the optimizer's state tensors (not the parameters). The optimizer restarts from fresh state. */
  dispose(): void {
    this.disposeState();
  }

  /** torch's `repr(optimizer)`: each group's hyperparameters, sorted by their snake_case name. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      const keys = Object.keys(g)
        .filter((k) => k !== 'params')
        .map((k) => [snakeCase(k), k] as const);
      keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [snake, k] of keys) {
        // torch formats each value with str(): strings without quotes.
        const v = (g as Record<string, unknown>)[k];
        s += `    ${snake}: ${typeof v === 'string' ? v : pyRepr(v)}\n`;
      }
    });
    return s + ')';
  }
}

/**
 * Disposes the tensors of an optimizer state dict (what {@link Optimizer.stateDict} returns).
 *
 * @param sd the state dict; its tensors are disposed, the object is left as is.
 * @example
 * ```ts
 * const sd = opt.stateDict();
 * saveCheckpoint(sd);
 * disposeStateDict(sd);
 * ```
 */
export function disposeStateDict(sd: OptimizerStateDict): void {
  const free = (v: StateValue): void => {
    if (v instanceof tf.Tensor) v.dispose();
    else if (Array.isArray(v)) v.forEach(free);
  };
  for (const st of sd.state.values()) for (const v of Object.values(st)) free(v);
}

/**
 * Throws torch's `ValueError` for an invalid hyperparameter (`Invalid learning rate: -1`) unless `ok`.
 * @internal
 */
export function checkHyper(ok: boolean, what: string, ...values: number[]): void {
  if (!ok) throw new ValueError(`Invalid ${what}: ${values.map(pyNumber).join(', ')}`);
}

/** A float32 scalar, as torch casts a Python float operand of a float32 kernel. @internal */
export function sc(x: number): tf.Scalar {
  return tf.scalar(x, 'float32');
}

/**
 * The gradient a step uses, as torch 1.13's single-tensor updates form it: negated with `maximize`, plus the L2
 * penalty `weightDecay·θ` when it is not 0 (`grad = grad.add(param, alpha=weight_decay)`). @internal
 */
export function penalizedGrad(p: Parameter, maximize: boolean, weightDecay: number): tf.Tensor {
  const g = maximize ? tf.neg(p.grad!) : p.grad!;
  return weightDecay !== 0 ? tf.add(g, tf.mul(sc(weightDecay), p)) : g;
}

/** A constructor's signature as the base class uses it: its name and each parameter's checker. */
export interface HyperSignature {
  /** The class name, for messages. */
  readonly where: string;
  /** `[name, arg]` pairs; `arg.check` type-checks a value. */
  readonly params: ReadonlyArray<
    readonly [
      string,
      {
        /** Checks a value's type, returning the parsed value or throwing. */
        check(v: unknown, ctx: { where: string; name: string }): unknown;
      },
    ]
  >;
}

/**
 * `parsed`'s entries in the order of `keys`: torch's `defaults` dict order, which sets the order of a
 * group's keys in the state dict. @internal
 */
export function ordered<T extends object>(parsed: T, keys: ReadonlyArray<keyof T>): T {
  const out = {} as T;
  for (const k of keys) out[k] = parsed[k];
  return out;
}
