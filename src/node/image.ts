/**
 * Image output: torchvision's `make_grid` / `save_image` (0.14, the release paired with torch 1.13),
 * the article's `generate_images` 16×16 layout, and a loss-curve PNG drawn without a plotting library.
 * Every file is written atomically (see `./atomic`).
 * @module
 */
import { deflateSync } from 'node:zlib';

import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, ValueError } from '../errors';
import { crc32 } from '../io/zip';
import { writeFileAtomic } from './atomic';

/** Options of {@link makeGrid} and {@link saveImageGrid}, torchvision's keyword arguments in camelCase. */
export interface MakeGridOptions {
  /** Images per row; the grid is `ceil(B / nrow)` rows of `min(nrow, B)`. Default: `8`. */
  nrow?: number;
  /** Pixels of padding around and between images. Default: `2`. */
  padding?: number;
  /** Shift to [0, 1] by `valueRange`, or by the min and max of the data. Default: `false`. */
  normalize?: boolean;
  /** `[low, high]` used by `normalize` (values are clamped to it first). Default: the data's min and max. */
  valueRange?: [number, number];
  /** With `normalize`, scale every image by its own min and max. Default: `false`. */
  scaleEach?: boolean;
  /** Value of the padding pixels. Default: `0`. */
  padValue?: number;
}

type Batch = { data: Float32Array; shape: [number, number, number, number] };

/** torchvision's input handling: list → stack, `[H, W]` → 1 image, `[1, H, W]` → 3 channels, `[B, 1, H, W]` → 3 channels. */
function toBatch(values: ArrayLike<number>[], shapes: number[][], where: string): Batch {
  const shape = shapes[0];
  if (shapes.length > 1 && !shapes.every((s) => s.length === shape.length && s.every((d, i) => d === shape[i]))) {
    throw new ShapeError(
      `${where}: stack expects each tensor to be equal size, got ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`,
    );
  }
  let dims = shapes.length > 1 ? [shapes.length, ...shape] : [...shape];
  if (dims.length === 2) dims = [1, ...dims];
  if (dims.length === 3) dims = [1, ...dims];
  if (dims.length !== 4) {
    throw new ShapeError(
      `${where}: expected an image [H, W], [C, H, W] or a batch [B, C, H, W] (or a list of images), ` +
        `got shape [${shapes.length > 1 ? [shapes.length, ...shape].join(', ') : shape.join(', ')}]`,
    );
  }
  const [n, c, h, w] = dims;
  if (n === 0)
    throw new ShapeError(`${where}: expected at least one image, got a batch of 0 (shape [${dims.join(', ')}])`);
  const flat = new Float32Array(n * c * h * w);
  let o = 0;
  for (const v of values) {
    flat.set(v, o);
    o += v.length;
  }
  if (c !== 1) return { data: flat, shape: [n, c, h, w] };
  const plane = h * w;
  const rgb = new Float32Array(n * 3 * plane);
  for (let i = 0; i < n; i++) {
    const src = flat.subarray(i * plane, (i + 1) * plane);
    for (let k = 0; k < 3; k++) rgb.set(src, (i * 3 + k) * plane);
  }
  return { data: rgb, shape: [n, 3, h, w] };
}

/** torchvision's norm_ip in float32: clamp to [low, high], subtract low, divide by max(high - low, 1e-5). */
function normalizeRange(v: Float32Array, low: number, high: number): void {
  const lo = Math.fround(low);
  const hi = Math.fround(high);
  // torch divides a float32 tensor by a Python float in float32: by fround(scale), not by the double.
  const scale = Math.fround(Math.max(high - low, 1e-5));
  for (let i = 0; i < v.length; i++) {
    const x = Math.min(Math.max(v[i], lo), hi);
    v[i] = Math.fround(Math.fround(x - lo) / scale);
  }
}

function minMax(v: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  return [lo, hi];
}

