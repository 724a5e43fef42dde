/**
 * The `RNNModel` of pytorch/examples' `word_language_model/model.py`, ported to tfjs-torch: an embedding
 * encoder, an LSTM / GRU / tanh-RNN / ReLU-RNN, dropout, and a linear decoder to log-probabilities over the
 * vocabulary, with optional weight tying (the decoder shares the encoder's weight); and its `TransformerModel`:
 * an `nn.Transformer` whose encoder runs over the embedded, position-encoded tokens under a causal mask, and
 * whose decoder stack is replaced by a linear layer to log-probabilities (the original subclasses
 * `nn.Transformer` and assigns `self.decoder = nn.Linear(...)`, so the state-dict keys are the same here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { F, getRngState, nn, setRngState } from 'tfjs-torch';

/** The recurrent cell types `--model` accepts (the original's `rnn_type`). */
export type RnnType = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** A hidden state: one tensor, or `[h, c]` for an LSTM. */
export type Hidden = tf.Tensor | [tf.Tensor, tf.Tensor];

/** Either of the original's models. */
export type LanguageModel = RNNModel | TransformerModel;

/** Container module with an encoder, a recurrent module, and a decoder (the original's `RNNModel`). */
export class RNNModel extends nn.Module {
  readonly ntoken: number;
  readonly drop: nn.Dropout;
  readonly encoder: nn.Embedding;
  readonly rnn: nn.LSTM | nn.GRU | nn.RNN;
  readonly decoder: nn.Linear;
  readonly rnnType: RnnType;
  readonly nhid: number;
  readonly nlayers: number;

  constructor(
    rnnType: RnnType,
    ntoken: number,
    ninp: number,
    nhid: number,
    nlayers: number,
    dropout = 0.5,
    tieWeights = false,
  ) {
    super();
    this.ntoken = ntoken;
    this.drop = this.registerModule('drop', new nn.Dropout(dropout));
    this.encoder = this.registerModule('encoder', new nn.Embedding(ntoken, ninp));
    if (rnnType === 'LSTM') this.rnn = this.registerModule('rnn', new nn.LSTM(ninp, nhid, nlayers, { dropout }));
    else if (rnnType === 'GRU') this.rnn = this.registerModule('rnn', new nn.GRU(ninp, nhid, nlayers, { dropout }));
    else {
      const nonlinearity = ({ RNN_TANH: 'tanh', RNN_RELU: 'relu' } as const)[rnnType as 'RNN_TANH' | 'RNN_RELU'];
      if (nonlinearity === undefined) {
        throw new Error(
          "An invalid option for `--model` was supplied, options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']",
        );
      }
      this.rnn = this.registerModule('rnn', new nn.RNN(ninp, nhid, nlayers, { nonlinearity, dropout }));
    }
    this.decoder = this.registerModule('decoder', new nn.Linear(nhid, ntoken));

    // Optionally tie weights as in "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
    // and "Tying Word Vectors and Word Classifiers" (Inan et al. 2016).
    if (tieWeights) {
      if (nhid !== ninp) throw new Error('When using the tied flag, nhid must be equal to emsize');
      // self.decoder.weight = self.encoder.weight: register the encoder's Parameter under the decoder too
      // (readonly in the type only); the decoder's own weight is freed.
      const own = this.decoder.weight;
      (this.decoder as { weight: nn.Parameter }).weight = this.decoder.registerParameter('weight', this.encoder.weight);
      own.dispose();
    }

    this.initWeights();

    this.rnnType = rnnType;
    this.nhid = nhid;
    this.nlayers = nlayers;
  }

  /** `uniform_(-0.1, 0.1)` of the encoder's and decoder's weights, a zero decoder bias. */
  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.encoder.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias as nn.Parameter);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  /** `[seq, batch]` token ids and a hidden state to `[seq * batch, ntoken]` log-probabilities and the new state. */
  override forward(input: tf.Tensor, hidden: Hidden): [tf.Tensor, Hidden] {
    const emb = this.drop.forward(this.encoder.forward(input));
    const [rnnOut, newHidden] = (this.rnn as nn.LSTM).forward(emb, hidden as [tf.Tensor, tf.Tensor]) as [
      tf.Tensor,
      Hidden,
    ];
    const output = this.drop.forward(rnnOut);
    let decoded = this.decoder.forward(output);
    decoded = decoded.view(-1, this.ntoken);
    return [F.logSoftmax(decoded, { dim: 1 }), newHidden];
  }

  /** Zero hidden state for `bsz` sequences (`[h, c]` for an LSTM), each `[nlayers, bsz, nhid]`. */
  initHidden(bsz: number): Hidden {
    const zeros = () => tf.zeros([this.nlayers, bsz, this.nhid]);
    return this.rnnType === 'LSTM' ? [zeros(), zeros()] : zeros();
  }
}

