/**
 * Elementwise activations (torch's `F.relu`, `F.elu`, `F.gelu`, ...). Each one whose gradient tfjs would compute
 * differently from torch at a kink (or through a chain of kernels) is one {@link defineFunction} op with torch's
 * derivative beside its forward; exponential units and gates live in `./gates`, the softmax family in `./softmax`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { bool, float, signature, tensor, type ArgsOf } from '../../args';
import { defineFunction } from '../../autograd/function';
import { isGradEnabled, noGrad } from '../../autograd/tape';
import { FusedKernel, hasFusedKernel } from '../../backends/fused-kernels';
import { ShapeError, ValueError, formatShape } from '../../errors';
import { defaultGenerator } from '../../random';

/** torch's `inplace=False`: accepted for porting; tfjs tensors are immutable, so it changes nothing. */
export const inplaceArg = () => bool().default(false);

const INPUT = tensor();

/** Checks the `input` argument of `F.<where>`: a live tensor. */
export function checkInput(input: unknown, where: string): tf.Tensor {
  return INPUT.check(input, { where, name: 'input' });
}

/**
 * An elementwise op `y = f(x, ...p)` whose backward is `dy * d(x, y, ...p)`: torch's derivative, written beside
 * the forward. Saves the input and the output.
 */
export function pointwise<P extends number[]>(
  name: string,
  f: (x: tf.Tensor, ...p: P) => tf.Tensor,
  d: (x: tf.Tensor, y: tf.Tensor, ...p: P) => tf.Tensor,
): (x: tf.Tensor, ...p: P) => tf.Tensor {
  const op = defineFunction({
    name,
    forward(ctx, x: tf.Tensor, ...p: P) {
      const y = f(x, ...p);
      ctx.params = p;
      ctx.saveForBackward(x, y);
      return y;
    },
    backward(ctx, dy: tf.Tensor) {
      const [x, y] = ctx.savedTensors;
      const p = ctx.params as P;
      return [tf.mul(dy, d(x, y, ...p)), ...p.map(() => null)];
    },
  });
  return op as unknown as (x: tf.Tensor, ...p: P) => tf.Tensor;
}

/** `1` where `mask`, else `0` (float32). */
export const ind = (mask: tf.Tensor) => tf.cast(mask, 'float32');

// ---------------------------------------------------------------------------------------------------------------
// ReLU family

const RELU = signature('F.relu', [['inplace', inplaceArg()]]);

/**
 * `max(0, x)` elementwise (torch's `F.relu`). Gradient 0 at 0, as torch.
 * Mirrors [torch.nn.functional.relu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?` (accepted for porting; changes nothing).
 * @example
 * ```ts
 * F.relu(tf.tensor([-1, 2])); // [0, 2]
 * ```
 */
export function relu(input: tf.Tensor, ...args: ArgsOf<typeof RELU>): tf.Tensor {
  checkInput(input, 'F.relu');
  RELU.parse(args);
  if (input.dtype === 'float32' && hasFusedLeakyRelu()) return FusedLeakyRelu(input, 0);
  return tf.relu(input);
}

const LEAKY_RELU = signature('F.leakyRelu', [
  ['negativeSlope', float().default(0.01)],
  ['inplace', inplaceArg()],
]);

/**
 * `x` where `x > 0`, else `negativeSlope * x` (torch's `F.leaky_relu`); gradient `negativeSlope` at 0, as torch.
 * Mirrors [torch.nn.functional.leaky_relu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.leaky_relu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `negativeSlope?` (default `0.01`), `inplace?`, positionally or in an options object.
 * @example
 * ```ts
 * F.leakyRelu(tf.tensor([-1, 2]), 0.2); // [-0.2, 2]
 * ```
 */
export function leakyRelu(input: tf.Tensor, ...args: ArgsOf<typeof LEAKY_RELU>): tf.Tensor {
  checkInput(input, 'F.leakyRelu');
  const { negativeSlope } = LEAKY_RELU.parse(args);
  if (input.dtype === 'float32' && hasFusedLeakyRelu()) return FusedLeakyRelu(input, negativeSlope);
  return tf.leakyRelu(input, negativeSlope);
}

function hasFusedLeakyRelu(): boolean {
  return hasFusedKernel(FusedKernel.LeakyRelu) && hasFusedKernel(FusedKernel.LeakyReluGrad);
}

