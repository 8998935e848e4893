"""The numba decorators every kernel of numerics is compiled with.

Kept in one place so that the threading layer and the cache policy are decided once:

- Threading layer: unless the user chose one (``NUMBA_THREADING_LAYER``, a numba
  config file, or ``numba.config.THREADING_LAYER`` set before importing numerics),
  numba's ``"forksafe"`` choice: TBB if installed, else its own workqueue. numba's
  default prefers GNU OpenMP on Linux, which kills a forked child (multiprocessing's
  default start method, DataLoader workers) at its first parallel kernel.
- Cache location: numba's own (``NUMBA_CACHE_DIR``, the package's ``__pycache__``,
  the user cache directory), then a directory of the temp dir that only this user can
  write; if none is writable, kernels compile without a disk cache and one warning
  says so. numba alone refuses to import the package then.
- Cache files: each data file carries a checksum of its payload. A truncated or
  corrupted index or data file reads as a cache miss, so the kernel is recompiled and
  the entry overwritten; numba alone raises on it in every later run.
- Cache freshness: an entry is valid only for the package sources it was compiled
  from (a digest of every kernel module's source, :func:`_sources_digest`). numba
  checks only the file a kernel is defined in, so after an upgrade or an edit of a
  helper in another file (kernels call across modules, and LLVM inlines the callee)
  it would load a kernel holding the old helper's code.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import numba
from numba import prange
from numba.core import caching, config
from numba.core.dispatcher import Dispatcher
from numba.np.ufunc import parallel as _parallel

__all__ = ["njit", "prange", "run_rows"]


def _choose_threading_layer() -> None:
    chosen = "NUMBA_THREADING_LAYER" in os.environ or str(config.THREADING_LAYER) != "default"
    # Once numba has launched its threads (another library ran a parallel kernel
    # first), the layer is fixed for the life of the process.
    if not chosen and not _parallel._is_initialized:
        config.THREADING_LAYER = "forksafe"


_choose_threading_layer()


@functools.cache
def _private_temp_dir() -> str | None:
    """A cache directory in the temp dir owned by this user and writable by no one
    else, or None. Cache files are pickles: reading another user's would run their
    code, so a directory that fails the check is not used."""
    try:
        uid = os.getuid()
    except AttributeError:  # Windows: the temp dir is per user already
        uid = None
    try:
        path = os.path.join(
            tempfile.gettempdir(), f"numerics-numba-cache-{'user' if uid is None else uid}"
        )
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    if uid is not None and (st.st_uid != uid or st.st_mode & 0o022):
        return None
    return path


_UserWide = getattr(caching, "UserWideCacheLocator", None) or caching._UserWideCacheLocator


class _PrivateTempLocator(_UserWide):
    """numba's user-wide locator, moved into :func:`_private_temp_dir`."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = os.path.join(
            _private_temp_dir(), self.get_suitable_cache_subpath(py_file)
        )

    @classmethod
    def from_function(cls, py_func, py_file):
        if _private_temp_dir() is None:
            return None
        return super().from_function(py_func, py_file)


class _CacheImpl(caching.FunctionCache._impl_class):
    _locator_classes = (*caching.FunctionCache._impl_class._locator_classes, _PrivateTempLocator)


_MAGIC = b"numerics-nbc1"
_DIGEST = hashlib.sha256().digest_size


_PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def _sources_digest() -> str:
    """sha256 of the sources of every module of the package that may hold kernels (all
    but the pure-torch bridge), by content: a checkout that only touches the files'
    times keeps its cache. Computed at the first cache lookup, not at import."""
    root = _PACKAGE
    digest = hashlib.sha256()
    try:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith("torch/"):
                continue
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:  # unreadable sources: no entry can be trusted to match them
        return f"unreadable-{os.getpid()}"
    return digest.hexdigest()


class _CheckedCacheFile(caching.IndexDataCacheFile):
    """numba's index and data files, where anything unreadable is a miss, and an entry
    from other package sources is stale (see the module docstring)."""

    @property
    def _source_stamp(self):
        return self._file_stamp, _sources_digest()

    @_source_stamp.setter
    def _source_stamp(self, stamp):
        self._file_stamp = stamp

    def _load_index(self):
        try:
            return super()._load_index()
        except Exception:  # truncated or corrupted: start afresh; save() rewrites it
            caching._cache_log("[cache] unreadable index %r ignored", self._index_path)
            return {}

    def load(self, key):
        try:
            return super().load(key)
        except Exception:
            caching._cache_log("[cache] unreadable data for %r ignored", self._index_path)
            return None

    def _save_data(self, name, data):
        payload = self._dump(data)
        with self._open_for_write(self._data_path(name)) as f:
            f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)

    def _load_data(self, name):
        # The checksum catches damage that still unpickles: rebuilding a library from
        # damaged object code could crash the process instead of raising.
        with open(self._data_path(name), "rb") as f:
            blob = f.read()
        head, digest = blob[: len(_MAGIC)], blob[len(_MAGIC) : len(_MAGIC) + _DIGEST]
        payload = blob[len(_MAGIC) + _DIGEST :]
        if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
            raise ValueError("checksum mismatch")
        return pickle.loads(payload)


