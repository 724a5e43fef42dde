/**
 * Recurrent layers: `RNN`, `LSTM`, `GRU` and the cells `RNNCell`, `LSTMCell`, `GRUCell`, with torch's parameter
 * names, gate order (i, f, g, o; r, z, n) and initialisation, so torch's state dicts load unchanged.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, int, oneOf, signature, type ArgsOf } from '../args';
import type { Parameter } from '../autograd/parameter';
import { ShapeError, ValueError, formatShape } from '../errors';
import { pyBool, pyFloat, pyTuple } from '../repr';
import { gateCount, rnnLayer, rnnStack, type RnnLayerWeights, type RnnMode } from './functional/rnn';
import { uniform_ } from './init';
import { Module } from './module';
import { PackedSequence, paddedToPacked, packedToPadded } from './utils/rnn';

export type { RnnMode } from './functional/rnn';

/** An LSTM's state: `[h, c]`. */
export type LSTMState = [tf.Tensor, tf.Tensor];

const dropoutArg = () =>
  float().refine((p) =>
    p >= 0 && p <= 1
      ? null
      : 'should be a number in range [0, 1] representing the probability of an element being zeroed',
  );

const RNN_SIG = signature('RNN', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['numLayers', int({ min: 1 }).default(1)],
  ['nonlinearity', oneOf(['tanh', 'relu']).default('tanh')],
  ['bias', bool().default(true)],
  ['batchFirst', bool().default(false)],
  ['dropout', dropoutArg().default(0)],
  ['bidirectional', bool().default(false)],
]);

const LSTM_SIG = signature('LSTM', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['numLayers', int({ min: 1 }).default(1)],
  ['bias', bool().default(true)],
  ['batchFirst', bool().default(false)],
  ['dropout', dropoutArg().default(0)],
  ['bidirectional', bool().default(false)],
  ['projSize', int({ min: 0 }).default(0)],
]);

const GRU_SIG = signature('GRU', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['numLayers', int({ min: 1 }).default(1)],
  ['bias', bool().default(true)],
  ['batchFirst', bool().default(false)],
  ['dropout', dropoutArg().default(0)],
  ['bidirectional', bool().default(false)],
]);

// torch's public `RNNBase(mode, input_size, hidden_size, ...)`, for `new nn.RNNBase(...)` from JavaScript.
const RNN_BASE_SIG = signature('RNNBase', [
  ['mode', oneOf(['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'])],
  ...LSTM_SIG.params,
]);

// torch's `RNNCellBase(input_size, hidden_size, bias, num_chunks)`, for `new nn.RNNCellBase(...)` from JavaScript.
const RNN_CELL_BASE_SIG = signature('RNNCellBase', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['bias', bool()],
  ['numChunks', int({ min: 1 })],
]);

/** The parsed arguments of {@link RNNBase} (torch's `RNNBase.__init__`). */
export interface RNNBaseConfig {
  /** Features of the input. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers. */
  numLayers: number;
  /** With biases. */
  bias: boolean;
  /** Batch dimension first. */
  batchFirst: boolean;
  /** Dropout between layers. */
  dropout: number;
  /** Both directions. */
  bidirectional: boolean;
  /** LSTM projection size (0: none). */
  projSize: number;
}

/**
 * The common part of `RNN`, `LSTM` and `GRU` (torch's `RNNBase`): parameters, checks, batch-first and unbatched
 * inputs, packed sequences. Use the subclasses.
 */
export class RNNBase extends Module {
  /** The cell: `'RNN_TANH'`, `'RNN_RELU'`, `'LSTM'` or `'GRU'`. */
  readonly mode: RnnMode;
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have `bias_ih`/`bias_hh`. */
  readonly bias: boolean;
  /** Input and output are `[N, L, *]`. */
  readonly batchFirst: boolean;
  /** Dropout probability between layers (train mode). */
  readonly dropout: number;
  /** Both directions. */
  readonly bidirectional: boolean;
  /** LSTM projection size (0: none). */
  readonly projSize: number;

