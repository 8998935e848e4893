"""Sphinx configuration of the numerics documentation (built with warnings as errors by
``make docs``).

Three things are generated at every build, so that nothing here goes stale:

- the API reference: one page per sub-package listing every name of its ``__all__``
  (``api/<package>.rst``), and one autosummary page per name (``api/generated/``);
- the gallery: sphinx-gallery runs every ``examples/*.py`` not starting with ``_`` in
  quick mode (``--quick --out DIR``), and shows its docstring, its code, what it printed
  and the PNGs it wrote into ``DIR``;
- the table of named formats (``_generated/formats.txt``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import numerics  # noqa: E402

project = "numerics"
author = "the numerics developers"
copyright = "2026, the numerics developers"
version = release = numerics.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_static_path = ["_static"]
html_css_files = ["numerics.css"]
suppress_warnings = ["ref.python"]  # re-exported names resolve to more than one path

# --- docstrings --------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # dataclass fields are documented once, by autodoc
napoleon_preprocess_types = True

# --- theme -------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"numerics {release}"
html_theme_options = {
    "logo": {"text": "numerics"},
    "navbar_start": ["navbar-logo"],
    "navbar_center": ["navbar-nav"],
    "navbar_end": ["theme-switcher"],
    "navbar_persistent": ["search-button"],
    "icon_links": [],
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "show_toc_level": 2,
    "navigation_depth": 3,
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "pygments_light_style": "tango",
    "pygments_dark_style": "monokai",
}
html_sidebars = {"index": [], "comparison": [], "getting-started": []}
html_context = {"default_mode": "auto"}  # light or dark, following the reader's system

# --- the API reference: one page per sub-package, from its __all__ ----------------------
PACKAGES = {
    "formats": "Formats and casts",
    "scaled": "Scaled and discrete formats",
    "arith": "Emulated arithmetic and tensor cores",
    "analysis": "Error analysis",
    "transforms": "Transforms",
    "torch": "PyTorch bridge",
}
# sub-modules documented on their package's page (their names not re-exported there)
SUBMODULES = {"analysis": ["numerics.analysis.plotting"], "torch": ["numerics.torch.recipes"]}


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "Classes"
    if inspect.ismodule(obj):
        return "Modules"
    if callable(obj):
        return "Functions"
    return "Constants"


def _constant(module: str, name: str, value) -> str:
    """A constant's entry: its type and contents (a dict's or tuple's docstring is its
    type's, so autodoc has nothing to say about it)."""
    if isinstance(value, dict):
        keys = ", ".join(f"``{k}``" for k in list(value)[:12])
        more = ", ..." if len(value) > 12 else ""
        what = f"A ``dict`` of {len(value)} entries, keyed by {keys}{more}."
    elif isinstance(value, (tuple, list, frozenset, set)):
        items = ", ".join(f"``{v!r}``" for v in list(value)[:12])
        what = f"A ``{type(value).__name__}`` of {len(value)}: {items}."
    else:
        what = f"``{value!r}``" if len(repr(value)) < 80 else f"A ``{type(value).__name__}``."
    return f".. py:data:: {module}.{name}\n   :no-index-entry:\n\n   {what}\n"


