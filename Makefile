# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := static/node_modules/.installed
CLIENT := static/dist/.built
CLIENT_SRC := $(shell find static/src static/css -type f 2>/dev/null) static/build.mjs boards/capabilities.json
HOST ?= 127.0.0.1
PORT ?= 8000
DB ?= data/samsyn.db

.PHONY: run test lint unit bench reliability setup clean

setup: $(PY_STAMP) $(CLIENT)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(NPM_STAMP): static/package.json static/package-lock.json
	cd static && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CLIENT): $(NPM_STAMP) $(CLIENT_SRC)
	cd static && node build.mjs
	touch $@

run: setup
	mkdir -p $(dir $(DB))
	$(BIN)/samsyn serve --host $(HOST) --port $(PORT) --db $(DB) --create

lint: $(PY_STAMP)
	$(BIN)/ruff check server boards tests bench scripts
	$(BIN)/ruff format --check server boards tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(CLIENT)
	cd static && node --test test/*.test.mjs

test: setup lint unit
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The bench installs its peers itself (npm into bench/node_modules, pip into bench/.peers-venv).
bench: setup
	$(BIN)/python -m bench.run --markdown bench/RESULTS.md $(BENCH_ARGS)

# kill -9 cycles under load and a reconnect storm (bench/RELIABILITY.md); a few minutes.
reliability: setup
	$(BIN)/python -m bench.reliability --cycles 20 --storm 1000 --json bench/results/reliability.json $(RELIABILITY_ARGS)

clean:
	rm -rf $(VENV) static/node_modules static/dist bench/node_modules
