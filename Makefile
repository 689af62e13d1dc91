# Kitsune: the template repository's two entry points are `make demo` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

# Use uv from PATH, or install it once into .tools/ (pip from the package registry). .tools/bin
# goes on PATH so that the tests, which run uv in each baked project, find the same one.
export PATH := $(CURDIR)/.tools/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
BUILD := build
DEMO := $(BUILD)/demo
DEMO_EMAIL := demo@example.com
DEMO_PASSWORD := kitsune-demo-password
HOST := 127.0.0.1
PORT := 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
TRY := $(BUILD)/try
OPTIONS ?= database=sqlite use_auth=false

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

tools: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv) ## install the template's own tooling into .venv
	$(UV) sync --quiet

demo: tools ## render the default service on SQLite into build/demo and serve it on 127.0.0.1:8000
	rm -rf $(DEMO)
	$(UV) run cookiecutter --no-input --output-dir $(DEMO) . database=sqlite use_redis=false
	@cd $(DEMO)/kitsune-service && \
	  $(abspath $(UV)) sync --quiet && \
	  $(abspath $(UV)) run --no-sync alembic upgrade head && \
	  ADMIN_PASSWORD='$(DEMO_PASSWORD)' $(abspath $(UV)) run --no-sync kitsune_service create-admin --email $(DEMO_EMAIL) && \
	  echo && \
	  echo "  API docs:   http://$(HOST):$(PORT)/docs" && \
	  echo "  Demo login: $(DEMO_EMAIL) / $(DEMO_PASSWORD)  ('Authorize' in the docs, or POST /api/v1/auth/login with form fields username and password)" && \
	  echo "  Project:    $(DEMO)/kitsune-service  (Ctrl-C to stop)" && \
	  echo && \
	  exec $(abspath $(UV)) run --no-sync kitsune_service serve --host $(HOST) --port $(PORT)

try: tools ## render one variant (OPTIONS="key=value ...") into build/try, then its make install lint test
	rm -rf $(TRY)
	$(UV) run cookiecutter --no-input --output-dir $(TRY) . $(OPTIONS)
	$(MAKE) -C $(TRY)/*/ install lint test

test: tools ## run every template test: hooks, every variant baked and linted, four variants' own suites
	$(UV) run pytest -n 2 $(PYTEST_ARGS)

test-fast: tools ## the fast tier only (no variant installs)
	$(UV) run pytest -n 2 -m "not slow" $(PYTEST_ARGS)

bench: tools ## benchmark the default variant against a bare FastAPI reference (needs wrk, ~12 min)
	$(UV) run --no-sync python bench/run.py $(BENCH_ARGS)

lint: tools ## lint the template's own Python (hooks and tests)
	$(UV) run ruff check .
	$(UV) run ruff format --check .

clean: ## remove build output and tool environments
	rm -rf $(BUILD) .venv .tools .pytest_cache .ruff_cache

.PHONY: help tools demo try test test-fast bench lint clean
