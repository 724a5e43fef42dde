"""Regenerates every golden fixture under test/fixtures from real PyTorch 1.13.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/gen_fixtures.py [module ...]

Each module in scripts/fixtures/ (other than the helpers common and article) has a main() that writes its own
fixture files.
npm test never runs this: the fixtures are committed.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures'))
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
names = sys.argv[1:] or sorted(f[:-3] for f in os.listdir(here) if f.endswith('.py') and f not in ('common.py', 'article.py'))
for name in names:
    print(f'== {name}')
    importlib.import_module(name).main()
