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


# Heavy or optional modules a plain ``import numerics`` must not load: the torch bridge,
# plotting and data frames of the reports, and the sub-packages that load on first
# access (their kernels' definitions cost import time a cast does not need).
_NOT_ON_IMPORT = (
    "torch",
    "matplotlib",
    "pandas",
    "scipy.stats",
    "dask",
    "numerics.torch",
    "numerics.analysis",
    "numerics.arith",
    "numerics.transforms",
)


def test_import_loads_no_heavy_module():
    code = f"import sys, numerics; print([m for m in {_NOT_ON_IMPORT!r} if m in sys.modules])"
    out = _run("-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_lazy_subpackages_load_on_first_access():
    code = (
        "import sys, numerics as nm; a = nm.transforms; b = nm.ErrorReport; "
        "from numerics import arith; "
        "print(a is sys.modules['numerics.transforms'], b is nm.analysis.ErrorReport, "
        "arith is sys.modules['numerics.arith'], 'analysis' in dir(nm))"
    )
    out = _run("-c", code)
    assert out.stdout.split() == ["True"] * 4, out.stderr
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        numerics.nothing_here  # noqa: B018


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


def test_scaled_quantizers_keep_their_old_spelling_under_formats():
    # numerics.scaled holds them now; numerics.formats.quantize_mx and friends forward
    import numerics.formats
    import numerics.scaled

    for name in numerics.scaled.__all__:
        assert getattr(numerics.formats, name) is getattr(numerics.scaled, name)
        assert getattr(numerics, name) is getattr(numerics.scaled, name)
    with pytest.raises(AttributeError, match="no attribute 'quantize_nothing'"):
        numerics.formats.quantize_nothing  # noqa: B018


def test_no_package_imports_another_packages_private_modules():
    # DESIGN section 1's layering: a private module (a name starting with "_") is
    # imported only inside its own package; numerics._core is the layer all may import
    import ast
    import pathlib

    root = pathlib.Path(numerics.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.ImportFrom) and node.level >= 2):
                continue  # absolute imports, and relative ones within the package
            parts = (node.module or "").split(".") if node.module else []
            names = parts[1:] + ([] if parts[1:] else [a.name for a in node.names])
            if parts[:1] != ["_core"] and any(n.startswith("_") for n in names):
                offenders.append(f"{path.relative_to(root)}: {node.module} {names}")
    assert not offenders, offenders
