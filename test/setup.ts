// Every test runs on tfjs's reference `cpu` backend unless it sets another one itself.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
