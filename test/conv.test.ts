// The convolution family against PyTorch 1.13 (fixtures from scripts/fixtures/conv.py).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { backward, gradOf, requiresGrad_ } from '../src/autograd';
import { registerWasmTrainingKernels } from '../src/backends/wasm-kernels';
import { ShapeError, TorchError, ValueError } from '../src/errors';
import { Conv2d, ConvTranspose2d } from '../src/nn/conv';
import * as F from '../src/nn/functional/conv';
import { manualSeed } from '../src/random';
import { expectClose, loadFixture, toTensor } from './helpers';
import type { FixtureTensor } from './helpers';

interface LayerArgs {
  in_channels: number;
  out_channels: number;
  kernel_size: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number] | 'same' | 'valid';
  output_padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  padding_mode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

interface LayerCase {
  section: 'layer';
  name: string;
  kind: 'Conv2d' | 'ConvTranspose2d';
  args: LayerArgs;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  R: FixtureTensor;
  grad_input: FixtureTensor;
  grad_weight: FixtureTensor;
  grad_bias?: FixtureTensor;
  output_size?: number[];
}

interface ErrorCase {
  section: 'error';
  desc: string;
  torch_message: string;
  fn?: 'conv2d' | 'conv_transpose2d';
  input_shape?: number[];
  weight_shape?: number[];
  bias_shape?: number[];
  options?: Record<string, unknown>;
  module?: 'Conv2d' | 'ConvTranspose2d';
  args?: LayerArgs;
  output_size?: number[];
}

interface InitCase {
  section: 'init';
  seed: number;
  kind: 'Conv2d' | 'ConvTranspose2d';
  args: LayerArgs;
  repr: string;
  state_dict: Record<string, FixtureTensor>;
}

type Case = LayerCase | ErrorCase | InitCase;

const fixture = loadFixture<Case>('conv');
const layers = fixture.cases.filter((c): c is LayerCase => c.section === 'layer');
const errors = fixture.cases.filter((c): c is ErrorCase => c.section === 'error');
const inits = fixture.cases.filter((c): c is InitCase => c.section === 'init');

/** The module torch built from `args` (snake_case keyword arguments), in this library's camelCase. */
function buildModule(kind: 'Conv2d' | 'ConvTranspose2d', a: LayerArgs): Conv2d | ConvTranspose2d {
  const common = {
    stride: a.stride,
    dilation: a.dilation,
    groups: a.groups,
    bias: a.bias,
    paddingMode: a.padding_mode,
  };
  if (kind === 'Conv2d')
    return new Conv2d(a.in_channels, a.out_channels, a.kernel_size, { ...common, padding: a.padding });
  return new ConvTranspose2d(a.in_channels, a.out_channels, a.kernel_size, {
    ...common,
    padding: a.padding as F.IntOrPair,
    outputPadding: a.output_padding,
  });
}

function stateDictOf(c: { state_dict: Record<string, FixtureTensor> }): Map<string, tf.Tensor> {
  return new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)]));
}

/** torch's module options as F's: the output padding that `forward(input, output_size)` would pick. */
function functionalOptions(c: LayerCase): F.Conv2dOptions & F.ConvTranspose2dOptions {
  const a = c.args;
  let outputPadding = a.output_padding ?? 0;
  if (c.output_size) {
    outputPadding = F.convTranspose2dOutputPadding(c.input.shape, c.output_size, a.kernel_size, {
      stride: a.stride,
      padding: a.padding as number | [number, number],
      dilation: a.dilation,
    });
  }
  return { stride: a.stride, padding: a.padding as F.IntOrPair, dilation: a.dilation, groups: a.groups, outputPadding };
}

function functional(c: LayerCase, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  const o = functionalOptions(c);
  // torch's F.conv2d has no output_padding: the kit's argument parser refuses unknown options.
  const { outputPadding: _, ...conv } = o;
  if (c.kind === 'Conv2d') return F.conv2d(x, w, b, { ...conv, padding: c.args.padding });
  return F.convTranspose2d(x, w, b, o);
}

// Non-zeros padding modes are the module's business (torch pads, then calls F.conv2d with padding 0).
const functionalCases = layers.filter((c) => (c.args.padding_mode ?? 'zeros') === 'zeros');

