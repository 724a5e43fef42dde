/**
 * ResNet-18/34 with torchvision's layout (`torchvision.models.resnet18`): the same modules, names and state-dict
 * keys (`conv1.weight`, `bn1.running_mean`, `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, `fc.bias`),
 * so a `state_dict` saved by torch loads unchanged. Built from the library's `nn` modules.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

import { describeValue, int, signature } from '../args';
import { ArgumentTypeError } from '../errors';
import { BatchNorm2d } from '../nn/batchnorm';
import { chainShape, channelsLastLayers, forwardChannelsLast, runChain } from '../nn/channels-last';
import { Conv2d } from '../nn/conv';
import { Sequential } from '../nn/container';
import { ReLU } from '../nn/activation';
import { Linear } from '../nn/linear';
import { Module } from '../nn/module';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling';

/**
 * torchvision's `BasicBlock`: two 3x3 convolutions with batch norm, and the identity (or `downsample`) added back.
 *
 * Mirrors torchvision's `torchvision.models.resnet.BasicBlock` (https://pytorch.org/vision/0.14/models/resnet.html).
 *
 * Shape: `[N, inplanes, H, W]` to `[N, planes, H / stride, W / stride]`.
 * @example
 * ```ts
 * const block = new BasicBlock(64, 128, 2, downsample);
 * ```
 */
export class BasicBlock extends Module {
  /** Output channels per input channel of the block's last convolution (1 for BasicBlock). */
  static readonly expansion = 1;
  /** First 3x3 convolution (carries the stride). */
  readonly conv1: Conv2d;
  /** Its batch norm. */
  readonly bn1: BatchNorm2d;
  /** Shared ReLU. */
  readonly relu: ReLU;
  /** Second 3x3 convolution. */
  readonly conv2: Conv2d;
  /** Its batch norm. */
  readonly bn2: BatchNorm2d;
  /** 1x1 convolution + batch norm on the shortcut, or `null` for the identity. */
  readonly downsample: Module | null;

