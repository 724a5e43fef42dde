import type * as tf from '@tensorflow/tfjs-core';

import { ValueError } from '../errors';
import { Module } from './module';

function normIndex(idx: number, length: number, what: string): number {
  if (!Number.isInteger(idx) || idx < -length || idx >= length) {
    throw new ValueError(`index ${idx} is out of range for ${what} of length ${length}`);
  }
  return idx < 0 ? idx + length : idx;
}

/**
 * A chain of modules called in order, each on the previous one's output (torch's `nn.Sequential`).
 * Children are named `'0'`, `'1'`, ..., or by the keys of an object/Map, so state-dict keys are torch's
 * (`'0.weight'`).
 *
 * Mirrors [torch.nn.Sequential](https://pytorch.org/docs/1.13/generated/torch.nn.Sequential.html).
 *
 * Shape: the first module's input shape to the last module's output shape.
 * @example
 * ```ts
 * const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
 * mlp.forward(tf.ones([2, 4])); // [2, 1]
 * const named = new nn.Sequential(new Map([['fc', new nn.Linear(4, 1)]])); // key 'fc.weight'
 * ```
 */
export class Sequential extends Module {
  private items: Module[] = [];

  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && !(first instanceof Module) && first != null && typeof first === 'object') {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) this.items.push(this.registerModule(name, m));
    } else {
      (modules as Module[]).forEach((m, i) => this.items.push(this.registerModule(String(i), m)));
    }
  }

  /** Number of modules (torch's `len`). */
  get length(): number {
    return this.items.length;
  }

  /** The module at `idx` (negative counts from the end). */
  get(idx: number): Module {
    return this.items[normIndex(idx, this.items.length, 'Sequential')];
  }

  /** Appends a module at the end; returns this. */
  append(module: Module): this {
    this.items.push(this.registerModule(String(this.items.length), module));
    return this;
  }

  /** Iterates the modules in order: `for (const m of seq)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  /**
   * Calls each module on the previous one's output.
   * @param input the first module's input.
   */
  override forward(input: tf.Tensor): tf.Tensor {
    let x = input;
    for (const m of this) x = m.forward(x);
    return x;
  }
}

/**
 * Holds submodules in a list, registered as `'0'`, `'1'`, ... (torch's `nn.ModuleList`). It has no
 * `forward`: the owner iterates it.
 *
 * Mirrors [torch.nn.ModuleList](https://pytorch.org/docs/1.13/generated/torch.nn.ModuleList.html).
 *
 * Shape: none of its own (no `forward`); each held module has its own.
 * @param modules the initial modules. Default: none.
 * @example
 * ```ts
 * const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 * for (const b of blocks) x = b.forward(x);
 * ```
 */
export class ModuleList extends Module {
  private items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `idx` (negative counts from the end). */
  get(idx: number): Module {
    return this.items[normIndex(idx, this.items.length, 'ModuleList')];
  }

  /** Appends a module; returns this. */
  append(module: Module): this {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Iterates the modules in order: `for (const m of list)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
}
