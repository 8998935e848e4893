# Every target sets itself up: a fresh clone needs nothing but Python 3.10+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache

.PHONY: demo test test-slow lint bench docs gallery clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,torch]'
	touch $(STAMP)

$(VENV)/.docs: $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(VENV)/.docs

$(VENV)/.bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $(VENV)/.bench

demo: $(STAMP)
	$(PY) -m numerics demo

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# the long-running checks make test leaves out (inductor on every recipe)
test-slow: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m slow

bench: $(VENV)/.bench
	$(PY) benchmarks/import_time.py
	$(PY) benchmarks/cast.py
	$(PY) benchmarks/scaled.py
	$(PY) benchmarks/arith.py
	$(PY) benchmarks/transforms.py
	$(PY) benchmarks/torch_bridge.py

# the documentation site, with warnings as errors; the gallery runs every example in
# quick mode, and reruns only the examples that changed since the last build (keep
# docs/auto_examples, docs/_build and .numba_cache between CI runs to use that)
docs: $(VENV)/.docs
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs written to docs/_build/html/index.html"

# full runs of every example (not the gallery's quick ones), plots into out/gallery
gallery: $(STAMP)
	for f in examples/[!_]*.py; do $(PY) $$f --out out/gallery || exit 1; done

clean:
	rm -rf $(VENV) .numba_cache .pytest_cache .hypothesis docs/_build docs/auto_examples docs/api/generated out
