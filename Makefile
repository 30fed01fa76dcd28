# The two commands of the README: `make run` (the sandbox) and `make test`.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install browser run test lint stack-up stack-down clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## The main job: local Kafka + registry, both emulators, the workers and sample traffic.
run: install
	$(BIN)/casebridge up

## Debian's chromium for the browser tests of the operations page (never a downloaded
## browser): installed with apt-get when missing and we are root, else a note and the
## browser tests skip with the same hint.
browser:
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the operations page's browser tests ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "note: no chromium and not root: the browser tests will skip (apt-get install chromium)"; \
	fi

## The tests: unit and integration (the fixtures bring the local stack up and down).
test: install browser
	$(BIN)/ruff check streams connectors schemas deploy emulators tests bench
	$(BIN)/mypy
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

lint: install
	$(BIN)/ruff check streams connectors schemas deploy emulators tests bench
	$(BIN)/ruff format --check streams connectors schemas deploy emulators tests bench
	$(BIN)/mypy

stack-up: install
	$(BIN)/casebridge stack up

stack-down: install
	$(BIN)/casebridge stack down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
