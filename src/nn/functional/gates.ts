/**
 * Exponential units and gates (torch's `F.elu`, `F.celu`, `F.selu`, `F.gelu`, `F.silu`, `F.mish`, `F.hardsigmoid`,
 * `F.hardswish`): each one `defineFunction` op (through `pointwise`) with torch's derivative beside its forward.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { float, oneOf, signature, type ArgsOf } from '../../args';
import { checkInput, ind, inplaceArg, pointwise } from './activation';
// ---------------------------------------------------------------------------------------------------------------
// Exponential units

const ELU = signature('F.elu', [
  ['alpha', float().default(1)],
  ['inplace', inplaceArg()],
]);

/** `scale * (x > 0 ? x : alpha * (exp(x / inputScale⁻¹) - 1))`: torch's one `elu` kernel behind ELU, CELU and SELU. */
const Elu = pointwise(
  'Elu',
  (x, alpha: number, scale: number, inScale: number) => {
    const neg = tf.mul(tf.expm1(tf.mul(tf.minimum(x, 0), inScale)), alpha * scale);
    return tf.where(tf.greater(x, 0), scale === 1 ? x : tf.mul(x, scale), neg);
  },
  // torch's elu_backward: the x <= 0 branch at 0
  (x, _y, alpha: number, scale: number, inScale: number) =>
    tf.where(
      tf.greater(x, 0),
      tf.fill(x.shape, scale),
      tf.mul(tf.exp(tf.mul(tf.minimum(x, 0), inScale)), alpha * scale * inScale),
    ),
);

/**
 * Exponential linear unit `x > 0 ? x : alpha * (exp(x) - 1)` (torch's `F.elu`).
 * Mirrors [torch.nn.functional.elu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.elu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `alpha?` (default `1`), `inplace?`.
 * @example
 * ```ts
 * F.elu(x, 0.5);
 * ```
 */
export function elu(input: tf.Tensor, ...args: ArgsOf<typeof ELU>): tf.Tensor {
  checkInput(input, 'F.elu');
  const { alpha } = ELU.parse(args);
  return Elu(input, alpha, 1, 1);
}

const CELU = signature('F.celu', [
  [
    'alpha',
    float()
      .refine((a) => (a === 0 ? 'must not be 0 (ZeroDivisionError in torch)' : null))
      .default(1),
  ],
  ['inplace', inplaceArg()],
]);

/**
 * Continuously differentiable ELU `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))` (torch's `F.celu`).
 * Mirrors [torch.nn.functional.celu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.celu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `alpha?` (default `1`, not 0), `inplace?`.
 * @example
 * ```ts
 * F.celu(x, 2);
 * ```
 */
export function celu(input: tf.Tensor, ...args: ArgsOf<typeof CELU>): tf.Tensor {
  checkInput(input, 'F.celu');
  const { alpha } = CELU.parse(args);
  return Elu(input, alpha, 1, 1 / alpha);
}

/** SELU's `alpha` (torch's constant). */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
/** SELU's `scale` (torch's constant). */
export const SELU_SCALE = 1.0507009873554804934193349852946;

const SELU = signature('F.selu', [['inplace', inplaceArg()]]);

/**
 * Scaled ELU `scale * (x > 0 ? x : alpha * (exp(x) - 1))` with torch's constants (torch's `F.selu`).
 * Mirrors [torch.nn.functional.selu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.selu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.selu(x);
 * ```
 */
export function selu(input: tf.Tensor, ...args: ArgsOf<typeof SELU>): tf.Tensor {
  checkInput(input, 'F.selu');
  SELU.parse(args);
  return Elu(input, SELU_ALPHA, SELU_SCALE, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Smooth gates

const GELU = signature('F.gelu', [['approximate', oneOf(['none', 'tanh']).default('none')]]);

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_BETA = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;

const GeluErf = pointwise(
  'Gelu',
  (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1)),
  (x) =>
    tf.add(
      tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5),
      tf.mul(x, tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), INV_SQRT_2PI)),
    ),
);

const tanhInner = (x: tf.Tensor) => tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), GELU_KAPPA)), GELU_BETA));

const GeluTanh = pointwise(
  'GeluTanh',
  (x) => tf.mul(tf.mul(x, 0.5), tf.add(tanhInner(x), 1)),
  // torch's gelu_backward (approximate='tanh')
  (x) => {
    const t = tanhInner(x);
    const left = tf.mul(tf.add(t, 1), 0.5);
    const right = tf.mul(
      tf.mul(tf.mul(x, 0.5), tf.sub(1, tf.square(t))),
      tf.mul(tf.add(tf.mul(tf.square(x), 3 * GELU_KAPPA), 1), GELU_BETA),
    );
    return tf.add(left, right);
  },
);

