# GNU make. Needs only python3 on PATH; everything else goes into .venv/.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_VENV := $(VENV)/.stamp-venv
STAMP_INSTALL := $(VENV)/.stamp-install

.PHONY: venv install run test fmt bench clean chromium

venv: $(STAMP_VENV)

$(STAMP_VENV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

install: $(STAMP_INSTALL)

$(STAMP_INSTALL): $(STAMP_VENV) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/citygraph build
	$(BIN)/citygraph stats
	$(BIN)/citygraph query active-partners --param date=2019-06-01
	$(BIN)/citygraph query active-partners --param date=2024-06-01
	$(BIN)/citygraph publish "$${CITYGRAPH_PUBLICATION_DIR:-$${CITYGRAPH_STORE_DIR:-.citygraph}/publication}" --base-url http://127.0.0.1:8000/ --langs en
	@echo "serving on http://127.0.0.1:8000 (SPARQL: /sparql); Ctrl-C stops"
	$(BIN)/citygraph serve --host 127.0.0.1 --port 8000

# Headless Chromium for the page tests (tests/test_pages_browser.py): Debian's package, driven
# by the playwright package with executable_path; never `playwright install`.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

test: install chromium
	$(BIN)/pytest -q

fmt: install
	$(BIN)/citygraph fmt data/

# every benchmark part at S, M, L and the world graph (bench/run.py, under 30 min; also
# `citygraph bench`): bench/results/*.json and bench/results/SUMMARY.md
bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .citygraph .pytest_cache
