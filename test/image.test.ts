// Image output: makeGrid / saveImageGrid against torchvision 0.14's make_grid / save_image
// (scripts/fixtures/image.py), the article's generate_images canvas, loss plots, atomic writes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

import { ShapeError, ValueError } from '../src/errors';
import { writeFileAtomic, writeFileAtomicSync } from '../src/node/atomic';
import {
  encodePng,
  makeArticleGrid,
  makeGrid,
  renderLossPlot,
  saveArticleGrid,
  saveImageGrid,
  saveLossPlot,
} from '../src/node/image';
import type { MakeGridOptions } from '../src/node/image';
import { loadMnist } from '../src/node/mnist';
import { expectClose, fixtureData, loadFixture, toTensor } from './helpers';
import type { FixtureTensor } from './helpers';

const { PNG } = pngjs;
const fx = loadFixture('image');
const out = mkdtempSync(join(tmpdir(), 'tfjs-torch-image-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Decodes a PNG file into `{ width, height, channels, pixels }` (pixels HWC as in the PNG). */
function readPng(path: string) {
  const png = PNG.sync.read(readFileSync(path), { skipRescale: true });
  const meta = png as unknown as { colorType: number; width: number; height: number };
  const channels = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[meta.colorType];
  // pngjs always hands back RGBA; keep the file's own channels.
  const pixels = new Uint8Array(png.width * png.height * channels);
  for (let p = 0; p < png.width * png.height; p++) {
    for (let c = 0; c < channels; c++) {
      pixels[p * channels + c] =
        channels === 1 ? png.data[p * 4] : channels === 2 ? png.data[p * 4 + (c ? 3 : 0)] : png.data[p * 4 + c];
    }
  }
  return { width: png.width, height: png.height, channels, colorType: meta.colorType, pixels };
}

const gridCases = fx.cases.filter((c) => c.kind === 'grid');
const articleCases = fx.cases.filter((c) => c.kind === 'article');
const input = (c: Record<string, any>) => (c.inputs ? (c.inputs as FixtureTensor[]).map(toTensor) : toTensor(c.input));

describe('makeGrid / saveImageGrid = torchvision make_grid / save_image', () => {
  it.each(gridCases.map((c) => [c.name, c]))('%s', async (name, c) => {
    const x = input(c);
    const grid = makeGrid(x, c.options as MakeGridOptions);
    expectClose(grid, c.grid, `${name}: grid`, { rtol: 0, atol: 0 }); // float32 arithmetic replicated bit for bit
    const path = join(out, `grid-${gridCases.indexOf(c)}.png`);
    await saveImageGrid(x, path, c.options as MakeGridOptions);
    const png = readPng(path);
    const [h, w, ch] = c.pixels.shape;
    expect([png.height, png.width, png.channels]).toEqual([h, w, ch]);
    expect(png.colorType).toBe(c.mode === 'RGBA' ? 6 : 2);
    // Exact bytes: PIL's decode of torchvision's PNG.
    expect(Array.from(png.pixels)).toEqual(Array.from(fixtureData(c.pixels)));
  });

  it('rejects what torchvision cannot grid or PIL cannot write', async () => {
    expect(() => makeGrid(tf.zeros([0, 1, 2, 2]))).toThrow(/at least one image/);
    expect(() => makeGrid(tf.zeros([2, 1, 2, 2]), { nrow: 0 })).toThrow(ValueError);
    expect(() => makeGrid(tf.zeros([2, 1, 2, 2]), { padding: -1 })).toThrow(/padding must be an integer >= 0, got -1/);
    expect(() => makeGrid(tf.zeros([2]))).toThrow(/got shape \[2\]/);
    expect(() => makeGrid([tf.zeros([1, 2, 2]), tf.zeros([1, 3, 2])])).toThrow(
      /equal size, got \[1, 2, 2\], \[1, 3, 2\]/,
    );
    expect(() => makeGrid([])).toThrow(ShapeError);
    await expect(saveImageGrid(tf.zeros([2, 2, 3, 3]), join(out, 'two.png'))).rejects.toThrow(
      /1-, 3- or 4-channel images, got 2 channels/,
    );
    expect(existsSync(join(out, 'two.png'))).toBe(false);
  });
});

describe("the article's generate_images canvas", () => {
  it.each(articleCases.map((c) => [c.name, c]))('%s', async (name, c) => {
    const x = toTensor(c.input);
    expectClose(makeArticleGrid(x, c.options), c.canvas, `${name}: canvas`, { rtol: 0, atol: 0 });
    const path = join(out, `article-${articleCases.indexOf(c)}.png`);
    await saveArticleGrid(x, path, c.options);
    const png = readPng(path);
    expect([png.height, png.width, png.channels]).toEqual([...c.pixels.shape, 1]);
    expect(Array.from(png.pixels)).toEqual(Array.from(fixtureData(c.pixels)));
  });

  it('defaults to 16x16 with 2-pixel spacing; fewer images leave black cells; too many is an error', () => {
    const g = makeArticleGrid(tf.ones([3, 1, 28, 28]));
    expect(g.shape).toEqual([480, 480]);
    const v = g.dataSync();
    expect(v[0]).toBe(1);
    expect(v[28]).toBe(0); // spacing column after the first image
    expect(v[30 + 27]).toBe(1); // second image's last column
    expect(v[3 * 30]).toBe(0); // fourth cell: no image
    expect(makeArticleGrid(tf.zeros([4, 9]), { rows: 2, cols: 2 }).shape).toEqual([10, 10]);
    expect(() => makeArticleGrid(tf.zeros([257, 1, 2, 2]))).toThrow(/257 images do not fit a 16x16 grid/);
    expect(() => makeArticleGrid(tf.zeros([2, 3, 2, 2]))).toThrow(/single-channel images/);
  });

  it('writes a 16x16 grid of real MNIST digits (look at it: test output dir)', async () => {
    const { images } = loadMnist({ limit: 256 });
    const path = join(out, 'mnist-article.png');
    await saveArticleGrid(images, path);
    const png = readPng(path);
    expect([png.width, png.height, png.channels]).toEqual([480, 480, 1]);
    // Real digits: ink in the centre of cell (0,0), black spacing, nothing outside [0,255] by construction.
    const at = (y: number, x: number) => png.pixels[y * 480 + x];
    expect(at(28, 10)).toBe(0);
    let ink = 0;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) ink += at(y, x) > 128 ? 1 : 0;
    expect(ink).toBeGreaterThan(40);
    if (process.env.KEEP_IMAGES) writeFileSync(join(process.env.KEEP_IMAGES, 'mnist-article.png'), readFileSync(path));
    await saveImageGrid(images.slice([0, 0, 0, 0], [64, 1, 28, 28]), join(out, 'mnist-tv.png'), {
      normalize: true,
      valueRange: [-1, 1],
    });
    const tv = readPng(join(out, 'mnist-tv.png'));
    expect([tv.width, tv.height, tv.channels]).toEqual([8 * 30 + 2, 8 * 30 + 2, 3]);
    if (process.env.KEEP_IMAGES)
      writeFileSync(join(process.env.KEEP_IMAGES, 'mnist-tv.png'), readFileSync(join(out, 'mnist-tv.png')));
    images.dispose();
  });
});

describe('encodePng', () => {
  it.each([1, 2, 3, 4] as const)('round-trips %i channel(s) through pngjs', (ch) => {
    const w = 5;
    const h = 3;
    const data = Uint8Array.from({ length: w * h * ch }, (_, i) => (i * 37) % 256);
    const path = join(out, `enc-${ch}.png`);
    writeFileSync(path, encodePng(data, w, h, ch));
    const png = readPng(path);
    expect([png.width, png.height, png.channels]).toEqual([w, h, ch]);
    expect(Array.from(png.pixels)).toEqual(Array.from(data));
  });

  it('checks sizes', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow(/2x2 with 1 channels needs 4 bytes, got 5/);
    expect(() => encodePng(new Uint8Array(4), 2, 2, 5 as 1)).toThrow(ValueError);
  });
});

