# caseapp — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := FLASK_APP=wsgi.py $(VENV)/bin/flask
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test venv translations db demo serve bench clean

# WeasyPrint (the PDFs) loads Pango, PangoFT2 and HarfBuzz-subset from the system: installed here
# when missing and we are root, like chromium for `make test`.
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

$(VENV)/.installed: requirements.txt requirements-dev.txt
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
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

translations: venv
	@$(FLASK) i18n-compile >/dev/null

db: translations
	$(FLASK) db upgrade
	$(FLASK) load-units

demo: db
	$(FLASK) seed-demo

# exec: the server replaces the recipe's shell, so stopping make (Ctrl+C or kill) stops the server too.
run: demo
	@echo "caseapp: http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	exec env $(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set; browser tests
# in both (Debian's chromium; installed here when missing and we are root).
test: translations
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } || true
	env -u TEST_DATABASE_URL $(PY) -m pytest -q -p no:cacheprovider tests
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(PY) -m pytest -q -p no:cacheprovider tests; \
	else echo "(TEST_DATABASE_URL not set: PostgreSQL run skipped)"; fi

bench: venv
	$(MAKE) -C bench

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache caseapp/translations
