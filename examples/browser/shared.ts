// What the demo page, its training worker and the browser test page share: starting a backend, reading a generator
// from a checkpoint, drawing digits from seeded noise, and the embedded digits.
import * as tf from '@tensorflow/tfjs-core';
import {
  Generator,
  ImageDataset,
  ganModelsFromCheckpoint,
  initBackend,
  manualSeed,
  noGrad,
  parseCheckpoint,
  parseTorchFile,
  randn,
  toTfStateDict,
  type nn,
} from 'tfjs-torch';

/** Where the page serves tfjs-backend-wasm's `.wasm` files (vite.config.ts and the test server serve them there). */
export const WASM_PATHS = '/tfjs-wasm/';

/** Starts `name` (or the automatic choice) with the `.wasm` files served from {@link WASM_PATHS}. */
export async function startBackend(name?: string): Promise<string> {
  return initBackend(name || undefined, { wasmPaths: WASM_PATHS });
}

/**
 * A generator from a file: a trainGAN checkpoint (`npm run train`'s `out/checkpoint.pt`) or PyTorch's
 * `torch.save(netG.state_dict())` of the article's generator, parsed with the core's `parseTorchFile`.
 */
export function loadGenerator(bytes: Uint8Array): Generator {
  const top = parseTorchFile(bytes);
  if (top instanceof Map && top.has('netG')) return ganModelsFromCheckpoint(parseCheckpoint(bytes)).generator;
  const sd = toTfStateDict(top);
  try {
    const g = new Generator();
    g.loadStateDict(sd);
    return g;
  } finally {
    tf.dispose([...sd.values()]);
  }
}

/** `n` noise rows drawn from torch's generator seeded with `seed` (the same numbers as in Node and PyTorch). */
export function seededNoise(seed: number, n: number, zDim: number): tf.Tensor2D {
  manualSeed(seed);
  return randn([n, zDim]) as tf.Tensor2D;
}

/** Images in [-1, 1] (`[n, 1, H, W]`) as 8-bit gray pixels, `[n, H, W]` flattened: `round((x + 1) / 2 * 255)`. */
export function toPixels(images: tf.Tensor4D): { pixels: Uint8Array; size: number } {
  const bytes = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(images, 1), 127.5), 0, 255)), 'int32'));
  const pixels = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { pixels, size: images.shape[2] };
}

/** `G(noise)` in eval mode, without gradients, as 8-bit gray pixels (see {@link toPixels}). */
export function drawDigits(generator: nn.Module, noise: tf.Tensor): { pixels: Uint8Array; size: number } {
  const images = noGrad(() => {
    const was = generator.training;
    generator.eval();
    try {
      return tf.tidy(() => generator.forward(noise) as tf.Tensor4D);
    } finally {
      generator.train(was);
    }
  });
  try {
    return toPixels(images);
  } finally {
    images.dispose();
  }
}

/** Paints `n` gray images of `size`² pixels on `canvas` as a grid of `cols` columns, `scale` pixels per pixel. */
export function paintGrid(canvas: HTMLCanvasElement, pixels: Uint8Array, size: number, cols: number, scale = 3): void {
  const n = pixels.length / (size * size);
  const rows = Math.ceil(n / cols);
  const pad = 2;
  canvas.width = cols * (size * scale + pad) + pad;
  canvas.height = rows * (size * scale + pad) + pad;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#222';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(size * scale, size * scale);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < size * scale; y++) {
      for (let x = 0; x < size * scale; x++) {
        const v = pixels[k * size * size + Math.floor(y / scale) * size + Math.floor(x / scale)];
        const o = (y * size * scale + x) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
        img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, pad + (k % cols) * (size * scale + pad), pad + Math.floor(k / cols) * (size * scale + pad));
  }
}

/** The embedded digits (`/digits.bin`: 28×28 bytes each, the `mnist` package's, served as a static asset). */
export async function fetchDigits(url = '/digits.bin'): Promise<ImageDataset> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText} (npm run demo writes it)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return new ImageDataset(bytes, [bytes.length / 784, 1, 28, 28]);
}