  /**
   * @param args `[mode, cfg]` from a subclass: the cell and the parsed arguments (built directly from
   *   JavaScript: torch's `mode, inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?,
   *   projSize?`).
   */
  protected constructor(...args: [mode: RnnMode, cfg: RNNBaseConfig]) {
    super();
    // Built directly (from JavaScript: the constructor is protected), it takes torch's public
    // `RNNBase(mode, input_size, hidden_size, ...)` arguments; the subclasses pass theirs parsed.
    const [mode, cfg] = new.target === RNNBase ? parseRnnBase(args) : args;
    this.mode = mode;
    this.inputSize = cfg.inputSize;
    this.hiddenSize = cfg.hiddenSize;
    this.numLayers = cfg.numLayers;
    this.bias = cfg.bias;
    this.batchFirst = cfg.batchFirst;
    this.dropout = cfg.dropout;
    this.bidirectional = cfg.bidirectional;
    this.projSize = cfg.projSize;
    if (cfg.projSize >= cfg.hiddenSize && cfg.projSize > 0) {
      throw new ValueError(
        `${mode}: proj_size has to be smaller than hidden_size (got ${cfg.projSize} >= ${cfg.hiddenSize})`,
      );
    }
    const G = gateCount(mode);
    const H = cfg.hiddenSize;
    const D = cfg.bidirectional ? 2 : 1;
    const real = cfg.projSize > 0 ? cfg.projSize : H;
    for (let l = 0; l < cfg.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const inSize = l === 0 ? cfg.inputSize : real * D;
        this.createParameter(`weight_ih${suffix}`, [G * H, inSize]);
        this.createParameter(`weight_hh${suffix}`, [G * H, real]);
        if (cfg.bias) {
          this.createParameter(`bias_ih${suffix}`, [G * H]);
          this.createParameter(`bias_hh${suffix}`, [G * H]);
        }
        if (cfg.projSize > 0) this.createParameter(`weight_hr${suffix}`, [cfg.projSize, H]);
      }
    }
    this.resetParameters();
  }

  /** torch's `reset_parameters`: every weight and bias from U(-1/√hidden, 1/√hidden), in parameter order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** The weights of layer `l`, direction `d`. */
  private layerWeights(l: number, d: number): RnnLayerWeights {
    const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
    const own = new Map(this.namedParameters('', false));
    const get = (n: string) => own.get(`${n}${suffix}`) ?? null;
    return {
      wIh: get('weight_ih') as Parameter,
      wHh: get('weight_hh') as Parameter,
      bIh: get('bias_ih'),
      bHh: get('bias_hh'),
      wHr: this.projSize > 0 ? get('weight_hr') : null,
    };
  }

  /** Hidden size of `h` (the projection size when there is one). */
  protected get realHiddenSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /**
   * The shared forward: `hx` is `[h0]` or `[h0, c0]` (or null); returns `[output, hN, cN | null]` in the input's
   * form (packed, batch-first, unbatched).
   */
  protected run(
    input: tf.Tensor | PackedSequence,
    hx: tf.Tensor[] | null,
  ): [tf.Tensor | PackedSequence, tf.Tensor, tf.Tensor | null] {
    const name = this.mode.startsWith('RNN') ? 'RNN' : this.mode;
    const isLstm = this.mode === 'LSTM';
    const D = this.bidirectional ? 2 : 1;
    const LD = this.numLayers * D;
    const packed = input instanceof PackedSequence ? input : null;
    let x: tf.Tensor;
    let batched = true;
    let batchSizes: number[] | null = null;
    if (packed) {
      x = packed.data;
      batchSizes = packed.batchSizeList();
      if (x.rank !== 2)
        throw new ShapeError(
          `${name}: input must have 2 dimensions, got ${x.rank} (packed data of shape ${formatShape(x.shape)})`,
        );
    } else {
      x = input as tf.Tensor;
      if (x.rank !== 2 && x.rank !== 3) {
        throw new ShapeError(
          `${name}: Expected input to be 2-D or 3-D but received ${x.rank}-D tensor of shape ${formatShape(x.shape)}`,
        );
      }
      batched = x.rank === 3;
    }
    if (x.shape[x.rank - 1] !== this.inputSize) {
      throw new ShapeError(
        `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[x.rank - 1]} (input of shape ${formatShape(x.shape)})`,
      );
    }
    const stateNames = isLstm ? ['hx', 'cx'] : ['hx'];
    if (hx && !packed) {
      const want = batched ? 3 : 2;
      if (hx.some((h) => h.rank !== want)) {
        const got = hx.map((h) => `${h.rank}-D`).join(', ');
        throw new ShapeError(
          `${name}: For ${batched ? 'batched 3-D' : 'unbatched 2-D'} input, ${stateNames.join(' and ')} should also be ${want}-D but got (${got}) tensors (input of shape ${formatShape(x.shape)})`,
        );
      }
    }
    const result = tf.tidy(() => {
      let xt = x;
      if (!packed && !batched) xt = tf.expandDims(x, this.batchFirst ? 0 : 1);
      if (!packed && this.batchFirst) xt = tf.transpose(xt, [1, 0, 2]);
      let mask: tf.Tensor | null = null;
      if (batchSizes) {
        const T = batchSizes.length;
        const B = batchSizes[0];
        const m = new Float32Array(T * B);
        batchSizes.forEach((bs, t) => m.fill(1, t * B, t * B + bs));
        mask = tf.tensor3d(m, [T, B, 1]);
        xt = packedToPadded(x, batchSizes, T);
      }
      const B = xt.shape[1] as number;
      const expectedH = [LD, B, this.realHiddenSize];
      const expectedC = [LD, B, this.hiddenSize];
      let h0: tf.Tensor;
      let c0: tf.Tensor | null = null;
      if (hx) {
        let states = !packed && !batched ? hx.map((h) => tf.expandDims(h, 1)) : hx;
        if (packed?.sortedIndices) states = states.map((h) => tf.gather(h, packed.sortedIndices as tf.Tensor, 1));
        const check = (t: tf.Tensor, want: number[], which: string) => {
          if (t.shape.join() !== want.join()) {
            throw new ShapeError(`${name}: Expected ${which} size ${pyTuple(want)}, got ${formatShape(t.shape)}`);
          }
        };
        check(states[0], expectedH, isLstm ? 'hidden[0]' : 'hidden');
        h0 = states[0];
        if (isLstm) {
          check(states[1], expectedC, 'hidden[1]');
          c0 = states[1];
        }
      } else {
        h0 = tf.zeros(expectedH);
        if (isLstm) c0 = tf.zeros(expectedC);
      }
      const weights: RnnLayerWeights[] = [];
      for (let l = 0; l < this.numLayers; l++) for (let d = 0; d < D; d++) weights.push(this.layerWeights(l, d));
      let [out, hN, cN] = rnnStack(this.mode, xt, h0, c0, weights, {
        numLayers: this.numLayers,
        bidirectional: this.bidirectional,
        dropout: this.dropout,
        training: this.training,
        mask,
        batchSizes,
      });
      if (packed) {
        out = paddedToPacked(out, batchSizes as number[]);
        if (packed.unsortedIndices) {
          hN = tf.gather(hN, packed.unsortedIndices, 1);
          if (cN) cN = tf.gather(cN, packed.unsortedIndices, 1);
        }
      } else {
        if (this.batchFirst) out = tf.transpose(out, [1, 0, 2]);
        if (!batched) {
          out = tf.squeeze(out, [this.batchFirst ? 0 : 1]);
          hN = tf.squeeze(hN, [1]);
          if (cN) cN = tf.squeeze(cN, [1]);
        }
      }
      return cN ? [out, hN, cN] : [out, hN];
    });
    const [out, hN, cN] = result;
    const output = packed
      ? new PackedSequence(out, packed.batchSizes, packed.sortedIndices, packed.unsortedIndices)
      : out;
    return [output, hN, cN ?? null];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/**
 * A multi-layer Elman RNN, `h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)` (or ReLU) (torch's `nn.RNN`).
 *
 * Mirrors [torch.nn.RNN](https://pytorch.org/docs/1.13/generated/torch.nn.RNN.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `inputSize`, `hiddenSize`,
 * `numLayers` (default 1), `nonlinearity` (`'tanh'` | `'relu'`, default `'tanh'`), `bias` (default `true`),
 * `batchFirst` (default `false`), `dropout` (between layers, train mode; default 0), `bidirectional` (default
 * `false`).
 *
 * Shape:
 * - input: `[L, N, H_in]` (`[N, L, H_in]` with `batchFirst`), unbatched `[L, H_in]`, or a {@link PackedSequence}.
 * - h0 (optional, zeros): `[D * numLayers, N, H_out]` (unbatched `[D * numLayers, H_out]`).
 * - output: `[L, N, D * H_out]` (as the input's layout); hN like h0.
 *
 * Attributes: `weight_ih_l{k}` `[H, H_in or D * H]`, `weight_hh_l{k}` `[H, H]`, `bias_ih_l{k}`, `bias_hh_l{k}`
 * `[H]` (`_reverse` for the backward direction), all from U(-1/√H, 1/√H).
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, 2);
 * const [output, hN] = rnn.forward(torch.randn([5, 3, 10]), torch.randn([2, 3, 20]));
 * ```
 */
export class RNN extends RNNBase {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** @param args `inputSize, hiddenSize, numLayers?, nonlinearity?, bias?, batchFirst?, dropout?, bidirectional?`. */
  constructor(...args: ArgsOf<typeof RNN_SIG>) {
    const a = RNN_SIG.parse(args);
    super(a.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', { ...a, projSize: 0 });
    this.nonlinearity = a.nonlinearity;
  }

  /**
   * @param input the sequence (tensor or {@link PackedSequence}).
   * @param hx the initial hidden state, or null for zeros.
   * @returns `[output, hN]`.
   */
  override forward(input: tf.Tensor, hx?: tf.Tensor | null): [tf.Tensor, tf.Tensor];
  override forward(input: PackedSequence, hx?: tf.Tensor | null): [PackedSequence, tf.Tensor];
  override forward(input: tf.Tensor | PackedSequence, hx: tf.Tensor | null = null): [unknown, tf.Tensor] {
    const [out, hN] = this.run(input, hx ? [hx] : null);
    return [out, hN];
  }
}

/**
 * A multi-layer long short-term memory RNN (torch's `nn.LSTM`): gates i, f, g, o stacked in that order,
 * `c' = f * c + i * g`, `h' = o * tanh(c')`, optionally projected (`projSize`).
 *
 * Mirrors [torch.nn.LSTM](https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `inputSize`, `hiddenSize`,
 * `numLayers` (default 1), `bias` (default `true`), `batchFirst` (default `false`), `dropout` (default 0),
 * `bidirectional` (default `false`), `projSize` (default 0: none).
 *
 * Shape:
 * - input: `[L, N, H_in]` (`[N, L, H_in]` with `batchFirst`), unbatched `[L, H_in]`, or a {@link PackedSequence}.
 * - `[h0, c0]` (optional, zeros): `[D * numLayers, N, H_out]` and `[D * numLayers, N, H_cell]`;
 *   `H_out = projSize || hiddenSize`.
 * - output: `[L, N, D * H_out]`; `[hN, cN]` like `[h0, c0]`.
 *
 * Attributes: `weight_ih_l{k}` `[4H, ...]`, `weight_hh_l{k}` `[4H, H_out]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[4H]`,
 * `weight_hr_l{k}` `[projSize, H]` with a projection; all from U(-1/√H, 1/√H).
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, 2);
 * const [output, [hN, cN]] = lstm.forward(torch.randn([5, 3, 10]));
 * ```
 */
export class LSTM extends RNNBase {
  /** @param args `inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?, projSize?`. */
  constructor(...args: ArgsOf<typeof LSTM_SIG>) {
    super('LSTM', LSTM_SIG.parse(args));
  }

  /**
   * @param input the sequence (tensor or {@link PackedSequence}).
   * @param hx `[h0, c0]`, or null for zeros.
   * @returns `[output, [hN, cN]]`.
   */
  override forward(input: tf.Tensor, hx?: LSTMState | null): [tf.Tensor, LSTMState];
  override forward(input: PackedSequence, hx?: LSTMState | null): [PackedSequence, LSTMState];
  override forward(input: tf.Tensor | PackedSequence, hx: LSTMState | null = null): [unknown, LSTMState] {
    if (hx != null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new ValueError("LSTM: hx must be [h0, c0] (two tensors), as torch's (h_0, c_0) tuple");
    }
    const [out, hN, cN] = this.run(input, hx);
    return [out, [hN, cN as tf.Tensor]];
  }
}

/**
 * A multi-layer gated recurrent unit RNN (torch's `nn.GRU`): gates r, z, n stacked in that order,
 * `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`.
 *
 * Mirrors [torch.nn.GRU](https://pytorch.org/docs/1.13/generated/torch.nn.GRU.html).
 *
 * Arguments (positionally in this order, or in a trailing options object): `inputSize`, `hiddenSize`,
 * `numLayers` (default 1), `bias` (default `true`), `batchFirst` (default `false`), `dropout` (default 0),
 * `bidirectional` (default `false`).
 *
 * Shape: as {@link RNN}; weights `[3H, ...]`.
 * @example
 * ```ts
 * const gru = new nn.GRU(10, 20, 2, { batchFirst: true });
 * const [output, hN] = gru.forward(torch.randn([3, 5, 10]));
 * ```
 */
export class GRU extends RNNBase {
  /** @param args `inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?`. */
  constructor(...args: ArgsOf<typeof GRU_SIG>) {
    super('GRU', { ...GRU_SIG.parse(args), projSize: 0 });
  }

  /**
   * @param input the sequence (tensor or {@link PackedSequence}).
   * @param hx the initial hidden state, or null for zeros.
   * @returns `[output, hN]`.
   */
  override forward(input: tf.Tensor, hx?: tf.Tensor | null): [tf.Tensor, tf.Tensor];
  override forward(input: PackedSequence, hx?: tf.Tensor | null): [PackedSequence, tf.Tensor];
  override forward(input: tf.Tensor | PackedSequence, hx: tf.Tensor | null = null): [unknown, tf.Tensor] {
    const [out, hN] = this.run(input, hx ? [hx] : null);
    return [out, hN];
  }
}

/** The common part of the cells (torch's `RNNCellBase`). Use the subclasses. */
export class RNNCellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether the cell has biases. */
  readonly bias: boolean;
  /** `[G * hiddenSize, inputSize]`. */
  readonly weight_ih: Parameter;
  /** `[G * hiddenSize, hiddenSize]`. */
  readonly weight_hh: Parameter;
  /** `[G * hiddenSize]` or null. */
  readonly bias_ih: Parameter | null;
  /** `[G * hiddenSize]` or null. */
  readonly bias_hh: Parameter | null;
  /** The cell's recurrence. */
  protected readonly mode: RnnMode;

  /**
   * @param args `[mode, inputSize, hiddenSize, bias]` from a subclass: the cell, features of the input and of the
   *   hidden state, with biases (built directly from JavaScript: torch's `inputSize, hiddenSize, bias, numChunks`).
   */
  protected constructor(...args: [mode: RnnMode, inputSize: number, hiddenSize: number, bias: boolean]) {
    super();
    // Built directly (from JavaScript), it takes torch's `RNNCellBase(input_size, hidden_size, bias, num_chunks)`.
    const [mode, inputSize, hiddenSize, bias] = new.target === RNNCellBase ? parseRnnCellBase(args) : args;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    const G = gateCount(mode);
    this.weight_ih = this.createParameter('weight_ih', [G * hiddenSize, inputSize]);
    this.weight_hh = this.createParameter('weight_hh', [G * hiddenSize, hiddenSize]);
    this.bias_ih = bias ? this.createParameter('bias_ih', [G * hiddenSize]) : this.registerParameter('bias_ih', null);
    this.bias_hh = bias ? this.createParameter('bias_hh', [G * hiddenSize]) : this.registerParameter('bias_hh', null);
    this.resetParameters();
  }

  /** torch's `reset_parameters`: every weight from U(-1/√hidden, 1/√hidden). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** One step: `states` are `[h]` or `[h, c]` (or null); returns the new states. */
  protected step(input: tf.Tensor, states: tf.Tensor[] | null): tf.Tensor[] {
    const name = this.typeName;
    if (input.rank !== 1 && input.rank !== 2) {
      throw new ShapeError(
        `${name}: Expected input to be 1-D or 2-D but received ${input.rank}-D tensor of shape ${formatShape(input.shape)}`,
      );
    }
    if (input.shape[input.rank - 1] !== this.inputSize) {
      throw new ShapeError(
        `${name}: input has inconsistent input_size: got ${input.shape[input.rank - 1]}, expected ${this.inputSize} (input of shape ${formatShape(input.shape)})`,
      );
    }
    const batched = input.rank === 2;
    const B = batched ? input.shape[0] : 1;
    states?.forEach((s, i) => {
      const want = batched ? [B, this.hiddenSize] : [this.hiddenSize];
      if (s.shape.join() !== want.join()) {
        throw new ShapeError(
          `${name}: hidden${i === 0 ? '' : '[1]'} of shape ${formatShape(s.shape)} does not match input of shape ${formatShape(input.shape)}: expected ${formatShape(want)}`,
        );
      }
    });
    return tf.tidy(() => {
      // One step as [B, I]: the layer op reads it as T = 1.
      const x = batched ? input : tf.expandDims(input, 0);
      const st = states
        ? states.map((s) => (batched ? s : tf.expandDims(s, 0)))
        : (this.mode === 'LSTM' ? [0, 1] : [0]).map(() => tf.zeros([B, this.hiddenSize]));
      const w = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh, wHr: null };
      const [, ...next] = rnnLayer(this.mode, x, st[0], st[1] ?? null, w, null, false);
      return batched ? next : next.map((s) => tf.squeeze(s, [0]));
    });
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    return s;
  }
}

