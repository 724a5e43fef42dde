/**
 * `summary(model, inputSize)`: the layer table of `torchsummary`, the package the reference article
 * imports (`from torchsummary import summary`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { noGrad } from './autograd';
import { ArgumentTypeError, ValueError } from './errors';
import { ModuleList, Sequential } from './nn/container';
import { Module } from './nn/module';
import { getRngState, setRngState } from './random';
import { pyList } from './repr';

/** One row of {@link summary}'s table: a call of one module during the forward pass. */
export interface LayerSummary {
  /** `<type name>-<row number>`, e.g. `ConvTranspose2d-3` (the type name is `print(model)`'s). */
  name: string;
  /**
   * Output shape with dim 0 replaced by `batchSize`; for a module that returns an array of tensors, one
   * shape per tensor with dim 0 written `-1` (as torchsummary does).
   */
  outputShape: number[] | number[][];
  /** Elements of the module's `weight` plus `bias` tensors (0 for modules without them). */
  params: number;
  /** `weight.requiresGrad`, or `null` when the module has no `weight` tensor (then not counted as trainable). */
  trainable: boolean | null;
}

/** What {@link summary} returns: the rows, the totals and the printed text. */
export interface ModelSummary {
  /** One row per module call, in the order the calls returned. */
  layers: LayerSummary[];
  /** Sum of the rows' `params` (a module called twice counts twice, as in torchsummary). */
  totalParams: number;
  /** Sum of the `params` of rows whose `weight` requires grad. */
  trainableParams: number;
  /** `totalParams - trainableParams`. */
  nonTrainableParams: number;
  /** Input size: `∏ inputSize · |batchSize|` numbers of 4 bytes, in MiB (torchsummary's "MB"). */
  inputSizeMB: number;
  /** Forward/backward pass size: twice the rows' output elements (values and gradients), 4 bytes each, in MiB. */
  forwardBackwardSizeMB: number;
  /** Parameter size: `totalParams` numbers of 4 bytes, in MiB. */
  paramsSizeMB: number;
  /** The sum of the three sizes. */
  totalSizeMB: number;
  /** The table exactly as `torchsummary.summary` prints it (lines joined by `\n`, no trailing newline). */
  text: string;
}

/** Options of {@link summary}. */
export interface SummaryOptions {
  /** Shown as dim 0 of every output shape; `-1` means "any". Default: `-1`. */
  batchSize?: number;
  /** Print the table with `console.log`, as torchsummary does. Default: `true`. */
  print?: boolean;
}

const RULE = '-'.repeat(64);
const DOUBLE_RULE = '='.repeat(64);

/**
 * Prints a model's layers with their output shapes and parameter counts, exactly as `torchsummary`
 * 1.5.1 (the `pip install torchsummary` version the article uses) prints them for the same torch model,
 * and returns the figures.
 *
 * Mirrors [torchsummary.summary](https://github.com/sksq96/pytorch-summary) (it has no page on
 * pytorch.org). As there, a forward pass runs on a batch of 2 (so BatchNorm works in train mode), with
 * zeros here and without recording gradients, and every module except the model itself, `Sequential`
 * and `ModuleList` gets one row each time its `forward` returns — so a block such as the article's
 * `gen_conv` gets a row after its children's, a module called twice gets two rows, and functional ops
 * (`tf.sigmoid`, `tf.reshape`) get none. A row's parameters are its module's `weight` and `bias`; it
 * counts as trainable when `weight.requiresGrad`. The memory estimate counts 4 bytes a number: the input
 * (`∏ inputSize · |batchSize|`), twice every row's output (for gradients), and the parameters.
 *
 * Unlike torchsummary, the model is left as it was: BatchNorm's running statistics and the default
 * random generator (which train-mode Dropout draws from) are restored afterwards.
 *
 * Shape: `inputSize` excludes the batch dimension: `[1, 28, 28]` runs the model on `[2, 1, 28, 28]`.
 *
 * @param model the model; its `forward` takes one tensor per entry of `inputSize`.
 * @param inputSize one input's shape without the batch dimension (torch's `(1, 28, 28)` is `[1, 28, 28]`),
 *   or a list of them for a model with several inputs (`[[2, 3], [4, 2]]`).
 * @param options `{ batchSize, print }`. Default: `{}`.
 * @param options.batchSize dim 0 of the displayed shapes. Default: `-1`.
 * @param options.print print the table with `console.log`. Default: `true`.
 * @returns the rows, totals, size estimates and the text.
 * @example
 * ```ts
 * summary(new Generator(), [1, 100]);
 * // ----------------------------------------------------------------
 * //         Layer (type)               Output Shape         Param #
 * // ================================================================
 * //             Linear-1              [-1, 1, 6272]         633,472
 * //               ReLU-2              [-1, 1, 6272]               0
 * //    ConvTranspose2d-3          [-1, 128, 14, 14]         262,144
 * // ...
 * // Total params: 1,027,648
 * const { totalParams } = summary(new Discriminator(), [1, 28, 28], { print: false }); // 406017
 * ```
 */
