// The table-driven functional checker: runs any case written by scripts/fixtures/common.py's function_case()
// against the library's function of the same (camelCase) name: outputs, and the gradients of every float tensor
// argument for sum(out_i * proj_i); a case where torch raised expects an error from the library too.
//
//   describe('F.pad matches torch 1.13', () => runFunctionCases(loadFixture<FunctionCase>('pad')));
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import * as torch from '../src';
import { backward } from '../src/autograd';
import * as F from '../src/nn/functional';
import { type Fixture, type FixtureTensor, expectClose, toTensor } from './helpers';

/** One case of scripts/fixtures/common.py's function_case(). */
export interface FunctionCase {
  name: string;
  fn: string;
  namespace: 'F' | 'torch';
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** torch's error (`ValueError: ...`) when torch refused the call. */
  error?: string;
  outputs?: FixtureTensor[];
  projs?: Array<FixtureTensor | null>;
  /** One entry per argument; a list argument (torch.cat's tensors) has a list of gradients. */
  grad_args?: Array<FixtureTensor | Array<FixtureTensor | null> | null>;
}

function isFixtureTensor(v: unknown): v is FixtureTensor {
  return v != null && typeof v === 'object' && 'b64' in v;
}

function fromJson(v: unknown): unknown {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  if (Array.isArray(v)) return v.map(fromJson);
  if (isFixtureTensor(v)) return toTensor(v);
  if (v != null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJson(x)]));
  return v;
}

function flat(out: unknown): tf.Tensor[] {
  if (out instanceof tf.Tensor) return [out];
  if (out == null) return [];
  if (Array.isArray(out)) return out.flatMap(flat);
  throw new Error(`unsupported output ${String(out)}`);
}

/**
 * Checks one functional case against the library.
 * @param c the case.
 * @param registry functions by camelCase name. Default: `F` or the top-level namespace, by the case's namespace.
 */
export function checkFunctionCase(c: FunctionCase, registry?: Record<string, unknown>): void {
  const reg = registry ?? ((c.namespace === 'F' ? F : torch) as unknown as Record<string, unknown>);
  const fn = reg[c.fn] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') throw new Error(`${c.namespace}.${c.fn} is not exported`);
  tf.tidy(() => {
    // Float tensors (also inside a list argument, as torch.cat's) become variables, to check their gradients.
    const wrap = (x: unknown): unknown =>
      x instanceof tf.Tensor && x.dtype === 'float32' ? tf.variable(x) : Array.isArray(x) ? x.map(wrap) : x;
    const args = c.args.map((v) => wrap(fromJson(v)));
    const kwargs = fromJson(c.kwargs) as Record<string, unknown>;
    const call = () => (Object.keys(kwargs).length ? fn(...args, kwargs) : fn(...args));
    try {
      if (c.error) {
        expect(call, `torch raised ${c.error}`).toThrow();
        return;
      }
      const outs = flat(call());
      expect(outs.length, 'number of outputs').toBe(c.outputs!.length);
      outs.forEach((o, i) => {
        const e = c.outputs![i];
        if (e.dtype === 'int64' || e.dtype === 'bool') {
          expect(o.shape, `output ${i}: shape`).toEqual(e.shape);
          expect(Array.from(o.dataSync()), `output ${i}`).toEqual(Array.from(toTensor(e).dataSync()));
        } else {
          expectClose(o, e, `output ${i}`);
        }
      });
      const terms = outs.flatMap((o, i) => {
        const p = c.projs![i];
        return p && o.dtype === 'float32' ? [tf.sum(tf.mul(o, toTensor(p)))] : [];
      });
      if (terms.length && c.grad_args!.some((g) => g != null)) {
        backward(terms.length === 1 ? terms[0] : tf.addN(terms));
        c.grad_args!.forEach((g, i) => {
          if (Array.isArray(g)) {
            g.forEach((gj: FixtureTensor | null, j) => {
              if (gj) expectClose((args[i] as tf.Variable[])[j].grad!, gj, `grad of argument ${i}[${j}]`);
            });
          } else if (g) expectClose((args[i] as tf.Variable).grad!, g, `grad of argument ${i}`);
        });
      }
    } finally {
      args.flat().forEach((x) => {
        if (x instanceof tf.Variable) x.dispose();
      });
    }
  });
}

/**
 * One vitest `it` per case of a functional fixture.
 * @param fixture the loaded fixture.
 * @param registry functions by camelCase name (default: by each case's namespace).
 */
export function runFunctionCases(fixture: Fixture<FunctionCase>, registry?: Record<string, unknown>): void {
  for (const c of fixture.cases) it(c.name, () => checkFunctionCase(c, registry));
}
