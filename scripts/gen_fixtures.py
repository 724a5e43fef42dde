"""Regenerates every golden fixture under test/fixtures from real PyTorch 1.13.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/gen_fixtures.py [module ...]
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/gen_fixtures.py --check [module ...]   (npm run fixtures -- --check)

Each module in scripts/fixtures/ (other than the helpers common and article) has a main() that writes its own
fixture files.
npm test never runs this: the fixtures are committed.

--check regenerates into a temporary folder (TFJS_TORCH_FIXTURES_DIR, read by common.py) and compares with the
committed files, leaving test/fixtures alone: JSON fixtures by parsed content, other files byte for byte. A torch
file whose bytes differ is loaded with torch.load and compared by content; ser_legacy.pt is known to differ in
bytes on every run (torch names legacy storages by memory address). Exit status 1 when any fixture differs.
"""
import importlib
import json
import math
import os
import shutil
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMITTED = os.path.join(ROOT, 'test', 'fixtures')
# Files whose bytes change on every run although their content does not.
NONDETERMINISTIC_BYTES = {'ser_legacy.pt'}


def same_json(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def json_diff(a, b, path='$'):
    """Where two parsed JSON documents first differ (a short description), or None."""
    if same_json(a, b):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f'{path}: keys {sorted(set(a) ^ set(b))} in one only'
        for k in a:
            d = json_diff(a[k], b[k], f'{path}.{k}')
            if d:
                return d
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f'{path}: {len(a)} items committed, {len(b)} regenerated'
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, f'{path}[{i}]')
            if d:
                return d
    return f'{path}: committed {str(a)[:60]!r}, regenerated {str(b)[:60]!r}'


def same_torch_content(a, b):
    import torch
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same_torch_content(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_torch_content(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.nn.Module) and isinstance(b, torch.nn.Module):
        return same_torch_content(a.state_dict(), b.state_dict())
    return type(a) is type(b) and a == b


def compare(out_dir):
    """One line per regenerated file that differs from the committed one; also committed files nothing wrote."""
    problems = []
    rel_out = os.path.relpath(out_dir, ROOT)
    for name in sorted(os.listdir(out_dir)):
        new_path, old_path = os.path.join(out_dir, name), os.path.join(COMMITTED, name)
        if not os.path.exists(old_path):
            problems.append(f'{name}: not committed')
            continue
        if name.endswith('.json'):
            with open(new_path) as f:
                # a fixture may record paths of the files it wrote (relative to the repository)
                new = json.loads(f.read().replace(rel_out, 'test/fixtures'))
            with open(old_path) as f:
                old = json.load(f)
            d = json_diff(old, new)
            print(f'  {name}: {"DIFFERS (" + d + ")" if d else "same content"}')
            if d:
                problems.append(f'{name}: {d}')
            continue
        with open(new_path, 'rb') as f:
            new_bytes = f.read()
        with open(old_path, 'rb') as f:
            old_bytes = f.read()
        if new_bytes == old_bytes:
            print(f'  {name}: same bytes')
            continue
        if name.endswith('.pt'):
            import torch
            same = same_torch_content(torch.load(old_path), torch.load(new_path))
            known = ' (known: its bytes change on every run)' if name in NONDETERMINISTIC_BYTES else ''
            print(f'  {name}: bytes differ{known}, content {"same" if same else "DIFFERS"}')
            if not same or not known:
                problems.append(f'{name}: bytes differ' + ('' if same else ', content differs'))
            continue
        print(f'  {name}: DIFFERS (bytes)')
        problems.append(f'{name}: bytes differ')
    return problems


def main(argv):
    check = '--check' in argv
    names = [a for a in argv if a != '--check']
    explicit = bool(names)
    out_dir = None
    if check:
        out_dir = tempfile.mkdtemp(prefix='tfjs-torch-fixtures-', dir=os.path.join(ROOT, '.scratch')
                                   if os.path.isdir(os.path.join(ROOT, '.scratch')) else None)
        os.environ['TFJS_TORCH_FIXTURES_DIR'] = out_dir
    sys.path.insert(0, HERE)
    names = names or sorted(f[:-3] for f in os.listdir(HERE) if f.endswith('.py') and f not in ('common.py', 'article.py'))
    for name in names:
        print(f'== {name}')
        importlib.import_module(name).main()
    if not check:
        return 0
    print(f'== comparing {os.path.relpath(out_dir, ROOT)} with test/fixtures')
    problems = compare(out_dir)
    if not explicit:
        written = set(os.listdir(out_dir))
        problems += [f'{n}: committed, but no script wrote it' for n in sorted(os.listdir(COMMITTED)) if n not in written]
    shutil.rmtree(out_dir)
    if problems:
        print(f'{len(problems)} fixture file(s) differ from their scripts:')
        for p in problems:
            print(f'  {p}')
        return 1
    print('every regenerated fixture matches the committed one')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
