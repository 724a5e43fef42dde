/**
 * Reductions of tensors with no elements on the wasm backend. tfjs-backend-wasm 4.22's `Sum`, `Prod` and `Mean`
 * leave their output unwritten when the input is empty (a full reduction of a `[0, 3]` tensor returned whatever
 * the heap held, e.g. 3.6e-41); torch gives the reduction's identity: `sum` 0, `prod` 1, `mean` nan.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { WasmHeap, runStockKernel } from './internals';
import { sumWasm } from './sum';

/** tfjs's reduction kernel arguments: input `x`, attrs `{axis, keepDims}`. */
interface ReduceArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { axis: number | number[]; keepDims: boolean };
  backend: unknown;
}

/** The output shape of reducing `shape` over `axis` (tfjs's attrs). */
function reducedShape(shape: number[], axis: number | number[], keepDims: boolean): number[] {
  const axes = new Set(tf.util.parseAxisParam(axis, shape));
  return keepDims ? shape.map((d, i) => (axes.has(i) ? 1 : d)) : shape.filter((_, i) => !axes.has(i));
}

/** The output dtype tfjs gives each reduction (Mean is float32, Sum/Prod keep int32, bool sums to int32). */
function outDtype(name: 'Sum' | 'Prod' | 'Mean', dtype: tf.DataType): tf.DataType {
  if (name === 'Mean') return 'float32';
  return dtype === 'bool' ? 'int32' : dtype;
}

/**
 * Wraps a reduction kernel: an empty input gives the reduction's identity (`fill`), anything else goes to `run`.
 * @param name the kernel.
 * @param fill what every output element of an empty reduction holds.
 * @param run the kernel for non-empty inputs.
 */
function emptyAware(
  name: 'Sum' | 'Prod' | 'Mean',
  fill: number,
  run: (args: ReduceArgs) => tf.TensorInfo,
): (args: ReduceArgs) => tf.TensorInfo {
  return (args) => {
    const { x } = args.inputs;
    if (tf.util.sizeFromShape(x.shape) !== 0) return run(args);
    const shape = reducedShape(x.shape, args.attrs.axis, args.attrs.keepDims);
    return new WasmHeap(args.backend, name).filled(shape, outDtype(name, x.dtype), fill);
  };
}

/** `Sum` with torch's 0 for empty inputs (the rows-over-leading-axes kernel otherwise). */
export const sumWasmKernel = emptyAware('Sum', 0, sumWasm);
/** `Prod` with torch's 1 for empty inputs. */
export const prodWasmKernel = emptyAware('Prod', 1, (args) => runStockKernel('Prod', args));
/** `Mean` with torch's nan for empty inputs. */
export const meanWasmKernel = emptyAware('Mean', Number.NaN, (args) => runStockKernel('Mean', args));
