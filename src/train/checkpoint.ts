/**
 * The checkpoint of a GAN run: what it holds ({@link GANCheckpoint}: models, optimizers, step, RNG and data
 * position, history, configuration), how it is made from a running training and turned back into models, and
 * its bytes (`torch.save`'s format, through `io/torch-format`). Core-safe: files are `saveCheckpoint` /
 * `loadCheckpoint` in `tfjs-torch/node`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, FormatError, ValueError } from '../errors';
import {
  OrderedDict,
  fromTfStateDict,
  fromTfTensor,
  isTensorData,
  parseTorchFile,
  serializeTorchFile,
  toTfTensor,
} from '../io/torch-format';
import type { PyValue, TensorData } from '../io/torch-format';
import { Discriminator, Generator } from '../models/dcgan';
import type { Module } from '../nn/module';
import { type Optimizer, disposeStateDict } from '../optim/optimizer';

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

/** Refuses what is not a {@link GANCheckpoint} (a typo'd variable, a file path) before any part is read. */
function checkCheckpoint(v: unknown, where: string): void {
  const missing =
    v !== null && typeof v === 'object'
      ? ['netG', 'netD', 'optimizerG', 'optimizerD', 'history', 'meta'].filter((k) => !(k in v))
      : null;
  if (missing === null || missing.length > 0) {
    throw new ArgumentTypeError(
      `${where}(): expected a GANCheckpoint (from parseCheckpoint, loadCheckpoint or onCheckpoint), got ${describeValue(v)}` +
        (missing?.length ? ` without ${missing.join(', ')}` : ''),
    );
  }
}
/** Each {@link GANHistory} field with its snake_case name in the file, in the order of a step's numbers. */
export const HISTORY_KEYS: Array<[keyof GANHistory, string]> = [
  ['dLoss', 'd_loss'],
  ['gLoss', 'g_loss'],
  ['dX', 'd_x'],
  ['dGz1', 'd_g_z1'],
  ['dGz2', 'd_g_z2'],
];

/** A history with no steps. */
export function emptyHistory(): GANHistory {
  return { dLoss: [], gLoss: [], dX: [], dGz1: [], dGz2: [] };
}

/** The first `upTo` steps of `h`, copied. */
export function copyHistory(h: GANHistory, upTo = h.dLoss.length): GANHistory {
  return {
    dLoss: h.dLoss.slice(0, upTo),
    gLoss: h.gLoss.slice(0, upTo),
    dX: h.dX.slice(0, upTo),
    dGz1: h.dGz1.slice(0, upTo),
    dGz2: h.dGz2.slice(0, upTo),
  };
}

function optimizerStateData(opt: Optimizer<object>): OptimizerStateData {
  const sd = opt.stateDict();
  const state = new Map<number, Record<string, TensorData | null>>();
  for (const [i, st] of sd.state) {
    const rec: Record<string, TensorData | null> = {};
    for (const [k, v] of Object.entries(st)) {
      if (v !== null && !(v instanceof tf.Tensor))
        throw new ValueError(`checkpoint: optimizer state ${i}.${k} is not a tensor; only tensor states are stored`);
      rec[k] = v ? fromTfTensor(v) : null;
    }
    state.set(i, rec);
  }
  disposeStateDict(sd);
  return { state, param_groups: sd.param_groups as Array<Record<string, PyValue>> };
}

/** Model configuration in snake_case (the article's constructor argument names), or `null` for other modules. */
function modelConfig(m: Module): Record<string, PyValue> | null {
  if (m instanceof Generator || m instanceof Discriminator) return { ...m.config() };
  return null;
}

/** A configuration stored in `meta` (`generator` / `discriminator`), or `null`. */
export function configField(
  meta: Record<string, PyValue>,
  which: 'generator' | 'discriminator',
): Record<string, unknown> | null {
  const c = meta[which];
  return c != null && typeof c === 'object' ? (c as Record<string, unknown>) : null;
}

/** The key of the first float32 entry holding NaN or an infinity, or `null`. */
export function firstNonFinite(sd: Map<string, TensorData>): string | null {
  for (const [k, td] of sd) {
    if (td.dtype !== 'float32') continue;
    const a = td.data as Float32Array;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return k;
  }
  return null;
}

/** Loads `sd` into `m` (the error names `what`); frees the tensors it made. */
export function loadModuleState(m: Module, sd: Map<string, TensorData>, what: string): void {
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
  checkCheckpoint(checkpoint, 'ganModelsFromCheckpoint');
  const g = configField(checkpoint.meta, 'generator');
  const d = configField(checkpoint.meta, 'discriminator');
  if (!g || !d) {
    throw new ValueError(
      "ganModelsFromCheckpoint: the checkpoint's meta has no generator/discriminator configuration (it was written for " +
        'custom modules); build the modules yourself and load checkpoint.netG / checkpoint.netD',
    );
  }
  const generator = Generator.fromConfig(g);
  const discriminator = Discriminator.fromConfig(d);
  loadModuleState(generator, checkpoint.netG, 'checkpoint netG');
  loadModuleState(discriminator, checkpoint.netD, 'checkpoint netD');
  return { generator, discriminator };
}

/** The parts of a run a checkpoint is made of. */
export interface RunState {
  generator: Module;
  discriminator: Module;
  optimizerG: Optimizer<object>;
  optimizerD: Optimizer<object>;
  step: number;
  seed: number;
  history: GANHistory;
  rngState: Uint8Array;
  dataState: PyValue | null;
  meta: Record<string, PyValue>;
}

/** A {@link GANCheckpoint} of `run` (tensors copied out, so training may go on). */
export function makeCheckpoint(run: RunState): GANCheckpoint {
  // Plain maps, as parseCheckpoint returns them.
  const netG = new Map(fromTfStateDict(run.generator.stateDict(), { dispose: true }));
  const netD = new Map(fromTfStateDict(run.discriminator.stateDict(), { dispose: true }));
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
// Bytes (torch.save format)

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
  checkCheckpoint(checkpoint, 'serializeCheckpoint');
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