function checkInt(v: number, name: string, min: number, where: string): void {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${where}: ${name} must be an integer >= ${min}, got ${v}`);
}

/** The whole of torchvision 0.14's `make_grid` on flat float32 data; returns `[C, H, W]` values. */
function gridValues(values: ArrayLike<number>[], shapes: number[][], opts: MakeGridOptions, where: string) {
  const { nrow = 8, padding = 2, normalize = false, valueRange, scaleEach = false, padValue = 0 } = opts;
  checkInt(nrow, 'nrow', 1, where);
  checkInt(padding, 'padding', 0, where);
  if (valueRange !== undefined && (!Array.isArray(valueRange) || valueRange.length !== 2)) {
    throw new ValueError(`${where}: valueRange has to be a pair [min, max], got ${JSON.stringify(valueRange)}`);
  }
  const { data, shape } = toBatch(values, shapes, where);
  const [n, c, h, w] = shape;
  if (normalize) {
    const norm = (v: Float32Array) => {
      const [lo, hi] = valueRange ?? minMax(v);
      normalizeRange(v, lo, hi);
    };
    if (scaleEach) for (let i = 0; i < n; i++) norm(data.subarray(i * c * h * w, (i + 1) * c * h * w));
    else norm(data);
  }
  if (n === 1) return { data, shape: [c, h, w] as [number, number, number] }; // torchvision: a single image gets no padding
  const xmaps = Math.min(nrow, n);
  const ymaps = Math.ceil(n / xmaps);
  const cellH = h + padding;
  const cellW = w + padding;
  const gh = cellH * ymaps + padding;
  const gw = cellW * xmaps + padding;
  const grid = new Float32Array(c * gh * gw).fill(padValue);
  for (let k = 0; k < n; k++) {
    const top = Math.floor(k / xmaps) * cellH + padding;
    const left = (k % xmaps) * cellW + padding;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const src = ((k * c + ch) * h + y) * w;
        grid.set(data.subarray(src, src + w), (ch * gh + top + y) * gw + left);
      }
    }
  }
  return { data: grid, shape: [c, gh, gw] as [number, number, number] };
}

function asList(tensor: tf.Tensor | tf.Tensor[], where: string): tf.Tensor[] {
  const list = Array.isArray(tensor) ? tensor : [tensor];
  if (list.length === 0)
    throw new ShapeError(`${where}: expected a tensor or a non-empty list of tensors, got an empty list`);
  list.forEach((t, i) => {
    if (!(t instanceof tf.Tensor))
      throw new ValueError(`${where}: tensor or list of tensors expected, got ${typeof t} at ${i}`);
  });
  return list;
}

/**
 * Arranges a batch of images in a grid, exactly as torchvision's
 * [`make_grid`](https://pytorch.org/vision/0.14/generated/torchvision.utils.make_grid.html).
 * Single-channel images are repeated to 3 channels; one image comes back unpadded.
 *
 * Shape: input `[B, C, H, W]`, `[C, H, W]`, `[H, W]` or a list of `[C, H, W]`; output `[C', H', W']` with
 * `C' = 3` if `C = 1` else `C`, `H' = ceil(B / nrow') * (H + padding) + padding`,
 * `W' = nrow' * (W + padding) + padding`, `nrow' = min(nrow, B)` (or `[C', H, W]` when `B = 1`).
 * @param tensor Images, any numeric dtype (computed in float32).
 * @param options `nrow` (8), `padding` (2), `normalize` (false), `valueRange` (data min/max), `scaleEach` (false), `padValue` (0).
 * @example
 * const grid = makeGrid(tf.rand([16, 1, 28, 28]), { nrow: 4 }); // [3, 122, 122]
 */
export function makeGrid(tensor: tf.Tensor | tf.Tensor[], options: MakeGridOptions = {}): tf.Tensor3D {
  const list = asList(tensor, 'makeGrid');
  const g = gridValues(
    list.map((t) => t.dataSync() as ArrayLike<number>),
    list.map((t) => t.shape),
    options,
    'makeGrid',
  );
  return tf.tensor3d(g.data, g.shape, 'float32');
}

/** Pixel bytes of an image, interleaved (`HWC`), as PNG encoders take them. */
export interface ImageBytesHWC {
  /** `height * width * channels` bytes, row by row, channels interleaved. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 2 | 3 | 4;
}

/** torchvision's `grid.mul(255).add_(0.5).clamp_(0, 255).to(uint8)` in float32, CHW floats to HWC bytes. */
function toBytesHWC(values: Float32Array, c: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * c);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < h * w; p++) {
      const v = Math.fround(Math.fround(values[ch * h * w + p] * 255) + 0.5);
      out[p * c + ch] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0; // NaN becomes 0
    }
  }
  return out;
}