describe('F.conv2d / F.convTranspose2d match torch (output and gradients)', () => {
  test.each(functionalCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = toTensor(c.input);
    const w = toTensor(c.state_dict.weight);
    const b = c.state_dict.bias ? toTensor(c.state_dict.bias) : null;
    const r = toTensor(c.R);
    const out = functional(c, x, w, b);
    expectClose(out, c.output, 'output');

    // Gradients of (out * R).sum() through tfjs's own tf.grads: the op is one customGrad node.
    const inputs = b ? [x, w, b] : [x, w];
    const grads = tf.grads((...args: tf.Tensor[]) => functional(c, args[0], args[1], args[2] ?? null))(inputs, r);
    expectClose(grads[0], c.grad_input, 'grad input');
    expectClose(grads[1], c.grad_weight, 'grad weight');
    if (b) expectClose(grads[2], c.grad_bias!, 'grad bias');
    tf.dispose([x, w, r, out, ...grads]);
    if (b) b.dispose();
  });

  test.each(functionalCases.slice(0, 6).map((c) => [c.name, c] as const))(
    'through autograd backward: %s',
    (_name, c) => {
      const x = requiresGrad_(toTensor(c.input));
      const w = requiresGrad_(toTensor(c.state_dict.weight));
      const b = c.state_dict.bias ? requiresGrad_(toTensor(c.state_dict.bias)) : null;
      const out = functional(c, x, w, b);
      backward(out, toTensor(c.R));
      expectClose(gradOf(x)!, c.grad_input, 'grad input');
      expectClose(gradOf(w)!, c.grad_weight, 'grad weight');
      if (b) expectClose(gradOf(b)!, c.grad_bias!, 'grad bias');
    },
  );
});

/**
 * Loads torch's weights into `m`, then checks the output and the gradients of input, weight and bias
 * against torch's; returns the input (a requires-grad leaf) for further checks.
 */
function checkAgainstTorch(m: ReturnType<typeof buildModule>, c: (typeof layers)[number]): tf.Tensor {
  const sd = stateDictOf(c);
  m.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  const x = requiresGrad_(toTensor(c.input));
  const out = m instanceof ConvTranspose2d ? m.forward(x, c.output_size) : m.forward(x);
  expectClose(out, c.output, 'output');
  backward(out, toTensor(c.R));
  expectClose(gradOf(x)!, c.grad_input, 'grad input');
  expectClose(m.weight.grad!, c.grad_weight, 'grad weight');
  if (c.grad_bias) expectClose(m.bias!.grad!, c.grad_bias, 'grad bias');
  return x;
}

describe('nn.Conv2d / nn.ConvTranspose2d match torch (repr, output, gradients through backward)', () => {
  test.each(layers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = buildModule(c.kind, c.args);
    expect(String(m)).toBe(c.repr);
    expect([...m.stateDict({ keepVars: true }).keys()]).toEqual(Object.keys(c.state_dict));
    const x = checkAgainstTorch(m, c);
    if (!c.grad_bias) expect(m.bias).toBeNull();
    // torch accumulates: a second backward doubles the gradients.
    const again = m instanceof ConvTranspose2d ? m.forward(x, c.output_size) : m.forward(x);
    backward(again, toTensor(c.R));
    expectClose(m.weight.grad!, tf.mul(toTensor(c.grad_weight), 2), 'accumulated grad weight');
  });
});

describe('reset_parameters draws what torch draws after manual_seed', () => {
  test.each(inits.map((c) => [`${c.repr} seed=${c.seed}`, c] as const))('%s', (_name, c) => {
    manualSeed(c.seed);
    const m = buildModule(c.kind, c.args);
    expect(String(m)).toBe(c.repr);
    const sd = m.stateDict();
    expect([...sd.keys()]).toEqual(Object.keys(c.state_dict));
    for (const [k, v] of sd) expectClose(v, c.state_dict[k], k);
    tf.dispose([...sd.values()]);
  });
});

