# Every target works from a clean clone: `make install` builds .venv, the others depend on it.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test test-sqlite test-postgres lint format messages clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	$(PYTHON) -m pip install --quiet --no-deps "mediapipe==0.10.21"
	touch $(STAMP)

demo: install
	$(PYTHON) scripts/demo.py --host $(HOST) --port $(PORT)

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kelurahan_monitor places compliance cameras reports complaints incidents agents kelurahan_agent devtools

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Indonesian is the source language; English catalogues live in kelurahan_monitor/locale and
# complaints/locale. Translate the new entries, then `make messages` again compiles them.
messages: install
	$(PYTHON) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests \
		--ignore=scripts --ignore=test-artifacts
	$(PYTHON) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
