"""Sphinx configuration of the numerics documentation (built with warnings as
errors by ``make docs``)."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

project = "numerics"
author = "the numerics developers"
copyright = "2026, the numerics developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
autosummary_generate = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # dataclass fields are documented once, by autodoc
html_theme = "alabaster"
html_static_path = ["_static"]
exclude_patterns = ["_build"]
suppress_warnings = ["ref.python"]  # re-exported names resolve to more than one path

# the table of named formats, generated from numerics itself at every build
os.makedirs(os.path.join(os.path.dirname(__file__), "_generated"), exist_ok=True)
from numerics.analysis import format_table  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "_generated", "formats.txt"), "w") as _f:
    _f.write(format_table() + "\n")