/**
 * LeakyReLU (ReLU for `alpha = 0`) as one op over the backend's fused kernels: one pass forward, one pass backward
 * (tfjs's own gradients take three kernels: a comparison, a select and a multiply). For `alpha >= 0` the output has
 * the input's sign (`y > 0` exactly where `x > 0`), so the output is saved for backward, as torch's ReLU does: the
 * input can then be freed by whoever owns it.
 */
const FusedLeakyRelu = defineFunction({
  name: 'LeakyRelu',
  forward(ctx, x: tf.Tensor, alpha: number) {
    const attrs = { alpha } as unknown as tf.NamedAttrMap;
    // ReLU forward: the backend's own kernel (XNNPACK's SIMD clamp on wasm) is faster than a loop.
    const y = alpha === 0 ? tf.relu(x) : (tf.engine().runKernel(FusedKernel.LeakyRelu, { x }, attrs) as tf.Tensor);
    ctx.attrs = attrs;
    ctx.saveForBackward(alpha >= 0 ? y : x);
    return y;
  },
  backward(ctx, dy: tf.Tensor) {
    const [signOf] = ctx.savedTensors;
    const attrs = ctx.attrs as tf.NamedAttrMap;
    if (isGradEnabled()) {
      // A createGraph backward differentiates this gradient again: dy where x > 0, else alpha * dy (exactly 0 for
      // alpha = 0, as torch's threshold_backward), constant in x as torch's leaky_relu_backward, in ops that have
      // gradients (the fused kernel has none).
      const alpha = attrs.alpha as number;
      const positive = noGrad(() => tf.greater(signOf, 0));
      return [tf.where(positive, dy, alpha === 0 ? tf.zerosLike(dy) : tf.mul(dy, alpha)), null];
    }
    return [tf.engine().runKernel(FusedKernel.LeakyReluGrad, { dy, x: signOf }, attrs) as tf.Tensor, null];
  },
});

const HARDTANH = signature('F.hardtanh', [
  ['minVal', float().default(-1)],
  ['maxVal', float().default(1)],
  ['inplace', inplaceArg()],
]);

/** torch's check of `nn.Hardtanh`'s bounds (`F.hardtanh` takes any, as torch). */
export function checkHardtanhBounds(minVal: number, maxVal: number, where: string): void {
  if (!(maxVal > minVal)) {
    throw new ValueError(`${where}: max_val must be greater than min_val (got minVal=${minVal}, maxVal=${maxVal})`);
  }
}

const Hardtanh = pointwise(
  'Hardtanh',
  (x, lo: number, hi: number) => tf.minimum(tf.maximum(x, lo), hi),
  // torch: no gradient at (or beyond) either bound
  (x, _y, lo: number, hi: number) => ind(tf.logicalAnd(tf.greater(x, lo), tf.less(x, hi))),
);

/**
 * `x` clamped to `[minVal, maxVal]` (torch's `F.hardtanh`); gradient 0 at the bounds, as torch.
 * Mirrors [torch.nn.functional.hardtanh](https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardtanh.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `minVal?` (default `-1`), `maxVal?` (default `1`), `inplace?`.
 * @example
 * ```ts
 * F.hardtanh(x, -2, 2);
 * ```
 */
export function hardtanh(input: tf.Tensor, ...args: ArgsOf<typeof HARDTANH>): tf.Tensor {
  checkInput(input, 'F.hardtanh');
  const { minVal, maxVal } = HARDTANH.parse(args);
  return Hardtanh(input, minVal, maxVal);
}

const RELU6 = signature('F.relu6', [['inplace', inplaceArg()]]);

/**
 * `min(max(0, x), 6)` (torch's `F.relu6`); gradient 0 at 0 and 6, as torch.
 * Mirrors [torch.nn.functional.relu6](https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu6.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.relu6(tf.tensor([-1, 3, 7])); // [0, 3, 6]
 * ```
 */
export function relu6(input: tf.Tensor, ...args: ArgsOf<typeof RELU6>): tf.Tensor {
  checkInput(input, 'F.relu6');
  RELU6.parse(args);
  return Hardtanh(input, 0, 6);
}

const THRESHOLD = signature('F.threshold', [
  ['threshold', float({ allowInfinity: true })],
  ['value', float({ allowInfinity: true })],
  ['inplace', inplaceArg()],
]);

