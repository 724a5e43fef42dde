"""PyTorch reference of `npm run bench:small` (`bench/small-ops.ts`): one training step (zero_grad, forward, loss,
backward, optimizer step, loss read back) of

- `lstm-cell`: pytorch/examples time_sequence_prediction's `Sequence` (LSTMCell(1, 51), LSTMCell(51, 51),
  Linear(51, 1)) over 100 steps at batch 64, MSE loss, Adam(lr 0.01), float32;
- `mnist`: pytorch/examples mnist's `Net` (the fixture script's copy), batch 64, nll_loss, Adadelta(lr 1.0).

Inputs are fixed random tensors. Protocol: `bench/torch_common.py`'s. Run under `OPENBLAS_NUM_THREADS=1`.
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'fixtures'))
from examples_mnist import Net  # noqa: E402
from torch_common import serve  # noqa: E402

BATCH, SEQ_LEN, HIDDEN = 64, 100, 51


class Sequence(nn.Module):
    """time_sequence_prediction's model (its `future` predictions left out)."""

    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, HIDDEN)
        self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, input):
        outputs = []
        h_t = torch.zeros(input.size(0), HIDDEN)
        c_t = torch.zeros(input.size(0), HIDDEN)
        h_t2 = torch.zeros(input.size(0), HIDDEN)
        c_t2 = torch.zeros(input.size(0), HIDDEN)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            outputs += [self.linear(h_t2)]
        return torch.cat(outputs, dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--workload', choices=['lstm-cell', 'mnist'], required=True)
    ap.add_argument('--once', type=int, default=0, help='run this many steps after 2 warm-up steps, print a summary, exit')
    args = ap.parse_args()
    torch.manual_seed(0)
    if args.workload == 'lstm-cell':
        model = Sequence()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        x = torch.rand(BATCH, SEQ_LEN) * 2 - 1
        target = torch.rand(BATCH, SEQ_LEN) * 2 - 1
        criterion = nn.MSELoss()
    else:
        model = Net()
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
        x = torch.randn(BATCH, 1, 28, 28)
        target = torch.randint(0, 10, (BATCH,))
        criterion = F.nll_loss
    model.train()

    def step():
        optimizer.zero_grad()
        loss = criterion(model(x), target)
        loss.backward()
        optimizer.step()
        return loss.item()

    serve(step, args.once)


if __name__ == '__main__':
    main()
