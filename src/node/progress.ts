/**
 * A one-line progress bar for training loops: step, a bar, percent, the caller's fields, steps/s and ETA.
 * On a terminal it redraws one line in place; elsewhere (a log file, CI) it prints plain lines every few
 * steps, so logs stay readable.
 * @module
 */

/** Where the bar writes: `process.stdout` / `process.stderr` or anything with `write` (and `isTTY`, `columns`). */
export interface ProgressStream {
  /** Writes `chunk` as given (the bar adds its own `\r`, `\n` and escape codes); the result is ignored. */
  write(chunk: string): unknown;
  /** Whether the stream is a terminal; the default of {@link ProgressBarOptions.tty}. */
  isTTY?: boolean;
  /** Terminal width in characters; on a TTY the line is cut to `columns - 1`. Default: no cut. */
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** The last step. */
  total: number;
  /** Step the run starts from (a resumed run), for rates and ETA. Default: `0`. */
  start?: number;
  /** Output. Default: `process.stdout`. */
  stream?: ProgressStream;
  /** Redraw in place; default: `stream.isTTY`. */
  tty?: boolean;
  /** Without a TTY, print a line every `every` steps (and at the first and last). Default: `10`. */
  every?: number;
  /** Characters of the bar itself. Default: `20`. */
  barWidth?: number;
  /** Steps the rate is averaged over. Default: `20`. */
  window?: number;
}

/**
 * A duration as a clock: `m:ss` under an hour, `h:mm:ss` from there; `--:--` when unknown (NaN, infinite).
 * @param seconds the duration.
 * @example
 * ```ts
 * formatDuration(75);   // '1:15'
 * formatDuration(3725); // '1:02:05'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A training progress line like `step 120/500 [####......]  24% | D 0.612 G 0.981 | 0.52 steps/s | ETA 12:10`,
 * in the spirit of tqdm (what PyTorch scripts usually show). The rate is measured over the last `window`
 * steps, so the ETA follows a machine that speeds up or slows down.
 *
 * @param options `total` (required), `start` (0), `stream` (stdout), `tty` (stream.isTTY), `every` (10),
 *   `barWidth` (20), `window` (20).
 * @example
 * ```ts
 * const bar = new ProgressBar({ total: 500 });
 * for (let step = 1; step <= 500; step++) { work(); bar.update(step, `D ${dLoss.toFixed(3)}`); }
 * bar.done();
 * ```
 */
export class ProgressBar {
  /** The last step (from the options): 100% and the ETA refer to it. */
  readonly total: number;
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly every: number;
  private readonly barWidth: number;
  private readonly window: number;
  private readonly times: Array<[number, number]> = [];
  private readonly startStep: number;
  private readonly startTime = Date.now();
  private lastLine = '';
  private lastStep: number;

  constructor({
    total,
    start = 0,
    stream = process.stdout,
    tty,
    every = 10,
    barWidth = 20,
    window = 20,
  }: ProgressBarOptions) {
    this.total = total;
    this.stream = stream;
    this.tty = tty ?? !!stream.isTTY;
    this.every = Math.max(1, every);
    this.barWidth = barWidth;
    this.window = Math.max(2, window);
    this.startStep = start;
    this.lastStep = start;
    this.times.push([start, this.startTime]);
  }

  /** Steps per second over the recent window (`NaN` before the first step). */
  get rate(): number {
    if (this.times.length < 2) return NaN;
    const [s0, t0] = this.times[0];
    const [s1, t1] = this.times[this.times.length - 1];
    return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : NaN;
  }

  /** Seconds since the bar was made. */
  get elapsed(): number {
    return (Date.now() - this.startTime) / 1000;
  }

  /** The line for `step` with `fields` (no newline). */
  format(step: number, fields = ''): string {
    const frac = this.total > 0 ? Math.min(1, step / this.total) : 1;
    const filled = Math.round(frac * this.barWidth);
    const bar = '#'.repeat(filled) + '.'.repeat(this.barWidth - filled);
    const width = String(this.total).length;
    const rate = this.rate;
    const eta = step >= this.total ? 0 : (this.total - step) / rate;
    const parts = [
      `step ${String(step).padStart(width)}/${this.total} [${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%`,
      ...(fields ? [fields] : []),
      `${Number.isFinite(rate) ? (rate < 10 ? rate.toFixed(2) : rate.toFixed(1)) : '-.--'} steps/s`,
      step >= this.total ? `took ${formatDuration(this.elapsed)}` : `ETA ${formatDuration(eta)}`,
    ];
    return parts.join(' | ');
  }

  /**
   * Records that `step` is done and shows it.
   * @param step steps completed.
   * @param fields the caller's part of the line, e.g. losses.
   */
  update(step: number, fields = ''): void {
    this.times.push([step, Date.now()]);
    while (this.times.length > this.window + 1) this.times.shift();
    this.lastStep = step;
    const line = this.format(step, fields);
    this.lastLine = line;
    if (this.tty) {
      const cols = this.stream.columns ?? 0;
      const shown = cols > 1 && line.length >= cols ? line.slice(0, cols - 1) : line;
      this.stream.write(`\r${shown}\x1b[K`);
    } else if (step === this.startStep + 1 || step % this.every === 0 || step >= this.total) {
      this.stream.write(line + '\n');
    }
  }

  /** Prints `message` on its own line, keeping the bar below it on a terminal. */
  log(message: string): void {
    if (this.tty) {
      this.stream.write(`\r\x1b[K${message}\n`);
      if (this.lastLine) this.stream.write(this.lastLine);
    } else {
      this.stream.write(message + '\n');
    }
  }

  /** Ends the bar: a final newline on a terminal. */
  done(): void {
    if (this.tty && this.lastLine) this.stream.write('\n');
    this.lastLine = '';
  }

  /** Steps completed since the bar started and their average rate, for a summary line. */
  summary(): {
    /** Steps since `start`: the last `update`'s step minus `start`. */
    steps: number;
    /** Wall time since the bar was made, in seconds. */
    seconds: number;
    /** `steps / seconds` (`NaN` when no time has passed). */
    stepsPerSecond: number;
  } {
    const seconds = this.elapsed;
    const steps = this.lastStep - this.startStep;
    return { steps, seconds, stepsPerSecond: seconds > 0 ? steps / seconds : NaN };
  }
}
