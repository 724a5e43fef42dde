/**
 * `torch.utils` as `utils`: `utils.data` (datasets, samplers, `DataLoader`).
 * @module
 */
export * as data from './data/index';
