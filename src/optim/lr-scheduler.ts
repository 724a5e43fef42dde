/**
 * `torch.optim.lr_scheduler` as `optim.lrScheduler`: every torch 1.13 learning-rate scheduler.
 *
 * ```ts
 * import { optim } from 'tfjs-torch';
 * const optimizer = new optim.Adadelta(model.parameters(), 1.0);
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, 1, 0.7);
 * ```
 * @module
 */
export { LRScheduler } from './scheduler';
export type { Group, Scheduler, SchedulerStateDict } from './scheduler';
export {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  MultiStepLR,
  PolynomialLR,
  StepLR,
} from './scheduler-decay';
export type { LrLambda } from './scheduler-decay';
export { CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR } from './scheduler-cyclic';
export { ReduceLROnPlateau } from './scheduler-plateau';
export { ChainedScheduler, SequentialLR } from './scheduler-composite';
