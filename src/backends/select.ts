/**
 * Choosing and initialising the tfjs backend. In Node: native TensorFlow when installed, else wasm with the training
 * kernels (with its thread pool when `tfjs-torch/node`'s starter is loaded, which Node's `tfjs-torch` entry does).
 * In a page: webgpu, webgl (when their packages are installed), wasm, cpu. Core-safe: no import of Node modules; the
 * optional packages are imported dynamically.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { describeValue } from '../args';
import { ArgumentTypeError, BackendError } from '../errors';
import { registerWasmTrainingKernels } from './wasm-kernels';

/** The environment variable that picks the backend, overriding {@link initBackend}'s argument. */
export const BACKEND_ENV_VAR = 'TFJS_TORCH_BACKEND';

/** The environment variable that sets the wasm backend's thread count in Node (`initBackend`'s `wasmThreads`). */
export const WASM_THREADS_ENV_VAR = 'TFJS_TORCH_WASM_THREADS';

/**
 * Options of {@link initBackend}.
 * @example
 * ```ts
 * await initBackend(undefined, { wasmPaths: '/tfjs-wasm/', fallback: true });
 * ```
 */
export interface InitBackendOptions {
  /**
   * XNNPACK threads of the `wasm` backend in Node, 1 to 8 (`TFJS_TORCH_WASM_THREADS` overrides it). Default: as many
   * as the cores (at most 8) when Node's `tfjs-torch` entry is loaded and there are 2 or more, else 1. In a page the
   * wasm backend picks threads itself when the page is cross-origin isolated (and serves the threaded `.wasm`).
   */
  wasmThreads?: number;
  /**
   * Where the page serves tfjs-backend-wasm's `.wasm` files: a URL prefix ending in `/`, or a map from file name
   * (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`) to URL; passed
   * to the package's `setWasmPaths` before the backend starts. Default: the package's own (its folder in Node; next
   * to the script in a page).
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * When the automatic choice's backend fails to start (e.g. the page does not serve the `.wasm` files), warn and
   * try the next one down to `cpu` instead of throwing. Default: `false`: an error that says why and how to fix it.
   */
  fallback?: boolean;
}

/**
 * Starts the wasm backend with XNNPACK threads in Node (set by Node's `tfjs-torch` entry, see
 * `src/node/wasm-threads.ts`): `'auto'` picks the count from the cores and returns `null` when threads are unavailable.
 */
type WasmThreadsStarter = (threads: number | 'auto') => Promise<number | null>;
let wasmThreadsStarter: WasmThreadsStarter | null = null;

/**
 * Lets {@link initBackend} start the wasm backend's thread pool in Node (called by Node's entry points only).
 * @param starter starts the threaded wasm backend.
 * @internal
 */
export function setWasmThreadsStarter(starter: WasmThreadsStarter): void {
  wasmThreadsStarter = starter;
}

/** The kernels that training conv layers needs from a backend (forward, input and filter gradients). */
export const CONV_TRAINING_KERNELS: readonly string[] = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];

/** The optional native packages, best first. Both register the backend named `tensorflow`. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** The optional browser packages: the backend each registers. */
const WEB_PACKAGES = {
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
} as const;

/** The backends `initBackend` knows how to load. */
const KNOWN_BACKENDS = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Import errors that mean "this package is not installed" rather than "installed but broken". */
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Whether an error from `import(pkg)` says that `pkg` itself is not installed (as opposed to a package that is present
 * but fails to load, e.g. a missing libtensorflow or a missing dependency of its own).
 * @internal
 */
export function isMissingPackage(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string } | null;
  const message = String(e?.message ?? err);
  // The package itself, quoted or standing alone: not one of its files (a missing native binding) or dependencies.
  const named = new RegExp(`(^|[\\s'"])${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(['"\\s.]|$)`).test(message);
  if (e?.code && NOT_FOUND_CODES.has(e.code)) return named;
  // Vite / vitest and browsers word it differently, without a code.
  return named && /Cannot find (package|module)|Could not resolve|Failed to (load url|resolve)/.test(message);
}

// A variable specifier keeps bundlers from resolving packages that are optional and usually absent.
const importOptional = (specifier: string): Promise<unknown> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

