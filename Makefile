# Opora: the two commands a new user runs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in letters follow the address the portal listens on (unless SITE_URL is given).
SITE_URL ?= http://$(HOST):$(PORT)
# Embedded defaults for a developer's machine; production sets real values.
RUN_ENV := DEBUG=1 SITE_URL=$(SITE_URL)

.PHONY: help run test lint typecheck lock bench venv dev-venv migrate seed worker clean

help:
	@echo "make run    — установить, создать демо-данные и запустить портал и обработчик задач на http://$(HOST):$(PORT)"
	@echo "make test   — проверки стиля (ruff), типов (mypy) и все тесты (pytest)"
	@echo "make lock   — пересобрать requirements*.lock после правки requirements*.txt"
	@echo "make bench  — замеры производительности (bench/)"

$(VENV)/.python-ok:
	@PY_BIN="$$(scripts/find-python.sh)" || exit 1; \
	  echo "Python: $$PY_BIN ($$($$PY_BIN --version))"; \
	  rm -rf $(VENV); "$$PY_BIN" -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip && touch $@

# The venv is installed from the lock files (every package of the tree, pinned); they are
# compiled from requirements*.txt by `make lock`.
$(VENV)/.installed: $(VENV)/.python-ok requirements.lock
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install -q -r requirements-dev.lock
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

migrate: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0

seed: migrate
	@if [ ! -f var/.demo-seeded ]; then \
	  $(RUN_ENV) $(PY) manage.py seed_demo && touch var/.demo-seeded; \
	else echo "Демо-данные уже созданы (удалите var/.demo-seeded, чтобы пересоздать)."; fi

# The worker runs beside the web server; both stop together on Ctrl+C.
run: seed
	@mkdir -p var/celery
	@echo ""
	@echo "Портал: http://$(HOST):$(PORT)/   (остановить — Ctrl+C)"
	@$(RUN_ENV) $(PY) manage.py seed_demo --logins-only
	@$(RUN_ENV) scripts/run-dev.sh $(PY) $(HOST) $(PORT)

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The files mypy checks are listed in pyproject.toml ([tool.mypy] files). The django-stubs
# plugin reads the settings, which need DEBUG=1 or a SECRET_KEY.
typecheck: dev-venv
	DEBUG=1 $(VENV)/bin/mypy

# pytest exits 5 when it collected no tests: that fails `make test` like any error.
test: lint typecheck
	$(PY) -m pytest

LOCK_FLAGS := -q --no-strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe --unsafe-package pip
lock: dev-venv
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock requirements.txt
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements-dev.lock requirements-dev.txt

bench: dev-venv
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