const RNN_CELL_SIG = signature('RNNCell', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['bias', bool().default(true)],
  ['nonlinearity', oneOf(['tanh', 'relu']).default('tanh')],
]);
const LSTM_CELL_SIG = signature('LSTMCell', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['bias', bool().default(true)],
]);
const GRU_CELL_SIG = signature('GRUCell', [
  ['inputSize', int({ min: 0 })],
  ['hiddenSize', int({ min: 1 })],
  ['bias', bool().default(true)],
]);

/**
 * An Elman RNN cell, `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)` (or ReLU) (torch's `nn.RNNCell`).
 *
 * Mirrors [torch.nn.RNNCell](https://pytorch.org/docs/1.13/generated/torch.nn.RNNCell.html).
 *
 * Arguments: `inputSize`, `hiddenSize`, `bias` (default `true`), `nonlinearity` (default `'tanh'`).
 *
 * Shape: input `[N, H_in]` or `[H_in]`; hidden (optional, zeros) `[N, H]` or `[H]`; output like hidden.
 * @example
 * ```ts
 * const cell = new nn.RNNCell(10, 20);
 * let h = cell.forward(x0);
 * h = cell.forward(x1, h);
 * ```
 */
export class RNNCell extends RNNCellBase {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** @param args `inputSize, hiddenSize, bias?, nonlinearity?`. */
  constructor(...args: ArgsOf<typeof RNN_CELL_SIG>) {
    const a = RNN_CELL_SIG.parse(args);
    super(a.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', a.inputSize, a.hiddenSize, a.bias);
    this.nonlinearity = a.nonlinearity;
  }

  /**
   * @param input `[N, H_in]` or `[H_in]`.
   * @param hx `[N, H]` or `[H]`, or null for zeros.
   * @returns the next hidden state.
   */
  override forward(input: tf.Tensor, hx: tf.Tensor | null = null): tf.Tensor {
    return this.step(input, hx ? [hx] : null)[0];
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== 'tanh' ? `, nonlinearity=${this.nonlinearity}` : '');
  }
}

