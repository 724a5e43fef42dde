/**
 * torch's products and linear algebra by torch's names and meanings: `matmul` (torch's 1-D and batched
 * broadcasting rules), `mm`, `bmm`, `mv`, `dot`, `outer`, `addmm`, `baddbmm`, `einsum` (any equation torch
 * accepts, ellipsis and repeated indices included; differentiable, unlike tfjs's Einsum kernel), `tensordot`,
 * `cdist`, and the `linalg` namespace (`vectorNorm`, `norm`, `matrixNorm`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, checkTensors, describeValue, float, oneOf, signature } from '../args';
import { ArgumentTypeError, ShapeError, ValueError, formatShape } from '../errors';
import { broadcastShapes, broadcastTo, numelOf, pNorm, tensorArg } from './common';
import { vectorNorm } from './reduction';
import { diagonal } from './select';

function floatCompute(a: tf.Tensor, b: tf.Tensor, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (a.dtype === 'float32' && b.dtype === 'float32') return f(a, b);
  const dtype = a.dtype === 'float32' || b.dtype === 'float32' ? 'float32' : 'int32';
  const y = f(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
  return dtype === 'int32' ? tf.cast(tf.round(y), 'int32') : y;
}

/** `[..., n, k] @ [..., k, m]` with the batch dims broadcast (both ranks >= 2). */
function batchedMatmul(a: tf.Tensor, b: tf.Tensor, where: string): tf.Tensor {
  const [n, k] = a.shape.slice(-2);
  const [k2, m] = b.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(
      `${where}(): mat1 and mat2 shapes cannot be multiplied (${a.shape.slice(-2).join('x')} and ${b.shape.slice(-2).join('x')}; shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`,
    );
  }
  const batch = broadcastShapes([a.shape.slice(0, -2), b.shape.slice(0, -2)], where);
  if (batch.length === 0) return floatCompute(a, b, (x, y) => tf.matMul(x, y));
  const bn = numelOf(batch);
  const a3 = tf.reshape(broadcastTo(a, [...batch, n, k]), [bn, n, k]);
  const b3 = tf.reshape(broadcastTo(b, [...batch, k, m]), [bn, k, m]);
  return tf.reshape(
    floatCompute(a3, b3, (x, y) => tf.matMul(x, y)),
    [...batch, n, m],
  );
}

/**
 * Matrix product with torch's rules (torch's [`torch.matmul`](https://pytorch.org/docs/1.13/generated/torch.matmul.html)):
 * 1-D·1-D is a dot product, a 1-D first (second) argument gets a dim prepended (appended) and removed after,
 * batch dims broadcast.
 * @param input the first operand.
 * @param other the second.
 * @example
 * ```ts
 * torch.matmul(q, k.transpose(-2, -1)); // [B, H, T, D] @ [B, H, D, T]
 * ```
 */
export function matmul(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  tensorArg().check(input, { where: 'torch.matmul', name: 'input' });
  tensorArg().check(other, { where: 'torch.matmul', name: 'other' });
  if (input.rank === 0 || other.rank === 0) {
    throw new ShapeError(
      `torch.matmul(): both arguments to matmul need to be at least 1D, but they are ${input.rank}D and ${other.rank}D`,
    );
  }
  if (input.rank === 1 && other.rank === 1) return dot(input, other);
  const a = input.rank === 1 ? tf.reshape(input, [1, input.shape[0]]) : input;
  const b = other.rank === 1 ? tf.reshape(other, [other.shape[0], 1]) : other;
  let y = batchedMatmul(a, b, 'torch.matmul');
  if (other.rank === 1) y = tf.reshape(y, y.shape.slice(0, -1));
  if (input.rank === 1) y = tf.reshape(y, [...y.shape.slice(0, -2), ...y.shape.slice(-1)]);
  return y;
}

function checkRank(t: tf.Tensor, rank: number, name: string, where: string): void {
  if (t.rank !== rank) {
    throw new ShapeError(`${where}(): ${name} must be a ${rank}D tensor, got shape ${formatShape(t.shape)}`);
  }
}

