/**
 * One training step of the reference article's DCGAN, the one `trainGAN` runs and `npm run bench` times.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue, isOptionsObject } from '../args';
import type { Parameter } from '../autograd/parameter';
import { backward, detach, noGrad } from '../autograd/tape';
import { ArgumentTypeError } from '../errors';
import { BCELoss } from '../nn/loss';
import { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';
import { randn } from '../tensor';

/** What a {@link GANStep} trains. */
export interface GANStepParts {
  /** The generator: `[batchSize, zDim]` noise to `[batchSize, C, H, W]` images. */
  generator: Module;
  /** The discriminator: images to probabilities `[batchSize]`. */
  discriminator: Module;
  /** G's optimizer (over `generator.parameters()`). */
  optimizerG: Optimizer<object>;
  /** D's optimizer (over `discriminator.parameters()`). */
  optimizerD: Optimizer<object>;
  /** Images per batch (the noise batches' size). */
  batchSize: number;
  /** Latent size. */
  zDim: number;
}

/**
 * The article's training step, in torch 1.13's order of random draws: D on a real batch with label 1, D on
 * `detach(G(z))` with label 0, `dLoss = (real + fake) * 0.5`, an optimizer step on D; then G on fresh noise
 * `z'` with label 1 through the updated D (D's parameters frozen while G's loss is differentiated: torch
 * computes and discards those gradients, the weights are the same), an optimizer step on G.
 *
 * Follows the article's PyTorch loop (the [DCGAN tutorial](https://pytorch.org/tutorials/beginner/dcgan_faces_tutorial.html)
 * has the same structure). `run` is one `tf.tidy`: only the five numbers it returns outlive it.
 *
 * @example
 * ```ts
 * const step = new GANStep({ generator, discriminator, optimizerG, optimizerD, batchSize: 128, zDim: 100 });
 * const stats = step.run(() => data.nextBatch(128));
 * const [dLoss, gLoss] = await stats.data();
 * stats.dispose();
 * ```
 */
export class GANStep {
  /** Which network the step is training now (`'G'` after D's update); tells where a failure happened. */
  phase: 'D' | 'G' = 'D';
  private readonly criterion = new BCELoss();
  private readonly dParams: Parameter[];

  /** @param parts the models, their optimizers, the batch size and the latent size. */
  constructor(readonly parts: GANStepParts) {
    const p = (parts ?? {}) as Partial<GANStepParts>;
    const missing = (['generator', 'discriminator', 'optimizerG', 'optimizerD', 'batchSize', 'zDim'] as const).filter(
      (k) => p[k] === undefined,
    );
    if (
      !isOptionsObject(parts) ||
      missing.length > 0 ||
      !(p.generator instanceof Module && p.discriminator instanceof Module)
    ) {
      throw new ArgumentTypeError(
        `GANStep(): expected { generator, discriminator (Modules), optimizerG, optimizerD, batchSize, zDim }, got ${describeValue(parts)}` +
          (isOptionsObject(parts) && missing.length ? ` without ${missing.join(', ')}` : ''),
      );
    }
    this.dParams = parts.discriminator.parameters();
  }

  /**
   * Runs one step.
   * @param nextBatch returns the real batch `[batchSize, C, H, W]` (called once, first; disposed by the step).
   * @returns `[dLoss, gLoss, mean D(x), mean D(G(z)), mean D(G(z'))]` (the caller disposes it).
   */
  run(nextBatch: () => tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const { dLoss, dX, dGz1 } = this.stepD(nextBatch());
      const { gLoss, dGz2 } = this.stepG();
      return noGrad(() => tf.stack([dLoss, gLoss, tf.mean(dX), tf.mean(dGz1), tf.mean(dGz2)])) as tf.Tensor1D;
    });
  }

  /** D on the real batch (label 1) and on a detached fake batch (label 0), then D's optimizer step. */
  private stepD(real: tf.Tensor): { dLoss: tf.Tensor; dX: tf.Tensor; dGz1: tf.Tensor } {
    const { generator, discriminator, optimizerD, batchSize, zDim } = this.parts;
    this.phase = 'D';
    discriminator.zeroGrad();
    const dX = discriminator.forward(real) as tf.Tensor;
    const dLossReal = this.criterion.forward(dX, tf.onesLike(dX));
    // Detached, so D's loss does not reach G; generated under noGrad in its own tidy: nothing of G's
    // forward is recorded or kept while D trains (same numbers).
    const fake = noGrad(() => tf.tidy(() => generator.forward(randn([batchSize, zDim])) as tf.Tensor));
    const dGz1 = discriminator.forward(detach(fake)) as tf.Tensor;
    const dLossFake = this.criterion.forward(dGz1, tf.zerosLike(dGz1));
    const dLoss = tf.mul(tf.add(dLossReal, dLossFake), 0.5);
    backward(dLoss);
    optimizerD.step();
    return { dLoss, dX, dGz1 };
  }

  /** G on fresh noise through the updated D (label 1; D's parameters frozen), then G's optimizer step. */
  private stepG(): { gLoss: tf.Tensor; dGz2: tf.Tensor } {
    const { generator, discriminator, optimizerG, batchSize, zDim } = this.parts;
    this.phase = 'G';
    const fake = generator.forward(randn([batchSize, zDim])) as tf.Tensor;
    generator.zeroGrad();
    const frozen = this.dParams.map((p) => p.requiresGrad);
    for (const p of this.dParams) p.requiresGrad = false;
    let dGz2: tf.Tensor;
    let gLoss: tf.Tensor;
    try {
      dGz2 = discriminator.forward(fake) as tf.Tensor;
      gLoss = this.criterion.forward(dGz2, tf.onesLike(dGz2));
      backward(gLoss);
    } finally {
      this.dParams.forEach((p, i) => (p.requiresGrad = frozen[i]));
    }
    optimizerG.step();
    return { gLoss, dGz2 };
  }
}