/**
 * Gaussian error linear unit `x * Φ(x)` (torch's `F.gelu`), exact (`'none'`, with erf) or with torch's tanh
 * approximation (`'tanh'`).
 * Mirrors [torch.nn.functional.gelu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.gelu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `approximate?`: `'none'` (default) or `'tanh'`.
 * @example
 * ```ts
 * F.gelu(x, { approximate: 'tanh' });
 * ```
 */
export function gelu(input: tf.Tensor, ...args: ArgsOf<typeof GELU>): tf.Tensor {
  checkInput(input, 'F.gelu');
  const { approximate } = GELU.parse(args);
  return approximate === 'tanh' ? GeluTanh(input) : GeluErf(input);
}

const SILU = signature('F.silu', [['inplace', inplaceArg()]]);

const Silu = pointwise(
  'Silu',
  (x) => tf.mul(x, tf.sigmoid(x)),
  (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.add(tf.mul(x, tf.sub(1, s)), 1));
  },
);

/**
 * `x * sigmoid(x)` (torch's `F.silu`, "swish").
 * Mirrors [torch.nn.functional.silu](https://pytorch.org/docs/1.13/generated/torch.nn.functional.silu.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.silu(x);
 * ```
 */
export function silu(input: tf.Tensor, ...args: ArgsOf<typeof SILU>): tf.Tensor {
  checkInput(input, 'F.silu');
  SILU.parse(args);
  return Silu(input);
}

const MISH = signature('F.mish', [['inplace', inplaceArg()]]);

const Mish = pointwise(
  'Mish',
  (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  (x) => {
    const t = tf.tanh(tf.softplus(x));
    return tf.add(t, tf.mul(tf.mul(x, tf.sigmoid(x)), tf.sub(1, tf.square(t))));
  },
);

/**
 * `x * tanh(softplus(x))` (torch's `F.mish`).
 * Mirrors [torch.nn.functional.mish](https://pytorch.org/docs/1.13/generated/torch.nn.functional.mish.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.mish(x);
 * ```
 */
export function mish(input: tf.Tensor, ...args: ArgsOf<typeof MISH>): tf.Tensor {
  checkInput(input, 'F.mish');
  MISH.parse(args);
  return Mish(input);
}

const HARDSIGMOID = signature('F.hardsigmoid', [['inplace', inplaceArg()]]);

const Hardsigmoid = pointwise(
  'Hardsigmoid',
  (x) => tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6),
  (x) => tf.div(ind(tf.logicalAnd(tf.greater(x, -3), tf.less(x, 3))), 6),
);

/**
 * `relu6(x + 3) / 6` (torch's `F.hardsigmoid`); gradient `1/6` strictly inside (-3, 3), as torch.
 * Mirrors [torch.nn.functional.hardsigmoid](https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardsigmoid.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.hardsigmoid(x);
 * ```
 */
export function hardsigmoid(input: tf.Tensor, ...args: ArgsOf<typeof HARDSIGMOID>): tf.Tensor {
  checkInput(input, 'F.hardsigmoid');
  HARDSIGMOID.parse(args);
  return Hardsigmoid(input);
}

const HARDSWISH = signature('F.hardswish', [['inplace', inplaceArg()]]);

const Hardswish = pointwise(
  'Hardswish',
  (x) => tf.mul(x, tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6)),
  // torch's vectorised kernel: 0 below -3, x/3 + 1/2 on [-3, 3), 1 from 3 on
  (x) => tf.where(tf.less(x, -3), tf.zerosLike(x), tf.where(tf.less(x, 3), tf.add(tf.div(x, 3), 0.5), tf.onesLike(x))),
);

/**
 * `x * relu6(x + 3) / 6` (torch's `F.hardswish`); gradient `x/3 + 1/2` on `[-3, 3)` and 1 from 3 on, as torch's
 * vectorised CPU kernel (its scalar loop, which takes the last `numel % 16` elements, gives 1.5 at exactly 3).
 * Mirrors [torch.nn.functional.hardswish](https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardswish.html).
 *
 * Shape: any; output has the input's shape.
 * @param input the tensor.
 * @param args `inplace?`.
 * @example
 * ```ts
 * F.hardswish(x);
 * ```
 */
export function hardswish(input: tf.Tensor, ...args: ArgsOf<typeof HARDSWISH>): tf.Tensor {
  checkInput(input, 'F.hardswish');
  HARDSWISH.parse(args);
  return Hardswish(input);
}
