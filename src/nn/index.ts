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
export {
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ZeroPad2d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
} from './padding';
export {
  Upsample,
  UpsamplingNearest2d,
  UpsamplingBilinear2d,
  PixelShuffle,
  PixelUnshuffle,
  ChannelShuffle,
} from './upsampling';
export { Unfold, Fold } from './fold';
export type { Conv1dArgs, Conv2dArgs, ConvTranspose1dArgs, ConvTranspose2dArgs, PaddingMode } from './conv';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormBase } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
export {
  ReLU,
  LeakyReLU,
  Tanh,
  Sigmoid,
  ELU,
  CELU,
  SELU,
  GELU,
  SiLU,
  Mish,
  Hardtanh,
  ReLU6,
  Hardsigmoid,
  Hardswish,
  Hardshrink,
  Softshrink,
  Tanhshrink,
  Softsign,
  Softplus,
  LogSigmoid,
  PReLU,
  RReLU,
  Threshold,
  Activation,
  Elementwise,
  InplaceActivation,
  AlphaActivation,
  ShrinkActivation,
} from './activation';
export { Softmax, LogSoftmax, Softmin, Softmax2d, GLU } from './softmax';
export {
  Dropout,
  Dropout1d,
  Dropout2d,
  Dropout3d,
  AlphaDropout,
  FeatureAlphaDropout,
  DropoutNd,
} from './dropout';
export {
  LayerNorm,
  GroupNorm,
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNormBase,
  LocalResponseNorm,
} from './normalization';
export { Bilinear } from './bilinear';
export { Flatten, Unflatten } from './flatten';
export { CosineSimilarity, PairwiseDistance } from './distance';
export type { BackwardHook, ForwardHook, ForwardPreHook } from './module';
export type { BackwardHookOf, HookOf, PreHookOf, RemovableHandle } from './hooks';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export * from './loss';
export * from './loss-regression';
export * from './loss-margin';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from './rnn';
export type { LSTMState, RNNBaseConfig, RnnMode } from './rnn';
export * as utils from './utils';
export { Embedding, EmbeddingBag } from './sparse';
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from './attention';
export type { MultiheadAttentionForwardOptions } from './attention';
export {
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerDecoder,
  Transformer,
} from './transformer';
export type { TransformerActivation, TransformerLayerConfig } from './transformer';
export * as init from './init';
export * as functional from './functional';
