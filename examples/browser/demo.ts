// The demo page: (1) draws digits from a generator checkpoint with a latent-space walk, (2) trains the DCGAN in a
// Web Worker with live samples, a loss curve and stop/resume, (3) shows the backend and its speed.
// `npm run demo` serves it (vite.config.ts); `?backend=wasm|cpu|webgl` picks a backend.
import * as tf from '@tensorflow/tfjs-core';
import type { Generator } from 'tfjs-torch';

import { drawDigits, loadGenerator, paintGrid, seededNoise, startBackend } from './shared';
import type { FromWorker, ToWorker } from './train-worker';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const status = $<HTMLParagraphElement>('status');

let generator: Generator | null = null;
let ends: [tf.Tensor2D, tf.Tensor2D] | null = null;

/** Digits at a point of the walk: a straight line between two seeded noise batches. */
function draw(): void {
  if (!generator || !ends) return;
  const t = Number($<HTMLInputElement>('walk').value) / 100;
  const noise = tf.tidy(() => tf.add(tf.mul(ends![0], 1 - t), tf.mul(ends![1], t)));
  const t0 = performance.now();
  const { pixels, size } = drawDigits(generator, noise);
  noise.dispose();
  paintGrid($('digits'), pixels, size, 8);
  status.textContent = `backend ${tf.getBackend()}: 16 digits in ${(performance.now() - t0).toFixed(0)} ms`;
}

function newNoise(): void {
  if (!generator) return;
  const seed = Number($<HTMLInputElement>('seed').value);
  if (ends) tf.dispose(ends);
  ends = [seededNoise(seed, 16, generator.zDim), seededNoise(seed + 1, 16, generator.zDim)];
  draw();
}

async function useCheckpoint(bytes: Uint8Array, name: string): Promise<void> {
  if (generator) tf.dispose(generator.parameters());
  generator = loadGenerator(bytes);
  status.textContent = `loaded ${name}`;
  newNoise();
}

async function main(): Promise<void> {
  const backend = await startBackend(params.get('backend') ?? undefined);
  status.textContent = `backend ${backend}`;
  const select = $<HTMLSelectElement>('ckpt');
  const load = async () => {
    const res = await fetch(select.value);
    if (!res.ok) {
      status.textContent = `${select.value}: ${res.status} (run npm run train first for out/checkpoint.pt)`;
      return;
    }
    await useCheckpoint(new Uint8Array(await res.arrayBuffer()), select.value);
  };
  select.onchange = load;
  $<HTMLInputElement>('file').onchange = async (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) await useCheckpoint(new Uint8Array(await f.arrayBuffer()), f.name);
  };
  $<HTMLInputElement>('seed').onchange = newNoise;
  $<HTMLInputElement>('walk').oninput = draw;
  await load();
  setUpTraining(backend);
}

function setUpTraining(backend: string): void {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);
  const losses: Array<[number, number]> = [];
  const [start, stop, resume] = ['start', 'stop', 'resume'].map((id) => $<HTMLButtonElement>(id));
  const line = $<HTMLParagraphElement>('train-status');
  start.onclick = () => {
    start.disabled = true;
    stop.disabled = false;
    losses.length = 0;
    const batchSize = Number($<HTMLInputElement>('batch').value);
    send({
      cmd: 'start',
      backend,
      seed: 0,
      batchSize,
      steps: Number($<HTMLInputElement>('steps').value),
      sampleEvery: 10,
    });
  };
  stop.onclick = () => send({ cmd: 'stop' });
  resume.onclick = () => {
    resume.disabled = true;
    stop.disabled = false;
    send({ cmd: 'resume' });
  };
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === 'ready') line.textContent = `worker ready: backend ${m.backend}, ${m.images} digits`;
    else if (m.type === 'step') {
      losses[m.step - 1] = [m.dLoss, m.gLoss];
      const batch = Number($<HTMLInputElement>('batch').value);
      line.textContent =
        `step ${m.step}/${m.totalSteps}: D loss ${m.dLoss.toFixed(3)}, G loss ${m.gLoss.toFixed(3)}, ` +
        `${m.ms} ms/step (${((batch * 1000) / m.ms).toFixed(1)} images/s)`;
      plotLosses($('loss'), losses);
    } else if (m.type === 'sample') paintGrid($('samples'), m.pixels, m.size, 4);
    else if (m.type === 'stopped') {
      line.textContent += ` — stopped at step ${m.step}`;
      stop.disabled = true;
      resume.disabled = false;
    } else if (m.type === 'done') {
      line.textContent += ' — done';
      stop.disabled = true;
      start.disabled = false;
    } else line.textContent = `error: ${m.message}`;
  };
}

/** D's (blue) and G's (orange) loss per step. */
function plotLosses(canvas: HTMLCanvasElement, losses: Array<[number, number]>): void {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(1, ...losses.flat());
  ['#1f77b4', '#ff7f0e'].forEach((colour, k) => {
    ctx.strokeStyle = colour;
    ctx.beginPath();
    losses.forEach((l, i) => {
      const x = (i / Math.max(1, losses.length - 1)) * (canvas.width - 10) + 5;
      const y = canvas.height - 5 - (l[k] / max) * (canvas.height - 10);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  });
}

main().catch((e) => {
  status.textContent = `error: ${(e as Error).message}`;
});
