/**
 * torch's `torch.optim.RMSprop` and `torch.optim.Rprop`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkHyper, penalizedGrad, num, numPair, Optimizer, ordered, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered, foreach, maximize, differentiable)`. */
const RMSPROP = signature('RMSprop', [
  ['lr', num().default(1e-2)],
  ['alpha', num().default(0.99)],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(0)],
  ['momentum', num().default(0)],
  ['centered', bool().default(false)],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
  ['differentiable', bool().default(false)],
]);

/** A live {@link RMSprop} parameter group's hyperparameters (camelCase of torch's keys). */
export interface RMSpropHyper {
  /** Learning rate. */
  lr: number;
  /** Smoothing constant (RMSprop) or decay power (ASGD). */
  alpha: number;
  /** Term added for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Momentum factor. */
  momentum: number;
  /** Whether the variance estimate is centered. */
  centered: boolean;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
  /** torch's implementation switch; recorded only. */
  differentiable: boolean;
}
/** Options of {@link RMSprop} (torch's keyword arguments, camelCase). */
export type RMSpropOptions = Partial<RMSpropHyper>;

function checkRMSprop(h: RMSpropHyper): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.eps >= 0, 'epsilon value', h.eps);
  checkHyper(h.momentum >= 0, 'momentum value', h.momentum);
  checkHyper(h.weightDecay >= 0, 'weight_decay value', h.weightDecay);
  checkHyper(h.alpha >= 0, 'alpha value', h.alpha);
}

/**
 * Implements RMSprop (torch's `torch.optim.RMSprop`), torch 1.13's update exactly.
 *
 * Mirrors [torch.optim.RMSprop](https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html). Per
 * step: `g` (negated with `maximize`, plus `weightDecay·θ`); `v = αv + (1-α)g²`; centered: `ḡ = αḡ + (1-α)g`,
 * `a = √(v - ḡ²) + eps`, else `a = √v + eps`; with momentum `b = μb + g/a`, `θ -= lr·b`, else
 * `θ -= lr·g/a`. State: `step` (a Python int in torch 1.13), `square_avg`, `momentum_buffer` (momentum > 0),
 * `grad_avg` (centered).
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `1e-2`), `alpha` (`0.99`), `eps`
 *   (`1e-8`), `weightDecay` (`0`), `momentum` (`0`), `centered` (`false`), `foreach`, `maximize` (`false`),
 *   `differentiable` (`false`, recorded only).
 * @throws ValueError with torch's messages (`Invalid alpha value: -0.5`).
 * @example
 * ```ts
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, alpha, eps, weightDecay, momentum, centered, foreach, maximize, differentiable`, or options.
   */
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<RMSpropOptions>>,
    ...args: ArgsOf<typeof RMSPROP>
  ) {
    const a = RMSPROP.parse(args);
    const keys = [
      'lr',
      'momentum',
      'alpha',
      'eps',
      'centered',
      'weightDecay',
      'foreach',
      'maximize',
      'differentiable',
    ] as const;
    super(params, ordered(a, keys), RMSPROP, checkRMSprop);
  }

  protected override pythonIntKeys(): readonly string[] {
    return ['step'];
  }

  protected override updateGroup(group: ParamGroup<RMSpropHyper>, params: Parameter[]): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of params) {
      const st = this.state.get(p);
      const fresh = !st?.step;
      const step = fresh ? 1 : stepValue(st.step!) + 1;
      const g = penalizedGrad(p, maximize, weightDecay);
      this.setState(p, 'step', stepTensor(step));
      const sq = tf.add(tf.mul(st?.square_avg ?? tf.zerosLike(p), sc(alpha)), tf.mul(tf.mul(sc(1 - alpha), g), g));
      this.setState(p, 'square_avg', sq);
      // torch creates momentum_buffer / grad_avg at a parameter's first step only (per that step's options).
      const hasBuf = fresh ? momentum > 0 : st!.momentum_buffer !== undefined;
      const hasAvg = fresh ? centered : st!.grad_avg !== undefined;
      if (fresh && hasBuf) this.setState(p, 'momentum_buffer', tf.zerosLike(p));
      let avg: tf.Tensor;
      if (centered) {
        const gradAvg = tf.add(
          tf.mul(this.state.get(p)!.grad_avg ?? tf.zerosLike(p), sc(alpha)),
          tf.mul(sc(1 - alpha), g),
        );
        if (hasAvg || fresh) this.setState(p, 'grad_avg', gradAvg);
        avg = tf.sqrt(tf.add(sq, tf.mul(tf.mul(sc(-1), gradAvg), gradAvg)));
      } else {
        avg = tf.sqrt(sq);
      }
      avg = tf.add(avg, sc(eps));
      if (momentum > 0) {
        const buf = tf.add(tf.mul(this.state.get(p)!.momentum_buffer ?? tf.zerosLike(p), sc(momentum)), tf.div(g, avg));
        this.setState(p, 'momentum_buffer', buf);
        p.assign(tf.add(p, tf.mul(sc(-lr), buf)));
      } else {
        p.assign(tf.add(p, tf.div(tf.mul(sc(-lr), g), avg)));
      }
    }
  }
}

