"""The numba runtime numerics sets up: a fork-safe threading layer, a cache that works
where numba's default locations are read-only, and one that survives damaged files.

Each test runs Python in a subprocess: the threading layer and the cache locations are
fixed when numerics is imported, and a killed child must not take pytest with it.
"""

import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import pytest

import numerics
from numerics._core import jit

ROOT = Path(numerics.__file__).resolve().parents[1]
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _python(code: str, env: dict, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    # cwd away from the checkout: ``python -c`` puts cwd first on sys.path
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def _env(**changes) -> dict:
    """This process's environment, with numerics on the path, two numba threads (so
    that large casts take the parallel kernel even on one core) and no threading layer
    chosen; ``None`` removes a variable."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["NUMBA_NUM_THREADS"] = "2"
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


_PARALLEL_CAST = """
import os, numpy as np, numerics as nm
from numerics._core.containers import use_parallel
x = np.linspace(-500.0, 500.0, 1 << 19)
assert use_parallel(x.size)
ref = nm.cast(x, "bf16")
"""


def _check_in_forked_child(setup: str, child: str, tmp_path: Path, timeout: float = 240):
    """Run ``setup``, then fork: the child runs the lines ``child``, which set ``ok``,
    and exits 0 if it is true (a child that hangs fails by the timeout)."""
    body = "".join(f"    {line}\n" for line in child.splitlines())
    code = setup + (
        "pid = os.fork()\n"
        "if pid == 0:\n"
        f"{body}"
        "    os._exit(0 if ok else 3)\n"
        "print('child exit', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    out = _python(code, _env(), tmp_path, timeout)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["child", "exit", "0"], out.stderr


@needs_fork
def test_forked_child_runs_parallel_kernels(tmp_path):
    _check_in_forked_child(_PARALLEL_CAST, "ok = np.array_equal(nm.cast(x, 'bf16'), ref)", tmp_path)


@needs_fork
def test_multiprocessing_fork_pool_after_a_parallel_kernel(tmp_path):
    code = _PARALLEL_CAST + (
        "import multiprocessing as mp\n"
        "def work(seed):\n"
        "    return nm.cast(x * seed, 'e4m3', 'stochastic', seed=seed).tobytes()\n"
        "expected = [work(s) for s in range(1, 4)]\n"
        "with mp.get_context('fork').Pool(2) as pool:\n"
        "    print(pool.map(work, range(1, 4)) == expected)\n"
    )
    out = _python(code, _env(), tmp_path, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


@needs_fork
def test_forked_child_splits_rows_over_threads_of_its_own(tmp_path):
    """run_rows keeps its worker threads: a forked child, which has none of them,
    starts its own (a child that queued work for its parent's would wait forever)."""
    setup = (
        "import os, numpy as np\n"
        "from numba import njit\n"
        "from numerics._core import jit\n"
        "@njit(nogil=True)\n"
        "def twice(x, out, lo, hi):\n"
        "    for i in range(lo, hi):\n"
        "        out[i] = 2 * x[i]\n"
        "x = np.arange(1000.0)\n"
        "out = np.zeros_like(x)\n"
        "jit.run_rows(twice, (x, out), x.size, 1 << 30)\n"
        "assert jit._POOL.pool is not None and np.array_equal(out, 2 * x)\n"
    )
    child = (
        "out[:] = 0\n"
        "jit.run_rows(twice, (x, out), x.size, 1 << 30)\n"
        "ok = np.array_equal(out, 2 * x)"
    )
    _check_in_forked_child(setup, child, tmp_path, timeout=120)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two numba threads")
def test_run_rows_raises_only_once_every_part_has_finished():
    """An error in one part is raised after the other parts have run to their end: no
    kernel still writes into the caller's arrays once run_rows has returned."""
    done = []

    def kernel(lo, hi):
        if lo == 0:
            raise ValueError("the first part")
        time.sleep(0.2)
        done.append((lo, hi))

    old = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        with pytest.raises(ValueError, match="the first part"):
            jit.run_rows(kernel, (), 4, 1 << 30)
    finally:
        numba.set_num_threads(old)
    assert done == [(2, 4)]


def test_threading_layer_is_fork_safe_unless_the_user_chose_one(tmp_path):
    code = _PARALLEL_CAST + "import numba; print(numba.threading_layer())"
    out = _python(code, _env(), tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("tbb", "workqueue")
    out = _python(code, _env(NUMBA_THREADING_LAYER="omp"), tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "omp"


_CAST_AND_COUNT = """
import numpy as np, numerics as nm
from numerics._core import cast_kernels
r = nm.cast(np.linspace(-3.0, 3.0, 101), "float8_e4m3fn")
print(r[3], sum(cast_kernels.cast_pass.stats.cache_hits.values()))
"""


def _unwritable_copy(tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the package and a HOME where numba can create no cache directory, and
    the environment to run it in (no NUMBA_CACHE_DIR, TMPDIR in ``tmp_path``).

    Running as root, permission bits stop nothing: root writes into a chmod-555
    directory. So each place numba looks is made one that cannot be a directory: every
    ``__pycache__`` of the copy and ``$HOME/.cache`` are plain files. numba's
    ``os.makedirs`` then fails with the same OSError a read-only location gives, and
    its locator search ends the same way ("no locator available"). The copy and HOME are
    also made read-only, which is the real condition for anyone but root.
    """
    pkg = tmp_path / "site"
    home = tmp_path / "home"
    (tmp_path / "tmp").mkdir()
    home.mkdir()
    (home / ".cache").write_text("")
    import shutil

    shutil.copytree(
        ROOT / "numerics", pkg / "numerics", ignore=shutil.ignore_patterns("__pycache__")
    )
    for d in [p for p in pkg.rglob("*") if p.is_dir()]:
        (d / "__pycache__").write_text("")
    for d in [pkg, *[p for p in pkg.rglob("*") if p.is_dir()], home]:
        d.chmod(0o555)
    env = _env(
        PYTHONPATH=str(pkg),
        HOME=str(home),
        TMPDIR=str(tmp_path / "tmp"),
        NUMBA_CACHE_DIR=None,
        XDG_CACHE_HOME=None,
        PYTHONDONTWRITEBYTECODE="1",
    )
    return pkg, env


def test_read_only_package_and_home_cache_in_a_private_temp_dir(tmp_path):
    _, env = _unwritable_copy(tmp_path)
    first = _python(_CAST_AND_COUNT, env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["-2.75", "0"] and first.stderr == ""
    cache = tmp_path / "tmp" / f"numerics-numba-cache-{os.getuid()}"
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
    assert list(cache.rglob("cast_kernels.cast_pass-*.nbc"))
    second = _python(_CAST_AND_COUNT, env, tmp_path)  # loads what the first run cached
    assert second.stdout.split() == ["-2.75", "1"], second.stderr


def test_no_writable_directory_at_all_compiles_without_cache_and_warns_once(tmp_path):
    _, env = _unwritable_copy(tmp_path)
    (tmp_path / "tmp" / f"numerics-numba-cache-{os.getuid()}").write_text("")
    out = _python(_CAST_AND_COUNT, env, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["-2.75", "0"]
    assert out.stderr.count("RuntimeWarning") == 1 and "NUMBA_CACHE_DIR" in out.stderr


def test_private_temp_dir_refuses_a_directory_others_can_write(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    jit._private_temp_dir.cache_clear()
    try:
        path = jit._private_temp_dir()
        assert path and stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
        os.chmod(path, 0o777)  # someone else could plant pickles in it
        jit._private_temp_dir.cache_clear()
        assert jit._private_temp_dir() is None
    finally:
        jit._private_temp_dir.cache_clear()


_RANDOM_WORD = """
import numpy as np
from numerics._core import random_words
w = random_words.random64(np.uint64(12345), 7)
st = random_words.random64.stats
print(w, sum(st.cache_hits.values()), sum(st.cache_misses.values()))
"""


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    if path.suffix == ".nbi":
        data[:] = os.urandom(len(data))
    else:  # one flipped bit in the middle: the payload may still unpickle
        data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _garble], ids=["truncated", "garbled"])
def test_damaged_cache_files_are_recompiled_and_overwritten(tmp_path, damage):
    env = _env(NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    first = _python(_RANDOM_WORD, env, tmp_path)
    assert first.returncode == 0, first.stderr
    word, hits, misses = first.stdout.split()
    assert (hits, misses) == ("0", "1")
    files = [p for p in (tmp_path / "cache").rglob("*") if p.suffix in (".nbi", ".nbc")]
    assert {p.suffix for p in files} == {".nbi", ".nbc"}
    for p in files:
        damage(p)
    second = _python(_RANDOM_WORD, env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == [word, "0", "1"]
    third = _python(_RANDOM_WORD, env, tmp_path)  # from the files the second run rewrote
    assert third.stdout.split() == [word, "1", "0"], third.stderr


def test_cache_that_cannot_be_written_after_import_does_not_fail_the_call(tmp_path):
    code = (
        "import os, shutil, warnings, numpy as np\n"
        "from numerics._core import random_words\n"
        "root = os.environ['NUMBA_CACHE_DIR']\n"
        "shutil.rmtree(root)\n"
        "open(root, 'w').close()  # no directory can be made there, even by root\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    word = random_words.random64(np.uint64(12345), 7)\n"
        "print(word > 0, len(caught), 'could not write' in str(caught[0].message))\n"
    )
    out = _python(code, _env(NUMBA_CACHE_DIR=str(tmp_path / "cache")), tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "1", "True"]


_CALLER = """
import sys
from pathlib import Path
from numerics._core import jit
jit._PACKAGE = Path(sys.argv[1])  # the digest covers this directory's sources
sys.path.insert(0, sys.argv[1])
import caller
print(caller.twice_helper(21), sum(caller.twice_helper.stats.cache_hits.values()))
"""


def test_a_kernel_cached_against_an_older_helper_in_another_file_recompiles(tmp_path):
    """numba's own index stamp is the kernel's file alone: edit the helper it calls
    (inlined into it) and numba loads the old code. The sources digest makes it stale."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "helper.py").write_text(
        "from numerics._core.jit import njit\n\n@njit\ndef helper(x):\n    return 2 * x\n"
    )
    (src / "caller.py").write_text(
        "from numerics._core.jit import njit\nfrom helper import helper\n\n"
        "@njit(cache=True)\ndef twice_helper(x):\n    return helper(x)\n"
    )
    env = _env(NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    code = ["-c", _CALLER, str(src)]

    def run() -> list[str]:
        out = subprocess.run(
            [sys.executable, *code], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert run() == ["42", "0"]
    assert run() == ["42", "1"]  # unchanged sources: from the cache
    helper = src / "helper.py"
    helper.write_text(helper.read_text().replace("2 * x", "3 * x"))  # same size
    assert run() == ["63", "0"]
    assert run() == ["63", "1"]


def test_noalias_marks_every_pointer_argument_and_is_dropped_without_the_flag(monkeypatch):
    """``njit(noalias=True)`` sets numba's ``noalias`` compiler flag (its pointer
    arguments, the arrays' data among them, are noalias in the LLVM IR); where numba
    lacks the flag the option is dropped, and the kernel compiles as without it."""
    import numpy as np

    def add_into(a, b):
        for i in range(a.size):
            a[i] += b[i]

    a, b = np.zeros(8), np.arange(8.0)
    marked = jit.njit(noalias=True)(add_into)
    marked(a, b)
    plain = jit.njit(add_into)
    plain(a, b)
    assert np.array_equal(a, 2 * b)

    def define_line(dispatcher):
        (ir,) = dispatcher.inspect_llvm().values()
        # the kernel's own definition: numba names its arguments arg.<name>...
        return next(
            line for line in ir.splitlines() if line.startswith("define") and "arg.a" in line
        )

    line = define_line(marked)
    data = [arg for arg in line.split(",") if "arg.a.4" in arg or "arg.b.4" in arg]
    assert data and all("noalias" in arg for arg in data), line
    assert "noalias" not in define_line(plain).split("excinfo")[-1]

    monkeypatch.setattr(jit, "_NOALIAS", False)
    fallback = jit.njit(noalias=True)(add_into)
    fallback(a, b)
    assert np.array_equal(a, 3 * b)
    assert "noalias" not in define_line(fallback).split("excinfo")[-1]
