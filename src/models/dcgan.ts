/**
 * The reference article's DCGAN for MNIST, module for module: its PyTorch `Generator` / `Discriminator`
 * (with the same submodule names, so state-dict keys and shapes are torch's and a torch checkpoint of the
 * article's model loads unchanged), the Keras variant as a preset, and both weight initialisations.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { any, describeValue, float, signature } from '../args';
import { ArgumentTypeError, ValueError } from '../errors';
import { LeakyReLU, ReLU, Tanh } from '../nn/activation';
import { BatchNorm2d } from '../nn/batchnorm';
import { runChain } from '../nn/channels-last';
import { Conv2d, ConvTranspose2d } from '../nn/conv';
import { Dropout } from '../nn/dropout';
import { constant_, normal_, xavierUniform_ } from '../nn/init';
import { Linear } from '../nn/linear';
import { Module } from '../nn/module';

/** Which of the article's two implementations a model reproduces. */
export type DCGANPreset = 'torch' | 'keras';

/** {@link Generator}'s configuration in the article's snake_case names, as checkpoints store it. */
export interface GeneratorConfig {
  /** Latent size. */
  z_dim: number;
  /** Output channels. */
  image_dim: number;
  /** Output height and width. */
  img_size: number;
  /** Channels after the linear layer. */
  hidden_dim: number;
  /** Which of the article's models. */
  preset: DCGANPreset;
}

/** {@link Discriminator}'s configuration in the article's snake_case names, as checkpoints store it. */
export interface DiscriminatorConfig {
  /** Input channels. */
  image_dim: number;
  /** Input height and width. */
  img_size: number;
  /** Channels of `disc1`. */
  width: number;
  /** Dropout probability of every block. */
  dropout: number;
  /** Which of the article's models. */
  preset: DCGANPreset;
}

/** Options of {@link Generator}. Defaults are the article's. */
export interface GeneratorOptions {
  /** Latent size `z_dim`. Default: `100`. */
  zDim?: number;
  /** Output channels `image_dim`. Default: `1`. */
  imageDim?: number;
  /** Output height and width; a multiple of 4. Default: `28`. */
  imgSize?: number;
  /** Width `hidden_dim`: channels after the linear layer (the article hard-codes 128). Default: `128`. */
  hiddenDim?: number;
  /**
   * `'torch'` (default): the article's PyTorch model (4×4 transposed convolutions, padding 1, BatchNorm
   * momentum 0.8 in torch's sense). `'keras'`: its Keras model (3×3 kernels with 'same' padding, i.e.
   * padding 1 and output padding 1 for the stride-2 layers, Dense with ReLU, BatchNorm whose Keras
   * `momentum=0.8` is torch's 0.2, eps 1e-3, biases off, Tanh).
   */
  preset?: DCGANPreset;
}

/**
 * The article's `gen_conv` block: a transposed convolution, BatchNorm and ReLU, or, for the final block,
 * a convolution and Tanh. Submodules `conv`, `bn` (absent in the final block), `act`.
 *
 * Mirrors the article's `gen_conv` class (no torch counterpart; the layers are
 * [torch.nn.ConvTranspose2d](https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html),
 * [BatchNorm2d](https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html) and ReLU).
 * `toString()` and `summary()` call it `gen_conv`, as torch does.
 *
 * Shape: `[N, inChannels, H, W]` to `[N, outChannels, H_out, W_out]` with ConvTranspose2d's formula
 * (`2H` for the article's k=4, s=2, p=1); final: Conv2d's formula (the same size for k=3, s=1, p=1).
 *
 * @example
 * ```ts
 * const gen1 = new GenConv(128, 128, { kernelSize: 4, stride: 2, padding: 1 });
 * gen1.forward(tf.zeros([2, 128, 7, 7])).shape; // [2, 128, 14, 14]
 * ```
 */