/**
 * Sine and cosine position signals added to the embeddings, then dropout (the original's `PositionalEncoding`):
 * `pe[pos, 0, 2i] = sin(pos / 10000^(2i / dModel))`, `pe[pos, 0, 2i + 1] = cos(...)`, a `[maxLen, 1, dModel]`
 * buffer `pe` (in the state dict, as the original's `register_buffer`).
 */
export class PositionalEncoding extends nn.Module {
  readonly dropout: nn.Dropout;
  readonly pe: tf.Variable;

  /**
   * @param dModel the embedding width.
   * @param dropout dropout probability. Default: 0.1.
   * @param maxLen the longest sequence. Default: 5000.
   */
  constructor(dModel: number, dropout = 0.1, maxLen = 5000) {
    super();
    this.dropout = this.registerModule('dropout', new nn.Dropout(dropout));
    // float32 at every step, as torch computes it (arange().float() * scalar, exp, position * div_term, sin/cos)
    const f = Math.fround;
    const scale = f(-Math.log(10000.0) / dModel);
    const pe = new Float32Array(maxLen * dModel);
    for (let i = 0; i < dModel; i += 2) {
      const divTerm = f(Math.exp(f(i * scale)));
      for (let pos = 0; pos < maxLen; pos++) {
        const angle = f(pos * divTerm);
        pe[pos * dModel + i] = Math.sin(angle);
        if (i + 1 < dModel) pe[pos * dModel + i + 1] = Math.cos(angle);
      }
    }
    const t = tf.tensor3d(pe, [maxLen, 1, dModel]);
    this.pe = this.registerBuffer('pe', t) as tf.Variable;
    t.dispose();
  }

  /** `[S, N, dModel]` to the same plus `pe[:S]`, then dropout. */
  override forward(x: tf.Tensor): tf.Tensor {
    return this.dropout.forward(tf.add(x, this.pe.slice([0, 0, 0], [x.shape[0], 1, -1])));
  }
}

/**
 * Container module with an encoder and a linear decoder over an `nn.Transformer`'s encoder stack (the original's
 * `TransformerModel`): `nn.Transformer(dModel=ninp, nhead, dimFeedforward=nhid, numEncoderLayers=nlayers)` with
 * the Transformer's own dropout (0.1), its 6-layer decoder stack built (drawing its initialisation as torch does)
 * and then replaced by `decoder = nn.Linear(ninp, ntoken)`; `pos_encoder` and `input_emb` after it.
 */
export class TransformerModel extends nn.Transformer {
  readonly modelType = 'Transformer';
  /** The causal mask of the last length seen, or null (the original's `src_mask`). */
  srcMask: tf.Tensor | null = null;
  readonly posEncoder: PositionalEncoding;
  readonly inputEmb: nn.Embedding;
  readonly ninp: number;
  declare readonly decoder: nn.Linear;

  /**
   * @param ntoken vocabulary size.
   * @param ninp embedding width (`d_model`).
   * @param nhead attention heads.
   * @param nhid feed-forward width.
   * @param nlayers encoder layers.
   * @param dropout the positional encoding's dropout. Default: 0.5.
   */
  constructor(ntoken: number, ninp: number, nhead: number, nhid: number, nlayers: number, dropout = 0.5) {
    super({ dModel: ninp, nhead, dimFeedforward: nhid, numEncoderLayers: nlayers });
    this.posEncoder = this.registerModule('pos_encoder', new PositionalEncoding(ninp, dropout));
    this.inputEmb = this.registerModule('input_emb', new nn.Embedding(ntoken, ninp));
    this.ninp = ninp;
    // self.decoder = nn.Linear(ninp, ntoken): the Linear takes the TransformerDecoder's place (and its slot in
    // the state dict); the decoder stack's weights are freed, as Python's garbage collector would.
    const stack = this.getModule('decoder') as nn.Module;
    (this as { decoder: nn.Module }).decoder = this.registerModule('decoder', new nn.Linear(ninp, ntoken));
    for (const p of stack.parameters()) p.dispose();
    this.initWeights();
  }

