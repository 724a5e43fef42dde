/**
 * Registers tfjs's gradient functions for every kernel.
 *
 * tfjs-core does not register them on its own: the `@tensorflow/tfjs` umbrella does, through this same
 * module. Without them nothing can be differentiated. The module is ESM-only inside tfjs-core's `dist/`, so
 * the published builds of tfjs-torch bundle it (tsup `noExternal`); registrations go to tfjs's global
 * gradient registry, shared with the user's copy of tfjs-core. Registering twice is harmless.
 * @module
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