export class GenConv extends Module {
  /** ConvTranspose2d, or Conv2d in the final block. */
  readonly conv: Conv2d | ConvTranspose2d;
  /** BatchNorm2d, or `null` in the final block (the article's `self.bn = False`). */
  readonly bn: BatchNorm2d | null;
  /** ReLU, or Tanh in the final block. */
  readonly act: ReLU | Tanh;

  /**
   * @param inChannels input channels.
   * @param outChannels output channels.
   * @param options kernelSize (3), stride (2), padding (1), outputPadding (0), bias (false), final (false),
   *   bnMomentum (0.8, torch's sense), bnEps (1e-5) — the article's defaults.
   */
  constructor(
    inChannels: number,
    outChannels: number,
    {
      kernelSize = 3,
      stride = 2,
      padding = 1,
      outputPadding = 0,
      bias = false,
      final = false,
      bnMomentum = 0.8,
      bnEps = 1e-5,
    }: {
      kernelSize?: number;
      stride?: number;
      padding?: number;
      outputPadding?: number;
      bias?: boolean;
      final?: boolean;
      bnMomentum?: number;
      bnEps?: number;
    } = {},
  ) {
    super();
    if (final) {
      this.conv = this.registerModule(
        'conv',
        new Conv2d(inChannels, outChannels, kernelSize, { stride, padding, bias }),
      );
      this.bn = null;
      this.act = this.registerModule('act', new Tanh());
    } else {
      this.conv = this.registerModule(
        'conv',
        new ConvTranspose2d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, bias }),
      );
      this.bn = this.registerModule('bn', new BatchNorm2d(outChannels, { momentum: bnMomentum, eps: bnEps }));
      this.act = this.registerModule('act', new ReLU());
    }
  }

  override get typeName(): string {
    return 'gen_conv';
  }

  override forward(x: tf.Tensor): tf.Tensor {
    // One tidy per block: the block's intermediates are freed as soon as it returns (what backward needs
    // is saved by the autograd tape), which lowers the training step's peak memory.
    return tf.tidy(() => {
      let y = this.conv.forward(x);
      if (this.bn) y = this.bn.forward(y);
      return this.act.forward(y);
    });
  }

  /** The layers `forward` runs, in order (the generator runs its blocks channels-last through them). */
  chainLayers(): Module[] {
    return this.bn ? [this.conv, this.bn, this.act] : [this.conv, this.act];
  }
}

/**
 * The article's DCGAN generator: `linear` (z → hidden·(s/4)²) and ReLU, a reshape to
 * `[N, hidden, s/4, s/4]`, then `gen1`, `gen2` (upsampling ×2 each) and `gen3` (to `imageDim` channels,
 * Tanh). State-dict keys: `linear.weight`, `linear.bias`, `gen1.conv.weight`, `gen1.bn.weight`, ...
 *
 * Shape: `[N, zDim]` to `[N, imageDim, imgSize, imgSize]`, values in (-1, 1).
 *
 * @example
 * ```ts
 * const netG = new Generator().apply(weightsInit);
 * const images = netG.forward(torch.randn([16, 100])); // [16, 1, 28, 28]
 * ```
 */
export class Generator extends Module {
  /** Latent size. */
  readonly zDim: number;
  /** Output channels. */
  readonly imageDim: number;
  /** Output height and width. */
  readonly imgSize: number;
  /** Channels after the linear layer. */
  readonly hiddenDim: number;
  /** Which of the article's models this is. */
  readonly preset: DCGANPreset;
  /** `Linear(zDim, hiddenDim · (imgSize/4)²)`. */
  readonly linear: Linear;
  /** ReLU after `linear`. */
  readonly act: ReLU;
  /** Upsampling block `hiddenDim → hiddenDim`, size ×2. */
  readonly gen1: GenConv;
  /** Upsampling block `hiddenDim → hiddenDim/2`, size ×2. */
  readonly gen2: GenConv;
  /** Final block `hiddenDim/2 → imageDim` with Tanh. */
  readonly gen3: GenConv;
  private readonly base: number;

