/**
 * What the benches share: flag parsing, statistics, and the PyTorch child process they time beside the library
 * (`bench/torch_*.py` speaking the protocol of `bench/torch_common.py`: one `{"ready": info}` line, then `steps N`
 * answered by `{"ms": [...], "max_rss_mb": ...}`, `quit` to stop).
 *
 * The child runs on one thread (`OPENBLAS_NUM_THREADS=1`); `--torch-blas auto` (the default) points it at
 * `libopenblas0-pthread`'s OpenBLAS through `LD_LIBRARY_PATH` when that package is installed (Debian's python3-torch
 * otherwise runs on the reference BLAS, about 10x slower), `installed` keeps the system's choice.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const PYTHON = '/usr/bin/python3';
export const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

// ---------------------------------------------------------------------------------------------------------
// Flags

/** A command line's flags: `--name value` and bare `--switch`es, checked against a known list. */
export class Flags {
  private readonly argv: string[];

  /**
   * @param usageLine the usage text printed with any error (and for `--help`).
   * @param known every accepted flag (`--help` is always accepted).
   * @param argv the arguments. Default: `process.argv.slice(2)`.
   */
  constructor(
    private readonly usageLine: string,
    known: string[],
    argv: string[] = process.argv.slice(2),
  ) {
    this.argv = argv;
    for (const a of argv) {
      if (a.startsWith('--') && a !== '--help' && !known.includes(a)) this.usage(`unknown flag ${a}`);
    }
    if (argv.includes('--help')) {
      console.log(usageLine);
      process.exit(0);
    }
  }

  /** Prints `message` and the usage line, exits with status 2. */
  usage(message: string): never {
    console.error(`${message}\n${this.usageLine}`);
    process.exit(2);
  }

  /** Whether the switch `name` is present. */
  has(name: string): boolean {
    return this.argv.includes(name);
  }

  /** The value after `name`, or `fallback`. */
  str(name: string, fallback: string): string {
    const i = this.argv.indexOf(name);
    if (i < 0) return fallback;
    const v = this.argv[i + 1];
    if (v === undefined || v.startsWith('--')) this.usage(`${name} needs a value`);
    return v;
  }

  /** The integer after `name` (at least `min`), or `fallback`. */
  int(name: string, fallback: number, min: number): number {
    const v = Number(this.str(name, String(fallback)));
    if (!Number.isInteger(v) || v < min) this.usage(`${name} must be an integer >= ${min}, got ${this.str(name, '')}`);
    return v;
  }

  /** One of `choices` after `name`, or `fallback`. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.str(name, fallback);
    if (!choices.includes(v as T)) this.usage(`${name} must be one of ${choices.join(', ')}, got ${v}`);
    return v as T;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and formatting

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
export const f1 = (x: number): string => x.toFixed(1);
export const f2 = (x: number): string => x.toFixed(2);
export const f3 = (x: number): string => x.toFixed(3);
/** The 1, 5 and 15-minute load averages. */
export const load = (): string => loadavg().map(f2).join(' ');

/** The CPU time (ms, this process's threads together) that `fn` takes, beside its wall time. */
export async function timeCpu<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
}

/** The median of per-round ratios `median(ours[r]) / median(theirs[r])`, and the per-round ratios. */
export function roundRatios(ours: number[][], theirs: number[][]): { median: number; perRound: number[] } {
  const perRound = theirs.map((t, r) => median(ours[r]) / median(t));
  return { median: median(perRound), perRound };
}

// ---------------------------------------------------------------------------------------------------------
// Per-kernel profile

/** CPU time and calls of one kernel (or one kernel at one set of input shapes). */
export interface KernelStat {
  cpuMs: number;
  calls: number;
}

/**
 * Wraps every kernel of `backend` so that each outermost kernel call adds its CPU time (this process's threads
 * together) to `table`, under the kernel's name and under its name with the input shapes. Kernels that a kernel
 * calls are counted in their caller only.
 */
export function profileKernels(backend: string, table: Map<string, KernelStat>): void {
  let depth = 0;
  for (const cfg of tf.getKernelsForBackend(backend)) {
    const run = cfg.kernelFunc;
    tf.unregisterKernel(cfg.kernelName, backend);
    tf.registerKernel({
      ...cfg,
      kernelFunc: (args) => {
        if (depth > 0) return run(args);
        depth++;
        const c0 = process.cpuUsage();
        try {
          return run(args);
        } finally {
          depth--;
          const c = process.cpuUsage(c0);
          const shapes = Object.values(args.inputs).map((t) => `[${t?.shape.join(',')}]`);
          for (const key of [cfg.kernelName, `${cfg.kernelName} ${shapes.join(' ')}`]) {
            const s = table.get(key) ?? { cpuMs: 0, calls: 0 };
            s.cpuMs += (c.user + c.system) / 1000;
            s.calls++;
            table.set(key, s);
          }
        }
      },
    });
  }
}

