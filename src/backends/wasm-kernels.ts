/**
 * Training kernels for tfjs's `wasm` backend: the conv2d filter gradient it lacks and a fast input gradient
 * (which is also conv2dTranspose's forward pass).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../errors';
import { FusedKernel } from './fused-kernels';
import { addWasm } from './wasm/add';
import { batchMatMulWasm } from './wasm/batch-matmul';
import { conv2DBackpropFilterWasm } from './wasm/conv-backprop-filter';
import { conv2DBackpropInputWasm } from './wasm/conv-backprop-input';
import { conv2DWasm } from './wasm/conv2d';
import { CrossEntropyKernel, crossEntropyGradWasm, crossEntropyWasm } from './wasm/cross-entropy';
import { GruKernel, gruBackwardWasm, gruForwardWasm } from './wasm/gru-cell';
import { batchNormGradWasm, batchNormTrainWasm, identityWasm, leakyReluGradWasm, leakyReluWasm } from './wasm/fused';
import { assertPinnedVersion, setStockKernel } from './wasm/internals';
import { LstmKernel, lstmBackwardWasm, lstmForwardWasm } from './wasm/lstm-cell';
import { PoolKernel, maxPool2dGradWasm, maxPool2dWasm } from './wasm/max-pool';
import { maxPoolGradWasm } from './wasm/max-pool-grad';
import { unsortedSegmentSumWasm } from './wasm/segment-sum';
import { sliceWasm } from './wasm/slice';
import { meanWasmKernel, prodWasmKernel, sumWasmKernel } from './wasm/empty-reduce';
import { transposeWasm } from './wasm/transpose';

export type { ConvBackpropAttrs } from './wasm/geometry';

/** Marks our kernel functions, so a second copy of this module (ESM + CJS) recognises them as registered. */
const OURS = Symbol.for('tfjs-torch.wasmTrainingKernel');

type Marked = tf.KernelFunc & { [OURS]?: true };

