# make run   set up and serve the portal on http://127.0.0.1:8000 with the guide imported
# make test  set up and run the whole suite (ruff, then pytest incl. browser tests)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DEBUG=1

DB_WORKERS ?= 2
# make serve: nginx on HOST:PORT (TLS when TLS_CERT and TLS_KEY name files), gunicorn behind it on BIND.
BIND ?= 127.0.0.1:8001
NGINX_PREFIX ?= run/nginx
TLS_CERT ?=
TLS_KEY ?=

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

# Production mode on this machine: nginx (deploy/nginx.conf) in front of gunicorn, static files served by nginx,
# DEBUG off, db_worker processes. Ctrl-C stops them all.
serve: setup
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY (e.g. export SECRET_KEY=\$$(openssl rand -hex 32))"; exit 2; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_guide
	$(PY) manage.py check --deploy --fail-level WARNING
	@nginx=$$($(PY) scripts/nginx_conf.py $(NGINX_PREFIX) --listen $(HOST):$(PORT) --upstream $(BIND) \
		$(if $(TLS_CERT),--certificate $(abspath $(TLS_CERT)) --key $(abspath $(TLS_KEY)))) || exit 1; \
	$$nginx -t -q || exit 1; \
	echo "Serving on http$(if $(TLS_CERT),s)://$(HOST):$(PORT)/ (nginx; gunicorn on $(BIND); $(DB_WORKERS) db_worker); Ctrl-C stops all."; \
	export BIND=$(BIND) TRUST_X_FORWARDED_PROTO=1 TRUST_X_FORWARDED_FOR=1; \
	trap 'kill 0' INT TERM EXIT; \
	for i in $$(seq $(DB_WORKERS)); do $(PY) manage.py db_worker --worker-id "$$(hostname)-$$i" & done; \
	$(PY) -m gunicorn portal.wsgi -c portal/gunicorn.conf.py & \
	$$nginx

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
	rm -rf $(VENV) staticfiles run db.sqlite3 db.sqlite3-wal db.sqlite3-shm
