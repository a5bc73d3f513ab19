# Two commands for a new machine: `make demo` and `make test`. Both build .venv/ first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The Spark extra (pyspark builds from a 456 MB source archive, ~2 min cold): `make test` only,
# so `make demo` stays light.
SPARK_INSTALLED := $(VENV)/.installed-spark

.PHONY: install demo test lint docs format bench clean

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

$(SPARK_INSTALLED): $(INSTALLED)
	@echo "==> installing the Spark extra (pyspark and Great Expectations' Spark engine; about 2 minutes the first time)"
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	@touch $(SPARK_INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	@echo "==> running the demo: build the demo database, back it up, check live and backup, write the report"
	$(BIN)/dbguard demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy dbguard backup conftest.py
	$(BIN)/mypy checks

# The documentation site, docs/ (mkdocs.yml), into site/; --strict: a broken link, a missing
# anchor or a page left out of the nav fails. Writers: `$(BIN)/mkdocs serve` reloads on save.
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# loadfile: a test file per worker; tests/conftest.py's scheduler keeps the tests/test_spark_*.py
# files together on one worker (one JVM).
test: lint docs $(SPARK_INSTALLED)
	$(BIN)/pytest tests -n auto --dist loadfile

# The Spark extra too: section 11 measures dbguard on Spark (skipped, saying why, without it).
bench: $(SPARK_INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo site reports/*.html reports/*.xml reports/*.md reports/*.sqlite3
