# gigawatch — `make demo` runs the whole pipeline on the bundled demo site; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint typecheck browser bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/gigawatch demo

# Everything CI runs: lint, format, layer contracts, types, then every test.
test: lint typecheck browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q
	$(BIN)/python eval/score_signal.py --check

# The unit tier only (no Prefect server, crawl or subprocess): about a minute.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Debian's chromium for the report's browser test (needs root; skipped without it).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  >/dev/null; } || echo "chromium is not installed: the report's browser test will be skipped"

# The signal evaluation set (eval/signal/): fails below eval/baseline.toml.
eval: $(STAMP)
	$(BIN)/python eval/score_signal.py --check

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .ruff_cache
