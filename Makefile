# Two commands for a newcomer: `make run` and `make test`. Needs only Python 3.11+, git, make.
# uv is bootstrapped into .tools/ with pip if it is not on PATH; dependencies come from uv.lock.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: run test install chromium lint format migrate seed bench clean

install: $(VENV)/.installed

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The portal on http://127.0.0.1:8000 with SQLite, in-process tasks and demo data. The
# scheduler loop runs the periodic jobs (e-mails, reminders, surveys) on time beside it.
run: seed
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py run_periodic --loop > var-scheduler.log 2>&1 & \
	$(PY) manage.py runserver 127.0.0.1:8000

# Debian's Chromium for the browser tests (the tests drive it with Playwright).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

test: install chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmarks (bench/run.py): ratios against baselines measured in the same run, appended
# to bench/RESULTS.md. Needs PostgreSQL and Redis; wrk comes from Debian. QUICK=1 for a try.
bench: install
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; else echo "install wrk (Debian package wrk)"; exit 1; fi; }
	$(PY) bench/run.py $(if $(QUICK),--quick,)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .tools db.sqlite3 db.sqlite3-* var-scheduler.log
