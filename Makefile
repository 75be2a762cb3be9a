# serviceplan: the two commands a user needs are `make report` and `make test`. `make help` lists the rest.
# Windows or conda users: see README.md for the same steps with `serviceplan ...` commands.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup report test lint demo bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# axe-core for the accessibility gate (a test-only npm package, pinned by package-lock.json).
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the accessibility gate (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

setup: $(STAMP)  ## create .venv and install the package with its development tools

report: $(STAMP)  ## produce the monthly report of the newest month (demo data on a new checkout)
	$(BIN)/serviceplan run

test: $(STAMP) node_modules/.package-lock.json  ## run the whole test suite: unit, CLI, notebook (nbval) and quality-gate tests
	$(BIN)/python -m pytest tests -p no:cacheprovider -n auto --dist loadfile \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

lint: $(STAMP)  ## ruff over all Python: package, tests, tools, the pages' sources and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: $(STAMP)  ## write the demo dataset to data/raw/
	$(BIN)/serviceplan demo

bench: $(STAMP)  ## benchmark the batch against naive Papermill runs (about 20 min on 2 cores; bench/results/)
	$(BIN)/serviceplan bench

clean:  ## remove generated data and caches (published reports are kept)
	rm -rf data/canonical .pytest_cache
