# localgov: `make demo` and `make test` work on a fresh machine with Python 3.11+, git and make.
# They create the virtual environment, install localgov and every plugin under plugins/, and
# (for the tests and benchmarks) make sure a PostgreSQL server can be started.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(wildcard plugins/*))
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: install demo test bench lint clean

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml) Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' $(foreach plugin,$(PLUGINS),-e $(plugin))
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/localgov demo --output $(OUT)/demo
	@echo ""
	@echo "== localgov verify: the signed permit PDF, as a ministry would check it =="
	$(BIN)/localgov verify $(OUT)/demo/permit.pdf --trust $(OUT)/demo/trust-list.cose --root $(OUT)/demo/root.pem
	@echo ""
	@echo "== localgov verify --image: the permit's QR code read back from its picture =="
	$(BIN)/localgov verify --image $(OUT)/demo/permit-qr.png --trust $(OUT)/demo/trust-list.cose --root $(OUT)/demo/root.pem
	@echo ""
	@echo "== localgov log check: the permit's inclusion in the public log, checked offline =="
	$(BIN)/localgov log check --proof $(OUT)/demo/permit.proof --log-key $(OUT)/demo/log.pub --token "$$(cat $(OUT)/demo/permit-token.txt)"
	@echo ""
	@echo "== localgov audit verify --checkpoint: the database against the signed checkpoint kept outside it =="
	$(BIN)/localgov --db sqlite:///$(OUT)/demo/localgov.db --audit-key-file $(OUT)/demo/audit.key audit verify --checkpoint $(OUT)/demo/checkpoints/*.checkpoint --trust $(OUT)/demo/trust-list.cose --root $(OUT)/demo/root.pem
	@echo ""
	@echo "== localgov demo --governorate qalyubia: a village local unit of Qalyubia, and a request taken at the village post office =="
	$(BIN)/localgov demo --governorate qalyubia --output $(OUT)/demo-qalyubia
	$(BIN)/localgov verify $(OUT)/demo-qalyubia/permit-post-office.pdf --trust $(OUT)/demo-qalyubia/trust-list.cose --root $(OUT)/demo-qalyubia/root.pem

test: $(STAMP)
	$(BIN)/python scripts/ensure-postgresql
	$(BIN)/python scripts/ensure-poppler
	$(BIN)/python scripts/ensure-chromium
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -c 'import importlib.metadata as m, sys; m.version("duckdb"); sys.exit(int(m.version("SpiffWorkflow").split(".")[0]) < 3)' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python scripts/ensure-postgresql
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check mypy
	$(BIN)/ruff format --check src plugins tests bench examples
	$(BIN)/ruff check src plugins tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
