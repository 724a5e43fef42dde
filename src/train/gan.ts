/**
 * `trainGAN`: the reference article's DCGAN training loop as one call, with seeding, sampling, callbacks,
 * cancellation, NaN detection and checkpoints that resume a run exactly. Core-safe (no Node imports): the
 * file side of checkpoints is `saveCheckpoint` / `loadCheckpoint` in `tfjs-torch/node`.
 *
 * One step, as the article's PyTorch loop (torch 1.13 order of random draws, so a seeded run replays it):
 * D on a real batch with label 1, D on `detach(G(z))` with label 0, `dLoss = (real + fake) * 0.5`, Adam
 * step on D; then G on fresh noise `z'` with label 1 through D, Adam step on G.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import type { Parameter } from '../autograd/parameter';
import { backward, detach, noGrad } from '../autograd/tape';
import { BatchSampler, ImageDataset, RandomBatchSampler } from '../data/dataset';
import { FormatError, TorchError, ValueError } from '../errors';
import {
  OrderedDict,
  fromTfTensor,
  isTensorData,
  parseTorchFile,
  serializeTorchFile,
  toTfTensor,
} from '../io/torch-format';
import type { PyValue, TensorData } from '../io/torch-format';
import { Discriminator, Generator, weightsInit as articleWeightsInit } from '../models/dcgan';
import type { DiscriminatorOptions, GeneratorOptions } from '../models/dcgan';
import { BCELoss } from '../nn/loss';
import { Module } from '../nn/module';
import { Adam } from '../optim/adam';
import type { AdamOptions } from '../optim/adam';
import { disposeStateDict } from '../optim/optimizer';
import { Generator as RandomGenerator, getRngState, manualSeed, setRngState } from '../random';
import { randn } from '../tensor';

// ---------------------------------------------------------------------------------------------------------
// Errors

/**
 * A loss became NaN or infinite: training stops at once, and no checkpoint of the bad weights is made.
 * `lastCheckpointStep` is the step of the last checkpoint handed to `onCheckpoint` (`null`: none yet).
 *
 * @example
 * ```ts
 * try { await trainGAN(options); } catch (e) {
 *   if (e instanceof NonFiniteLossError) console.error(e.message, e.history.dLoss.length);
 * }
 * ```
 */