function envBackend(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.[BACKEND_ENV_VAR]?.trim();
  return v ? v : undefined;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

async function activate(name: string, how: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new BackendError(`${how}: tf.setBackend('${name}') threw: ${(err as Error).message ?? err}`);
  }
  if (!ok)
    throw new BackendError(`${how}: backend '${name}' failed to initialise (tf.setBackend('${name}') returned false)`);
}

/** Loads one native package. `null`: not installed. Throws BackendError when installed but broken. */
async function loadNative(pkg: string): Promise<string | null> {
  try {
    await importOptional(pkg);
  } catch (err) {
    if (isMissingPackage(err, pkg)) return null;
    throw new BackendError(`${pkg} is installed but failed to load: ${(err as Error).message ?? err}`);
  }
  if (!tf.findBackendFactory('tensorflow')) {
    throw new BackendError(
      `${pkg} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core ${tf.version_core} ` +
        `(two copies of tfjs-core installed? ${pkg} must share tfjs-core ${tf.version_core})`,
    );
  }
  await activate('tensorflow', pkg);
  return 'tensorflow';
}

async function loadTensorflow(): Promise<string | null> {
  for (const pkg of NATIVE_PACKAGES) {
    const got = await loadNative(pkg);
    if (got) return got;
  }
  return null;
}

/** The thread count asked for (`TFJS_TORCH_WASM_THREADS`, else the option), or `'auto'`. */
function wasmThreads(options: InitBackendOptions): number | 'auto' {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const fromEnv = proc?.env?.[WASM_THREADS_ENV_VAR]?.trim();
  if (!fromEnv && options.wasmThreads === undefined) return 'auto';
  const n = fromEnv ? Number(fromEnv) : options.wasmThreads;
  if (!Number.isInteger(n) || (n as number) < 1) {
    const source = fromEnv ? `${WASM_THREADS_ENV_VAR}=${fromEnv}` : `wasmThreads: ${options.wasmThreads}`;
    throw new BackendError(`${source}: expected a positive integer thread count`);
  }
  return n as number;
}

type NodeProcess = {
  listeners(event: string): Array<(...args: unknown[]) => void>;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
};

/**
 * Runs `start` and removes the `uncaughtException` / `unhandledRejection` handlers it added to Node's process.
 * Emscripten's glue (tfjs-backend-wasm) installs handlers that rethrow, so every uncaught error is reported at
 * `throw ex` inside the glue, with its whole source line (36 KB) printed under tsx; without them Node reports the
 * error at the caller, as before the backend started.
 */
async function keepingNodeErrorReporting<T>(start: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: Partial<NodeProcess> }).process;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function') return start();
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((e) => new Set(proc.listeners!(e)));
  try {
    return await start();
  } finally {
    events.forEach((e, i) => {
      for (const l of proc.listeners!(e)) if (!before[i].has(l)) proc.removeListener!(e, l);
    });
  }
}

async function loadWasm(options: InitBackendOptions = {}): Promise<string> {
  let wasm: { setWasmPaths(paths: string | Record<string, string>): void };
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw new BackendError(`@tensorflow/tfjs-backend-wasm failed to load: ${(err as Error).message ?? err}`);
  }
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  registerWasmTrainingKernels();
  const threads = wasmThreads(options);
  await keepingNodeErrorReporting(async () => {
    if (isNode() && wasmThreadsStarter && threads !== 1) {
      if ((await wasmThreadsStarter(threads)) !== null) return;
    } else if (isNode() && threads !== 'auto' && threads > 1) {
      throw new BackendError(
        `wasm threads (${threads}) need Node's tfjs-torch entry (import from 'tfjs-torch' or 'tfjs-torch/node' in Node)`,
      );
    }
    try {
      await activate('wasm', '@tensorflow/tfjs-backend-wasm');
    } catch (err) {
      throw new BackendError(`${(err as Error).message}${wasmHint()}`);
    }
  });
  return 'wasm';
}

