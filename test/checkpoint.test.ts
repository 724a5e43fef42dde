// Checkpoint files: round trip through torch.save format, refusal of other files, and atomic saves (a
// serializer that throws, and a writer process killed in the middle of a write, both leave the previous
// checkpoint loadable).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { ImageDataset } from '../src/data/dataset';
import { FormatError } from '../src/errors';
import { loadCheckpoint, saveCheckpoint } from '../src/node/checkpoint';
import { save } from '../src/node/io';
import { trainGAN } from '../src/train';
import type { GANCheckpoint } from '../src/train';
import { useWasmBackend } from './helpers';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-torch-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tinyCheckpoint(steps = 2): Promise<GANCheckpoint> {
  const bytes = Uint8Array.from({ length: 12 * 64 }, (_, i) => (i * 37) % 256);
  const r = await trainGAN({
    data: new ImageDataset(bytes, [12, 1, 8, 8]),
    generator: { zDim: 4, imgSize: 8, hiddenDim: 4 },
    discriminator: { imgSize: 8, width: 2 },
    batchSize: 3,
    steps,
    seed: 5,
  });
  return r.checkpoint();
}

describe('checkpoint files (wasm backend)', () => {
  useWasmBackend();

  it('save then load gives the same checkpoint, and resumes', async () => {
    const ckpt = await tinyCheckpoint();
    const path = join(dir, 'roundtrip.pt');
    await saveCheckpoint(path, ckpt);
    const back = await loadCheckpoint(path);
    expect(back).toEqual(ckpt);
    expect([...back.netG.keys()]).toEqual([...ckpt.netG.keys()]);
    expect(back.netG.get('gen1.bn.num_batches_tracked')).toEqual({
      dtype: 'int64',
      shape: [],
      data: BigInt64Array.of(4n),
    }); // G runs twice a step
    expect(back.rngState).toHaveLength(5056);
    expect(back.meta.generator).toEqual({ z_dim: 4, image_dim: 1, img_size: 8, hidden_dim: 4, preset: 'torch' });
    const resumed = await trainGAN({
      data: new ImageDataset(new Uint8Array(12 * 64), [12, 1, 8, 8]),
      steps: 3,
      resume: back,
    });
    expect(resumed.step).toBe(3);
  });

  it('refuses files that are not trainGAN checkpoints, naming what is missing', async () => {
    const sdPath = join(dir, 'state_dict.pt');
    await save(new Map([['weight', tf.ones([2])]]), sdPath);
    await expect(loadCheckpoint(sdPath)).rejects.toThrow(FormatError);
    await expect(loadCheckpoint(sdPath)).rejects.toThrow(/checkpoint: missing 'netG', 'netD', .*found keys weight/);
    const junk = join(dir, 'junk.pt');
    writeFileSync(junk, 'not a zip');
    await expect(loadCheckpoint(junk)).rejects.toThrow(/expected a zip archive/);
  });

  it('a save that fails while serializing leaves the previous checkpoint untouched', async () => {
    const good = await tinyCheckpoint(1);
    const path = join(dir, 'failing.pt');
    await saveCheckpoint(path, good);
    const before = statSync(path).size;
    const bad: GANCheckpoint = {
      ...good,
      step: 2,
      netD: new Map([...good.netD, ['broken', { dtype: 'float32', shape: [3], data: new Float32Array(2) }]]),
    };
    await expect(saveCheckpoint(path, bad)).rejects.toThrow(/has shape \[3\] but 2 elements/);
    expect(statSync(path).size).toBe(before);
    expect((await loadCheckpoint(path)).step).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a writer killed in the middle of a save leaves the previous checkpoint loadable', async () => {
    // A checkpoint made big (48 MB) so each save takes a while; a child process saves it over and over
    // and is SIGKILLed as soon as a temporary file shows up, i.e. during a write.
    const base = await tinyCheckpoint(1);
    const big: GANCheckpoint = {
      ...base,
      netG: new Map([
        ...base.netG,
        ['big', { dtype: 'float32', shape: [12_000_000], data: new Float32Array(12_000_000).fill(0.5) }],
      ]),
    };
    const work = mkdtempSync(join(dir, 'kill-'));
    const source = join(work, 'source.pt');
    await saveCheckpoint(source, big);
    const target = join(work, 'checkpoint.pt');
    const child = join(work, 'writer.mts');
    writeFileSync(
      child,
      `import { loadCheckpoint, saveCheckpoint } from ${JSON.stringify(join(root, 'src/node/checkpoint.ts'))};\n` +
        `const ck = await loadCheckpoint(${JSON.stringify(source)});\n` +
        `for (let i = 1; ; i++) { ck.step = i; await saveCheckpoint(${JSON.stringify(target)}, ck); console.log('saved ' + i); }\n`,
    );
    // node itself (not npx), so the kill reaches the writing process.
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    const writing = () =>
      readdirSync(work).some((f) => {
        try {
          return f.endsWith('.tmp') && statSync(join(work, f)).size > 0;
        } catch {
          return false; // renamed between the listing and the stat
        }
      });
    let sawTemp = false;
    // Wait until one save is complete, then kill during the next one's write.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      if (/saved 1\n/.test(out) && writing()) {
        sawTemp = true;
        proc.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    if (!sawTemp) proc.kill('SIGKILL');
    const signal = await exited;
    expect(sawTemp, `no write in progress was caught; child output: ${out} ${err}`).toBe(true);
    expect(signal).toBe('SIGKILL');
    const saved = [...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
    const leftovers = readdirSync(work).filter((f) => f.endsWith('.tmp'));
    expect(leftovers.length).toBe(1); // the half-written temporary file of the killed save
    const loaded = await loadCheckpoint(target);
    expect(saved).toContain(loaded.step);
    const bytes = (t: { data: ArrayBufferView }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    // (Buffer.equals: vitest's deep equality is far too slow for 12 million elements.)
    expect(bytes(loaded.netG.get('big')!).equals(bytes(big.netG.get('big')!))).toBe(true);
  });
});
