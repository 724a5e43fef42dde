/**
 * The `RNNModel` of pytorch/examples' `word_language_model/model.py`, ported to tfjs-torch: an embedding
 * encoder, an LSTM / GRU / tanh-RNN / ReLU-RNN, dropout, and a linear decoder to log-probabilities over the
 * vocabulary, with optional weight tying (the decoder shares the encoder's weight). `TransformerModel` is not
 * ported yet.
 */
import * as tf from '@tensorflow/tfjs-core';
import { F, nn } from 'tfjs-torch';

/** The recurrent cell types `--model` accepts (the original's `rnn_type`). */
export type RnnType = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** A hidden state: one tensor, or `[h, c]` for an LSTM. */
export type Hidden = tf.Tensor | [tf.Tensor, tf.Tensor];

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
