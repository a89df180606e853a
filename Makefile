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

test: dev
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_time.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
