import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "formats"))

settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The files that take longest with an empty numba cache (seconds summed over their
# tests, `make test` on a 2-core machine: 190, 108, 104, 86, 68, 49, 44, 44, 37, 33,
# 31, 26), heaviest first. They are collected first, so that xdist's ``--dist loadfile``
# hands them out at the start and no worker is left running one of them alone at the
# end (the Makefile passes ``--no-loadscope-reorder``: xdist would otherwise order the
# files by their number of tests, which put these last).
_SLOW_FILES = (
    "tests/transforms/test_transforms.py",
    "tests/transforms/test_algorithms.py",
    "tests/torch/test_compile.py",
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