  /**
   * @param inplanes input channels.
   * @param planes output channels.
   * @param stride stride of the first convolution. Default: `1`.
   * @param downsample the shortcut's module when the shape changes. Default: `null`.
   */
  constructor(inplanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(inplanes, planes, 3, stride, 1, { bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.relu = this.registerModule('relu', new ReLU(true));
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, 1, 1, { bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = downsample ? this.registerModule('downsample', downsample) : null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? (this.downsample.forward(x) as tf.Tensor) : x;
    return this.relu.forward(out.add(identity));
  }

  /** Holds convolutions: a run of blocks saves their transposes (see `nn/channels-last.ts`). */
  readonly computesInChannelsLast = true;

  /** The main path's and the shortcut's layers, when all can run channels-last. */
  private paths() {
    const main = channelsLastLayers([this.conv1, this.bn1, this.relu, this.conv2, this.bn2]);
    const shortcut = channelsLastLayers(this.downsample ? [this.downsample] : []);
    return main && shortcut ? { main, shortcut } : null;
  }

  /** `forward`'s output shape for a 4-d input of `shape` in a channels-last run, or `null`. */
  channelsLastShape(shape: readonly number[]): number[] | null {
    const p = this.paths();
    const out = p && chainShape(p.main, shape);
    const identity = p && chainShape(p.shortcut, shape);
    return out && identity && out.join() === identity.join() ? out : null;
  }

  /** `forward` on the NHWC form of its input, in a channels-last run: the NHWC form of its output. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    const { main, shortcut } = this.paths()!;
    const out = forwardChannelsLast(main, x);
    return this.relu.forwardChannelsLast(out.add(forwardChannelsLast(shortcut, x)));
  }
}

const RESNET = signature('ResNet', [
  ['numClasses', int({ min: 1 }).default(1000)],
  ['width', int({ min: 1 }).default(64)],
]);

/** Options of {@link ResNet}. */
export interface ResNetOptions {
  /** Classes of the final linear layer. Default: `1000`. */
  numClasses?: number;
  /**
   * Channels of the stem and of `layer1` (doubling per stage). Default: `64`, torchvision's; smaller widths keep
   * the same topology and keys with fewer parameters.
   */
  width?: number;
}

/**
 * torchvision's `ResNet` with {@link BasicBlock}s: `conv1` (7x7, stride 2) → `bn1` → `relu` → `maxpool` (3, 2, 1) →
 * `layer1..layer4` → `avgpool` (adaptive, 1x1) → flatten → `fc`.
 *
 * Mirrors `torchvision.models.ResNet` (https://pytorch.org/vision/0.14/models/resnet.html).
 *
 * Shape: `[N, 3, H, W]` to `[N, numClasses]`.
 * @example
 * ```ts
 * const net = resnet18();
 * net.loadStateDict(stateDictFromTorch); // torchvision keys
 * net.eval();
 * const logits = net.forward(images); // [N, 1000]
 * ```
 */
export class ResNet extends Module {
  /** Stem convolution. */
  readonly conv1: Conv2d;
  /** Stem batch norm. */
  readonly bn1: BatchNorm2d;
  /** Stem ReLU. */
  readonly relu: ReLU;
  /** Stem max pooling. */
  readonly maxpool: MaxPool2d;
  /** The four stages. */
  readonly layers: Sequential[];
  /** Global average pooling. */
  readonly avgpool: AdaptiveAvgPool2d;
  /** The classifier. */
  readonly fc: Linear;
  private inplanes: number;

  /**
   * @param layers blocks per stage (`[2, 2, 2, 2]` for ResNet-18, `[3, 4, 6, 3]` for ResNet-34).
   * @param options `numClasses` (default 1000), `width` (default 64).
   */
  constructor(layers: [number, number, number, number], options: ResNetOptions = {}) {
    super();
    if (!Array.isArray(layers) || layers.length !== 4 || layers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new ArgumentTypeError(
        `ResNet(): layers must be 4 block counts (ints >= 1, e.g. [2, 2, 2, 2]), got ${describeValue(layers)}`,
      );
    }
    const { numClasses, width } = RESNET.parseOptions(options);
    this.inplanes = width;
    this.conv1 = this.registerModule('conv1', new Conv2d(3, width, 7, 2, 3, { bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.relu = this.registerModule('relu', new ReLU(true));
    this.maxpool = this.registerModule('maxpool', new MaxPool2d(3, 2, 1));
    this.layers = layers.map((blocks, i) =>
      this.registerModule(`layer${i + 1}`, this.makeLayer(width * 2 ** i, blocks, i === 0 ? 1 : 2)),
    );
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
    this.fc = this.registerModule('fc', new Linear(width * 8 * BasicBlock.expansion, numClasses));
  }

  private makeLayer(planes: number, blocks: number, stride: number): Sequential {
    let downsample: Module | null = null;
    if (stride !== 1 || this.inplanes !== planes) {
      downsample = new Sequential(
        new Conv2d(this.inplanes, planes, 1, stride, { bias: false }),
        new BatchNorm2d(planes),
      );
    }
    const mods: Module[] = [new BasicBlock(this.inplanes, planes, stride, downsample)];
    this.inplanes = planes;
    for (let i = 1; i < blocks; i++) mods.push(new BasicBlock(planes, planes));
    return new Sequential(...mods);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let y = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))) as tf.Tensor;
    // The four stages as one chain: channels-last from layer1's input to layer4's output.
    y = runChain(y, this.layers);
    y = this.avgpool.forward(y);
    return this.fc.forward(y.reshape([y.shape[0] as number, -1]));
  }
}

/**
 * ResNet-18 (torchvision's `resnet18`, random weights): `ResNet([2, 2, 2, 2])`.
 * @param options `numClasses` (default 1000), `width` (default 64).
 * @returns the network.
 * @example
 * ```ts
 * const net = resnet18({ numClasses: 10 });
 * ```
 */
export function resnet18(options: ResNetOptions = {}): ResNet {
  RESNET.parseOptions(options, 'resnet18');
  return new ResNet([2, 2, 2, 2], options);
}

/**
 * ResNet-34 (torchvision's `resnet34`, random weights): `ResNet([3, 4, 6, 3])`.
 * @param options `numClasses` (default 1000), `width` (default 64).
 * @returns the network.
 * @example
 * ```ts
 * const net = resnet34();
 * ```
 */
export function resnet34(options: ResNetOptions = {}): ResNet {
  RESNET.parseOptions(options, 'resnet34');
  return new ResNet([3, 4, 6, 3], options);
}
