// The fuzz suite's cases (issue 18): malformed calls of the public API, each expected to fail with a library
// error (a TorchError subclass) and leak nothing. Run by test/fuzz.test.ts in child processes (test/fuzz/child.ts)
// against the built package, so this file imports nothing from src/: it gets the library as `lib`.
//
// Adding an API:
// - a module or function torch refuses the generic bad calls for (a string where a number or tensor goes, an
//   unknown option): nothing to do, every export of `nn`, `F`, `optim` and the top level gets them;
// - specific bad calls: one line in CASES: `['F.softmax dim=0.5', ({ F }, t) => F.softmax(t.x2d(), 0.5)]`.
// - a call that torch accepts (the generic case does not apply): one line in ACCEPTS with the reason.
// - a name starting with `wasm ` runs the case on the wasm backend, then checks that the backend still computes.
import type * as tfType from '@tensorflow/tfjs-core';

/** The package's top-level exports (`import * as lib from 'tfjs-torch'`). */
// The built package is loaded at run time, typed loosely on purpose.
export type Lib = Record<string, any>;

/** Fresh inputs for a case (created inside the case, so they count in its tensor balance only if leaked). */
export interface Inputs {
  tf: typeof tfType;
  /** A live float32 tensor of shape [2, 3]. */
  x2d(): tfType.Tensor;
  /** A live float32 tensor of shape [2, 3, 8, 8] (NCHW). */
  x4d(): tfType.Tensor;
  /** A disposed tensor. */
  disposed(): tfType.Tensor;
  /**
   * Marks what the case itself builds (a tensor, a module, an array of them): freed after the call, so only
   * what the library leaks counts.
   */
  own<T>(x: T): T;
}

/** One malformed call: its name and what it does. It must throw a TorchError and free what it allocated. */
export type FuzzCase = [name: string, run: (lib: Lib, t: Inputs) => unknown];

const huge = 2 ** 31;

/** A torch file-like zip with a hand-made pickle (what `serializeTorchFile` writes for `obj`), then corrupted. */
const torchFile = (lib: Lib, obj: unknown): Uint8Array => lib.serializeTorchFile(obj);

