/**
 * `torch.nn`: modules, `nn.init`, and `nn.functional` (also exported as `F`).
 * @module
 */
export { Module } from './module';
export type { StateDict, IncompatibleKeys } from './module';
export { Parameter } from '../autograd/parameter';
export { Linear, Identity } from './linear';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from './conv';
export {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  LPPool1d,
  LPPool2d,
  MaxUnpool1d,
  MaxUnpool2d,
} from './pooling';
export type { Conv1dArgs, Conv2dArgs, ConvTranspose1dArgs, ConvTranspose2dArgs, PaddingMode } from './conv';
export { BatchNorm1d, BatchNorm2d, BatchNormBase } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
export { ReLU, LeakyReLU, Tanh, Sigmoid } from './activation';
export { Dropout } from './dropout';
export { LayerNorm } from './normalization';
export { Flatten, Unflatten } from './flatten';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export * from './loss';
export * as init from './init';
export * as functional from './functional';