/** Prints `table` (from {@link profileKernels}) per step: the top kernels, then the top kernel-and-shapes rows. */
export function printProfile(table: Map<string, KernelStat>, steps: number): void {
  const rows = [...table].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
  const line = ([k, s]: [string, KernelStat]) =>
    console.log(`${f1(s.cpuMs / steps).padStart(8)} ms ${f1(s.calls / steps).padStart(7)} calls  ${k}`);
  const total = rows.filter(([k]) => !k.includes(' ')).reduce((a, [, s]) => a + s.cpuMs, 0);
  console.log(`CPU ms/step by kernel (outermost calls; ${f1(total / steps)} ms in kernels):`);
  rows
    .filter(([k]) => !k.includes(' '))
    .slice(0, 20)
    .forEach(line);
  console.log('CPU ms/step by kernel and input shapes:');
  rows
    .filter(([k]) => k.includes(' '))
    .slice(0, 30)
    .forEach(line);
}

// ---------------------------------------------------------------------------------------------------------
// The PyTorch child process

/** Which BLAS the PyTorch child gets (see the module comment). */
export type TorchBlas = 'auto' | 'installed' | 'openblas';
export const TORCH_BLAS_CHOICES: readonly TorchBlas[] = ['auto', 'installed', 'openblas'];

/** Whether `/usr/bin/python3` can import torch. */
export async function hasTorch(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  return new Promise((resolve) => {
    const p = spawn(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

/** The child's environment: one BLAS thread, OpenBLAS per `blas`, `OPENBLAS_CORETYPE=SkylakeX` when `tuned`. */
export function torchEnv(blas: TorchBlas, tuned = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  const openblas = existsSync(join(OPENBLAS_DIR, 'libblas.so.3'));
  if (blas === 'openblas' && !openblas) {
    throw new Error(
      `--torch-blas openblas: ${OPENBLAS_DIR}/libblas.so.3 not found (apt-get install libopenblas0-pthread)`,
    );
  }
  if (blas === 'openblas' || (blas === 'auto' && openblas)) {
    env.LD_LIBRARY_PATH = [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  if (tuned) env.OPENBLAS_CORETYPE = 'SkylakeX';
  return env;
}

/** A persistent PyTorch child: `start()`, then `steps(n)` per round, `quit()` at the end. */
export class TorchChild {
  /** What the child reported when ready (`torch`, `threads`, `blas`, `openblas_core`, `env`). */
  info: Record<string, unknown> = {};
  /** Each round's step times (ms), in order. */
  readonly roundMs: number[][] = [];
  /** Each round's CPU time per step (ms, the child's threads together), in order. */
  readonly roundCpuMs: number[][] = [];
  /** The child's peak RSS (MB) at its last answer. */
  maxRssMb = 0;
  private child?: ChildProcessWithoutNullStreams;
  private lines?: Interface;
  private readonly queue: Array<(line: string) => void> = [];

  /**
   * @param label the name printed beside its figures.
   * @param script the Python file under `bench/`.
   * @param args its arguments.
   * @param env its environment ({@link torchEnv}).
   */
  constructor(
    readonly label: string,
    private readonly script: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Spawns the child and waits for its ready line. */
  async start(): Promise<void> {
    const child = spawn(PYTHON, [join(BENCH_DIR, this.script), ...this.args], { env: this.env });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`[${this.label}] ${d}`));
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.queue.shift()?.(line));
    const exited = new Promise<never>((_, reject) =>
      child.on('exit', (code) => reject(new Error(`${this.label}: the python process exited with code ${code}`))),
    );
    exited.catch(() => undefined);
    const ready = await Promise.race([this.nextLine(), exited]);
    this.info = (JSON.parse(ready) as { ready: Record<string, unknown> }).ready;
  }

  /** One line describing the child: PyTorch version, threads, BLAS library and OpenBLAS core, environment. */
  describe(): string {
    const i = this.info;
    return (
      `${this.label}: PyTorch ${i.torch}, ${i.threads} thread(s), BLAS ${(i.blas as string[] | undefined)?.[0] ?? '?'}` +
      `${i.openblas_core ? ` (OpenBLAS core ${i.openblas_core})` : ''}, env ${JSON.stringify(i.env)}`
    );
  }

  /** Runs `n` steps in the child; returns their wall and CPU times (ms). */
  async steps(n: number): Promise<{ ms: number[]; cpuMs: number[] }> {
    const reply = this.nextLine();
    this.child!.stdin.write(`steps ${n}\n`);
    const r = JSON.parse(await reply) as { ms?: number[]; cpu_ms?: number[]; max_rss_mb?: number; error?: string };
    if (!r.ms) throw new Error(`${this.label}: ${r.error ?? 'no timings'}`);
    this.maxRssMb = r.max_rss_mb ?? 0;
    return { ms: r.ms, cpuMs: r.cpu_ms ?? [] };
  }

  /** Runs `n` steps and keeps their times as one round; returns the wall times (ms). */
  async round(n: number): Promise<number[]> {
    const { ms, cpuMs } = await this.steps(n);
    this.roundMs.push(ms);
    this.roundCpuMs.push(cpuMs);
    return ms;
  }

  /** Asks the child to exit. */
  quit(): void {
    this.child?.stdin.write('quit\n');
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve) => this.queue.push(resolve));
  }
}
