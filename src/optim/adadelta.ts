/**
 * torch's `torch.optim.Adadelta`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkHyper, penalizedGrad, num, Optimizer, ordered, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `Adadelta(params, lr, rho, eps, weight_decay, foreach, *, maximize)`. */
const ADADELTA = signature('Adadelta', [
  ['lr', num().default(1.0)],
  ['rho', num().default(0.9)],
  ['eps', num().default(1e-6)],
  ['weightDecay', num().default(0)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
]);

/** A live {@link Adadelta} parameter group's hyperparameters (camelCase of torch's keys). */
export interface AdadeltaHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rate of the running averages. */
  rho: number;
  /** Term added for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
}
/** Options of {@link Adadelta} (torch's keyword arguments, camelCase). */
export type AdadeltaOptions = Partial<AdadeltaHyper>;

function check(h: AdadeltaHyper): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.rho >= 0 && h.rho <= 1, 'rho value', h.rho);
  checkHyper(h.eps >= 0, 'epsilon value', h.eps);
  checkHyper(h.weightDecay >= 0, 'weight_decay value', h.weightDecay);
}

/**
 * Implements Adadelta (torch's `torch.optim.Adadelta`), torch 1.13's update exactly.
 *
 * Mirrors [torch.optim.Adadelta](https://pytorch.org/docs/1.13/generated/torch.optim.Adadelta.html). Per
 * step, with `g` the gradient (negated with `maximize`, plus `weightDecay·θ`): `v = ρv + (1-ρ)g²`;
 * `Δ = √(u + eps) / √(v + eps) · g`; `u = ρu + (1-ρ)Δ²`; `θ -= lr·Δ`. State: `step` (a Python int in
 * torch 1.13's state dict), `square_avg`, `acc_delta`.
 *
 * @param params `model.parameters()`, or parameter groups `[{ params, lr?, ... }]`.
 * @param args positionally in torch's order or as options: `lr` (default `1.0`), `rho` (`0.9`), `eps`
 *   (`1e-6`), `weightDecay` (`0`), `foreach` (`null`, recorded only), `maximize` (`false`).
 * @throws ValueError with torch's messages (`Invalid rho value: 1.5`).
 * @example
 * ```ts
 * // pytorch/examples' mnist: optim.Adadelta(model.parameters(), lr=args.lr)
 * const optimizer = new optim.Adadelta(model.parameters(), 1.0);
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, rho, eps, weightDecay, foreach, maximize` positionally, or an options object.
   */
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<AdadeltaOptions>>,
    ...args: ArgsOf<typeof ADADELTA>
  ) {
    const a = ADADELTA.parse(args);
    super(params, ordered(a, ['lr', 'rho', 'eps', 'weightDecay', 'maximize', 'foreach']), ADADELTA, check);
  }

  protected override pythonIntKeys(): readonly string[] {
    return ['step'];
  }

  protected override updateGroup(group: ParamGroup<AdadeltaHyper>, params: Parameter[]): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const p of params) {
      const st = this.state.get(p);
      const sq0 = st?.square_avg ?? tf.zerosLike(p);
      const acc0 = st?.acc_delta ?? tf.zerosLike(p);
      const step = st?.step ? stepValue(st.step) : 0;
      const g = penalizedGrad(p, maximize, weightDecay);
      const sq = tf.add(tf.mul(sq0, sc(rho)), tf.mul(tf.mul(sc(1 - rho), g), g));
      const std = tf.sqrt(tf.add(sq, sc(eps)));
      const delta = tf.mul(tf.div(tf.sqrt(tf.add(acc0, sc(eps))), std), g);
      const acc = tf.add(tf.mul(acc0, sc(rho)), tf.mul(tf.mul(sc(1 - rho), delta), delta));
      p.assign(tf.add(p, tf.mul(sc(-lr), delta)));
      this.setState(p, 'step', stepTensor(step + 1));
      this.setState(p, 'square_avg', sq);
      this.setState(p, 'acc_delta', acc);
    }
  }
}
