/**
 * torch's `torch.optim.Adamax`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkAdamArgs } from './adam';
import { penalizedGrad, num, numPair, Optimizer, ordered, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `Adamax(params, lr, betas, eps, weight_decay, foreach, *, maximize)`. */
const ADAMAX = signature('Adamax', [
  ['lr', num().default(2e-3)],
  ['betas', numPair().default([0.9, 0.999])],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(0)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
]);

/** A live {@link Adamax} parameter group's hyperparameters (camelCase of torch's keys). */
export interface AdamaxHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square. */
  betas: readonly [number, number];
  /** Term added for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
}
/** Options of {@link Adamax} (torch's keyword arguments, camelCase). */
export type AdamaxOptions = Partial<AdamaxHyper>;

/**
 * Implements Adamax, Adam with the infinity norm (torch's `torch.optim.Adamax`), torch 1.13's update.
 *
 * Mirrors [torch.optim.Adamax](https://pytorch.org/docs/1.13/generated/torch.optim.Adamax.html). Per step
 * `t`: `g` (negated with `maximize`, plus `weightDecay·θ`); `m = β₁m + (1-β₁)g`;
 * `u = max(β₂u, |g| + eps)`; `θ -= lr/(1-β₁ᵗ) · m/u`. State: `step`, `exp_avg`, `exp_inf`.
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `2e-3`), `betas`
 *   (`[0.9, 0.999]`), `eps` (`1e-8`), `weightDecay` (`0`), `foreach`, `maximize` (`false`).
 * @throws ValueError with torch's messages (`Invalid beta parameter at index 1: 1`).
 * @example
 * ```ts
 * const opt = new optim.Adamax(model.parameters(), 2e-3, [0.9, 0.99]);
 * ```
 */
export class Adamax extends Optimizer<AdamaxHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, betas, eps, weightDecay, foreach, maximize` positionally, or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<AdamaxOptions>>, ...args: ArgsOf<typeof ADAMAX>) {
    const a = ADAMAX.parse(args);
    super(params, ordered(a, ['lr', 'betas', 'eps', 'weightDecay', 'foreach', 'maximize']), ADAMAX, checkAdamArgs);
  }

  protected override updateGroup(group: ParamGroup<AdamaxHyper>, params: Parameter[]): void {
    const { lr, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      const g = penalizedGrad(p, maximize, weightDecay);
      const expAvg = tf.add(tf.mul(st?.exp_avg ?? tf.zerosLike(p), sc(beta1)), tf.mul(sc(1 - beta1), g));
      const expInf = tf.maximum(tf.mul(st?.exp_inf ?? tf.zerosLike(p), sc(beta2)), tf.add(tf.abs(g), sc(eps)));
      const clr = lr / (1 - beta1 ** step);
      p.assign(tf.add(p, tf.div(tf.mul(sc(-clr), expAvg), expInf)));
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'exp_avg', expAvg);
      this.setState(p, 'exp_inf', expInf);
    }
  }
}
