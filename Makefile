# Every target sets itself up: a fresh clone needs nothing but Python 3.10+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache

.PHONY: demo test lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,torch]'
	touch $(STAMP)

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
	$(PY) benchmarks/cast.py
	$(PY) benchmarks/scaled.py
	$(PY) benchmarks/arith.py
	$(PY) benchmarks/transforms.py
	$(PY) benchmarks/torch_bridge.py

clean:
	rm -rf $(VENV) .numba_cache .pytest_cache .hypothesis
