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


# ---- the article's code, verbatim apart from comments ----
class gen_conv(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=2, padding=1, bias=False, final=False):
        super().__init__()
        if final:
            self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding, bias=bias)
            self.bn = False
            self.act = nn.Tanh()
        else:
            self.conv = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding, bias=bias)
            self.bn = nn.BatchNorm2d(out_channels, momentum=0.8)
            self.act = nn.ReLU()

    def forward(self, x):
        x = self.conv(x)
        if self.bn:
            x = self.bn(x)
        x = self.act(x)
        return x


class Generator(nn.Module):
    def __init__(self, z_dim=100, image_dim=1, img_size=28, hidden_dim=128):
        super().__init__()
        self.linear = nn.Linear(in_features=z_dim, out_features=128*7*7)
        self.act = nn.ReLU()
        self.gen1 = gen_conv(in_channels=hidden_dim, out_channels=128, kernel_size=4, stride=2, padding=1)
        self.gen2 = gen_conv(in_channels=128, out_channels=64, kernel_size=4, stride=2, padding=1)
        self.gen3 = gen_conv(in_channels=64, out_channels=1, kernel_size=3, stride=1, padding=1, final=True)

    def forward(self, x):
        x = self.linear(x)
        x = self.act(x)
        x = x.view(-1, 128, 7, 7)
        x = self.gen1(x)
        x = self.gen2(x)
        x = self.gen3(x)
        return x


class disc_conv(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=5, stride=2, padding=1, bias=False):
        super().__init__()
        self.act = nn.LeakyReLU(negative_slope=0.2)
        self.drop = nn.Dropout(0.25)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding, bias=bias)

    def forward(self, x):
        x = self.conv(x)
        x = self.drop(x)
        x = self.act(x)
        return x


class Discriminator(nn.Module):
    def __init__(self, img_size=28, hidden_dim=128):
        super().__init__()
        self.disc1 = disc_conv(in_channels=1, out_channels=32, kernel_size=4, stride=2, padding=1)
        self.disc2 = disc_conv(in_channels=32, out_channels=64, kernel_size=4, stride=2, padding=1)
        self.disc3 = disc_conv(in_channels=64, out_channels=128, kernel_size=3, stride=2, padding=1)
        self.disc4 = disc_conv(in_channels=128, out_channels=256, kernel_size=3, stride=1, padding=1)
        self.out = nn.Linear(in_features=256*4*4, out_features=1)
        self.act = torch.sigmoid

    def forward(self, x):
        x = self.disc1(x)
        x = self.disc2(x)
        x = self.disc3(x)
        x = self.disc4(x)
        x = nn.Flatten()(x)
        x = self.out(x)
        x = self.act(x)
        return x.squeeze()


def weights_init(m):
    if isinstance(m, nn.Conv2d) or isinstance(m, nn.ConvTranspose2d):
        torch.nn.init.xavier_uniform_(m.weight, 1.0)
    if isinstance(m, nn.BatchNorm2d):
        torch.nn.init.normal_(m.weight, 0.0, 1.0)
        torch.nn.init.constant_(m.bias, 0)
# ---- end of the article's code ----


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