export function summary(
  model: Module,
  inputSize: readonly number[] | ReadonlyArray<readonly number[]>,
  { batchSize = -1, print = true }: SummaryOptions = {},
): ModelSummary {
  if (!(model instanceof Module)) {
    throw new ArgumentTypeError(`summary: expected an nn.Module as model, got ${describe(model)}`);
  }
  if (!Number.isInteger(batchSize)) throw new ValueError(`summary: batchSize must be an integer, got ${batchSize}`);
  const sizes = toSizeList(inputSize);
  const layers = traceLayers(model, sizes, batchSize);

  let totalParams = 0;
  let trainableParams = 0;
  let totalOutput = 0;
  for (const l of layers) {
    totalParams += l.params;
    if (l.trainable) trainableParams += l.params;
    totalOutput += (l.outputShape as Array<number | number[]>).flat().reduce((a, b) => a * b, 1);
  }
  // torchsummary's arithmetic, operation for operation (the signs come from batch_size = -1).
  const inputElements = sizes.flat().reduce((a, b) => a * b, 1);
  const inputSizeMB = Math.abs((inputElements * batchSize * 4) / 1024 ** 2);
  const forwardBackwardSizeMB = Math.abs((2 * totalOutput * 4) / 1024 ** 2);
  const paramsSizeMB = Math.abs((totalParams * 4) / 1024 ** 2);
  const totalSizeMB = paramsSizeMB + forwardBackwardSizeMB + inputSizeMB;

  const row = (a: string, b: string, c: string) => `${a.padStart(20)}  ${b.padStart(25)} ${c.padStart(15)}`;
  const lines = [RULE, row('Layer (type)', 'Output Shape', 'Param #'), DOUBLE_RULE];
  for (const l of layers) lines.push(row(l.name, pyList(l.outputShape), thousands(l.params)));
  lines.push(
    DOUBLE_RULE,
    `Total params: ${thousands(totalParams)}`,
    `Trainable params: ${thousands(trainableParams)}`,
    `Non-trainable params: ${thousands(totalParams - trainableParams)}`,
    RULE,
    `Input size (MB): ${fixed2(inputSizeMB)}`,
    `Forward/backward pass size (MB): ${fixed2(forwardBackwardSizeMB)}`,
    `Params size (MB): ${fixed2(paramsSizeMB)}`,
    `Estimated Total Size (MB): ${fixed2(totalSizeMB)}`,
    RULE,
  );
  const text = lines.join('\n');
  if (print) console.log(text);
  return {
    layers,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    inputSizeMB,
    forwardBackwardSizeMB,
    paramsSizeMB,
    totalSizeMB,
    text,
  };
}

