# gov3 — every operation a newcomer needs. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GOV3 := $(BIN)/gov3
DEMO_SIZE ?= 20000

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

.PHONY: install
install: $(VENV)/.installed messages ## Create .venv and install gov3
	@true

.PHONY: install-dev
install-dev: $(VENV)/.installed-dev messages ## Install gov3 with the test and lint tools
	@true

.PHONY: messages
messages: ## Compile the translations (ko, en, vi)
	@$(BIN)/python scripts/compile-messages.py

.PHONY: demo
demo: install ## Set up the demo country (kr, 20,000 residents); serve on 127.0.0.1:8000 with a worker
	$(GOV3) demo setup --country kr --size $(DEMO_SIZE)
	$(GOV3) run 127.0.0.1:8000

.PHONY: test
test: install-dev ## Lint, type-check, check imports and migrations, run pytest on SQLite and PostgreSQL
	scripts/run-tests

.PHONY: test-full
test-full: install-dev ## make test with freshly drawn property-test examples, ten times as many
	GOV3_HYPOTHESIS_PROFILE=full scripts/run-tests

.PHONY: demo-check
demo-check: ## What make demo does, in a clean runtime-only venv and a temporary database (as CI)
	scripts/demo-smoke

.PHONY: lint
lint: install-dev ## Only ruff, formatting, mypy, the import contracts and the migrations check
	scripts/run-tests --lint-only

.PHONY: fmt
fmt: install-dev ## Format the code and fix what ruff can fix
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

.PHONY: bench
bench: install-dev ## Run the benchmarks and append to bench/RESULTS.md
	$(BIN)/python bench/run.py

.PHONY: refresh-krds
refresh-krds: ## Re-vendor the KRDS design system from npm into src/gov3/static/krds
	scripts/refresh-krds

.PHONY: clean
clean: ## Remove the demo database and caches (keeps .venv)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