/**
 * 2-D matrix product (torch's [`torch.mm`](https://pytorch.org/docs/1.13/generated/torch.mm.html)).
 * @param input `[n, k]`.
 * @param mat2 `[k, m]`.
 * @example
 * ```ts
 * torch.mm(a, b);
 * ```
 */
export function mm(input: tf.Tensor, mat2: tf.Tensor): tf.Tensor {
  checkTensors('torch.mm', { input, mat2 });
  checkRank(input, 2, 'self', 'torch.mm');
  checkRank(mat2, 2, 'mat2', 'torch.mm');
  return batchedMatmul(input, mat2, 'torch.mm');
}

/**
 * Batched matrix product of 3-D tensors, no broadcasting (torch's
 * [`torch.bmm`](https://pytorch.org/docs/1.13/generated/torch.bmm.html)).
 * @param input `[b, n, k]`.
 * @param mat2 `[b, k, m]`.
 * @example
 * ```ts
 * torch.bmm(attn, v);
 * ```
 */
export function bmm(input: tf.Tensor, mat2: tf.Tensor): tf.Tensor {
  checkTensors('torch.bmm', { input, mat2 });
  checkRank(input, 3, 'batch1', 'torch.bmm');
  checkRank(mat2, 3, 'batch2', 'torch.bmm');
  if (input.shape[0] !== mat2.shape[0] || input.shape[2] !== mat2.shape[1]) {
    throw new ShapeError(
      `torch.bmm(): Expected size for first two dimensions of batch2 tensor to be: [${input.shape[0]}, ${input.shape[2]}] but got: [${mat2.shape[0]}, ${mat2.shape[1]}].`,
    );
  }
  return batchedMatmul(input, mat2, 'torch.bmm');
}

/**
 * Matrix-vector product (torch's [`torch.mv`](https://pytorch.org/docs/1.13/generated/torch.mv.html)).
 * @param input `[n, m]`.
 * @param vec `[m]`.
 * @example
 * ```ts
 * torch.mv(w, x);
 * ```
 */
export function mv(input: tf.Tensor, vec: tf.Tensor): tf.Tensor {
  checkTensors('torch.mv', { input, vec });
  checkRank(input, 2, 'self', 'torch.mv');
  checkRank(vec, 1, 'vec', 'torch.mv');
  return matmul(input, vec);
}

/**
 * Dot product of two 1-D tensors of one size (torch's [`torch.dot`](https://pytorch.org/docs/1.13/generated/torch.dot.html)).
 * @param input `[n]`.
 * @param other `[n]`.
 * @example
 * ```ts
 * torch.dot(a, b);
 * ```
 */
export function dot(input: tf.Tensor, other: tf.Tensor): tf.Tensor {
  checkTensors('torch.dot', { input, other });
  if (input.rank !== 1 || other.rank !== 1) {
    throw new ShapeError(`torch.dot(): 1D tensors expected, but got ${input.rank}D and ${other.rank}D tensors`);
  }
  if (input.shape[0] !== other.shape[0]) {
    throw new ShapeError(
      `torch.dot(): inconsistent tensor size, expected tensor [${input.shape[0]}] and src [${other.shape[0]}] to have the same number of elements, but got ${input.shape[0]} and ${other.shape[0]} elements respectively`,
    );
  }
  return floatCompute(input, other, (a, b) => tf.sum(tf.mul(a, b)));
}

/**
 * Outer product of two 1-D tensors (torch's [`torch.outer`](https://pytorch.org/docs/1.13/generated/torch.outer.html)).
 * @param input `[n]`.
 * @param vec2 `[m]`.
 * @example
 * ```ts
 * torch.outer(t, freqs); // [n, m]
 * ```
 */
export function outer(input: tf.Tensor, vec2: tf.Tensor): tf.Tensor {
  checkTensors('torch.outer', { input, vec2 });
  checkRank(input, 1, 'input', 'torch.outer');
  checkRank(vec2, 1, 'vec2', 'torch.outer');
  return floatCompute(input, vec2, (a, b) => tf.mul(tf.reshape(a, [a.shape[0], 1]), tf.reshape(b, [1, b.shape[0]])));
}

const SCALE = signature('torch.addmm', [
  ['beta', float().default(1)],
  ['alpha', float().default(1)],
]);

