# Every target sets itself up: a fresh clone needs nothing but Python 3.10+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache

.PHONY: demo test lint bench docs gallery clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,torch]'
	touch $(STAMP)

$(VENV)/.docs: $(STAMP)
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
	$(PY) -m pytest -q

bench: $(VENV)/.bench
	$(PY) benchmarks/import_time.py
	$(PY) benchmarks/cast.py
	$(PY) benchmarks/scaled.py
	$(PY) benchmarks/arith.py
	$(PY) benchmarks/transforms.py
	$(PY) benchmarks/torch_bridge.py

# the documentation site, with warnings as errors
docs: $(VENV)/.docs
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs written to docs/_build/html/index.html"

# the gallery's plots, from full runs of the examples
gallery: $(STAMP)
	$(PY) examples/fft_butterfly_error.py --out docs/_static/gallery
	$(PY) examples/fp8_weights_mnist.py --out docs/_static/gallery
	$(PY) examples/recipes_cnn.py --out docs/_static/gallery
	$(PY) examples/qat_casts.py --out docs/_static/gallery
	$(PY) examples/tensor_core_error.py --out docs/_static/gallery
	$(PY) examples/llama_lm.py --out docs/_static/gallery

clean:
	rm -rf $(VENV) .numba_cache .pytest_cache .hypothesis docs/_build out