/**
 * Encodes interleaved 8-bit pixels as a PNG (grayscale, gray+alpha, RGB or RGBA by `channels`).
 *
 * @param data `height * width * channels` bytes, row-major, channels interleaved.
 * @param width Image width in pixels.
 * @param height Image height in pixels.
 * @param channels 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA). Default: `3`.
 * @example
 * const png = encodePng(new Uint8Array(2 * 2 * 3).fill(255), 2, 2); // a white 2x2 RGB PNG
 */
export function encodePng(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): Buffer {
  const colorType = ({ 1: 0, 2: 4, 3: 2, 4: 6 } as const)[channels];
  if (colorType === undefined) throw new ValueError(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  checkInt(width, 'width', 1, 'encodePng');
  checkInt(height, 'height', 1, 'encodePng');
  if (data.length !== width * height * channels) {
    throw new ShapeError(
      `encodePng: ${width}x${height} with ${channels} channels needs ${width * height * channels} bytes, got ${data.length}`,
    );
  }
  // Each row is prefixed by its filter type (0: none), then the whole image is one zlib stream (PNG spec, ISO 15948).
  const row = width * channels;
  const raw = Buffer.alloc((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8); // bit depth 8, colour type, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: length, type, data, and the CRC-32 of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/**
 * Saves images as one PNG grid, exactly as torchvision's
 * [`save_image`](https://pytorch.org/vision/0.14/generated/torchvision.utils.save_image.html):
 * `make_grid`, then `mul(255).add_(0.5).clamp_(0, 255)` truncated to bytes (float32 throughout).
 * Like torchvision, single-channel images are written as RGB with equal channels; 4-channel
 * images as RGBA. The file is replaced atomically.
 *
 * Shape: as {@link makeGrid}; the PNG is the grid's `H' × W'`. C must be 1, 3 or 4 (PIL cannot write others).
 * @param tensor Images with values in [0, 1] (or set `normalize`).
 * @param path Output `.png` path; its directory must exist.
 * @param options `nrow` (8), `padding` (2), `normalize` (false), `valueRange`, `scaleEach` (false), `padValue` (0).
 * @example
 * await saveImageGrid(fake.mul(0.5).add(0.5), 'out/fake.png', { nrow: 16 });
 */
export async function saveImageGrid(
  tensor: tf.Tensor | tf.Tensor[],
  path: string,
  options: MakeGridOptions = {},
): Promise<void> {
  const list = asList(tensor, 'saveImageGrid');
  const values = await Promise.all(list.map((t) => t.data() as Promise<ArrayLike<number>>));
  const g = gridValues(
    values,
    list.map((t) => t.shape),
    options,
    'saveImageGrid',
  );
  const [c, h, w] = g.shape;
  if (c !== 3 && c !== 4) {
    throw new ShapeError(
      `saveImageGrid: can write 1-, 3- or 4-channel images, got ${c} channels (shape [${list[0].shape.join(', ')}])`,
    );
  }
  await writeFileAtomic(path, encodePng(toBytesHWC(g.data, c, h, w), w, h, c as 3 | 4));
}

/** Options of {@link makeArticleGrid} and {@link saveArticleGrid}. */
export interface ArticleGridOptions {
  /** Rows of images. Default: `16`. */
  rows?: number;
  /** Images per row. Default: `16`. */
  cols?: number;
  /** Blank pixels after each image (right and below). Default: `2`. */
  spacing?: number;
}

function articleGridValues(data: ArrayLike<number>, shape: number[], opts: ArticleGridOptions, where: string) {
  const { rows = 16, cols = 16, spacing = 2 } = opts;
  checkInt(rows, 'rows', 1, where);
  checkInt(cols, 'cols', 1, where);
  checkInt(spacing, 'spacing', 0, where);
  let n: number;
  let h: number;
  let w: number;
  if (shape.length === 4 && shape[1] === 1) [n, , h, w] = shape;
  else if (shape.length === 3) [n, h, w] = shape;
  else if (shape.length === 2 && Number.isInteger(Math.sqrt(shape[1])))
    [n, h, w] = [shape[0], Math.sqrt(shape[1]), Math.sqrt(shape[1])];
  else {
    throw new ShapeError(
      `${where}: expected single-channel images [N, 1, H, W], [N, H, W] or flat square [N, H*W], got shape [${shape.join(', ')}]`,
    );
  }
  if (n > rows * cols)
    throw new ShapeError(`${where}: ${n} images do not fit a ${rows}x${cols} grid (at most ${rows * cols})`);
  const sh = h + spacing;
  const sw = w + spacing;
  const gw = sw * cols;
  const grid = new Float32Array(sh * rows * gw); // np.zeros: the spacing stays 0 (black)
  for (let k = 0; k < n; k++) {
    const top = Math.floor(k / cols) * sh;
    const left = (k % cols) * sw;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // g_imgs / 2 + 0.5 on a float32 array: both steps in float32.
        grid[(top + y) * gw + left + x] = Math.fround(Math.fround(data[(k * h + y) * w + x] / 2) + 0.5);
      }
    }
  }
  return { data: grid, shape: [sh * rows, gw] as [number, number] };
}

/**
 * The article's `generate_images` canvas: tanh outputs mapped by `x / 2 + 0.5`, laid out
 * `rows × cols` with each image at the top-left of an `(H + spacing) × (W + spacing)` cell on a zero
 * background (`matrix_image`). Cells past the last image stay 0.
 *
 * Shape: input `[N, 1, H, W]`, `[N, H, W]` or `[N, H*W]` (square) with `N ≤ rows * cols`;
 * output `[rows * (H + spacing), cols * (W + spacing)]`.
 * @param images Generator outputs in [-1, 1].
 * @param options `rows` (16), `cols` (16), `spacing` (2).
 * @example
 * makeArticleGrid(generator.forward(noise)).shape; // [480, 480] for 256 images of 28x28
 */
export function makeArticleGrid(images: tf.Tensor, options: ArticleGridOptions = {}): tf.Tensor2D {
  const g = articleGridValues(images.dataSync() as ArrayLike<number>, images.shape, options, 'makeArticleGrid');
  return tf.tensor2d(g.data, g.shape, 'float32');
}

/**
 * Saves generated digits the way the article shows them (`generate_images`: 16×16 grid, 2-pixel
 * spacing, `x / 2 + 0.5`), as a grayscale PNG. Where the article's `plt.imshow(cmap='Greys_r')`
 * stretches the canvas's own min..max to black..white, the PNG maps [0, 1] to 0..255 with
 * torchvision's rounding (values outside are clipped), so images from different steps compare.
 *
 * Shape: as {@link makeArticleGrid}; the PNG is `rows * (H + spacing)` high, `cols * (W + spacing)` wide.
 * @param images Generator outputs in [-1, 1] (`[N, 1, H, W]`, N ≤ rows * cols).
 * @param path Output `.png` path; replaced atomically.
 * @param options `rows` (16), `cols` (16), `spacing` (2).
 * @example
 * await saveArticleGrid(generator.forward(tf.randomNormal([256, 100])), `out/step-${i}.png`);
 */
export async function saveArticleGrid(
  images: tf.Tensor,
  path: string,
  options: ArticleGridOptions = {},
): Promise<void> {
  const g = articleGridValues((await images.data()) as ArrayLike<number>, images.shape, options, 'saveArticleGrid');
  const [h, w] = g.shape;
  await writeFileAtomic(path, encodePng(toBytesHWC(g.data, 1, h, w), w, h, 1));
}

// ---------------------------------------------------------------------------------------------
// Loss curves
// ---------------------------------------------------------------------------------------------

/**
 * Training history for {@link saveLossPlot}: either one array per series
 * (`{ lossD: [...], lossG: [...], dX: [...], dGz: [...] }`) or one record per step
 * (`[{ lossD, lossG, dX, dGz }, ...]`). Series named like discriminator outputs (`dX`, `dGz`, `dGz1`,
 * `dGz2`, `d_x`, `d_g_z1`, `d_g_z2`) go to a second panel with a [0, 1] axis; `step`, `epoch`, `iter`
 * and `time` are ignored; every other numeric series is a loss in the first panel.
 */
export type LossHistory = Record<string, ArrayLike<number>> | Array<Record<string, number>>;

/** Options of {@link renderLossPlot} and {@link saveLossPlot}. */
export interface LossPlotOptions {
  /** Image width in pixels. Default: `640`. */
  width?: number;
  /** Image height in pixels. Default: `480` (`320` when there is no second panel). */
  height?: number;
}

const PROB_KEYS = new Set(['dX', 'dGz', 'dGz1', 'dGz2', 'd_x', 'd_g_z1', 'd_g_z2', 'D(x)', 'D(G(z))']);
const SKIP_KEYS = new Set(['step', 'epoch', 'iter', 'iteration', 'time', 'i']);
const FIXED_COLORS: Record<string, [number, number, number]> = {
  lossD: [31, 119, 180],
  d_loss: [31, 119, 180],
  lossG: [255, 127, 14],
  g_loss: [255, 127, 14],
  dX: [44, 160, 44],
  d_x: [44, 160, 44],
  dGz: [214, 39, 40],
  dGz1: [214, 39, 40],
  d_g_z1: [214, 39, 40],
  dGz2: [148, 103, 189],
  d_g_z2: [148, 103, 189],
};
const PALETTE: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
];
const LABELS: Record<string, string> = {
  lossD: 'LOSS D',
  lossG: 'LOSS G',
  dX: 'D(X)',
  dGz: 'D(G(Z))',
  dGz1: 'D(G(Z)) 1',
  dGz2: 'D(G(Z)) 2',
};

// A 3x5 pixel font (rows top to bottom, '1' = ink) for tick values and legend names.
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001010010',
  '8': '111101111101111',
  '9': '111101111001111',
  '.': '000000000000010',
  '-': '000000111000000',
  '+': '000010111010000',
  '(': '010100100100010',
  ')': '010001001001010',
  _: '000000000000111',
  ':': '000010000010000',
  '/': '001001010100100',
  ' ': '000000000000000',
  A: '010101111101101',
  B: '110101110101110',
  C: '011100100100011',
  D: '110101101101110',
  E: '111100110100111',
  F: '111100110100100',
  G: '011100101101011',
  H: '101101111101101',
  I: '111010010010111',
  J: '001001001101010',
  K: '101101110101101',
  L: '100100100100111',
  M: '101111111101101',
  N: '110101101101101',
  O: '010101101101010',
  P: '110101110100100',
  Q: '010101101110011',
  R: '110101110101101',
  S: '011100010001110',
  T: '111010010010010',
  U: '101101101101111',
  V: '101101101101010',
  W: '101101111111101',
  X: '101101010101101',
  Y: '101101010010010',
  Z: '111001010100111',
};