/**
 * `beta * input + alpha * (mat1 @ mat2)` (torch's [`torch.addmm`](https://pytorch.org/docs/1.13/generated/torch.addmm.html));
 * `input` broadcasts to `[n, m]`.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `beta`: scale of `input`. Default: `1`.
 * - `alpha`: scale of the product. Default: `1`.
 * @param input added term.
 * @param mat1 `[n, k]`.
 * @param mat2 `[k, m]`.
 * @example
 * ```ts
 * torch.addmm(bias, x, w.t());
 * ```
 */
export function addmm(input: tf.Tensor, mat1: tf.Tensor, mat2: tf.Tensor, ...args: ArgsOf<typeof SCALE>): tf.Tensor {
  checkTensors('torch.addmm', { input, mat1, mat2 });
  const { beta, alpha } = SCALE.parse(args);
  const p = mm(mat1, mat2);
  broadcastShapes([input.shape, p.shape], 'torch.addmm');
  return tf.add(beta === 1 ? input : tf.mul(input, beta), alpha === 1 ? p : tf.mul(p, alpha));
}

/**
 * `beta * input + alpha * bmm(batch1, batch2)` (torch's
 * [`torch.baddbmm`](https://pytorch.org/docs/1.13/generated/torch.baddbmm.html)).
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `beta`: scale of `input`. Default: `1`.
 * - `alpha`: scale of the product. Default: `1`.
 * @param input added term, broadcastable to `[b, n, m]`.
 * @param batch1 `[b, n, k]`.
 * @param batch2 `[b, k, m]`.
 * @example
 * ```ts
 * torch.baddbmm(mask, q, k, { beta: 1, alpha: scale });
 * ```
 */
export function baddbmm(
  input: tf.Tensor,
  batch1: tf.Tensor,
  batch2: tf.Tensor,
  ...args: ArgsOf<typeof SCALE>
): tf.Tensor {
  checkTensors('torch.baddbmm', { input, batch1, batch2 });
  const { beta, alpha } = SCALE.parse(args, 'torch.baddbmm');
  const p = bmm(batch1, batch2);
  broadcastShapes([input.shape, p.shape], 'torch.baddbmm');
  return tf.add(beta === 1 ? input : tf.mul(input, beta), alpha === 1 ? p : tf.mul(p, alpha));
}

/** An einsum operand: its tensor and one label per dim (ellipsis dims get private labels). */
interface Labelled {
  t: tf.Tensor;
  labels: string[];
}

const ELLIPSIS_LABEL = (i: number) => `…${i}`;

/**
 * Sums products of elements along labelled dims (torch's
 * [`torch.einsum`](https://pytorch.org/docs/1.13/generated/torch.einsum.html)): any equation torch accepts,
 * with `...` (broadcast batch dims), repeated labels in one operand (diagonals), and implicit output (labels
 * seen once, sorted). Contracts pairwise through matrix products; differentiable (tfjs's Einsum kernel has no
 * gradient and accepts only some equations).
 * @param equation e.g. `'bij,bjk->bik'`, `'...ij,...jk'`, `'ii->i'`.
 * @param operands the tensors, one per term (or one array of them).
 * @example
 * ```ts
 * torch.einsum('bhqd,bhkd->bhqk', q, k);
 * ```
 */
