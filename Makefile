# The two commands a new machine needs: `make run` and `make test`.
# Everything else here is what they call.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL ?= sqlite:///var/threadline.sqlite3
export DATABASE_URL
# Tests run in parallel processes, one per CPU (each with its own databases).
TEST_WORKERS ?= auto

.PHONY: run test check system-packages bench messages clean

# Without SECRET_KEY, the first command makes a random key in var/secret_key (mode 0600)
# and every later run reuses it (partner_portal/settings.py).
run: $(VENV)/.installed system-packages
	mkdir -p var
	$(BIN)/threadline migrate
	$(BIN)/threadline demo-data --if-empty
	SCHEDULER_IN_PROCESS=$${SCHEDULER_IN_PROCESS:-1} $(BIN)/threadline serve

test: $(VENV)/.installed-dev system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/pytest -n $(TEST_WORKERS)
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
		echo "== the suite again on PostgreSQL =="; $(BIN)/pytest -n $(TEST_WORKERS) --database=postgresql; \
	else echo "TEST_DATABASE_URL is not set: the PostgreSQL pass is skipped"; fi

check: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

system-packages:
	@./scripts/system-packages.sh

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

bench: $(VENV)/.installed-dev
	DATABASE_URL=$${BENCH_DATABASE_URL:-sqlite:///var/bench.sqlite3} $(BIN)/python bench/run.py

# After changing user-facing text: refresh the catalogues, then translate the new entries.
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k N_ -o partner_portal/locale/messages.pot .
	for locale in zh_Hans ko; do \
		if [ -f partner_portal/locale/$$locale/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i partner_portal/locale/messages.pot -d partner_portal/locale -l $$locale; \
		else $(BIN)/pybabel init -i partner_portal/locale/messages.pot -d partner_portal/locale -l $$locale; fi; \
	done

clean:
	rm -rf $(VENV) var
