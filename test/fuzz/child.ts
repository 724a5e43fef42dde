// One fuzz worker (run by test/fuzz.test.ts as `node --max-old-space-size=... --import tsx test/fuzz/child.ts
// <bundle> <names.json | --list>`): loads the built package, runs the named cases one after another on the cpu
// backend and prints, per case, `S\t<name>` before it and `R\t<json result>` after it, so the parent can tell
// which case crashed or hung the process.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { accepted, CASES, type FuzzCase, genericCases, type Inputs, type Lib } from './cases';

const [bundle, which] = process.argv.slice(2);
const lib = (await import(bundle)) as Lib;
await tf.setBackend('cpu');
tf.env().set('PROD', true); // no debug-mode checks of tfjs' own
const all = new Map<string, FuzzCase[1]>([...CASES, ...genericCases(lib)].filter(([n]) => !accepted(n)));

if (which === '--list') {
  process.stdout.write(`${JSON.stringify([...all.keys()])}\n`);
  process.exit(0);
}

/** What a case returned, in a few words. */
function show(v: unknown): string {
  if (v instanceof tf.Tensor) return v.isDisposed ? 'a disposed tensor' : `a ${v.dtype} tensor [${v.shape}]`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

/** Frees what a call returned (tensors, a module's parameters and buffers), so the next case starts clean. */
function release(v: unknown): void {
  if (v instanceof tf.Tensor) {
    if (!v.isDisposed) v.dispose();
  } else if (Array.isArray(v)) v.forEach(release);
  else if (v !== null && typeof v === 'object') {
    const m = v as { parameters?: () => tf.Tensor[]; buffers?: () => tf.Tensor[] };
    try {
      m.parameters?.().forEach((p) => p.dispose());
      m.buffers?.().forEach((b) => b.dispose());
    } catch {
      // not a module after all
    }
  }
}

for (const name of JSON.parse(which) as string[]) {
  const run = all.get(name);
  process.stdout.write(`S\t${name}\n`);
  const made: tf.Tensor[] = [];
  const owned: unknown[] = [];
  const track = (t: tf.Tensor) => {
    made.push(t);
    return t;
  };
  const inputs: Inputs = {
    tf,
    x2d: () => track(tf.randomNormal([2, 3], 0, 1, 'float32', 1)),
    x4d: () => track(tf.randomNormal([2, 3, 8, 8], 0, 1, 'float32', 2)),
    own: (x) => {
      owned.push(x);
      return x;
    },
    disposed: () => {
      const t = tf.zeros([2, 3]);
      t.dispose();
      return t;
    },
  };
  // Cases named `wasm ...` run on the wasm backend (a bad call must not corrupt its heap either).
  const wasm = name.startsWith('wasm ');
  if (wasm) {
    await import('@tensorflow/tfjs-backend-wasm');
    lib.registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  }
  lib.sweepTape();
  const before = tf.memory().numTensors;
  let cls: string;
  let msg: string;
  try {
    if (run === undefined) throw new Error(`no such case: ${name}`);
    let r = run(lib, inputs);
    if (r instanceof Promise) r = await r;
    cls = 'SILENT';
    msg = `returned ${show(r)}`;
    release(r);
  } catch (e) {
    const err = e as Error;
    cls = e instanceof lib.TorchError && String(err.message).length >= 10 ? 'CLEAR' : 'RAW';
    msg = `${err?.name ?? typeof e}: ${String(err?.message ?? e)}`.slice(0, 400);
  }
  for (const t of made) if (!t.isDisposed) t.dispose();
  owned.forEach(release);
  lib.sweepTape(); // graph nodes of tensors the case dropped (a training loop's tf.tidy does this)
  const leaked = tf.memory().numTensors - before;
  if (cls !== 'SILENT' && leaked !== 0) {
    cls = 'LEAK';
    msg = `${leaked > 0 ? '+' : ''}${leaked} tensors after: ${msg}`;
  }
  if (wasm) {
    // The heap must still compute: an ordinary op after the bad call gives the right numbers.
    const check = tf.tidy(() => tf.sum(tf.matMul(tf.ones([8, 5]), tf.ones([5, 3]))).dataSync()[0]);
    if (check !== 120 && cls === 'CLEAR') {
      cls = 'CRASH';
      msg = `the wasm backend computes wrong numbers after the call (ones(8,5)@ones(5,3) sums to ${check}): ${msg}`;
    }
    await tf.setBackend('cpu');
  }
  process.stdout.write(`R\t${JSON.stringify({ name, cls, msg })}\n`);
}
process.exit(0);