export function einsum(equation: string, ...operands: Array<tf.Tensor | tf.Tensor[]>): tf.Tensor {
  if (typeof equation !== 'string') {
    throw new ArgumentTypeError(`torch.einsum(): argument 'equation' must be a string, got ${describeValue(equation)}`);
  }
  const ops = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as tf.Tensor[]);
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') : [eq, null];
  const terms = lhs.split(',');
  if (terms.length !== ops.length) {
    throw new ValueError(
      `torch.einsum(): ${terms.length < ops.length ? 'more' : 'fewer'} operands were provided than specified in the equation ` +
        `(${terms.length} terms in '${equation}', ${ops.length} operands)`,
    );
  }
  let ellRank = 0;
  const labelled: Labelled[] = terms.map((term, i) => {
    const t = ops[i];
    tensorArg().check(t, { where: 'torch.einsum', name: `operands[${i}]` });
    const parts = term.split('...');
    if (parts.length > 2)
      throw new ValueError(`torch.einsum(): found more than one ellipsis ('...') in operand ${i} of '${equation}'`);
    const letters = parts.join('');
    for (const c of letters) {
      if (!/[a-zA-Z]/.test(c))
        throw new ValueError(
          `torch.einsum(): invalid subscript given at index ${eq.indexOf(c)} in the equation string, subscripts must be in [a-zA-Z]`,
        );
    }
    const ell = parts.length === 2 ? t.rank - letters.length : 0;
    if (ell < 0 || (parts.length === 1 && letters.length !== t.rank)) {
      throw new ShapeError(
        `torch.einsum(): the number of subscripts in the equation (${letters.length}) does not match the number of dimensions (${t.rank}) for operand ${i}${parts.length === 1 ? ' and no ellipsis was given' : ''} (shape ${formatShape(t.shape)})`,
      );
    }
    ellRank = Math.max(ellRank, ell);
    // Ellipsis dims are aligned from the right, as broadcasting: the last one is …0.
    const ellLabels = Array.from({ length: ell }, (_, k) => ELLIPSIS_LABEL(ell - 1 - k));
    const labels = parts.length === 2 ? [...parts[0], ...ellLabels, ...parts[1]] : [...letters];
    return { t, labels };
  });
  const ellOut = Array.from({ length: ellRank }, (_, k) => ELLIPSIS_LABEL(ellRank - 1 - k));
  let outLabels: string[];
  if (rhs == null) {
    const counts = new Map<string, number>();
    for (const { labels } of labelled)
      for (const l of labels) if (!l.startsWith('…')) counts.set(l, (counts.get(l) ?? 0) + 1);
    outLabels = [
      ...ellOut,
      ...[...counts]
        .filter(([, c]) => c === 1)
        .map(([l]) => l)
        .sort(),
    ];
  } else {
    const parts = rhs.split('...');
    if (parts.length > 2)
      throw new ValueError(`torch.einsum(): found more than one ellipsis in the output of '${equation}'`);
    const seen = new Set(labelled.flatMap((o) => o.labels));
    for (const c of parts.join('')) {
      if (!seen.has(c))
        throw new ValueError(
          `torch.einsum(): output subscript ${c} does not appear in the equation for any input operand`,
        );
    }
    if (new Set(parts.join('')).size !== parts.join('').length)
      throw new ValueError(`torch.einsum(): output subscript appears more than once in the output of '${equation}'`);
    outLabels = parts.length === 2 ? [...parts[0], ...ellOut, ...parts[1]] : [...parts[0]];
  }
  // Sizes per label (size-1 ellipsis dims broadcast).
  const size = new Map<string, number>();
  for (const { t, labels } of labelled) {
    labels.forEach((l, k) => {
      const s = t.shape[k];
      const prev = size.get(l);
      if (prev == null || prev === 1) size.set(l, s);
      else if (s !== prev && !(s === 1 && l.startsWith('…'))) {
        throw new ShapeError(
          `torch.einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript '${l}' has size ${s} in one operand and ${prev} in another (equation '${equation}', shapes ${ops.map((o) => formatShape(o.shape)).join(', ')})`,
        );
      }
    });
  }
  const cur = labelled.map((o) => reduceOwn(takeDiagonals(o), outLabels, labelled, o));
  let acc = cur[0];
  for (let i = 1; i < cur.length; i++) {
    const later = new Set([...outLabels, ...cur.slice(i + 1).flatMap((o) => o.labels)]);
    acc = contract(acc, cur[i], later, size);
  }
  // Sum labels not in the output (single operand case), then order as the output.
  const extra = acc.labels.filter((l) => !outLabels.includes(l));
  if (extra.length) {
    acc = {
      t: tf.sum(
        acc.t,
        extra.map((l) => acc.labels.indexOf(l)),
      ),
      labels: acc.labels.filter((l) => outLabels.includes(l)),
    };
  }
  return expandTo(acc, outLabels, size);
}

/** Collapses repeated labels of one operand to their diagonal. */
function takeDiagonals(o: Labelled): Labelled {
  let { t, labels } = o;
  for (;;) {
    const dup = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (dup < 0) return { t, labels };
    const first = labels.indexOf(labels[dup]);
    t = diagonal(t, 0, first, dup);
    const l = labels[dup];
    labels = [...labels.filter((_, i) => i !== first && i !== dup), l];
  }
}

