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

import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of `Conv2DBackpropFilter` (conv2d's weight gradient), which tfjs does not register: needed when a
 * `createGraph` backward differentiates a convolution's weight gradient again (torch's double backward of conv2d).
 * The op is bilinear in `x` and `dy`, so its gradient with respect to `x` is the input gradient of a convolution
 * with the incoming filter gradient as the filter, and with respect to `dy` that convolution's forward.
 */
tf.registerGradient({
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as tf.Tensor4D[];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return {
      x: () =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: ddw as tf.Tensor4D }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      dy: () => tf.conv2d(x, ddw as tf.Tensor4D, strides, pad as 'valid', dataFormat, 1, dimRoundingMode),
    };
  },
});
