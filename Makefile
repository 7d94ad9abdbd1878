# Tongban. Quick start: `make run`, `make test`. Python 3.11+ is the only prerequisite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test install install-test migrate demo lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The suite on every core with pytest-xdist (at most 4 workers, each with its own test database). worksteal: each
# worker takes a contiguous part of the collection, so a module's fixtures are rarely made twice, and runs it in the
# collection's order, which pytest-django sorts so that the tests that flush the database (transactional, browser)
# come after those that need what the migrations seeded. `make test PYTEST_XDIST=` runs it in one process.
PYTEST_XDIST ?= -n auto --maxprocesses=4 --dist worksteal

test: install-test
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install-test
	$(PY) -m pytest tests/benchmarks -p no:cacheprovider -s $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 static media .pytest_cache
