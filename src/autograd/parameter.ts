import * as tf from '@tensorflow/tfjs-core';

let nextParameterId = 0;

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
   * @param data initial value; copied, so the caller may dispose it.
   * @param requiresGrad whether backward computes a gradient for it. Default: `true`.
   */
  constructor(data: tf.Tensor, requiresGrad = true) {
    // What tf.variable() does (engine.makeVariable), but constructing this subclass.
    const engine = tf.engine() as unknown as {
      nextTensorId(): number;
      incRef(t: tf.Tensor, backend: unknown): void;
      backend: unknown;
      state: { registeredVariables: Record<string, tf.Variable> };
    };
    if (!(data instanceof tf.Tensor)) {
      throw new TypeError(`Parameter: expected a tf.Tensor, got ${data === null ? 'null' : typeof data}`);
    }
    if (data.dtype !== 'float32') {
      throw new TypeError(`Parameter: only float32 tensors can require gradients, got dtype ${data.dtype}`);
    }
    const name = `tfjs_torch_parameter_${nextParameterId++}`;
    super(data, requiresGrad, name, engine.nextTensorId());
    engine.state.registeredVariables[name] = this;
    engine.incRef(this, engine.backend);
  }

  /** Accumulated gradient, `null` until a backward pass reaches this parameter (torch's `.grad`). */
  override get grad(): tf.Tensor | null {
    return this.gradValue;
  }

  override set grad(value: tf.Tensor | null) {
    this.gradValue = value;
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
