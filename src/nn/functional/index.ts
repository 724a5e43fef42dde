/**
 * `torch.nn.functional`, as `F`: the stateless ops the modules are thin over.
 * @module
 */
export { linear } from './linear';
export { cosineSimilarity, pairwiseDistance, normalize, oneHot } from './distance';
export { pad } from './pad';
export type { PadMode } from './pad';
export {
  relu,
  leakyRelu,
  tanh,
  sigmoid,
  hardtanh,
  relu6,
  threshold,
  rrelu,
  hardshrink,
  softshrink,
  tanhshrink,
  softsign,
  softplus,
  logsigmoid,
  prelu,
} from './activation';
export { elu, celu, selu, gelu, silu, mish, hardsigmoid, hardswish } from './gates';
export { softmax, logSoftmax, softmin, glu } from './softmax';
export { dropout, dropout1d, dropout2d, dropout3d, alphaDropout, featureAlphaDropout } from './dropout';
export { layerNorm, groupNorm, instanceNorm, localResponseNorm } from './normalization';
export { bilinear } from './bilinear';
export { embedding, embeddingBag } from './embedding';
export type { EmbeddingBagMode } from './embedding';
export { multiHeadAttentionForward } from './attention';
export type { MultiHeadAttentionOptions } from './attention';
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
export type { IntOrInts } from './conv';
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
  interpolate,
  upsample,
  upsampleNearest,
  upsampleBilinear,
  pixelShuffle,
  pixelUnshuffle,
  channelShuffle,
} from './upsampling';
export type { InterpolateMode } from './upsampling';
export { unfold, fold } from './fold';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, mseLoss, l1Loss } from './loss';
export type {
  Reduction,
  BinaryCrossEntropyOptions,
  BinaryCrossEntropyWithLogitsOptions,
  ReductionOptions,
} from './loss';
export { nllLoss, crossEntropy } from './loss-nll';
export type { NLLLossOptions, CrossEntropyOptions } from './loss-nll';
export { smoothL1Loss, huberLoss, klDiv, poissonNllLoss, gaussianNllLoss } from './loss-regression';
export {
  hingeEmbeddingLoss,
  softMarginLoss,
  multilabelSoftMarginLoss,
  multilabelMarginLoss,
  multiMarginLoss,
  cosineEmbeddingLoss,
  marginRankingLoss,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
} from './loss-margin';
export type { DistanceFunction } from './loss-margin';
export { ctcLoss } from './loss-ctc';