  /** `[sz, sz]`: 0 on and below the diagonal, `-inf` above (the original's `log(tril(ones))`). */
  generateSquareSubsequentMask(sz: number): tf.Tensor {
    return nn.Transformer.generateSquareSubsequentMask(sz);
  }

  /** `uniform_(-0.1, 0.1)` of the embedding's and decoder's weights, a zero decoder bias. */
  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.inputEmb.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias as nn.Parameter);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  /**
   * `[S, N]` token ids to `[S, N, ntoken]` log-probabilities; with `hasMask` (default) position `i` attends
   * to positions `<= i` only.
   */
  override forward(src: tf.Tensor, hasMask: boolean | tf.Tensor = true): tf.Tensor {
    if (hasMask) {
      if (this.srcMask === null || this.srcMask.shape[0] !== src.shape[0]) {
        this.srcMask?.dispose();
        this.srcMask = tf.keep(this.generateSquareSubsequentMask(src.shape[0]));
      }
    } else {
      this.srcMask?.dispose();
      this.srcMask = null;
    }
    let x = tf.mul(this.inputEmb.forward(src), Math.sqrt(this.ninp));
    x = this.posEncoder.forward(x);
    const output = (this.encoder as nn.TransformerEncoder).forward(x, this.srcMask);
    return F.logSoftmax(this.decoder.forward(output), { dim: -1 });
  }
}

/** What a state dict cannot say: the heads of a Transformer, the nonlinearity of a plain RNN. */
export interface ModelHints {
  /** Attention heads of a Transformer (`--nhead`). Default: 2. */
  nhead?: number;
  /** `RNN_TANH` or `RNN_RELU` for a plain RNN's weights. Default: `RNN_TANH`. */
  model?: RnnType | 'Transformer';
}

/**
 * Rebuilds the model a state dict written by `main.ts` came from (the original pickles the whole module instead):
 * the architecture from its keys and shapes (`input_emb.weight`: a Transformer; the gate rows of
 * `rnn.weight_ih_l0`: LSTM, GRU or RNN; layers by counting), then loads it strictly, in eval mode.
 */
export function modelFromStateDict(state: Map<string, tf.Tensor>, hints: ModelHints = {}): LanguageModel {
  const shape = (key: string): number[] => {
    const t = state.get(key);
    if (!t) throw new Error(`not a word_language_model state dict: no '${key}'`);
    return t.shape;
  };
  // torch.load draws nothing; building the modules here draws their (overwritten) initialisation, so the
  // generator is put back, and the words sampled after are the original's for the same seed.
  const rngState = getRngState();
  const count = (re: RegExp) => new Set([...state.keys()].map((k) => re.exec(k)?.[1]).filter((v) => v)).size;
  let model: LanguageModel;
  if (state.has('input_emb.weight')) {
    const [ntoken, ninp] = shape('input_emb.weight');
    const nhid = shape('encoder.layers.0.linear1.weight')[0];
    const nlayers = count(/^encoder\.layers\.(\d+)\./);
    model = new TransformerModel(ntoken, ninp, hints.nhead ?? 2, nhid, nlayers);
  } else {
    const [ntoken, ninp] = shape('encoder.weight');
    const nhid = shape('rnn.weight_hh_l0')[1];
    const gates = shape('rnn.weight_ih_l0')[0] / nhid;
    const nlayers = count(/^rnn\.weight_ih_l(\d+)$/);
    const rnnType: RnnType =
      gates === 4 ? 'LSTM' : gates === 3 ? 'GRU' : hints.model === 'RNN_RELU' ? 'RNN_RELU' : 'RNN_TANH';
    // tying only matters for training; the two weights load alike
    model = new RNNModel(rnnType, ntoken, ninp, nhid, nlayers);
  }
  setRngState(rngState);
  model.loadStateDict(state);
  return model.eval();
}
