/**
 * Training loops: {@link trainGAN} (the reference article's DCGAN algorithm), its step ({@link GANStep}), its
 * data sources and checkpoints (core-safe; files are written by `saveCheckpoint` in `tfjs-torch/node`).
 *
 * ```ts
 * import { trainGAN, randomBatches, serializeCheckpoint } from 'tfjs-torch';
 * ```
 * @module
 */
export { trainGAN, createDCGAN, NonFiniteLossError } from './gan';
export type { GANStepInfo, TrainGANOptions, TrainGANResult } from './gan';
export { GANStep } from './step';
export type { GANStepParts } from './step';
export { ganModelsFromCheckpoint, serializeCheckpoint, parseCheckpoint } from './checkpoint';
export type { GANCheckpoint, GANHistory, OptimizerStateData } from './checkpoint';
export { randomBatches, shuffledBatches } from '../data/batches';
export type { BatchSource } from '../data/batches';