describe('loss plot', () => {
  const steps = 300;
  const history = Array.from({ length: steps }, (_, i) => ({
    step: i,
    lossD: 0.7 * Math.exp(-i / 100) + 0.3 + 0.05 * Math.sin(i / 3),
    lossG: 0.7 + 1.5 * (1 - Math.exp(-i / 80)) + 0.1 * Math.cos(i / 5),
    dX: 0.5 + 0.4 * (1 - Math.exp(-i / 60)),
    dGz: 0.5 * Math.exp(-i / 90),
  }));

  it('draws both panels with the series colours, axes and legend', async () => {
    const path = join(out, 'losses.png');
    await saveLossPlot(history, path);
    const png = readPng(path);
    expect([png.width, png.height, png.channels]).toEqual([640, 480, 3]);
    const count = (rgb: number[]) => {
      let n = 0;
      for (let p = 0; p < png.width * png.height; p++) {
        if (png.pixels[p * 3] === rgb[0] && png.pixels[p * 3 + 1] === rgb[1] && png.pixels[p * 3 + 2] === rgb[2]) n++;
      }
      return n;
    };
    for (const rgb of [
      [31, 119, 180],
      [255, 127, 14],
      [44, 160, 44],
      [214, 39, 40],
    ])
      expect(count(rgb)).toBeGreaterThan(300);
    expect(count([0, 0, 0])).toBeGreaterThan(1000); // axes, ticks, labels
    expect(count([255, 255, 255])).toBeGreaterThan(640 * 480 * 0.6);
    // The x axis of the top panel: a black horizontal line spanning the plot.
    const row = (y: number) =>
      Array.from({ length: 500 }, (_, i) => png.pixels[(y * 640 + 64 + i) * 3]).every((v) => v === 0);
    expect(Array.from({ length: 240 }, (_, y) => row(y)).some(Boolean)).toBe(true);
    if (process.env.KEEP_IMAGES) writeFileSync(join(process.env.KEEP_IMAGES, 'losses.png'), readFileSync(path));
  });

  it('accepts columns, skips non-finite values and needs at least one series', () => {
    const img = renderLossPlot({ lossD: [1, NaN, 0.5, Infinity, 0.2], lossG: [2, 1] }, { width: 200, height: 150 });
    expect([img.width, img.height, img.data.length]).toEqual([200, 150, 200 * 150 * 3]);
    expect(() => renderLossPlot({ step: [1, 2] })).toThrow(/no numeric series/);
    expect(() => renderLossPlot({ lossD: [1] }, { width: 10 })).toThrow(/width must be an integer >= 160/);
  });
});