/** Hand-written cases: the risky calls (sizes, dims, dtypes, files, autograd misuse, disposed tensors). */
export const CASES: FuzzCase[] = [
  // tensor factories
  ['torch.randn huge size', ({ randn }) => randn([2 ** 16, 2 ** 16])],
  ['torch.randint huge size', ({ randint }) => randint(10, [huge])],
  ['torch.zeros negative', ({ zeros }) => zeros([2, -1])],
  ['torch.zeros float64', ({ zeros }) => zeros([2, 3], { dtype: 'float64' })],
  ['torch.zeros NaN size', ({ zeros }) => zeros(Number.NaN)],
  ['torch.zeros typo option', ({ zeros }) => zeros([2], { dtyp: 'int32' })],
  ['torch.full int32 overflow', ({ full }) => full([2], 2 ** 40, { dtype: 'int32' })],
  ['torch.full int32 NaN', ({ full }) => full([2], Number.NaN, { dtype: 'int32' })],
  ['torch.full string value', ({ full }) => full([2], 'a')],
  ['torch.tensor int32 overflow', ({ tensor }) => tensor([1, 2 ** 40], { dtype: 'int32' })],
  ['torch.tensor ragged', ({ tensor }) => tensor([[1, 2], [3]])],
  ['torch.tensor strings', ({ tensor }) => tensor(['a'])],
  ['torch.tensor disposed', ({ tensor }, t) => tensor(t.disposed())],
  ['torch.arange int32 wrap', ({ arange }) => arange(0, 2 ** 31 + 2, 2 ** 30)],
  ['torch.arange infinite', ({ arange }) => arange(0, Number.POSITIVE_INFINITY)],
  ['torch.arange zero step', ({ arange }) => arange(0, 10, 0)],
  ['torch.randperm negative', ({ randperm }) => randperm(-1)],
  ['torch.randperm huge', ({ randperm }) => randperm(huge)],
  ['torch.normal negative std', ({ normal }) => normal(0, -1, [2])],
  ['torch.randint low >= high', ({ randint }) => randint(5, 3, [2])],
  ['torch.item two elements', ({ item }, t) => item(t.x2d())],
  ['torch.item disposed', ({ item }, t) => item(t.disposed())],
  ['torch.zerosLike disposed', ({ zerosLike }, t) => zerosLike(t.disposed())],
  ['torch.manualSeed string', ({ manualSeed }) => manualSeed('1')],
  ['torch.manualSeed float', ({ manualSeed }) => manualSeed(1.5)],
  // files
  ['parseTorchFile array', ({ parseTorchFile }) => parseTorchFile(Array.from(new Uint8Array(30)))],
  ['parseTorchFile null', ({ parseTorchFile }) => parseTorchFile(null)],
  ['parseTorchFile string', ({ parseTorchFile }) => parseTorchFile('model.pt')],
  ['parseTorchFile ArrayBuffer', ({ parseTorchFile }) => parseTorchFile(new ArrayBuffer(30))],
  ['parseTorchFile empty', ({ parseTorchFile }) => parseTorchFile(new Uint8Array(0))],
  [
    'parseTorchFile maxTensorBytes NaN',
    (lib) => lib.parseTorchFile(torchFile(lib, null), { maxTensorBytes: Number.NaN }),
  ],
  ['parseTorchFile option typo', (lib) => lib.parseTorchFile(torchFile(lib, null), { verifyCRC: false })],
  [
    'parseTorchFile truncated',
    (lib) => {
      const b = torchFile(lib, new Map([['w', { dtype: 'float32', shape: [4], data: new Float32Array(4) }]]));
      return lib.parseTorchFile(b.subarray(0, b.length - 30));
    },
  ],
  [
    'parseTorchFile flipped byte',
    (lib) => {
      const b = torchFile(lib, new Map([['w', { dtype: 'float32', shape: [4], data: new Float32Array(4) }]])).slice();
      const v = new DataView(b.buffer);
      b[30 + v.getUint16(26, true) + v.getUint16(28, true)] ^= 0xff; // the first record's first data byte
      return lib.parseTorchFile(b);
    },
  ],
  ['parseSafetensors null', ({ parseSafetensors }) => parseSafetensors(null)],
  ['parseSafetensors garbage', ({ parseSafetensors }) => parseSafetensors(new Uint8Array(64).fill(255))],
  ['serializeTorchFile function', ({ serializeTorchFile }) => serializeTorchFile(() => 1)],
  ['serializeTorchFile typo option', ({ serializeTorchFile }) => serializeTorchFile(null, { archiveNam: 'x' })],
  // autograd
  ['Parameter disposed', ({ Parameter }, t) => new Parameter(t.disposed())],
  ['Parameter string', ({ Parameter }) => new Parameter('a')],
  ['Parameter int32', ({ Parameter }, t) => new Parameter(t.own(t.tf.zeros([2], 'int32')))],
  [
    'Parameter.grad wrong shape',
    ({ Parameter }, t) => withParam(Parameter, t, (p) => (p.grad = t.own(t.tf.ones([3, 3])))),
  ],
  [
    'setGradOf wrong shape',
    ({ Parameter, setGradOf }, t) => withParam(Parameter, t, (p) => setGradOf(p, t.own(t.tf.ones([3, 3])))),
  ],
  ['backward string', ({ backward }) => backward('loss')],
  ['backward no grad', ({ backward }, t) => backward(t.own(t.tf.sum(t.x2d())))],
  ['backward non-scalar', ({ Parameter, backward }, t) => withParam(Parameter, t, (p) => backward(t.own(p.mul(2))))],
  [
    'backward inputs empty',
    ({ Parameter, backward }, t) => withParam(Parameter, t, (p) => backward(t.own(p.sum()), null, { inputs: [] })),
  ],
  ['backward disposed', ({ backward }, t) => backward(t.disposed())],
  // layers and functions: sizes, dims, options (the examples)
  ['nn.Linear string size', ({ nn }) => new nn.Linear('4', 4)],
  ['nn.Linear typo option', ({ nn }) => new nn.Linear(8, 5, { biass: true })],
  ['nn.Linear huge', ({ nn }) => new nn.Linear(huge, huge)],
  ['nn.Linear int32 input', ({ nn }, t) => t.own(new nn.Linear(3, 2)).forward(t.own(t.tf.zeros([2, 3], 'int32')))],
  ['nn.Linear wrong features', ({ nn }, t) => t.own(new nn.Linear(4, 2)).forward(t.x2d())],
  ['nn.Linear disposed input', ({ nn }, t) => t.own(new nn.Linear(3, 2)).forward(t.disposed())],
  ['nn.Conv2d strides typo', ({ nn }) => new nn.Conv2d(1, 4, 3, { strides: 2 })],
  ['nn.Conv2d huge padding', ({ nn }, t) => t.own(new nn.Conv2d(3, 4, 3, { padding: 2 ** 20 })).forward(t.x4d())],
  ['nn.Conv2d wrong rank', ({ nn }, t) => t.own(new nn.Conv2d(3, 4, 3)).forward(t.x2d())],
  ['nn.Conv2d zero channels', ({ nn }) => new nn.Conv2d(0, 4, 3)],
  ['nn.BatchNorm2d huge', ({ nn }) => new nn.BatchNorm2d(huge)],
  ['nn.BatchNorm2d eps string', ({ nn }) => new nn.BatchNorm2d(3, { eps: '1e-5' })],
  ['nn.BatchNorm2d momentum string', ({ nn }) => new nn.BatchNorm2d(3, { momentum: '0.1' })],
  ['nn.BatchNorm2d wrong channels', ({ nn }, t) => t.own(new nn.BatchNorm2d(5)).forward(t.x4d())],
  ['nn.LeakyReLU NaN', ({ nn }) => new nn.LeakyReLU(Number.NaN)],
  ['nn.Dropout null', ({ nn }) => new nn.Dropout(null)],
  ['nn.Dropout p > 1', ({ nn }) => new nn.Dropout(1.5)],
  ['nn.CrossEntropyLoss labelSmoothing NaN', ({ nn }) => new nn.CrossEntropyLoss({ labelSmoothing: Number.NaN })],
  ['nn.CrossEntropyLoss labelSmoothing negative', ({ nn }) => new nn.CrossEntropyLoss({ labelSmoothing: -0.1 })],
  ['nn.BCELoss reduce legacy', ({ nn }) => new nn.BCELoss({ reduce: false })],
  ['nn.Unfold string forward', ({ nn }, t) => t.own(new nn.Unfold('bad')).forward(t.x4d())],
  ['nn.Module subclass extra argument', ({ nn }) => new nn.Tanh(1)],
  [
    'nn.Loss subclass of the user',
    ({ nn }) => {
      const MyLoss: new (...args: unknown[]) => unknown = class extends nn.Loss {};
      return new MyLoss({ reduction: 'avg' });
    },
  ],
  ['torch.broadcastShapes negative', ({ broadcastShapes }) => broadcastShapes([2, -1])],
  ['torch.fmod two numbers', ({ fmod }) => fmod(5, 3)],
  ['torch.remainder mismatch leaks nothing', ({ remainder }, t) => remainder(t.x2d(), t.own(t.tf.ones([4], 'int32')))],
  ['torch.eq int tensor mismatch', ({ eq }, t) => eq(t.x2d(), t.own(t.tf.ones([4], 'int32')))],
  ['torch.isclose mismatch', ({ isclose }, t) => isclose(t.x2d(), t.own(t.tf.ones([4], 'int32')))],
  ['torch.empty huge', ({ empty }) => empty([2 ** 16, 2 ** 16])],
  ['createDCGAN typo option', ({ createDCGAN }) => createDCGAN({ generatr: {} })],
  ['createDCGAN bad generator leaks nothing', ({ createDCGAN }) => createDCGAN({ generator: { zDim: -1 } })],
  ['resnet18 numClasses string', ({ resnet18 }) => resnet18({ numClasses: '10' })],
  ['nn.RNNBase torch signature bad size', ({ nn }) => new nn.RNNBase('LSTM', 3, 0)],
  ['nn.RNNCellBase num_chunks 2', ({ nn }) => new nn.RNNCellBase(3, 4, true, 2)],
  ['nn.init.constant_ string', ({ nn }, t) => withParam(nn.Parameter, t, (p) => nn.init.constant_(p, 'a'))],
  ['F.softmax dim 0.5', ({ F }, t) => F.softmax(t.x2d(), 0.5)],
  ['F.softmax dim 1.5', ({ F }, t) => F.softmax(t.x2d(), 1.5)],
  ['F.softmax dim 5', ({ F }, t) => F.softmax(t.x2d(), 5)],
  ['F.logSoftmax dim 0.5', ({ F }, t) => F.logSoftmax(t.x2d(), 0.5)],
  ['wasm F.softmax dim 0.5', ({ F }, t) => F.softmax(t.x2d(), 0.5)],
  ['wasm F.logSoftmax dim 0.5', ({ F }, t) => F.logSoftmax(t.x2d(), 0.5)],
  ['wasm F.softmax dim 5', ({ F }, t) => F.softmax(t.x2d(), 5)],
  ['wasm nn.Conv2d wrong channels', ({ nn }, t) => t.own(new nn.Conv2d(4, 4, 3)).forward(t.x4d())],
  ['wasm nn.BatchNorm2d wrong channels', ({ nn }, t) => t.own(new nn.BatchNorm2d(5)).forward(t.x4d())],
  ['wasm nn.MaxPool2d huge kernel', ({ nn }, t) => t.own(new nn.MaxPool2d(2 ** 20)).forward(t.x4d())],
  // newer APIs: bad values torch 1.13 refuses (each checked with torch first)
  ['DataLoader batchSize 0', (l, t) => new l.DataLoader(tensorDataset(l, t), { batchSize: 0 })],
  ['DataLoader batchSize 1.5', (l, t) => new l.DataLoader(tensorDataset(l, t), { batchSize: 1.5 })],
  ['DataLoader batchSize string', (l, t) => new l.DataLoader(tensorDataset(l, t), { batchSize: '4' })],
  ['DataLoader typo option', (l, t) => new l.DataLoader(tensorDataset(l, t), { batchsize: 4 })],
  ['DataLoader numWorkers negative', (l, t) => new l.DataLoader(tensorDataset(l, t), { numWorkers: -1 })],
  ['TensorDataset size mismatch', (l, t) => new l.TensorDataset(t.own(t.tf.zeros([3])), t.own(t.tf.zeros([4])))],
  ['randomSplit lengths do not sum', (l) => l.utils.data.randomSplit([1, 2, 3, 4, 5], [2, 2])],
  ['StepLR typo option', (l, t) => new l.optim.lrScheduler.StepLR(sgd(l, t), { stepSize: 2, gama: 0.1 })],
  ['OneCycleLR no total steps', (l, t) => new l.optim.lrScheduler.OneCycleLR(sgd(l, t), 0.1)],
  [
    'CyclicLR cycleMomentum without momentum',
    (l, t) => new l.optim.lrScheduler.CyclicLR(new l.optim.Adam(t.own(new l.nn.Linear(2, 2)).parameters()), 0.01, 0.1),
  ],
  ['ReduceLROnPlateau mode typo', (l, t) => new l.optim.lrScheduler.ReduceLROnPlateau(sgd(l, t), { mode: 'maxx' })],
  ['ReduceLROnPlateau factor 1', (l, t) => new l.optim.lrScheduler.ReduceLROnPlateau(sgd(l, t), { factor: 1.0 })],
  ['LambdaLR too many lambdas', (l, t) => new l.optim.lrScheduler.LambdaLR(sgd(l, t), [() => 1, () => 2])],
  [
    'padSequence trailing mismatch',
    ({ nn }, t) => nn.utils.padSequence([t.own(t.tf.zeros([2, 3])), t.own(t.tf.zeros([3, 4]))]),
  ],
  ['packPaddedSequence unsorted', ({ nn }, t) => nn.utils.packPaddedSequence(t.own(t.tf.zeros([3, 2, 1])), [2, 3])],
  ['packPaddedSequence zero length', ({ nn }, t) => nn.utils.packPaddedSequence(t.own(t.tf.zeros([3, 2, 1])), [3, 0])],
  ['weightNorm no such parameter', ({ nn }, t) => nn.utils.weightNorm(t.own(new nn.Linear(2, 2)), 'nope')],
  [
    'spectralNorm zero iterations',
    ({ nn }, t) => nn.utils.spectralNorm(t.own(new nn.Linear(2, 2)), { nPowerIterations: 0 }),
  ],
  ['F.oneHot class too large', ({ F }, t) => F.oneHot(t.own(t.tf.tensor1d([0, 3], 'int32')), 2)],
  ['F.oneHot float input', ({ F }, t) => F.oneHot(t.own(t.tf.tensor1d([0, 1])), 2)],
  ['torch.cat mismatch', ({ cat }, t) => cat([t.own(t.tf.zeros([2, 3])), t.own(t.tf.zeros([2, 4]))])],
  ['torch.cat empty', ({ cat }) => cat([])],
  ['torch.stack mismatch', ({ stack }, t) => stack([t.own(t.tf.zeros([2])), t.own(t.tf.zeros([3]))])],
  ['torch.einsum unknown output', ({ einsum }, t) => einsum('ij,jk->il', t.x2d(), t.own(t.tf.zeros([3, 4])))],
  ['linalg.vectorNorm int input', ({ linalg }, t) => linalg.vectorNorm(t.own(t.tf.tensor1d([1, 2], 'int32')))],
  ['torch.narrow past the end', ({ narrow }, t) => narrow(t.own(t.tf.zeros([4])), 0, 2, 5)],
  ['torch.repeat fewer dims', ({ repeat }, t) => repeat(t.x2d(), 2)],
  ['torch.view incompatible', ({ view }, t) => view(t.x2d(), 4)],
  ['torch.flatten start after end', ({ flatten }, t) => flatten(t.x4d(), 2, 1)],
  ['torch.topk k too large', ({ topk }, t) => topk(t.own(t.tf.zeros([3])), 5)],
  ['torch.diagonal same dims', ({ diagonal }, t) => diagonal(t.x2d(), 0, 1, 1)],
  ['torch.tensordot size mismatch', ({ tensordot }, t) => tensordot(t.x2d(), t.own(t.tf.zeros([4, 5])), 1)],
  ['torch.mm shape mismatch', ({ mm }, t) => mm(t.x2d(), t.own(t.tf.zeros([4, 5])))],
  ['torch.cdist negative p', ({ cdist }, t) => cdist(t.x2d(), t.x2d(), -1)],
  ['torch.unflatten wrong sizes', ({ unflatten }, t) => unflatten(t.own(t.tf.zeros([6])), 0, [4, 2])],
  ['torch.expand smaller', ({ expand }, t) => expand(t.own(t.tf.zeros([3])), 2)],
  ['torch.chunk 0', ({ chunk }, t) => chunk(t.own(t.tf.zeros([4])), 0)],
  ['torch.split 0', ({ split }, t) => split(t.own(t.tf.zeros([4])), 0)],
  ['torch.roll shifts and dims differ', ({ roll }, t) => roll(t.x2d(), [1, 2], [0])],
  ['torch.tile negative', ({ tile }, t) => tile(t.own(t.tf.zeros([2])), [-1])],
  ['nn.Embedding paddingIdx out of range', ({ nn }) => new nn.Embedding(3, 2, { paddingIdx: 5 })],
  ['nn.MultiheadAttention heads do not divide', ({ nn }) => new nn.MultiheadAttention(5, 2)],
  ['nn.TransformerEncoderLayer heads do not divide', ({ nn }) => new nn.TransformerEncoderLayer(5, 2)],
  ['nn.GroupNorm groups do not divide', ({ nn }) => new nn.GroupNorm(3, 4)],
  [
    'nn.Upsample size and scaleFactor',
    ({ nn }, t) => t.own(new nn.Upsample({ size: 4, scaleFactor: 2 })).forward(t.x4d()),
  ],
  ['F.interpolate unknown mode', ({ F }, t) => F.interpolate(t.x4d(), { scaleFactor: 2, mode: 'cubic' })],
  ['F.pad negative past the size', ({ F }, t) => F.pad(t.x2d(), [-4, 0])],
  ['F.pixelShuffle channels not divisible', ({ F }, t) => F.pixelShuffle(t.x4d(), 2)],
  ['F.layerNorm shape mismatch', ({ F }, t) => F.layerNorm(t.x2d(), [4])],
  ['nn.Fold blocks mismatch', ({ nn }, t) => t.own(new nn.Fold(3, 2)).forward(t.own(t.tf.zeros([1, 4, 5])))],
  [
    'F.maxUnpool2d index out of range',
    ({ F }, t) => F.maxUnpool2d(t.own(t.tf.zeros([1, 1, 2, 2])), t.own(t.tf.fill([1, 1, 2, 2], 100, 'int32')), 2),
  ],
  // bad dims and indices on wasm: refused before any kernel touches the heap
  ['wasm torch.sum dim 0.5', ({ sum }, t) => sum(t.x2d(), 0.5)],
  ['wasm torch.cumsum dim 5', ({ cumsum }, t) => cumsum(t.x2d(), 5)],
  ['wasm torch.transpose dim -3', ({ transpose }, t) => transpose(t.x2d(), -3, 0)],
  ['wasm torch.gather index out of range', ({ gather }, t) => gather(t.x2d(), 1, t.own(t.tf.fill([2, 3], 7, 'int32')))],
  [
    'wasm torch.indexSelect index out of range',
    ({ indexSelect }, t) => indexSelect(t.x2d(), 0, t.own(t.tf.tensor1d([5], 'int32'))),
  ],
  [
    'wasm F.embedding index out of range',
    ({ F }, t) => F.embedding(t.own(t.tf.tensor1d([9], 'int32')), t.own(t.tf.zeros([3, 2]))),
  ],
  [
    'wasm F.crossEntropy target out of range',
    ({ F }, t) => F.crossEntropy(t.x2d(), t.own(t.tf.tensor1d([0, 3], 'int32'))),
  ],
  ['wasm F.maxPool2d huge kernel', ({ F }, t) => F.maxPool2d(t.x4d(), 2 ** 20)],
  ['optim.SGD lr string', ({ nn, optim }, t) => new optim.SGD(t.own(new nn.Linear(2, 2)).parameters(), { lr: '0.1' })],
  ['optim.SGD negative lr', ({ nn, optim }, t) => new optim.SGD(t.own(new nn.Linear(2, 2)).parameters(), { lr: -1 })],
  [
    'optim.Adam amsgrad string',
    ({ nn, optim }, t) => new optim.Adam(t.own(new nn.Linear(2, 2)).parameters(), { amsgrad: 'yes' }),
  ],
  [
    'optim.Adam betas number',
    ({ nn, optim }, t) => new optim.Adam(t.own(new nn.Linear(2, 2)).parameters(), { betas: 0.9 }),
  ],
  ['optim.Adam params string', ({ optim }) => new optim.Adam('params')],
];

