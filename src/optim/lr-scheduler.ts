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
export {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  LRScheduler,
  MultiplicativeLR,
  MultiStepLR,
  PolynomialLR,
  StepLR,
} from './scheduler';
export type { Group, LrLambda, Scheduler, SchedulerStateDict } from './scheduler';
export {
  ChainedScheduler,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SequentialLR,
} from './scheduler-cyclic';
