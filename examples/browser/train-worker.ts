// The demo's training, off the page's main thread: trainGAN on the embedded digits, posting each step's losses and
// speed and a sample grid of G(fixed noise); `stop` aborts after the current step and keeps a checkpoint that
// `resume` continues from exactly.
import { type GANCheckpoint, type TrainGANResult, trainGAN } from 'tfjs-torch';

import { fetchDigits, startBackend, toPixels } from './shared';

/** Messages the page sends. */
export type ToWorker =
  | { cmd: 'start'; backend?: string; seed: number; batchSize: number; steps: number; sampleEvery: number }
  | { cmd: 'stop' }
  | { cmd: 'resume' };

/** Messages the worker sends. */
export type FromWorker =
  | { type: 'ready'; backend: string; images: number }
  | { type: 'step'; step: number; totalSteps: number; dLoss: number; gLoss: number; ms: number }
  | { type: 'sample'; step: number; pixels: Uint8Array; size: number }
  | { type: 'stopped'; step: number }
  | { type: 'done'; step: number }
  | { type: 'error'; message: string };

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let controller: AbortController | null = null;
let saved: GANCheckpoint | null = null;
let settings: Extract<ToWorker, { cmd: 'start' }> | null = null;

async function run(resume: GANCheckpoint | null): Promise<void> {
  const s = settings!;
  const data = await fetchDigits();
  controller = new AbortController();
  let result: TrainGANResult;
  try {
    result = await trainGAN({
      data,
      seed: resume ? undefined : s.seed,
      batchSize: s.batchSize,
      steps: s.steps,
      sampleEvery: s.sampleEvery,
      sampleCount: 16,
      resume: resume ?? undefined,
      signal: controller.signal,
      onStep: ({ step, totalSteps, dLoss, gLoss, ms }) => post({ type: 'step', step, totalSteps, dLoss, gLoss, ms }),
      onSample: (images, step) => post({ type: 'sample', step, ...toPixels(images) }),
    });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
    return;
  }
  saved = result.checkpoint();
  result.optimizerG.dispose();
  result.optimizerD.dispose();
  result.fixedNoise?.dispose();
  post(result.aborted ? { type: 'stopped', step: result.step } : { type: 'done', step: result.step });
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.cmd === 'start') {
    settings = m;
    try {
      const backend = await startBackend(m.backend);
      post({ type: 'ready', backend, images: (await fetchDigits()).length });
    } catch (err) {
      post({ type: 'error', message: (err as Error).message });
      return;
    }
    await run(null);
  } else if (m.cmd === 'stop') {
    controller?.abort();
  } else if (m.cmd === 'resume' && saved) {
    await run(saved);
  }
};
