// The table-driven module checker: runs any case written by scripts/fixtures/common.py's module_case() against
// the library's module of the same torch name (forward, gradients of the inputs and every parameter, state after,
// print text). A new layer's tests are one line of config in its fixture script plus one call here:
//
//   describe('pooling matches torch 1.13', () => runModuleCases(loadFixture<ModuleCase>('pooling')));
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import type { Module } from '../src/nn/module';
import { type Fixture, type FixtureTensor, expectClose, toTensor } from './helpers';

/** One case of scripts/fixtures/common.py's module_case(). */
export interface ModuleCase {
  name: string;
  kind: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  forward_kwargs: Record<string, unknown>;
  train: boolean;
  steps: number;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  inputs: unknown[];
  outputs: FixtureTensor[];
  projs: Array<FixtureTensor | null>;
  grad_inputs: Array<FixtureTensor | null>;
  grads: Record<string, FixtureTensor>;
  state_after: Record<string, FixtureTensor>;
}

function isFixtureTensor(v: unknown): v is FixtureTensor {
  return v != null && typeof v === 'object' && 'b64' in v;
}

/** A module argument written by common.py's submodule() (Sequential's children). */
interface ModuleSpec {
  $module: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

function isModuleSpec(v: unknown): v is ModuleSpec {
  return v != null && typeof v === 'object' && '$module' in v;
}

/**
 * JSON from the fixture to the JS value torch's Python value maps to ('inf'/'nan' strings to numbers, module
 * specs to modules built from `registry`).
 */
function fromJson(v: unknown, registry: Record<string, unknown> = nn): unknown {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  if (Array.isArray(v)) return v.map((x) => fromJson(x, registry));
  if (isFixtureTensor(v)) return toTensor(v);
  if (isModuleSpec(v)) return construct(v.$module, v.args, v.kwargs, registry);
  if (v != null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJson(x, registry)]));
  return v;
}

/** `new registry[kind](...args, kwargs)`, the kwargs object only when there are any. */
function construct(kind: string, rawArgs: unknown, rawKwargs: unknown, registry: Record<string, unknown>): Module {
  const Ctor = registry[kind] as (new (...a: unknown[]) => Module) | undefined;
  if (typeof Ctor !== 'function') throw new Error(`nn.${kind} is not exported`);
  const args = fromJson(rawArgs, registry) as unknown[];
  const kwargs = fromJson(rawKwargs, registry) as Record<string, unknown>;
  return Object.keys(kwargs).length ? new Ctor(...args, kwargs) : new Ctor(...args);
}

/** Flattens a module's output (tensor, tuple, nested arrays) to a list of tensors, as the fixture does. */
function flat(out: unknown): tf.Tensor[] {
  if (out instanceof tf.Tensor) return [out];
  if (out == null) return [];
  if (Array.isArray(out)) return out.flatMap(flat);
  throw new Error(`unsupported module output ${String(out)}`);
}

/**
 * Builds the module of a case: `new nn[kind](...args, kwargs)`.
 * @param c the case.
 * @param registry where the classes are looked up by torch name. Default: `nn`.
 */
export function buildModule(c: ModuleCase, registry: Record<string, unknown> = nn): Module {
  return construct(c.kind, c.args, c.kwargs, registry);
}

/**
 * Checks one case: print text, state-dict keys, forward outputs, gradients of every float input and parameter
 * for `sum(out_i * proj_i)`, and the state dict after the forward passes.
 * @param c the case.
 * @param registry classes by torch name. Default: `nn`.
 */
export function checkModuleCase(c: ModuleCase, registry: Record<string, unknown> = nn): void {
  tf.tidy(() => {
    const m = buildModule(c, registry);
    try {
      expect(m.toString(), 'print(module)').toBe(c.repr);
      expect([...m.stateDict().keys()], 'state-dict keys').toEqual(Object.keys(c.state_dict));
      m.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      m.train(c.train);
      const inputs = c.inputs.map((v) => {
        const x = fromJson(v);
        return x instanceof tf.Tensor && x.dtype === 'float32' ? tf.variable(x) : x;
      });
      const fkw = fromJson(c.forward_kwargs) as Record<string, unknown>;
      const call = () => (Object.keys(fkw).length ? m.forward(...inputs, fkw) : m.forward(...inputs));
      for (let s = 1; s < c.steps; s++) call();
      const outs = flat(call());
      expect(outs.length, 'number of outputs').toBe(c.outputs.length);
      outs.forEach((o, i) => {
        if (c.outputs[i].dtype === 'int64' || c.outputs[i].dtype === 'bool') {
          expect(o.shape, `output ${i}: shape`).toEqual(c.outputs[i].shape);
          expect(Array.from(o.dataSync()), `output ${i}`).toEqual(Array.from(toTensor(c.outputs[i]).dataSync()));
        } else {
          expectClose(o, c.outputs[i], `output ${i}`);
        }
      });
      const terms = outs.flatMap((o, i) => {
        const p = c.projs[i];
        return p && o.dtype === 'float32' ? [tf.sum(tf.mul(o, toTensor(p)))] : [];
      });
      const anyGrad = c.grad_inputs.some((g) => g != null) || Object.keys(c.grads).length > 0;
      if (terms.length && anyGrad) {
        backward(terms.length === 1 ? terms[0] : tf.addN(terms));
        c.grad_inputs.forEach((g, i) => {
          if (g) expectClose((inputs[i] as tf.Variable).grad!, g, `grad of input ${i}`);
        });
        for (const [name, p] of m.namedParameters()) {
          if (c.grads[name]) expectClose(p.grad!, c.grads[name], `grad of ${name}`);
          else expect(p.grad, `grad of ${name} (torch has none)`).toBeNull();
        }
      }
      const after = m.stateDict();
      for (const [k, v] of Object.entries(c.state_after)) expectClose(after.get(k)!, v, `state after: ${k}`);
      inputs.forEach((x) => {
        if (x instanceof tf.Variable) x.dispose();
      });
    } finally {
      for (const p of m.parameters()) p.dispose();
      for (const [, b] of m.namedBuffers()) b?.dispose();
    }
  });
}

/**
 * One vitest `it` per case of a module fixture.
 * @param fixture the loaded fixture.
 * @param registry classes by torch name. Default: `nn`.
 */
export function runModuleCases(fixture: Fixture<ModuleCase>, registry: Record<string, unknown> = nn): void {
  for (const c of fixture.cases) it(c.name, () => checkModuleCase(c, registry));
}