/** Sums labels that only this operand has and the output does not need. */
function reduceOwn(o: Labelled, out: string[], all: Labelled[], self: Labelled): Labelled {
  const others = new Set(all.filter((x) => x !== self).flatMap((x) => x.labels));
  const drop = o.labels.filter((l) => !out.includes(l) && !others.has(l));
  if (!drop.length) return o;
  return {
    t: tf.sum(
      o.t,
      drop.map((l) => o.labels.indexOf(l)),
    ),
    labels: o.labels.filter((l) => !drop.includes(l)),
  };
}

/** Broadcasts/reorders an operand to exactly `labels` (missing labels become broadcast dims). */
function expandTo(o: Labelled, labels: string[], size: Map<string, number>): tf.Tensor {
  const present = labels.filter((l) => o.labels.includes(l));
  const perm = present.map((l) => o.labels.indexOf(l));
  let t = perm.every((p, i) => p === i) ? o.t : tf.transpose(o.t, perm);
  const shape = labels.map((l) => (o.labels.includes(l) ? o.t.shape[o.labels.indexOf(l)] : 1));
  t = tf.reshape(t, shape);
  const target = labels.map((l) => size.get(l) ?? 1);
  return tf.util.arraysEqual(shape, target) ? (t === o.t ? tf.clone(t) : t) : broadcastTo(t, target);
}

/** Contracts two operands through one batched matrix product, keeping the labels `keep` needs. */
function contract(a: Labelled, b: Labelled, keep: Set<string>, size: Map<string, number>): Labelled {
  const inA = new Set(a.labels);
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !inA.has(l));
  const dims = (ls: string[]) => ls.map((l) => size.get(l) ?? 1);
  const at = expandTo(a, [...batch, ...aOnly, ...summed], size);
  const bt = expandTo(b, [...batch, ...summed, ...bOnly], size);
  const nb = numelOf(dims(batch));
  const [m, k, n] = [numelOf(dims(aOnly)), numelOf(dims(summed)), numelOf(dims(bOnly))];
  const y = floatCompute(tf.reshape(at, [nb, m, k]), tf.reshape(bt, [nb, k, n]), (x, z) => tf.matMul(x, z));
  return { t: tf.reshape(y, [...dims(batch), ...dims(aOnly), ...dims(bOnly)]), labels: [...batch, ...aOnly, ...bOnly] };
}

/**
 * Contracts `dims` trailing dims of `a` with leading dims of `b`, or the listed pairs (torch's
 * [`torch.tensordot`](https://pytorch.org/docs/1.13/generated/torch.tensordot.html)).
 * @param a first tensor.
 * @param b second tensor.
 * @param dims a count, or `[dimsOfA, dimsOfB]`. Default: `2`.
 * @example
 * ```ts
 * torch.tensordot(a, b, [[1, 2], [0, 1]]);
 * ```
 */
export function tensordot(a: tf.Tensor, b: tf.Tensor, dims: number | [number[], number[]] = 2): tf.Tensor {
  checkTensors('torch.tensordot', { a, b });
  const [da, db] =
    typeof dims === 'number'
      ? [Array.from({ length: dims }, (_, i) => a.rank - dims + i), Array.from({ length: dims }, (_, i) => i)]
      : dims;
  if (da.length !== db.length)
    throw new ValueError(
      `torch.tensordot(): both dimension lists should have same length (got ${da.length} and ${db.length})`,
    );
  const na = da.map((d) => (d < 0 ? d + a.rank : d));
  const nb = db.map((d) => (d < 0 ? d + b.rank : d));
  na.forEach((d, i) => {
    if (a.shape[d] !== b.shape[nb[i]]) {
      throw new ShapeError(
        `torch.tensordot(): contracted dimensions need to match, but first has size ${a.shape[d]} in dim ${d} and second has size ${b.shape[nb[i]]} in dim ${nb[i]}`,
      );
    }
  });
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const la = Array.from({ length: a.rank }, (_, i) => letters[i]);
  const lb = Array.from({ length: b.rank }, (_, i) => letters[a.rank + i]);
  nb.forEach((d, i) => {
    lb[d] = la[na[i]];
  });
  const out = [...la.filter((_, i) => !na.includes(i)), ...lb.filter((_, i) => !nb.includes(i))];
  return einsum(`${la.join('')},${lb.join('')}->${out.join('')}`, a, b);
}