  /**
   * The generator rebuilt from {@link Generator.config}'s output (e.g. a checkpoint's `meta.generator`).
   * @param config `{ z_dim, image_dim, img_size, hidden_dim, preset }`; absent fields take the defaults.
   * @returns a new generator (torch's default initialisation; load the weights next).
   * @throws ValueError when a field has the wrong type or value.
   * @example
   * ```ts
   * const netG = Generator.fromConfig(checkpoint.meta.generator);
   * ```
   */
  static fromConfig(config: unknown): Generator {
    const c = configRecord(config, 'Generator.fromConfig', ['z_dim', 'image_dim', 'img_size', 'hidden_dim', 'preset']);
    return new Generator({
      zDim: c.z_dim as number | undefined,
      imageDim: c.image_dim as number | undefined,
      imgSize: c.img_size as number | undefined,
      hiddenDim: c.hidden_dim as number | undefined,
      preset: c.preset as DCGANPreset | undefined,
    });
  }

  /** @param options sizes and preset; every default is the article's. Default: `{}`. */
  constructor(options: GeneratorOptions = {}) {
    super();
    const { zDim, imageDim, imgSize, hiddenDim, preset } = GENERATOR_OPTIONS.parseOptions(options);
    checkPreset(preset);
    for (const [name, v] of [
      ['zDim', zDim],
      ['imageDim', imageDim],
      ['imgSize', imgSize],
      ['hiddenDim', hiddenDim],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new ValueError(`Generator: ${name} must be a positive integer, got ${v}`);
    }
    if (imgSize % 4 !== 0) {
      throw new ValueError(
        `Generator: imgSize must be a multiple of 4 (the layer stack upsamples imgSize/4 twice by 2), got ${imgSize}`,
      );
    }
    if (hiddenDim % 2 !== 0)
      throw new ValueError(`Generator: hiddenDim must be even (gen2 halves it), got ${hiddenDim}`);
    this.zDim = zDim;
    this.imageDim = imageDim;
    this.imgSize = imgSize;
    this.hiddenDim = hiddenDim;
    this.preset = preset;
    this.base = imgSize / 4;
    const keras = preset === 'keras';
    const up = keras
      ? { kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, bnMomentum: 0.2, bnEps: 1e-3 }
      : { kernelSize: 4, stride: 2, padding: 1 };
    this.linear = this.registerModule('linear', new Linear(zDim, hiddenDim * this.base * this.base));
    this.act = this.registerModule('act', new ReLU());
    this.gen1 = this.registerModule('gen1', new GenConv(hiddenDim, hiddenDim, up));
    this.gen2 = this.registerModule('gen2', new GenConv(hiddenDim, hiddenDim / 2, up));
    this.gen3 = this.registerModule(
      'gen3',
      new GenConv(hiddenDim / 2, imageDim, { kernelSize: 3, stride: 1, padding: 1, final: true }),
    );
  }

  /**
   * The constructor's arguments in the article's snake_case names (what checkpoints store as `meta.generator`).
   * @returns `{ z_dim, image_dim, img_size, hidden_dim, preset }`.
   * @example
   * ```ts
   * Generator.fromConfig(netG.config()); // the same architecture
   * ```
   */
  config(): GeneratorConfig {
    return {
      z_dim: this.zDim,
      image_dim: this.imageDim,
      img_size: this.imgSize,
      hidden_dim: this.hiddenDim,
      preset: this.preset,
    };
  }

  override forward(z: tf.Tensor): tf.Tensor {
    let x = this.act.forward(this.linear.forward(z));
    // torch: x.view(-1, 128, 7, 7). Keras' Reshape((7, 7, 128)) is channels-last: the same numbers
    // land in other places, which only matters when porting Keras weights (transpose the Dense kernel).
    x = tf.reshape(x, [-1, this.hiddenDim, this.base, this.base]);
    // gen1 → gen2 → gen3, channels-last between the first block's input and the last one's output.
    return runChain(x, [this.gen1, this.gen2, this.gen3]);
  }
}

/**
 * The article's `disc_conv` block: a convolution, Dropout(0.25) and LeakyReLU(0.2), registered in the
 * article's order `act`, `drop`, `conv` (so `print(model)` lists them that way); applied conv → drop → act.
 *
 * Mirrors the article's `disc_conv` class (no torch counterpart; the layers are
 * [torch.nn.Conv2d](https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html), Dropout and LeakyReLU).
 * `toString()` and `summary()` call it `disc_conv`, as torch does.
 *
 * Shape: `[N, inChannels, H, W]` to `[N, outChannels, ⌊(H + 2p - k) / s⌋ + 1, ...]`.
 *
 * @example
 * ```ts
 * const disc1 = new DiscConv(1, 32, { kernelSize: 4, stride: 2, padding: 1 });
 * disc1.forward(tf.zeros([2, 1, 28, 28])).shape; // [2, 32, 14, 14]
 * ```
 */
export class DiscConv extends Module {
  /** LeakyReLU(0.2). */
  readonly act: LeakyReLU;
  /** Dropout (0.25 by default). */
  readonly drop: Dropout;
  /** The convolution (no bias by default). */
  readonly conv: Conv2d;

