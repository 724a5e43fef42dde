/**
 * `torch.optim`: {@link Adam}, {@link AdamW}, {@link SGD} and their base {@link Optimizer}, with torch 1.13's
 * update rules, argument checks and state dicts.
 *
 * ```ts
 * import { optim } from 'tfjs-torch';
 * const opt = new optim.Adam(model.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });
 * ```
 * @module
 */
export { Optimizer, disposeStateDict } from './optimizer';
export type { OptimizerStateDict, ParamGroup, ParamGroupInput, ParamState } from './optimizer';
export { Adam } from './adam';
export type { AdamHyper, AdamOptions, AdamParamGroup } from './adam';
export { AdamW } from './adamw';
export type { AdamWHyper, AdamWOptions, AdamWParamGroup } from './adamw';
export { SGD } from './sgd';
export type { SGDHyper, SGDOptions, SGDParamGroup } from './sgd';
