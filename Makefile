# The two commands of the README: `make run` (the sandbox) and `make test`.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run test lint stack-up stack-down clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## The main job: local Kafka + registry, both emulators, the workers and sample traffic.
run: install
	$(BIN)/casebridge up

## The tests: unit and integration (the fixtures bring the local stack up and down).
test: install
	$(BIN)/ruff check streams connectors schemas deploy tests
	$(BIN)/mypy
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

lint: install
	$(BIN)/ruff check streams connectors schemas deploy tests
	$(BIN)/ruff format --check streams connectors schemas deploy tests
	$(BIN)/mypy

stack-up: install
	$(BIN)/casebridge stack up

stack-down: install
	$(BIN)/casebridge stack down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
