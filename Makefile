# The two commands of the README. Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= $(or $(PEACEWATCH_DATA),../shared/data)
DEMO   := .peacewatch
PW     := $(BIN)/peacewatch

.PHONY: demo test system lint format bench clean serve

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test,dev,spark,postgres]'
	@touch $@

# PySpark (the DuckDB/PySpark parity tests) needs a Java runtime; the PDF tests need pdftoppm; the team
# store's tests start a PostgreSQL server on loopback (tests/store/conftest.py), from the server binaries
# of the Debian package, found in /usr/lib/postgresql/*/bin, not on PATH; the dashboard's browser tests
# drive Debian's chromium (tests/serve/browser). Installs only what is missing.
system:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	test -z "$$missing" || { \
		echo "installing Debian packages the tests need (Java for PySpark, poppler-utils for PDF checks, PostgreSQL for the team store, chromium for the dashboard's browser tests):$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }

demo: $(STAMP)
	@test -d "$(DATA)" || { echo "error: no data folder at $(DATA); put ../shared beside this clone or set PEACEWATCH_DATA"; exit 1; }
	@mkdir -p $(DEMO)
	$(PW) ingest --store $(DEMO)/demo \
		"$(DATA)/acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz" \
		"$(DATA)/ucdp_ged_afghanistan_selected_310/clean_conflicts_afg.geojson"
	$(PW) ingest --store $(DEMO)/demo --mapping examples/mappings/acled_afghanistan_weekly.yaml \
		"$(DATA)/acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz"
	$(PW) datasets --store $(DEMO)/demo
	PEACEWATCH_DATA="$(DATA)" $(PW) brief afghanistan-2020 --store $(DEMO)/demo --out $(DEMO)/brief
	@echo "Open $(abspath $(DEMO)/brief/brief.html) or $(abspath $(DEMO)/brief/brief.pdf)"

# The demo store's server for a person to look at (loopback; Ctrl-C stops it). It prints the URL.
serve: $(STAMP)
	@test -d $(DEMO)/demo || { echo "error: no demo store at $(DEMO)/demo; run 'make demo' first"; exit 1; }
	PEACEWATCH_DATA="$(DATA)" $(PW) serve --store $(DEMO)/demo

test: $(STAMP) system
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/store.py

clean:
	rm -rf $(DEMO) .pytest_cache .hypothesis
