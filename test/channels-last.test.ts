// Channels-last runs (src/nn/channels-last.ts): chains of convolutions, BatchNorm and elementwise layers run on NHWC
// activations between their ends. Each case runs a model with the runs on and off (module by module, NCHW, the
// path the torch fixtures check) from the same seed and compares the outputs, every parameter's gradient and every
// buffer, and that the run happened (fewer Transpose kernels) or, where something can observe the inside, did not.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';

import { Discriminator, Generator, TorchError, manualSeed, nn } from '../src';
import { gradOf } from '../src/autograd/tape';
import { resnet18 } from '../src/models/resnet';
import { setChannelsLastRuns } from '../src/nn/channels-last';
import { expectClose, useWasmBackend } from './helpers';

interface Outcome {
  y: tf.Tensor;
  grads: Array<[string, tf.Tensor]>;
  buffers: Array<[string, tf.Tensor]>;
  transposes: number;
}

/** Builds a model from seed 7, runs forward and backward of a weighted sum of the output, and keeps everything. */
async function outcome(
  channelsLast: boolean,
  build: () => nn.Module,
  shape: number[],
  { train = true }: { train?: boolean } = {},
): Promise<Outcome> {
  setChannelsLastRuns(channelsLast);
  manualSeed(7);
  const m = build();
  m.train(train);
  const x = tf.randomNormal(shape, 0, 1, 'float32', 11);
  let y: tf.Tensor | null = null;
  const prof = await tf.profile(() => {
    y = tf.keep(m.forward(x) as tf.Tensor);
    const w = tf.div(tf.range(0, y.size), y.size).reshape(y.shape);
    tf.sum(tf.mul(y, w)).backward();
  });
  const grads = [...m.namedParameters()].map(([k, p]) => [k, tf.keep(gradOf(p)!.clone())] as [string, tf.Tensor]);
  const buffers = [...m.namedBuffers()].map(([k, b]) => [k, tf.keep(b.clone())] as [string, tf.Tensor]);
  return { y: y!, grads, buffers, transposes: prof.kernels.filter((k) => k.name === 'Transpose').length };
}

/** Runs `build` both ways; expects the same numbers, and (when `expectRun`) fewer transposes with the runs on. */
async function expectSame(build: () => nn.Module, shape: number[], expectRun: boolean, train = true): Promise<void> {
  const on = await outcome(true, build, shape, { train });
  const off = await outcome(false, build, shape, { train });
  const tol = { rtol: 1e-4, atol: 1e-5 };
  expectClose(on.y, off.y, 'output', tol);
  for (let i = 0; i < on.grads.length; i++) expectClose(on.grads[i][1], off.grads[i][1], on.grads[i][0], tol);
  for (let i = 0; i < on.buffers.length; i++) expectClose(on.buffers[i][1], off.buffers[i][1], on.buffers[i][0], tol);
  if (expectRun) expect(on.transposes).toBeLessThan(off.transposes);
  else expect(on.transposes).toBe(off.transposes);
  for (const o of [on, off]) tf.dispose([o.y, ...o.grads.map((g) => g[1]), ...o.buffers.map((b) => b[1])]);
}

/** pytorch/examples' dcgan generator, small: ConvTranspose2d / BatchNorm2d / ReLU blocks and a Tanh. */
const examplesGenerator = () =>
  new nn.Sequential(
    new nn.ConvTranspose2d(6, 12, 4, 1, 0, { bias: false }),
    new nn.BatchNorm2d(12),
    new nn.ReLU(true),
    new nn.ConvTranspose2d(12, 6, 4, 2, 1, { bias: false }),
    new nn.BatchNorm2d(6),
    new nn.ReLU(true),
    new nn.ConvTranspose2d(6, 3, 4, 2, 1, { bias: false }),
    new nn.Tanh(),
  );

/** pytorch/examples' dcgan discriminator, small, with a Dropout and a Dropout2d. */
const examplesDiscriminator = () =>
  new nn.Sequential(
    new nn.Conv2d(3, 6, 4, 2, 1, { bias: false }),
    new nn.LeakyReLU(0.2, true),
    new nn.Dropout(0.3),
    new nn.Conv2d(6, 12, 4, 2, 1, { bias: false }),
    new nn.BatchNorm2d(12),
    new nn.LeakyReLU(0.2, true),
    new nn.Dropout2d(0.4),
    new nn.Conv2d(12, 1, 4, 1, 0, { bias: false }),
    new nn.Sigmoid(),
  );