  /**
   * @param inChannels input channels.
   * @param outChannels output channels.
   * @param options kernelSize (5), stride (2), padding (1), bias (false), dropout (0.25) — the article's defaults.
   */
  constructor(
    inChannels: number,
    outChannels: number,
    {
      kernelSize = 5,
      stride = 2,
      padding = 1,
      bias = false,
      dropout = 0.25,
    }: { kernelSize?: number; stride?: number; padding?: number; bias?: boolean; dropout?: number } = {},
  ) {
    super();
    this.act = this.registerModule('act', new LeakyReLU(0.2));
    this.drop = this.registerModule('drop', new Dropout(dropout));
    this.conv = this.registerModule('conv', new Conv2d(inChannels, outChannels, kernelSize, { stride, padding, bias }));
  }

  override get typeName(): string {
    return 'disc_conv';
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.act.forward(this.drop.forward(this.conv.forward(x))));
  }

  /** The layers `forward` runs, in order (the discriminator runs its blocks channels-last through them). */
  chainLayers(): Module[] {
    return [this.conv, this.drop, this.act];
  }
}

/** Options of {@link Discriminator}. Defaults are the article's. */
export interface DiscriminatorOptions {
  /** Input channels. Default: `1`. */
  imageDim?: number;
  /** Input height and width. Default: `28`. */
  imgSize?: number;
  /** Channels of `disc1`; `disc2..disc4` have 2×, 4×, 8× (the article: 32, 64, 128, 256). Default: `32`. */
  width?: number;
  /** Dropout probability of every block. Default: `0.25`. */
  dropout?: number;
  /** `'torch'` (default) or `'keras'` (3×3 kernels, 'same' padding, i.e. padding 1). See {@link GeneratorOptions.preset}. */
  preset?: DCGANPreset;
}

/**
 * The article's DCGAN discriminator: `disc1..disc4` (conv → Dropout → LeakyReLU(0.2)), flatten, `out`
 * (Linear to 1), sigmoid, and torch's `squeeze()` — so the output is `[N]` (a 0-d tensor for N = 1, as in
 * torch).
 *
 * Shape: `[N, imageDim, imgSize, imgSize]` to `[N]`, probabilities in (0, 1).
 *
 * @example
 * ```ts
 * const netD = new Discriminator().apply(weightsInit);
 * const p = netD.forward(images); // [N]
 * ```
 */
export class Discriminator extends Module {
  /** Input channels. */
  readonly imageDim: number;
  /** Input height and width. */
  readonly imgSize: number;
  /** Channels of `disc1`. */
  readonly width: number;
  /** Dropout probability of every block. */
  readonly dropout: number;
  /** Which of the article's models this is. */
  readonly preset: DCGANPreset;
  /** `width` channels, size ÷2. */
  readonly disc1: DiscConv;
  /** `2·width` channels, size ÷2. */
  readonly disc2: DiscConv;
  /** `4·width` channels, size ÷2 (rounded up). */
  readonly disc3: DiscConv;
  /** `8·width` channels, same size. */
  readonly disc4: DiscConv;
  /** `Linear(8·width · s², 1)` on the flattened features. */
  readonly out: Linear;

