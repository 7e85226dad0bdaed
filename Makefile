# k8slab: the two commands most people need are `make lab` and `make test`.
#
#   make lab         set up .venv, then open the notebooks in JupyterLab
#   make test        set up .venv, run tests/ and check every notebook with strict nbval
#   make lint        ruff over the code
#   make notebooks   rebuild and re-execute the committed notebooks (NB=01 for one)
#   make bench       run every benchmarks/*.py script
#   make clean       remove .venv
#
# Set-up is idempotent: .venv/.installed is a stamp that is newer than
# pyproject.toml once `pip install -e ".[test]"` has succeeded, so a second
# run skips straight to the work. pip's own output goes to .venv/pip.log.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LAB_PORT ?= 8888
LAB_ARGS ?=
NB ?=

.PHONY: help setup dot lab test lint notebooks bench clean

help:
	@sed -n '3,8p' Makefile | sed 's/^# //'

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	@if [ ! -x $(VENV)/bin/pip ]; then \
	    if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	        found=$$($(PYTHON) --version 2>&1) || found="not found"; \
	        echo "k8slab needs Python 3.11 or newer, but '$(PYTHON)' is: $$found." >&2; \
	        echo "Install Python 3.11+ and run make again, or point make at it: make PYTHON=python3.12 lab" >&2; \
	        exit 1; \
	    fi; \
	    echo "creating $(VENV) with $$($(PYTHON) --version)"; \
	    if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	        rm -rf $(VENV); \
	        if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	            echo "Python's venv module is missing; installing python3-venv with apt-get"; \
	            DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null \
	                && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >/dev/null; \
	            $(PYTHON) -m venv $(VENV); \
	        else \
	            echo "'$(PYTHON) -m venv' failed. On Debian or Ubuntu: sudo apt-get install python3-venv" >&2; \
	            exit 1; \
	        fi; \
	    fi; \
	fi
	@echo "installing k8slab and its dependencies into $(VENV) (log: $(VENV)/pip.log)"
	@$(VENV)/bin/pip install --disable-pip-version-check -e ".[test]" >$(VENV)/pip.log 2>&1 || { \
	    echo "pip install failed; the end of $(VENV)/pip.log:" >&2; \
	    grep -v ' is ignored: ' $(VENV)/pip.log | tail -n 30 >&2; \
	    exit 1; }
	@touch $@

dot:
	@scripts/ensure-dot.sh

lab: setup
	@flags=""; \
	if [ "$$(id -u)" = 0 ]; then flags="$$flags --allow-root"; fi; \
	if [ "$$(uname -s)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then flags="$$flags --no-browser"; fi; \
	mkdir -p notebooks; \
	echo "starting JupyterLab on 127.0.0.1 (port $(LAB_PORT) or the next free one); stop it with Ctrl-C"; \
	exec $(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=notebooks $$flags $(LAB_ARGS)

# nbval runs each notebook with its kernel's working directory set to the
# notebook's folder (notebooks/), as JupyterLab does. tests/conftest.py is
# loaded as a plugin (-p) because pytest only picks up a conftest.py next to
# or above the files it collects, and the notebooks live outside tests/.
test: setup
	$(PY) -m pytest tests
	@shopt -s nullglob; notebooks=(notebooks/*.ipynb); \
	if [ $${#notebooks[@]} -eq 0 ]; then \
	    echo "no notebooks in notebooks/ yet: nothing for nbval to check"; \
	else \
	    echo "$(PY) -m pytest -p tests.conftest --nbval --nbval-current-env" \
	         "--nbval-sanitize-with tests/nbval-sanitize.cfg $${notebooks[*]}"; \
	    $(PY) -m pytest -p tests.conftest --nbval --nbval-current-env \
	        --nbval-sanitize-with tests/nbval-sanitize.cfg "$${notebooks[@]}"; \
	fi

# Folders git does not carry yet (benchmarks/ while it is empty) are left out.
lint: $(STAMP)
	$(VENV)/bin/ruff check $(wildcard k8slab tests benchmarks tools)

notebooks: setup
	$(PY) tools/build_notebooks.py $(NB)

bench: setup
	@shopt -s nullglob; scripts=(benchmarks/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no benchmarks in benchmarks/ yet"; fi; \
	for script in "$${scripts[@]}"; do \
	    echo "== $$script"; \
	    $(PY) "$$script"; \
	done

clean:
	rm -rf $(VENV)