function cases(): void {
  afterEach(() => setChannelsLastRuns(true));

  test('the article DCGAN: generator and discriminator (torch and keras presets)', async () => {
    await expectSame(() => new Generator({ hiddenDim: 16, imgSize: 12 }), [3, 100], true);
    await expectSame(() => new Generator({ hiddenDim: 16, imgSize: 8, preset: 'keras' }), [2, 100], true);
    await expectSame(() => new Discriminator({ width: 8, imgSize: 12 }), [3, 1, 12, 12], true);
    await expectSame(() => new Discriminator({ width: 4, imgSize: 8, preset: 'keras' }), [1, 1, 8, 8], true);
  });

  test('pytorch/examples dcgan as Sequentials; eval mode; batch 1; odd sizes', async () => {
    await expectSame(examplesGenerator, [5, 6, 1, 1], true);
    await expectSame(examplesGenerator, [2, 6, 1, 1], true, false);
    await expectSame(examplesDiscriminator, [3, 3, 16, 16], true);
    await expectSame(examplesDiscriminator, [1, 3, 16, 16], true, false);
    const odd = () =>
      new nn.Sequential(
        new nn.Conv2d(5, 7, 3, { padding: 'same', dilation: 2 }),
        new nn.BatchNorm2d(7, { momentum: null }),
        new nn.SiLU(),
        new nn.Conv2d(7, 4, [2, 3], { stride: [2, 1], padding: [1, 0], groups: 1 }),
        new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      );
    await expectSame(odd, [2, 5, 9, 7], true);
  });

  test('ResNet: the four stages as one chain of residual blocks (shortcuts with and without downsampling)', async () => {
    await expectSame(() => resnet18({ numClasses: 5, width: 4 }), [2, 3, 32, 32], true);
    await expectSame(() => resnet18({ numClasses: 5, width: 4 }), [1, 3, 29, 31], true, false);
    // A hook on one block: that block runs module by module, the stretches around it still channels-last.
    const hooked = () => {
      const net = resnet18({ numClasses: 5, width: 4 });
      (net.layers[1].get(0) as nn.Module).registerForwardHook(() => undefined);
      return net;
    };
    await expectSame(hooked, [2, 3, 32, 32], true);
  });

  test('layers that cannot run channels-last split the chain; nested Sequentials flatten', async () => {
    const mixed = () =>
      new nn.Sequential(
        new nn.Conv2d(3, 4, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.Sequential(new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4)),
        new nn.MaxPool2d(2),
        new nn.Conv2d(4, 8, 3),
        new nn.Flatten(),
        new nn.Linear(8, 2),
      );
    await expectSame(mixed, [2, 3, 6, 6], true);
    // One convolution between the splits: nothing to gain, so module by module.
    const single = () => new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU());
    await expectSame(single, [2, 3, 6, 6], false);
    // Reflect padding runs in NCHW (its pad op): the chain splits there.
    const reflect = () =>
      new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1, paddingMode: 'reflect' }), new nn.Conv2d(4, 4, 3));
    await expectSame(reflect, [2, 3, 6, 6], false);
  });

  test('hooks, a subclass overriding forward and a replaced forward see and keep NCHW module by module', async () => {
    const seen: number[][] = [];
    const hooked = () => {
      const s = examplesDiscriminator();
      (s.get(3) as nn.Module).registerForwardHook((_m, _args, out) => {
        seen.push((out as tf.Tensor).shape);
      });
      return s;
    };
    await expectSame(hooked, [2, 3, 16, 16], false);
    expect(seen).toEqual([
      [2, 12, 4, 4],
      [2, 12, 4, 4],
    ]);
    class Doubled extends nn.Conv2d {
      override forward(x: tf.Tensor): tf.Tensor {
        return tf.mul(super.forward(x), 2);
      }
    }
    const sub = () => new nn.Sequential(new Doubled(3, 4, 3), new nn.ReLU(), new nn.Conv2d(4, 2, 3));
    const plain = () => new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU(), new nn.Conv2d(4, 2, 3));
    await expectSame(sub, [1, 3, 7, 7], false);
    const a = await outcome(true, sub, [1, 3, 7, 7]);
    const b = await outcome(true, plain, [1, 3, 7, 7]);
    expect(a.y.sub(b.y).abs().max().dataSync()[0]).toBeGreaterThan(0);
    const replaced = () => {
      const s = plain();
      const conv = s.get(0) as nn.Conv2d;
      const own = conv.forward.bind(conv);
      conv.forward = (x: tf.Tensor) => tf.mul(own(x), 3);
      return s;
    };
    await expectSame(replaced, [1, 3, 7, 7], false);
  });

  test('a refused input raises the layer error, with the module path, as module by module', () => {
    const s = examplesDiscriminator();
    const messages: string[] = [];
    for (const on of [true, false]) {
      setChannelsLastRuns(on);
      try {
        s.forward(tf.zeros([2, 4, 16, 16]));
      } catch (e) {
        expect(e).toBeInstanceOf(TorchError);
        messages.push((e as Error).message);
      }
    }
    expect(messages).toHaveLength(2);
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toContain('[2, 4, 16, 16]');
    // BatchNorm in training with one value per channel: torch's error, not a channels-last one.
    const bn = () => new nn.Sequential(new nn.Conv2d(1, 2, 1), new nn.BatchNorm2d(2), new nn.Conv2d(2, 2, 1));
    for (const on of [true, false]) {
      setChannelsLastRuns(on);
      expect(() => bn().forward(tf.zeros([1, 1, 1, 1]))).toThrow(/Expected more than 1 value per channel/);
    }
  });

  test('no tensor leaks; the DCGAN generator and discriminator outputs stay NCHW', () => {
    const g = new Generator({ hiddenDim: 16, imgSize: 12 });
    const d = new Discriminator({ width: 8, imgSize: 12 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const img = g.forward(tf.zeros([2, 100]));
      expect(img.shape).toEqual([2, 1, 12, 12]);
      expect(d.forward(img).shape).toEqual([2]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
}

describe('channels-last runs on cpu', cases);

describe('channels-last runs on wasm', () => {
  useWasmBackend();
  cases();
});
