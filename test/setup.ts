// Every test runs on tfjs's reference `cpu` backend unless it sets another one itself.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// What importing the library does first: gradients registered, chained ops, autograd hooks installed.
import '../src/autograd';

await tf.setBackend('cpu');
