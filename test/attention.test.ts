// nn.MultiheadAttention and the Transformer family against torch 1.13 (scripts/fixtures/attention.py,
// scripts/fixtures/transformer.py): outputs, attention weights, gradients of every float input and parameter,
// print(model); on cpu and wasm. Bad masks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { backward } from '../src/autograd';
import * as nn from '../src/nn';
import type { Module } from '../src/nn/module';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface Spec {
  kind: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

interface AttentionCase {
  name: string;
  spec: Spec;
  train: boolean;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  inputs: Array<FixtureTensor | unknown>;
  kwargs: Record<string, FixtureTensor | unknown>;
  ts_args: unknown[];
  outputs: FixtureTensor[];
  projs: FixtureTensor[];
  grad_inputs: Array<FixtureTensor | null>;
  grads: Record<string, FixtureTensor>;
  mask?: FixtureTensor;
}

const isSpec = (v: unknown): v is Spec => v != null && typeof v === 'object' && 'kind' in v;
const isTensor = (v: unknown): v is FixtureTensor => v != null && typeof v === 'object' && 'b64' in v;

function build(spec: Spec): Module {
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[spec.kind];
  const args = spec.args.map((a) => (isSpec(a) ? build(a) : a));
  const kwargs = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [k, isSpec(v) ? build(v) : v]));
  const m = Object.keys(kwargs).length ? new Ctor(...args, kwargs) : new Ctor(...args);
  // TransformerEncoder/Decoder copy the layer they are given; free the template.
  args.forEach((a) => {
    if (a instanceof nn.TransformerEncoderLayer || a instanceof nn.TransformerDecoderLayer)
      for (const p of a.parameters()) p.dispose();
  });
  return m;
}

function check(c: AttentionCase): void {
  tf.tidy(() => {
    const m = build(c.spec);
    try {
      expect(m.toString(), 'print(model)').toBe(c.repr);
      expect([...m.stateDict().keys()], 'state-dict keys').toEqual(Object.keys(c.state_dict));
      m.loadStateDict(new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      m.train(c.train);
      const inputs = c.inputs.map((v) => {
        if (!isTensor(v)) return v;
        const t = toTensor(v);
        return t.dtype === 'float32' ? tf.variable(t) : t;
      });
      // torch's query/key/value may be one tensor: the same variable then gets the summed gradient.
      const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, isTensor(v) ? toTensor(v) : v]));
      const resolve = (v: unknown): unknown => {
        if (v == null || typeof v !== 'object') return v;
        if ('ref' in v) return inputs[(v as { ref: number }).ref];
        if ('kref' in v) return kwargs[(v as { kref: string }).kref];
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      };
      const args = c.ts_args.map(resolve);
      const out = (m.forward as (...a: unknown[]) => unknown)(...args);
      const outs = (Array.isArray(out) ? out : [out]).filter((o): o is tf.Tensor => o != null);
      expect(outs.length, 'number of outputs').toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `output ${i}`, { atol: 2e-5 }));
      backward(tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, toTensor(c.projs[i]))))));
      c.grad_inputs.forEach((g, i) => {
        if (g) expectClose((inputs[i] as tf.Variable).grad!, g, `grad of input ${i}`, { atol: 2e-5 });
      });
      for (const [name, p] of m.namedParameters()) {
        if (c.grads[name]) expectClose(p.grad!, c.grads[name], `grad of ${name}`, { atol: 2e-5 });
      }
      for (const x of inputs) {
        if (x instanceof tf.Variable) {
          x.grad?.dispose();
          x.dispose();
        }
      }
    } finally {
      for (const p of m.parameters()) p.dispose();
    }
  });
}

const cases = [...loadFixture<AttentionCase>('attention').cases, ...loadFixture<AttentionCase>('transformer').cases];
const moduleCases = cases.filter((c) => c.spec);

describe('attention and Transformer match torch 1.13 (cpu)', () => {
  for (const c of moduleCases) it(c.name, () => check(c));
  it('generateSquareSubsequentMask', () => {
    const c = cases.find((x) => x.mask)!;
    expect(Array.from(nn.Transformer.generateSquareSubsequentMask(4).dataSync())).toEqual(
      Array.from(toTensor(c.mask!).dataSync()),
    );
  });
});

describe('attention and Transformer match torch 1.13 (wasm)', () => {
  useWasmBackend();
  for (const c of moduleCases) it(c.name, () => check(c));
});

describe('attention: bad input', () => {
  const mha = new nn.MultiheadAttention(4, 2);
  const x = tf.zeros([3, 2, 4]);
  it('mask of the wrong shape or dtype, wrong ranks', () => {
    expect(() => mha.forward(x, x, x, { attnMask: tf.zeros([3, 4]) })).toThrow(
      /The shape of the 2D attn_mask is \[3, 4\], but should be \(3, 3\)/,
    );
    expect(() => mha.forward(x, x, x, { keyPaddingMask: tf.zeros([2, 4], 'bool') })).toThrow(
      /expecting key_padding_mask shape of \(2, 3\), but got \[2, 4\]/,
    );
    expect(() => mha.forward(x, x, x, { keyPaddingMask: tf.zeros([2, 3], 'int32') })).toThrow(/bool and float/);
    expect(() => mha.forward(x, tf.zeros([3, 4]), x)).toThrow(/expected `key` and `value` to be 3-D/);
    expect(() => new nn.MultiheadAttention(5, 2)).toThrow(/embed_dim must be divisible by num_heads/);
  });
  it('Transformer: batch and feature mismatches name the shapes', () => {
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
    expect(() => t.forward(tf.zeros([3, 2, 4]), tf.zeros([3, 3, 4]))).toThrow(
      /the batch number of src and tgt must be equal \(src \[3, 2, 4\], tgt \[3, 3, 4\]\)/,
    );
    expect(() => t.forward(tf.zeros([3, 2, 4]), tf.zeros([3, 2, 5]))).toThrow(/feature number/);
  });
});
