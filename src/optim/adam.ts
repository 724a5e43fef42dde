/**
 * torch's `torch.optim.Adam`, and the update it shares with `AdamW`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import type { Parameter } from '../autograd/parameter';
import { type ArgsOf, bool, signature } from '../args';
import { checkHyper, num, numPair, Optimizer, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput, ParamState } from './optimizer';

/** Options of {@link Adam} (torch's keyword arguments, camelCase). */
export interface AdamOptions {
  /** Learning rate. Default: `1e-3`. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and its square. Default: `[0.9, 0.999]`. */
  betas?: readonly [number, number];
  /** Added to the denominator, outside the square root. Default: `1e-8`. */
  eps?: number;
  /** L2 penalty added to the gradient. Default: `0`. */
  weightDecay?: number;
  /** Use AMSGrad (the running maximum of the second moment). Default: `false`. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it. Default: `false`. */
  maximize?: boolean;
  /** torch's implementation switch; accepted and recorded (the update is torch's single-tensor one). */
  foreach?: boolean | null;
  /** torch's implementation switch (CUDA graphs); accepted and recorded. */
  capturable?: boolean;
  /** torch's implementation switch (autograd through the step); accepted and recorded. */
  differentiable?: boolean;
  /** torch's implementation switch (fused CUDA kernel); accepted and recorded. */
  fused?: boolean;
}

/** torch 1.13's `Adam(params, lr, betas, eps, weight_decay, amsgrad, *, foreach, maximize, capturable, differentiable, fused)`. */
const ADAM = signature('Adam', [
  ['lr', num().default(1e-3)],
  ['betas', numPair().default([0.9, 0.999])],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(0)],
  ['amsgrad', bool().default(false)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
  ['capturable', bool().default(false)],
  ['differentiable', bool().default(false)],
  ['fused', bool().default(false)],
]);

/** A live {@link Adam} parameter group's hyperparameters (torch's keys, camelCase, torch's order). */
export interface AdamHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square. */
  betas: readonly [number, number];
  /** Added to the denominator, outside the square root. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Whether AMSGrad is used. */
  amsgrad: boolean;
  /** Whether the objective is maximized. */
  maximize: boolean;
  /** torch's implementation switches; recorded for state-dict fidelity, the update is always torch's single-tensor one. */
  foreach: boolean | null;
  /** torch's implementation switch (CUDA graphs); recorded for state-dict fidelity only. */
  capturable: boolean;
  /** torch's implementation switch (autograd through the step); recorded for state-dict fidelity only. */
  differentiable: boolean;
  /** torch's implementation switch (fused CUDA kernel); recorded for state-dict fidelity only. */
  fused: boolean;
}

/** A parameter group for {@link Adam}: its parameters and the options that differ from the defaults. */
export type AdamParamGroup = ParamGroupInput<AdamOptions>;

/** torch's checks of `lr`, `eps`, `betas`, `weight_decay` (Adam, AdamW, Adamax, NAdam, RAdam), with torch's messages. @internal */
export function checkAdamArgs(h: {
  lr: number;
  eps: number;
  betas: readonly [number, number];
  weightDecay: number;
}): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.eps >= 0, 'epsilon value', h.eps);
  checkHyper(h.betas[0] >= 0 && h.betas[0] < 1, 'beta parameter at index 0', h.betas[0]);
  checkHyper(h.betas[1] >= 0 && h.betas[1] < 1, 'beta parameter at index 1', h.betas[1]);
  checkHyper(h.weightDecay >= 0, 'weight_decay value', h.weightDecay);
}

/**
 * One parameter's Adam/AdamW update, torch 1.13's `_single_tensor_adam(w)` op for op (each op rounds to
 * float32 as torch's CPU kernels do). Returns the new state; the caller assigns nothing else.
 * @internal
 */
export function adamUpdate(
  p: Parameter,
  grad: tf.Tensor,
  st: ParamState,
  h: Pick<AdamHyper, 'lr' | 'betas' | 'eps' | 'weightDecay' | 'amsgrad' | 'maximize'>,
  decoupled: boolean,
): ParamState {
  const [beta1, beta2] = h.betas;
  let g = h.maximize ? tf.neg(grad) : grad;
  const step = stepValue(st.step!) + 1;
  let param: tf.Tensor = p;
  if (decoupled) {
    // AdamW: param.mul_(1 - lr * weight_decay) before the moments.
    param = tf.mul(param, tf.scalar(1 - h.lr * h.weightDecay));
  } else if (h.weightDecay !== 0) {
    // Adam: L2 penalty folded into the gradient, grad.add(param, alpha=weight_decay).
    g = tf.add(g, tf.mul(param, tf.scalar(h.weightDecay)));
  }
  // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
  const expAvg = tf.add(tf.mul(st.exp_avg!, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1)));
  const expAvgSq = tf.add(tf.mul(st.exp_avg_sq!, tf.scalar(beta2)), tf.mul(tf.mul(g, tf.scalar(1 - beta2)), g));
  // The scalars are computed in double precision, as Python does, then rounded once into the kernels.
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = h.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let maxExpAvgSq: tf.Tensor | null = null;
  let second = expAvgSq;
  if (h.amsgrad) {
    // A group switched to AMSGrad after its first step starts the maximum from zeros (torch raises KeyError).
    maxExpAvgSq = tf.maximum(st.max_exp_avg_sq ?? tf.zerosLike(p), expAvgSq);
    second = maxExpAvgSq;
  }
  // eps is added after the square root and the bias correction: torch's denominator, not Keras's.
  const denom = tf.add(tf.div(tf.sqrt(second), tf.scalar(biasCorrection2Sqrt)), tf.scalar(h.eps));
  // param.addcdiv_(exp_avg, denom, value=-step_size): param + (-step_size * exp_avg) / denom
  p.assign(tf.add(param, tf.div(tf.mul(tf.scalar(-stepSize), expAvg), denom)));
  const next: ParamState = { step: stepTensor(step), exp_avg: expAvg, exp_avg_sq: expAvgSq };
  if (h.amsgrad) next.max_exp_avg_sq = maxExpAvgSq;
  return next;
}