const Threshold = pointwise(
  'Threshold',
  (x, th: number, v: number) => tf.where(tf.greater(x, th), x, tf.fill(x.shape, v)),
  (x, _y, th: number) => ind(tf.greater(x, th)),
);

/**
 * `x` where `x > threshold`, else `value` (torch's `F.threshold`).
 * Mirrors [torch.nn.functional.threshold](https://pytorch.org/docs/1.13/generated/torch.nn.functional.threshold.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `threshold`, `value`, `inplace?`.
 * @example
 * ```ts
 * F.threshold(x, 0.1, 20);
 * ```
 */
export function threshold(input: tf.Tensor, ...args: ArgsOf<typeof THRESHOLD>): tf.Tensor {
  checkInput(input, 'F.threshold');
  const a = THRESHOLD.parse(args);
  return Threshold(input, a.threshold, a.value);
}

const RRELU = signature('F.rrelu', [
  ['lower', float().default(1 / 8)],
  ['upper', float().default(1 / 3)],
  ['training', bool().default(false)],
  ['inplace', inplaceArg()],
]);

const TimesNoise = defineFunction({
  name: 'RReLU',
  forward(ctx, x: tf.Tensor, noise: tf.Tensor) {
    ctx.saveForBackward(noise);
    return tf.mul(x, noise);
  },
  backward(ctx, dy: tf.Tensor) {
    return [tf.mul(dy, ctx.savedTensors[0]), null];
  },
});

/**
 * Randomized leaky ReLU (torch's `F.rrelu`): in training, each non-positive element is multiplied by a slope drawn
 * from U(lower, upper); otherwise the slope is `(lower + upper) / 2`.
 *
 * The slopes come from the library's generator (`torch.manualSeed`) as torch's CPU kernel draws them: one
 * `uniform_real_distribution<double>` draw (two 32-bit draws) per element `<= 0`, in order, so a seeded run gives
 * torch's output. (This reads the input's values on the CPU to know which elements draw.)
 *
 * Mirrors [torch.nn.functional.rrelu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.rrelu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `lower?` (`1/8`), `upper?` (`1/3`), `training?` (`false`), `inplace?`.
 * @example
 * ```ts
 * F.rrelu(x, 0.1, 0.3, true);
 * ```
 */
