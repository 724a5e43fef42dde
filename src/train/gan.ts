/**
 * `trainGAN`: the reference article's DCGAN training loop as one call, with seeding, sampling, callbacks,
 * cancellation, NaN detection and checkpoints that resume a run exactly. The step itself is {@link GANStep}
 * (`./step`), checkpoints are `./checkpoint`, batch sources `data/batches`. Core-safe (no Node imports): the
 * file side of checkpoints is `saveCheckpoint` / `loadCheckpoint` in `tfjs-torch/node`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { Arg, describeValue, func, isOptionsObject, signature } from '../args';
import { noGrad } from '../autograd/tape';
import { type BatchSource, randomBatches } from '../data/batches';
import { ImageDataset } from '../data/dataset';
import { ArgumentTypeError, ProbabilityRangeError, TorchError, ValueError } from '../errors';
import type { PyValue } from '../io/torch-format';
import { Discriminator, Generator, weightsInit as articleWeightsInit } from '../models/dcgan';
import type { DiscriminatorOptions, GeneratorOptions } from '../models/dcgan';
import { Module } from '../nn/module';
import { Adam } from '../optim/adam';
import type { AdamOptions } from '../optim/adam';
import { Generator as RandomGenerator, getRngState, manualSeed, setRngState } from '../random';
import { randn } from '../tensor';
import {
  type GANCheckpoint,
  type GANHistory,
  HISTORY_KEYS,
  type RunState,
  configField,
  copyHistory,
  emptyHistory,
  firstNonFinite,
  loadModuleState,
  makeCheckpoint,
} from './checkpoint';
import { GANStep } from './step';

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
// Options and results

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
// Models

/** An options object (a plain `{...}`), checked by the constructor it is for. */
const optionsArg = <T>() =>
  new Arg<T>('an options object', (v, ctx) => {
    if (!isOptionsObject(v)) {
      throw new ArgumentTypeError(`${ctx.where}(): '${ctx.name}' must be an options object, got ${describeValue(v)}`);
    }
    return v as T;
  });

