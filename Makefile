# Two commands for a new machine: `make demo` and `make test`. Both build .venv/ first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint format bench clean

# Each step says what it does: the first install takes about a minute and pip is quiet.
$(INSTALLED): pyproject.toml
	@echo "==> 1/3 creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> 2/3 upgrading pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> 3/3 installing dbguard and its dependencies (Great Expectations, pandas, pytest-html, ...; about a minute)"
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)
	@echo "==> installed: $(BIN)/dbguard"

install: $(INSTALLED)

demo: $(INSTALLED)
	@echo "==> running the demo: build the demo database, back it up, check live and backup, write the report"
	$(BIN)/dbguard demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy dbguard backup conftest.py
	$(BIN)/mypy checks

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/pytest tests -n auto --dist loadfile

bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo reports/*.html reports/*.xml reports/*.md reports/*.sqlite3