export function rrelu(input: tf.Tensor, ...args: ArgsOf<typeof RRELU>): tf.Tensor {
  checkInput(input, 'F.rrelu');
  const { lower, upper, training } = RRELU.parse(args);
  if (!(lower <= upper)) {
    throw new ValueError(
      `F.rrelu: lower bound should be less than or equal to the upper bound (got lower=${lower}, upper=${upper})`,
    );
  }
  if (!training) return leakyRelu(input, (lower + upper) / 2);
  const x = input.dataSync();
  const noise = new Float32Array(x.length);
  // torch: uniform_real_distribution<double>(lower, upper) with the bounds as float32 (opmath), cast to float32
  const lo = Math.fround(lower);
  const range = Math.fround(upper) - lo;
  for (let i = 0; i < x.length; i++) noise[i] = x[i] <= 0 ? defaultGenerator.random53() * range + lo : 1;
  const n = tf.tensor(noise, input.shape, 'float32');
  try {
    return TimesNoise(input, n);
  } finally {
    n.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shrinks and soft functions

const HARDSHRINK = signature('F.hardshrink', [['lambd', float().default(0.5)]]);

/** `1` outside `[-lambd, lambd]`, where both shrinks pass the gradient. */
const outside = (x: tf.Tensor, l: number) => ind(tf.logicalOr(tf.less(x, -l), tf.greater(x, l)));

const Hardshrink = pointwise(
  'Hardshrink',
  (x, l: number) => tf.mul(x, outside(x, l)),
  (x, _y, l: number) => outside(x, l),
);

/**
 * `x` outside `[-lambd, lambd]`, else 0 (torch's `F.hardshrink`).
 * Mirrors [torch.nn.functional.hardshrink](https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `lambd?` (default `0.5`).
 * @example
 * ```ts
 * F.hardshrink(x, 0.3);
 * ```
 */
export function hardshrink(input: tf.Tensor, ...args: ArgsOf<typeof HARDSHRINK>): tf.Tensor {
  checkInput(input, 'F.hardshrink');
  const { lambd } = HARDSHRINK.parse(args);
  return Hardshrink(input, lambd);
}

const SOFTSHRINK = signature('F.softshrink', [['lambd', float({ min: 0 }).default(0.5)]]);

const Softshrink = pointwise(
  'Softshrink',
  (x, l: number) => tf.mul(tf.sub(x, tf.mul(tf.sign(x), l)), outside(x, l)),
  (x, _y, l: number) => outside(x, l),
);

/**
 * `x - lambd` above `lambd`, `x + lambd` below `-lambd`, else 0 (torch's `F.softshrink`).
 * Mirrors [torch.nn.functional.softshrink](https://pytorch.org/docs/1.13/generated/torch.nn.functional.softshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `lambd?` (default `0.5`, `>= 0`).
 * @example
 * ```ts
 * F.softshrink(x, 0.3);
 * ```
 */
export function softshrink(input: tf.Tensor, ...args: ArgsOf<typeof SOFTSHRINK>): tf.Tensor {
  checkInput(input, 'F.softshrink');
  const { lambd } = SOFTSHRINK.parse(args);
  return Softshrink(input, lambd);
}

const NO_ARGS = (where: string) => signature(where, []);
const TANHSHRINK = NO_ARGS('F.tanhshrink');

const Tanhshrink = pointwise(
  'Tanhshrink',
  (x) => tf.sub(x, tf.tanh(x)),
  (x) => tf.square(tf.tanh(x)),
);

/**
 * `x - tanh(x)` (torch's `F.tanhshrink`).
 * Mirrors [torch.nn.functional.tanhshrink](https://pytorch.org/docs/1.13/generated/torch.nn.functional.tanhshrink.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @example
 * ```ts
 * F.tanhshrink(x);
 * ```
 */
export function tanhshrink(input: tf.Tensor, ...args: ArgsOf<typeof TANHSHRINK>): tf.Tensor {
  checkInput(input, 'F.tanhshrink');
  TANHSHRINK.parse(args);
  return Tanhshrink(input);
}

const SOFTSIGN = NO_ARGS('F.softsign');

const Softsign = pointwise(
  'Softsign',
  (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  (x) => tf.reciprocal(tf.square(tf.add(tf.abs(x), 1))),
);

/**
 * `x / (1 + |x|)` (torch's `F.softsign`).
 * Mirrors [torch.nn.functional.softsign](https://pytorch.org/docs/1.13/generated/torch.nn.functional.softsign.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @example
 * ```ts
 * F.softsign(x);
 * ```
 */
export function softsign(input: tf.Tensor, ...args: ArgsOf<typeof SOFTSIGN>): tf.Tensor {
  checkInput(input, 'F.softsign');
  SOFTSIGN.parse(args);
  return Softsign(input);
}

const SOFTPLUS = signature('F.softplus', [
  ['beta', float().default(1)],
  ['threshold', float({ allowInfinity: true }).default(20)],
]);

const Softplus = pointwise(
  'Softplus',
  (x, beta: number, th: number) => {
    const bx = tf.mul(x, beta);
    return tf.where(tf.greater(bx, th), x, tf.div(tf.log1p(tf.exp(tf.minimum(bx, th))), beta));
  },
  (x, _y, beta: number, th: number) => {
    const bx = tf.mul(x, beta);
    return tf.where(tf.greater(bx, th), tf.onesLike(x), tf.sigmoid(bx));
  },
);

/**
 * `log(1 + exp(beta * x)) / beta`, or `x` where `beta * x > threshold` (torch's `F.softplus`).
 * Mirrors [torch.nn.functional.softplus](https://pytorch.org/docs/1.13/generated/torch.nn.functional.softplus.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `beta?` (default `1`), `threshold?` (default `20`).
 * @example
 * ```ts
 * F.softplus(x, 2, 10);
 * ```
 */
export function softplus(input: tf.Tensor, ...args: ArgsOf<typeof SOFTPLUS>): tf.Tensor {
  checkInput(input, 'F.softplus');
  const { beta, threshold: th } = SOFTPLUS.parse(args);
  return Softplus(input, beta, th);
}

const LOGSIGMOID = NO_ARGS('F.logsigmoid');

const LogSigmoid = pointwise(
  'LogSigmoid',
  (x) => tf.neg(tf.softplus(tf.neg(x))),
  (x) => tf.sigmoid(tf.neg(x)),
);

/**
 * `log(sigmoid(x))`, computed stably (torch's `F.logsigmoid`).
 * Mirrors [torch.nn.functional.logsigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.functional.logsigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @example
 * ```ts
 * F.logsigmoid(x);
 * ```
 */
export function logsigmoid(input: tf.Tensor, ...args: ArgsOf<typeof LOGSIGMOID>): tf.Tensor {
  checkInput(input, 'F.logsigmoid');
  LOGSIGMOID.parse(args);
  return LogSigmoid(input);
}

const TANH = NO_ARGS('F.tanh');

/**
 * Hyperbolic tangent elementwise (torch's `F.tanh`).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @example
 * ```ts
 * F.tanh(tf.tensor([0])); // [0]
 * ```
 */
export function tanh(input: tf.Tensor, ...args: ArgsOf<typeof TANH>): tf.Tensor {
  checkInput(input, 'F.tanh');
  TANH.parse(args);
  return tf.tanh(input);
}

const SIGMOID = NO_ARGS('F.sigmoid');

/**
 * Logistic sigmoid `1 / (1 + exp(-x))` elementwise (torch's `F.sigmoid`).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @example
 * ```ts
 * F.sigmoid(tf.tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(input: tf.Tensor, ...args: ArgsOf<typeof SIGMOID>): tf.Tensor {
  checkInput(input, 'F.sigmoid');
  SIGMOID.parse(args);
  return tf.sigmoid(input);
}

// ---------------------------------------------------------------------------------------------------------------
// Learnable slope

const PRELU = signature('F.prelu', [['weight', tensor(['float32'])]]);

/** `x > 0 ? x : w * x` with `w` broadcast along dim 1; torch's prelu backward (`w` at 0). */
const Prelu = defineFunction({
  name: 'Prelu',
  forward(ctx, x: tf.Tensor, w: tf.Tensor) {
    const wb = x.rank >= 2 && w.size > 1 ? tf.reshape(w, [w.size, ...Array(x.rank - 2).fill(1)]) : tf.reshape(w, []);
    ctx.wShape = w.shape;
    ctx.saveForBackward(x, wb);
    return tf.where(tf.greater(x, 0), x, tf.mul(x, wb));
  },
  backward(ctx, dy: tf.Tensor) {
    const [x, wb] = ctx.savedTensors;
    const pos = tf.greater(x, 0);
    const dx = ctx.needsInputGrad[0] ? tf.where(pos, dy, tf.mul(dy, wb)) : null;
    let dw: tf.Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      const g = tf.where(pos, tf.zerosLike(x), tf.mul(x, dy));
      const perChannel = wb.rank > 0;
      const summed = perChannel ? tf.sum(g, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)]) : tf.sum(g);
      dw = tf.reshape(summed, ctx.wShape as number[]);
    }
    return [dx, dw];
  },
});

