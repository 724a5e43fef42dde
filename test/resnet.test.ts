// ResNet-18 with torchvision's layout loads a state dict written by torch.save and gives torch's logits
// (test/fixtures/resnet18_w8.pt and resnet.json, written by scripts/fixtures/resnet.py). The fixture's network has
// base width 8 instead of torchvision's 64: the same topology, modules and state-dict keys, but ~0.75 MB of weights
// instead of ~45 MB (the fixtures stay under 1 MB each).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

import { backward } from '../src/autograd';
import { parseTorchFile, toTfStateDict } from '../src/io/torch-format';
import { resnet18 } from '../src/models/resnet';
import { type FixtureTensor, expectClose, loadFixture, toTensor, useWasmBackend } from './helpers';

interface ResNetCase {
  width: number;
  num_classes: number;
  keys: string[];
  input: FixtureTensor;
  eval_logits: FixtureTensor;
  input_1: FixtureTensor;
  eval_logits_1: FixtureTensor;
  train_logits: FixtureTensor;
  state_after_train: Record<string, FixtureTensor>;
  repr: string;
}

const c = loadFixture<ResNetCase>('resnet').cases[0]!;
const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('./fixtures/resnet18_w8.pt', import.meta.url))));

function loaded() {
  const net = resnet18({ numClasses: c.num_classes, width: c.width });
  const sd = toTfStateDict(parseTorchFile(bytes));
  net.loadStateDict(sd); // strict: every key present, no extra ones, same shapes
  tf.dispose([...sd.values()]);
  return net;
}

function dispose(net: ReturnType<typeof resnet18>) {
  for (const p of net.parameters()) p.dispose();
  for (const [, b] of net.namedBuffers()) b?.dispose();
}

function checks() {
  test("torchvision's keys and print text", () => {
    const net = resnet18({ numClasses: c.num_classes, width: c.width });
    expect([...net.stateDict().keys()]).toEqual(c.keys);
    expect(net.toString()).toBe(c.repr);
    dispose(net);
  });

  test('eval logits within 1e-4 of torch (two inputs, odd size)', () => {
    const net = loaded();
    net.eval();
    tf.tidy(() => {
      expectClose(net.forward(toTensor(c.input)), c.eval_logits, 'eval logits', { rtol: 1e-4, atol: 1e-4 });
      expectClose(net.forward(toTensor(c.input_1)), c.eval_logits_1, 'eval logits (1x3x40x36)', {
        rtol: 1e-4,
        atol: 1e-4,
      });
    });
    dispose(net);
  });

  test('train-mode logits and running statistics after one step; the whole net trains', () => {
    const net = loaded();
    net.train();
    tf.tidy(() => {
      const y = net.forward(toTensor(c.input));
      expectClose(y, c.train_logits, 'train logits', { rtol: 1e-4, atol: 1e-4 });
      backward(tf.sum(tf.square(y)));
    });
    const sd = net.stateDict();
    for (const [k, v] of Object.entries(c.state_after_train)) expectClose(sd.get(k)!, v, k);
    for (const [name, p] of net.namedParameters()) expect(p.grad, `grad of ${name}`).not.toBeNull();
    dispose(net);
  });
}

describe('ResNet-18 (torchvision layout) from a torch state dict, cpu', checks);
describe('ResNet-18 (torchvision layout) from a torch state dict, wasm', () => {
  useWasmBackend();
  checks();
});
