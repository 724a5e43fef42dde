"""PyTorch reference of `npm run bench`: the reference article's DCGAN (its Generator and Discriminator, verbatim
apart from comments) trained with the same step as tfjs-torch's bench and trainGAN:

    D: zero_grad; BCE(D(real), 1); fake = G(noise); BCE(D(fake.detach()), 0); (sum * 0.5).backward(); optD.step()
    G: fake2 = G(noise2); zero_grad; D's parameters frozen; BCE(D(fake2), 1).backward(); optG.step()

Adam(lr=2e-4, betas=(0.2, 0.999), eps=1e-7) as in the article; Dropout 0.25; real images uniform in [-1, 1]
(the data's values do not change the cost). Run under `OPENBLAS_NUM_THREADS=1` by the bench.

Protocol (so the bench can interleave rounds with its own): prints one JSON line {"ready": ...} after building
the models, then for each input line `steps N` runs N steps and prints {"ms": [...]} (one time per step, each
ended by reading the losses back, as the bench does); `quit` or end of input exits. `--once N` instead runs
N steps and prints a summary (for a manual run).
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn


# The article's PyTorch code (gen_conv, Generator, disc_conv, Discriminator, weights_init), shared with the
# fixture generators.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'fixtures'))
from article import Discriminator, Generator, weights_init  # noqa: E402


def blas_library():
    """The BLAS shared library this process loaded (reference BLAS and OpenBLAS differ ~10x)."""
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
        return sorted(os.path.realpath(p) for p in libs)
    except OSError:
        return []


def openblas_core():
    import ctypes
    for lib in blas_library():
        try:
            f = getattr(ctypes.CDLL(lib), 'openblas_get_corename')
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        return f().decode()
    return None


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

    def timed(n):
        ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            step()
            ms.append((time.perf_counter() - t0) * 1e3)
        return ms

    info = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'blas': blas_library(),
        'openblas_core': openblas_core(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'env': {k: os.environ[k] for k in ('OPENBLAS_NUM_THREADS', 'OPENBLAS_CORETYPE', 'OMP_NUM_THREADS') if k in os.environ},
    }
    if args.once:
        timed(2)
        ms = sorted(timed(args.once))
        info['median_ms'] = ms[len(ms) // 2]
        info['ms'] = ms
        info['max_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(info))
        return
    print(json.dumps({'ready': info}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'steps':
            ms = timed(int(cmd[1]))
            print(json.dumps({'ms': ms, 'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
        else:
            print(json.dumps({'error': f'unknown command {line.strip()!r}'}), flush=True)


if __name__ == '__main__':
    main()
