/**
 * `tfjs-torch/node`: the Node-only part of tfjs-torch — torch's weight files on disk, MNIST and IDX
 * datasets, PNG grids like torchvision's `save_image`, atomic writes. Everything in `tfjs-torch` is
 * re-exported too, so a script can import from here alone.
 * @module
 */
export * from './core';
export { load, save, loadSafetensors, saveSafetensors } from './io';
export { loadMnist, loadMnistArrays, MNIST } from './mnist';
export type { MnistBytes, MnistOptions, MNISTOptions } from './mnist';
export { readIdx, parseIdx, encodeIdx, loadIdxArrays, loadIdxImages, idxDataset, IDX_MAX_BYTES } from './idx';
export type { IdxArray, IdxDtype, IdxData, ReadIdxOptions } from './idx';
export {
  makeGrid,
  saveImageGrid,
  encodePng,
  makeArticleGrid,
  saveArticleGrid,
  renderLossPlot,
  saveLossPlot,
} from './image';
export type { MakeGridOptions, ArticleGridOptions, LossHistory, LossPlotOptions, ImageBytesHWC } from './image';
export { writeFileAtomic, writeFileAtomicSync } from './atomic';
export { saveCheckpoint, loadCheckpoint } from './checkpoint';
export { ProgressBar, formatDuration } from './progress';
export type { ProgressStream, ProgressBarOptions } from './progress';
