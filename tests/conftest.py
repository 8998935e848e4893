import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "formats"))

settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Inductor compiles its C++ kernels in a pool of worker processes, one per core, each
# importing torch: on CI's two cores, shared by two xdist workers, the pool costs more
# CPU than it saves (measured: the compile tests' recipe setup took 107 s of CPU with
# the pool, 87 s without). Set before torch is imported, as inductor reads it then.
os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
# The subprocesses the tests start (the CLI's demo trains with torch) keep their OpenMP
# threads, but idle ones sleep instead of spinning on cores the other worker needs
# (measured, examples/recipes_cnn.py's fp32, quartet and four_over_six --quick runs
# with two threads: 88 s of CPU spinning, 14 s passive).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def pytest_runtest_setup(item):
    # One torch intra-op thread per xdist worker: two workers with two OpenMP threads
    # each oversubscribe CI's two cores, and OpenMP's spinning threads then burn CPU
    # (measured, the fp32 run of examples/recipes_cnn.py --quick: 14.4 s of CPU with
    # two threads, 0.26 s with one). The numba kernels keep their own threads.
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


# The files that take longest with an empty numba cache, heaviest first. They are
# collected first, so that xdist's ``--dist loadfile`` hands them out at the start and
# no worker is left running one of them alone at the end (the Makefile passes
# ``--no-loadscope-reorder``: xdist would otherwise order the files by their number of
# tests, which put these last). Measured, the numba compiling each file triggered in
# `make test` on a 2-core machine: the transforms' tests, 425 s in one file, left one
# worker running it alone for minutes, so their error-tracking tests have a file of
# their own.
_SLOW_FILES = (
    "tests/transforms/test_transforms.py",
    "tests/transforms/test_algorithms.py",
    "tests/torch/test_compile.py",
    "tests/transforms/test_error_reports.py",
    "tests/test_cli.py",
    "tests/transforms/test_lanes.py",
    "tests/torch/test_circulant.py",
    "tests/torch/test_torch_ops.py",
    "tests/scaled/test_quantize.py",
    "tests/test_examples.py",
    "tests/core/test_jit.py",
    "tests/test_package.py",
    "tests/torch/test_layers.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(_SLOW_FILES)}
    # a stable sort: the tests of a file keep their order
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