// `FUZZ_SELFTEST=1 npx vitest run test/fuzz.test.ts`: a crash and a hang, to see the suite classify them.
if (process.env.FUZZ_SELFTEST) {
  CASES.push(['selftest crash', () => process.exit(3)]);
  CASES.push([
    'selftest hang',
    () => {
      for (;;);
    },
  ]);
}

/** A 5-sample TensorDataset owned by the case. */
function tensorDataset(l: Lib, t: Inputs): unknown {
  return new l.TensorDataset(t.own(t.tf.zeros([5, 2])));
}

/** An SGD optimizer over a fresh Linear(2, 2) owned by the case. */
function sgd(l: Lib, t: Inputs): unknown {
  return new l.optim.SGD(t.own(new l.nn.Linear(2, 2)).parameters(), { lr: 0.1 });
}

/** Creates a parameter for a case and disposes it afterwards (whatever the case does), so only leaks count. */
function withParam(Parameter: Lib[string], t: Inputs, fn: (p: Lib[string]) => unknown): unknown {
  const zeros = t.tf.zeros([3]);
  const p = new Parameter(zeros);
  zeros.dispose();
  try {
    return fn(p);
  } finally {
    p.dispose();
  }
}

/**
 * Generic bad calls for every export (modules, functions, optimizers), derived from the package itself:
 * `new nn.X('bad')`, `new nn.X({ noSuchOption: 1 })`, `F.x('bad')`, `F.x(disposed)`, `fn('bad')` and
 * `fn(disposed)` for top-level functions, `new optim.X('bad')`, the same for the namespaces (`nn.init`,
 * `nn.utils`, `optim.lrScheduler`, `utils.data`, `linalg`, `autograd`, `transforms`) and `new X('bad')` for the
 * top-level classes. The names they get: `generic nn.X string`, `generic utils.data.DataLoader unknown option`,
 * `generic new ResNet string`, ...
 * @param lib the package.
 */
