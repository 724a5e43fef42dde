/**
 * `torch.nn.functional`, as `F`: the stateless ops the modules are thin over.
 * @module
 */
export { linear } from './linear';
export { pad } from './pad';
export type { PadMode } from './pad';
export { relu, leakyRelu, tanh, sigmoid, softmax, logSoftmax } from './activation';
export { dropout } from './dropout';
export { layerNorm } from './normalization';
export { batchNorm } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
export {
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  convTranspose2dOutputSize,
  convTranspose2dOutputPadding,
} from './conv';
export type { Conv1dOptions, Conv2dOptions, ConvTranspose1dOptions, ConvTranspose2dOptions, IntOrPair } from './conv';
export {
  maxPool1d,
  maxPool2d,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  lpPool1d,
  lpPool2d,
  maxUnpool1d,
  maxUnpool2d,
} from './pooling';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  mseLoss,
  l1Loss,
  nllLoss,
  crossEntropy,
} from './loss';
export type {
  Reduction,
  BinaryCrossEntropyOptions,
  BinaryCrossEntropyWithLogitsOptions,
  ReductionOptions,
  NLLLossOptions,
  CrossEntropyOptions,
} from './loss';
