"""PyTorch reference of `npm run bench`: the reference article's DCGAN (its Generator and Discriminator, verbatim
apart from comments) trained with the same step as tfjs-torch's bench and trainGAN:

    D: zero_grad; BCE(D(real), 1); fake = G(noise); BCE(D(fake.detach()), 0); (sum * 0.5).backward(); optD.step()
    G: fake2 = G(noise2); zero_grad; D's parameters frozen; BCE(D(fake2), 1).backward(); optG.step()

Adam(lr=2e-4, betas=(0.2, 0.999), eps=1e-7) as in the article; Dropout 0.25; real images uniform in [-1, 1]
(the data's values do not change the cost). Run under `OPENBLAS_NUM_THREADS=1` by the bench.

Protocol: `bench/torch_common.py`'s (so the bench can interleave rounds with its own; each step ends by reading
the losses back, as the bench does). `--once N` instead runs N steps and prints a summary (for a manual run).
"""
import argparse
import os
import sys

import torch
import torch.nn as nn


# The article's PyTorch code (gen_conv, Generator, disc_conv, Discriminator, weights_init), shared with the
# fixture generators.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'fixtures'))
from article import Discriminator, Generator, weights_init  # noqa: E402
from torch_common import serve  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--once', type=int, default=0, help='run this many steps after 2 warm-up steps, print a summary, exit')
    args = ap.parse_args()
    torch.manual_seed(0)
    bs, z_dim = args.batch, 100
    G = Generator().apply(weights_init)
    D = Discriminator().apply(weights_init)
    G.train()
    D.train()
    criterion = nn.BCELoss()
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.2, 0.999), eps=1e-7)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.2, 0.999), eps=1e-7)
    ones = torch.ones(bs)
    zeros = torch.zeros(bs)

    def step():
        real = torch.rand(bs, 1, 28, 28) * 2 - 1
        D.zero_grad()
        out_real = D(real)
        d_loss_real = criterion(out_real, ones)
        fake = G(torch.randn(bs, z_dim))
        out_fake = D(fake.detach())
        d_loss_fake = criterion(out_fake, zeros)
        d_loss = (d_loss_real + d_loss_fake) * 0.5
        d_loss.backward()
        opt_d.step()
        fake2 = G(torch.randn(bs, z_dim))
        G.zero_grad()
        for p in D.parameters():
            p.requires_grad_(False)
        out_g = D(fake2)
        g_loss = criterion(out_g, ones)
        g_loss.backward()
        for p in D.parameters():
            p.requires_grad_(True)
        opt_g.step()
        return d_loss.item(), g_loss.item()

    serve(step, args.once)


if __name__ == '__main__':
    main()
