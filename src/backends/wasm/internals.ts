/**
 * Typed access to the internals of `@tensorflow/tfjs-backend-wasm` 4.22.0 that the training kernels need:
 * its heap, its tensor table, and its own kernels called directly (no engine, no tape).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../../errors';

/** The tfjs version whose wasm backend internals these kernels were written against. */
export const PINNED_TFJS_VERSION = '4.22.0';

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22.0) used here. */
interface BackendWasmLike {
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  /** The emscripten module: its memory is exported as `asm.memory`, or (threaded build) kept as `wasmMemory`. */
  wasm?: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    HEAPU8?: Uint8Array;
    _malloc?: (bytes: number) => number;
    _free?: (ptr: number) => void;
  };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Throws unless tfjs-core is the exact version whose wasm internals this code reads. */
export function assertPinnedVersion(what: string): void {
  if (tf.version_core !== PINNED_TFJS_VERSION) {
    throw new BackendError(
      `${what} reads the internals of tfjs-backend-wasm ${PINNED_TFJS_VERSION}, but @tensorflow/tfjs-core is ` +
        `${tf.version_core}; install @tensorflow/tfjs-core@${PINNED_TFJS_VERSION} and ` +
        `@tensorflow/tfjs-backend-wasm@${PINNED_TFJS_VERSION}, or use another backend`,
    );
  }
}

/**
 * A thin handle on the wasm backend for composing kernels: allocation, heap views, and direct calls into the
 * backend's own kernels. Every tensor it makes is the caller's to `free` (or to return as a kernel output).
 *
 * Heap views go stale whenever the wasm memory grows (any allocation may grow it), so take a view with `f32`
 * after the allocations of a step, never across them.
 */
export class WasmHeap {
  private readonly backend: BackendWasmLike;

  constructor(
    backend: unknown,
    private readonly kernelName: string,
  ) {
    const b = backend as Partial<BackendWasmLike> | null;
    if (!b || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function' || !b.dataIdMap) {
      throw new BackendError(
        `${kernelName}: expected tfjs-backend-wasm ${PINNED_TFJS_VERSION}'s BackendWasm, got a backend without ` +
          `makeOutput/typedArrayFromHeap/dataIdMap`,
      );
    }
    this.backend = b as BackendWasmLike;
  }