class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, [r, g, b]: [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = r;
    this.data[o + 1] = g;
    this.data[o + 2] = b;
  }
  rect(x0: number, y0: number, x1: number, y1: number, c: [number, number, number]): void {
    for (let y = Math.round(y0); y <= Math.round(y1); y++)
      for (let x = Math.round(x0); x <= Math.round(x1); x++) this.set(x, y, c);
  }
  /** Bresenham, `thick` pixels wide (a square brush). */
  line(x0: number, y0: number, x1: number, y1: number, c: [number, number, number], thick = 1): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      for (let a = 0; a < thick; a++) for (let b = 0; b < thick; b++) this.set(x0 + a, y0 + b, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
  text(s: string, x: number, y: number, c: [number, number, number], scale = 2): void {
    for (const ch of s.toUpperCase()) {
      const g = GLYPHS[ch] ?? GLYPHS[' '];
      for (let i = 0; i < 15; i++)
        if (g[i] === '1')
          this.rect(
            x + (i % 3) * scale,
            y + Math.floor(i / 3) * scale,
            x + (i % 3) * scale + scale - 1,
            y + Math.floor(i / 3) * scale + scale - 1,
            c,
          );
      x += 4 * scale;
    }
  }
}

const textWidth = (s: string, scale = 2) => s.length * 4 * scale - scale;