def _api_page(package: str, title: str) -> str:
    """The reST of one sub-package's page: its docstring, then an autosummary table per
    kind of name (classes, functions, constants), each name getting its own page."""
    module = importlib.import_module(f"numerics.{package}")
    lines = [title, "=" * len(title), "", f".. automodule:: numerics.{package}", "   :no-members:"]
    lines += ["", f".. currentmodule:: numerics.{package}", ""]
    sections = [(f"numerics.{package}", module, list(module.__all__), set())]
    for sub in SUBMODULES.get(package, []):
        sections.append((sub, importlib.import_module(sub), None, set(module.__all__)))
    for name, mod, names, skip in sections:
        if names is None:
            heading = f"``{name}``"
            lines += [heading, "-" * len(heading), "", f".. automodule:: {name}"]
            lines += ["   :no-members:", "", f".. currentmodule:: {name}", ""]
            names = list(mod.__all__)
        groups: dict[str, list[str]] = {}
        for n in names:
            obj = getattr(mod, n)
            if n in skip or inspect.ismodule(obj):
                continue
            groups.setdefault(_kind(obj), []).append(n)
        for kind in ("Classes", "Functions", "Constants"):
            if kind not in groups:
                continue
            if kind == "Constants":
                lines += [".. rubric:: Constants", ""]
                lines += [_constant(name, n, getattr(mod, n)) for n in groups[kind]]
                continue
            lines += [f".. rubric:: {kind}", "", ".. autosummary::", "   :toctree: generated/"]
            if kind == "Classes":
                lines.append("   :template: class.rst")
            lines.append("")
            lines += [f"   {n}" for n in sorted(groups[kind], key=str.lower)]
            lines.append("")
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    # unchanged files keep their time stamps, so incremental builds stay incremental
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


for _pkg, _title in PACKAGES.items():
    _write_if_changed(HERE / "api" / f"{_pkg}.rst", _api_page(_pkg, _title))

# the documented path of every re-exported name: ``numerics.cast`` is documented as
# ``numerics.formats.cast``; a cross-reference to either resolves (see _resolve_alias)
ALIASES: dict[str, str] = {}
for _pkg in PACKAGES:
    _mod = importlib.import_module(f"numerics.{_pkg}")
    for _n in _mod.__all__:
        ALIASES.setdefault(f"numerics.{_n}", f"numerics.{_pkg}.{_n}")
for _sub in (s for subs in SUBMODULES.values() for s in subs):
    _mod = importlib.import_module(_sub)
    _pkg = _sub.rsplit(".", 1)[0]
    for _n in _mod.__all__:
        if _n not in importlib.import_module(_pkg).__all__:
            ALIASES.setdefault(f"{_pkg}.{_n}", f"{_sub}.{_n}")
        else:  # documented once, on the package's page
            ALIASES.setdefault(f"{_sub}.{_n}", f"{_pkg}.{_n}")


def _lookup(target: str):
    """The object a dotted name refers to, or None: the longest importable module
    prefix, then attributes."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def _resolve_alias(app, env, node, contnode):
    """Resolve ``numerics.X`` (and ``numerics.X.method``) to the page of the name it
    re-exports; warn about a ``numerics.*`` target that exists nowhere, so that a
    broken link in a guide fails the ``-W`` build."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("numerics"):
        return None
    candidates = []
    parts = target.split(".")
    for i in range(len(parts), 1, -1):
        prefix = ".".join(parts[:i])
        if prefix in ALIASES:
            candidates.append(".".join([ALIASES[prefix], *parts[i:]]))
            break
    domain = env.get_domain("py")
    for new in candidates:
        node["reftarget"] = new
        found = domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], new, node, contnode
        )
        if found is not None:
            return found
        node["reftarget"] = target
    obj = _lookup(target)
    if obj is None and not target.startswith("numerics._"):
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "broken cross-reference to %s (no such public name)", target, location=node
        )
    return None


# --- the gallery: examples run in quick mode at build time --------------------------------
EXAMPLES = ROOT / "examples"
GALLERY_SRC = HERE / "_build" / "gallery_src"