const CDIST = signature('torch.cdist', [
  ['p', float({ min: 0, allowInfinity: true }).default(2)],
  [
    'computeMode',
    oneOf(['use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist']).optional(),
  ],
]);

/**
 * p-norm distances between each pair of rows (torch's
 * [`torch.cdist`](https://pytorch.org/docs/1.13/generated/torch.cdist.html)): `[..., P, M]` and `[..., R, M]`
 * give `[..., P, R]`; the gradient is 0 where a distance is 0, as torch.
 * Arguments (torch's order; positionally or in a trailing options object):
 * - `p`: the norm's order. Default: `2`.
 * - `computeMode`: accepted for torch's signature (distances are always computed directly). Default: `null`.
 * @param x1 `[..., P, M]`.
 * @param x2 `[..., R, M]`.
 * @example
 * ```ts
 * torch.cdist(a, b); // Euclidean distances
 * ```
 */
export function cdist(x1: tf.Tensor, x2: tf.Tensor, ...args: ArgsOf<typeof CDIST>): tf.Tensor {
  checkTensors('torch.cdist', { x1, x2 });
  const { p } = CDIST.parse(args);
  if (x1.rank < 2 || x2.rank < 2) {
    throw new ShapeError(
      `torch.cdist(): cdist only supports at least 2D tensors, X1 got: ${x1.rank}D, X2 got: ${x2.rank}D`,
    );
  }
  if (x1.shape[x1.rank - 1] !== x2.shape[x2.rank - 1]) {
    throw new ShapeError(
      `torch.cdist(): X1 and X2 must have the same number of columns. X1: ${x1.shape[x1.rank - 1]} X2: ${x2.shape[x2.rank - 1]}`,
    );
  }
  const a = tf.expandDims(x1, -2);
  const b = tf.expandDims(x2, -3);
  broadcastShapes([x1.shape.slice(0, -2), x2.shape.slice(0, -2)], 'torch.cdist');
  return pNorm(tf.sub(a, b), p, [Math.max(a.rank, b.rank) - 1], false);
}

/**
 * `torch.linalg.norm`: the vector 2-norm of the flattened input (no `ord`, no `dim`), `'fro'` over the last two
 * dims, or {@link vectorNorm} for a number `ord` with an int `dim`. Matrix norms other than `'fro'` are not
 * supported.
 * @param input a float32 tensor.
 * @param ord `null`, a number, or `'fro'`. Default: `null`.
 * @param dim an int or a pair. Default: `null`.
 * @param keepdim keep the reduced dims. Default: `false`.
 * @example
 * ```ts
 * torch.linalg.norm(x, null, -1);
 * ```
 */
export function linalgNorm(
  input: tf.Tensor,
  ord: number | 'fro' | null = null,
  dim: number | number[] | null = null,
  keepdim = false,
): tf.Tensor {
  checkTensors('torch.linalg.norm', { input });
  if (ord === 'fro' || ord == null) return vectorNorm(input, 2, dim ?? (ord === 'fro' ? [-2, -1] : null), keepdim);
  if (Array.isArray(dim) && dim.length === 2) {
    throw new ValueError('torch.linalg.norm(): matrix norms other than "fro" are not supported by tfjs-torch');
  }
  return vectorNorm(input, ord, dim, keepdim);
}

/** torch's `torch.linalg` functions the library has. */
export const linalg = {
  /** torch's `torch.linalg.vector_norm`. */
  vectorNorm,
  /** torch's `torch.linalg.norm` (vector norms and Frobenius). */
  norm: linalgNorm,
  /** torch's `torch.linalg.matrix_norm` for `'fro'`. */
  matrixNorm: (input: tf.Tensor, ord: 'fro' = 'fro', dim: [number, number] = [-2, -1], keepdim = false) =>
    linalgNorm(input, ord, dim, keepdim),
};