/** How to fix a wasm backend that does not start, by platform. */
function wasmHint(): string {
  if (isNode()) return ' (is @tensorflow/tfjs-backend-wasm installed completely, with its dist/*.wasm files?)';
  return (
    '. In a page the .wasm files must be served: copy node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm into ' +
    "your static folder and pass its URL, e.g. initBackend(undefined, { wasmPaths: '/tfjs-wasm/' }) (or call " +
    "setWasmPaths from '@tensorflow/tfjs-backend-wasm' first); or pass { fallback: true } to run on the cpu backend " +
    '(about 25 times slower)'
  );
}

/** Loads an optional browser backend package. `null`: not installed (or no WebGPU in this browser). */
async function loadWeb(name: keyof typeof WEB_PACKAGES): Promise<string | null> {
  if (name === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return null;
  const pkg = WEB_PACKAGES[name];
  try {
    await importOptional(pkg);
  } catch (err) {
    if (isMissingPackage(err, pkg)) return null;
    throw new BackendError(`${pkg} is installed but failed to load: ${(err as Error).message ?? err}`);
  }
  await activate(name, pkg);
  return name;
}

async function loadCpu(): Promise<string> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (err) {
    throw new BackendError(`@tensorflow/tfjs-backend-cpu failed to load: ${(err as Error).message ?? err}`);
  }
  await activate('cpu', '@tensorflow/tfjs-backend-cpu');
  return 'cpu';
}

