/**
 * A minimal zip reader and writer for PyTorch's checkpoint container, on `Uint8Array`s.
 *
 * `torch.save` (since 1.6) writes an uncompressed ("stored") zip through miniz: every entry's data is
 * aligned to 64 bytes by padding the local header's extra field (an `FB` field of `Z`s), sizes and CRC
 * follow the data in a data descriptor, and the archive ends with zip64 records even when small. This
 * module reads exactly that (plus ordinary stored zips, zip64 included) from the central directory,
 * and writes stored entries with the same 64-byte alignment, so torch can load (and mmap) what it
 * writes. Compressed entries are refused with a {@link FormatError}: torch never writes them.
 * @module
 */

import { FormatError, ValueError } from '../errors';

/** One stored entry of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  /** Full name inside the archive (`archive/data/0`). */
  readonly name: string;
  /** Byte offset of the entry's data in the archive. */
  readonly dataOffset: number;
  /** Length of the entry's data in bytes. */
  readonly size: number;
  /** CRC-32 recorded in the central directory. */
  readonly crc32: number;
}

/** A file to put into an archive with {@link writeZip}. */
export interface ZipFile {
  name: string;
  data: Uint8Array;
}

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** torch's `kFieldAlignment`: where each entry's data starts, so storages can be mmapped. */
export const TORCH_ALIGNMENT = 64;

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, the zip checksum) of `bytes`.
 * @param bytes the data.
 * @param crc a running value to continue from. Default: `0`.
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function u64(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`zip: ${what} ${v} at byte ${at} is too large`);
  return Number(v);
}

/**
 * A parsed zip archive of stored entries: lists them and returns their data.
 *
 * Reads the central directory (zip64 included) and checks every entry: its local header's signature,
 * that it is stored (not compressed), and that its data lies inside the archive. {@link ZipArchive.read}
 * verifies the CRC-32.
 *
 * @example
 * ```ts
 * const zip = new ZipArchive(bytes);
 * const pkl = zip.read('archive/data.pkl');
 * ```
 */
export class ZipArchive {
  /** The whole archive. */
  readonly bytes: Uint8Array;
  /** Entries by name, in central-directory order. */
  readonly entries = new Map<string, ZipEntry>();

