/**
 * Imperative autograd over tfjs's engine tape, in one import: torch's `loss.backward()` across ordinary
 * statements. The parts, one job per file:
 *
 * - `recorder.ts`: the hooks on tfjs's engine that record every op whose input requires a gradient, share saved
 *   tensors' memory, and sweep nodes no live tensor depends on;
 * - `grad-mode.ts`: `noGrad`, `enableGrad`, `setGradEnabled`, `isGradEnabled`;
 * - `requires-grad.ts`: `requiresGrad`, `isLeaf`, `requiresGrad_`, `detach`, leaves' gradients;
 * - `backward.ts`: `backward` and the backward pass `autograd.grad` shares.
 * @module
 */
export { backward, runBackward } from './backward';
export type { BackwardOptions } from './backward';
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from './grad-mode';
export { installAutograd, needsInputGrad, SUPPORTED_TFJS_CORE, sweepTape, tapeSize } from './recorder';
export { detach, gradOf, isLeaf, requiresGrad, requiresGrad_, setGradOf } from './requires-grad';