/** torch's lazy state initialisation: `step` 0 (a float scalar tensor), zero moments. @internal */
export function adamInitState(p: Parameter, amsgrad: boolean): ParamState {
  const st: ParamState = {
    step: stepTensor(0),
    exp_avg: tf.keep(tf.zerosLike(p)),
    exp_avg_sq: tf.keep(tf.zerosLike(p)),
  };
  if (amsgrad) st.max_exp_avg_sq = tf.keep(tf.zerosLike(p));
  return st;
}

/**
 * Implements the Adam algorithm (torch's `torch.optim.Adam`), with torch 1.13's update exactly.
 *
 * Mirrors [torch.optim.Adam](https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html). Per step, for
 * each parameter with a gradient `g` (negated with `maximize`): `g += weightDecay·θ`;
 * `m = β₁m + (1-β₁)g`; `v = β₂v + (1-β₂)g²`; with AMSGrad `v̂ = max(v̂, v)`;
 * `θ -= (lr / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + eps)`.
 *
 * Porting pitfall: `eps` is added to the bias-corrected `√v / √(1-β₂ᵗ)`. Keras's Adam folds both bias
 * corrections into the step size (`lr_t = lr·√(1-β₂ᵗ)/(1-β₁ᵗ)`, `θ -= lr_t·m/(√v + ε)`) and adds its
 * `epsilon` (default 1e-7) to the uncorrected `√v`, which equals torch's update only with
 * `ε_keras = eps·√(1-β₂ᵗ)`: the same number gives different early steps. State: `step` (a float32 scalar tensor, as torch 1.13), `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq` (AMSGrad), under torch's keys in {@link Optimizer.state} and the state dict.
 *
 * @param params `model.parameters()`, or parameter groups `[{ params, lr?, betas?, ... }]`.
 * @param options.lr learning rate. Default: `1e-3`.
 * @param options.betas `[β₁, β₂]`, each in [0, 1). Default: `[0.9, 0.999]`.
 * @param options.eps term added to the denominator, ≥ 0. Default: `1e-8`.
 * @param options.weightDecay L2 penalty (coupled: added to the gradient), ≥ 0. Default: `0`.
 * @param options.amsgrad use AMSGrad. Default: `false`.
 * @param options.maximize maximize the objective. Default: `false`.
 * @throws ValueError with torch's messages (`Invalid learning rate: -1`, `Invalid beta parameter at index 0: 1.5`, ...).
 *
 * @example
 * ```ts
 * // The article's DCGAN settings.
 * const optimizerD = new optim.Adam(netD.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });
 * tf.tidy(() => {
 *   optimizerD.zeroGrad();
 *   backward(criterion.forward(netD.forward(x), y));
 *   optimizerD.step();
 * });
 * ```
 */
export class Adam extends Optimizer<AdamHyper> {
  /**
   * @param params `model.parameters()`, or parameter groups.
   * @param args torch's arguments in order (`lr, betas, eps, weightDecay, amsgrad`), or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<AdamParamGroup>, ...args: ArgsOf<typeof ADAM>) {
    const a = ADAM.parse(args);
    const defaults: AdamHyper = {
      lr: a.lr,
      betas: Object.freeze([...a.betas]) as unknown as readonly [number, number],
      eps: a.eps,
      weightDecay: a.weightDecay,
      amsgrad: a.amsgrad,
      maximize: a.maximize,
      foreach: a.foreach,
      capturable: a.capturable,
      differentiable: a.differentiable,
      fused: a.fused,
    };
    super(params, defaults, ADAM, checkAdamArgs);
  }

  protected override updateGroup(group: ParamGroup<AdamHyper>, params: Parameter[]): void {
    for (const p of params) {
      if (!this.state.get(p)?.step) this.state.set(p, adamInitState(p, group.amsgrad));
      const next = adamUpdate(p, p.grad!, this.state.get(p)!, group, false);
      for (const [k, v] of Object.entries(next)) this.setState(p, k, v);
    }
  }
}