/** Names accepted by {@link initBackend}: the known ones and any backend the app registered itself (e.g. webgl). */
function availableNames(): string[] {
  const registered = Object.keys(
    (tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory ?? {},
  );
  return [...new Set<string>([...KNOWN_BACKENDS, ...registered])];
}

async function loadNamed(name: string, source: string, options: InitBackendOptions): Promise<string> {
  switch (name) {
    case 'webgpu':
    case 'webgl': {
      if (tf.findBackendFactory(name)) {
        await activate(name, source);
        return name;
      }
      const got = await loadWeb(name);
      if (!got) {
        throw new BackendError(
          `${source} asks for backend '${name}', which needs the package ${WEB_PACKAGES[name]}` +
            (name === 'webgpu' ? ' and a browser with WebGPU (navigator.gpu)' : '') +
            ` (npm install ${WEB_PACKAGES[name]}@${tf.version_core})`,
        );
      }
      return got;
    }
    case 'tensorflow': {
      const got = await loadTensorflow();
      if (!got) {
        throw new BackendError(
          `${source} asks for backend 'tensorflow', which needs ${NATIVE_PACKAGES.join(' or ')}; neither is installed`,
        );
      }
      return got;
    }
    case 'wasm':
      return loadWasm(options);
    case 'cpu':
      return loadCpu();
    default:
      if (tf.findBackendFactory(name)) {
        await activate(name, source);
        return name;
      }
      throw new BackendError(
        `${source} asks for backend '${name}', which is unknown; available: ${availableNames()
          .map((n) => `'${n}'`)
          .join(', ')}`,
      );
  }
}

/**
 * Chooses, initialises and activates the tfjs backend, and returns its name. The closest thing in torch is choosing
 * a device (https://pytorch.org/docs/1.13/tensor_attributes.html#torch.device).
 *
 * The backend named by the environment variable `TFJS_TORCH_BACKEND`, else by `preferred`, is loaded or an error is
 * thrown. Without either, the first that works of:
 * - in Node: `tensorflow` from `@tensorflow/tfjs-node-gpu`, then from `@tensorflow/tfjs-node` (optional peer
 *   dependencies: absent ones are skipped silently, an installed one that fails to load is reported with
 *   `console.warn` and skipped), then `wasm` with its XNNPACK thread pool (as many threads as cores, at most 8, on 2
 *   or more cores; one thread, after a one-line notice, where threads cannot start);
 * - in a page: `webgpu` (when `navigator.gpu` exists and `@tensorflow/tfjs-backend-webgpu` is installed), `webgl`
 *   (when `@tensorflow/tfjs-backend-webgl` is installed; both optional peers), then `wasm` (threaded by tfjs itself
 *   when the page is cross-origin isolated);
 * - `wasm` always gets {@link registerWasmTrainingKernels}, so conv layers can train. When it fails to start (in a
 *   page, usually `.wasm` files that are not served: see `wasmPaths`) the error says why and how to fix it; with
 *   `fallback: true` a warning is printed and the `cpu` backend runs instead (about 25 times slower).
 *
 * Starting the wasm backend leaves Node's error reporting as it was (tfjs-backend-wasm's Emscripten glue installs
 * `uncaughtException` handlers that rethrow from inside the glue; they are removed).
 *
 * @param preferred Backend name: `'tensorflow'`, `'webgpu'`, `'webgl'`, `'wasm'`, `'cpu'`, or one the app registered.
 *   Default: automatic choice.
 * @param options see {@link InitBackendOptions}: `wasmThreads` (Node: cores, at most 8; `TFJS_TORCH_WASM_THREADS=1`
 *   turns threads off), `wasmPaths` (where a page serves the `.wasm` files), `fallback` (`false`). Default: `{}`.
 * @returns The active backend's name.
 * @throws BackendError for an unknown name (the message lists the available ones), a named backend that fails, or an
 *   automatic choice whose backends all fail (without `fallback`).
 * @example
 * ```ts
 * const backend = await initBackend();   // Node: 'tensorflow' if tfjs-node is installed, else 'wasm' (threaded)
 * requireKernels(CONV_TRAINING_KERNELS, 'training the DCGAN');
 * await initBackend(undefined, { wasmPaths: '/tfjs-wasm/' }); // a page serving the .wasm files from /tfjs-wasm/
 * ```
 */
export async function initBackend(preferred?: string, options: InitBackendOptions = {}): Promise<string> {
  if (preferred != null && typeof preferred !== 'string') {
    throw new ArgumentTypeError(
      `initBackend(): preferred must be a backend name ('wasm', 'cpu', ...), got ${describeValue(preferred)}`,
    );
  }
  const fromEnv = envBackend();
  if (fromEnv) return loadNamed(fromEnv, `${BACKEND_ENV_VAR}=${fromEnv}`, options);
  if (preferred) return loadNamed(preferred, `initBackend('${preferred}')`, options);
  const skip = (err: unknown, next: string) => console.warn(`tfjs-torch: ${(err as Error).message}; trying ${next}`);
  if (isNode()) {
    try {
      const got = await loadTensorflow();
      if (got) return got;
    } catch (err) {
      skip(err, 'the wasm backend');
    }
  } else {
    for (const name of ['webgpu', 'webgl'] as const) {
      try {
        const got = await loadWeb(name);
        if (got) return got;
      } catch (err) {
        // e.g. no GPU adapter, or WebGL unavailable: the wasm backend still serves the page.
        skip(err, 'the next backend');
      }
    }
  }
  try {
    return await loadWasm(options);
  } catch (err) {
    if (!options.fallback) throw err;
    skip(err, 'the cpu backend (fallback: true)');
  }
  return loadCpu();
}

/**
 * Throws unless the active backend has every kernel in `names`. Call it before training, so a missing kernel fails
 * at once with its name instead of deep inside the first backward pass.
 *
 * @param names Kernel names, e.g. {@link CONV_TRAINING_KERNELS}.
 * @param purpose What the kernels are for, quoted in the error. Default: `'training'`.
 * @throws BackendError `Backend 'wasm' has no kernel 'Conv2DBackpropFilter' needed for training`.
 * @example
 * ```ts
 * requireKernels(['Conv2DBackpropFilter'], 'Conv2d weight gradients');
 * ```
 */
export function requireKernels(names: readonly string[], purpose = 'training'): void {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new ArgumentTypeError(`requireKernels(): names must be a list of kernel names, got ${describeValue(names)}`);
  }
  const backend = tf.getBackend();
  const missing = names.filter((n) => !tf.getKernel(n, backend));
  if (missing.length === 0) return;
  const what = missing.length === 1 ? `kernel '${missing[0]}'` : `kernels ${missing.map((n) => `'${n}'`).join(', ')}`;
  const hint =
    backend === 'wasm' && missing.some((n) => n.startsWith('Conv2DBackprop'))
      ? " (call registerWasmTrainingKernels() after importing '@tensorflow/tfjs-backend-wasm', or use initBackend('wasm'))"
      : '';
  throw new BackendError(`Backend '${backend}' has no ${what} needed for ${purpose}${hint}`);
}
