// Child process of test/wasm-threads.test.ts (issue 9 item 4): starts the default backend (wasm, threaded by default
// on 2+ cores) through the built package, then throws from a named function. Node must report the error at the
// caller, as it does without the backend: tfjs-backend-wasm's Emscripten glue installs an uncaughtException handler
// that rethrows from inside the glue, which under tsx prints the glue's whole source line (36 KB).
import { initBackend } from 'tfjs-torch';

const backend = await initBackend();
console.log(`backend ${backend}`);

function theCallerThatThrows(): never {
  throw new Error('an error from the caller');
}

if (process.argv[2] === 'reject') await Promise.reject(new Error('a rejection from the caller'));
theCallerThatThrows();
