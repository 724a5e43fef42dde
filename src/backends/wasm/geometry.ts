/**
 * Geometry of a 2-D convolution's backward pass (NHWC), shared by the wasm training kernels.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError, ShapeError } from '../../errors';

/**
 * Attributes of tfjs's `Conv2DBackpropInput` / `Conv2DBackpropFilter` kernels, plus `dilations`, which tfjs's
 * own kernels lack (its conv2d gradient refuses dilation > 1) and the wasm training kernels accept.
 */
export interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** One spatial axis of a convolution: `out[i]` reads `in[i * stride - padBefore + k * dilation]`. */
export interface Axis {
  inSize: number;
  outSize: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

/** The convolution's sizes, in the forward direction `x: [batch, H, W, inC] -> y: [batch, outH, outW, outC]`. */
export interface ConvGeometry {
  batch: number;
  inC: number;
  outC: number;
  h: Axis;
  w: Axis;
}

function describe(attrs: ConvBackpropAttrs): string {
  const { strides, pad, dilations = 1, dataFormat = 'NHWC', dimRoundingMode } = attrs;
  return (
    `{strides: ${JSON.stringify(strides)}, pad: ${JSON.stringify(pad)}, dilations: ${JSON.stringify(dilations)}, ` +
    `dataFormat: '${dataFormat}'${dimRoundingMode ? `, dimRoundingMode: '${dimRoundingMode}'` : ''}}`
  );
}

/**
 * Validates a backward-conv call and computes its geometry. `dyShape` must be the forward output's shape.
 * Throws {@link BackendError} for what the wasm kernels do not implement, {@link ShapeError} for inconsistent shapes.
 */
export function convGeometry(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  dyShape: number[],
  attrs: ConvBackpropAttrs,
): ConvGeometry {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') {
    throw new BackendError(`${kernelName} on wasm supports dataFormat 'NHWC' only, got attrs ${describe(attrs)}`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4 || dyShape.length !== 4) {
    throw new ShapeError(
      `${kernelName}: expected rank-4 input [${xShape}], filter [${filterShape}] and dy [${dyShape}]`,
    );
  }
  if (xShape[3] !== filterShape[2] || dyShape[3] !== filterShape[3] || dyShape[0] !== xShape[0]) {
    throw new ShapeError(
      `${kernelName}: input [${xShape}] (NHWC), filter [${filterShape}] (HWIO) and dy [${dyShape}] (NHWC) disagree ` +
        `on batch or channels`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.outHeight !== dyShape[1] || info.outWidth !== dyShape[2]) {
    throw new ShapeError(
      `${kernelName}: dy has spatial size ${dyShape[1]}x${dyShape[2]}, but a conv of input [${xShape}] with filter ` +
        `[${filterShape}] and attrs ${describe(attrs)} gives ${info.outHeight}x${info.outWidth}`,
    );
  }
  const axis = (
    inSize: number,
    outSize: number,
    kernel: number,
    stride: number,
    dilation: number,
    padBefore: number,
  ): Axis => {
    if (!(stride >= 1 && dilation >= 1 && Number.isInteger(stride) && Number.isInteger(dilation))) {
      throw new BackendError(
        `${kernelName}: strides and dilations must be positive integers, got attrs ${describe(attrs)}`,
      );
    }
    return { inSize, outSize, kernel, stride, dilation, padBefore };
  };
  return {
    batch: info.batchSize,
    inC: info.inChannels,
    outC: info.outChannels,
    h: axis(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, info.padInfo.top),
    w: axis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, info.padInfo.left),
  };
}

/** Throws {@link BackendError} unless every input is float32 (the wasm conv kernels read raw float32 memory). */
export function requireFloat32(kernelName: string, inputs: Record<string, tf.TensorInfo>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') {
      throw new BackendError(`${kernelName} on wasm: expected float32 '${name}', got ${t.dtype} of shape [${t.shape}]`);
    }
  }
}

/** Explicit NHWC padding in the form tfjs kernels take. */
export function explicitPad(top: number, bottom: number, left: number, right: number): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
