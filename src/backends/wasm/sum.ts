/**
 * `Sum` over leading axes for the wasm backend: a bias's gradient (`sum(dy, 0)` of a `[700, 10000]` decoder output),
 * a batch's sum. The stock kernel transposes the input so that the reduced axes come last and then sums each output
 * element's run serially (one dependent add per element); this one adds the rows into the output, four columns per
 * WebAssembly SIMD instruction, reading the input once in place. Each column still sums its rows in order, in float32,
 * as the stock and cpu kernels do. Every other reduction (trailing or scattered axes, all axes, non-float32 data) goes
 * to the stock kernel. Empty inputs never reach this kernel: `empty-reduce.ts` wraps it (the stock kernels leave an empty
 * reduction's output unwritten).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { WasmHeap, runStockKernel } from './internals';
import { type Fn, asm, assembleModule } from './simd';

const { I32, get, set, i32c, simd, I32_ADD, I32_GE_U, LOAD, STORE } = asm;

interface SumOps {
  /** `dst[i] += src[i]` over `n4` floats (a multiple of 4). */
  addRow(src: number, dst: number, n4: number): void;
}

function functions(): Fn[] {
  // addRow(src 0, dst 1, n 2); locals: i 3
  const at = (ptr: number) => [...get(ptr), ...get(3), ...I32_ADD];
  return [
    {
      name: 'addRow',
      params: [I32, I32, I32],
      results: [],
      locals: [I32],
      body: [
        ...get(2),
        ...i32c(2),
        0x74, // i32.shl: floats -> bytes
        ...set(2),
        0x02,
        0x40, // block
        0x03,
        0x40, // loop
        ...get(3),
        ...get(2),
        ...I32_GE_U,
        0x0d,
        1, // br_if 1 (exit)
        ...at(1),
        ...at(1),
        ...LOAD,
        ...at(0),
        ...LOAD,
        ...simd(0xe4), // f32x4.add
        ...STORE,
        ...get(3),
        ...i32c(16),
        ...I32_ADD,
        ...set(3),
        0x0c,
        0, // br 0
        0x0b,
        0x0b, // end loop, end block
      ],
    },
  ];
}

const instances = new WeakMap<WebAssembly.Memory, SumOps | null>();

function sumOps(memory: WebAssembly.Memory | undefined): SumOps | null {
  if (memory === undefined) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let ops: SumOps | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    ops = new WebAssembly.Instance(new WebAssembly.Module(assembleModule(functions(), shared)), { env: { memory } })
      .exports as unknown as SumOps;
  } catch {
    ops = null;
  }
  instances.set(memory, ops);
  return ops;
}

/** The kernel function: tfjs's `Sum` inputs `{x}` and attrs `{axis, keepDims}`. */
export function sumWasm(args: {
  inputs: { x: tf.TensorInfo };
  attrs: { axis: number | number[]; keepDims: boolean };
  backend: unknown;
}): tf.TensorInfo {
  const {
    inputs: { x },
    attrs: { axis, keepDims },
    backend,
  } = args;
  const rank = x.shape.length;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const k = axes.length;
  const leading = k > 0 && k < rank && axes.every((a, i) => a === i);
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || !leading) return runStockKernel('Sum', args);
  const heap = new WasmHeap(backend, 'Sum');
  const outShape = keepDims ? [...new Array(k).fill(1), ...x.shape.slice(k)] : x.shape.slice(k);
  const out = heap.copyRange(x, 0, outShape);
  const ops = sumOps(heap.memory());
  const c4 = ops ? cols & ~3 : 0;
  const xPtr = heap.ptr(x);
  const outPtr = heap.ptr(out);
  const xv = heap.f32(x);
  const ov = heap.f32(out);
  for (let r = 1; r < rows; r++) {
    const base = r * cols;
    if (c4 > 0) ops!.addRow(xPtr + 4 * base, outPtr, c4);
    for (let j = c4; j < cols; j++) ov[j] += xv[base + j];
  }
  return out;
}
