// summary() against torchsummary 1.5.1's tables for the same torch models (scripts/fixtures/summary.py).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

import { Discriminator, Generator } from '../src/models/dcgan';
import * as nn from '../src/nn';
import { getRngState, manualSeed } from '../src/random';
import { rand } from '../src/tensor';
import { summary } from '../src/summary';
import { ArgumentTypeError, ValueError } from '../src/errors';
import { loadFixture } from './helpers';

interface Row {
  name: string;
  output_shape: number[] | number[][];
  params: number;
  trainable: boolean | null;
}
interface Case {
  name: string;
  model: string;
  input_size: number[][];
  batch_size: number;
  rows: Row[];
  total_params: number;
  trainable_params: number;
  sizes_mb: [number, number, number, number];
  text: string;
}

/** The fixture's `Mixed` model: containers, affine-free BatchNorm, a frozen Linear called twice. */
class Mixed extends nn.Module {
  features = this.registerModule(
    'features',
    new nn.Sequential(
      new nn.Conv2d(3, 5, 3, { stride: 2, padding: 1 }),
      new nn.BatchNorm2d(5, { affine: false }),
      new nn.LeakyReLU(0.1),
    ),
  );
  flat = this.registerModule('flat', new nn.Flatten());
  blocks = this.registerModule(
    'blocks',
    new nn.ModuleList([new nn.Linear(5 * 4 * 4, 7, { bias: false }), new nn.Dropout(0.5)]),
  );
  frozen = this.registerModule('frozen', new nn.Linear(7, 7)).requiresGrad_(false);
  head = this.registerModule('head', new nn.Linear(7, 3));

  override forward(x: tf.Tensor): tf.Tensor {
    let h = this.flat.forward(this.features.forward(x));
    for (const b of this.blocks) h = b.forward(h);
    h = this.frozen.forward(this.frozen.forward(h));
    return tf.sigmoid(this.head.forward(h));
  }
}

/** Returns an array of tensors, like the fixture's tuple-returning `Split`. */
class Split extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor[] {
    return [tf.slice(x, [0, 0, 0], [-1, 1, -1]), tf.slice(x, [0, 1, 0], [-1, -1, -1])];
  }
}

class TwoInputs extends nn.Module {
  split = this.registerModule('split', new Split());
  fc = this.registerModule('fc', new nn.Linear(3, 4));
  act = this.registerModule('act', new nn.Tanh());

  override forward(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    const [a, b] = this.split.forward(x) as tf.Tensor[];
    return tf.matMul(this.act.forward(this.fc.forward(tf.add(a, b))), y);
  }
}

const models: Record<string, () => nn.Module> = {
  Generator: () => new Generator(),
  Discriminator: () => new Discriminator(),
  Mixed: () => new Mixed(),
  TwoInputs: () => new TwoInputs(),
  Tie: () => new nn.Sequential(new nn.Linear(255, 128)),
};

const fixture = loadFixture<Case>('summary');

describe('summary: torchsummary 1.5.1 tables for the same torch models', () => {
  for (const c of fixture.cases) {
    it(`${c.name}, batchSize=${c.batch_size}`, () => {
      const model = models[c.model]();
      const size = c.input_size.length === 1 ? c.input_size[0] : c.input_size;
      const s = summary(model, size, { batchSize: c.batch_size, print: false });
      expect(s.layers.map((l) => [l.name, l.outputShape, l.params, l.trainable])).toEqual(
        c.rows.map((r) => [r.name, r.output_shape, r.params, r.trainable]),
      );
      expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([
        c.total_params,
        c.trainable_params,
        c.total_params - c.trainable_params,
      ]);
      expect([s.inputSizeMB, s.forwardBackwardSizeMB, s.paramsSizeMB, s.totalSizeMB]).toEqual(c.sizes_mb);
      expect(s.text).toBe(c.text);
    });
  }
});

describe('summary: behaviour', () => {
  it('prints the table with console.log by default', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const s = summary(new Discriminator(), [1, 28, 28]);
      expect(log).toHaveBeenCalledTimes(1);
      expect(log).toHaveBeenCalledWith(s.text);
    } finally {
      log.mockRestore();
    }
  });

  it('leaves the model, the random generator and memory as they were (train-mode BatchNorm, Dropout)', () => {
    manualSeed(3);
    const g = new Generator();
    const d = new Discriminator();
    const before = tf.tidy(() => [...g.stateDict().values()].map((t) => Array.from(t.dataSync())));
    const forwards = g.modules().map((m) => Object.getOwnPropertyDescriptor(m, 'forward')?.value);
    const rng = getRngState();
    const tensors = tf.memory().numTensors;
    summary(g, [100], { print: false });
    summary(d, [1, 28, 28], { print: false });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(getRngState()).toEqual(rng);
    expect(g.modules().map((m) => Object.getOwnPropertyDescriptor(m, 'forward')?.value)).toEqual(forwards);
    const after = tf.tidy(() => [...g.stateDict().values()].map((t) => Array.from(t.dataSync())));
    expect(after).toEqual(before);
    expect(g.training).toBe(true);
    tf.dispose(rand(1)); // the generator still works
  });

  it('restores the forward methods when the forward pass fails, and says where', () => {
    const d = new Discriminator();
    const forwards = d.modules().map((m) => Object.getOwnPropertyDescriptor(m, 'forward')?.value);
    const tensors = tf.memory().numTensors;
    expect(() => summary(d, [3, 28, 28], { print: false })).toThrow(
      /^Discriminator: expected input of shape \[N, 1, 28, 28\], got \[2, 3, 28, 28\]/,
    );
    expect(d.modules().map((m) => Object.getOwnPropertyDescriptor(m, 'forward')?.value)).toEqual(forwards);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('gives a module reached twice through apply() two rows per call, as torch registers two hooks', () => {
    const shared = new nn.Linear(2, 2);
    const net = new nn.Sequential(new nn.Sequential(shared), new nn.Sequential(shared));
    const s = summary(net, [2], { print: false });
    expect(s.layers.map((l) => l.name)).toEqual(['Linear-1', 'Linear-2', 'Linear-3', 'Linear-4']);
    expect(s.totalParams).toBe(4 * 6);
  });

  it('a model that is a single layer has no rows (torchsummary hooks everything but the model)', () => {
    const s = summary(new nn.Linear(3, 2), [3], { print: false });
    expect(s.layers).toEqual([]);
    expect(s.totalParams).toBe(0);
    expect(s.text).toContain('Total params: 0\n');
  });

  it('rejects bad arguments with clear errors', () => {
    const g = new Generator();
    expect(() => summary({} as nn.Module, [1])).toThrow(ArgumentTypeError);
    expect(() => summary(g, [], { print: false })).toThrow(ValueError);
    expect(() => summary(g, [1.5, 100], { print: false })).toThrow(/non-negative integers, got \[1.5,100\]/);
    expect(() => summary(g, [100], { batchSize: 0.5, print: false })).toThrow(/batchSize must be an integer, got 0.5/);
    class Bad extends nn.Module {
      inner = this.registerModule(
        'inner',
        new (class Inner extends nn.Module {
          override forward(): number {
            return 3;
          }
        })(),
      );
      override forward(x: tf.Tensor): tf.Tensor {
        this.inner.forward();
        return x;
      }
    }
    expect(() => summary(new Bad(), [2], { print: false })).toThrow(/Inner-1 returned number, expected a tf.Tensor/);
  });
});
