/**
 * `torch.nn.utils`.
 * @module
 */
export * from './rnn';
