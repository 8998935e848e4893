"""The documentation's worked examples run and print what the pages say: every ``>>>``
line of the guides (docs/**/*.rst) is executed with doctest and its output compared,
so a page whose output went stale fails here. Files without ``>>>`` lines are not
collected; a page whose examples import torch is skipped without torch."""

import doctest
import pathlib

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
GENERATED = {"_build", "_generated", "api", "auto_examples", "_templates"}


def _pages():
    for path in sorted(DOCS.rglob("*.rst")):
        rel = path.relative_to(DOCS)
        if rel.parts[0] not in GENERATED and ">>> " in path.read_text():
            yield str(rel)


PAGES = list(_pages())


def test_the_guides_have_worked_examples():
    # the pages that teach by running code; a rewrite that drops them fails here
    for page in (
        "getting-started.rst",
        "guide/formats.rst",
        "guide/scaled.rst",
        "guide/arith.rst",
        "guide/tensor-cores.rst",
    ):
        assert page in PAGES, page


@pytest.mark.parametrize("page", PAGES)
def test_page_examples(page):
    path = DOCS / page
    if ">>> import torch" in path.read_text() or "numerics.torch" in "".join(
        line for line in path.read_text().splitlines() if line.lstrip().startswith(">>>")
    ):
        pytest.importorskip("torch")
    res = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert res.attempted > 0
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples of {page} failed"
