/**
 * {@link trainGAN} checkpoints on disk, in `torch.save` format, written atomically: the bytes go to a
 * temporary file beside the target and replace it with one `rename`, so a crash or a kill during a save
 * leaves the previous checkpoint whole (at worst a stray `.checkpoint.pt.<pid>.<random>.tmp` file).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { parseCheckpoint, serializeCheckpoint } from '../train/checkpoint';
import type { GANCheckpoint } from '../train/checkpoint';
import { writeFileAtomic } from './atomic';

/** torch names the archive's folder after the file; do the same when the name allows it. */
function archiveNameFor(path: string): string {
  const base = basename(path);
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(stem) ? stem : 'checkpoint';
}

/**
 * Saves a {@link GANCheckpoint} as a `torch.save` file (see {@link serializeCheckpoint}), atomically.
 * Mirrors saving `{'netG': netG.state_dict(), 'netD': ..., 'optimizerG': ..., ...}` with
 * [torch.save](https://pytorch.org/docs/1.13/generated/torch.save.html); PyTorch reads it with `torch.load(path)`.
 *
 * @param path the file to (over)write; its directory must exist.
 * @param checkpoint from `onCheckpoint` or `result.checkpoint()`.
 * @throws the serializer's ValueError or Node's I/O errors; the previous file is then untouched.
 * @example
 * ```ts
 * await trainGAN({ data, steps: 3001, checkpointEvery: 100, onCheckpoint: (c) => saveCheckpoint('out/checkpoint.pt', c) });
 * ```
 */
export async function saveCheckpoint(path: string, checkpoint: GANCheckpoint): Promise<void> {
  const bytes = serializeCheckpoint(checkpoint, { archiveName: archiveNameFor(path) });
  await writeFileAtomic(path, bytes);
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} (see {@link parseCheckpoint}); pass it to
 * `trainGAN({ resume })` or `ganModelsFromCheckpoint`.
 *
 * @param path the file.
 * @returns the {@link GANCheckpoint}.
 * @throws FormatError for a file that is not a trainGAN checkpoint; Node's errors for I/O.
 * @example
 * ```ts
 * const result = await trainGAN({ data, steps: 3001, resume: await loadCheckpoint('out/checkpoint.pt') });
 * ```
 */
export async function loadCheckpoint(path: string): Promise<GANCheckpoint> {
  const buf = await readFile(path);
  return parseCheckpoint(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}
