# make run   set up and serve the portal on http://127.0.0.1:8000 with the guide imported
# make test  set up and run the whole suite (ruff, then pytest incl. browser tests)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DEBUG=1

DB_WORKERS ?= 2

.PHONY: run serve test setup lint format migrate clean

$(VENV)/.installed: requirements.txt
	@PYTHON=$$(scripts/find-python) && { test -x $(PY) || "$$PYTHON" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

setup: $(VENV)/.installed

migrate: setup
	$(DEV) $(PY) manage.py migrate --noinput

run: migrate
	$(DEV) $(PY) manage.py import_guide
	$(DEV) $(PY) manage.py ensure_demo_user
	@echo "Serving on http://$(HOST):$(PORT)/ (with a db_worker for diagnostics); Ctrl-C stops both."
	@trap 'kill 0' INT TERM EXIT; \
	$(DEV) $(PY) manage.py db_worker & \
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production mode on this machine: gunicorn, hashed+compressed static files, DEBUG off, db_worker processes.
serve: setup
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY (e.g. export SECRET_KEY=\$$(openssl rand -hex 32))"; exit 2; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_guide
	$(PY) manage.py check --deploy --fail-level WARNING
	@trap 'kill 0' INT TERM EXIT; \
	for i in $$(seq $(DB_WORKERS)); do $(PY) manage.py db_worker --worker-id "$$(hostname)-$$i" & done; \
	$(PY) -m gunicorn portal.wsgi -c portal/gunicorn.conf.py

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: lint
	@scripts/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
