PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: run test install dev bench clean

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
	@mkdir -p .khabar
	$(BIN)/khabar ingest examples/ --db .khabar/example.db
	$(BIN)/khabar search "التعاون" --db .khabar/example.db
	-$(BIN)/khabar who-said "الهواري" --db .khabar/example.db

test: dev
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_time.py
	$(BIN)/python benchmarks/bench_ingest.py --sizes 1000,5000

clean:
	rm -rf .khabar $(VENV) build *.egg-info src/*.egg-info .pytest_cache