/**
 * A long short-term memory cell (torch's `nn.LSTMCell`); returns `[h', c']`.
 *
 * Mirrors [torch.nn.LSTMCell](https://pytorch.org/docs/1.13/generated/torch.nn.LSTMCell.html).
 *
 * Arguments: `inputSize`, `hiddenSize`, `bias` (default `true`).
 *
 * Shape: input `[N, H_in]` or `[H_in]`; `[h, c]` (optional, zeros) `[N, H]` or `[H]` each; output `[h', c']`.
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(10, 20);
 * let [h, c] = cell.forward(x0);
 * [h, c] = cell.forward(x1, [h, c]);
 * ```
 */
export class LSTMCell extends RNNCellBase {
  /** @param args `inputSize, hiddenSize, bias?`. */
  constructor(...args: ArgsOf<typeof LSTM_CELL_SIG>) {
    const a = LSTM_CELL_SIG.parse(args);
    super('LSTM', a.inputSize, a.hiddenSize, a.bias);
  }

  /**
   * @param input `[N, H_in]` or `[H_in]`.
   * @param hx `[h, c]`, or null for zeros.
   * @returns `[h', c']`.
   */
  override forward(input: tf.Tensor, hx: LSTMState | null = null): LSTMState {
    const [h, c] = this.step(input, hx);
    return [h, c];
  }
}

