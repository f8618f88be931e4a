# caseapp — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := FLASK_APP=wsgi.py $(VENV)/bin/flask
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint lock test-dates typecheck install venv runtime translations messages db demo serve bench clean lint-imports

# WeasyPrint (the PDFs) loads Pango, PangoFT2 and HarfBuzz-subset from the system: installed here
# when missing and we are root, like chromium for `make test`.
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

# The runtime only (production: `make install`): requirements.txt, no test tools.
$(VENV)/.runtime: requirements.txt
	@for lib in $(PDF_LIBS); do ldconfig -p 2>/dev/null | grep -q "$$lib" || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's Pango libraries for WeasyPrint"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null; \
	  else echo "warning: WeasyPrint needs $(PDF_DEBS) (apt-get install them as root)" >&2; fi; fi
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed: installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# Development and tests: the runtime plus requirements-dev.txt (installed apart: pip checks the hashes of
# each file's packages, and the dev file pins the runtime's shared packages at the runtime's versions).
$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

runtime: $(VENV)/.runtime
venv: $(VENV)/.installed

# requirements.txt and requirements-dev.txt, every package pinned with its hashes, compiled from the
# short requirements.in and requirements-dev.in: run after changing either (LOCK_FLAGS=--upgrade moves
# every transitive pin to its newest release).
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
               --no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)
lock: venv
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

# The Vietnamese catalogue (translations/vi/LC_MESSAGES/messages.po), compiled without building the app.
translations: runtime
	@$(PY) -m caseapp.i18n >/dev/null

# After changing a translatable string: extract every string of the code and templates (babel.cfg) into
# translations/messages.pot and update the catalogue from it; then translate what it lists as untranslated.
messages: runtime
	$(PY) -m caseapp.i18n messages

# Production set-up (README "Production"): runtime dependencies, the catalogue, the migrations and the
# administrative units, on the database DATABASE_URL names. Run it again after every upgrade.
install: translations
	$(FLASK) db upgrade
	$(FLASK) load-units

db: venv install

demo: db
	$(FLASK) seed-demo

# exec: the server replaces the recipe's shell, so stopping make (Ctrl+C or kill) stops the server too.
run: demo
	@echo "caseapp: http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	exec env $(FLASK) run --host $(HOST) --port $(PORT)

# The static checks, configured in pyproject.toml: ruff (lint), the import contracts, the type checker;
# `make test` runs them first.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy caseapp

# Debian packages the tests drive: chromium (browser tests), nginx and systemd-analyze (the deploy/
# files are checked with `nginx -t` and `systemd-analyze verify`); installed when missing and we are root.
TEST_DEBS := /usr/bin/chromium:chromium /usr/sbin/nginx:nginx /usr/bin/systemd-analyze:systemd

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set, at the same time
# (tests/passes.py); browser tests in both.
test: venv translations lint
	@for pair in $(TEST_DEBS); do test -x "$${pair%%:*}" || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's$$missing for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || true; fi
	$(PY) tests/passes.py tests

# Every test runs on a fixed clock (tests/conftest.py): CASEAPP_TEST_NOW, by default an ordinary
# Tuesday. test-dates runs the tests whose outcome depends on the day (working days, weekends, Tết,
# "within 7 days", Vietnam's date against UTC's) once per instant below, on SQLite: each day of one
# week, the eve of Tết 2027 (days off from Thu 04/02) and its first working day after (Thu 11/02),
# the year's last day, and late evening / just after midnight, when Vietnam's date is not UTC's.
TEST_DATES ?= 2026-12-07T10:00:00+07:00 2026-12-08T10:00:00+07:00 2026-12-09T10:00:00+07:00 \
              2026-12-10T10:00:00+07:00 2026-12-11T10:00:00+07:00 2026-12-12T10:00:00+07:00 \
              2026-12-13T10:00:00+07:00 2027-02-03T10:00:00+07:00 2027-02-11T10:00:00+07:00 \
              2026-12-31T10:00:00+07:00 2026-12-08T23:50:00+07:00 2026-12-09T00:10:00+07:00
# The rules engine's due items, the tasks page and case page; reminders and escalations; shelter
# stays; the dashboard's overdue / "within 7 days" / weekly numbers; the 07:00 digest; the fixed
# clock itself. Not the reminder tests' subprocesses (concurrency, not dates: they pass the time
# they mean). About 20 s an instant.
DATE_TESTS ?= tests/deadlines tests/reminders --ignore=tests/reminders/test_processes.py tests/shelter \
              tests/dashboard/test_dashboard.py tests/mail/test_digest.py tests/test_clock.py

test-dates: venv translations
	@failed=""; for now in $(TEST_DATES); do \
	  echo "== CASEAPP_TEST_NOW=$$now"; \
	  env -u TEST_DATABASE_URL CASEAPP_TEST_NOW=$$now $(PY) -m pytest -q -p no:cacheprovider $(DATE_TESTS) \
	    || failed="$$failed $$now"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-dates: FAILED at$$failed" >&2; exit 1; fi; \
	echo "test-dates: passed at each of the $(words $(TEST_DATES)) instants"

# mypy over the whole package (configuration in pyproject.toml: strict for the lowest layers).
typecheck: venv
	$(VENV)/bin/mypy caseapp

# The import contracts of pyproject.toml ([tool.importlinter]): the layers, and no domain importing
# another's forms or views. tests/test_import_graph.py runs them too, with the check for import cycles.
lint-imports: venv
	$(VENV)/bin/lint-imports

bench: venv
	$(MAKE) -C bench

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache caseapp/translations
