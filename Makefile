# Education data explorer. `make run` and `make test` set everything up on a fresh machine.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/emis.duckdb
DEMO   ?= data/demo
PORT   ?= 8501
# Served on this machine only; `make run HOST=0.0.0.0` serves every interface (for a
# deployment, behind a reverse proxy: README.md, Deployment). ALLOWED_HOSTS: the host names
# the app answers to (its Host header, against DNS rebinding); any, once it is opened,
# unless given: `make run HOST=0.0.0.0 ALLOWED_HOSTS="explorer.example.org"`.
HOST   ?= 127.0.0.1
ALLOWED_HOSTS ?= $(if $(filter 127.0.0.1 localhost ::1,$(HOST)),localhost 127.0.0.1 ::1,*)
# Real boundaries are used for the demo when they sit beside the project; else schematic ones.
BOUNDARIES ?= $(firstword $(wildcard ../shared/geo))

.PHONY: setup setup-test assets run serve demo test bench clean

$(VENV)/.app-installed: requirements.txt
	@echo "==> setting up $(VENV) (first run only)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt
	@touch $@

$(VENV)/.test-installed: $(VENV)/.app-installed tests/requirements.txt
	@$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r tests/requirements.txt
	@touch $@

setup: $(VENV)/.app-installed

# Leaflet and its plugins, served by the app itself (static/, git-ignored): fetched once with
# npm from the npm registry, pinned versions checked against their sha512 (geo/assets.py).
ASSETS := static/.assets

$(ASSETS): geo/assets.py | $(VENV)/.app-installed
	@$(BIN)/python -m geo.assets && touch $@

# The Lao web font (Noto Sans Lao), served the same way so that Lao text renders on a machine
# without Lao fonts: fetched once with npm, pinned sha512 (lib/fonts.py).
FONTS := static/.fonts

$(FONTS): lib/fonts.py | $(VENV)/.app-installed
	@$(BIN)/python -m lib.fonts && touch $@

assets: $(ASSETS) $(FONTS)

setup-test: $(VENV)/.test-installed

$(DB): | $(VENV)/.app-installed
	@echo "==> no extract at $(DB): generating and building the synthetic demo"
	@$(MAKE) --no-print-directory demo

demo: setup
	@$(BIN)/python -m lib demo --out $(DEMO) $(if $(BOUNDARIES),--boundaries $(BOUNDARIES))
	@$(BIN)/python -m lib build --source $(DEMO) --db $(DB)

run: setup assets $(DB)
	@echo "==> the explorer is starting at http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)"
	@EMIS_DB=$(DB) $(BIN)/streamlit run ui/server.py --server.port $(PORT) --server.headless true \
	  --server.address $(HOST) $(foreach h,$(ALLOWED_HOSTS),--server.allowedHosts '$(h)')

# Several app processes behind Debian's nginx (apt-get install nginx), sticky sessions, one
# read-only extract (lib/cluster.py; README.md, Deployment): `make serve WORKERS=4`.
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

serve: setup assets $(DB)
	@$(BIN)/python -m lib.cluster --workers $(WORKERS) --port $(PORT) --host $(HOST) --db $(DB) \
	  $(foreach h,$(ALLOWED_HOSTS),--allowed-host '$(h)')

# Two test processes (pytest-xdist), the browser tests together in one of them.
TEST_WORKERS ?= 2

test: setup-test assets
	@$(BIN)/python -m pytest tests -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup

bench: setup-test assets
	@$(BIN)/python -m benchmarks

clean:
	rm -rf $(DEMO) $(DB) tests/e2e/artifacts
