# 公示台 quick start:  make site  (demo portal into site/)  ·  make test  (whole suite)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AS_OF ?= 2023-12-29

.PHONY: site test venv lint bench demo-data clean browser-deps

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

site: $(STAMP)
	$(VENV)/bin/gongshi build --data data --as-of $(AS_OF) --out site

test: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench

bench: $(STAMP)
	$(PY) bench/run.py

# Regenerate the demo data deterministically (office files, then the replayed draw log).
demo-data: $(STAMP)
	$(PY) -m generator.demo.replay data

# Debian's chromium for the browser tests (CI installs it; run as root).
browser-deps:
	command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk)

clean:
	rm -rf site .pytest_cache .ruff_cache
