/**
 * torch's tensor methods that tfjs's `Tensor` lacks, added to the prototype (`x.view(-1, 320)`,
 * `x.permute(0, 2, 3, 1)`, `x.unsqueeze(1)`, `x.maskedFill(m, v)`, `x.float()`, ...) and declared on the type.
 * Methods tfjs already defines keep tfjs's meaning (`flatten`, `transpose`, `max`, `sum`, `mean`, `gather`,
 * `reshape`, `squeeze`, `topk`, `cumsum`, `size` (a property: the number of elements)); call the top-level
 * function (`torch.flatten(x, 1)`, `torch.transpose(x, 1, 2)`, `torch.max(x, 1)`, ...) for torch's.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { type HookHandle, registerHook, retainGrad } from '../autograd/grad';
import { ArgumentTypeError } from '../errors';
import { index, indexSelect, maskedFill, takeAlongDim } from './indexing';
import { chunk } from './join';
import { bmm, matmul, mm } from './linalg';
import {
  addcdiv,
  addcmul,
  clamp,
  eq,
  fmod,
  frac,
  ge,
  gt,
  isclose,
  le,
  lerp,
  lt,
  nanToNum,
  ne,
  remainder,
  trunc,
} from './math';
import { amax, amin, argmax, argmin, logsumexp, std, var_ } from './reduction';
import { scatter, scatterAdd } from './scatter';
import { diagonal, flip, narrow, roll, select, tril, triu } from './select';
import {
  expand,
  expandAs,
  movedim,
  permute,
  repeat,
  repeatInterleave,
  swapaxes,
  unflatten,
  unsqueeze,
  view,
  viewAs,
} from './shape';
import { argsort, kthvalue, median, sort } from './sorting';

/** The arguments of a function after its first (the tensor), for method types. */
type Rest<F> = F extends (x: tf.Tensor, ...a: infer A) => unknown ? A : never;

