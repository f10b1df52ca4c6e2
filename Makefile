# Two commands do everything on a fresh machine:
#   make start   install, migrate SQLite, load the demo data, serve on http://127.0.0.1:8000
#   make test    install what the tests need, then lint and run the whole suite

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# mypy with django-stubs over the whole project (migrations, static files and var/ excluded in
# pyproject.toml): it must stay at zero errors.
MYPY := $(PY) -m mypy .
# The suite runs on one pytest-xdist worker per core (at most 8), each file on one worker (its
# module fixtures, such as the identity providers and the S3 server, start once); each worker has
# its own test database, Redis database and media directory, and the rows the data migrations
# made come back after each transactional test's flush (tests/conftest.py). PYTEST_ARGS adds to
# it: `make test PYTEST_ARGS="-n 0 tests/test_plans.py"` runs one file in one process.
PYTEST_WORKERS := -n auto --maxprocesses 8 --dist loadfile

.PHONY: start test install install-dev system-deps system-deps-test messages lint format bench worker beat clean

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	@# pip before 24 misreads an extra (fonttools[woff]) under --require-hashes
	$(PY) -m pip install --quiet --upgrade 'pip>=25'

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	@rm -f $(VENV)/.installed-dev
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Pango is what WeasyPrint draws text with; gettext's msgfmt compiles the translations.
# Installed when missing and the machine allows it.
system-deps:
	@bash bin/system-deps pango gettext

# The browser tests drive Debian's Chromium; pdftoppm and pdffonts check the PDFs.
system-deps-test:
	@bash bin/system-deps pango gettext chromium poppler

# The translations (locale/*/LC_MESSAGES/django.po, committed) compiled to the .mo files Django
# reads (not committed). The virtualenv's own catalogues are compiled already.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=node_modules
messages: install
	$(PY) manage.py compilemessages $(MESSAGES_IGNORE)

start: system-deps install messages
	$(PY) manage.py migrate --noinput
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py load_demo
	@echo "The portal is at http://$(HOST):$(PORT)/ (Ctrl-C stops it)."
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps-test install-dev messages
	$(PY) -m ruff check . bin/check-views bin/check-translations
	$(PY) -m ruff format --check . bin/check-views bin/check-translations
	@# Views parse, check access, call one service, render: no writes, no role strings.
	$(PY) bin/check-views
	@# The catalogues listed as complete have no untranslated or fuzzy entry (locale/README.md).
	$(PY) bin/check-translations
	$(MYPY)
	$(PY) manage.py makemigrations --check --dry-run
	@services=$$($(PY) bin/test-services) || exit 1; eval "$$services"; \
	  $(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check . bin/check-views bin/check-translations
	$(PY) -m ruff format --check . bin/check-views bin/check-translations
	$(PY) bin/check-views
	$(PY) bin/check-translations
	$(MYPY)

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install-dev
	$(PY) bench/pages.py

worker: install
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