function mark(f: (args: never) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelFunc {
  const k = f as unknown as Marked;
  k[OURS] = true;
  return k;
}

const KERNELS: Record<string, tf.KernelFunc> = {
  Add: mark(addWasm),
  BatchMatMul: mark(batchMatMulWasm),
  Conv2D: mark(conv2DWasm),
  Conv2DBackpropFilter: mark(conv2DBackpropFilterWasm),
  Conv2DBackpropInput: mark(conv2DBackpropInputWasm),
  Identity: mark(identityWasm),
  MaxPoolGrad: mark(maxPoolGradWasm),
  Mean: mark(meanWasmKernel),
  Prod: mark(prodWasmKernel),
  Slice: mark(sliceWasm),
  Sum: mark(sumWasmKernel),
  Transpose: mark(transposeWasm),
  UnsortedSegmentSum: mark(unsortedSegmentSumWasm),
  [FusedKernel.BatchNormTrain]: mark(batchNormTrainWasm),
  [FusedKernel.BatchNormGrad]: mark(batchNormGradWasm),
  [FusedKernel.LeakyRelu]: mark(leakyReluWasm),
  [FusedKernel.LeakyReluGrad]: mark(leakyReluGradWasm),
  [LstmKernel.Forward]: mark(lstmForwardWasm),
  [LstmKernel.Backward]: mark(lstmBackwardWasm),
  [GruKernel.Forward]: mark(gruForwardWasm),
  [GruKernel.Backward]: mark(gruBackwardWasm),
  [CrossEntropyKernel.Forward]: mark(crossEntropyWasm),
  [CrossEntropyKernel.Backward]: mark(crossEntropyGradWasm),
  [PoolKernel.MaxPool2d]: mark(maxPool2dWasm),
  [PoolKernel.MaxPool2dGrad]: mark(maxPool2dGradWasm),
};

/** The wasm backend's own kernels that ours replaced, kept for benchmarks and comparisons. */
const stock = new Map<string, tf.KernelConfig>();

/**
 * Registers on the `wasm` backend a `Conv2DBackpropFilter` kernel (which tfjs-backend-wasm 4.22 lacks, so conv
 * layers cannot train on it) and a `Conv2DBackpropInput` kernel running on XNNPACK convolutions (the stock one, behind
 * the input gradient and `conv2dTranspose`, is 8-10x slower). Idempotent; call it after importing
 * `@tensorflow/tfjs-backend-wasm` (before or after `tf.setBackend('wasm')`). `initBackend('wasm')` calls it for you.
 *
 * It also registers the fused kernels that `F.batchNorm`, `F.relu` and `F.leakyRelu` use when present
 * (`TfjsTorchBatchNormTrain`, ...), and replaces `Identity` with one that shares its input's memory, as the cpu backend's does
 * (the stock one copies, and tfjs clones every tensor a custom gradient saves).
 * It replaces `MaxPoolGrad` (`tf.maxPool`'s gradient), whose stock version is wrong when a window holds only
 * negative values, with one that matches the cpu backend. It replaces `Sum` over leading axes (a bias's gradient) with a
 * row-adding SIMD loop that reads the input in place (the stock one transposes it first), and adds the fused LSTM
 * recurrence (LSTM, GRU), cross-entropy and NCHW max-pooling kernels that `nn.LSTM`, `nn.GRU`, `F.crossEntropy` and
 * `F.maxPool1d/2d` use when present.
 *
 * Both conv kernels take NHWC tensors, any stride, explicit / `'same'` / `'valid'` padding, and, beyond tfjs's kernels,
 * an optional `dilations` attribute. They match the `cpu` backend's kernels to float32 rounding.
 *
 * There is no torch counterpart: PyTorch's CPU backend has these kernels
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html).
 *
 * Throws {@link BackendError} when tfjs-core is not 4.22.0 (the kernels read the wasm backend's internals) or the wasm
 * backend has not been imported.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * const [dx, dw] = tf.grads((x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 2, 'same').sum())([x, w]);
 * ```
 */
export function registerWasmTrainingKernels(): void {
  assertPinnedVersion('registerWasmTrainingKernels');
  if (!tf.getKernel('Conv2D', 'wasm')) {
    throw new BackendError(
      "registerWasmTrainingKernels: the wasm backend's kernels are not registered; " +
        "import '@tensorflow/tfjs-backend-wasm' first",
    );
  }
  for (const [name, kernelFunc] of Object.entries(KERNELS)) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing && (existing.kernelFunc as Marked)[OURS]) continue;
    if (existing) {
      stock.set(name, existing);
      setStockKernel(name, existing.kernelFunc);
      tf.unregisterKernel(name, 'wasm'); // re-registering over it would only log a warning
    }
    // A stock kernel's setupFunc binds its wasm function when the backend initialises: ours may delegate to it.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: existing?.setupFunc });
  }
}

/**
 * Whether {@link registerWasmTrainingKernels} has put its kernels on the `wasm` backend.
 * @example
 * ```ts
 * if (!wasmTrainingKernelsRegistered()) registerWasmTrainingKernels();
 * ```
 */
export function wasmTrainingKernelsRegistered(): boolean {
  return Object.keys(KERNELS).every((name) => {
    const k = tf.getKernel(name, 'wasm');
    return !!k && !!(k.kernelFunc as Marked)[OURS];
  });
}

/**
 * The wasm backend's own kernel that {@link registerWasmTrainingKernels} replaced (`'Conv2DBackpropInput'`), or
 * `undefined` (`'Conv2DBackpropFilter'` has none). For benchmarks and comparisons.
 *
 * @param name Kernel name.
 * @example
 * ```ts
 * const stockInput = stockWasmKernel('Conv2DBackpropInput');
 * ```
 */
export function stockWasmKernel(name: string): tf.KernelConfig | undefined {
  return stock.get(name);
}
