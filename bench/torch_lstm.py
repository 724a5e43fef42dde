"""PyTorch reference of `npm run bench:lstm`: pytorch/examples' word_language_model LSTM (RNNModel: Embedding(10000,
200), LSTM(200, 200, 2 layers, dropout 0.2), Dropout 0.2, Linear(200, 10000), untied), one training step =
hidden detached from the previous step, zero_grad, forward on a [35, 20] batch, cross entropy, backward, plain SGD
(p -= lr * grad, lr 20; the example's clip_grad_norm_ is left out on both sides). Run under OPENBLAS_NUM_THREADS=1.

Protocol: prints {"ready": ...} after building the model, then for each input line `steps N` runs N steps and
prints {"ms": [...], "cpu_ms": [...], "rss_mb": ...} (wall-clock and process CPU time of each step); `quit` or end of
input exits."""
import json
import resource
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
NTOKEN, NINP, NHID, NLAYERS, BPTT, BATCH, LR = 10000, 200, 200, 2, 35, 20, 20.0


class RNNModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.2)
        self.encoder = nn.Embedding(NTOKEN, NINP)
        self.rnn = nn.LSTM(NINP, NHID, NLAYERS, dropout=0.2)
        self.decoder = nn.Linear(NHID, NTOKEN)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)), hidden


def main():
    torch.manual_seed(0)
    model = RNNModel().train()
    crit = nn.CrossEntropyLoss()
    hidden = None

    def step():
        nonlocal hidden
        x = torch.randint(0, NTOKEN, (BPTT, BATCH))
        y = torch.randint(0, NTOKEN, (BPTT * BATCH,))
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        out, hidden = model(x, hidden)
        loss = crit(out.view(-1, NTOKEN), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-LR)
        return loss.item()

    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        ms, cpu_ms = [], []
        for _ in range(int(cmd[1])):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.process_time() - c0) * 1000)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({'ms': ms, 'cpu_ms': cpu_ms, 'rss_mb': rss}), flush=True)


if __name__ == '__main__':
    main()
