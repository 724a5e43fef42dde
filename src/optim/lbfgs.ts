/**
 * torch's `torch.optim.LBFGS`: limited-memory BFGS with an optional strong-Wolfe line search.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, int, oneOf, signature } from '../args';
import type { Parameter } from '../autograd/parameter';
import { enableGrad, noGrad } from '../autograd/tape';
import { ArgumentTypeError, StateDictError, ValueError } from '../errors';
import { isTensorData } from '../io/tensor-data';
import { toTfTensor } from '../io/tf-tensors';
import { num, Optimizer, type OptimizerStateDict, ordered, type StateValue } from './optimizer';
import type { ParamGroupInput } from './optimizer';

/** torch 1.13's `LBFGS(params, lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn)`. */
const LBFGS_SIG = signature('LBFGS', [
  ['lr', num().default(1)],
  ['maxIter', int({ min: 1 }).default(20)],
  ['maxEval', int({ min: 1 }).optional()],
  ['toleranceGrad', num().default(1e-7)],
  ['toleranceChange', num().default(1e-9)],
  ['historySize', int({ min: 1 }).default(100)],
  ['lineSearchFn', oneOf(['strong_wolfe']).optional()],
]);

/** A live {@link LBFGS} parameter group's hyperparameters (camelCase of torch's keys). */
export interface LBFGSHyper {
  /** Learning rate. */
  lr: number;
  /** Iterations per step. */
  maxIter: number;
  /** Closure evaluations per step. */
  maxEval: number | null;
  /** First-order optimality tolerance. */
  toleranceGrad: number;
  /** Tolerance on function value or parameter changes. */
  toleranceChange: number;
  /** Number of curvature pairs kept. */
  historySize: number;
  /** `'strong_wolfe'` or `null`. */
  lineSearchFn: 'strong_wolfe' | null;
}
/** Options of {@link LBFGS} (torch's keyword arguments, camelCase). */
export type LBFGSOptions = Partial<LBFGSHyper>;

const f32 = Math.fround;

/** Float32 dot product, accumulated in double and rounded once (torch's BLAS `sdot` up to its summation order). */
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return f32(s);
}