const CREATE_DCGAN = signature('createDCGAN', [
  ['generator', optionsArg<GeneratorOptions>().default({})],
  ['discriminator', optionsArg<DiscriminatorOptions>().default({})],
  [
    'weightsInit',
    new Arg<((m: Module) => void) | null>('a function or null', (v, ctx) =>
      v === null ? null : func<(m: Module) => void>().check(v, ctx),
    ).default(articleWeightsInit),
  ],
]);

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
export function createDCGAN(
  options: {
    generator?: GeneratorOptions;
    discriminator?: DiscriminatorOptions;
    weightsInit?: ((m: Module) => void) | null;
  } = {},
): {
  /** The article's generator. */
  generator: Generator;
  /** The article's discriminator. */
  discriminator: Discriminator;
} {
  const { generator, discriminator, weightsInit } = CREATE_DCGAN.parseOptions(options);
  const netD = new Discriminator(discriminator);
  let netG: Generator;
  try {
    netG = new Generator(generator);
  } catch (e) {
    for (const t of [...netD.parameters(), ...netD.buffers()]) t.dispose(); // nothing half-built stays allocated
    throw e;
  }
  if (weightsInit) {
    netG.apply(weightsInit);
    netD.apply(weightsInit);
  }
  return { generator: netG, discriminator: netD };
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

/** The run's length, batch size, seed and data source, from the options and the checkpoint resumed. */
interface RunPlan {
  batchSize: number;
  totalSteps: number;
  seed: number;
  data: BatchSource;
}

function planRun(options: TrainGANOptions): RunPlan {
  if (options?.data == null)
    throw new ValueError('trainGAN: options.data is required (a BatchSource or an ImageDataset)');
  const { resume } = options;
  // A resumed run keeps the batch size and length of the run it continues unless told otherwise.
  const resumedMeta = resume?.meta ?? {};
  const batchSize = options.batchSize ?? metaInt(resumedMeta, 'batch_size') ?? 128;
  checkCount(batchSize, 'batchSize', 1);
  checkCount(options.steps, 'steps', 0);
  checkCount(options.epochs, 'epochs', 0);
  checkCount(options.sampleEvery, 'sampleEvery', 1);
  checkCount(options.sampleCount, 'sampleCount', 1);
  checkCount(options.checkpointEvery, 'checkpointEvery', 1);
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
  return { batchSize, totalSteps, seed, data };
}

/**
 * The models: given, or the article's, built after seeding as the article builds them (D first, then G, then
 * the initialisation); a resumed run builds them from the checkpoint's configuration, without initialisation
 * (the weights and the RNG state are restored next).
 */
function buildModels(
  options: TrainGANOptions,
  data: BatchSource,
): { generator: Module; discriminator: Module; zDim: number } {
  const { resume, weightsInit = articleWeightsInit } = options;
  const [c, h] = data.imageShape ?? [1, 28, 28];
  const sized = { imageDim: c, imgSize: h };
  const gGiven = options.generator instanceof Module ? options.generator : null;
  const dGiven = options.discriminator instanceof Module ? options.discriminator : null;
  const gConf = resume ? configField(resume.meta, 'generator') : null;
  const dConf = resume ? configField(resume.meta, 'discriminator') : null;
  const gOptions: GeneratorOptions = { ...sized, ...(options.generator as GeneratorOptions) };
  const dOptions: DiscriminatorOptions = { ...sized, ...(options.discriminator as DiscriminatorOptions) };
  let discriminator: Module;
  let generator: Module;
  if (resume) {
    discriminator = dGiven ?? (dConf ? Discriminator.fromConfig(dConf) : new Discriminator(dOptions));
    generator = gGiven ?? (gConf ? Generator.fromConfig(gConf) : new Generator(gOptions));
  } else if (!gGiven && !dGiven) {
    ({ generator, discriminator } = createDCGAN({ generator: gOptions, discriminator: dOptions, weightsInit }));
  } else {
    discriminator = dGiven ?? new Discriminator(dOptions);
    generator = gGiven ?? new Generator(gOptions);
    if (weightsInit && !gGiven) generator.apply(weightsInit);
    if (weightsInit && !dGiven) discriminator.apply(weightsInit);
  }
  const genZDim = generator instanceof Generator ? generator.zDim : undefined;
  if (options.zDim !== undefined && genZDim !== undefined && options.zDim !== genZDim) {
    throw new ValueError(`trainGAN: zDim ${options.zDim} differs from the generator's zDim ${genZDim}`);
  }
  const zDim = options.zDim ?? genZDim ?? metaInt(resume?.meta ?? {}, 'z_dim') ?? 100;
  checkCount(zDim, 'zDim', 1);
  return { generator, discriminator, zDim };
}

/** Puts the checkpoint's weights, optimizer states, data position and RNG state back. */
function restoreRun(resume: GANCheckpoint, run: Omit<RunState, 'rngState' | 'dataState'>, data: BatchSource): void {
  loadModuleState(run.generator, resume.netG, 'resume netG');
  loadModuleState(run.discriminator, resume.netD, 'resume netD');
  run.optimizerG.loadStateDict(resume.optimizerG as unknown as Record<string, unknown>);
  run.optimizerD.loadStateDict(resume.optimizerD as unknown as Record<string, unknown>);
  if (resume.dataState != null && data.setState) data.setState(resume.dataState);
  setRngState(resume.rngState);
}

/** `G(noise)` in eval mode without gradients (G's mode restored). */
function sampleImages(generator: Module, noise: tf.Tensor): tf.Tensor4D {
  return noGrad(() => {
    const was = generator.training;
    generator.eval();
    try {
      return tf.tidy(() => generator.forward(noise) as tf.Tensor4D);
    } finally {
      generator.train(was);
    }
  });
}

/** A checkpoint of `run`, refused (as a {@link NonFiniteLossError}) when a weight is NaN or infinite. */
function checkedCheckpoint(run: RunState, lastCheckpointStep: number | null): GANCheckpoint {
  const ckpt = makeCheckpoint(run);
  const badG = firstNonFinite(ckpt.netG);
  const badD = badG === null ? firstNonFinite(ckpt.netD) : null;
  if (badG !== null || badD !== null) {
    throw new NonFiniteLossError(
      badG !== null ? 'G' : 'D',
      NaN,
      run.step,
      lastCheckpointStep,
      copyHistory(run.history, run.step - 1),
      badG ?? badD,
    );
  }
  return ckpt;
}

/**
 * Runs one step and reads back its five numbers; a NaN probability reaching BCELoss (torch refuses it before a
 * NaN loss exists) and a non-finite loss both become a {@link NonFiniteLossError}.
 */
async function stepNumbers(
  trainStep: GANStep,
  nextBatch: () => tf.Tensor,
  failure: (which: 'D' | 'G', value: number) => NonFiniteLossError,
): Promise<number[]> {
  let stats: tf.Tensor1D;
  try {
    stats = trainStep.run(nextBatch);
  } catch (e) {
    if (e instanceof ProbabilityRangeError && e.nanCount > 0) {
      const err = failure(trainStep.phase, NaN);
      (err as Error & { cause?: unknown }).cause = e;
      throw err;
    }
    throw e;
  }
  const v = Array.from(await stats.data());
  stats.dispose();
  const [dLoss, gLoss] = v;
  if (!Number.isFinite(dLoss)) throw failure('D', dLoss);
  if (!Number.isFinite(gLoss)) throw failure('G', gLoss);
  return v;
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
    resume,
    signal,
    onStep,
    onSample,
    onCheckpoint,
    checkpointEvery,
  } = options ?? ({} as TrainGANOptions);
  const { batchSize, totalSteps, seed, data } = planRun(options);
  manualSeed(seed);
  const { generator, discriminator, zDim } = buildModels(options, data);
  const optimizerG = new Adam(generator.parameters(), { ...ARTICLE_ADAM, ...options.optimizerG });
  const optimizerD = new Adam(discriminator.parameters(), { ...ARTICLE_ADAM, ...options.optimizerD });
  const meta: Record<string, PyValue> = {
    ...(resume?.meta ?? {}),
    ...(options.meta ?? {}),
    batch_size: batchSize,
    z_dim: zDim,
    total_steps: totalSteps,
  };
  const run: Omit<RunState, 'rngState' | 'dataState'> = {
    ...{ generator, discriminator, optimizerG, optimizerD },
    ...{ step: 0, seed, history: emptyHistory(), meta },
  };
  let lastCheckpointStep: number | null = null;
  if (resume) {
    restoreRun(resume, run, data);
    run.step = resume.step;
    run.history = copyHistory(resume.history, run.step);
    lastCheckpointStep = run.step;
  }
  const snapshot = (rngState: Uint8Array, dataState: PyValue | null): RunState => ({ ...run, rngState, dataState });

  let fixedNoise: tf.Tensor | null = options.fixedNoise ?? null;
  if (fixedNoise && (fixedNoise.rank !== 2 || fixedNoise.shape[1] !== zDim)) {
    throw new ValueError(`trainGAN: fixedNoise must have shape [n, ${zDim}], got [${fixedNoise.shape}]`);
  }
  if (!fixedNoise && onSample) fixedNoise = randn([sampleCount, zDim], { generator: new RandomGenerator(seed) });

  generator.train();
  discriminator.train();
  const trainStep = new GANStep({ generator, discriminator, optimizerG, optimizerD, batchSize, zDim });
  const failure = (which: 'D' | 'G', value: number) =>
    new NonFiniteLossError(which, value, run.step + 1, lastCheckpointStep, copyHistory(run.history));

  /** The callbacks due after a step; whatever they draw from the default generator is undone afterwards. */
  const afterStep = async (stats: number[], ms: number): Promise<void> => {
    const { step, history } = run;
    const [dLoss, gLoss, dX, dGz1, dGz2] = stats;
    const wantSample = !!onSample && (step % sampleEvery === 0 || step === totalSteps);
    const wantCheckpoint = !!onCheckpoint && !!checkpointEvery && step % checkpointEvery === 0;
    if (!onStep && !wantSample && !wantCheckpoint) return;
    const rng = getRngState();
    try {
      if (wantCheckpoint) {
        await onCheckpoint!(checkedCheckpoint(snapshot(rng, data.getState?.() ?? null), lastCheckpointStep));
        lastCheckpointStep = step;
      }
      if (onStep) await onStep({ step, totalSteps, dLoss, gLoss, dX, dGz1, dGz2, ms, history });
      if (wantSample && fixedNoise) {
        const images = sampleImages(generator, fixedNoise);
        try {
          await onSample!(images, step);
        } finally {
          images.dispose();
        }
      }
    } finally {
      setRngState(rng);
    }
  };

  let aborted = false;
  try {
    while (run.step < totalSteps) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = Date.now();
      const stats = await stepNumbers(trainStep, () => data.nextBatch(batchSize), failure);
      run.step++;
      HISTORY_KEYS.forEach(([key], i) => run.history[key].push(stats[i]));
      await afterStep(stats, Date.now() - t0);
      await nextTick();
    }
  } catch (e) {
    // Nothing of the run is returned on failure: free what was made here (the models are the caller's).
    optimizerG.dispose();
    optimizerD.dispose();
    if (fixedNoise && fixedNoise !== options.fixedNoise) fixedNoise.dispose();
    throw e;
  }

  const end = snapshot(getRngState(), data.getState?.() ?? null);
  return {
    history: run.history,
    step: run.step,
    seed,
    aborted,
    generator,
    discriminator,
    optimizerG,
    optimizerD,
    fixedNoise,
    checkpoint: () => makeCheckpoint(end),
  };
}
