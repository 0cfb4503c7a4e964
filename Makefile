# Storedesk: `make demo` to try it, `make test` to check it.
#
# Needs only Python 3.11+ and make: `install` creates .venv from uv.lock with uv, and installs
# uv itself into a small bootstrap virtualenv (.venv-tools) when it is not on the PATH.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
UV := $(shell command -v uv 2>/dev/null || echo "$(TOOLS)/bin/uv")
# The suite runs in parallel (pytest-xdist): on the 2-core CI machine `-n 2` took it from
# 7.5 min to 3.4 min. PYTEST_ARGS adds to it, e.g. `make test PYTEST_ARGS="-k demo"`;
# `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
# e.g. `make demo DEMO_ARGS="--port 9000"`
DEMO_ARGS ?=

.PHONY: install demo test lint typecheck clean browser messages compilemessages

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv

$(BIN)/storedesk: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/storedesk

# The assistant's shipped model is trained (about 20 s of CPU, once per set of examples; kept in
# $$STOREDESK_DATA_DIR/cache/nlu) before the demo starts, so its first answer waits for nothing.
demo: install
	$(BIN)/storedesk assistant classify </dev/null
	$(BIN)/storedesk demo $(DEMO_ARGS)

# The UI tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; no browser download.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update </dev/null && apt-get install -y --no-install-recommends chromium </dev/null; \
	  else \
	    echo "The browser tests need /usr/bin/chromium: sudo apt-get install chromium" >&2; \
	  fi; \
	fi

test: install browser
	$(BIN)/python -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff, then the import contracts of .importlinter (the layering in docs/architecture.md)
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy storedesk config

# Translations (pl, tr, id, th; GNU gettext needed). `messages` refreshes the catalogs from the
# code; translate every new or fuzzy entry, then `compilemessages` (the .mo files are tracked).
# storedesk/tests/test_translations.py fails while a catalog misses a string of the code or has
# an untranslated or fuzzy entry.
LOCALES := -l pl -l tr -l id -l th
messages: install
	$(BIN)/python -m django makemessages $(LOCALES) --no-obsolete --settings=config.settings \
	  -i "$(VENV)/*" -i "$(TOOLS)/*" -i "bench/*" -i "var/*" -i "node_modules/*"

compilemessages: install
	$(BIN)/python -m django compilemessages $(LOCALES) --settings=config.settings \
	  -i "$(VENV)*" -i "node_modules"

clean:
	rm -rf $(VENV) $(TOOLS) var