  /**
   * @param bytes the whole archive.
   * @throws FormatError when it is not a zip, is truncated, has compressed or out-of-range entries.
   */
  constructor(bytes: Uint8Array) {
    // A Node Buffer's slice() is a view, not a copy: keep a plain Uint8Array so slices copy.
    this.bytes = bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.length;
    if (n < EOCD_SIZE) throw new FormatError(`zip: expected at least ${EOCD_SIZE} bytes, got ${n}`);
    if (view.getUint32(0, true) !== LOCAL_SIG) {
      const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new FormatError(`zip: expected the local header magic 50 4b 03 04 at byte 0, got ${magic}`);
    }
    let eocd = -1;
    for (let i = n - EOCD_SIZE; i >= Math.max(0, n - EOCD_SIZE - MAX_COMMENT); i--) {
      if (view.getUint32(i, true) === EOCD_SIG && i + EOCD_SIZE + view.getUint16(i + 20, true) === n) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0)
      throw new FormatError(
        `zip: no end-of-central-directory record in the last ${Math.min(n, EOCD_SIZE + MAX_COMMENT)} bytes (truncated file?)`,
      );
    let count = view.getUint16(eocd + 10, true);
    let cdSize = view.getUint32(eocd + 12, true);
    let cdOffset = view.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) {
        throw new FormatError(`zip: the end record at byte ${eocd} needs a zip64 locator at byte ${loc}, found none`);
      }
      const rec = u64(view, loc + 8, 'zip64 end record offset');
      if (rec + 56 > loc || view.getUint32(rec, true) !== ZIP64_EOCD_SIG) {
        throw new FormatError(`zip: no zip64 end record at byte ${rec}`);
      }
      count = u64(view, rec + 32, 'entry count');
      cdSize = u64(view, rec + 40, 'central directory size');
      cdOffset = u64(view, rec + 48, 'central directory offset');
    }
    if (cdOffset + cdSize > n) {
      throw new FormatError(
        `zip: central directory [${cdOffset}, ${cdOffset + cdSize}) lies past the end of the ${n}-byte file`,
      );
    }
    if (count * CENTRAL_HEADER_SIZE > cdSize) {
      throw new FormatError(`zip: ${count} entries cannot fit a ${cdSize}-byte central directory`);
    }
    const decoder = new TextDecoder('utf-8', { fatal: false });
    let p = cdOffset;
    const cdEnd = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (p + CENTRAL_HEADER_SIZE > cdEnd || view.getUint32(p, true) !== CENTRAL_SIG) {
        throw new FormatError(`zip: expected central directory entry ${i} at byte ${p}, got none`);
      }
      const method = view.getUint16(p + 10, true);
      const crc = view.getUint32(p + 16, true);
      let compressed = view.getUint32(p + 20, true);
      let size = view.getUint32(p + 24, true);
      const nameLen = view.getUint16(p + 28, true);
      const extraLen = view.getUint16(p + 30, true);
      const commentLen = view.getUint16(p + 32, true);
      let local = view.getUint32(p + 42, true);
      const end = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
      if (end > cdEnd)
        throw new FormatError(`zip: central directory entry ${i} at byte ${p} runs past the directory's end`);
      const name = decoder.decode(bytes.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen));
      // zip64 extended information: present fields appear in this order, only when the 32-bit one is saturated.
      let e = p + CENTRAL_HEADER_SIZE + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = view.getUint16(e, true);
        const len = view.getUint16(e + 2, true);
        if (e + 4 + len > extraEnd) throw new FormatError(`zip: extra field of '${name}' runs past its end`);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new FormatError(`zip: zip64 field of '${name}' lacks the ${what}`);
            const v = u64(view, q, what);
            q += 8;
            return v;
          };
          if (size === 0xffffffff) size = take('uncompressed size');
          if (compressed === 0xffffffff) compressed = take('compressed size');
          if (local === 0xffffffff) local = take('local header offset');
        }
        e += 4 + len;
      }
      if (method !== 0) {
        const how = method === 8 ? 'deflate' : `method ${method}`;
        throw new FormatError(
          `zip: entry '${name}' is compressed (${how}); only stored entries are supported, as torch.save writes`,
        );
      }
      if (compressed !== size) {
        throw new FormatError(`zip: stored entry '${name}' has compressed size ${compressed} != size ${size}`);
      }
      if (local + LOCAL_HEADER_SIZE > n || view.getUint32(local, true) !== LOCAL_SIG) {
        throw new FormatError(`zip: expected the local header of '${name}' at byte ${local}, got none`);
      }
      const dataOffset =
        local + LOCAL_HEADER_SIZE + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      if (dataOffset + size > n) {
        throw new FormatError(
          `zip: data of '${name}' [${dataOffset}, ${dataOffset + size}) lies past the end of the ${n}-byte file (truncated?)`,
        );
      }
      if (this.entries.has(name)) throw new FormatError(`zip: duplicate entry '${name}'`);
      this.entries.set(name, { name, dataOffset, size, crc32: crc });
      p = end;
    }
  }

  /** Whether the archive has an entry called `name`. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The data of entry `name`, a view into the archive's bytes (no copy).
   * @param name full entry name.
   * @param verify check the CRC-32. Default: `true`.
   * @throws FormatError when the entry is missing or its CRC does not match.
   */
  read(name: string, verify = true): Uint8Array {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new FormatError(`zip: expected an entry '${name}', the archive has none`);
    const data = this.bytes.subarray(entry.dataOffset, entry.dataOffset + entry.size);
    if (verify) {
      const got = crc32(data);
      if (got !== entry.crc32) {
        throw new FormatError(
          `zip: CRC-32 of '${name}' is ${got.toString(16)}, the directory says ${entry.crc32.toString(16)} (corrupt file)`,
        );
      }
    }
    return data;
  }
}

