PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: run test install dev bench clean browser-deps

$(BIN)/khabar: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[web]'
	@touch $@

install: $(BIN)/khabar

dev: install
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/khabar analyze examples/ --format pretty
	@mkdir -p .khabar
	$(BIN)/khabar ingest examples/ --db .khabar/example.db
	$(BIN)/khabar search "التعاون" --db .khabar/example.db
	$(BIN)/khabar who-said "الهواري" --db .khabar/example.db

# Browser tests drive Debian's Chromium (no browser download): install it when missing. Its
# Depends are enough for headless use (fonts-dejavu-core comes through libfontconfig1 and covers
# Arabic; the tests pass --no-sandbox and --disable-gpu); the Recommends are desktop packages.
browser-deps:
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium) || \
		echo "khabar: could not install chromium; browser tests will be skipped"

test: dev browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_time.py
	$(BIN)/python benchmarks/bench_ingest.py --sizes 1000,5000

clean:
	rm -rf .khabar $(VENV) build *.egg-info src/*.egg-info .pytest_cache
