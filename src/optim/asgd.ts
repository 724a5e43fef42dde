/**
 * torch's `torch.optim.ASGD`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkHyper, penalizedGrad, num, Optimizer, ordered, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `ASGD(params, lr, lambd, alpha, t0, weight_decay, foreach, maximize)`. */
const ASGD_SIG = signature('ASGD', [
  ['lr', num().default(1e-2)],
  ['lambd', num().default(1e-4)],
  ['alpha', num().default(0.75)],
  ['t0', num().default(1e6)],
  ['weightDecay', num().default(0)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
]);

/** A live {@link ASGD} parameter group's hyperparameters (camelCase of torch's keys). */
export interface ASGDHyper {
  /** Learning rate. */
  lr: number;
  /** Decay term. */
  lambd: number;
  /** Smoothing constant (RMSprop) or decay power (ASGD). */
  alpha: number;
  /** Point at which averaging starts. */
  t0: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
}
/** Options of {@link ASGD} (torch's keyword arguments, camelCase). */
export type ASGDOptions = Partial<ASGDHyper>;

function check(h: ASGDHyper): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.weightDecay >= 0, 'weight_decay value', h.weightDecay);
}

/**
 * Implements averaged stochastic gradient descent (torch's `torch.optim.ASGD`), torch 1.13's update.
 *
 * Mirrors [torch.optim.ASGD](https://pytorch.org/docs/1.13/generated/torch.optim.ASGD.html). Per step `t`:
 * `θ = θ(1 - λη) - ηg`; the average `ax` follows `θ` (copied while `μ = 1`, else `ax += μ(θ - ax)`); then
 * `η = lr / (1 + λ·lr·t)^α` and `μ = 1 / max(1, t - t0)`. State: `step`, `eta`, `mu` (float32 scalars),
 * `ax` (the averaged parameters).
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `1e-2`), `lambd` (`1e-4`),
 *   `alpha` (`0.75`), `t0` (`1e6`), `weightDecay` (`0`), `foreach`, `maximize` (`false`).
 * @throws ValueError with torch's messages (`Invalid learning rate: -1`).
 * @example
 * ```ts
 * const opt = new optim.ASGD(model.parameters(), { lr: 0.05, t0: 5 });
 * ```
 */
export class ASGD extends Optimizer<ASGDHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, lambd, alpha, t0, weightDecay, foreach, maximize` positionally, or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<ASGDOptions>>, ...args: ArgsOf<typeof ASGD_SIG>) {
    const a = ASGD_SIG.parse(args);
    super(params, ordered(a, ['lr', 'lambd', 'alpha', 't0', 'weightDecay', 'foreach', 'maximize']), ASGD_SIG, check);
  }

  protected override scalarStateKeys(): readonly string[] {
    return ['eta', 'mu'];
  }

  protected override updateGroup(group: ParamGroup<ASGDHyper>, params: Parameter[]): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      const eta = st?.eta ? stepValue(st.eta) : Math.fround(lr);
      const mu = st?.mu ? stepValue(st.mu) : 1;
      const g = penalizedGrad(p, maximize, weightDecay);
      const decayed = tf.mul(p, sc(1 - lambd * eta));
      const param = tf.add(decayed, tf.mul(sc(-eta), g));
      const ax = mu !== 1 ? tf.add(st!.ax!, tf.mul(tf.sub(param, st!.ax!), sc(mu))) : tf.clone(param);
      p.assign(param);
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'eta', stepTensor(lr / (1 + lambd * lr * step) ** alpha));
      this.setState(p, 'mu', stepTensor(1 / Math.max(1, step - t0)));
      this.setState(p, 'ax', ax);
    }
  }
}