export function genericCases(lib: Lib): FuzzCase[] {
  const out: FuzzCase[] = [];
  const isClass = (v: unknown) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
  for (const [name, v] of Object.entries(lib.nn as Lib)) {
    if (!isClass(v) || name === 'init') continue;
    out.push([`generic nn.${name} string`, ({ nn }) => new nn[name]('bad')]);
    out.push([`generic nn.${name} unknown option`, ({ nn }) => new nn[name]({ noSuchOption: 1 })]);
  }
  for (const [name, v] of Object.entries(lib.F as Lib)) {
    if (typeof v !== 'function') continue;
    out.push([`generic F.${name} string`, ({ F }) => F[name]('bad')]);
    out.push([`generic F.${name} disposed`, ({ F }, t) => F[name](t.disposed())]);
    out.push([`generic F.${name} unknown option`, ({ F }, t) => F[name](t.x4d(), { noSuchOption: 1 })]);
  }
  for (const [name, v] of Object.entries(lib.optim as Lib)) {
    if (!isClass(v)) continue;
    out.push([`generic optim.${name} string`, ({ optim }) => new optim[name]('bad')]);
  }
  for (const [name, v] of Object.entries(lib)) {
    if (typeof v !== 'function' || isClass(v) || /^[A-Z]/.test(name)) continue;
    out.push([`generic ${name} string`, (l) => l[name]('bad')]);
    out.push([`generic ${name} disposed`, (l, t) => l[name](t.disposed())]);
    out.push([`generic ${name} unknown option`, (l, t) => l[name](t.x2d(), { noSuchOption: 1 })]);
  }
  // The namespaces' functions and classes, then the top-level classes, each once (DataLoader is both
  // `utils.data.DataLoader` and top-level; it gets the first name).
  const seen = new Set<unknown>(
    [lib.nn, lib.F, lib.optim, lib].flatMap((o: Lib) =>
      Object.entries(o)
        .filter(([n, v]) => o !== lib || !(isClass(v) || /^[A-Z]/.test(n)))
        .map(([, v]) => v),
    ),
  );
  const at = (l: Lib, path: string): Lib => path.split('.').reduce((o: Lib, k) => o[k], l);
  for (const path of ['nn.init', 'nn.utils', 'optim.lrScheduler', 'utils.data', 'linalg', 'autograd', 'transforms']) {
    const space = at(lib, path) as Lib | undefined;
    for (const [name, v] of Object.entries(space ?? {})) {
      if (typeof v !== 'function' || seen.has(v)) continue;
      seen.add(v);
      if (isClass(v)) {
        out.push([`generic ${path}.${name} string`, (l) => new (at(l, path)[name])('bad')]);
        out.push([`generic ${path}.${name} unknown option`, (l) => new (at(l, path)[name])({ noSuchOption: 1 })]);
      } else {
        out.push([`generic ${path}.${name} string`, (l) => at(l, path)[name]('bad')]);
      }
    }
  }
  for (const [name, v] of Object.entries(lib)) {
    // error classes take any message
    if (!isClass(v) || seen.has(v) || v.prototype instanceof Error) continue;
    seen.add(v);
    out.push([`generic new ${name} string`, (l) => new l[name]('bad')]);
    out.push([`generic new ${name} unknown option`, (l) => new l[name]({ noSuchOption: 1 })]);
  }
  return out;
}