export class NonFiniteLossError extends TorchError {
  constructor(
    /** Which network: `'D'` or `'G'`. */
    readonly which: 'D' | 'G',
    /** The loss value (`NaN`, `Infinity` or `-Infinity`); `NaN` when a weight went bad with a finite loss. */
    readonly value: number,
    /** The step (1-based count) at which it happened. */
    readonly step: number,
    /** Step of the last good checkpoint, or `null`. */
    readonly lastCheckpointStep: number | null,
    /** Everything recorded before the bad step. */
    readonly history: GANHistory,
    /** The state-dict key of the first non-finite weight, when the losses were finite but a weight was not. */
    readonly parameter: string | null = null,
  ) {
    super(
      (parameter === null ? `${which} loss became ${value}` : `${which} weight ${parameter} became non-finite`) +
        ` at step ${step}; ` +
        (lastCheckpointStep === null
          ? 'no checkpoint had been written yet'
          : `the last good checkpoint is kept (step ${lastCheckpointStep})`) +
        ' (try a lower learning rate, or check the data for NaN values)',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Data

/**
 * Where {@link trainGAN} takes its real images from (the article's `x_train[rand_ids]`). `getState`/`setState`
 * let a checkpoint record the position in the data stream, so a resumed run draws the batches the
 * uninterrupted run would have; a source without them resumes with its own next batches.
 *
 * Shape: `nextBatch(b)` returns `[b, C, H, W]` float32.
 * @example
 * ```ts
 * const constant: BatchSource = { imageShape: [1, 28, 28], nextBatch: (b) => tf.zeros([b, 1, 28, 28]) };
 * ```
 */
export interface BatchSource {
  /** The next real batch, float32 `[batchSize, C, H, W]` in [-1, 1] (the caller disposes it). */
  nextBatch(batchSize: number): tf.Tensor4D;
  /** `[C, H, W]` of the images, used to size default models. */
  readonly imageShape?: readonly [number, number, number];
  /** Steps in one epoch at `batchSize` (needed for the `epochs` option). */
  stepsPerEpoch?(batchSize: number): number;
  /** A plain-data snapshot of the stream position (stored in checkpoints). */
  getState?(): PyValue;
  /** Restores a snapshot from {@link getState}. */
  setState?(state: PyValue): void;
}

function stateField(state: PyValue, key: string): unknown {
  if (state instanceof Map) return state.get(key);
  if (state != null && typeof state === 'object') return (state as Record<string, unknown>)[key];
  return undefined;
}

function checkSourceState(state: PyValue, kind: string, where: string): { seed: number; drawn: number } {
  const seed = Number(stateField(state, 'seed'));
  const drawn = Number(stateField(state, 'drawn'));
  if (stateField(state, 'kind') !== kind || !Number.isInteger(seed) || !Number.isInteger(drawn) || drawn < 0) {
    throw new ValueError(
      `${where}: expected a state {kind: '${kind}', seed, drawn} from getState(), got ${JSON.stringify(state)}`,
    );
  }
  return { seed, drawn };
}

/**
 * The article's sampler over an {@link ImageDataset}: each batch is `np.random.randint(len(x_train),
 * size=batch_size)` after `np.random.seed(seed)` (with replacement), NumPy's numbers exactly.
 *
 * @param dataset the images.
 * @param options `{ seed }`. Default: `{}`.
 * @param options.seed the NumPy seed, an integer in [0, 2^32). Default: drawn at random.
 * @returns a {@link BatchSource}; one epoch is `ceil(N / batchSize)` steps.
 * @example
 * ```ts
 * const data = randomBatches(ImageDataset.fromBytes(loadMnistArrays()), { seed: 0 });
 * ```
 */
export function randomBatches(dataset: ImageDataset, { seed }: { seed?: number } = {}): BatchSource {
  const s = seed ?? Math.floor(Math.random() * 2 ** 32);
  let sampler: RandomBatchSampler | null = null;
  let drawn = 0;
  const [, c, h, w] = dataset.shape;
  const indices = (batchSize: number): Int32Array => {
    if (sampler && sampler.batchSize !== batchSize) {
      throw new ValueError(`randomBatches: batch size changed from ${sampler.batchSize} to ${batchSize}`);
    }
    sampler ??= new RandomBatchSampler(dataset.length, batchSize, { seed: s });
    drawn++;
    return sampler.next();
  };
  return {
    imageShape: [c, h, w],
    nextBatch: (batchSize) => dataset.batch(indices(batchSize)).images,
    stepsPerEpoch: (batchSize) => Math.ceil(dataset.length / batchSize),
    getState: () => ({ kind: 'random', seed: s, drawn, batch_size: sampler?.batchSize ?? null }),
    setState(state) {
      const st = checkSourceState(state, 'random', 'randomBatches.setState');
      const batchSize = Number(stateField(state, 'batch_size'));
      if (st.seed !== s)
        throw new ValueError(`randomBatches.setState: the state's seed ${st.seed} differs from this source's ${s}`);
      sampler = null;
      drawn = 0;
      for (let i = 0; i < st.drawn; i++) indices(batchSize);
    },
  };
}

/**
 * Epochs of shuffled batches over an {@link ImageDataset}, in the order
 * `DataLoader(dataset, batch_size, shuffle=True, drop_last, generator=torch.Generator().manual_seed(seed))`
 * yields them (see {@link BatchSampler}); a new epoch starts when one is used up.
 *
 * @param dataset the images.
 * @param options `{ seed, dropLast }`. Default: `{}`.
 * @param options.seed the generator seed in [0, 2^32). Default: drawn at random.
 * @param options.dropLast drop the last incomplete batch of each epoch. Default: `false` (torch's).
 * @returns a {@link BatchSource}.
 * @example
 * ```ts
 * const data = shuffledBatches(ImageDataset.fromBytes(loadIdxArrays(path)), { seed: 1, dropLast: true });
 * ```
 */
export function shuffledBatches(
  dataset: ImageDataset,
  { seed, dropLast = false }: { seed?: number; dropLast?: boolean } = {},
): BatchSource {
  const s = seed ?? Math.floor(Math.random() * 2 ** 32);
  let sampler: BatchSampler | null = null;
  let epoch: Iterator<Int32Array> | null = null;
  let drawn = 0;
  const [, c, h, w] = dataset.shape;
  const indices = (batchSize: number): Int32Array => {
    if (sampler && sampler.batchSize !== batchSize) {
      throw new ValueError(`shuffledBatches: batch size changed from ${sampler.batchSize} to ${batchSize}`);
    }
    sampler ??= new BatchSampler(dataset.length, batchSize, { seed: s, dropLast });
    for (let tries = 0; tries < 2; tries++) {
      epoch ??= sampler[Symbol.iterator]();
      const r = epoch.next();
      if (!r.done) {
        drawn++;
        return r.value;
      }
      epoch = null;
    }
    throw new ValueError(`shuffledBatches: ${dataset.length} images give no batch of ${batchSize} with dropLast`);
  };
  return {
    imageShape: [c, h, w],
    nextBatch: (batchSize) => dataset.batch(indices(batchSize)).images,
    stepsPerEpoch: (batchSize) =>
      dropLast ? Math.floor(dataset.length / batchSize) : Math.ceil(dataset.length / batchSize),
    getState: () => ({ kind: 'shuffled', seed: s, drawn, batch_size: sampler?.batchSize ?? null }),
    setState(state) {
      const st = checkSourceState(state, 'shuffled', 'shuffledBatches.setState');
      const batchSize = Number(stateField(state, 'batch_size'));
      if (st.seed !== s)
        throw new ValueError(`shuffledBatches.setState: the state's seed ${st.seed} differs from this source's ${s}`);
      sampler = null;
      epoch = null;
      drawn = 0;
      for (let i = 0; i < st.drawn; i++) indices(batchSize);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Options, history, results

/**
 * Per-step records, one entry per step from step 1: the article's `gan_error_record` plus D's outputs
 * (its `d_x`, `d_g_z1`, `d_g_z2`).
 * @example
 * ```ts
 * const { history } = await trainGAN({ data, steps: 10 });
 * history.dLoss[9]; // D's loss at step 10
 * ```
 */
export interface GANHistory {
  /** `(BCE(D(x), 1) + BCE(D(G(z)), 0)) * 0.5`. */
  dLoss: number[];
  /** `BCE(D(G(z')), 1)`. */
  gLoss: number[];
  /** Mean of D on the real batch. */
  dX: number[];
  /** Mean of D on the fake batch, in the D step (before D's update). */
  dGz1: number[];
  /** Mean of D on the second fake batch, in the G step (after D's update). */
  dGz2: number[];
}

/**
 * What `onStep` receives after every step.
 * @example
 * ```ts
 * onStep: ({ step, dLoss, gLoss }) => console.log(step, dLoss.toFixed(3), gLoss.toFixed(3))
 * ```
 */
export interface GANStepInfo {
  /** Steps completed so far (1 after the first). */
  step: number;
  /** The step count the run stops at. */
  totalSteps: number;
  /** D's loss this step, `(BCE(D(x), 1) + BCE(D(G(z)), 0)) * 0.5`. */
  dLoss: number;
  /** G's loss this step, `BCE(D(G(z')), 1)`. */
  gLoss: number;
  /** Mean of D on the real batch. */
  dX: number;
  /** Mean of D on the fake batch, in the D step (before D's update). */
  dGz1: number;
  /** Mean of D on the second fake batch, in the G step (after D's update). */
  dGz2: number;
  /** Wall time of this step in milliseconds. */
  ms: number;
  /** The whole history so far (live arrays; read, do not modify). */
  history: GANHistory;
}

/**
 * Options of {@link trainGAN}. Defaults are the article's.
 * @example
 * ```ts
 * const options: TrainGANOptions = { data: ImageDataset.fromBytes(loadMnistArrays()), steps: 500, seed: 0 };
 * ```
 */
export interface TrainGANOptions {
  /** Real images: a {@link BatchSource}, or an {@link ImageDataset} sampled as the article does ({@link randomBatches} seeded with `seed`). Required. */
  data: BatchSource | ImageDataset;
  /** The generator, or options for the article's {@link Generator} built after seeding. Default: `{}` sized to the data. */
  generator?: Module | GeneratorOptions;
  /** The discriminator, or options for the article's {@link Discriminator}. Default: `{}` sized to the data. */
  discriminator?: Module | DiscriminatorOptions;
  /** Initialisation applied (through `apply`) to models built here. Default: the article's `weightsInit`. */
  weightsInit?: ((m: Module) => void) | null;
  /** Total steps (the article's `n_learn`); a resumed run continues up to it. Default: `3001` (when resuming: the checkpoint's total). */
  steps?: number;
  /** Total epochs instead of `steps` (needs a source with `stepsPerEpoch`). */
  epochs?: number;
  /** Images per batch. Default: `128` (when resuming: the checkpoint's). */
  batchSize?: number;
  /** Latent size. Default: the generator's `zDim`, else `100`. */
  zDim?: number;
  /** Adam options of G. Default: `{ lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 }` (the article's). */
  optimizerG?: AdamOptions;
  /** Adam options of D. Default: as `optimizerG`'s default. */
  optimizerD?: AdamOptions;
  /** Seed of torch's default generator (noise, dropout, default init) and of the default data sampler. Default: random (returned). */
  seed?: number;
  /** Noise for `onSample`, `[n, zDim]`. Default: `sampleCount` normals from `new RandomGenerator(seed)`, leaving the training stream alone. */
  fixedNoise?: tf.Tensor;
  /** Rows of the default fixed noise. Default: `64`. */
  sampleCount?: number;
  /** Steps between `onSample` calls (and the last step). Default: `100` (the article's `interval`). */
  sampleEvery?: number;
  /** Called after every step (awaited). */
  onStep?: (info: GANStepInfo) => void | Promise<void>;
  /** Called with `G(fixedNoise)` (eval mode, `[n, C, H, W]` in [-1, 1]; disposed after the call) every `sampleEvery` steps. */
  onSample?: (images: tf.Tensor4D, step: number) => void | Promise<void>;
  /** Stops the run cleanly after the current step; the result has `aborted: true`. */
  signal?: AbortSignal;
  /** A checkpoint to continue from (models, optimizers, step, RNG and data state, history). */
  resume?: GANCheckpoint;
  /** Steps between `onCheckpoint` calls. Default: none. */
  checkpointEvery?: number;
  /** Receives a {@link GANCheckpoint} every `checkpointEvery` steps (awaited), e.g. `(c) => saveCheckpoint(path, c)`. */
  onCheckpoint?: (checkpoint: GANCheckpoint) => void | Promise<void>;
  /** Extra metadata stored in checkpoints (plain data), e.g. the command line. */
  meta?: Record<string, PyValue>;
}

/**
 * What {@link trainGAN} returns.
 * @example
 * ```ts
 * const result = await trainGAN({ data, steps: 100, signal });
 * if (result.aborted) await saveCheckpoint('out/checkpoint.pt', result.checkpoint());
 * ```
 */
export interface TrainGANResult {
  /** Every step's record, including those of the checkpoint the run resumed from. */
  history: GANHistory;
  /** Steps completed. */
  step: number;
  /** The seed the run used (the checkpoint's when resuming). */
  seed: number;
  /** Whether `signal` stopped the run before `steps`. */
  aborted: boolean;
  /** The trained generator (the one given in the options, or the article's built by the run). */
  generator: Module;
  /** The trained discriminator (given, or built by the run). */
  discriminator: Module;
  /** G's Adam, with its moment estimates; disposing it is the caller's job. */
  optimizerG: Adam;
  /** D's Adam, with its moment estimates; disposing it is the caller's job. */
  optimizerD: Adam;
  /** The fixed noise given to `onSample` (`null` when there was none); disposing it is the caller's job. */
  fixedNoise: tf.Tensor | null;
  /** A checkpoint of the state at the end of the run (RNG and data position as they were when it stopped). */
  checkpoint(): GANCheckpoint;
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints

/**
 * An optimizer state dict in torch's structure (`optimizer.state_dict()`) with its tensors as {@link TensorData}.
 * @example
 * ```ts
 * checkpoint.optimizerG.param_groups[0].lr; // 0.0002
 * ```
 */
export interface OptimizerStateData {
  /** Per parameter index (as numbered in `param_groups`' `params`): its buffers by torch's names (Adam: `step`, `exp_avg`, `exp_avg_sq`). */
  state: Map<number, Record<string, TensorData | null>>;
  /** torch's `param_groups`: hyperparameters (`lr`, `betas`, `eps`, ...) and `params`, the indices into `state`. */
  param_groups: Array<Record<string, PyValue>>;
}

/**
 * Everything needed to continue a run exactly. Tensors are {@link TensorData} (plain typed arrays), so a
 * checkpoint stays valid while training goes on and serializes without the backend.
 * Saved by {@link serializeCheckpoint} as the torch dict
 * `{'netG', 'netD', 'optimizerG', 'optimizerD', 'step', 'seed', 'rng_state', 'data_state', 'history', 'meta'}`.
 * @example
 * ```ts
 * const ckpt = result.checkpoint();
 * const again = await trainGAN({ data, steps: 1000, resume: ckpt }); // continues exactly
 * ```
 */
export interface GANCheckpoint {
  /** Steps completed. */
  step: number;
  /** The run's seed. */
  seed: number;
  /** Generator state dict (torch's keys). */
  netG: Map<string, TensorData>;
  /** Discriminator state dict. */
  netD: Map<string, TensorData>;
  /** G's Adam state dict. */
  optimizerG: OptimizerStateData;
  /** D's Adam state dict. */
  optimizerD: OptimizerStateData;
  /** torch's default generator state (`torch.get_rng_state()`, 5056 bytes). */
  rngState: Uint8Array;
  /** The data source's `getState()`, or `null`. */
  dataState: PyValue | null;
  /** Every step's record up to `step`. */
  history: GANHistory;
  /** Model configurations (`generator`, `discriminator`, snake_case), batch size, latent size, user metadata. */
  meta: Record<string, PyValue>;
}

const CHECKPOINT_FORMAT = 'tfjs-torch-gan/1';
const HISTORY_KEYS: Array<[keyof GANHistory, string]> = [
  ['dLoss', 'd_loss'],
  ['gLoss', 'g_loss'],
  ['dX', 'd_x'],
  ['dGz1', 'd_g_z1'],
  ['dGz2', 'd_g_z2'],
];

function emptyHistory(): GANHistory {
  return { dLoss: [], gLoss: [], dX: [], dGz1: [], dGz2: [] };
}

function copyHistory(h: GANHistory, upTo = h.dLoss.length): GANHistory {
  return {
    dLoss: h.dLoss.slice(0, upTo),
    gLoss: h.gLoss.slice(0, upTo),
    dX: h.dX.slice(0, upTo),
    dGz1: h.dGz1.slice(0, upTo),
    dGz2: h.dGz2.slice(0, upTo),
  };
}

function moduleStateData(m: Module): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const [k, t] of m.stateDict()) {
    out.set(k, fromTfTensor(t));
    t.dispose();
  }
  return out;
}

function optimizerStateData(opt: Adam): OptimizerStateData {
  const sd = opt.stateDict();
  const state = new Map<number, Record<string, TensorData | null>>();
  for (const [i, st] of sd.state) {
    const rec: Record<string, TensorData | null> = {};
    for (const [k, v] of Object.entries(st)) rec[k] = v ? fromTfTensor(v) : null;
    state.set(i, rec);
  }
  disposeStateDict(sd);
  return { state, param_groups: sd.param_groups as Array<Record<string, PyValue>> };
}

/** Model configuration in snake_case, the article's constructor argument names, or `null` for other modules. */
function modelConfig(m: Module): Record<string, PyValue> | null {
  if (m instanceof Generator) {
    return { z_dim: m.zDim, image_dim: m.imageDim, img_size: m.imgSize, hidden_dim: m.hiddenDim, preset: m.preset };
  }
  if (m instanceof Discriminator) {
    return {
      image_dim: m.imageDim,
      img_size: m.imgSize,
      width: m.disc1.conv.outChannels,
      dropout: m.disc1.drop.p,
      preset: m.preset,
    };
  }
  return null;
}

function firstNonFinite(sd: Map<string, TensorData>): string | null {
  for (const [k, td] of sd) {
    if (td.dtype !== 'float32') continue;
    const a = td.data as Float32Array;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return k;
  }
  return null;
}

/**
 * The article's models, built in the article's order after the caller seeds: `Discriminator`, then
 * `Generator`, then the initialisation applied to G and then D (so `manualSeed(s)` here equals
 * `torch.manual_seed(s)` before the article's `discriminator = Discriminator(); generator = Generator()`).
 *
 * @param options `{ generator, discriminator, weightsInit }`. Default: `{}`.
 * @param options.generator Generator options. Default: `{}`.
 * @param options.discriminator Discriminator options. Default: `{}`.
 * @param options.weightsInit applied with `apply`; `null` keeps torch's default initialisation. Default: the article's `weightsInit`.
 * @returns `{ generator, discriminator }`.
 * @example
 * ```ts
 * manualSeed(0);
 * const { generator, discriminator } = createDCGAN();
 * ```
 */
export function createDCGAN({
  generator = {},
  discriminator = {},
  weightsInit = articleWeightsInit,
}: {
  generator?: GeneratorOptions;
  discriminator?: DiscriminatorOptions;
  weightsInit?: ((m: Module) => void) | null;
} = {}): {
  /** The article's generator. */
  generator: Generator;
  /** The article's discriminator. */
  discriminator: Discriminator;
} {
  const netD = new Discriminator(discriminator);
  const netG = new Generator(generator);
  if (weightsInit) {
    netG.apply(weightsInit);
    netD.apply(weightsInit);
  }
  return { generator: netG, discriminator: netD };
}

function configField(
  meta: Record<string, PyValue>,
  which: 'generator' | 'discriminator',
): Record<string, unknown> | null {
  const c = meta[which];
  return c != null && typeof c === 'object' ? (c as Record<string, unknown>) : null;
}

function generatorOptionsFrom(c: Record<string, unknown>): GeneratorOptions {
  return {
    zDim: c.z_dim as number,
    imageDim: c.image_dim as number,
    imgSize: c.img_size as number,
    hiddenDim: c.hidden_dim as number,
    preset: c.preset as GeneratorOptions['preset'],
  };
}

function discriminatorOptionsFrom(c: Record<string, unknown>): DiscriminatorOptions {
  return {
    imageDim: c.image_dim as number,
    imgSize: c.img_size as number,
    width: c.width as number,
    dropout: c.dropout as number,
    preset: c.preset as DiscriminatorOptions['preset'],
  };
}

function loadModuleState(m: Module, sd: Map<string, TensorData>, what: string): void {
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [k, td] of sd) tensors.set(k, toTfTensor(td));
    m.loadStateDict(tensors);
  } catch (e) {
    if (e instanceof Error) e.message = `${what}: ${e.message}`;
    throw e;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/**
 * The checkpoint's generator and discriminator, built from its `meta` configuration (the article's
 * classes) and loaded with its weights, in train mode.
 *
 * @param checkpoint from `loadCheckpoint` (in `tfjs-torch/node`), {@link parseCheckpoint} or `onCheckpoint`.
 * @throws ValueError when the checkpoint holds other modules (no configuration): build them yourself and
 *   call `loadStateDict`.
 * @example
 * ```ts
 * const { generator } = ganModelsFromCheckpoint(await loadCheckpoint('out/checkpoint.pt'));
 * const digits = noGrad(() => generator.eval().forward(randn([64, generator.zDim])));
 * ```
 */
export function ganModelsFromCheckpoint(checkpoint: GANCheckpoint): {
  /** The generator with `netG`'s weights. */
  generator: Generator;
  /** The discriminator with `netD`'s weights. */
  discriminator: Discriminator;
} {
  const g = configField(checkpoint.meta, 'generator');
  const d = configField(checkpoint.meta, 'discriminator');
  if (!g || !d) {
    throw new ValueError(
      "ganModelsFromCheckpoint: the checkpoint's meta has no generator/discriminator configuration (it was written for " +
        'custom modules); build the modules yourself and load checkpoint.netG / checkpoint.netD',
    );
  }
  const generator = new Generator(generatorOptionsFrom(g));
  const discriminator = new Discriminator(discriminatorOptionsFrom(d));
  loadModuleState(generator, checkpoint.netG, 'checkpoint netG');
  loadModuleState(discriminator, checkpoint.netD, 'checkpoint netD');
  return { generator, discriminator };
}

/** The parts of a run a checkpoint is made of. */
interface RunState {
  generator: Module;
  discriminator: Module;
  optimizerG: Adam;
  optimizerD: Adam;
  step: number;
  seed: number;
  history: GANHistory;
  rngState: Uint8Array;
  dataState: PyValue | null;
  meta: Record<string, PyValue>;
}

function makeCheckpoint(run: RunState): GANCheckpoint {
  const netG = moduleStateData(run.generator);
  const netD = moduleStateData(run.discriminator);
  return {
    step: run.step,
    seed: run.seed,
    netG,
    netD,
    optimizerG: optimizerStateData(run.optimizerG),
    optimizerD: optimizerStateData(run.optimizerD),
    rngState: run.rngState.slice(),
    dataState: run.dataState,
    history: copyHistory(run.history),
    meta: {
      ...run.meta,
      format: CHECKPOINT_FORMAT,
      generator: modelConfig(run.generator),
      discriminator: modelConfig(run.discriminator),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Training

const ARTICLE_ADAM: AdamOptions = { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 };

function checkCount(v: number | undefined, name: string, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) {
    throw new ValueError(`trainGAN: ${name} must be an integer >= ${min}, got ${v}`);
  }
}

function metaInt(meta: Record<string, PyValue>, key: string): number | undefined {
  const v = meta[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function nextTick(): Promise<void> {
  // A macrotask, not a microtask: lets timers and signal handlers (Ctrl-C -> abort) run between steps.
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Trains a DCGAN with the article's algorithm: per step, D on a real batch (label 1) and on a detached
 * fake batch (label 0) with `dLoss = (BCE(D(x), 1) + BCE(D(G(z)), 0)) * 0.5`, an Adam step on D, then G
 * through D on fresh noise with `gLoss = BCE(D(G(z')), 1)` and an Adam step on G.
 *
 * Follows the article's PyTorch loop ([DCGAN tutorial](https://pytorch.org/tutorials/beginner/dcgan_faces_tutorial.html)
 * has the same structure) and draws torch's random numbers in torch's order: `seed` seeds torch's default
 * generator (`manualSeed`) and, for an {@link ImageDataset}, NumPy's sampler, so the defaults replay the
 * article's script run with `torch.manual_seed(seed); np.random.seed(seed)`. D's parameters are frozen
 * while G's loss is differentiated (torch computes and then discards those gradients; the weights are the same).
 *
 * Each step runs inside one `tf.tidy` and reads back only its five numbers (one `data()` call), then
 * yields to the event loop, so an `AbortSignal` fired by a timer or Ctrl-C handler stops the run after
 * the current step. Callbacks are awaited; the default generator's state is restored after them, so
 * they cannot change the run. A NaN or infinite loss throws {@link NonFiniteLossError} before any further
 * checkpoint. A run resumed from a checkpoint equals the uninterrupted run exactly.
 *
 * @param options see {@link TrainGANOptions}: `data` (required), `generator`, `discriminator`,
 *   `weightsInit` (article's), `steps` (3001) or `epochs`, `batchSize` (128), `zDim` (100),
 *   `optimizerG`/`optimizerD` (Adam lr 2e-4, betas [0.2, 0.999], eps 1e-7), `seed` (random),
 *   `fixedNoise`, `sampleCount` (64), `sampleEvery` (100), `onStep`, `onSample`, `signal`, `resume`,
 *   `checkpointEvery`, `onCheckpoint`, `meta`.
 * @returns the history, models, optimizers and a `checkpoint()` of the final state.
 * @throws ValueError for invalid options; NonFiniteLossError when a loss stops being finite.
 *
 * Shape: real batches `[batchSize, C, H, W]` in [-1, 1]; noise `[batchSize, zDim]`; D outputs `[batchSize]`.
 *
 * @example
 * ```ts
 * await initBackend('wasm');
 * const { history, generator } = await trainGAN({
 *   data: ImageDataset.fromBytes(loadMnistArrays()),
 *   steps: 500,
 *   seed: 0,
 *   onSample: (images, step) => saveImageGrid(images, `samples/step_${step}.png`, { normalize: true, valueRange: [-1, 1] }),
 * });
 * ```
 */
export async function trainGAN(options: TrainGANOptions): Promise<TrainGANResult> {
  const {
    sampleEvery = 100,
    sampleCount = 64,
    optimizerG: optGOptions = {},
    optimizerD: optDOptions = {},
    weightsInit = articleWeightsInit,
    resume,
    signal,
    onStep,
    onSample,
    onCheckpoint,
    checkpointEvery,
  } = options ?? ({} as TrainGANOptions);
  if (options?.data == null)
    throw new ValueError('trainGAN: options.data is required (a BatchSource or an ImageDataset)');
  // A resumed run keeps the batch size and length of the run it continues unless told otherwise.
  const resumedMeta = resume?.meta ?? {};
  const batchSize = options.batchSize ?? metaInt(resumedMeta, 'batch_size') ?? 128;
  checkCount(batchSize, 'batchSize', 1);
  checkCount(options.steps, 'steps', 0);
  checkCount(options.epochs, 'epochs', 0);
  checkCount(sampleEvery, 'sampleEvery', 1);
  checkCount(sampleCount, 'sampleCount', 1);
  checkCount(checkpointEvery, 'checkpointEvery', 1);
  if (options.steps !== undefined && options.epochs !== undefined) {
    throw new ValueError(
      `trainGAN: give steps or epochs, not both (got steps=${options.steps}, epochs=${options.epochs})`,
    );
  }
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0 || options.seed >= 2 ** 32)) {
    throw new ValueError(`trainGAN: seed must be an integer in [0, 2^32), got ${options.seed}`);
  }
  if (resume && options.seed !== undefined && options.seed !== resume.seed) {
    throw new ValueError(
      `trainGAN: seed ${options.seed} differs from the checkpoint's seed ${resume.seed}; omit seed to continue the run exactly`,
    );
  }
  const seed = resume ? resume.seed : (options.seed ?? Math.floor(Math.random() * 2 ** 32));
  manualSeed(seed);

  const data: BatchSource = options.data instanceof ImageDataset ? randomBatches(options.data, { seed }) : options.data;
  if (typeof data.nextBatch !== 'function') {
    throw new ValueError('trainGAN: options.data must be an ImageDataset or have a nextBatch(batchSize) method');
  }
  let totalSteps = options.steps ?? metaInt(resumedMeta, 'total_steps') ?? 3001;
  if (options.epochs !== undefined) {
    if (!data.stepsPerEpoch)
      throw new ValueError('trainGAN: epochs needs a data source with stepsPerEpoch(batchSize); give steps instead');
    totalSteps = options.epochs * data.stepsPerEpoch(batchSize);
  }

  // Models: given, or the article's, built after seeding as the article builds them.
  const [c, h] = data.imageShape ?? [1, 28, 28];
  const sized = { imageDim: c, imgSize: h };
  const gGiven = options.generator instanceof Module ? options.generator : null;
  const dGiven = options.discriminator instanceof Module ? options.discriminator : null;
  const gConf = resume ? configField(resume.meta, 'generator') : null;
  const dConf = resume ? configField(resume.meta, 'discriminator') : null;
  const gOptions = gConf ? generatorOptionsFrom(gConf) : { ...sized, ...(options.generator as GeneratorOptions) };
  const dOptions = dConf
    ? discriminatorOptionsFrom(dConf)
    : { ...sized, ...(options.discriminator as DiscriminatorOptions) };
  // Resumed weights replace the initial ones (and the RNG state is restored below): no init then.
  const init = resume ? null : weightsInit;
  let generator: Module;
  let discriminator: Module;
  if (!gGiven && !dGiven) {
    ({ generator, discriminator } = createDCGAN({ generator: gOptions, discriminator: dOptions, weightsInit: init }));
  } else {
    discriminator = dGiven ?? new Discriminator(dOptions);
    generator = gGiven ?? new Generator(gOptions);
    if (init && !gGiven) generator.apply(init);
    if (init && !dGiven) discriminator.apply(init);
  }
  const genZDim = generator instanceof Generator ? generator.zDim : undefined;
  if (options.zDim !== undefined && genZDim !== undefined && options.zDim !== genZDim) {
    throw new ValueError(`trainGAN: zDim ${options.zDim} differs from the generator's zDim ${genZDim}`);
  }
  const zDim = options.zDim ?? genZDim ?? metaInt(resumedMeta, 'z_dim') ?? 100;
  checkCount(zDim, 'zDim', 1);

  const optimizerG = new Adam(generator.parameters(), { ...ARTICLE_ADAM, ...optGOptions });
  const optimizerD = new Adam(discriminator.parameters(), { ...ARTICLE_ADAM, ...optDOptions });
  let step = 0;
  let history = emptyHistory();
  let lastCheckpointStep: number | null = null;
  if (resume) {
    loadModuleState(generator, resume.netG, 'resume netG');
    loadModuleState(discriminator, resume.netD, 'resume netD');
    optimizerG.loadStateDict(resume.optimizerG as unknown as Record<string, unknown>);
    optimizerD.loadStateDict(resume.optimizerD as unknown as Record<string, unknown>);
    if (resume.dataState != null && data.setState) data.setState(resume.dataState);
    setRngState(resume.rngState);
    step = resume.step;
    history = copyHistory(resume.history, step);
    lastCheckpointStep = step;
  }

  const meta: Record<string, PyValue> = {
    ...(resume?.meta ?? {}),
    ...(options.meta ?? {}),
    batch_size: batchSize,
    z_dim: zDim,
    total_steps: totalSteps,
  };
  const runState = (rngState: Uint8Array, dataState: PyValue | null): RunState => ({
    generator,
    discriminator,
    optimizerG,
    optimizerD,
    step,
    seed,
    history,
    rngState,
    dataState,
    meta,
  });

  let fixedNoise: tf.Tensor | null = options.fixedNoise ?? null;
  if (fixedNoise && (fixedNoise.rank !== 2 || fixedNoise.shape[1] !== zDim)) {
    throw new ValueError(`trainGAN: fixedNoise must have shape [n, ${zDim}], got [${fixedNoise.shape}]`);
  }
  if (!fixedNoise && onSample) fixedNoise = randn([sampleCount, zDim], { generator: new RandomGenerator(seed) });

  const criterion = new BCELoss();
  const dParams = discriminator.parameters();
  generator.train();
  discriminator.train();

  /** One step of the article's loop; returns [dLoss, gLoss, D(x), D(G(z1)), D(G(z2))] as one tensor. */
  let phase: 'D' | 'G' = 'D';
  const trainStep = (): tf.Tensor1D =>
    tf.tidy(() => {
      phase = 'D';
      // D: real batch with label 1.
      const real = data.nextBatch(batchSize);
      discriminator.zeroGrad();
      const outReal = discriminator.forward(real) as tf.Tensor;
      const dLossReal = criterion.forward(outReal, tf.onesLike(outReal));
      // D: a fake batch with label 0; detached, so the D loss does not reach G. Generated under noGrad
      // in its own tidy: nothing of G's forward is recorded or kept while D trains (same numbers).
      const fake = noGrad(() => tf.tidy(() => generator.forward(randn([batchSize, zDim])) as tf.Tensor));
      const outFake = discriminator.forward(detach(fake)) as tf.Tensor;
      const dLossFake = criterion.forward(outFake, tf.zerosLike(outFake));
      const dLoss = tf.mul(tf.add(dLossReal, dLossFake), 0.5);
      backward(dLoss);
      optimizerD.step();
      // G: fresh noise, label 1 through the updated D.
      phase = 'G';
      const fake2 = generator.forward(randn([batchSize, zDim])) as tf.Tensor;
      generator.zeroGrad();
      const frozen = dParams.map((p) => p.requiresGrad);
      dParams.forEach((p) => (p.requiresGrad = false));
      let outG: tf.Tensor;
      let gLoss: tf.Tensor;
      try {
        outG = discriminator.forward(fake2) as tf.Tensor;
        gLoss = criterion.forward(outG, tf.onesLike(outG));
        backward(gLoss);
      } finally {
        dParams.forEach((p: Parameter, i) => (p.requiresGrad = frozen[i]));
      }
      optimizerG.step();
      return noGrad(() => tf.stack([dLoss, gLoss, tf.mean(outReal), tf.mean(outFake), tf.mean(outG)])) as tf.Tensor1D;
    });

  const sample = async (): Promise<void> => {
    if (!onSample || !fixedNoise) return;
    const noise = fixedNoise;
    const images = noGrad(() => {
      const was = generator.training;
      generator.eval();
      try {
        return tf.tidy(() => generator.forward(noise) as tf.Tensor4D);
      } finally {
        generator.train(was);
      }
    });
    try {
      await onSample(images, step);
    } finally {
      images.dispose();
    }
  };

  let aborted = false;
  try {
    while (step < totalSteps) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = Date.now();
      let stats: tf.Tensor1D;
      try {
        stats = trainStep();
      } catch (e) {
        // BCELoss refuses NaN probabilities (as torch does) before a NaN loss exists: the same failure.
        if (e instanceof ValueError && /between 0 and 1/.test(e.message) && /NaN/.test(e.message)) {
          const err = new NonFiniteLossError(phase, NaN, step + 1, lastCheckpointStep, copyHistory(history));
          (err as Error & { cause?: unknown }).cause = e;
          throw err;
        }
        throw e;
      }
      const v = await stats.data();
      stats.dispose();
      const [dLoss, gLoss, dX, dGz1, dGz2] = Array.from(v);
      if (!Number.isFinite(dLoss) || !Number.isFinite(gLoss)) {
        const which = Number.isFinite(dLoss) ? 'G' : 'D';
        throw new NonFiniteLossError(
          which,
          which === 'D' ? dLoss : gLoss,
          step + 1,
          lastCheckpointStep,
          copyHistory(history),
        );
      }
      step++;
      history.dLoss.push(dLoss);
      history.gLoss.push(gLoss);
      history.dX.push(dX);
      history.dGz1.push(dGz1);
      history.dGz2.push(dGz2);

      const wantSample = !!onSample && (step % sampleEvery === 0 || step === totalSteps);
      const wantCheckpoint = !!onCheckpoint && !!checkpointEvery && step % checkpointEvery === 0;
      if (onStep || wantSample || wantCheckpoint) {
        // Callbacks run between steps; whatever they draw from the default generator is undone afterwards.
        const rng = getRngState();
        try {
          if (wantCheckpoint) {
            const ckpt = makeCheckpoint(runState(rng, data.getState?.() ?? null));
            const badG = firstNonFinite(ckpt.netG);
            const badD = badG === null ? firstNonFinite(ckpt.netD) : null;
            if (badG !== null || badD !== null) {
              throw new NonFiniteLossError(
                badG !== null ? 'G' : 'D',
                NaN,
                step,
                lastCheckpointStep,
                copyHistory(history, step - 1),
                badG ?? badD,
              );
            }
            await onCheckpoint!(ckpt);
            lastCheckpointStep = step;
          }
          if (onStep) {
            await onStep({ step, totalSteps, dLoss, gLoss, dX, dGz1, dGz2, ms: Date.now() - t0, history });
          }
          if (wantSample) await sample();
        } finally {
          setRngState(rng);
        }
      }
      await nextTick();
    }
  } catch (e) {
    // Nothing of the run is returned on failure: free what was made here (the models are the caller's).
    optimizerG.dispose();
    optimizerD.dispose();
    if (fixedNoise && fixedNoise !== options.fixedNoise) fixedNoise.dispose();
    throw e;
  }

  const endRng = getRngState();
  const endData = data.getState?.() ?? null;
  return {
    history,
    step,
    seed,
    aborted,
    generator,
    discriminator,
    optimizerG,
    optimizerD,
    fixedNoise,
    checkpoint: () => makeCheckpoint(runState(endRng, endData)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoint bytes (torch.save format)

/**
 * A checkpoint as `torch.save` file bytes: a dict with `netG`/`netD` (`OrderedDict` state dicts),
 * `optimizerG`/`optimizerD` (torch's optimizer state dicts), `step`, `seed`, `rng_state` (uint8 tensor, as
 * `torch.get_rng_state()`), `data_state`, `history` (float32 tensors `d_loss`, `g_loss`, `d_x`, `d_g_z1`,
 * `d_g_z2`) and `meta`. PyTorch reads it with `torch.load(f)` (its optimizer `lr` floats need a plain
 * load in torch 1.13, not `weights_only=True`).
 *
 * @param checkpoint from `onCheckpoint` or `result.checkpoint()`.
 * @param options `{ archiveName }`. Default: `{}`.
 * @param options.archiveName the zip's folder name (torch uses the file's base name). Default: `'checkpoint'`.
 * @returns the file's bytes.
 * @example
 * ```ts
 * const bytes = serializeCheckpoint(result.checkpoint()); // e.g. offer it as a download in a browser
 * ```
 */
export function serializeCheckpoint(
  checkpoint: GANCheckpoint,
  { archiveName = 'checkpoint' }: { archiveName?: string } = {},
): Uint8Array {
  const history: Record<string, TensorData> = {};
  for (const [k, key] of HISTORY_KEYS) {
    const values = checkpoint.history[k];
    history[key] = { dtype: 'float32', shape: [values.length], data: Float32Array.from(values) };
  }
  const optimizer = (o: OptimizerStateData): PyValue => ({ state: o.state, param_groups: o.param_groups });
  const obj: Record<string, PyValue> = {
    netG: new OrderedDict(checkpoint.netG),
    netD: new OrderedDict(checkpoint.netD),
    optimizerG: optimizer(checkpoint.optimizerG),
    optimizerD: optimizer(checkpoint.optimizerD),
    step: checkpoint.step,
    seed: checkpoint.seed,
    rng_state: { dtype: 'uint8', shape: [checkpoint.rngState.length], data: checkpoint.rngState },
    data_state: checkpoint.dataState,
    history,
    meta: checkpoint.meta,
  };
  return serializeTorchFile(obj, { archiveName });
}

/** Plain objects for string-keyed dicts (metadata is read by name). */
function plain(v: PyValue): PyValue {
  if (v instanceof Map) {
    const out: Record<string, PyValue> = {};
    for (const [k, x] of v) out[String(k)] = plain(x);
    return out;
  }
  if (Array.isArray(v) && !Object.isFrozen(v)) return v.map(plain);
  return v;
}

function tensorMap(v: unknown, where: string): Map<string, TensorData> {
  if (!(v instanceof Map)) throw new FormatError(`checkpoint: ${where} must be a state dict, got ${typeof v}`);
  const out = new Map<string, TensorData>();
  for (const [k, t] of v) {
    if (typeof k !== 'string' || !isTensorData(t))
      throw new FormatError(`checkpoint: ${where} must map names to tensors (at ${String(k)})`);
    out.set(k, t);
  }
  return out;
}

function optimizerData(v: unknown, where: string): OptimizerStateData {
  const state = v instanceof Map ? v.get('state') : undefined;
  const groups = v instanceof Map ? v.get('param_groups') : undefined;
  if (!(state instanceof Map) || !Array.isArray(groups)) {
    throw new FormatError(`checkpoint: ${where} must be an optimizer state dict {state, param_groups}`);
  }
  const out = new Map<number, Record<string, TensorData | null>>();
  for (const [i, st] of state) {
    if (!(st instanceof Map)) throw new FormatError(`checkpoint: ${where}.state[${String(i)}] must be a dict`);
    const rec: Record<string, TensorData | null> = {};
    for (const [k, t] of st) {
      if (t !== null && !isTensorData(t))
        throw new FormatError(`checkpoint: ${where}.state[${String(i)}].${String(k)} must be a tensor`);
      rec[String(k)] = t as TensorData | null;
    }
    out.set(Number(i), rec);
  }
  const param_groups = groups.map((g, i) => {
    if (!(g instanceof Map)) throw new FormatError(`checkpoint: ${where}.param_groups[${i}] must be a dict`);
    const rec: Record<string, PyValue> = {};
    for (const [k, x] of g) rec[String(k)] = x;
    return rec;
  });
  return { state: out, param_groups };
}

function toInt(v: unknown, where: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new FormatError(`checkpoint: ${where} must be a non-negative integer, got ${String(v)}`);
  }
  return n;
}

/**
 * Reads checkpoint bytes written by {@link serializeCheckpoint} (or by PyTorch, with the same keys).
 *
 * @param bytes a `torch.save` file.
 * @returns the {@link GANCheckpoint}.
 * @throws FormatError when the file is not a torch file or lacks a checkpoint's entries.
 * @example
 * ```ts
 * const ckpt = parseCheckpoint(new Uint8Array(await file.arrayBuffer()));
 * ```
 */
export function parseCheckpoint(bytes: Uint8Array): GANCheckpoint {
  const obj = parseTorchFile(bytes);
  if (!(obj instanceof Map)) throw new FormatError('checkpoint: expected a dict at the top of the file');
  const required = ['netG', 'netD', 'optimizerG', 'optimizerD', 'step', 'seed', 'rng_state'];
  const missing = required.filter((k) => !obj.has(k));
  if (missing.length) {
    throw new FormatError(
      `checkpoint: missing ${missing.map((k) => `'${k}'`).join(', ')} (a trainGAN checkpoint has ${required.join(', ')}, history, meta); ` +
        `found keys ${[...obj.keys()].map(String).join(', ')}`,
    );
  }
  const rng = obj.get('rng_state');
  if (!isTensorData(rng) || rng.dtype !== 'uint8')
    throw new FormatError('checkpoint: rng_state must be a uint8 tensor (torch.get_rng_state())');
  const history = emptyHistory();
  const savedHistory = obj.get('history');
  for (const [k, key] of HISTORY_KEYS) {
    const t = savedHistory instanceof Map ? savedHistory.get(key) : undefined;
    if (t === undefined) continue;
    if (!isTensorData(t) || t.shape.length !== 1)
      throw new FormatError(`checkpoint: history.${key} must be a 1-d tensor`);
    history[k] = Array.from(t.data as Float32Array, Number);
  }
  const meta = plain(obj.get('meta') ?? {});
  return {
    step: toInt(obj.get('step'), 'step'),
    seed: toInt(obj.get('seed'), 'seed'),
    netG: tensorMap(obj.get('netG'), 'netG'),
    netD: tensorMap(obj.get('netD'), 'netD'),
    optimizerG: optimizerData(obj.get('optimizerG'), 'optimizerG'),
    optimizerD: optimizerData(obj.get('optimizerD'), 'optimizerD'),
    rngState: new Uint8Array(rng.data as Uint8Array),
    dataState: obj.has('data_state') ? plain(obj.get('data_state') as PyValue) : null,
    history,
    meta: meta != null && typeof meta === 'object' ? (meta as Record<string, PyValue>) : {},
  };
}
