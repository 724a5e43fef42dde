/**
 * `torch.nn`: modules, `nn.init`, and `nn.functional` (also exported as `F`).
 * @module
 */
export { Module } from './module';
export type { StateDict, IncompatibleKeys } from './module';
export { Parameter } from '../autograd/parameter';
export { Linear, Identity } from './linear';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from './conv';
export type { Conv1dArgs, Conv2dArgs, ConvTranspose1dArgs, ConvTranspose2dArgs, PaddingMode } from './conv';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormBase } from './batchnorm';
export type { BatchNormArgs, BatchNormOptions } from './batchnorm';
export { ReLU, LeakyReLU, Tanh, Sigmoid } from './activation';
export { Dropout } from './dropout';
export { LayerNorm } from './normalization';
export { Flatten, Unflatten } from './flatten';
export { Sequential, ModuleList } from './container';
export * from './loss';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from './rnn';
export type { LSTMState } from './rnn';
export * as utils from './utils';
export { Embedding, EmbeddingBag } from './sparse';
export * as init from './init';
export * as functional from './functional';