describe('module errors: every configuration torch rejects is rejected', () => {
  const moduleCases = errors.filter((e) => e.module != null);
  test.each(moduleCases.map((e) => [e.desc, e] as const))('%s', (_desc, e) => {
    const run = () => {
      const m = buildModule(e.module!, e.args!);
      if (e.input_shape) {
        const x = tf.zeros(e.input_shape);
        if (m instanceof ConvTranspose2d) m.forward(x, e.output_size);
        else m.forward(x);
      }
    };
    expect(run, `torch: ${e.torch_message}`).toThrow(TorchError);
  });

  test('messages name the module and its expectations', () => {
    const conv = new Conv2d(32, 64, 4, { stride: 2, padding: 1 });
    expect(() => conv.forward(tf.zeros([8, 64, 14, 14]))).toThrow(
      new ShapeError(
        'Conv2d: expected input[1] (channels) to be in_channels = 32, got 64 for input of shape [8, 64, 14, 14]',
      ),
    );
    expect(() => conv.forward(tf.zeros([64, 14]))).toThrow(
      'Conv2d: expected 3-D (unbatched) or 4-D (batched) input, got 2-D input of shape [64, 14]',
    );
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      new ValueError('Conv2d: in_channels (=3) must be divisible by groups (=2)'),
    );
    expect(() => new ConvTranspose2d(4, 6, 3, { groups: 4 })).toThrow(
      'ConvTranspose2d: out_channels (=6) must be divisible by groups (=4)',
    );
    expect(() => new ConvTranspose2d(4, 4, 3, { paddingMode: 'reflect' })).toThrow(
      "ConvTranspose2d: only 'zeros' padding mode is supported, got paddingMode='reflect'",
    );
    expect(() => new Conv2d(4, 4, 3, { paddingMode: 'foo' as 'zeros' })).toThrow(
      "Conv2d: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', but got padding_mode='foo'",
    );
    expect(() => new Conv2d(4, 4, 3, { padding: 3, paddingMode: 'reflect' }).forward(tf.zeros([1, 4, 2, 2]))).toThrow(
      'Conv2d: reflect padding (3, 3) must be smaller than the input size 2 along dimension 3, for input of shape [1, 4, 2, 2]',
    );
    const up = new ConvTranspose2d(4, 4, 3, { stride: 2, padding: 1 });
    expect(() => up.forward(tf.zeros([1, 4, 5, 5]), [12, 12])).toThrow(
      'ConvTranspose2d: convTranspose2dOutputPadding: requested an output size of [12, 12], but valid sizes range from [9, 9] to [10, 10] (for an input of spatial size [5, 5])',
    );
  });

  test('parameters carry torch names and shapes; bias=false registers none', () => {
    const g = new ConvTranspose2d(128, 64, 4, { stride: 2, padding: 1, bias: false, groups: 2 });
    expect(g.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([['weight', [128, 32, 4, 4]]]);
    expect(String(g)).toBe(
      'ConvTranspose2d(128, 64, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), groups=2, bias=False)',
    );
    const d = new Conv2d(64, 128, [3, 5], { padding: 'same', dilation: [1, 2] });
    expect(d.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([
      ['weight', [128, 64, 3, 5]],
      ['bias', [128]],
    ]);
    expect(String(d)).toBe('Conv2d(64, 128, kernel_size=(3, 5), stride=(1, 1), padding=same, dilation=(1, 2))');
  });
});

describe('convTranspose2dOutputSize', () => {
  test.each(layers.filter((c) => c.kind === 'ConvTranspose2d').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const a = c.args;
    const o = functionalOptions(c);
    const size = F.convTranspose2dOutputSize(c.input.shape.slice(-2) as [number, number], a.kernel_size, {
      stride: a.stride,
      padding: a.padding as number,
      outputPadding: o.outputPadding,
      dilation: a.dilation,
    });
    expect(size).toEqual(c.output.shape.slice(-2));
  });
});