class _FunctionCache(caching.FunctionCache):
    _impl_class = _CacheImpl

    def __init__(self, py_func):
        super().__init__(py_func)
        self._cache_file = _CheckedCacheFile(
            cache_path=self._cache_path,
            filename_base=self._impl.filename_base,
            source_stamp=self._impl.locator.get_source_stamp(),
        )

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception:  # a payload numba cannot rebuild: recompile and overwrite it
            caching._cache_log("[cache] could not rebuild %r; recompiling", self._name)
            return None

    def save_overload(self, sig, data):
        # The kernel is compiled: a cache that cannot be written (disk full, directory
        # made read-only or removed since import) must not fail the call that needed it.
        try:
            super().save_overload(sig, data)
        except OSError as e:
            _warn_once(
                f"numerics: could not write numba's cache in {self._cache_path} ({e}); "
                "kernels that are not cached compile again in every process."
            )


_warned = False


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _function_cache(py_func) -> caching._Cache:
    try:
        return _FunctionCache(py_func)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        _warn_once(
            "numerics: no writable directory for numba's cache (package directory, "
            "user cache, temp dir); kernels compile in every process. Set "
            "NUMBA_CACHE_DIR to a writable directory to cache them."
        )
        return caching.NullCache()


def _register_noalias() -> bool:
    """Make numba's compiler flag ``noalias`` an option of :func:`numba.njit`, and say
    whether it is one. The flag marks every pointer argument of the compiled function
    noalias in LLVM (numba sets it for its parallel gufuncs, whose arrays it has checked
    are distinct); numba's njit has no option for it. False (the kernels then compile
    without it: the same results, with LLVM's runtime overlap checks) where this numba
    lacks the flag or the option mappings."""
    try:
        from numba.core.compiler import Flags
        from numba.core.cpu import CPUTargetOptions
        from numba.core.options import TargetOptions
    except ImportError:
        return False
    if not hasattr(Flags, "noalias"):
        return False
    if not isinstance(getattr(CPUTargetOptions, "noalias", None), TargetOptions.Mapping):
        CPUTargetOptions.noalias = TargetOptions.Mapping("noalias")
    return True


_NOALIAS = _register_noalias()


def njit(*args, cache: bool = False, noalias: bool = False, **options):
    """:func:`numba.njit`, where ``cache=True`` uses numerics' cache policy (see the
    module docstring) instead of numba's, and ``noalias=True`` marks every pointer
    argument noalias in LLVM (C's ``restrict``: only for a function none of whose
    arguments' data is written through one argument and read or written through
    another; ignored where numba lacks the flag).

    Examples
    --------
    >>> @njit
    ... def twice(x):
    ...     return 2 * x
    >>> twice(21)
    42
    """
    if len(args) == 1 and callable(args[0]) and not options:  # bare @njit
        return njit(cache=cache, noalias=noalias)(args[0])
    if noalias and _NOALIAS:
        options["noalias"] = True
    if not cache:
        return numba.njit(*args, **options)
    if args:
        raise TypeError("njit(cache=True) compiles lazily: pass no signatures")

    def decorate(func):
        dispatcher = numba.njit(**options)(func)
        if isinstance(dispatcher, Dispatcher):  # not NUMBA_DISABLE_JIT
            dispatcher._cache = _function_cache(func)
        return dispatcher

    return decorate


class _Pool:
    """The worker threads of :func:`run_rows`, started at its first split call and kept:
    a thread pool made per call cost about 0.5 ms (measured: two threads running a
    trivial kernel, 0.65 ms a call against 0.14 ms on one), more than a 64 x 1024
    transform's half. A forked child has none of its parent's threads: it starts a
    pool of its own (``os.register_at_fork``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None
        self.size = 0

    def get(self, workers: int) -> ThreadPoolExecutor:
        with self.lock:
            if self.pool is None or self.size < workers:
                old = self.pool
                self.pool = ThreadPoolExecutor(workers, thread_name_prefix="numerics")
                self.size = workers
                if old is not None:
                    old.shutdown(wait=False)
            return self.pool

    def forget(self) -> None:
        self.lock = threading.Lock()
        self.pool = None
        self.size = 0


_POOL = _Pool()
os.register_at_fork(after_in_child=_POOL.forget)


def run_rows(kernel, args: tuple, rows: int, work: int) -> None:
    """Run ``kernel(*args, lo, hi)`` (a ``nogil`` kernel over rows ``lo:hi``) over
    ``rows`` rows, split over numba's thread count (:func:`numba.get_num_threads`) when
    ``work`` (multiply-adds, say) is large enough to gain; rows must be independent, so
    that the result does not depend on the split. Compiles much faster than numba's
    parallel loops. The calling thread runs the first part, kept worker threads the
    others; it returns (or raises the first error) once every part has finished.

    Examples
    --------
    >>> import numpy as np
    >>> @njit(nogil=True)
    ... def twice(x, out, lo, hi):
    ...     for i in range(lo, hi):
    ...         out[i] = 2 * x[i]
    >>> out = np.zeros(3)
    >>> run_rows(twice, (np.arange(3.0), out), 3, 3)
    >>> out.tolist()
    [0.0, 2.0, 4.0]
    """
    threads = min(numba.get_num_threads(), rows, max(1, work // 2**20))
    if threads <= 1:
        kernel(*args, 0, rows)
        return
    bounds = [rows * t // threads for t in range(threads + 1)]
    parts = list(pairwise(bounds))
    pool = _POOL.get(threads - 1)
    jobs, mine = [], [parts[0]]
    for lo, hi in parts[1:]:
        try:
            jobs.append(pool.submit(kernel, *args, lo, hi))
        except RuntimeError:  # no new work at interpreter shutdown: this thread's then
            mine.append((lo, hi))
    try:
        for lo, hi in mine:
            kernel(*args, lo, hi)
    finally:
        # every part finishes before this returns, even when one raised: none may
        # still write into the caller's arrays afterwards
        for job in jobs:
            job.exception()
    for job in jobs:
        job.result()
