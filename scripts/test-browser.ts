// `npm run test:browser`: the demo's pages in a real Chromium (Debian's /usr/bin/chromium, or $CHROMIUM), served by
// Vite as `npm run demo` serves them, against the same computations in Node:
// - the committed PyTorch generator checkpoint draws the same digits for the same seed (pixel-equal on wasm and cpu);
// - training steps on wasm give Node's losses exactly, with a flat tf.memory().numTensors;
// - the demo page loads, draws digits and trains in its Web Worker;
// and screenshots for a person to look at (test-output/browser/*.png). Exit status 1 on any failure.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { type Browser, type Page, chromium } from 'playwright-core';
import { ImageDataset, initBackend, trainGAN } from 'tfjs-torch';
import { loadMnistArrays } from 'tfjs-torch/node';
import { createServer } from 'vite';

import { drawDigits, loadGenerator, seededNoise } from '../examples/browser/shared';
import type { TestPage } from '../examples/browser/test-page';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test-output', 'browser');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SEED = 3;
const DIGITS = 16;
const TRAIN = { seed: 7, steps: 3, batchSize: 8, images: 256 };

let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}

/** Node's digits and training losses on `backend` (the built package, as a user runs it). */
async function nodeReference(backend: 'wasm' | 'cpu') {
  await initBackend(backend, { wasmThreads: 1 });
  const { readFileSync } = await import('node:fs');
  const g = loadGenerator(readFileSync(join(ROOT, 'test/fixtures/dcgan_netG.pt')));
  const noise = seededNoise(SEED, DIGITS, g.zDim);
  const { pixels } = drawDigits(g, noise);
  tf.dispose([noise, ...g.parameters()]);
  if (backend !== 'wasm') return { pixels, dLoss: [], gLoss: [] };
  const images = loadMnistArrays().images.subarray(0, TRAIN.images * 784);
  const r = await trainGAN({
    data: new ImageDataset(images, [TRAIN.images, 1, 28, 28]),
    seed: TRAIN.seed,
    steps: TRAIN.steps,
    batchSize: TRAIN.batchSize,
  });
  return { pixels, dLoss: r.history.dLoss, gLoss: r.history.gLoss };
}

async function testPage(browser: Browser, base: string): Promise<void> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${base}/test.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, {
    timeout: 120_000,
  });
  const call = <K extends keyof TestPage>(k: K, ...args: Parameters<TestPage[K]>) =>
    page.evaluate(([k, args]) => (window as never as { tfjsTorchTest: TestPage }).tfjsTorchTest[k](...(args as [never, never, never, never, never])), [k, args] as const) as ReturnType<TestPage[K]>;

  const nodeWasm = await nodeReference('wasm');
  const wasmDraw = await call('draw', 'wasm', SEED, DIGITS);
  check(wasmDraw.backend === 'wasm', 'the page runs the wasm backend', wasmDraw.backend);
  const diffWasm = wasmDraw.pixels.filter((v, i) => v !== nodeWasm.pixels[i]).length;
  check(diffWasm === 0, `wasm: ${DIGITS} digits from seed ${SEED} pixel-equal to Node's`, `${diffWasm} pixels differ`);
  await page.screenshot({ path: join(OUT, 'digits-wasm.png') });

  const train = await call('train', 'wasm', TRAIN.seed, TRAIN.steps, TRAIN.batchSize, TRAIN.images);
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  check(
    same(train.dLoss, nodeWasm.dLoss) && same(train.gLoss, nodeWasm.gLoss),
    `wasm: ${TRAIN.steps} training steps (batch ${TRAIN.batchSize}) give Node's losses exactly`,
    `page D ${train.dLoss.map((v) => v.toFixed(6))}, Node D ${nodeWasm.dLoss.map((v) => v.toFixed(6))}; ms/step ${train.ms}`,
  );
  check(
    train.numTensors.slice(1).every((n) => n === train.numTensors[1]),
    'tf.memory().numTensors stays flat while training',
    `${train.numTensors}`,
  );

  const nodeCpu = await nodeReference('cpu');
  const cpuDraw = await call('draw', 'cpu', SEED, DIGITS);
  const diffCpu = cpuDraw.pixels.filter((v, i) => v !== nodeCpu.pixels[i]).length;
  check(cpuDraw.backend === 'cpu', 'the page switches to the cpu backend', cpuDraw.backend);
  check(diffCpu === 0, `cpu: the same digits pixel-equal to Node's`, `${diffCpu} pixels differ`);
  await page.screenshot({ path: join(OUT, 'digits-cpu.png') });
  await page.close();
}

async function testDemo(browser: Browser, base: string): Promise<void> {
  const page: Page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`demo page error: ${e.message}`));
  await page.goto(`${base}/index.html?backend=wasm`);
  await page.waitForFunction(() => /16 digits in/.test(document.getElementById('status')?.textContent ?? ''), null, {
    timeout: 120_000,
  });
  check(true, 'the demo draws 16 digits from the PyTorch checkpoint', await page.textContent('#status') ?? '');
  await page.fill('#walk', '50');
  await page.dispatchEvent('#walk', 'input');
  await page.fill('#batch', '8');
  await page.fill('#steps', '20');
  await page.click('#start');
  await page.waitForFunction(() => /step [2-9]\d*\//.test(document.getElementById('train-status')?.textContent ?? ''), null, {
    timeout: 180_000,
  });
  await page.click('#stop');
  await page.waitForFunction(() => /stopped at step/.test(document.getElementById('train-status')?.textContent ?? ''), null, {
    timeout: 120_000,
  });
  const stopped = (await page.textContent('#train-status')) ?? '';
  check(true, 'the demo trains in its Web Worker and stops', stopped);
  await page.click('#resume');
  await page.waitForFunction(
    (before) => {
      const m = /step (\d+)\//.exec(document.getElementById('train-status')?.textContent ?? '');
      return m !== null && Number(m[1]) > before;
    },
    Number(/stopped at step (\d+)/.exec(stopped)?.[1] ?? 0),
    { timeout: 120_000 },
  );
  check(true, 'resume continues the run', (await page.textContent('#train-status')) ?? '');
  await page.screenshot({ path: join(OUT, 'demo.png'), fullPage: true });
  await page.close();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await createServer({ configFile: join(ROOT, 'examples/browser/vite.config.ts'), server: { port: 0 } });
  await server.listen();
  const base = server.resolvedUrls!.local[0].replace(/\/$/, '');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    await testPage(browser, base);
    await testDemo(browser, base);
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`screenshots: ${OUT}`);
  console.log(failures ? `${failures} browser check(s) failed` : 'all browser checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
