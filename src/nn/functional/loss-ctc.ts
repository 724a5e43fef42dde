/**
 * The Connectionist Temporal Classification loss (torch.nn.functional's `ctc_loss`): torch's alpha-beta recursion
 * in log space on the CPU, and torch's own gradient, which is that of the loss through a `log_softmax` (the
 * `exp(log_probs)` term included), as PyTorch 1.13's native kernel returns it.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, int, intList, signature, tensor, union, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { checkFloat, checkTensors, reductionArg } from './utils';

const CTC = signature('F.ctcLoss', [
  ['targets', tensor(['int32'])],
  ['inputLengths', union(tensor(['int32']), intList({ min: 0 }))],
  ['targetLengths', union(tensor(['int32']), intList({ min: 0 }))],
  ['blank', int({ min: 0 }).default(0)],
  ['reduction', reductionArg().default('mean')],
  ['zeroInfinity', bool().default(false)],
]);

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return Math.log(Math.exp(a - m) + Math.exp(b - m)) + m;
}

function logSum3(a: number, b: number, c: number): number {
  let m = Math.max(a, b, c);
  if (m === -Infinity) m = 0;
  return Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m)) + m;
}

interface CtcProblem {
  /** `[T, N, C]` log-probabilities, row-major. */
  lp: Float32Array;
  t: number;
  n: number;
  c: number;
  /** Per sample: its target labels. */
  targets: number[][];
  inputLengths: number[];
  blank: number;
  zeroInfinity: boolean;
}

/** Per-sample negative log-likelihoods and (when asked) torch's gradient factor per `[t, n, c]`. */
function ctcForward(p: CtcProblem, withGrad: boolean): { nll: Float32Array; grad: Float32Array | null } {
  const { lp, t: T, n: N, c: C, blank } = p;
  const at = (t: number, b: number, k: number) => lp[(t * N + b) * C + k] as number;
  const nll = new Float32Array(N);
  const grad = withGrad ? new Float32Array(T * N * C) : null;
  for (let b = 0; b < N; b++) {
    const tgt = p.targets[b]!;
    const len = p.inputLengths[b]!;
    const S = 2 * tgt.length + 1;
    const prime = (s: number) => (s % 2 === 0 ? blank : (tgt[(s - 1) / 2] as number));
    const alpha = new Float64Array(Math.max(len, 1) * S).fill(-Infinity);
    if (len > 0) {
      alpha[0] = at(0, b, blank);
      if (tgt.length > 0) alpha[1] = at(0, b, prime(1));
    }
    for (let t = 1; t < len; t++) {
      for (let s = 0; s < S; s++) {
        const cur = prime(s);
        const a1 = alpha[(t - 1) * S + s]!;
        const a2 = s > 0 ? alpha[(t - 1) * S + s - 1]! : -Infinity;
        const a3 = s > 1 && prime(s - 2) !== cur ? alpha[(t - 1) * S + s - 2]! : -Infinity;
        alpha[t * S + s] = logSum3(a1, a2, a3) + at(t, b, cur);
      }
    }
    let ll: number;
    if (len === 0) ll = tgt.length === 0 ? 0 : -Infinity;
    else if (tgt.length === 0) ll = alpha[(len - 1) * S]!;
    else ll = logAdd(alpha[(len - 1) * S + S - 1]!, alpha[(len - 1) * S + S - 2]!);
    let loss = -ll;
    const infinite = loss === Infinity;
    if (infinite && p.zeroInfinity) loss = 0;
    nll[b] = loss;
    if (!grad || len === 0 || (infinite && p.zeroInfinity)) continue;
    // beta recursion and, per (t, class), the log-sum of alpha·beta over the positions of that class
    const beta = new Float64Array(len * S).fill(-Infinity);
    const lcab = new Float64Array(len * C).fill(-Infinity);
    beta[(len - 1) * S + S - 1] = at(len - 1, b, blank);
    lcab[(len - 1) * C + blank] = alpha[(len - 1) * S + S - 1]! + beta[(len - 1) * S + S - 1]!;
    if (tgt.length > 0) {
      const k = prime(S - 2);
      beta[(len - 1) * S + S - 2] = at(len - 1, b, k);
      lcab[(len - 1) * C + k] = alpha[(len - 1) * S + S - 2]! + beta[(len - 1) * S + S - 2]!;
    }
    for (let t = len - 2; t >= 0; t--) {
      for (let s = S - 1; s >= 0; s--) {
        const cur = prime(s);
        const b1 = beta[(t + 1) * S + s]!;
        const b2 = s < S - 1 ? beta[(t + 1) * S + s + 1]! : -Infinity;
        const b3 = s < S - 2 && prime(s + 2) !== cur ? beta[(t + 1) * S + s + 2]! : -Infinity;
        const bt = logSum3(b1, b2, b3) + at(t, b, cur);
        beta[t * S + s] = bt;
        lcab[t * C + cur] = logAdd(lcab[t * C + cur]!, alpha[t * S + s]! + bt);
      }
    }
    // torch: grad = exp(lp) - exp(lcab + nll - lp); 0 past the input length
    for (let t = 0; t < len; t++) {
      for (let k = 0; k < C; k++) {
        const l = at(t, b, k);
        grad[(t * N + b) * C + k] = Math.exp(l) - Math.exp(lcab[t * C + k]! + loss - l);
      }
    }
  }
  return { nll, grad };
}