/**
 * Whether a case is accepted (not run): listed in {@link ACCEPTS}, or the `disposed` or `unknown option`
 * variant of an accepted `string` case (a predicate or a no-argument function accepts any value alike).
 * @param name the case.
 */
export function accepted(name: string): boolean {
  return name in ACCEPTS || name.replace(/ (disposed|unknown option)$/, ' string') in ACCEPTS;
}

/**
 * Generic cases whose call torch accepts (so returning normally is right): name → reason. Keep it short and
 * honest; every entry is a call that does not fail in PyTorch 1.13 either.
 */
export const ACCEPTS: Record<string, string> = {
  'generic nn.Identity string': 'torch.nn.Identity(*args, **kwargs) ignores its arguments',
  'generic new OrderedDict unknown option': "Python's OrderedDict(noSuchOption=1) is a dict with that entry",
  'generic nn.Identity unknown option': 'torch.nn.Identity(*args, **kwargs) ignores its arguments',
  'generic isTuple string': "a predicate: isTuple('bad') is false",
  'generic isTensorData string': "a predicate: isTensorData('bad') is false",
  'generic isLeaf string': "autograd predicate (torch's t.is_leaf is a property; any value answers)",
  'generic requiresGrad string': 'a predicate: false for anything that is not a tensor requiring grad',
  'generic isGradEnabled string': 'takes no arguments (extra JS arguments cannot be detected without a wrapper)',
  'generic seed string': 'takes no arguments (torch.seed())',
  'generic initialSeed string': 'takes no arguments (torch.initial_seed())',
  'generic getRngState string': 'takes no arguments (torch.get_rng_state())',
  'generic tapeSize string': 'takes no arguments (a diagnostic)',
  'generic sweepTape string': 'takes no arguments (a diagnostic)',
  'generic tuple string': "tuple('bad') is the 1-tuple ('bad',): any Python value goes in a tuple",
  'generic describe string': 'describes any value',
  'generic serializeTorchFile string': "torch.save('bad', f) saves the string",
  'generic registerWasmTrainingKernels string': 'takes no arguments (registers kernels; idempotent)',
  'generic formatShape string': 'an internal formatter exported for messages (not a torch API)',
  'generic nn.Unfold string':
    "torch.nn.Unfold('bad') constructs; F.unfold checks kernel_size at forward, as torch (case 'nn.Unfold string forward')",
  'generic utils.data.SequentialSampler string': "torch's SequentialSampler('bad') samples 0, 1, 2 (a str has a len)",
  'generic utils.data.RandomSampler string': "torch's RandomSampler('bad') permutes 0, 1, 2 (a str has a len)",
  'generic utils.data.SubsetRandomSampler string': "torch's SubsetRandomSampler('bad') yields the characters, as here",
  'nn.CrossEntropyLoss labelSmoothing negative':
    'torch 1.13 accepts label_smoothing < 0 (no smoothing: only > 0 smooths); kit_ops fixture compares -0.3 with torch',
  'nn.BCELoss reduce legacy':
    "torch 1.13 accepts the legacy reduce=False (per-element losses, a deprecation warning); test/kit-ops.test.ts checks BCELoss's",
};