/** Ticks 1, 2 or 5 times a power of ten apart, about `target` intervals; `outer` widens to enclose [lo, hi]. */
function niceTicks(lo: number, hi: number, target = 5, outer = false): number[] {
  const raw = (hi - lo) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const first = (outer ? Math.floor(lo / step + 1e-9) : Math.ceil(lo / step - 1e-9)) * step;
  const last = (outer ? Math.ceil(hi / step - 1e-9) : Math.floor(hi / step + 1e-9)) * step;
  const ticks: number[] = [];
  for (let k = 0; first + k * step <= last + step * 1e-9; k++) ticks.push(Number((first + k * step).toPrecision(12)));
  return ticks;
}

const fmt = (v: number) => String(Number(v.toPrecision(4))).toUpperCase();

type Series = { name: string; values: Float64Array; color: [number, number, number] };

function collectSeries(history: LossHistory): { losses: Series[]; probs: Series[] } {
  const columns = new Map<string, number[]>();
  if (Array.isArray(history)) {
    history.forEach((rec, i) => {
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v !== 'number') continue;
        if (!columns.has(k)) columns.set(k, new Array(history.length).fill(NaN));
        columns.get(k)![i] = v;
      }
    });
  } else {
    for (const [k, v] of Object.entries(history))
      if (v && typeof v.length === 'number') columns.set(k, Array.from(v, Number));
  }
  const losses: Series[] = [];
  const probs: Series[] = [];
  for (const [name, values] of columns) {
    if (SKIP_KEYS.has(name)) continue;
    const list = PROB_KEYS.has(name) ? probs : losses;
    const color = FIXED_COLORS[name] ?? PALETTE[(losses.length + probs.length) % PALETTE.length];
    list.push({ name, values: Float64Array.from(values), color });
  }
  return { losses, probs };
}