/** The per-sample CTC loss as one tape node: forward on the CPU, torch's gradient (see the module doc). */
const CTCLossOp = defineFunction({
  name: 'CTCLoss',
  forward(ctx, logProbs: tf.Tensor, problem: Omit<CtcProblem, 'lp'>) {
    const { nll, grad } = ctcForward({ ...problem, lp: logProbs.dataSync() as Float32Array }, ctx.needsInputGrad[0]!);
    ctx.grad = grad;
    ctx.shape = logProbs.shape;
    return tf.tensor1d(nll);
  },
  backward(ctx, dy: tf.Tensor) {
    const [T, N, C] = ctx.shape as number[];
    const g = tf.tensor3d(ctx.grad as Float32Array, [T!, N!, C!]);
    return [tf.mul(g, tf.reshape(dy, [1, N!, 1])), null];
  },
});

function lengths(v: tf.Tensor | number[], n: number, name: string, where: string): number[] {
  const list = v instanceof tf.Tensor ? Array.from(v.dataSync()) : v;
  if (list.length !== n)
    throw new ShapeError(`${where}: expected ${name} to have ${n} entries (one per sample), got ${list.length}`);
  return list;
}

/**
 * The CTC loss of log-probabilities `logProbs` against unaligned target sequences: the negative log of the summed
 * probability of every alignment, by torch's alpha recursion. `'mean'` divides each sample's loss by its target
 * length (at least 1), then averages over the batch, as torch; `zeroInfinity` replaces infinite losses (inputs too
 * short for their targets) and their gradients by 0. The gradient is torch's: that of the loss through a
 * `logSoftmax`, so feed it `logSoftmax` outputs, as torch requires too.
 *
 * Mirrors [torch.nn.functional.ctc_loss](https://pytorch.org/docs/1.13/generated/torch.nn.functional.ctc_loss.html).
 *
 * Shape:
 * - logProbs: `[T, N, C]` (or `[T, C]` unbatched), log-probabilities over `C` classes incl. the blank.
 * - targets: int32 `[N, S]` (padded) or 1-D, all targets concatenated.
 * - inputLengths, targetLengths: `[N]` int32 tensors or arrays of ints.
 * - output: a scalar, or `[N]` with `reduction: 'none'`.
 *
 * @param logProbs `logSoftmax` outputs.
 * @param args torch's `targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False`,
 *   positionally or in a trailing options object.
 * @example
 * ```ts
 * const lp = tf.logSoftmax(tf.randomNormal([50, 16, 20]));          // T=50, N=16, C=20
 * const loss = F.ctcLoss(lp, targets, Array(16).fill(50), targetLengths);
 * ```
 */
export function ctcLoss(logProbs: tf.Tensor, ...args: ArgsOf<typeof CTC>): tf.Tensor {
  const where = 'F.ctcLoss';
  const a = CTC.parse(args);
  checkTensors(where, { logProbs });
  checkFloat(logProbs, 'logProbs', where);
  if (logProbs.rank !== 3 && logProbs.rank !== 2) {
    throw new ShapeError(
      `${where}: expected log_probs of shape [T, N, C] or [T, C], got ${formatShape(logProbs.shape)}`,
    );
  }
  const unbatched = logProbs.rank === 2;
  const [T, N, C] = unbatched
    ? [logProbs.shape[0]!, 1, logProbs.shape[1]!]
    : (logProbs.shape as [number, number, number]);
  if (a.blank >= C) throw new ValueError(`${where}: blank must be in label range (blank ${a.blank}, ${C} classes)`);
  const inputLengths = lengths(a.inputLengths, N, 'input_lengths', where);
  const targetLengths = lengths(a.targetLengths, N, 'target_lengths', where);
  const tdata = Array.from(a.targets.dataSync());
  const targets: number[][] = [];
  let offset = 0;
  for (let b = 0; b < N; b++) {
    const il = inputLengths[b]!;
    const tl = targetLengths[b]!;
    if (il > T)
      throw new ValueError(`${where}: Expected input_lengths to have value at most ${T}, but got value ${il}`);
    let row: number[];
    if (a.targets.rank === 1 && !unbatched) {
      row = tdata.slice(offset, offset + tl);
      offset += tl;
      if (row.length < tl)
        throw new ShapeError(`${where}: targets has ${tdata.length} labels, fewer than the target lengths' sum`);
    } else {
      const width = a.targets.rank === 1 ? a.targets.shape[0]! : a.targets.shape[1]!;
      if (tl > width) {
        throw new ShapeError(
          `${where}: Expected tensor to have size at least ${tl} at dimension 1, but got size ${width} for targets ${formatShape(a.targets.shape)}`,
        );
      }
      row = tdata.slice(b * width, b * width + tl);
    }
    const bad = row.find((y) => y < 0 || y >= C || y === a.blank);
    if (bad !== undefined) throw new ValueError(`${where}: target label ${bad} is the blank or outside [0, ${C})`);
    targets.push(row);
  }
  return tf.tidy(() => {
    const lp = unbatched ? tf.reshape(logProbs, [T, 1, C]) : logProbs;
    const nll = CTCLossOp(lp, {
      t: T,
      n: N,
      c: C,
      targets,
      inputLengths,
      blank: a.blank,
      zeroInfinity: a.zeroInfinity,
    });
    if (a.reduction === 'none') return unbatched ? tf.reshape(nll, []) : nll;
    if (a.reduction === 'sum') return tf.sum(nll);
    return tf.mean(tf.div(nll, tf.tensor1d(targetLengths.map((l) => Math.max(l, 1)))));
  });
}
