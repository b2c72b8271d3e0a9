# `make` builds dist/ from manuscript/; `make test` runs ruff, mypy and every test (what CI runs);
# `make check` is the fast loop: the same linters and every test but the slow ones (those that lay
# out a PDF with WeasyPrint or run EPUBCheck), in under 3 minutes on two cores.
# All create .venv and install everything on first run, and do nothing more when nothing changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM_OK := $(VENV)/.system-ok
SOURCES := $(shell find manuscript styles src -type f -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: all test check fuzz lint bench a11y clean distclean
.DEFAULT_GOAL := all

all: dist/.built

# What WeasyPrint needs from Debian (Pango, HarfBuzz's fast font subsetter, fonts; the book's
# family named in styles/fonts.toml), EPUBCheck needs (Java), the tests read PDFs with (poppler)
# and PDF/X's CMYK profile (FOGRA39, ISO Coated v2 300% by basICColor, zlib licence, in scribus-data);
# the tests read the cover's barcode with zbar's zbarimg (zbar-tools).
$(SYSTEM_OK): styles/fonts.toml Makefile
	@mkdir -p $(VENV)
	@missing=""; \
	  ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0"; \
	  ldconfig -p | grep -q 'libpangoft2-1.0.so' || missing="$$missing libpangoft2-1.0-0"; \
	  ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing="$$missing libharfbuzz-subset0"; \
	  fc-list 2>/dev/null | grep -qi 'DejaVu Serif' || missing="$$missing fonts-dejavu-core fontconfig"; \
	  command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	  test -f /usr/share/fonts/opentype/linux-libertine/LinLibertine_R.otf || missing="$$missing fonts-linuxlibertine"; \
	  command -v pdffonts >/dev/null || missing="$$missing poppler-utils"; \
	  test -f /usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc || missing="$$missing scribus-data"; \
	  command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	    else echo "Run: sudo apt-get install$$missing" >&2; exit 1; fi; \
	  fi
	@touch $@

# Installed again when the version (in src/fleuron/__init__.py, which pyproject.toml reads) may have changed.
$(INSTALLED): pyproject.toml src/fleuron/__init__.py $(SYSTEM_OK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Fleuron needs Python >= 3.11" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Python's compiled modules, written here as an install would (PYTHONDONTWRITEBYTECODE may be set).
dist/.built: $(INSTALLED) $(SOURCES)
	@$(BIN)/python -m compileall -q src
	$(BIN)/fleuron build manuscript -o dist
	@touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

check: lint
	$(BIN)/pytest -m "not slow"

# Property tests with fresh random examples, round after round (`make fuzz ROUNDS=20`), where
# `make test` replays the same ones.
ROUNDS ?= 5
fuzz: $(INSTALLED)
	for round in $$(seq $(ROUNDS)); do \
	  FLEURON_HYPOTHESIS=fuzz $(BIN)/pytest -q -m "not slow" $$(grep -l "@given" tests/test_*.py) || exit 1; \
	done

clean:
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache .hypothesis

distclean: clean
	rm -rf $(VENV)

bench: $(INSTALLED)
	$(BIN)/python bench/bench.py

# DAISY Ace, the accessibility checker (not part of `make test`): npm's ace-cli with Debian's
# Chromium (puppeteer must not download a browser of its own).
ACE := .ace/node_modules/.bin/ace-cli
$(ACE):
	@test -x /usr/lib/chromium/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Run: sudo apt-get install chromium" >&2; exit 1; fi; }
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .ace --no-audit --no-fund @daisy/ace-cli@1.4.6

a11y: dist/.built $(ACE)
	rm -rf dist/ace
	PUPPETEER_EXECUTABLE_PATH=$(CURDIR)/tools/chromium-for-ace $(ACE) -f -s -o dist/ace $(firstword $(wildcard dist/*.epub))
	$(BIN)/python tools/ace_report.py dist/ace/report.json
