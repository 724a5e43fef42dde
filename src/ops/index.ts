/**
 * torch's tensor functions by torch's names (`torch.cat`, `torch.gather`, `torch.einsum`, ...), one file per
 * family; re-exported flat from the package's top level.
 * @module
 */
export * from './creation';
export * from './indexing';
export * from './join';
export * from './linalg';
export * from './math';
export * from './reduction';
export * from './scatter';
export * from './select';
export * from './shape';
export * from './sorting';
export type { ScalarType, TensorOrScalar } from './common';
import './methods';
