import * as tf from '@tensorflow/tfjs-core';

import { type ArgsOf, bool, describeValue, signature, tensor } from '../args';
import { ArgumentTypeError, formatShape, ShapeError, ValueError } from '../errors';

let nextParameterId = 0;

const PARAMETER = signature('Parameter', [
  ['data', tensor()],
  ['requiresGrad', bool().default(true)],
]);

/**
 * Checks a gradient assigned to `leaf` as torch's `t.grad = g` does (a tensor or null, live, float32, the
 * leaf's shape) and returns it.
 * @internal
 */
export function checkAssignedGrad(leaf: tf.Tensor, grad: unknown, where: string): tf.Tensor | null {
  if (grad === null) return null;
  if (!(grad instanceof tf.Tensor)) {
    throw new ArgumentTypeError(
      `${where}: assigned grad expected to be a Tensor or null but got ${describeValue(grad)}`,
    );
  }
  if (grad.isDisposed) throw new ValueError(`${where}: the assigned grad is a tensor that was disposed`);
  if (grad === leaf) throw new ValueError(`${where}: can't assign a tensor as its own grad`);
  if (grad.dtype !== leaf.dtype) {
    throw new ShapeError(
      `${where}: assigned grad has data of a different type (${grad.dtype}, expected ${leaf.dtype})`,
    );
  }
  if (!tf.util.arraysEqual(grad.shape, leaf.shape)) {
    throw new ShapeError(
      `${where}: assigned grad has data of a different size (${formatShape(grad.shape)}, expected ${formatShape(leaf.shape)})`,
    );
  }
  return grad;
}

/**
 * A trainable tensor: torch's `nn.Parameter`, as a tfjs `Variable`.
 *
 * Mirrors [torch.nn.parameter.Parameter](https://pytorch.org/docs/1.13/generated/torch.nn.parameter.Parameter.html).
 * Optimizers write it in place (`assign`), so a module's field and the optimizer always see the same
 * tensor. `backward()` accumulates into {@link Parameter.grad} exactly as torch does: gradients add up
 * until `zeroGrad()` resets them to `null`.
 *
 * @example
 * ```ts
 * const w = new Parameter(tf.zeros([3, 4]));
 * w.requiresGrad = false; // frozen: backward() leaves it alone
 * ```
 */
export class Parameter extends tf.Variable {
  /**
   * `x instanceof Parameter` holds only for real Parameters. (tf.Variable's static `Symbol.hasInstance`
   * is structural — anything with `assign` passes — and would be inherited: a plain tf.Variable must not
   * count as a Parameter.)
   * @param instance any value.
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return instance != null && typeof instance === 'object' && Parameter.prototype.isPrototypeOf(instance);
  }

  private gradValue: tf.Tensor | null = null;

  /**
   * @param args `data` (the initial value; copied, so the caller may dispose it), then `requiresGrad` (whether
   *   backward computes a gradient for it; default `true`), positionally or as options, as torch's
   *   `Parameter(data, requires_grad=True)`.
   */
  constructor(...args: ArgsOf<typeof PARAMETER>) {
    const { data, requiresGrad } = PARAMETER.parse(args);
    if (data.dtype !== 'float32') {
      throw new ArgumentTypeError(
        `Parameter(): only float32 tensors can be parameters (they require gradients), got a ${data.dtype} tensor`,
      );
    }
    // What tf.variable() does (engine.makeVariable), but constructing this subclass.
    const engine = tf.engine() as unknown as {
      nextTensorId(): number;
      incRef(t: tf.Tensor, backend: unknown): void;
      backend: unknown;
      state: { registeredVariables: Record<string, tf.Variable> };
    };
    const name = `tfjs_torch_parameter_${nextParameterId++}`;
    super(data, requiresGrad, name, engine.nextTensorId());
    engine.state.registeredVariables[name] = this;
    engine.incRef(this, engine.backend);
  }

  /**
   * Accumulated gradient, `null` until a backward pass reaches this parameter (torch's `.grad`). Assigning
   * it works as in torch: `p.grad = null` frees the old gradient; `p.grad = p.grad.mul(0.5)` (in a `tf.tidy`
   * or not) keeps the new tensor and frees the old one. The new one must be a live float32 tensor of the
   * parameter's shape.
   */
  override get grad(): tf.Tensor | null {
    return this.gradValue;
  }

  override set grad(value: tf.Tensor | null) {
    const grad = checkAssignedGrad(this, value, 'Parameter.grad');
    const old = this.gradValue;
    if (grad === old) return;
    if (grad) tf.keep(grad);
    this.gradValue = grad;
    if (old && !old.isDisposed) old.dispose();
  }

  /** Whether backward computes a gradient for this parameter (torch's `requires_grad`). Same as `trainable`. */
  override get requiresGrad(): boolean {
    return this.trainable;
  }

  override set requiresGrad(value: boolean) {
    this.trainable = value;
  }

  /** torch's `requires_grad_(mode)`: sets {@link requiresGrad} and returns this parameter. */
  override requiresGrad_(mode = true): this {
    this.trainable = mode;
    return this;
  }

  /** Disposes the value and the accumulated gradient. */
  override dispose(): void {
    if (this.gradValue) {
      this.gradValue.dispose();
      this.gradValue = null;
    }
    super.dispose();
  }
}
