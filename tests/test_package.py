"""The package: no torch on import, docstring examples, documented names, the README.

The command line is tested in test_cli.py; the import time is a figure of
benchmarks/import_time.py, not a test (a timing assertion fails on a loaded machine)."""

import doctest
import importlib
import os
import pkgutil
import subprocess
import sys

import pytest

import numerics


def _run(*args, **kw):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, **kw
    )


def test_import_does_not_import_torch():
    code = "import sys, numerics; print('torch' in sys.modules)"
    out = _run("-c", code, env={**os.environ, "NUMBA_DISABLE_JIT": "1"})
    assert out.stdout.split() == ["False"], out.stderr


def _modules():
    for info in pkgutil.walk_packages(numerics.__path__, "numerics."):
        if not info.name.endswith("__main__"):
            yield info.name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_every_public_name_is_documented_and_typed():
    import inspect

    mods = [numerics, numerics.arith, numerics.analysis, numerics.transforms]
    try:
        mods.append(importlib.import_module("numerics.torch"))
    except ImportError:  # torch is an optional extra
        pass
    for mod in mods:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if name.startswith("__") or isinstance(obj, (dict, tuple)):
                continue
            assert inspect.getdoc(obj), f"{name} has no docstring"
            if inspect.isfunction(obj):
                sig = inspect.signature(obj)
                assert sig.return_annotation is not inspect.Signature.empty, f"{name} return type"


def test_readme_examples_run():
    """Every python block of the README runs as written."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    exec(compile("\n".join(blocks), "README.md", "exec"), {})
