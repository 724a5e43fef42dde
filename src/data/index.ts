/**
 * `torch.utils.data` as `utils.data`: datasets ({@link TensorDataset}, {@link Subset}, {@link ConcatDataset},
 * {@link IterableDataset}, {@link randomSplit}), samplers, {@link DataLoader} and {@link defaultCollate},
 * with torch's sample order for a seed.
 *
 * ```ts
 * import { utils } from 'tfjs-torch';
 * const loader = new utils.data.DataLoader(new utils.data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * ```
 * @module
 */
export { TensorDataset } from './dataset';
export { asDataset, ConcatDataset, IterableDataset, randomSplit, Subset } from './datasets';
export type { Dataset } from './datasets';
export {
  BatchSampler,
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
} from './sampler';
export type { Sampler, Sized } from './sampler';
export { DataLoader, defaultCollate } from './dataloader';
export type { Batch } from './dataloader';
