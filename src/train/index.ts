/**
 * Training loops: {@link trainGAN} (the reference article's DCGAN algorithm), its data sources and
 * checkpoints (core-safe; files are written by `saveCheckpoint` in `tfjs-torch/node`).
 *
 * ```ts
 * import { trainGAN, randomBatches, serializeCheckpoint } from 'tfjs-torch';
 * ```
 * @module
 */
export {
  trainGAN,
  createDCGAN,
  randomBatches,
  shuffledBatches,
  ganModelsFromCheckpoint,
  serializeCheckpoint,
  parseCheckpoint,
  NonFiniteLossError,
} from './gan';
export type {
  BatchSource,
  GANCheckpoint,
  GANHistory,
  GANStepInfo,
  OptimizerStateData,
  TrainGANOptions,
  TrainGANResult,
} from './gan';
