/**
 * `Dictionary` and `Corpus` of pytorch/examples' `word_language_model/data.py`: whitespace tokens per line
 * plus `<eos>`, ids in order of first appearance (train, then valid, then test); and the port's default corpus,
 * Debian's fortunes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Word <-> id, ids in order of first appearance (the original's `Dictionary`). */
export class Dictionary {
  readonly word2idx = new Map<string, number>();
  readonly idx2word: string[] = [];

  /** Adds `word` if new; returns its id. */
  addWord(word: string): number {
    if (!this.word2idx.has(word)) {
      this.idx2word.push(word);
      this.word2idx.set(word, this.idx2word.length - 1);
    }
    return this.word2idx.get(word) as number;
  }

  /** `len(dictionary)`. */
  get length(): number {
    return this.idx2word.length;
  }
}

/** Python's `str.split()`: runs of whitespace separate words; none at the ends. */
function split(line: string): string[] {
  return line.split(/[\s\u001c-\u001f\u0085]+/u).filter((w) => w.length > 0);
}

/** Python's text-mode lines (universal newlines), each without its end. */
function lines(text: string): string[] {
  const out = text.split(/\r\n|\r|\n/);
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The token ids of `train.txt`, `valid.txt` and `test.txt` under a folder (the original's `Corpus`). */
export class Corpus {
  readonly dictionary = new Dictionary();
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;

  /** @param texts a folder with the three files, or their texts. */
  constructor(texts: string | { train: string; valid: string; test: string }) {
    const t =
      typeof texts === 'string'
        ? {
            train: readFileSync(join(texts, 'train.txt'), 'utf8'),
            valid: readFileSync(join(texts, 'valid.txt'), 'utf8'),
            test: readFileSync(join(texts, 'test.txt'), 'utf8'),
          }
        : texts;
    this.train = this.tokenize(t.train);
    this.valid = this.tokenize(t.valid);
    this.test = this.tokenize(t.test);
  }

  /** Adds a text's words to the dictionary, then returns its ids. */
  tokenize(text: string): Int32Array {
    const ids: number[] = [];
    for (const line of lines(text))
      for (const word of [...split(line), '<eos>']) ids.push(this.dictionary.addWord(word));
    return Int32Array.from(ids);
  }
}

/** Debian's fortunes as train/valid/test texts (80/10/10 of the lines, in order). */
export function fortunes(dir = '/usr/share/games/fortunes'): { train: string; valid: string; test: string } {
  const kept: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const path = join(dir, f);
    if (f.endsWith('.dat') || f.endsWith('.u8') || !statSync(path).isFile()) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) if (line.trim() !== '%') kept.push(line);
  }
  const a = Math.floor(kept.length * 0.8);
  const b = Math.floor(kept.length * 0.9);
  const text = (from: number, to: number) => `${kept.slice(from, to).join('\n')}\n`;
  return { train: text(0, a), valid: text(a, b), test: text(b, kept.length) };
}

/**
 * The texts `--data` names: `fortunes` (Debian's quotations, all of /usr/share/games/fortunes), `fortunes:DIR`
 * (the same split of the fortune files in DIR, e.g. a copy of a few of them), or a folder with train.txt,
 * valid.txt and test.txt (e.g. Wikitext-2).
 */
export function corpusSource(data: string): string | { train: string; valid: string; test: string } {
  if (data === 'fortunes') return fortunes();
  if (data.startsWith('fortunes:')) return fortunes(data.slice('fortunes:'.length));
  return data;
}