declare module '@tensorflow/tfjs-core/dist/tensor.js' {
  interface Tensor {
    /** torch's `x.view(*shape)`: {@link view}. */
    view(...shape: Rest<typeof view>): Tensor;
    /** torch's `x.permute(*dims)`: {@link permute}. */
    permute(...dims: Rest<typeof permute>): Tensor;
    /** torch's `x.dim()`: the rank. */
    dim(): number;
    /** torch's `x.ndimension()`: the rank. */
    ndimension(): number;
    /** torch's `x.numel()`: the number of elements. */
    numel(): number;
    /** torch's `x.unsqueeze(dim)`: {@link unsqueeze}. */
    unsqueeze(...args: Rest<typeof unsqueeze>): Tensor;
    /** torch's `x.expand(*sizes)`: {@link expand}. */
    expand(...sizes: Rest<typeof expand>): Tensor;
    /** torch's `x.expand_as(other)`: {@link expandAs}. */
    expandAs(other: Tensor): Tensor;
    /** torch's `x.view_as(other)`: {@link viewAs}. */
    viewAs(other: Tensor): Tensor;
    /** torch's `x.repeat(*sizes)`: {@link repeat}. */
    repeat(...sizes: Rest<typeof repeat>): Tensor;
    /** torch's `x.repeat_interleave(repeats, dim)`: {@link repeatInterleave}. */
    repeatInterleave(...args: Rest<typeof repeatInterleave>): Tensor;
    /** torch's `x.unflatten(dim, sizes)`: {@link unflatten}. */
    unflatten(...args: Rest<typeof unflatten>): Tensor;
    /** torch's `x.swapaxes(a, b)` / `x.swapdims(a, b)`: {@link swapaxes}. */
    swapaxes(axis0: number, axis1: number): Tensor;
    /** torch's `x.movedim(source, destination)`: {@link movedim}. */
    movedim(...args: Rest<typeof movedim>): Tensor;
    /** torch's `x.masked_fill(mask, value)`: {@link maskedFill}. */
    maskedFill(mask: Tensor, value: Tensor | number | boolean): Tensor;
    /** torch's `x.index_select(dim, index)`: {@link indexSelect}. */
    indexSelect(...args: Rest<typeof indexSelect>): Tensor;
    /** torch's `x.scatter(dim, index, src)`: {@link scatter}. */
    scatter(...args: Rest<typeof scatter>): Tensor;
    /** torch's `x.scatter_add(dim, index, src)`: {@link scatterAdd}. */
    scatterAdd(...args: Rest<typeof scatterAdd>): Tensor;
    /** torch's `x.take_along_dim(indices, dim)`: {@link takeAlongDim}. */
    takeAlongDim(...args: Rest<typeof takeAlongDim>): Tensor;
    /** torch's `x[spec]`: {@link index}. */
    index(...args: Rest<typeof index>): Tensor;
    /** torch's `x.narrow(dim, start, length)`: {@link narrow}. */
    narrow(...args: Rest<typeof narrow>): Tensor;
    /** torch's `x.select(dim, index)`: {@link select}. */
    select(...args: Rest<typeof select>): Tensor;
    /** torch's `x.flip(dims)`: {@link flip}. */
    flip(...args: Rest<typeof flip>): Tensor;
    /** torch's `x.roll(shifts, dims)`: {@link roll}. */
    roll(...args: Rest<typeof roll>): Tensor;
    /** torch's `x.tril(diagonal)`: {@link tril}. */
    tril(...args: Rest<typeof tril>): Tensor;
    /** torch's `x.triu(diagonal)`: {@link triu}. */
    triu(...args: Rest<typeof triu>): Tensor;
    /** torch's `x.diagonal(offset, dim1, dim2)`: {@link diagonal}. */
    diagonal(...args: Rest<typeof diagonal>): Tensor;
    /** torch's `x.chunk(chunks, dim)`: pieces along a dim. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** torch's `x.amax(dim, keepdim)`: {@link amax}. */
    amax(...args: Rest<typeof amax>): Tensor;
    /** torch's `x.amin(dim, keepdim)`: {@link amin}. */
    amin(...args: Rest<typeof amin>): Tensor;
    /** torch's `x.argmax(dim, keepdim)`: {@link argmax} (tfjs's `argMax` has no keepdim). */
    argmax(...args: Rest<typeof argmax>): Tensor;
    /** torch's `x.argmin(dim, keepdim)`: {@link argmin}. */
    argmin(...args: Rest<typeof argmin>): Tensor;
    /** torch's `x.logsumexp(dim, keepdim)`: {@link logsumexp}. */
    logsumexp(...args: Rest<typeof logsumexp>): Tensor;
    /** torch's `x.std(dim, unbiased, keepdim)`: {@link std}. */
    std(...args: Rest<typeof std>): Tensor;
    /** torch's `x.var(dim, unbiased, keepdim)`: {@link var_}. */
    var(...args: Rest<typeof var_>): Tensor;
    /** torch's `x.sort(dim, descending)`: `[values, indices]`. */
    sort(...args: Rest<typeof sort>): [Tensor, Tensor];
    /** torch's `x.argsort(dim, descending)`: {@link argsort}. */
    argsort(...args: Rest<typeof argsort>): Tensor;
    /** torch's `x.kthvalue(k, dim, keepdim)`: `[values, indices]`. */
    kthvalue(...args: Rest<typeof kthvalue>): [Tensor, Tensor];
    /** torch's `x.median(dim?, keepdim?)`: {@link median}. */
    median(...args: Rest<typeof median>): Tensor | [Tensor, Tensor];
    /** torch's `x.clamp(min, max)`: {@link clamp}. */
    clamp(...args: Rest<typeof clamp>): Tensor;
    /** torch's `x.clip(min, max)`: {@link clamp}. */
    clip(...args: Rest<typeof clamp>): Tensor;
    /** torch's `x.eq(other)`: {@link eq}. */
    eq(other: Tensor | number | boolean): Tensor;
    /** torch's `x.ne(other)`: {@link ne}. */
    ne(other: Tensor | number | boolean): Tensor;
    /** torch's `x.lt(other)`: {@link lt}. */
    lt(other: Tensor | number | boolean): Tensor;
    /** torch's `x.le(other)`: {@link le}. */
    le(other: Tensor | number | boolean): Tensor;
    /** torch's `x.gt(other)`: {@link gt}. */
    gt(other: Tensor | number | boolean): Tensor;
    /** torch's `x.ge(other)`: {@link ge}. */
    ge(other: Tensor | number | boolean): Tensor;
    /** torch's `x.isclose(other, rtol, atol, equal_nan)`: {@link isclose}. */
    isclose(...args: Rest<typeof isclose>): Tensor;
    /** torch's `x.lerp(end, weight)`: {@link lerp}. */
    lerp(...args: Rest<typeof lerp>): Tensor;
    /** torch's `x.addcmul(t1, t2, value)`: {@link addcmul}. */
    addcmul(...args: Rest<typeof addcmul>): Tensor;
    /** torch's `x.addcdiv(t1, t2, value)`: {@link addcdiv}. */
    addcdiv(...args: Rest<typeof addcdiv>): Tensor;
    /** torch's `x.remainder(other)`: {@link remainder}. */
    remainder(other: Tensor | number): Tensor;
    /** torch's `x.fmod(other)`: {@link fmod}. */
    fmod(other: Tensor | number): Tensor;
    /** torch's `x.frac()`: {@link frac}. */
    frac(): Tensor;
    /** torch's `x.trunc()`: {@link trunc}. */
    trunc(): Tensor;
    /** torch's `x.nan_to_num(nan, posinf, neginf)`: {@link nanToNum}. */
    nanToNum(...args: Rest<typeof nanToNum>): Tensor;
    /** torch's `x.matmul(other)`: {@link matmul} (tfjs's `matMul` has no 1-D or broadcasting rules). */
    matmul(other: Tensor): Tensor;
    /** torch's `x.mm(mat2)`: {@link mm}. */
    mm(mat2: Tensor): Tensor;
    /** torch's `x.bmm(mat2)`: {@link bmm}. */
    bmm(mat2: Tensor): Tensor;
    /** torch's `x.float()`: a float32 copy. */
    float(): Tensor;
    /** torch's `x.long()`: an int32 copy (torch's int64 is int32 here). */
    long(): Tensor;
    /** torch's `x.int()`: an int32 copy. */
    int(): Tensor;
    /** torch's `x.bool()`: a bool copy. */
    bool(): Tensor;
    /** torch's `x.double()`: refused (tfjs has no float64); use `float()`. */
    double(): Tensor;
    /** torch's `x.contiguous()`: tfjs tensors are always contiguous; returns `this`. */
    contiguous(): this;
    /** torch's `x.register_hook(fn)`: see {@link registerHook}. */
    registerHook(fn: (grad: Tensor) => Tensor | undefined | void): HookHandle;
    /** torch's `x.retain_grad()`: see {@link retainGrad}. */
    retainGrad(): void;
  }
}