def _titled(source: str) -> str:
    """The example's source with an reST title made of its docstring's first sentence,
    when the docstring has none: the scripts' docstrings are also their ``--help``."""
    m = re.match(r'(\s*(?:#.*\n)*\s*""")(.*?)(""")', source, re.S)
    if not m:
        return source
    doc = m.group(2).strip("\n")
    first = doc.split("\n\n", 1)[0]
    if re.search(r"^\s*([=\-~^#*])\1{3,}\s*$", first, re.M):
        return source  # already has a title
    text = " ".join(first.split())
    depth, cut = 0, len(text)
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if depth == 0 and ch in ".:" and (i + 1 == len(text) or text[i + 1] == " "):
            cut = i
            break
    title, rest = text[:cut].strip(), text[cut + 1 :].strip()
    body = doc.split("\n\n", 1)[1] if "\n\n" in doc else ""
    # the rest of the first sentence opens the body
    rest = rest[0].upper() + rest[1:] if rest else ""
    if len(title) > 60 and " (" in title:
        # a long title loses its parenthesis; the whole first sentence opens the body
        title, rest = title.split(" (", 1)[0], text
    body = "\n\n".join(p for p in (rest, body) if p)
    # the usage line is a shell command
    body = re.sub(r"\n\n    (python [^\n]*)\n", r"\n\n.. code-block:: none\n\n    \1\n", body)
    new = f"{m.group(1)}\n{title}\n{'=' * len(title)}\n\n{body}\n{m.group(3)}"
    return source[: m.start()] + new + source[m.end() :]


def _stage_examples() -> None:
    """Copy examples/ into the gallery's source folder with titles added; unchanged
    files are left alone, so sphinx-gallery reruns only the examples that changed."""
    GALLERY_SRC.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for src in sorted(EXAMPLES.iterdir()):
        if src.suffix not in (".py", ".rst", ".txt"):
            continue
        text = src.read_text()
        if src.suffix == ".py" and not src.name.startswith("_"):
            text = _titled(text)
        _write_if_changed(GALLERY_SRC / src.name, text)
        wanted.add(src.name)
    for old in GALLERY_SRC.iterdir():
        if old.is_file() and old.name not in wanted:
            old.unlink()


_stage_examples()
# progress bars are for terminals: the gallery shows what the examples print
os.environ["TQDM_DISABLE"] = "1"
sys.path.insert(0, str(EXAMPLES))  # the examples import their helpers (_training.py)
sys.path.insert(0, str(HERE / "_ext"))  # numerics_gallery: how the examples are run


sphinx_gallery_conf = {
    "examples_dirs": str(GALLERY_SRC),
    "gallery_dirs": "auto_examples",
    # every script is an example; files starting with _ are its helpers
    "filename_pattern": r"/[^_/][^/]*\.py$",
    "ignore_pattern": r"(^|[/\\])_[^/\\]*\.py$",
    "reset_argv": "numerics_gallery.quick_argv",
    "image_scrapers": ("numerics_gallery.png_scraper",),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
    "line_numbers": False,
    "capture_repr": (),
    "min_reported_time": 1,
    # the examples run in parallel, one per core (at most 2: each loads torch)
    "parallel": int(os.environ.get("NUMERICS_GALLERY_JOBS", min(2, os.cpu_count() or 1))),
    "backreferences_dir": "api/generated/backreferences",
    "doc_module": ("numerics",),
    "exclude_implicit_doc": {r"numerics\._.*"},
    "reference_url": {"numerics": None},
}

# --- the guides: in this order, then any other page of guide/ (added on a branch) ---------
GUIDES = ("formats", "scaled", "arith", "tensor-cores", "transforms", "torch")
_others = sorted(p.stem for p in (HERE / "guide").glob("*.rst") if p.stem != "index")
_guides = [g for g in GUIDES if g in _others] + [g for g in _others if g not in GUIDES]
_write_if_changed(
    HERE / "_generated" / "guides.inc",
    ".. toctree::\n   :maxdepth: 2\n\n" + "".join(f"   /guide/{g}\n" for g in _guides),
)

# --- the table of named formats, generated from numerics itself ----------------------------
from numerics.analysis import format_table  # noqa: E402

_write_if_changed(HERE / "_generated" / "formats.txt", format_table() + "\n")


def setup(app):
    app.connect("missing-reference", _resolve_alias)