function absMax(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** `a + alpha·b` in float32 (torch's `add_(b, alpha=alpha)`). */
function axpy(a: Float32Array, b: Float32Array, alpha: number): Float32Array {
  const out = new Float32Array(a.length);
  const al = f32(alpha);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + al * b[i];
  return out;
}

function scale(a: Float32Array, k: number): Float32Array {
  const out = new Float32Array(a.length);
  const kk = f32(k);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * kk;
  return out;
}

function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  // g1, g2 are float32 0-dim tensors in torch, so d1, d2 and the minimum are float32 too.
  const d1 = f32(f32(g1 + g2) - f32((3 * (f1 - f2)) / (x1 - x2)));
  const d2Square = f32(f32(d1 * d1) - f32(g1 * g2));
  if (d2Square >= 0) {
    const d2 = f32(Math.sqrt(d2Square));
    const minPos =
      x1 <= x2
        ? f32(x2 - f32(f32(x2 - x1) * f32(f32(f32(g2 + d2) - d1) / f32(f32(g2 - g1) + f32(2 * d2)))))
        : f32(x1 - f32(f32(x1 - x2) * f32(f32(f32(g1 + d2) - d1) / f32(f32(g1 - g2) + f32(2 * d2)))));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFunc = (t: number) => [number, Float32Array];

/** torch's `_strong_wolfe` line search, step for step. */
function strongWolfe(
  obj: ObjFunc,
  t0: number,
  d: Float32Array,
  f: number,
  g: Float32Array,
  gtd: number,
  toleranceChange = 1e-9,
  c1 = 1e-4,
  c2 = 0.9,
  maxLs = 25,
): [number, Float32Array, number, number] {
  let t = t0;
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Float32Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    // torch's three tests in its order: no sufficient decrease -> bracket; strong Wolfe -> done; slope >= 0 -> bracket
    const noDecrease = fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev);
    if (!noDecrease && Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (noDecrease || gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals];
}

/** LBFGS's state (torch keeps it under the first parameter, `optimizer.state[params[0]]`). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Float32Array | null;
  t: number | null;
  oldDirs: Float32Array[] | null;
  oldStps: Float32Array[] | null;
  ro: number[] | null;
  hDiag: number | null;
  prevFlatGrad: Float32Array | null;
  prevLoss: number | null;
  al: Array<number | null> | null;
  /** torch's insertion order of the state's keys (`al` is added when first needed). */
  order: string[];
}

/**
 * Implements L-BFGS (torch's `torch.optim.LBFGS`), torch 1.13's algorithm step for step.
 *
 * Mirrors [torch.optim.LBFGS](https://pytorch.org/docs/1.13/generated/torch.optim.LBFGS.html). `step(closure)`
 * needs a closure that clears the gradients, computes the loss, calls `backward` and returns the loss; one
 * step runs up to `maxIter` iterations (and `maxEval` closure calls). Directions come from the last
 * `historySize` curvature pairs; with `lineSearchFn: 'strong_wolfe'` each step length satisfies the strong
 * Wolfe conditions (torch's `_strong_wolfe`). One parameter group only, as torch. The scalar arithmetic is
 * done in float32 as torch's 0-dim tensors do (dot products are summed in double, then rounded).
 *
 * @param params `model.parameters()` (one group).
 * @param args positionally in torch's order or as options: `lr` (default `1`), `maxIter` (`20`), `maxEval`
 *   (`maxIter * 5 / 4`), `toleranceGrad` (`1e-7`), `toleranceChange` (`1e-9`), `historySize` (`100`),
 *   `lineSearchFn` (`null` or `'strong_wolfe'`).
 * @throws ValueError for several parameter groups (torch's message).
 * @example
 * ```ts
 * const opt = new optim.LBFGS(model.parameters(), { lr: 1, lineSearchFn: 'strong_wolfe' });
 * opt.step(() => {
 *   opt.zeroGrad();
 *   const loss = criterion.forward(model.forward(x), y);
 *   backward(loss);
 *   return loss;
 * });
 * ```
 */
export class LBFGS extends Optimizer<LBFGSHyper> {
  private lstate: LBFGSState = LBFGS.freshState();

  /**
   * @param params parameters (one group).
   * @param args `lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn`, or options.
   */
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<LBFGSOptions>>,
    ...args: ArgsOf<typeof LBFGS_SIG>
  ) {
    const a = LBFGS_SIG.parse(args);
    if (a.maxEval == null) a.maxEval = Math.floor((a.maxIter * 5) / 4);
    const keys = [
      'lr',
      'maxIter',
      'maxEval',
      'toleranceGrad',
      'toleranceChange',
      'historySize',
      'lineSearchFn',
    ] as const;
    super(params, ordered(a, keys), LBFGS_SIG);
    if (this.paramGroups.length !== 1) {
      throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    }
  }

  private static freshState(): LBFGSState {
    return {
      funcEvals: 0,
      nIter: 0,
      d: null,
      t: null,
      oldDirs: null,
      oldStps: null,
      ro: null,
      hDiag: null,
      prevFlatGrad: null,
      prevLoss: null,
      al: null,
      order: ['func_evals', 'n_iter'],
    };
  }

  protected override validate(): void {}

  protected override updateGroup(): void {
    throw new ValueError('LBFGS.step needs a closure');
  }

  private get params(): Parameter[] {
    return this.paramGroups[0].params;
  }

  private flatGrad(): Float32Array {
    const n = this.params.reduce((s, p) => s + p.size, 0);
    const out = new Float32Array(n);
    let off = 0;
    for (const p of this.params) {
      if (p.grad != null) out.set(p.grad.dataSync() as Float32Array, off);
      off += p.size;
    }
    return out;
  }

  private flatParams(): Float32Array[] {
    return this.params.map((p) => Float32Array.from(p.dataSync() as Float32Array));
  }

  private setParams(values: Float32Array[]): void {
    this.params.forEach((p, i) => {
      tf.tidy(() => p.assign(tf.tensor(values[i], p.shape, 'float32')));
    });
  }

  /** `p.add_(update_view, alpha=stepSize)` for every parameter. */
  private addGrad(stepSize: number, update: Float32Array): void {
    let off = 0;
    const al = f32(stepSize);
    for (const p of this.params) {
      const cur = p.dataSync() as Float32Array;
      const next = new Float32Array(p.size);
      for (let i = 0; i < p.size; i++) next[i] = cur[i] + al * update[off + i];
      tf.tidy(() => p.assign(tf.tensor(next, p.shape, 'float32')));
      off += p.size;
    }
  }

  /**
   * One L-BFGS step (torch's `step(closure)`): up to `maxIter` iterations.
   * @param closure clears the gradients, computes the loss, calls `backward`, returns the loss.
   * @returns the closure's first loss (the loss before the step).
   */
  override step(closure?: () => tf.Tensor): tf.Tensor {
    if (typeof closure !== 'function') {
      throw new ArgumentTypeError('LBFGS.step() requires a closure that reevaluates the model and returns the loss');
    }
    this.stepCount++;
    const group = this.paramGroups[0];
    const { lr, maxIter, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    const st = this.lstate;
    const evaluate = (): number => {
      const l = enableGrad(closure);
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    };
    const origLoss = enableGrad(closure);
    return noGrad(() => {
      let loss = origLoss.dataSync()[0];
      let currentEvals = 1;
      st.funcEvals += 1;
      let flatGrad = this.flatGrad();
      let optCond = absMax(flatGrad) <= toleranceGrad;
      if (optCond) return origLoss;
      let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = st;
      let nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        st.nIter++;
        if (st.nIter === 1) {
          d = flatGrad.map((x) => -x);
          oldDirs = [];
          oldStps = [];
          ro = [];
          hDiag = 1;
        } else {
          const y = new Float32Array(flatGrad.length);
          for (let i = 0; i < y.length; i++) y[i] = flatGrad[i] - prevFlatGrad![i];
          const s = scale(d!, t!);
          const ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs!.length === historySize) {
              oldDirs!.shift();
              oldStps!.shift();
              ro!.shift();
            }
            oldDirs!.push(y);
            oldStps!.push(s);
            ro!.push(f32(1 / ys));
            hDiag = f32(ys / dot(y, y));
          }
          const numOld = oldDirs!.length;
          if (st.al == null) {
            st.al = new Array(historySize).fill(null);
            st.order.push('al');
          }
          const al = st.al;
          let q: Float32Array = flatGrad.map((x) => -x);
          for (let i = numOld - 1; i >= 0; i--) {
            al[i] = f32(dot(oldStps![i], q) * ro![i]);
            q = axpy(q, oldDirs![i], -al[i]!);
          }
          let r = scale(q, hDiag!);
          for (let i = 0; i < numOld; i++) {
            const be = f32(dot(oldDirs![i], r) * ro![i]);
            r = axpy(r, oldStps![i], f32(al[i]! - be));
          }
          d = r;
        }
        prevFlatGrad = Float32Array.from(flatGrad);
        prevLoss = loss;
        if (st.nIter === 1) {
          let sum = 0;
          for (const x of flatGrad) sum += Math.abs(x);
          const inv = f32(1 / f32(sum));
          t = 1 < inv ? lr : f32(inv * f32(lr));
        } else t = lr;
        const gtd = dot(flatGrad, d!);
        if (gtd > -toleranceChange) break;
        let lsEvals = 0;
        if (lineSearchFn != null) {
          const x0 = this.flatParams();
          const dd = d!;
          const obj: ObjFunc = (tt) => {
            this.addGrad(tt, dd);
            const l = evaluate();
            const g = this.flatGrad();
            this.setParams(x0);
            return [l, g];
          };
          [loss, flatGrad, t, lsEvals] = strongWolfe(obj, t!, dd, loss, flatGrad, gtd, toleranceChange);
          this.addGrad(t!, dd);
          optCond = absMax(flatGrad) <= toleranceGrad;
        } else {
          this.addGrad(t!, d!);
          if (nIter !== maxIter) {
            loss = evaluate();
            flatGrad = this.flatGrad();
            optCond = absMax(flatGrad) <= toleranceGrad;
            lsEvals = 1;
          }
        }
        currentEvals += lsEvals;
        st.funcEvals += lsEvals;
        if (nIter === maxIter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (absMax(scale(d!, t!)) <= toleranceChange) break;
        if (Math.abs(loss - prevLoss) < toleranceChange) break;
      }
      Object.assign(st, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      for (const k of ['d', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss']) {
        if (!st.order.includes(k)) st.order.push(k);
      }
      return origLoss;
    });
  }

  /**
   * torch's `state_dict()`: the state sits under parameter 0 with torch's keys (`func_evals`, `n_iter`, `d`,
   * `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`); vectors as float32
   * tensors (owned by the caller), scalars as numbers.
   */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    const st = this.lstate;
    const vec = (a: Float32Array | null): tf.Tensor | null => (a ? tf.keep(tf.tensor1d(a, 'float32')) : null);
    const values: Record<string, StateValue> = {
      func_evals: st.funcEvals,
      n_iter: st.nIter,
      d: vec(st.d),
      t: st.t,
      old_dirs: st.oldDirs?.map(vec) ?? null,
      old_stps: st.oldStps?.map(vec) ?? null,
      ro: st.ro ? [...st.ro] : null,
      H_diag: st.hDiag,
      prev_flat_grad: vec(st.prevFlatGrad),
      prev_loss: st.prevLoss,
      al: st.al ? [...st.al] : null,
    };
    const saved: Record<string, StateValue> = {};
    for (const k of st.order) saved[k] = values[k];
    sd.state.set(0, saved);
    return sd;
  }

  /**
   * Loads a state dict from {@link stateDict} or torch's (`parseTorchFile` of a saved `LBFGS.state_dict()`).
   * @param sd `{ state, param_groups }`.
   */
  override loadStateDict(sd: OptimizerStateDict | Map<unknown, unknown> | Record<string, unknown>): void {
    const get = (o: unknown, k: string): unknown =>
      o instanceof Map ? o.get(k) : o != null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
    const state = get(sd, 'state');
    const saved = state instanceof Map ? (state.get(0) ?? state.get(0n)) : get(state, '0');
    const groups = get(sd, 'param_groups') ?? get(sd, 'paramGroups');
    super.loadStateDict({ state: new Map(), param_groups: groups } as OptimizerStateDict);
    const fresh = LBFGS.freshState();
    if (saved == null) {
      this.lstate = fresh;
      return;
    }
    const scalar = (v: unknown, k: string): number | null => {
      if (v == null) return null;
      if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
      const t = v instanceof tf.Tensor ? v : isTensorData(v) ? toTfTensor(v) : null;
      if (t == null || t.size !== 1) throw new StateDictError(`loadStateDict: LBFGS state '${k}' must be a number`);
      const x = t.dataSync()[0];
      if (t !== v) t.dispose();
      return x;
    };
    const vector = (v: unknown, k: string): Float32Array<ArrayBuffer> | null => {
      if (v == null) return null;
      const t = v instanceof tf.Tensor ? v : isTensorData(v) ? toTfTensor(v) : null;
      if (t == null) throw new StateDictError(`loadStateDict: LBFGS state '${k}' must be a tensor`);
      const out = Float32Array.from(t.dataSync() as ArrayLike<number>);
      if (t !== v) t.dispose();
      return out;
    };
    const list = <T>(v: unknown, k: string, f: (x: unknown, k: string) => T): T[] | null =>
      v == null ? null : (v as unknown[]).map((x) => f(x, k));
    const keys = saved instanceof Map ? [...saved.keys()].map(String) : Object.keys(saved as object);
    this.lstate = {
      funcEvals: scalar(get(saved, 'func_evals'), 'func_evals') ?? 0,
      nIter: scalar(get(saved, 'n_iter'), 'n_iter') ?? 0,
      d: vector(get(saved, 'd'), 'd'),
      t: scalar(get(saved, 't'), 't'),
      oldDirs: list(get(saved, 'old_dirs'), 'old_dirs', vector) as Float32Array[] | null,
      oldStps: list(get(saved, 'old_stps'), 'old_stps', vector) as Float32Array[] | null,
      ro: list(get(saved, 'ro'), 'ro', scalar) as number[] | null,
      hDiag: scalar(get(saved, 'H_diag'), 'H_diag'),
      prevFlatGrad: vector(get(saved, 'prev_flat_grad'), 'prev_flat_grad'),
      prevLoss: scalar(get(saved, 'prev_loss'), 'prev_loss'),
      al: list(get(saved, 'al'), 'al', scalar),
      order: keys.length > 0 ? keys : fresh.order,
    };
  }

  /** Forgets the L-BFGS history. */
  override dispose(): void {
    super.dispose();
    this.lstate = LBFGS.freshState();
  }
}