describe('functional errors: every argument combination torch rejects is rejected', () => {
  const fnCases = errors.filter((e) => e.fn != null);
  test.each(fnCases.map((e) => [e.desc, e] as const))('%s', (_desc, e) => {
    const x = tf.zeros(e.input_shape!);
    const w = tf.zeros(e.weight_shape!);
    const b = e.bias_shape ? tf.zeros(e.bias_shape) : null;
    const o = e.options ?? {};
    const opts = {
      stride: o.stride,
      padding: o.padding,
      dilation: o.dilation,
      groups: o.groups,
      outputPadding: o.output_padding,
    } as F.Conv2dOptions & F.ConvTranspose2dOptions;
    // torch's F.conv2d has no output_padding (the argument parser refuses unknown options).
    const { outputPadding: _op, ...convOpts } = opts;
    const call = () =>
      e.fn === 'conv2d' ? F.conv2d(x, w, b, convOpts) : F.convTranspose2d(x, w, b, opts as F.ConvTranspose2dOptions);
    expect(call, `torch: ${e.torch_message}`).toThrow(TorchError);
    tf.dispose([x, w]);
    if (b) b.dispose();
  });

  test('messages name what was expected, what came, and where', () => {
    const x = tf.zeros([8, 64, 14, 14]);
    expect(() => F.conv2d(x, tf.zeros([32, 32, 3, 3]))).toThrow(
      new ShapeError(
        'conv2d: expected input[1] (channels) to be weight[1]*groups = 32, got 64 for input of shape [8, 64, 14, 14]',
      ),
    );
    expect(() => F.conv2d(tf.zeros([2, 3]), tf.zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: expected 3-D (unbatched) or 4-D (batched) input, got 2-D input of shape [2, 3]',
    );
    expect(() =>
      F.convTranspose2d(tf.zeros([1, 4, 5, 5]), tf.zeros([4, 4, 3, 3]), null, { stride: 2, outputPadding: 2 }),
    ).toThrow(
      new ValueError(
        'convTranspose2d: output padding must be smaller than either stride or dilation, got outputPadding=2, stride=2, dilation=1 (height)',
      ),
    );
    expect(() =>
      F.conv2d(tf.zeros([1, 4, 5, 5]), tf.zeros([4, 4, 3, 3]), null, { stride: 2, padding: 'same' }),
    ).toThrow("conv2d: padding='same' is not supported for strided convolutions, got stride=[2, 2]");
    expect(() => F.conv2d(tf.zeros([1, 3, 2, 2]), tf.zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: calculated padded input size per channel (2 x 2) is smaller than the kernel size (3 x 3, dilation included), for input of shape [1, 3, 2, 2]',
    );
    expect(() => F.conv2d(tf.zeros([1, 4, 5, 5]), tf.zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: expected weight[0] (out channels) to be divisible by groups = 2, got weight of shape [3, 2, 3, 3]',
    );
    expect(() => F.conv2d(tf.zeros([1, 4, 5, 5], 'int32'), tf.zeros([4, 4, 3, 3]))).toThrow(
      'conv2d: expected input to be float32, got int32 (shape [1, 4, 5, 5])',
    );
    expect(() => F.conv2d(tf.zeros([1, 4, 5, 5]), tf.zeros([4, 4, 3, 3]), null, { stride: 1.5 })).toThrow(
      "conv2d(): argument 'stride' must be an int >= 1, got number 1.5",
    );
    expect(() => F.convTranspose2dOutputPadding([1, 4, 5, 5], [12, 12], 3, { stride: 2, padding: 1 })).toThrow(
      new ValueError(
        'convTranspose2dOutputPadding: requested an output size of [12, 12], but valid sizes range from [9, 9] to [10, 10] (for an input of spatial size [5, 5])',
      ),
    );
  });
});

describe('memory', () => {
  test('forward passes in a tidy loop leave no tensors behind', () => {
    const x = tf.randomNormal([2, 3, 9, 7]);
    const w = tf.randomNormal([4, 3, 3, 3]);
    const wt = tf.randomNormal([3, 2, 3, 3]);
    const b = tf.randomNormal([4]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        F.conv2d(x, w, b, { stride: 2, padding: 1, dilation: 2 });
        F.conv2d(x, tf.randomNormal([6, 1, 3, 3]), null, { groups: 3, padding: 'same' });
        F.convTranspose2d(x, wt, null, { stride: 3, padding: 1, outputPadding: 2, dilation: 2 });
        F.convTranspose2d(x, tf.randomNormal([3, 1, 2, 2]), null, {
          stride: 3,
          padding: 2,
          outputPadding: 2,
          groups: 3,
        });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('module forward and backward in a tidy loop leave only the accumulated gradients', () => {
    const layers = [
      new Conv2d(3, 4, 3, { padding: 1, paddingMode: 'reflect' }),
      new Conv2d(3, 6, 3, { stride: 2, padding: 'valid', groups: 3 }),
      new ConvTranspose2d(3, 4, 4, { stride: 2, padding: 1 }),
    ];
    const x = tf.randomNormal([2, 3, 7, 6]);
    const step = () =>
      tf.tidy(() => {
        for (const m of layers) backward(tf.sum(m.forward(x)));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    for (const m of layers) m.zeroGrad();
  });

  test('a gradient pass through tf.grads leaves nothing behind but the gradients', () => {
    const x = tf.randomNormal([2, 4, 6, 5]);
    const w = tf.randomNormal([4, 3, 4, 4]);
    const b = tf.randomNormal([6]);
    const before = tf.memory().numTensors;
    const grads = tf.tidy(() =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        F.convTranspose2d(a, c, d, { stride: 2, padding: 1, groups: 2, dilation: 2, outputPadding: 1 }),
      )([x, w, b]),
    );
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose(grads);
  });
});

// Last: switches the backend. The wasm backend lacks Conv2DBackpropFilter; src/backends registers one.
describe("on the wasm backend, with the library's training kernels", () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test.each(layers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    checkAgainstTorch(buildModule(c.kind, c.args), c);
  });
});
