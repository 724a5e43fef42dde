/**
 * torch's `torch.optim.Optimizer`: parameter groups, per-parameter state, `zeroGrad`, and state dicts in
 * torch's own structure, so an optimizer checkpoint written by `torch.save` loads here and back.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Parameter } from '../autograd/parameter';
import { enableGrad, noGrad, setGradOf } from '../autograd/tape';
import { ArgumentTypeError, StateDictError, ValueError } from '../errors';
import { isTensorData, toTfTensor } from '../io/torch-format';
import { camelCase, pyNumber, pyRepr, snakeCase } from '../repr';

/** An optimizer's per-parameter state (torch's `optimizer.state[p]`), under torch's keys (`exp_avg`, `step`). */
export type ParamState = Record<string, tf.Tensor | null>;

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
  state: Map<number, ParamState>;
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
export abstract class Optimizer<H extends object = Record<string, unknown>> {
  /** The default hyperparameters (camelCase), used where a group does not set its own. */
  readonly defaults: H;
  /** The parameter groups, in order (torch's `param_groups`). */
  readonly paramGroups: Array<ParamGroup<H>> = [];
  /** Per-parameter state (torch's `optimizer.state`): created at a parameter's first step, kept tensors. */
  readonly state = new Map<Parameter, ParamState>();

  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<Partial<H>>>, defaults: H) {
    this.defaults = defaults;
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
   * this also checks each group's overrides). Throws a {@link ValueError}.
   */
  protected abstract validate(group: H): void;

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
      out[k] = k === 'betas' && Array.isArray(v) ? Object.freeze([...v]) : v;
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
   *   zeros, so such parameters still take a step (momentum, Adam's moments).
   */
  zeroGrad(setToNone = true): void {
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
    const state = new Map<number, ParamState>();
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) copy[k] = v == null ? null : tf.keep(v.clone());
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
    if (!tf.util.arraysEqual(t.shape, p.shape)) {
      t.dispose();
      throw new StateDictError(
        `loadStateDict: state[${index}].${name} has shape [${t.shape}], but parameter ${index} has shape [${p.shape}]`,
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
      for (const [snake, k] of keys) s += `    ${snake}: ${pyRepr((g as Record<string, unknown>)[k])}\n`;
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
  for (const st of sd.state.values()) for (const t of Object.values(st)) t?.dispose();
}