  /** A new uninitialised float32 tensor on the wasm heap. */
  alloc(shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'float32');
  }

  /** A new uninitialised int32 tensor on the wasm heap. */
  allocInt32(shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'int32');
  }

  /** A new tensor of any dtype holding `value` everywhere (`true`/`false` as 1/0 for bool). */
  filled(shape: number[], dtype: tf.DataType, value: number): tf.TensorInfo {
    const t = this.backend.makeOutput(shape, dtype);
    this.backend.typedArrayFromHeap(t).fill(value);
    return t;
  }

  /** A new float32 tensor filled with zeros. */
  zeros(shape: number[]): tf.TensorInfo {
    const t = this.alloc(shape);
    this.f32(t).fill(0);
    return t;
  }

  /** A new float32 tensor holding a copy of `values` (a JS array: a heap view could go stale while allocating). */
  upload(values: Float32Array, shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'float32', undefined, values);
  }

  /** A new `shape` tensor holding elements `[start, start + size(shape))` of `src` (copied after allocating). */
  copyRange(src: tf.TensorInfo, start: number, shape: number[]): tf.TensorInfo {
    const t = this.alloc(shape);
    const dst = this.f32(t);
    dst.set(this.f32(src).subarray(start, start + dst.length));
    return t;
  }

  /** A float32 view of a tensor's memory on the heap (valid until the next allocation). */
  f32(t: tf.TensorInfo): Float32Array {
    if (t.dtype !== 'float32') {
      throw new BackendError(
        `${this.kernelName}: expected float32 tensors, got ${t.dtype} of shape [${t.shape.join(', ')}]`,
      );
    }
    return this.backend.typedArrayFromHeap(t) as Float32Array;
  }

  /** An int32 view of a tensor's memory on the heap (valid until the next allocation). */
  i32(t: tf.TensorInfo): Int32Array {
    if (t.dtype !== 'int32') {
      throw new BackendError(
        `${this.kernelName}: expected an int32 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`,
      );
    }
    return this.backend.typedArrayFromHeap(t) as Int32Array;
  }

  /**
   * `bytes` of raw heap memory (no tensor: not in the backend's count), for data a kernel keeps between calls; release
   * it with {@link freeBytes}. May grow the memory.
   */
  mallocBytes(bytes: number): number {
    const malloc = this.backend.wasm?._malloc;
    if (!malloc) throw new BackendError(`${this.kernelName}: the wasm backend exposes no _malloc`);
    return malloc(bytes) >>> 0;
  }

  /** Releases memory from {@link mallocBytes}. */
  freeBytes(ptr: number): void {
    this.backend.wasm?._free?.(ptr);
  }

  /** Whether `other` is a handle on the same backend. */
  sameBackend(other: WasmHeap): boolean {
    return other.backend === this.backend;
  }

  /** A float32 view of `n` floats at byte offset `ptr` of the heap (valid until the next allocation). */
  floatsAt(ptr: number, n: number): Float32Array {
    const heap = this.backend.wasm?.HEAPU8;
    if (!heap) throw new BackendError(`${this.kernelName}: the wasm backend exposes no heap`);
    return new Float32Array(heap.buffer, ptr, n);
  }

  /** The byte offset of a tensor's data in the wasm memory. */
  ptr(t: tf.TensorInfo): number {
    const d = this.backend.dataIdMap.get(t.dataId);
    if (!d)
      throw new BackendError(`${this.kernelName}: tensor of shape [${t.shape.join(', ')}] is not on the wasm backend`);
    return d.memoryOffset;
  }

  /** The backend's `WebAssembly.Memory`, or `undefined` if this build does not expose it. */
  memory(): WebAssembly.Memory | undefined {
    const m = this.backend.wasm?.asm?.memory ?? this.backend.wasm?.wasmMemory;
    return m instanceof WebAssembly.Memory ? m : undefined;
  }

  /** Releases a tensor this handle (or a kernel called through it) made. */
  free(t: tf.TensorInfo): void {
    this.backend.disposeData(t.dataId);
  }

  /** Runs one of the wasm backend's own kernels directly, bypassing the engine (so nothing is taped). */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>): tf.TensorInfo {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new BackendError(`${this.kernelName}: the wasm backend has no kernel '${name}' to build on`);
    const out = config.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend as never });
    if (Array.isArray(out))
      throw new BackendError(`${this.kernelName}: wasm kernel '${name}' returned ${out.length} outputs, expected 1`);
    return out;
  }

  /** `a @ b` for `a: [m, k]`, `b: [k, n]` via the backend's XNNPACK GEMM (batch 1, nothing transposed). */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
    // One untransposed product (the stock kernel's XNNPACK path where ours is off).
    const out = this.run(
      'BatchMatMul',
      { a: { ...a, shape: [1, m, k] }, b: { ...b, shape: [1, k, n] } },
      { transposeA: false, transposeB: false },
    );
    return { ...out, shape: [m, n] };
  }

  /** Rows `[begin, begin + size)` of each axis, copied by the backend's Slice kernel. */
  slice(t: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x: t }, { begin, size });
  }
}

const wholeViews = new WeakMap<WebAssembly.Memory, { buffer: ArrayBufferLike; f32: Float32Array; i32: Int32Array }>();

/**
 * Float32 and int32 views of the whole of `memory`, made again only after it grows: the kernels that run thousands of
 * times per training step index these instead of making a view per call (each one more object for the collector).
 * @param memory the wasm backend's memory.
 */
export function memoryViews(memory: WebAssembly.Memory): { f32: Float32Array; i32: Int32Array } {
  const buffer = memory.buffer;
  let v = wholeViews.get(memory);
  if (!v || v.buffer !== buffer) {
    v = { buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
    wholeViews.set(memory, v);
  }
  return v;
}

/** The wasm backend's own kernels that ours replaced and fall back to, by kernel name. */
const stockKernels = new Map<string, tf.KernelFunc>();

/** Remembers a stock kernel that one of ours replaced (called by the registration). */
export function setStockKernel(name: string, kernelFunc: tf.KernelFunc): void {
  stockKernels.set(name, kernelFunc);
}

/** Runs the stock kernel `name` that one of ours replaced, for the cases ours leaves to it. */
export function runStockKernel(name: string, args: unknown): tf.TensorInfo {
  const f = stockKernels.get(name);
  if (!f) throw new BackendError(`${name}: the wasm backend's own kernel was not found`);
  return f(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
