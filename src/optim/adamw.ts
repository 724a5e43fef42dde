/**
 * torch's `torch.optim.AdamW`: Adam with decoupled weight decay.
 * @module
 */
import type { Parameter } from '../autograd/parameter';
import { adamInitState, adamUpdate, checkAdamArgs } from './adam';
import type { AdamOptions } from './adam';
import { Optimizer } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** Options of {@link AdamW}: Adam's, with `weightDecay` defaulting to `1e-2`. */
export type AdamWOptions = AdamOptions;

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
  constructor(params: Iterable<Parameter> | Iterable<AdamWParamGroup>, options: AdamWOptions = {}) {
    const defaults: AdamWHyper = {
      lr: options.lr ?? 1e-3,
      betas: Object.freeze([...(options.betas ?? [0.9, 0.999])]) as unknown as readonly [number, number],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 1e-2,
      amsgrad: options.amsgrad ?? false,
      foreach: null,
      maximize: options.maximize ?? false,
      capturable: false,
    };
    checkAdamArgs(defaults);
    super(params, defaults);
  }

  protected override validate(group: AdamWHyper): void {
    checkAdamArgs(group);
  }

  protected override updateGroup(group: ParamGroup<AdamWHyper>, params: Parameter[]): void {
    for (const p of params) {
      if (!this.state.get(p)?.step) this.state.set(p, adamInitState(p, group.amsgrad));
      const next = adamUpdate(p, p.grad!, this.state.get(p)!, group, true);
      for (const [k, v] of Object.entries(next)) this.setState(p, k, v);
    }
  }
}
