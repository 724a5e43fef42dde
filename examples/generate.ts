/**
 * Writes a grid of new digits from a training checkpoint:
 * `npm run generate -- --checkpoint out/checkpoint.pt --out digits.png [--n 64] [--seed N]`.
 *
 * Rebuilds the generator from the checkpoint's configuration, loads its weights, draws `n` noise vectors
 * (torch's numbers for the seed) and saves G's output in eval mode as torchvision's `save_image` would.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

import * as torch from 'tfjs-torch';
import { loadCheckpoint, saveImageGrid } from 'tfjs-torch/node';

const USAGE = `Usage: npm run generate -- [options]      (or: npx tsx examples/generate.ts [options])

Loads a checkpoint written by the training command and writes a grid of new digits.

Options:
  --checkpoint FILE  checkpoint to load (default out/checkpoint.pt)
  --out FILE         PNG to write (default digits.png)
  --n N              number of digits, 1..1024 (default 64)
  --nrow N           digits per row (default 8)
  --seed N           noise seed, 0..4294967295 (default: random, printed)
  --backend NAME     tfjs backend (default: automatic, or $TFJS_TORCH_BACKEND)
  -h, --help         show this help
`;

class UsageError extends Error {}

function intFlag(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got '${v}'`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        checkpoint: { type: 'string' },
        out: { type: 'string' },
        n: { type: 'string' },
        nrow: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const n = intFlag('n', values.n, 1, 1024) ?? 64;
  const nrow = intFlag('nrow', values.nrow, 1, 1024) ?? 8;
  const seed = intFlag('seed', values.seed, 0, 2 ** 32 - 1) ?? Math.floor(Math.random() * 2 ** 32);
  const checkpointPath = values.checkpoint ?? 'out/checkpoint.pt';
  const out = values.out ?? 'digits.png';

  const backend = await torch.initBackend(values.backend);
  const ckpt = await loadCheckpoint(checkpointPath);
  const { generator } = torch.ganModelsFromCheckpoint(ckpt);
  generator.eval();
  torch.manualSeed(seed);
  const images = torch.noGrad(() => generator.forward(torch.randn([n, generator.zDim])));
  mkdirSync(dirname(out), { recursive: true });
  await saveImageGrid(images, out, { nrow, normalize: true, valueRange: [-1, 1] });
  images.dispose();
  console.log(
    `wrote ${out}: ${n} digits from ${checkpointPath} (step ${ckpt.step}, training seed ${ckpt.seed}) | ` +
      `noise seed ${seed} (replay with --seed ${seed}) | backend ${backend}`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`generate: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`generate: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