/**
 * Parametric ReLU `x > 0 ? x : weight * x` (torch's `F.prelu`): `weight` has one element, or one per channel
 * (dim 1 of the input).
 * Mirrors [torch.nn.functional.prelu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.prelu.html).
 *
 * Shape: input `[N, C, *]` (or any with a one-element weight); weight `[1]` or `[C]`; output as the input.
 * @param input the tensor.
 * @param args `weight`.
 * @example
 * ```ts
 * F.prelu(x, tf.tensor([0.25]));
 * ```
 */
export function prelu(input: tf.Tensor, ...args: ArgsOf<typeof PRELU>): tf.Tensor {
  checkInput(input, 'F.prelu');
  const { weight } = PRELU.parse(args);
  if (weight.rank > 1) {
    throw new ShapeError(`F.prelu: weight must be 0-D or 1-D, got shape ${formatShape(weight.shape)}`);
  }
  if (weight.size !== 1) {
    if (input.rank === 0) throw new ShapeError('F.prelu: Not allow zero-dim input tensor.');
    const channels = input.rank > 1 ? input.shape[1] : 1;
    if (channels !== weight.size) {
      throw new ShapeError(
        `F.prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.size} and channel size = ${channels} (input shape ${formatShape(input.shape)}).`,
      );
    }
  }
  return Prelu(input, weight);
}
