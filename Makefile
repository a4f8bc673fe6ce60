# The two commands: `make run` (the portal with demo data) and `make test` (the whole suite).
# Both need only Python >= 3.12 and make; everything else is installed into .venv.

PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$c"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run manage test lint format bench messages lock clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Cần Python >= 3.12 (Python >= 3.12 is required)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# The web server listens on PORT (8000 unless set); honcho gives the worker PORT+100, so SITE_URL is
# fixed here from the web's port for both.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} PORT=$${PORT:-8000} SITE_URL=$${SITE_URL:-http://127.0.0.1:$${PORT:-8000}} \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

# A management command in the development checkout, with the settings `make run` uses:
# `make manage ARGS="units --help"`.
manage: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python manage.py bench $(BENCH_ARGS)

# Compile the shipped translations (the .mo files are committed, so a fresh machine needs no gettext).
messages: $(STAMP)
	$(BIN)/python -m fund_portal.i18n_compile

lock: $(STAMP)
	@echo "Edit pyproject.toml, install into .venv, then copy 'pip freeze' into requirements*.txt."

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
