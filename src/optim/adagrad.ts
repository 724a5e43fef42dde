/**
 * torch's `torch.optim.Adagrad`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkHyper, penalizedGrad, num, Optimizer, ordered, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value, eps, foreach, *, maximize)`. */
const ADAGRAD = signature('Adagrad', [
  ['lr', num().default(1e-2)],
  ['lrDecay', num().default(0)],
  ['weightDecay', num().default(0)],
  ['initialAccumulatorValue', num().default(0)],
  ['eps', num().default(1e-10)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
]);

/** A live {@link Adagrad} parameter group's hyperparameters (camelCase of torch's keys). */
export interface AdagradHyper {
  /** Learning rate. */
  lr: number;
  /** Learning-rate decay per step. */
  lrDecay: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  /** Term added for numerical stability. */
  eps: number;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
}
/** Options of {@link Adagrad} (torch's keyword arguments, camelCase). */
export type AdagradOptions = Partial<AdagradHyper>;

function check(h: AdagradHyper): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.lrDecay >= 0, 'lr_decay value', h.lrDecay);
  checkHyper(h.weightDecay >= 0, 'weight_decay value', h.weightDecay);
  checkHyper(h.initialAccumulatorValue >= 0, 'initial_accumulator_value value', h.initialAccumulatorValue);
  checkHyper(h.eps >= 0, 'epsilon value', h.eps);
}

/**
 * Implements Adagrad (torch's `torch.optim.Adagrad`), torch 1.13's update exactly.
 *
 * Mirrors [torch.optim.Adagrad](https://pytorch.org/docs/1.13/generated/torch.optim.Adagrad.html). Per
 * step `t`: `g` (negated with `maximize`, plus `weightDecay·θ`); `clr = lr / (1 + (t-1)·lrDecay)`;
 * `s += g²`; `θ -= clr · g / (√s + eps)`. As torch, the state (`step`, `sum` filled with
 * `initialAccumulatorValue`) exists for every parameter from construction on.
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `1e-2`), `lrDecay` (`0`),
 *   `weightDecay` (`0`), `initialAccumulatorValue` (`0`), `eps` (`1e-10`), `foreach`, `maximize` (`false`).
 * @throws ValueError with torch's messages (`Invalid lr_decay value: -1`).
 * @example
 * ```ts
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-3 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, lrDecay, weightDecay, initialAccumulatorValue, eps, foreach, maximize`, or options.
   */
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<AdagradOptions>>,
    ...args: ArgsOf<typeof ADAGRAD>
  ) {
    const a = ADAGRAD.parse(args);
    const keys = ['lr', 'lrDecay', 'eps', 'weightDecay', 'initialAccumulatorValue', 'foreach', 'maximize'] as const;
    super(params, ordered(a, keys), ADAGRAD, check);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        this.setState(p, 'step', stepTensor(0));
        this.setState(p, 'sum', tf.fill(p.shape, g.initialAccumulatorValue, 'float32'));
      }
    }
  }

  protected override updateGroup(group: ParamGroup<AdagradHyper>, params: Parameter[]): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      const sum0 = st?.sum ?? tf.fill(p.shape, group.initialAccumulatorValue, 'float32');
      const g = penalizedGrad(p, maximize, weightDecay);
      const clr = lr / (1 + (step - 1) * lrDecay);
      const sum = tf.add(sum0, tf.mul(tf.mul(sc(1), g), g));
      const std = tf.add(tf.sqrt(sum), sc(eps));
      p.assign(tf.add(p, tf.div(tf.mul(sc(-clr), g), std)));
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'sum', sum);
    }
  }
}
