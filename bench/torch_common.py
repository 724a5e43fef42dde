"""What the PyTorch halves of the benches share: which BLAS this process loaded, the ready line, and the protocol
the TypeScript side (`bench/common.ts`, `TorchChild`) speaks:

    prints {"ready": info} once the model is built; then for each input line `steps N` runs N steps and prints
    {"ms": [...], "cpu_ms": [...], "max_rss_mb": ...} (wall and CPU time per step); `quit` or end of input exits.

Run under `OPENBLAS_NUM_THREADS=1` by the benches (PyTorch then reports one intra-op thread).
"""
import ctypes
import json
import os
import resource
import sys
import time

import torch


def blas_library():
    """The BLAS shared library this process loaded (reference BLAS and OpenBLAS differ ~10x)."""
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
        return sorted(os.path.realpath(p) for p in libs)
    except OSError:
        return []


def openblas_core():
    for lib in blas_library():
        try:
            f = getattr(ctypes.CDLL(lib), 'openblas_get_corename')
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        return f().decode()
    return None


def info():
    """The ready line's description of this process: torch version, threads, BLAS, environment."""
    return {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'blas': blas_library(),
        'openblas_core': openblas_core(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'env': {k: os.environ[k] for k in ('OPENBLAS_NUM_THREADS', 'OPENBLAS_CORETYPE', 'OMP_NUM_THREADS')
                if k in os.environ},
    }


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step, n, cpu=None):
    """Runs `step` n times; each one's wall time in ms (`step` ends by reading its results back). Appends each
    step's CPU time (this process, all threads) in ms to `cpu` when given."""
    ms = []
    for _ in range(n):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
        if cpu is not None:
            cpu.append((time.process_time() - c0) * 1e3)
    return ms


def serve(step, once=0):
    """Speaks the protocol above on stdin/stdout; with `once`, runs 2 warm-up steps and `once` timed ones and prints
    a summary instead (for a manual run)."""
    desc = info()
    if once:
        timed(step, 2)
        ms = sorted(timed(step, once))
        desc.update(median_ms=ms[len(ms) // 2], ms=ms, max_rss_mb=max_rss_mb())
        print(json.dumps(desc))
        return
    print(json.dumps({'ready': desc}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'steps':
            cpu = []
            ms = timed(step, int(cmd[1]), cpu)
            print(json.dumps({'ms': ms, 'cpu_ms': cpu, 'max_rss_mb': max_rss_mb()}), flush=True)
        else:
            print(json.dumps({'error': f'unknown command {line.strip()!r}'}), flush=True)
