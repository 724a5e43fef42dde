/**
 * tfjs-torch: PyTorch's `nn`, `optim` and autograd for TensorFlow.js, with torch's semantics, names and
 * weight files. This entry imports nothing from Node: bundle it for a browser with tfjs's WebGL/WebGPU
 * backends. File I/O, PNG writing, datasets on disk and backend loading live in `tfjs-torch/node`.
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
export * as optim from './optim';
export * from './tensor';
// torch's tensor functions by torch's names: torch.cat, torch.gather, torch.einsum, ... (src/ops/).
export * from './ops';
// torch.autograd.grad (higher-order gradients with createGraph), backward, tensor hooks.
export * as autograd from './autograd/grad';
export type { GeneratorOptions as RandomOptions, TypedArray } from './tensor';
export {
  Generator as RandomGenerator,
  defaultGenerator,
  manualSeed,
  seed,
  initialSeed,
  getRngState,
  setRngState,
  uniformFill,
  normalFill,
  randintFill,
  randpermArray,
  bernoulliFill,
} from './random';
// torch.multinomial (torch 1.13's CPU algorithms, its exact draws after manualSeed).
export { multinomial } from './ops/sampling';
export * from './errors';
export { Generator, Discriminator, GenConv, DiscConv, weightsInit, dcganWeightsInit } from './models/dcgan';
export { ResNet, BasicBlock, resnet18, resnet34 } from './models/resnet';
export type { ResNetOptions } from './models/resnet';
export type {
  GeneratorOptions,
  DiscriminatorOptions,
  GeneratorConfig,
  DiscriminatorConfig,
  DCGANPreset,
} from './models/dcgan';
export {
  parseTorchFile,
  serializeTorchFile,
  toTfTensor,
  fromTfTensor,
  toTfStateDict,
  fromTfStateDict,
  isTensorData,
  DTYPES,
} from './io/torch-format';
export type {
  TensorData,
  DType,
  DTypeInfo,
  TensorArray,
  ParseTorchOptions,
  SerializeTorchOptions,
} from './io/torch-format';
export { parseSafetensors, serializeSafetensors } from './io/safetensors';
export type { SafetensorsFile } from './io/safetensors';
export { OrderedDict, tuple, isTuple } from './io/pickle';
export type { PyValue } from './io/pickle';
export {
  TensorDataset,
  ImageDataset,
  BatchSampler,
  RandomBatchSampler,
  scaleImageBytes,
} from './data/dataset';
export type { ImageBytes, ByteScale } from './data/dataset';
export * as utils from './utils';
export { asDataset, ConcatDataset, IterableDataset, randomSplit, Subset } from './data/datasets';
export type { Dataset } from './data/datasets';
export {
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
} from './data/sampler';
export type { Sampler, Sized } from './data/sampler';
export { DataLoader, defaultCollate } from './data/dataloader';
export type { Batch } from './data/dataloader';
export * as transforms from './data/transforms';
export type { ByteImage, Transform, VisionDatasetOptions } from './data/transforms';
export { VisionDataset } from './data/transforms';
export {
  initBackend,
  requireKernels,
  BACKEND_ENV_VAR,
  WASM_THREADS_ENV_VAR,
  CONV_TRAINING_KERNELS,
} from './backends/select';
export type { InitBackendOptions } from './backends/select';
export { registerWasmTrainingKernels } from './backends/wasm-kernels';
export { summary } from './summary';
export type { LayerSummary, ModelSummary, SummaryOptions } from './summary';
export {
  trainGAN,
  createDCGAN,
  randomBatches,
  shuffledBatches,
  ganModelsFromCheckpoint,
  serializeCheckpoint,
  parseCheckpoint,
  NonFiniteLossError,
  GANStep,
} from './train';
export type {
  BatchSource,
  GANCheckpoint,
  GANHistory,
  GANStepInfo,
  GANStepParts,
  OptimizerStateData,
  TrainGANOptions,
  TrainGANResult,
} from './train';
