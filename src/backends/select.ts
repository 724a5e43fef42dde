/**
 * Choosing and initialising the tfjs backend: native TensorFlow when installed, else wasm with the training
 * kernels, else the reference cpu backend. Core-safe: no static import of Node modules; the optional native packages
 * are imported dynamically.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../errors';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { activateThreadedWasm } from './wasm/threads';

/** The environment variable that picks the backend, overriding {@link initBackend}'s argument. */
export const BACKEND_ENV_VAR = 'TFJS_TORCH_BACKEND';

/** The environment variable that sets the wasm backend's thread count in Node (`initBackend`'s `wasmThreads`). */
export const WASM_THREADS_ENV_VAR = 'TFJS_TORCH_WASM_THREADS';

/** Options of {@link initBackend} (inlined in its signature). */
type InitBackendOptions = { wasmThreads?: number };

/** The kernels that training conv layers needs from a backend (forward, input and filter gradients). */
export const CONV_TRAINING_KERNELS: readonly string[] = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];

/** The optional native packages, best first. Both register the backend named `tensorflow`. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** The backends `initBackend` knows how to load, in its automatic order. */
const KNOWN_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;

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

function wasmThreads(options: InitBackendOptions): number {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const fromEnv = proc?.env?.[WASM_THREADS_ENV_VAR]?.trim();
  const n = fromEnv ? Number(fromEnv) : (options.wasmThreads ?? 1);
  if (!Number.isInteger(n) || n < 1) {
    const source = fromEnv ? `${WASM_THREADS_ENV_VAR}=${fromEnv}` : `wasmThreads: ${options.wasmThreads}`;
    throw new BackendError(`${source}: expected a positive integer thread count`);
  }
  return n;
}

async function loadWasm(options: InitBackendOptions = {}): Promise<string> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw new BackendError(`@tensorflow/tfjs-backend-wasm failed to load: ${(err as Error).message ?? err}`);
  }
  registerWasmTrainingKernels();
  const threads = wasmThreads(options);
  if (threads > 1 && isNode()) await activateThreadedWasm(threads);
  else await activate('wasm', '@tensorflow/tfjs-backend-wasm');
  return 'wasm';
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
 * thrown. Without either, the first that works of: `tensorflow` from `@tensorflow/tfjs-node-gpu`, then from
 * `@tensorflow/tfjs-node` (optional peer dependencies, Node only: absent ones are skipped silently, an installed one
 * that fails to load is reported with `console.warn` and skipped), `wasm` (with {@link registerWasmTrainingKernels}
 * applied, so conv layers can train), then `cpu`.
 *
 * @param preferred Backend name: `'tensorflow'`, `'wasm'`, `'cpu'`, or one the app registered (e.g. `'webgl'` after
 *   importing its package). Default: automatic choice.
 * @param options `wasmThreads`: XNNPACK threads of the `wasm` backend in Node, 1 to 8. tfjs-backend-wasm runs
 *   single-threaded in Node; more threads use its threaded binary through a workaround pinned to tfjs 4.22.0.
 *   Overridden by the environment variable `TFJS_TORCH_WASM_THREADS`. Worth it on idle cores only: on a busy machine
 *   the threads wait for each other. Ignored outside Node. Default: `1`.
 * @returns The active backend's name.
 * @throws BackendError for an unknown name (the message lists the available ones) or a named backend that fails.
 * @example
 * ```ts
 * const backend = await initBackend();   // 'tensorflow' if tfjs-node is installed, else 'wasm'
 * requireKernels(CONV_TRAINING_KERNELS, 'training the DCGAN');
 * await initBackend('wasm', { wasmThreads: 2 }); // in a fresh Node process, on idle cores
 * ```
 */
export async function initBackend(preferred?: string, options: { wasmThreads?: number } = {}): Promise<string> {
  const fromEnv = envBackend();
  if (fromEnv) return loadNamed(fromEnv, `${BACKEND_ENV_VAR}=${fromEnv}`, options);
  if (preferred) return loadNamed(preferred, `initBackend('${preferred}')`, options);
  if (isNode()) {
    try {
      const got = await loadTensorflow();
      if (got) return got;
    } catch (err) {
      console.warn(`tfjs-torch: ${(err as Error).message}; trying the wasm backend`);
    }
  }
  try {
    return await loadWasm(options);
  } catch (err) {
    console.warn(`tfjs-torch: ${(err as Error).message}; falling back to the cpu backend`);
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
