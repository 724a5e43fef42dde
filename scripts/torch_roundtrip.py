"""Live round trip between tfjs-torch's writers/readers and real PyTorch (run by test/serialization.test.ts).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/torch_roundtrip.py DIR

1. TypeScript -> PyTorch: reads DIR/from_ts.json, a list of
     {"kind": "torch", "file": F, "weights_only": bool, "value": ENC}      torch.load(F) must equal dec(ENC)
     {"kind": "safetensors", "file": F, "value": ENC, "metadata": {...}}  the spec reader must agree
     {"kind": "model", "file": F, "model": "Generator"|"Discriminator", "reference": R}
         the article's model must load_state_dict(torch.load(F, weights_only=True)) strictly, and its
         state dict must equal torch.load(R)
   where ENC is scripts/fixtures/serialization.py's tagged JSON (exact: dtypes, bits, int vs float, tuples).
2. PyTorch -> TypeScript: torch.save's files into DIR/from_torch/ and lists them with their ENC in
   DIR/from_torch.json for the test to parse and compare.

Prints one JSON line {"checked": n, "failures": [...], "wrote": m}; exits 1 when anything failed.
"""
import json
import os
import sys
import traceback
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'fixtures'))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

import serialization as ser  # noqa: E402

ROOT = os.path.dirname(HERE)


def check_from_ts(directory):
    with open(os.path.join(directory, 'from_ts.json')) as f:
        cases = json.load(f)
    failures = []
    for case in cases:
        path = os.path.join(directory, case['file'])
        try:
            if case['kind'] == 'torch':
                got = torch.load(path, weights_only=case['weights_only'])
                ser.same(got, ser.dec(case['value']), case['file'])
            elif case['kind'] == 'safetensors':
                with open(path, 'rb') as f:
                    got, meta = ser.read_safetensors(f.read())
                ser.same(got, ser.dec(case['value']), case['file'])
                assert meta == case.get('metadata'), f"{case['file']}: metadata {meta} != {case.get('metadata')}"
            elif case['kind'] == 'model':
                model = {'Generator': ser.Generator, 'Discriminator': ser.Discriminator}[case['model']]()
                model.load_state_dict(torch.load(path, weights_only=True), strict=True)
                ser.same(model.state_dict(), torch.load(os.path.join(ROOT, case['reference'])), case['file'])
            else:
                raise ValueError(f"unknown kind {case['kind']}")
        except Exception as e:  # report every case, not just the first
            failures.append(f"{case['file']}: {type(e).__name__}: {e} | {traceback.format_exc(limit=2).splitlines()[-1]}")
    return len(cases), failures


def write_from_torch(directory):
    out = os.path.join(directory, 'from_torch')
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, obj, **kw):
        torch.save(obj, os.path.join(out, name), **kw)
        cases.append({'kind': 'torch', 'file': 'from_torch/' + name, 'value': ser.enc(obj)})

    torch.manual_seed(1)
    add('state.pt', ser.basic_state())
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))
    opt = torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for _ in range(2):
        opt.zero_grad()
        net(torch.randn(5, 4)).sum().backward()
        opt.step()
    add('net.pt', net.state_dict())
    add('adam.pt', opt.state_dict())
    add('checkpoint.pt', {'epoch': 3, 'model': net.state_dict(), 'optim': opt.state_dict(), 'losses': [0.5, 0.25]})
    add('proto4.pt', net.state_dict(), pickle_protocol=4)
    st = OrderedDict((k, v.detach().clone()) for k, v in net.state_dict().items())
    with open(os.path.join(out, 'net.safetensors'), 'wb') as f:
        f.write(ser.safetensors_bytes(st, {'format': 'pt'}))
    cases.append({'kind': 'safetensors', 'file': 'from_torch/net.safetensors', 'value': ser.enc(st), 'metadata': {'format': 'pt'}})
    with open(os.path.join(directory, 'from_torch.json'), 'w') as f:
        json.dump(cases, f)
    return len(cases)


def main():
    directory = sys.argv[1]
    checked, failures = check_from_ts(directory) if os.path.exists(os.path.join(directory, 'from_ts.json')) else (0, [])
    wrote = write_from_torch(directory)
    print(json.dumps({'torch_version': torch.__version__, 'checked': checked, 'failures': failures, 'wrote': wrote}))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
