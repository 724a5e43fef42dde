/**
 * torch's `torch.optim.AdamW`: Adam with decoupled weight decay.
 * @module
 */
import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { adamInitState, adamUpdate, checkAdamArgs } from './adam';
import type { AdamOptions } from './adam';
import { num, numPair, Optimizer } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** Options of {@link AdamW}: Adam's, with `weightDecay` defaulting to `1e-2` (and no `differentiable`/`fused`). */
export type AdamWOptions = Omit<AdamOptions, 'differentiable' | 'fused'>;

/** torch 1.13's `AdamW(params, lr, betas, eps, weight_decay, amsgrad, *, maximize, foreach, capturable)`. */
const ADAMW = signature('AdamW', [
  ['lr', num().default(1e-3)],
  ['betas', numPair().default([0.9, 0.999])],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(1e-2)],
  ['amsgrad', bool().default(false)],
  ['maximize', bool().default(false)],
  ['foreach', bool().optional()],
  ['capturable', bool().default(false)],
]);

/** A live {@link AdamW} parameter group's hyperparameters (torch 1.13's AdamW keys, camelCase, torch's order). */
export interface AdamWHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square. */
  betas: readonly [number, number];
  /** Added to the denominator, outside the square root. */
  eps: number;
  /** Decoupled weight decay: parameters shrink by `lr * weightDecay` each step. */
  weightDecay: number;
  /** Whether AMSGrad is used. */
  amsgrad: boolean;
  /** torch's implementation switches; recorded for state-dict fidelity only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
  /** torch's implementation switch (CUDA graphs); recorded for state-dict fidelity only. */
  capturable: boolean;
}

/** A parameter group for {@link AdamW}. */
export type AdamWParamGroup = ParamGroupInput<AdamWOptions>;

/**
 * Implements AdamW (torch's `torch.optim.AdamW`): Adam with decoupled weight decay, torch 1.13's update.
 *
 * Mirrors [torch.optim.AdamW](https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html). Each step
 * first shrinks the parameter, `θ *= 1 - lr·weightDecay`, then applies {@link Adam}'s update with the raw
 * gradient (no L2 term in the moments). Same state as Adam (`step`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`); its param groups carry torch 1.13 AdamW's keys (no `differentiable`/`fused`).
 *
 * @param params `model.parameters()`, or parameter groups `[{ params, lr?, weightDecay?, ... }]`.
 * @param options.lr learning rate. Default: `1e-3`.
 * @param options.betas `[β₁, β₂]`, each in [0, 1). Default: `[0.9, 0.999]`.
 * @param options.eps term added to the denominator, ≥ 0. Default: `1e-8`.
 * @param options.weightDecay decoupled weight decay coefficient, ≥ 0. Default: `1e-2`.
 * @param options.amsgrad use AMSGrad. Default: `false`.
 * @param options.maximize maximize the objective. Default: `false`.
 * @throws ValueError with torch's messages (`Invalid weight_decay value: -0.5`, ...).
 *
 * @example
 * ```ts
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends Optimizer<AdamWHyper> {
  /**
   * @param params `model.parameters()`, or parameter groups.
   * @param args torch's arguments in order (`lr, betas, eps, weightDecay, amsgrad`), or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<AdamWParamGroup>, ...args: ArgsOf<typeof ADAMW>) {
    const a = ADAMW.parse(args);
    const defaults: AdamWHyper = {
      lr: a.lr,
      betas: Object.freeze([...a.betas]) as unknown as readonly [number, number],
      eps: a.eps,
      weightDecay: a.weightDecay,
      amsgrad: a.amsgrad,
      foreach: a.foreach,
      maximize: a.maximize,
      capturable: a.capturable,
    };
    super(params, defaults, ADAMW, checkAdamArgs);
  }

  protected override updateGroup(group: ParamGroup<AdamWHyper>, params: Parameter[]): void {
    for (const p of params) {
      if (!this.state.get(p)?.step) this.state.set(p, adamInitState(p, group.amsgrad));
      const next = adamUpdate(p, p.grad!, this.state.get(p)!, group, true);
      for (const [k, v] of Object.entries(next)) this.setState(p, k, v);
    }
  }
}