  /**
   * The discriminator rebuilt from {@link Discriminator.config}'s output (e.g. a checkpoint's `meta.discriminator`).
   * @param config `{ image_dim, img_size, width, dropout, preset }`; absent fields take the defaults.
   * @returns a new discriminator (torch's default initialisation; load the weights next).
   * @throws ValueError when a field has the wrong type or value.
   * @example
   * ```ts
   * const netD = Discriminator.fromConfig(checkpoint.meta.discriminator);
   * ```
   */
  static fromConfig(config: unknown): Discriminator {
    const c = configRecord(config, 'Discriminator.fromConfig', ['image_dim', 'img_size', 'width', 'dropout', 'preset']);
    return new Discriminator({
      imageDim: c.image_dim as number | undefined,
      imgSize: c.img_size as number | undefined,
      width: c.width as number | undefined,
      dropout: c.dropout as number | undefined,
      preset: c.preset as DCGANPreset | undefined,
    });
  }

  /** @param options sizes, dropout and preset; every default is the article's. Default: `{}`. */
  constructor(options: DiscriminatorOptions = {}) {
    super();
    const { imageDim, imgSize, width, dropout, preset } = DISCRIMINATOR_OPTIONS.parseOptions(options);
    checkPreset(preset);
    for (const [name, v] of [
      ['imageDim', imageDim],
      ['imgSize', imgSize],
      ['width', width],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new ValueError(`Discriminator: ${name} must be a positive integer, got ${v}`);
    }
    this.imageDim = imageDim;
    this.imgSize = imgSize;
    this.width = width;
    this.dropout = dropout;
    this.preset = preset;
    const keras = preset === 'keras';
    const specs = [
      { k: keras ? 3 : 4, s: 2 },
      { k: keras ? 3 : 4, s: 2 },
      { k: 3, s: 2 },
      { k: 3, s: 1 },
    ];
    let size = imgSize;
    const sizes: number[] = [];
    for (const { k, s } of specs) {
      size = Math.floor((size + 2 - k) / s) + 1;
      sizes.push(size);
    }
    if (size < 1) {
      throw new ValueError(
        `Discriminator: imgSize ${imgSize} is too small for the layer stack (feature map sizes ${sizes.join(' -> ')})`,
      );
    }
    const ch = [imageDim, width, width * 2, width * 4, width * 8];
    const block = (i: number) =>
      new DiscConv(ch[i], ch[i + 1], { kernelSize: specs[i].k, stride: specs[i].s, padding: 1, dropout });
    this.disc1 = this.registerModule('disc1', block(0));
    this.disc2 = this.registerModule('disc2', block(1));
    this.disc3 = this.registerModule('disc3', block(2));
    this.disc4 = this.registerModule('disc4', block(3));
    this.out = this.registerModule('out', new Linear(ch[4] * size * size, 1));
  }

  /**
   * The constructor's arguments in the article's snake_case names (what checkpoints store as `meta.discriminator`).
   * @returns `{ image_dim, img_size, width, dropout, preset }`.
   * @example
   * ```ts
   * Discriminator.fromConfig(netD.config()); // the same architecture
   * ```
   */
  config(): DiscriminatorConfig {
    return {
      image_dim: this.imageDim,
      img_size: this.imgSize,
      width: this.width,
      dropout: this.dropout,
      preset: this.preset,
    };
  }

  override forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.imageDim || x.shape[2] !== this.imgSize || x.shape[3] !== this.imgSize) {
      throw new ValueError(
        `Discriminator: expected input of shape [N, ${this.imageDim}, ${this.imgSize}, ${this.imgSize}], got [${x.shape.join(', ')}]`,
      );
    }
    // disc1 → ... → disc4, channels-last between the first block's input and the last one's output.
    let h = runChain(x, [this.disc1, this.disc2, this.disc3, this.disc4]);
    h = tf.reshape(h, [h.shape[0], -1]);
    return tf.squeeze(tf.sigmoid(this.out.forward(h)));
  }
}