/**
 * Writes `files` into a zip archive of stored entries, the way torch's `PyTorchStreamWriter` does:
 * each entry's data starts at a multiple of `alignment` (padding in an `FB` extra field), so torch
 * can read or mmap it.
 *
 * @param files names and contents, in archive order.
 * @param alignment data alignment in bytes. Default: `64` ({@link TORCH_ALIGNMENT}).
 * @returns the archive bytes.
 * @throws ValueError for archives of 4 GiB or more (zip64 writing is not implemented) or duplicate names.
 * @example
 * ```ts
 * const bytes = writeZip([{ name: 'archive/version', data: new TextEncoder().encode('3\n') }]);
 * ```
 */
export function writeZip(files: readonly ZipFile[], alignment = TORCH_ALIGNMENT): Uint8Array {
  const encoder = new TextEncoder();
  const names = new Set<string>();
  const layout: { name: Uint8Array; data: Uint8Array; local: number; pad: number; crc: number; utf8: boolean }[] = [];
  let cursor = 0;
  for (const f of files) {
    if (names.has(f.name)) throw new ValueError(`writeZip: duplicate entry name '${f.name}'`);
    names.add(f.name);
    const name = encoder.encode(f.name);
    if (name.length > 0xffff) throw new ValueError(`writeZip: entry name of ${name.length} bytes exceeds 65535`);
    // As torch's getPadding: the 4-byte FB field header always exists, its payload pads data to alignment.
    const start = cursor + LOCAL_HEADER_SIZE + name.length + 4;
    const pad = (alignment - (start % alignment)) % alignment;
    layout.push({ name, data: f.data, local: cursor, pad, crc: crc32(f.data), utf8: /[^\x00-\x7f]/.test(f.name) });
    cursor = start + pad + f.data.length;
  }
  const cdOffset = cursor;
  let cdSize = 0;
  for (const l of layout) cdSize += CENTRAL_HEADER_SIZE + l.name.length;
  const total = cdOffset + cdSize + EOCD_SIZE;
  if (total > 0xffffffff || layout.length > 0xffff) {
    throw new ValueError(
      `writeZip: ${total} bytes in ${layout.length} entries needs zip64, which is not implemented (limit 4 GiB, 65535 entries)`,
    );
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (const l of layout) {
    const p = l.local;
    view.setUint32(p, LOCAL_SIG, true);
    view.setUint16(p + 4, 20, true); // version needed: 2.0
    view.setUint16(p + 6, l.utf8 ? 0x0800 : 0, true);
    view.setUint16(p + 8, 0, true); // stored
    view.setUint32(p + 14, l.crc, true);
    view.setUint32(p + 18, l.data.length, true);
    view.setUint32(p + 22, l.data.length, true);
    view.setUint16(p + 26, l.name.length, true);
    view.setUint16(p + 28, 4 + l.pad, true);
    out.set(l.name, p + LOCAL_HEADER_SIZE);
    const fb = p + LOCAL_HEADER_SIZE + l.name.length;
    view.setUint16(fb, 0x4246, true); // 'F', 'B'
    view.setUint16(fb + 2, l.pad, true);
    out.fill(0x5a, fb + 4, fb + 4 + l.pad); // 'Z'
    out.set(l.data, fb + 4 + l.pad);
  }
  let p = cdOffset;
  for (const l of layout) {
    view.setUint32(p, CENTRAL_SIG, true);
    view.setUint16(p + 4, 20, true); // made by
    view.setUint16(p + 6, 20, true); // needed
    view.setUint16(p + 8, l.utf8 ? 0x0800 : 0, true);
    view.setUint32(p + 16, l.crc, true);
    view.setUint32(p + 20, l.data.length, true);
    view.setUint32(p + 24, l.data.length, true);
    view.setUint16(p + 28, l.name.length, true);
    view.setUint32(p + 42, l.local, true);
    out.set(l.name, p + CENTRAL_HEADER_SIZE);
    p += CENTRAL_HEADER_SIZE + l.name.length;
  }
  view.setUint32(p, EOCD_SIG, true);
  view.setUint16(p + 8, layout.length, true);
  view.setUint16(p + 10, layout.length, true);
  view.setUint32(p + 12, cdSize, true);
  view.setUint32(p + 16, cdOffset, true);
  return out;
}