/**
 * A gated recurrent unit cell (torch's `nn.GRUCell`), `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`.
 *
 * Mirrors [torch.nn.GRUCell](https://pytorch.org/docs/1.13/generated/torch.nn.GRUCell.html).
 *
 * Arguments: `inputSize`, `hiddenSize`, `bias` (default `true`).
 *
 * Shape: input `[N, H_in]` or `[H_in]`; hidden (optional, zeros) `[N, H]` or `[H]`; output like hidden.
 * @example
 * ```ts
 * const cell = new nn.GRUCell(10, 20);
 * const h = cell.forward(x0);
 * ```
 */
export class GRUCell extends RNNCellBase {
  /** @param args `inputSize, hiddenSize, bias?`. */
  constructor(...args: ArgsOf<typeof GRU_CELL_SIG>) {
    const a = GRU_CELL_SIG.parse(args);
    super('GRU', a.inputSize, a.hiddenSize, a.bias);
  }

  /**
   * @param input `[N, H_in]` or `[H_in]`.
   * @param hx `[N, H]` or `[H]`, or null for zeros.
   * @returns the next hidden state.
   */
  override forward(input: tf.Tensor, hx: tf.Tensor | null = null): tf.Tensor {
    return this.step(input, hx ? [hx] : null)[0];
  }
}

function parseRnnBase(args: readonly unknown[]): [RnnMode, RNNBaseConfig] {
  const { mode, ...cfg } = RNN_BASE_SIG.parse(args);
  return [mode, cfg];
}

function parseRnnCellBase(args: readonly unknown[]): [RnnMode, number, number, boolean] {
  const { inputSize, hiddenSize, bias, numChunks } = RNN_CELL_BASE_SIG.parse(args);
  const mode = ({ 1: 'RNN_TANH', 3: 'GRU', 4: 'LSTM' } as const)[numChunks as 1 | 3 | 4];
  if (mode === undefined) {
    throw new ValueError(
      `RNNCellBase(): num_chunks must be 1 (RNNCell), 3 (GRUCell) or 4 (LSTMCell) here, got ${numChunks}`,
    );
  }
  return [mode, inputSize, hiddenSize, bias];
}
