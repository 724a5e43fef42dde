/**
 * pytorch/examples' `word_language_model/generate.py` (sample words from a trained language model), ported to
 * tfjs-torch:
 *
 *   npx tsx examples/pytorch/word_language_model/generate.ts [--checkpoint model.pt] [--words 1000] [--temperature 1.0]
 *
 * Same flags and defaults as the original (`--checkpoint ./model.pt --outf generated.txt --words 1000 --seed 1111
 * --temperature 1.0 --log-interval 100`), same log lines (`| Generated i/N words`), the same words for the same
 * model and seed: a `torch.randint` first word, then per word `torch.multinomial` over
 * `output.squeeze().div(temperature).exp()` (the Transformer re-reads the whole sequence without a mask, as the
 * original's `model(input, False)`); the words go to `--outf`, 20 to a line.
 *
 * Data: `--data` as in `main.ts` (default `fortunes`, Debian's quotations split as `main.ts` splits them; or a
 * folder with train/valid/test.txt, e.g. Wikitext-2): the dictionary must be the one the model was trained with.
 *
 * Where the port differs from the original, and why: the original `torch.load`s a pickled module (`main.py`
 * saves `torch.save(model)`); a pickle names Python classes that have no JavaScript counterpart, so `main.ts`
 * saves the state dict and this command rebuilds the model from its keys and shapes (a Transformer when
 * `input_emb.weight` is there; LSTM, GRU or RNN from the gate rows of `rnn.weight_ih_l0`; the layer counts).
 * Two things a state dict does not record come as port-only flags: `--nhead` (default 2, `main.ts`'s default)
 * and `--model RNN_RELU` (a plain RNN is read as RNN_TANH otherwise). A state dict saved by PyTorch from the
 * original's model (`torch.save(model.state_dict(), f)`) loads the same way. `--accel` is not ported.
 */
import { writeFileSync } from 'node:fs';

import * as torch from 'tfjs-torch';
import { initBackend, load } from 'tfjs-torch/node';

import { Cli } from '../common';
import { Corpus, corpusSource } from './data';
import { generateWords } from './lm';
import { modelFromStateDict, type RnnType } from './model';

const USAGE = `usage: generate.ts [-h] [--data DATA] [--checkpoint CHECKPOINT] [--outf OUTF] [--words WORDS]
                   [--seed SEED] [--temperature TEMPERATURE] [--log-interval LOG_INTERVAL] [--nhead NHEAD]
                   [--model MODEL] [--backend NAME]

PyTorch Wikitext-2 Language Model (tfjs-torch port of pytorch/examples word_language_model/generate.py)

options:
  --data DATA           folder with train.txt, valid.txt, test.txt; 'fortunes' or 'fortunes:DIR' (the
                        fortune files in DIR) (default: fortunes)
  --checkpoint CHECKPOINT
                        model checkpoint to use: main.ts's state dict (default: ./model.pt)
  --outf OUTF           output file for generated text (default: generated.txt)
  --words WORDS         number of words to generate (default: 1000)
  --seed SEED           random seed (default: 1111)
  --temperature TEMPERATURE
                        temperature - higher will increase diversity (default: 1.0)
  --log-interval LOG_INTERVAL
                        reporting interval (default: 100)
  --nhead NHEAD         heads of a Transformer checkpoint (not in a state dict) (default: 2)
  --model MODEL         RNN_RELU for a ReLU RNN checkpoint (not in a state dict) (default: from the checkpoint)
  --backend NAME        tfjs backend: wasm, cpu, tensorflow, ... (default: automatic)
`;

const cli = new Cli(USAGE, 'generate.ts');

async function main(): Promise<void> {
  const values = cli.parse({
    data: { type: 'string', default: 'fortunes' },
    checkpoint: { type: 'string', default: './model.pt' },
    outf: { type: 'string', default: 'generated.txt' },
    words: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1111' },
    temperature: { type: 'string', default: '1.0' },
    'log-interval': { type: 'string', default: '100' },
    nhead: { type: 'string', default: '2' },
    model: { type: 'string' },
    backend: { type: 'string' },
  });
  const s = (k: string) => values[k] as string;
  const args = {
    words: cli.int('words', s('words'), 0),
    seed: cli.int('seed', s('seed'), Number.MIN_SAFE_INTEGER),
    temperature: cli.float('temperature', s('temperature')),
    logInterval: cli.int('log-interval', s('log-interval'), 1),
    nhead: cli.int('nhead', s('nhead'), 1),
  };
  const modelFlag = values.model as string | undefined;
  if (modelFlag !== undefined && !['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU', 'Transformer'].includes(modelFlag)) {
    cli.fail(`argument --model: '${modelFlag}' is not one of LSTM, GRU, RNN_TANH, RNN_RELU, Transformer`);
  }
  await initBackend(values.backend as string | undefined);

  // Set the random seed manually for reproducibility.
  torch.manualSeed(args.seed);

  if (args.temperature < 1e-3) cli.fail('--temperature has to be greater or equal 1e-3.');

  const state = torch.toTfStateDict(await load(s('checkpoint')));
  const model = modelFromStateDict(state, { nhead: args.nhead, model: modelFlag as RnnType | undefined });
  for (const t of state.values()) t.dispose();

  const corpus = new Corpus(corpusSource(s('data')));
  const ntokens = corpus.dictionary.length;
  const vocab = model.decoder.outFeatures;
  if (vocab !== ntokens) {
    cli.fail(`the checkpoint's vocabulary has ${vocab} words, the corpus at --data ${s('data')} has ${ntokens}`);
  }

  let text = '';
  generateWords(model, ntokens, args.words, args.temperature, (i, wordIdx) => {
    const word = corpus.dictionary.idx2word[wordIdx];
    text += word + (i % 20 === 19 ? '\n' : ' ');
    if (i % args.logInterval === 0) console.log(`| Generated ${i}/${args.words} words`);
  });
  writeFileSync(s('outf'), text);
}

await main();
