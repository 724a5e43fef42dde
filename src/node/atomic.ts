/**
 * Atomic file writes: the bytes go to a temporary file in the target's directory, are fsynced,
 * and replace the target with one `rename`, so a reader (or a crash) sees the old file or the new
 * one, never half of one. On failure the temporary file is removed and the old file is untouched.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

function tempPathFor(path: string): string {
  const full = resolve(path);
  // Same directory as the target, so the rename never crosses file systems; dot-prefixed and unique.
  return join(dirname(full), `.${basename(full)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** fsync the directory so the rename itself is durable; not possible everywhere (Windows), so best effort. */
function syncDirSync(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directory fsync is an extra guarantee, not a requirement.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` atomically (temp file + fsync + rename), synchronously.
 * Node's own errors (`ENOENT` for a missing directory, `EISDIR`, `EACCES`, ...) propagate unchanged;
 * the temporary file never survives a failure.
 *
 * @param path Target file; its directory must exist.
 * @param data Bytes, or a string written as UTF-8.
 * @example
 * writeFileAtomicSync('out/grid.png', encodePng(bytes, 30, 30, 3));
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw err;
  }
  syncDirSync(dirname(resolve(path)));
}

/**
 * Writes `data` to `path` atomically (temp file + fsync + rename) without blocking the event loop.
 * Same guarantees and errors as {@link writeFileAtomicSync}.
 *
 * @param path Target file; its directory must exist.
 * @param data Bytes, or a string written as UTF-8.
 * @example
 * await writeFileAtomic('out/losses.json', JSON.stringify(history));
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(tmp, 'wx');
    let off = 0;
    while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  syncDirSync(dirname(resolve(path)));
}