function drawPanel(
  cv: Canvas,
  series: Series[],
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  fixed: [number, number] | null,
): void {
  const black: [number, number, number] = [0, 0, 0];
  const grey: [number, number, number] = [225, 225, 225];
  const n = Math.max(...series.map((s) => s.values.length));
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s.values)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  if (fixed) [lo, hi] = [Math.min(fixed[0], lo), Math.max(fixed[1], hi)];
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const yt = niceTicks(lo, hi, 5, true);
  lo = Math.min(lo, yt[0]);
  hi = Math.max(hi, yt[yt.length - 1]);
  const xmax = Math.max(n - 1, 1);
  const px = (i: number) => x0 + (i / xmax) * (x1 - x0);
  const py = (v: number) => y1 - ((v - lo) / (hi - lo)) * (y1 - y0);
  for (const t of yt) {
    cv.line(x0, py(t), x1, py(t), grey);
    cv.line(x0 - 4, py(t), x0, py(t), black);
    const s = fmt(t);
    cv.text(s, x0 - 7 - textWidth(s), py(t) - 5, black);
  }
  for (const t of niceTicks(0, xmax, 6)) {
    cv.line(px(t), y1, px(t), y1 + 4, black);
    const s = fmt(t);
    cv.text(s, px(t) - textWidth(s) / 2, y1 + 7, black);
  }
  for (const s of series) {
    let prev: [number, number] | null = null;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) {
        prev = null;
        continue;
      }
      const p: [number, number] = [px(i), py(v)];
      if (prev) cv.line(prev[0], prev[1], p[0], p[1], s.color, 2);
      else cv.rect(p[0], p[1], p[0] + 1, p[1] + 1, s.color);
      prev = p;
    }
  }
  cv.line(x0, y0, x0, y1, black);
  cv.line(x0, y1, x1, y1, black);
  // Legend above the panel: a coloured swatch and the series name.
  let lx = x0;
  for (const s of series) {
    cv.rect(lx, y0 - 16, lx + 11, y0 - 6, s.color);
    const label = LABELS[s.name] ?? s.name;
    cv.text(label, lx + 16, y0 - 16, black);
    lx += 16 + textWidth(label) + 20;
  }
}

