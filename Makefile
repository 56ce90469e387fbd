# The README's two commands: `make demo` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
# The project runs on Python 3.11 (Django 5.2 LTS): python3.11 when it is on PATH, else python3 if that is 3.11.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV = env -u DATABASE_URL -u REDIS_URL -u EMAIL_BACKEND -u CELERY_TASK_ALWAYS_EAGER DEBUG=1 DEMO=1 \
  SITE_URL=http://127.0.0.1:$(PORT)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shop_preference_center
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: messages demo test test-rabbitmq-pgbouncer lint format bench bench-pgbouncer load install install-dev wheel

# A .venv made by another Python (3.12, 3.13...) is rebuilt; a machine without 3.11 gets a clear message.
$(BIN)/python: FORCE
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "This project needs Python 3.11 (Django 5.2 LTS); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Install python3.11 or run: make demo PYTHON=/path/to/python3.11" >&2; exit 1; }
	@if [ -x $@ ] && ! $@ -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo "Rebuilding .venv: it was made by $$($@ --version 2>&1 || echo a missing Python)."; rm -rf $(VENV); fi
	@if [ ! -x $@ ]; then $(PYTHON) -m venv $(VENV) && $@ -m pip install --quiet --upgrade pip; fi

FORCE:

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The demo's logins and links are printed last, once the server answers (they would scroll away above its output).
# The summary may hold the staff password of a first run: it is removed once printed, never left on disk.
demo: $(VENV)/.installed
	mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo > var/demo-summary.txt
	@trap 'kill $$server 2>/dev/null; rm -f var/demo-summary.txt' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	for _ in $$(seq 1 100); do $(BIN)/python -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' $(PORT) 2>/dev/null && break; sleep 0.3; done; \
	sleep 1; echo; cat var/demo-summary.txt; rm -f var/demo-summary.txt; echo; wait $$server

# Translations (docs/i18n.md): each app's strings go to its own <app>/locale/, the project's templates/ and config/ to
# locale/. Run after changing a translatable string, translate the new entries in the .po files, then compile: the
# .mo files are committed (a demo machine needs no gettext). tests/test_translations.py fails on anything left over.
# locale_overrides/ (allauth's wording in the shop's "Sie") is edited by hand: makemessages leaves it alone, and
# compilemessages compiles it with the rest (it is in settings.LOCALE_PATHS).
I18N_APPS := privacy subscriptions accounts shop reviews demo
MAKEMESSAGES = makemessages -l fr -l de --no-obsolete --add-location file
messages: $(VENV)/.installed-dev
	for app in $(I18N_APPS); do (cd $$app && mkdir -p locale && DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=.. ../$(BIN)/django-admin $(MAKEMESSAGES)) || exit 1; done
	$(BIN)/python manage.py $(MAKEMESSAGES) $(foreach app,$(I18N_APPS),-i $(app)) -i .venv -i var -i build -i tests -i benchmarks -i outbox
	$(BIN)/python manage.py compilemessages -i .venv -i var -i build

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The apps package into one wheel, templates, static files and migrations included.
wheel: $(VENV)/.installed-dev
	rm -rf var/wheel build
	$(BIN)/pip wheel --quiet --no-deps . -w var/wheel
	$(BIN)/python -m zipfile -l var/wheel/*.whl | grep -q "subscriptions/templates/subscriptions/unsubscribe.html"
	$(BIN)/python -m zipfile -l var/wheel/*.whl | grep -q "privacy/migrations/0001_initial.py"
	$(BIN)/python -m zipfile -l var/wheel/*.whl | grep -q "privacy/locale/fr/LC_MESSAGES/django.mo"
	rm -rf build

# pytest-randomly shuffles the order on every run (its seed is printed at the top: rerun one with
# PYTEST_ARGS=--randomly-seed=N); tests/reuse runs the bare host project.
test: lint wheel
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

# The integration tests whose outcome depends on the broker or the connection pooler (real workers, the PostgreSQL
# and Redis drills, two machines) once more, with RabbitMQ as the broker and every connection (web and workers)
# through PgBouncer in transaction pooling mode (.ci/pgbouncer starts a private one). The two-beats drill and the ESP
# drills test the scheduler and the ESP client, the same on any broker: they run once, in `make test`.
BROKER_POOLER_TESTS ?= tests/integration/test_worker.py tests/integration/test_mailing_worker.py \
  tests/integration/test_order_confirmation.py tests/integration/test_two_machines.py \
  tests/integration/test_fault_postgres.py tests/integration/test_fault_redis.py
RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672//
PGBOUNCER_PORT ?= 16432
PGBOUNCER_DIR ?= /tmp/spc-pgbouncer-$(PGBOUNCER_PORT)
test-rabbitmq-pgbouncer: $(VENV)/.installed-dev
	.ci/pgbouncer start $(PGBOUNCER_DIR) $(PGBOUNCER_PORT)
	db=$$(basename "$${DATABASE_URL:-$(TEST_DATABASE_URL)}")_pgb; \
	DATABASE_URL=postgres://postgres@127.0.0.1:$(PGBOUNCER_PORT)/$$db PGBOUNCER=1 CELERY_BROKER_URL=$(RABBITMQ_URL) \
	  REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(BIN)/pytest $(BROKER_POOLER_TESTS) -m integration -n auto --dist loadfile --reuse-db $(PYTEST_ARGS); \
	status=$$?; .ci/pgbouncer stop $(PGBOUNCER_DIR); \
	for name in $$(psql -h 127.0.0.1 -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'test\_$${db}%'" postgres); do \
	  dropdb -h 127.0.0.1 -U postgres --force "$$name"; done; \
	exit $$status

# Locust against gunicorn (Procfile's web command), PostgreSQL and Redis; prints the figures (benchmarks/load.py).
load: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/python benchmarks/load.py $(LOAD_ARGS)

bench: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python benchmarks/mailing.py
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python benchmarks/pages.py
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python benchmarks/privacy.py

# The mailing benchmark directly and through a private PgBouncer in transaction pooling mode (benchmarks/mailing.py
# --pgbouncer), for the pipeline alone (dummy) and an ESP's batch API (sendgrid, the stand-in ESP).
BENCH_PGBOUNCER_ARGS ?= --subscribers 5000
bench-pgbouncer: $(VENV)/.installed-dev
	set -e; for backend in dummy sendgrid; do for via in "" --pgbouncer; do \
	  DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python benchmarks/mailing.py --backend $$backend $$via \
	    $(BENCH_PGBOUNCER_ARGS); echo; done; done
