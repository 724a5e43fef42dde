/**
 * `torch.nn.utils`: gradient clipping, flat parameter vectors, weight and spectral normalisation, and the
 * packed-sequence helpers of `nn.utils.rnn`.
 * @module
 */
export * from './rnn';
export { clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters, vectorNorm } from './clip-grad';
export type { TensorOrTensors } from './clip-grad';
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm } from './weight-norm';