function toSizeList(inputSize: readonly number[] | ReadonlyArray<readonly number[]>): number[][] {
  if (!Array.isArray(inputSize) || inputSize.length === 0) {
    throw new ValueError(
      `summary: inputSize must be a shape such as [1, 28, 28] or a list of shapes, got ${JSON.stringify(inputSize)}`,
    );
  }
  const sizes = Array.isArray(inputSize[0])
    ? (inputSize as ReadonlyArray<readonly number[]>)
    : [inputSize as readonly number[]];
  for (const s of sizes) {
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(
        `summary: every input size must be a list of non-negative integers, got ${JSON.stringify(s)}`,
      );
    }
  }
  return sizes.map((s) => [...s]);
}

/** Runs the forward pass with each hooked module's `forward` wrapped, and returns the rows in call order. */
function traceLayers(model: Module, sizes: number[][], batchSize: number): LayerSummary[] {
  const layers: LayerSummary[] = [];
  const restore: Array<() => void> = [];
  const record = (m: Module, output: unknown) => {
    const name = `${m.typeName}-${layers.length + 1}`;
    let outputShape: number[] | number[][];
    if (Array.isArray(output)) {
      outputShape = output.map((o, i) => [-1, ...tensorOf(o, `${name} (output ${i})`).shape.slice(1)]);
    } else {
      outputShape = [...tensorOf(output, name).shape];
      if (outputShape.length > 0) outputShape[0] = batchSize;
    }
    const { weight, bias } = m as unknown as { weight?: unknown; bias?: unknown };
    let params = 0;
    let trainable: boolean | null = null;
    if (weight instanceof tf.Tensor) {
      params += weight.size;
      trainable = weight.requiresGrad;
    }
    if (bias instanceof tf.Tensor) params += bias.size;
    layers.push({ name, outputShape, params, trainable });
  };
  // torch's model.apply(register_hook): a module reached twice through apply gets two hooks, two rows.
  model.apply((m) => {
    if (m === model || m instanceof Sequential || m instanceof ModuleList) return;
    const own = Object.getOwnPropertyDescriptor(m, 'forward');
    const inner = m.forward;
    Object.defineProperty(m, 'forward', {
      value: (...args: unknown[]) => {
        const out = inner.apply(m, args);
        record(m, out);
        return out;
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
    restore.push(() => {
      if (own) Object.defineProperty(m, 'forward', own);
      else delete (m as unknown as { forward?: unknown }).forward;
    });
  });

  // Restored afterwards, so the summary leaves no trace: train-mode BatchNorm updates its running
  // statistics and Dropout draws from the default generator.
  const buffers = noGrad(() => model.buffers().map((b) => [b, tf.keep(tf.clone(b))] as const));
  const rngState = getRngState();
  try {
    noGrad(() =>
      tf.tidy(() => {
        model.forward(...sizes.map((s) => tf.zeros([2, ...s])));
      }),
    );
  } finally {
    for (const undo of restore.reverse()) undo();
    noGrad(() => {
      for (const [b, saved] of buffers) {
        if (!b.isDisposed) b.assign(saved);
        saved.dispose();
      }
    });
    setRngState(rngState);
  }
  return layers;
}

function tensorOf(value: unknown, where: string): tf.Tensor {
  if (value instanceof tf.Tensor) return value;
  throw new ArgumentTypeError(
    `summary: ${where} returned ${describe(value)}, expected a tf.Tensor or an array of tensors`,
  );
}

/** Python's `'{0:,}'.format(n)` for an integer. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Python's `'%0.2f' % x`. JavaScript's `toFixed` rounds exact ties up, Python to even (`0.125` gives
 * `'0.12'`), and torchsummary's sizes are multiples of 2⁻¹⁸, so exact ties happen.
 */
function fixed2(x: number): string {
  const up = x.toFixed(2);
  const exact = x.toFixed(60);
  const m = /^(-?\d+\.\d)(\d)50*$/.exec(exact);
  if (!m || Number(m[2]) % 2 !== 0) return up;
  return m[1] + m[2];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}