/** A configuration's fields by name (`Map` or object; unknown names refused, `null` read as absent). */
function configRecord(config: unknown, where: string, known: string[]): Record<string, unknown> {
  const entries =
    config instanceof Map
      ? [...config.entries()]
      : config != null && typeof config === 'object' && !Array.isArray(config)
        ? Object.entries(config)
        : null;
  if (!entries) throw new ValueError(`${where}: expected a configuration object, got ${String(config)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (!known.includes(String(k)))
      throw new ValueError(`${where}: unknown field '${String(k)}' (known: ${known.join(', ')})`);
    if (v !== null) out[String(k)] = v;
  }
  return out;
}

// Option names and types; sizes and the preset are checked by the constructors with their own messages.
const GENERATOR_OPTIONS = signature('Generator', [
  ['zDim', any<number>('a positive int').default(100)],
  ['imageDim', any<number>('a positive int').default(1)],
  ['imgSize', any<number>('a positive int').default(28)],
  ['hiddenDim', any<number>('a positive int').default(128)],
  ['preset', any<DCGANPreset>("'torch' or 'keras'").default('torch')],
]);
const DISCRIMINATOR_OPTIONS = signature('Discriminator', [
  ['imageDim', any<number>('a positive int').default(1)],
  ['imgSize', any<number>('a positive int').default(28)],
  ['width', any<number>('a positive int').default(32)],
  ['dropout', float({ min: 0, max: 1 }).default(0.25)],
  ['preset', any<DCGANPreset>("'torch' or 'keras'").default('torch')],
]);

function checkPreset(preset: string): void {
  if (preset !== 'torch' && preset !== 'keras') {
    throw new ValueError(`preset must be 'torch' or 'keras', got '${preset}'`);
  }
}

/** `model.apply(fn)` passes modules; anything else given to an init function is a mistake, named here. */
function checkModule(m: unknown, where: string): void {
  if (!(m instanceof Module)) {
    throw new ArgumentTypeError(
      `${where}(): expected a Module (use it as model.apply(${where})), got ${describeValue(m)}`,
    );
  }
}

/**
 * The article's `weights_init`: Xavier-uniform convolution weights (gain 1), BatchNorm weight ~ N(0, 1)
 * and bias 0. Use it through `model.apply(weightsInit)`.
 *
 * Note: N(0, 1) BatchNorm weights are the article's choice; pytorch/examples' DCGAN uses N(1, 0.02)
 * ({@link dcganWeightsInit}).
 * @example
 * ```ts
 * const netG = new Generator().apply(weightsInit);
 * ```
 */
export function weightsInit(m: Module): void {
  checkModule(m, 'weightsInit');
  if (m instanceof Conv2d || m instanceof ConvTranspose2d) xavierUniform_(m.weight, 1.0);
  if (m instanceof BatchNorm2d && m.weight && m.bias) {
    normal_(m.weight, 0.0, 1.0);
    constant_(m.bias, 0);
  }
}

/**
 * pytorch/examples' DCGAN `weights_init`: convolution weights ~ N(0, 0.02), BatchNorm weight ~ N(1, 0.02)
 * and bias 0.
 * @example
 * ```ts
 * const netD = new Discriminator().apply(dcganWeightsInit);
 * ```
 */
export function dcganWeightsInit(m: Module): void {
  checkModule(m, 'dcganWeightsInit');
  if (m instanceof Conv2d || m instanceof ConvTranspose2d) normal_(m.weight, 0.0, 0.02);
  if (m instanceof BatchNorm2d && m.weight && m.bias) {
    normal_(m.weight, 1.0, 0.02);
    constant_(m.bias, 0);
  }
}
