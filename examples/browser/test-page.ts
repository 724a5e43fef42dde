// The page scripts/test-browser.ts drives in Chromium: draws digits from the committed PyTorch checkpoint and trains
// the DCGAN for a few steps, on the backend asked for, and hands the numbers back for comparison with Node's.
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataset, trainGAN } from 'tfjs-torch';

import { drawDigits, fetchDigits, loadGenerator, paintGrid, seededNoise, startBackend } from './shared';

/** What the test calls through `page.evaluate`. */
export interface TestPage {
  draw(backend: string, seed: number, n: number): Promise<{ backend: string; pixels: number[]; numTensors: number }>;
  train(
    backend: string,
    seed: number,
    steps: number,
    batchSize: number,
    images: number,
  ): Promise<{ backend: string; dLoss: number[]; gLoss: number[]; numTensors: number[]; ms: number[] }>;
}

const status = document.getElementById('status')!;

const page: TestPage = {
  async draw(backend, seed, n) {
    const got = await startBackend(backend);
    const res = await fetch('/netG.pt');
    const generator = loadGenerator(new Uint8Array(await res.arrayBuffer()));
    const noise = seededNoise(seed, n, generator.zDim);
    const { pixels, size } = drawDigits(generator, noise);
    noise.dispose();
    tf.dispose(generator.parameters());
    paintGrid(document.getElementById('digits') as HTMLCanvasElement, pixels, size, 8);
    status.textContent = `backend ${got}: ${n} digits from seed ${seed}`;
    return { backend: got, pixels: Array.from(pixels), numTensors: tf.memory().numTensors };
  },
  async train(backend, seed, steps, batchSize, images) {
    const got = await startBackend(backend);
    const all = await fetchDigits();
    const data = new ImageDataset((all.images as Uint8Array).subarray(0, images * 784), [images, 1, 28, 28]);
    const numTensors: number[] = [];
    const ms: number[] = [];
    const result = await trainGAN({
      data,
      seed,
      steps,
      batchSize,
      onStep: (info) => {
        numTensors.push(tf.memory().numTensors);
        ms.push(info.ms);
        status.textContent = `backend ${got}: step ${info.step}, ${info.ms} ms`;
      },
    });
    result.optimizerG.dispose();
    result.optimizerD.dispose();
    tf.dispose([...result.generator.parameters(), ...result.discriminator.parameters()]);
    return { backend: got, dLoss: result.history.dLoss, gLoss: result.history.gLoss, numTensors, ms };
  },
};

(window as unknown as { tfjsTorchTest: TestPage }).tfjsTorchTest = page;
status.textContent = 'ready';
