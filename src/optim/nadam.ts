/**
 * torch's `torch.optim.NAdam` and `torch.optim.RAdam`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { checkAdamArgs } from './adam';
import { checkHyper, num, numPair, Optimizer, ordered, penalizedGrad, sc, stepTensor, stepValue } from './optimizer';
import type { ParamGroup, ParamGroupInput } from './optimizer';

/** torch 1.13's `NAdam(params, lr, betas, eps, weight_decay, momentum_decay, foreach)`. */
const NADAM = signature('NAdam', [
  ['lr', num().default(2e-3)],
  ['betas', numPair().default([0.9, 0.999])],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(0)],
  ['momentumDecay', num().default(4e-3)],
  ['foreach', bool().optional()],
]);

/** A live {@link NAdam} parameter group's hyperparameters (camelCase of torch's keys). */
export interface NAdamHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square. */
  betas: readonly [number, number];
  /** Term added for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Momentum decay ψ. */
  momentumDecay: number;
  /** torch's implementation switch; recorded only. */
  foreach: boolean | null;
}
/** Options of {@link NAdam} (torch's keyword arguments, camelCase). */
export type NAdamOptions = Partial<NAdamHyper>;

function checkNAdam(h: NAdamHyper): void {
  checkAdamArgs(h);
  checkHyper(h.momentumDecay >= 0, 'momentum_decay value', h.momentumDecay);
}

/**
 * Implements NAdam, Adam with Nesterov momentum (torch's `torch.optim.NAdam`), torch 1.13's update.
 *
 * Mirrors [torch.optim.NAdam](https://pytorch.org/docs/1.13/generated/torch.optim.NAdam.html). Per step
 * `t`: `μₜ = β₁(1 - ½·0.96^(t·ψ))` with ψ = `momentumDecay`; `Πμ` (state `mu_product`, a float32 scalar)
 * `*= μₜ`; Adam's moments; `θ -= lr(1-μₜ)/(1-Πμ) · g/d + lr·μₜ₊₁/(1-Πμ·μₜ₊₁) · m/d` with
 * `d = √(v/(1-β₂ᵗ)) + eps`. State: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`. (No `maximize` in 1.13.)
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `2e-3`), `betas`
 *   (`[0.9, 0.999]`), `eps` (`1e-8`), `weightDecay` (`0`), `momentumDecay` (`4e-3`), `foreach`.
 * @throws ValueError with torch's messages (`Invalid momentum_decay value: -1`).
 * @example
 * ```ts
 * const opt = new optim.NAdam(model.parameters(), { lr: 1e-3, momentumDecay: 4e-3 });
 * ```
 */
