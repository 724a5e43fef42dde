/**
 * tfjs-torch: PyTorch's `nn`, `optim` and autograd for TensorFlow.js.
 *
 * ```ts
 * import * as torch from 'tfjs-torch';
 * import { nn, F, optim } from 'tfjs-torch';
 * ```
 * @module
 */
// First: registers tfjs's gradients and chained methods and installs the autograd hooks.
export * from './autograd';
export * as nn from './nn';
export * as F from './nn/functional';
export * from './random';
export * from './errors';