/** torch 1.13's `Rprop(params, lr, etas, step_sizes, foreach, maximize)`. */
const RPROP = signature('Rprop', [
  ['lr', num().default(1e-2)],
  ['etas', numPair().default([0.5, 1.2])],
  ['stepSizes', numPair().default([1e-6, 50])],
  ['foreach', bool().optional()],
  ['maximize', bool().default(false)],
]);

/** A live {@link Rprop} parameter group's hyperparameters (camelCase of torch's keys). */
export interface RpropHyper {
  /** Learning rate. */
  lr: number;
  /** Multiplicative decrease and increase factors. */
  etas: readonly [number, number];
  /** Minimal and maximal step sizes. */
  stepSizes: readonly [number, number];
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
  /** Whether the objective is maximized. */
  maximize: boolean;
}
/** Options of {@link Rprop} (torch's keyword arguments, camelCase). */
export type RpropOptions = Partial<RpropHyper>;

function checkRprop(h: RpropHyper): void {
  checkHyper(h.lr >= 0, 'learning rate', h.lr);
  checkHyper(h.etas[0] > 0 && h.etas[0] < 1 && h.etas[1] > 1, 'eta values', h.etas[0], h.etas[1]);
}

/**
 * Implements resilient backpropagation (torch's `torch.optim.Rprop`), torch 1.13's update.
 *
 * Mirrors [torch.optim.Rprop](https://pytorch.org/docs/1.13/generated/torch.optim.Rprop.html). Per element,
 * the step size grows by `etas[1]` while the gradient keeps its sign, shrinks by `etas[0]` when it flips
 * (and that element skips the step and forgets its gradient), clamped to `stepSizes`; `θ -= sign(g)·step`.
 * State: `step` (a Python int in torch 1.13), `prev`, `step_size` (starts at `lr`).
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `1e-2`), `etas` (`[0.5, 1.2]`),
 *   `stepSizes` (`[1e-6, 50]`), `foreach`, `maximize` (`false`).
 * @throws ValueError with torch's message (`Invalid eta values: 1.5, 1.2`).
 * @example
 * ```ts
 * const opt = new optim.Rprop(model.parameters(), 0.01, [0.5, 1.2], [1e-6, 50]);
 * ```
 */
export class Rprop extends Optimizer<RpropHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, etas, stepSizes, foreach, maximize` positionally, or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<RpropOptions>>, ...args: ArgsOf<typeof RPROP>) {
    const a = RPROP.parse(args);
    super(params, ordered(a, ['lr', 'etas', 'stepSizes', 'foreach', 'maximize']), RPROP, checkRprop);
  }

  protected override pythonIntKeys(): readonly string[] {
    return ['step'];
  }

  protected override updateGroup(group: ParamGroup<RpropHyper>, params: Parameter[]): void {
    const [etaminus, etaplus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      const prev = st?.prev ?? tf.zerosLike(p);
      const stepSize0 = st?.step_size ?? tf.fill(p.shape, group.lr, 'float32');
      let g: tf.Tensor = group.maximize ? tf.neg(p.grad!) : p.grad!;
      const s = tf.sign(tf.mul(g, prev));
      const factor = tf.where(tf.greater(s, 0), sc(etaplus), tf.where(tf.less(s, 0), sc(etaminus), sc(1)));
      const stepSize = tf.clipByValue(tf.mul(stepSize0, factor), stepSizeMin, stepSizeMax);
      g = tf.where(tf.equal(factor, sc(etaminus)), tf.zerosLike(g), g);
      p.assign(tf.add(p, tf.mul(tf.mul(sc(-1), tf.sign(g)), stepSize)));
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'prev', tf.clone(g));
      this.setState(p, 'step_size', stepSize);
    }
  }
}
