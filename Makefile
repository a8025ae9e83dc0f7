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

test: $(STAMP) browser-deps
	$(VENV)/bin/ruff check generator tests bench
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench

bench: $(STAMP)
	$(PY) bench/run.py

# Regenerate the demo data deterministically (office files, then the replayed draw log).
demo-data: $(STAMP)
	$(PY) -m generator.demo.replay data

# Debian's chromium (and CJK fonts) for the browser tests: installed when missing and this is a
# Debian machine where we are root; otherwise the browser tests are skipped (CI requires them).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	else echo "注意：未安装 chromium，浏览器端到端测试将跳过（以 root 运行 make browser-deps 安装）。"; fi

clean:
	rm -rf site .pytest_cache .ruff_cache
