/**
 * `torch.optim`: {@link Adam}, {@link AdamW}, {@link SGD}, {@link Adadelta}, {@link Adagrad}, {@link Adamax},
 * {@link NAdam}, {@link RAdam}, {@link RMSprop}, {@link Rprop}, {@link ASGD}, {@link LBFGS} and their base
 * {@link Optimizer}, with torch 1.13's
 * update rules, argument checks and state dicts.
 *
 * ```ts
 * import { optim } from 'tfjs-torch';
 * const opt = new optim.Adam(model.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });
 * ```
 * @module
 */
export { Optimizer, disposeStateDict } from './optimizer';
export type {
  HyperSignature,
  OptimizerStateDict,
  ParamGroup,
  ParamGroupInput,
  ParamState,
  SavedParamState,
  StateValue,
} from './optimizer';
export { Adam } from './adam';
export type { AdamHyper, AdamOptions, AdamParamGroup } from './adam';
export { AdamW } from './adamw';
export type { AdamWHyper, AdamWOptions, AdamWParamGroup } from './adamw';
export { SGD } from './sgd';
export type { SGDHyper, SGDOptions, SGDParamGroup } from './sgd';
export { Adadelta } from './adadelta';
export type { AdadeltaHyper, AdadeltaOptions } from './adadelta';
export { Adagrad } from './adagrad';
export type { AdagradHyper, AdagradOptions } from './adagrad';
export { Adamax } from './adamax';
export type { AdamaxHyper, AdamaxOptions } from './adamax';
export { NAdam, RAdam } from './nadam';
export type { NAdamHyper, NAdamOptions, RAdamHyper, RAdamOptions } from './nadam';
export { RMSprop, Rprop } from './rmsprop';
export type { RMSpropHyper, RMSpropOptions, RpropHyper, RpropOptions } from './rmsprop';
export { ASGD } from './asgd';
export type { ASGDHyper, ASGDOptions } from './asgd';
export { LBFGS } from './lbfgs';
export type { LBFGSHyper, LBFGSOptions } from './lbfgs';
export * as lrScheduler from './lr-scheduler';
