PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: run test install dev bench clean browser-deps

$(BIN)/khabar: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

install: $(BIN)/khabar

dev: install
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/khabar analyze examples/ --format pretty

# Browser tests drive Debian's Chromium (no browser download): install it when missing.
browser-deps:
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
		echo "khabar: could not install chromium; browser tests will be skipped"

test: dev browser-deps
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_text.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
