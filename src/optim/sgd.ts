/**
 * torch's `torch.optim.SGD`: stochastic gradient descent with momentum, dampening and Nesterov.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { ValueError } from '../errors';
import { pyNumber } from '../repr';
import { num, Optimizer, penalizedGrad } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** Options of {@link SGD} (torch's keyword arguments, camelCase). */
export interface SGDOptions {
  /** Learning rate: required, here or in every parameter group. */
  lr?: number;
  /** Momentum factor. Default: `0`. */
  momentum?: number;
  /** Dampening for momentum. Default: `0`. */
  dampening?: number;
  /** L2 penalty added to the gradient. Default: `0`. */
  weightDecay?: number;
  /** Nesterov momentum (needs `momentum > 0` and `dampening = 0`). Default: `false`. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. Default: `false`. */
  maximize?: boolean;
  /** torch's implementation switch; accepted and recorded. */
  foreach?: boolean | null;
  /** torch's implementation switch (autograd through the step); accepted and recorded. */
  differentiable?: boolean;
}

/** torch 1.13's `SGD(params, lr=required, momentum, dampening, weight_decay, nesterov, *, maximize, foreach, differentiable)`. */
const SGD_SIG = signature('SGD', [
  ['lr', num().optional()],
  ['momentum', num().default(0)],
  ['dampening', num().default(0)],
  ['weightDecay', num().default(0)],
  ['nesterov', bool().default(false)],
  ['maximize', bool().default(false)],
  ['foreach', bool().optional()],
  ['differentiable', bool().default(false)],
]);

/** A live {@link SGD} parameter group's hyperparameters (torch 1.13's SGD keys, camelCase, torch's order). */
export interface SGDHyper {
  /** Learning rate. */
  lr: number;
  /** Momentum factor. */
  momentum: number;
  /** Dampening for momentum. */
  dampening: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Whether Nesterov momentum is used. */
  nesterov: boolean;
  /** Whether the objective is maximized. */
  maximize: boolean;
  /** torch's implementation switches; recorded for state-dict fidelity only. */
  foreach: boolean | null;
  /** torch's implementation switch (autograd through the step); recorded for state-dict fidelity only. */
  differentiable: boolean;
}

/** A parameter group for {@link SGD}. */
export type SGDParamGroup = ParamGroupInput<SGDOptions>;

function checkSGDArgs(h: Partial<SGDHyper>): void {
  if (h.lr !== undefined && !(h.lr >= 0)) throw new ValueError(`Invalid learning rate: ${pyNumber(h.lr)}`);
  if (!(h.momentum! >= 0)) throw new ValueError(`Invalid momentum value: ${pyNumber(h.momentum!)}`);
  if (!(h.weightDecay! >= 0)) throw new ValueError(`Invalid weight_decay value: ${pyNumber(h.weightDecay!)}`);
  if (h.nesterov && (h.momentum! <= 0 || h.dampening !== 0)) {
    throw new ValueError(
      'Nesterov momentum requires a momentum and zero dampening ' +
        `(got momentum=${pyNumber(h.momentum!)}, dampening=${pyNumber(h.dampening!)})`,
    );
  }
}

/**
 * Implements stochastic gradient descent, optionally with momentum (torch's `torch.optim.SGD`), with
 * torch 1.13's update exactly.
 *
 * Mirrors [torch.optim.SGD](https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html). Per step, for
 * each parameter with a gradient `g` (negated with `maximize`): `g += weightDecay·θ`; with momentum μ,
 * the buffer is `b = g` on the parameter's first step (a copy, no dampening) and `b = μb + (1-dampening)g`
 * afterwards, and `g = nesterov ? g + μb : b`; then `θ -= lr·g`. State: `momentum_buffer` (a tensor, or
 * `null` when momentum is 0, as torch stores `None`).
 *
 * @param params `model.parameters()`, or parameter groups `[{ params, lr?, momentum?, ... }]`.
 * @param options.lr learning rate, ≥ 0. Required: here, or in every group (torch: "required parameter").
 * @param options.momentum momentum factor, ≥ 0. Default: `0`.
 * @param options.dampening dampening for momentum. Default: `0`.
 * @param options.weightDecay L2 penalty, ≥ 0. Default: `0`.
 * @param options.nesterov Nesterov momentum. Default: `false`.
 * @param options.maximize maximize the objective. Default: `false`.
 * @throws ValueError with torch's messages (`Invalid momentum value: -0.5`,
 *   `Nesterov momentum requires a momentum and zero dampening`, ...).
 *
 * @example
 * ```ts
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
export class SGD extends Optimizer<SGDHyper> {
  /**
   * @param params `model.parameters()`, or parameter groups.
   * @param args torch's arguments in order (`lr, momentum, dampening, weightDecay, nesterov`), or an options
   *   object.
   */
  constructor(params: Iterable<Parameter> | Iterable<SGDParamGroup>, ...args: ArgsOf<typeof SGD_SIG>) {
    const a = SGD_SIG.parse(args);
    const defaults = {
      lr: a.lr ?? undefined,
      momentum: a.momentum,
      dampening: a.dampening,
      weightDecay: a.weightDecay,
      nesterov: a.nesterov,
      maximize: a.maximize,
      foreach: a.foreach,
      differentiable: a.differentiable,
    };
    // `lr: undefined` marks it required: addParamGroup raises torch's message for a group without one.
    super(params, defaults as SGDHyper, SGD_SIG, checkSGDArgs);
  }

  protected override updateGroup(group: ParamGroup<SGDHyper>, params: Parameter[]): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of params) {
      let d = penalizedGrad(p, maximize, weightDecay);
      let buf: tf.Tensor | null = null;
      if (momentum !== 0) {
        const old = this.state.get(p)?.momentum_buffer;
        buf = old ? tf.add(tf.mul(old, tf.scalar(momentum)), tf.mul(d, tf.scalar(1 - dampening))) : tf.clone(d);
        d = nesterov ? tf.add(d, tf.mul(buf, tf.scalar(momentum))) : buf;
      }
      p.assign(tf.add(p, tf.mul(d, tf.scalar(-lr))));
      this.setState(p, 'momentum_buffer', buf);
    }
  }
}