type Method = (this: tf.Tensor, ...args: any[]) => unknown;

const onThis = (fn: (x: tf.Tensor, ...a: any[]) => unknown): Method =>
  function (this: tf.Tensor, ...a: unknown[]) {
    return fn(this, ...a);
  };

const METHODS: Record<string, Method> = {
  view: onThis(view),
  permute: onThis(permute),
  dim() {
    return this.rank;
  },
  ndimension() {
    return this.rank;
  },
  numel() {
    return this.size;
  },
  unsqueeze: onThis(unsqueeze),
  expand: onThis(expand),
  expandAs: onThis(expandAs),
  viewAs: onThis(viewAs),
  repeat: onThis(repeat),
  repeatInterleave: onThis(repeatInterleave),
  unflatten: onThis(unflatten),
  swapaxes: onThis(swapaxes),
  swapdims: onThis(swapaxes),
  movedim: onThis(movedim),
  maskedFill: onThis(maskedFill),
  indexSelect: onThis(indexSelect),
  scatter: onThis(scatter),
  scatterAdd: onThis(scatterAdd),
  takeAlongDim: onThis(takeAlongDim),
  index: onThis(index),
  narrow: onThis(narrow),
  select: onThis(select),
  flip: onThis(flip),
  roll: onThis(roll),
  tril: onThis(tril),
  triu: onThis(triu),
  diagonal: onThis(diagonal),
  chunk: onThis(chunk),
  amax: onThis(amax),
  amin: onThis(amin),
  argmax: onThis(argmax),
  argmin: onThis(argmin),
  logsumexp: onThis(logsumexp),
  std: onThis(std),
  var: onThis(var_),
  sort: onThis(sort),
  argsort: onThis(argsort),
  kthvalue: onThis(kthvalue),
  median: onThis(median),
  clamp: onThis(clamp),
  clip: onThis(clamp),
  eq: onThis(eq),
  ne: onThis(ne),
  lt: onThis(lt),
  le: onThis(le),
  gt: onThis(gt),
  ge: onThis(ge),
  isclose: onThis(isclose),
  lerp: onThis(lerp),
  addcmul: onThis(addcmul),
  addcdiv: onThis(addcdiv),
  remainder: onThis(remainder),
  fmod: onThis(fmod),
  frac: onThis(frac),
  trunc: onThis(trunc),
  nanToNum: onThis(nanToNum),
  matmul: onThis(matmul),
  mm: onThis(mm),
  bmm: onThis(bmm),
  float() {
    return tf.cast(this, 'float32');
  },
  long() {
    return tf.cast(this, 'int32');
  },
  int() {
    return tf.cast(this, 'int32');
  },
  bool() {
    return tf.cast(this, 'bool');
  },
  double() {
    throw new ArgumentTypeError('double(): tfjs has no float64; use float() (float32)');
  },
  contiguous() {
    return this;
  },
  registerHook(fn: (grad: tf.Tensor) => tf.Tensor | undefined) {
    return registerHook(this, fn);
  },
  retainGrad() {
    retainGrad(this);
  },
};

/** Adds the methods above that `tf.Tensor.prototype` does not have yet (never replacing tfjs's). Idempotent. */
export function installTensorMethods(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(METHODS)) {
    if (name in proto) continue;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: tf.Tensor, ...args: unknown[]) {
        this.throwIfDisposed();
        return fn.apply(this, args);
      },
    });
  }
}

installTensorMethods();
