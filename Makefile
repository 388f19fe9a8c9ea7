# pmo-reports: two commands do everything on a fresh machine.
#   make report   set up .venv, install, run the full report suite on the sample portfolio
#   make test     set up .venv, install, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DATA ?= data/sample
OUT ?= output
STATUS_DATE ?= $(shell sed -n 's/^status_date: *"\{0,1\}\([0-9-]*\)"\{0,1\}.*/\1/p' parameters/defaults.yaml)

.PHONY: report test test-fast lint install lab sample benchmark clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask,mpxj]'
	rm -f $(VENV)/.installed-*
	touch $@

report: $(STAMP)
	$(BIN)/pmo-report validate --data $(DATA)
	$(BIN)/pmo-report run --data $(DATA) --status-date $(STATUS_DATE) --out $(OUT)/$(STATUS_DATE)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q
	$(BIN)/python scripts/audit.py

# The fast tier for a developer's loop: everything but the end-to-end tests (under a minute).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .

# JupyterLab for analysts: installed once (again only when pyproject.toml changes), served from the
# project folder (run folders and parameters/ reachable) opening on notebooks/, with the pre-commit
# hook installed and pmo_lib reloaded on edit (PMO_AUTORELOAD, see pmo_lib/__init__.py).
#   make lab            http://localhost:8888/lab/tree/notebooks
#   make lab PORT=9000
PORT ?= 8888
LAB_STAMP := $(VENV)/.lab-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab,test,dask]'
	rm -f $(VENV)/.lab-*
	touch $@

lab: $(LAB_STAMP)
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/pre-commit install; fi
	PMO_AUTORELOAD=1 $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.port=$(PORT) \
		--LabApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

sample: $(STAMP)
	$(BIN)/pmo-report sample --out $(DATA) --projects 24 --seed 7 --status-date $(STATUS_DATE)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT)/*/