export class NAdam extends Optimizer<NAdamHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, betas, eps, weightDecay, momentumDecay, foreach` positionally, or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<NAdamOptions>>, ...args: ArgsOf<typeof NADAM>) {
    const a = NADAM.parse(args);
    super(params, ordered(a, ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'foreach']), NADAM, checkNAdam);
  }

  protected override scalarStateKeys(): readonly string[] {
    return ['mu_product'];
  }

  protected override updateGroup(group: ParamGroup<NAdamHyper>, params: Parameter[]): void {
    const { lr, eps, weightDecay, momentumDecay } = group;
    const [beta1, beta2] = group.betas;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      // mu_product is a float32 tensor in torch: each product rounds to float32.
      const muProduct0 = st?.mu_product ? stepValue(st.mu_product) : 1;
      const biasCorrection2 = 1 - beta2 ** step;
      const g = penalizedGrad(p, false, weightDecay);
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = Math.fround(muProduct0 * Math.fround(mu));
      const muProductNext = Math.fround(Math.fround(muProduct * Math.fround(mu)) * Math.fround(muNext));
      const expAvg = tf.add(tf.mul(st?.exp_avg ?? tf.zerosLike(p), sc(beta1)), tf.mul(sc(1 - beta1), g));
      const expAvgSq = tf.add(
        tf.mul(st?.exp_avg_sq ?? tf.zerosLike(p), sc(beta2)),
        tf.mul(tf.mul(sc(1 - beta2), g), g),
      );
      const denom = tf.add(tf.sqrt(tf.div(expAvgSq, sc(biasCorrection2))), sc(eps));
      const p1 = tf.add(p, tf.div(tf.mul(sc((-lr * (1 - mu)) / (1 - muProduct)), g), denom));
      p.assign(tf.add(p1, tf.div(tf.mul(sc((-lr * muNext) / (1 - muProductNext)), expAvg), denom)));
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'mu_product', stepTensor(muProduct));
      this.setState(p, 'exp_avg', expAvg);
      this.setState(p, 'exp_avg_sq', expAvgSq);
    }
  }
}

/** torch 1.13's `RAdam(params, lr, betas, eps, weight_decay, foreach)`. */
const RADAM = signature('RAdam', [
  ['lr', num().default(1e-3)],
  ['betas', numPair().default([0.9, 0.999])],
  ['eps', num().default(1e-8)],
  ['weightDecay', num().default(0)],
  ['foreach', bool().optional()],
]);

/** A live {@link RAdam} parameter group's hyperparameters (camelCase of torch's keys). */
export interface RAdamHyper {
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
}
/** Options of {@link RAdam} (torch's keyword arguments, camelCase). */
export type RAdamOptions = Partial<RAdamHyper>;

/**
 * Implements RAdam, rectified Adam (torch's `torch.optim.RAdam`), torch 1.13's update.
 *
 * Mirrors [torch.optim.RAdam](https://pytorch.org/docs/1.13/generated/torch.optim.RAdam.html). Adam's
 * moments; with `ρ∞ = 2/(1-β₂) - 1` and `ρₜ = ρ∞ - 2tβ₂ᵗ/(1-β₂ᵗ)`, a step is rectified when `ρₜ > 5`:
 * `θ -= lr · m̂ · r · √(1-β₂ᵗ)/(√v + eps)`, else `θ -= lr · m̂`. State: `step`, `exp_avg`, `exp_avg_sq`.
 *
 * @param params `model.parameters()`, or parameter groups.
 * @param args positionally in torch's order or as options: `lr` (default `1e-3`), `betas`
 *   (`[0.9, 0.999]`), `eps` (`1e-8`), `weightDecay` (`0`), `foreach`.
 * @throws ValueError with torch's messages (`Invalid beta parameter at index 0: -0.1`).
 * @example
 * ```ts
 * const opt = new optim.RAdam(model.parameters(), 1e-3);
 * ```
 */
export class RAdam extends Optimizer<RAdamHyper> {
  /**
   * @param params parameters or parameter groups.
   * @param args `lr, betas, eps, weightDecay, foreach` positionally, or an options object.
   */
  constructor(params: Iterable<Parameter> | Iterable<ParamGroupInput<RAdamOptions>>, ...args: ArgsOf<typeof RADAM>) {
    const a = RADAM.parse(args);
    super(params, ordered(a, ['lr', 'betas', 'eps', 'weightDecay', 'foreach']), RADAM, checkAdamArgs);
  }

  protected override updateGroup(group: ParamGroup<RAdamHyper>, params: Parameter[]): void {
    const { lr, eps, weightDecay } = group;
    const [beta1, beta2] = group.betas;
    for (const p of params) {
      const st = this.state.get(p);
      const step = (st?.step ? stepValue(st.step) : 0) + 1;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const g = penalizedGrad(p, false, weightDecay);
      const expAvg = tf.add(tf.mul(st?.exp_avg ?? tf.zerosLike(p), sc(beta1)), tf.mul(sc(1 - beta1), g));
      const expAvgSq = tf.add(
        tf.mul(st?.exp_avg_sq ?? tf.zerosLike(p), sc(beta2)),
        tf.mul(tf.mul(sc(1 - beta2), g), g),
      );
      const corrected = tf.div(expAvg, sc(biasCorrection1));
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
      let update: tf.Tensor;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        // Python's `float / tensor` is torch's `tensor.reciprocal() * float`.
        const adaptiveLr = tf.mul(tf.reciprocal(tf.add(tf.sqrt(expAvgSq), sc(eps))), sc(Math.sqrt(biasCorrection2)));
        update = tf.mul(tf.mul(tf.mul(corrected, sc(lr)), adaptiveLr), sc(rect));
      } else {
        update = tf.mul(corrected, sc(lr));
      }
      p.assign(tf.add(p, tf.mul(sc(-1), update)));
      this.setState(p, 'step', stepTensor(step));
      this.setState(p, 'exp_avg', expAvg);
      this.setState(p, 'exp_avg_sq', expAvgSq);
    }
  }
}
