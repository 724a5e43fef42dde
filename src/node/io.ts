/**
 * PyTorch weight files on disk: `torch.save` / `torch.load` files and safetensors, read and written
 * from Node. Writes are atomic (temporary file in the same directory, then `rename`), so an interrupted
 * save never leaves half a checkpoint behind.
 * @module
 */
import { readFile } from 'node:fs/promises';

import { parseSafetensors, serializeSafetensors } from '../io/safetensors';
import type { SafetensorsFile } from '../io/safetensors';
import { parseTorchFile, serializeTorchFile } from '../io/torch-format';
import type { ParseTorchOptions, PyValue, SerializeTorchOptions, TensorData } from '../io/torch-format';
import { writeFileAtomic } from './atomic';
import type * as tf from '@tensorflow/tfjs-core';

async function readBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** torch names the zip's folder after the file; do the same when it is a valid name. */
function archiveNameFor(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(stem) ? stem : 'archive';
}

/**
 * Reads a `torch.save` file, like [torch.load](https://pytorch.org/docs/1.13/generated/torch.load.html)
 * with `weights_only=True`: see {@link parseTorchFile} for what comes back and what is refused.
 * @param path the file.
 * @param options CRC checking and the tensor size limit (see {@link ParseTorchOptions}).
 * @returns the saved object; a state dict is an `OrderedDict` (a `Map`) of {@link TensorData}.
 * @throws FormatError for a malformed or non-weights-only file; Node's errors for I/O.
 * @example
 * ```ts
 * import { load } from 'tfjs-torch/node';
 * import { toTfStateDict } from 'tfjs-torch';
 * netG.loadStateDict(toTfStateDict(await load('netG.pt')));
 * ```
 */
export async function load(path: string, options?: ParseTorchOptions): Promise<PyValue> {
  return parseTorchFile(await readBytes(path), options);
}

/**
 * Writes `obj` as a `torch.save` file (see {@link serializeTorchFile}), atomically.
 * Mirrors [torch.save](https://pytorch.org/docs/1.13/generated/torch.save.html); the archive folder
 * is named after the file, as torch names it.
 * @param obj a state dict (`Map`/object of tfjs tensors or {@link TensorData}) or nested plain data.
 * @param path the file to (over)write; its directory must exist.
 * @param options the archive name. Default: the file name without extension.
 * @example
 * ```ts
 * await save(netG.stateDict(), 'netG.pt'); // python: torch.load('netG.pt', weights_only=True)
 * ```
 */
export async function save(obj: PyValue, path: string, options?: SerializeTorchOptions): Promise<void> {
  const bytes = serializeTorchFile(obj, { archiveName: archiveNameFor(path), ...options });
  await writeFileAtomic(path, bytes);
}

/**
 * Reads a safetensors file (see {@link parseSafetensors}).
 * @param path the file.
 * @returns its tensors (`Map<string, TensorData>`, in data order) and `__metadata__`.
 * @throws FormatError for a malformed file; Node's errors for I/O.
 * @example
 * ```ts
 * const { tensors, metadata } = await loadSafetensors('model.safetensors');
 * ```
 */
export async function loadSafetensors(path: string): Promise<SafetensorsFile> {
  return parseSafetensors(await readBytes(path));
}

/**
 * Writes tensors as a safetensors file (see {@link serializeSafetensors}), atomically.
 * @param tensors name → {@link TensorData} or tfjs tensor.
 * @param path the file to (over)write; its directory must exist.
 * @param metadata optional `__metadata__` strings. Default: none.
 * @example
 * ```ts
 * await saveSafetensors(netD.stateDict(), 'netD.safetensors', { format: 'pt' });
 * ```
 */
export async function saveSafetensors(
  tensors: Map<string, TensorData | tf.Tensor> | Record<string, TensorData | tf.Tensor>,
  path: string,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