/**
 * Draws the loss curves (and, when present, D(x) and D(G(z)) on their own [0, 1] panel) into an RGB
 * raster: white background, axes with 1-2-5 ticks and values, light grid lines, one colour per
 * series (D loss blue, G loss orange, D(x) green, D(G(z)) red) and a legend of swatches.
 * The x axis is the record index (training step).
 *
 * @param history See {@link LossHistory}.
 * @param options `width` (640), `height` (480, or 320 with one panel).
 * @example
 * const { data, width, height } = renderLossPlot({ lossD: [0.7, 0.5], lossG: [0.7, 1.2] });
 */
export function renderLossPlot(history: LossHistory, options: LossPlotOptions = {}): ImageBytesHWC {
  const { losses, probs } = collectSeries(history);
  if (losses.length + probs.length === 0) {
    throw new ValueError('renderLossPlot: history has no numeric series; expected e.g. { lossD: [...], lossG: [...] }');
  }
  const panels = [losses, probs].filter((p) => p.length > 0);
  const { width = 640, height = panels.length === 2 ? 480 : 320 } = options;
  checkInt(width, 'width', 160, 'renderLossPlot');
  checkInt(height, 'height', 120, 'renderLossPlot');
  const cv = new Canvas(width, height);
  const left = 64;
  const right = width - 16;
  const slot = height / panels.length;
  panels.forEach((series, k) => {
    const top = k * slot + 28;
    const bottom = (k + 1) * slot - 26;
    drawPanel(cv, series, left, top, right, bottom, series === probs ? [0, 1] : null);
  });
  return { data: cv.data, width, height, channels: 3 };
}

/**
 * Saves {@link renderLossPlot}'s chart as an RGB PNG, atomically.
 *
 * @param history See {@link LossHistory}.
 * @param path Output `.png` path; its directory must exist.
 * @param options `width` (640), `height` (480, or 320 with one panel).
 * @example
 * await saveLossPlot(history, 'out/losses.png'); // history: [{ lossD, lossG, dX, dGz }, ...]
 */
export async function saveLossPlot(history: LossHistory, path: string, options: LossPlotOptions = {}): Promise<void> {
  const { data, width, height } = renderLossPlot(history, options);
  await writeFileAtomic(path, encodePng(data, width, height, 3));
}