describe('atomic writes', () => {
  const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('replaces the file and leaves no temp file', async () => {
    const dir = join(out, 'atomic');
    mkdirSync(dir);
    const p = join(dir, 'a.txt');
    writeFileAtomicSync(p, 'old');
    await writeFileAtomic(p, 'new');
    expect(readFileSync(p, 'utf8')).toBe('new');
    writeFileAtomicSync(p, Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a failed write leaves the old file intact and cleans its temp file', async () => {
    const dir = join(out, 'atomic2');
    mkdirSync(dir);
    const p = join(dir, 'grid.png');
    await saveImageGrid(tf.ones([1, 1, 2, 2]), p);
    const before = readFileSync(p);
    // Invalid tensor: fails before touching the file.
    await expect(saveImageGrid(tf.ones([2, 5, 2, 2]), p)).rejects.toThrow(ShapeError);
    // The rename itself fails (target is a non-empty directory): the temp file must go.
    const target = join(dir, 'isdir');
    mkdirSync(target);
    writeFileSync(join(target, 'x'), 'x');
    await expect(saveImageGrid(tf.ones([1, 1, 2, 2]), target)).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'data')).toThrow();
    // The directory is gone: nothing can be created.
    await expect(saveImageGrid(tf.ones([1, 1, 2, 2]), join(dir, 'vanished', 'g.png'))).rejects.toThrow(/ENOENT/);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });
});
