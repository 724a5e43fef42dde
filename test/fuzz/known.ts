// Fuzz cases known to fail today, each keyed by case name with its classification and the reason (who owns
// the fix). The suite stays green with these and fails on any other non-CLEAR result; it prints entries that
// have become CLEAR so this list only shrinks. Integrator: route each to its owner, then delete the line.
// Generated from the first full run (07:40 UTC, issue 18); the path is where the API is defined (its owner's file).
export const KNOWN: Record<string, string> = {
  'generic broadcastShapes string': 'SILENT (src/ops): returned an Array (torch.broadcast_shapes refuses a str)',
  'nn.Conv2d huge padding': 'RAW (src/nn/conv.ts): RangeError: Invalid typed array length: 35184573415712',
  'nn.CrossEntropyLoss labelSmoothing negative': 'SILENT (src/nn/loss.ts): returned a CrossEntropyLoss',
  'nn.BCELoss reduce legacy': 'SILENT (src/nn/loss.ts): returned a BCELoss',
  'generic nn.DropoutNd string': "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.DropoutNd unknown option': "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.InplaceActivation string': "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.InplaceActivation unknown option':
    "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.InstanceNormBase string': "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.InstanceNormBase unknown option':
    "RAW (?): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic nn.Loss string': 'SILENT (src/nn/loss.ts): returned a Loss',
  'generic nn.Loss unknown option': 'SILENT (src/nn/loss.ts): returned a Loss',
  'generic nn.Module string': 'SILENT (src/nn/module.ts): returned a _Module',
  'generic nn.Module unknown option': 'SILENT (src/nn/module.ts): returned a _Module',
  'generic nn.RNNBase string':
    "RAW (src/nn/rnn.ts): TypeError: Cannot read properties of undefined (reading 'inputSize')",
  'generic nn.RNNBase unknown option':
    "RAW (src/nn/rnn.ts): TypeError: Cannot read properties of undefined (reading 'inputSize')",
  'generic nn.RNNCellBase string':
    'RAW (src/nn/rnn.ts): Error: Tensor must have a shape comprised of positive integers but got shape [NaN,].',
  'generic nn.RNNCellBase unknown option':
    'RAW (src/nn/rnn.ts): Error: Tensor must have a shape comprised of positive integers but got shape [NaN,].',
  'generic nn.Unfold string': 'SILENT (src/nn/fold.ts): returned a Unfold',
  'generic F.cosineSimilarity string':
    "RAW (src/nn/functional/distance.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic F.cosineSimilarity disposed':
    "RAW (src/nn/functional/distance.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic F.embedding string':
    "RAW (src/nn/functional/embedding.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic F.embedding disposed':
    "RAW (src/nn/functional/embedding.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic F.embeddingBag string':
    "RAW (src/nn/functional/embedding.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic F.embeddingBag disposed':
    "RAW (src/nn/functional/embedding.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic F.instanceNorm string':
    "RAW (src/nn/functional/normalization.ts): TypeError: Cannot read properties of undefined (reading '1')",
  'generic F.multiHeadAttentionForward string':
    "RAW (src/nn/functional/attention.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic F.multiHeadAttentionForward disposed':
    "RAW (src/nn/functional/attention.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic F.normalize string':
    "RAW (src/nn/functional/distance.ts): Error: Argument 'x' passed to 'abs' must be numeric tensor, but got string tensor",
  'generic F.normalize disposed':
    "RAW (src/nn/functional/distance.ts): TypeError: Cannot read properties of undefined (reading 'backend')",
  'generic F.pairwiseDistance string':
    "RAW (src/nn/functional/distance.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic F.pairwiseDistance disposed':
    "RAW (src/nn/functional/distance.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic optim.Optimizer string': 'RAW (?): TypeError: Cannot convert undefined or null to object',
  'generic addcdiv string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'dtype')",
  'generic addcmul string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic addmm string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic all string': 'RAW (src/ops/reduction.ts): Error: Can not upcast string with float32',
  'generic allclose string':
    'RAW (src/ops/math.ts): Error: values passed to tensor(values) must be a number/boolean/string or an array of numbers/booleans/strings',
  'generic amax string': 'SILENT (src/ops/reduction.ts): returned a string tensor []',
  'generic amin string': 'SILENT (src/ops/reduction.ts): returned a string tensor []',
  'generic any string': 'RAW (src/ops): Error: Can not upcast string with float32',
  'generic argmax string':
    'RAW (src/ops/reduction.ts): Error: The new shape () has undefined elements and the old shape () has 1 elements. The new shape and old shap',
  'generic argmin string':
    'RAW (src/ops/reduction.ts): Error: The new shape () has undefined elements and the old shape () has 1 elements. The new shape and old shap',
  'generic argsort string': "RAW (src/ops/sorting.ts): TypeError: Cannot read properties of undefined (reading 'NaN')",
  'generic baddbmm string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic bmm string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic broadcastTensors string':
    "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic cdist string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic countNonzero string': 'RAW (src/ops/reduction.ts): Error: Can not upcast string with float32',
  'generic createDCGAN string': 'SILENT (src/train/gan.ts): returned a Object',
  'generic dcganWeightsInit string': 'SILENT (src/models/dcgan.ts): returned undefined',
  'generic defineFunction string':
    'SILENT (src/autograd/function.ts): returned function (...args) => { const inputs = {}; ',
  'generic detach string': 'SILENT (src/autograd/tape.ts): returned a string tensor []',
  'generic diag string': "RAW (src/ops/select.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic diagonal string':
    "RAW (src/ops/select.ts): Error: Argument 'x' passed to 'transpose' must be numeric tensor, but got string tensor",
  'generic dot string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'rank')",
  'generic empty string':
    'RAW (src/ops/creation.ts): Error: Tensor must have a shape comprised of positive integers but got shape [bad].',
  'generic enableGrad string': 'RAW (src/autograd/tape.ts): TypeError: fn is not a function',
  'generic equal string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic expand string': 'RAW (src/ops/shape.ts): RangeError: Invalid array length',
  'generic expandAs string': "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic flatten string': "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'slice')",
  'generic floorDivide string':
    'LEAK (src/ops/math.ts): +1 tensors after: Error: values passed to tensor(values) must be a number/boolean/string or an array of number',
  'generic fmod string':
    'LEAK (src/ops/math.ts): +1 tensors after: Error: values passed to tensor(values) must be a number/boolean/string or an array of number',
  'generic ganModelsFromCheckpoint string':
    "RAW (src/train/checkpoint.ts): TypeError: Cannot read properties of undefined (reading 'generator')",
  'generic gradOf string': 'SILENT (src/autograd/tape.ts): returned null',
  'generic index string':
    'RAW (src/ops/indexing.ts): Error: values passed to tensor(values) must be a number/boolean/string or an array of numbers/booleans/strings',
  'generic indexPut string': 'RAW (src/ops/indexing.ts): TypeError: indices is not iterable',
  'generic installAutograd string': 'SILENT (src/autograd/tape.ts): returned a Engine',
  'generic isclose string':
    'LEAK (src/ops/math.ts): +1 tensors after: Error: values passed to tensor(values) must be a number/boolean/string or an array of number',
  'generic lerp string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic maskedFill string':
    "RAW (src/ops/indexing.ts): TypeError: Cannot read properties of undefined (reading 'dtype')",
  'generic maskedSelect string':
    "RAW (src/ops/indexing.ts): TypeError: Cannot read properties of undefined (reading 'dtype')",
  'generic max string': 'SILENT (src/ops/reduction.ts): returned a string tensor []',
  'generic maximum string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic median string':
    'RAW (src/ops/sorting.ts): Error: The new shape () has undefined elements and the old shape () has 1 elements. The new shape and old shap',
  'generic min string': 'SILENT (src/ops/reduction.ts): returned a string tensor []',
  'generic minimum string': "RAW (src/ops/math.ts): TypeError: Cannot read properties of undefined (reading 'shape')",
  'generic mm string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic mode string':
    "RAW (src/ops/sorting.ts): Error: Argument 'x' passed to 'transpose' must be numeric tensor, but got string tensor",
  'generic mv string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic nanToNum string': 'SILENT (src/ops/math.ts): returned a string tensor []',
  'generic noGrad string': 'RAW (src/autograd/tape.ts): TypeError: fn is not a function',
  'generic nonzero string': 'RAW (src/ops/indexing.ts): TypeError: input.dataSync is not a function',
  'generic outer string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic permute string': "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'join')",
  'generic prod string': 'SILENT (src/ops/reduction.ts): returned a string tensor []',
  'generic randomBatches string':
    'RAW (src/data/batches.ts): TypeError: undefined is not iterable (cannot read property Symbol(Symbol.iterator))',
  'generic remainder string':
    'LEAK (src/ops/math.ts): +1 tensors after: Error: values passed to tensor(values) must be a number/boolean/string or an array of number',
  'generic repeat string': 'RAW (src/ops/shape.ts): RangeError: Invalid array length',
  'generic requireKernels string': 'RAW (src/backends/select.ts): TypeError: names.filter is not a function',
  'generic resnet18 string': 'SILENT (src/models/resnet.ts): returned a ResNet',
  'generic resnet34 string': 'SILENT (src/models/resnet.ts): returned a ResNet',
  'generic scaleImageBytes string': 'SILENT (src/data/dataset.ts): returned a Float32Array',
  'generic serializeCheckpoint string':
    "RAW (src/train/checkpoint.ts): TypeError: Cannot read properties of undefined (reading 'dLoss')",
  'generic setGradEnabled string': 'SILENT (src/autograd/tape.ts): returned undefined',
  'generic shuffledBatches string':
    'RAW (src/data/batches.ts): TypeError: undefined is not iterable (cannot read property Symbol(Symbol.iterator))',
  'generic sign string':
    "RAW (src/ops/math.ts): Error: Argument 'x' passed to 'sign' must be numeric tensor, but got string tensor",
  'generic sliceAssign string': 'RAW (src/ops/indexing.ts): TypeError: shape is not iterable',
  'generic sort string': "RAW (src/ops/sorting.ts): TypeError: Cannot read properties of undefined (reading 'NaN')",
  'generic squeeze string': "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'filter')",
  'generic sum string':
    "RAW (src/ops/reduction.ts): Error: Argument 'x' passed to 'sum' must be numeric tensor, but got string tensor",
  'generic tensordot string': "RAW (src/ops/linalg.ts): TypeError: Cannot read properties of undefined (reading 'NaN')",
  'generic tile string': "RAW (src/ops/shape.ts): TypeError: Cannot read properties of undefined (reading 'length')",
  'generic tril string': "RAW (src/ops/select.ts): TypeError: Cannot read properties of undefined (reading 'slice')",
  'generic triu string': "RAW (src/ops/select.ts): TypeError: Cannot read properties of undefined (reading 'slice')",
  'generic trunc string': 'SILENT (src/ops/math.ts): returned a string tensor []',
  'generic unbind string': "RAW (src/ops/join.ts): TypeError: Cannot read properties of undefined (reading 'filter')",
  'generic unique string': 'RAW (src/ops/sorting.ts): TypeError: input.dataSync is not a function',
  'generic view string': 'RAW (src/ops/shape.ts): TypeError: shape is not iterable',
  'generic weightsInit string': 'SILENT (src/models/dcgan.ts): returned undefined',
};
