"""How sphinx-gallery runs the examples for the documentation (named in docs/conf.py as
``numerics_gallery.quick_argv`` and ``numerics_gallery.png_scraper``; a module of its
own, so that the configuration pickles and parallel workers can import it)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

GALLERY_OUT = Path(tempfile.gettempdir()) / f"numerics-gallery-{os.getuid()}"


def example_out(src_file) -> Path:
    """The ``--out`` folder of one example."""
    return GALLERY_OUT / Path(src_file).stem


def quick_argv(gallery_conf, script_vars) -> list[str]:
    """Every example runs as ``python examples/NAME.py --quick --out DIR``, followed by
    the arguments of its ``# sphinx_gallery_quick_args = [...]`` line if it has one
    (a shorter run for the gallery than the script's own ``--quick``)."""
    from sphinx_gallery.py_source_parser import extract_file_config

    out = example_out(script_vars["src_file"])
    shutil.rmtree(out, ignore_errors=True)
    conf = extract_file_config(Path(script_vars["src_file"]).read_text())
    return ["--quick", "--out", str(out), *map(str, conf.get("quick_args", []))]


def png_scraper(block, block_vars, gallery_conf, **kwargs) -> str:
    """The PNGs the example wrote into its ``--out`` folder, in the order written (the
    examples save and close their figures, so matplotlib's scraper finds none)."""
    from sphinx_gallery.scrapers import figure_rst

    out = example_out(block_vars["src_file"])
    pngs = sorted(out.glob("*.png"), key=lambda p: p.stat().st_mtime) if out.is_dir() else []
    shown = []
    for png, dest in zip(pngs, block_vars["image_path_iterator"], strict=False):
        shutil.copyfile(png, dest)
        png.unlink()  # each figure is shown once, after the block that wrote it
        shown.append(dest)
    try:
        import matplotlib.pyplot as plt

        plt.close("all")
    except ImportError:
        pass
    return figure_rst(shown, gallery_conf["src_dir"]) if shown else ""
