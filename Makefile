# riskmon — 陕西省特种设备风险监测平台
# `make run`: set everything up and start on SQLite with demo data.  `make test`: set up and run all tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTHON ?= python3
INSTALL_STAMP := $(VENV)/.stamp-install
ASSETS_STAMP := web/static/vendor/.stamp-assets
VENDOR := web/static/vendor
MINIPROGRAM_STAMP := miniprogram/node_modules/.stamp-npm

.PHONY: run test install assets system-deps miniprogram-deps serve scheduler lint bench clean

install: $(INSTALL_STAMP) system-deps

# Debian packages: the CJK TrueType font embedded in PDFs and charts, and poppler-utils for the PDF tests
# (installed when missing and we may; otherwise the script says what to install).
system-deps:
	.ci/debian-packages

$(INSTALL_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

assets: $(ASSETS_STAMP)

# Front-end libraries come from npm; only their prebuilt dist bundles are copied, never committed.
# axe-core is injected by the browser accessibility tests only; no template links it.
$(ASSETS_STAMP): package.json package-lock.json scripts/build_shaanxi_map.mjs storage/data/shaanxi_divisions.csv
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/camunda-bpmn-js $(VENDOR)/dmn-js $(VENDOR)/echarts $(VENDOR)/axe-core
	cp -r node_modules/bpmn-js/dist/. $(VENDOR)/bpmn-js/
	cp -r node_modules/camunda-bpmn-js/dist/. $(VENDOR)/camunda-bpmn-js/
	cp -r node_modules/dmn-js/dist/. $(VENDOR)/dmn-js/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	# the statistics map: only Shaanxi's shapes, matched to our divisions by code and simplified
	node scripts/build_shaanxi_map.mjs $(VENDOR)/shaanxi-map
	touch $@

# The WeChat mini-program's test tools (jest, miniprogram-simulate); tests/test_miniprogram.py runs `npm test`.
miniprogram-deps: $(MINIPROGRAM_STAMP)

$(MINIPROGRAM_STAMP): miniprogram/package.json miniprogram/package-lock.json
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install assets
	$(BIN)/riskmon seed-demo
	RUN_SCHEDULER=1 $(BIN)/gunicorn --workers 1 --threads 8 --bind 127.0.0.1:$(PORT) 'web:create_app()'

# Production-style: stateless web workers; run exactly one `make scheduler` beside them.
serve: install assets
	RUN_SCHEDULER=0 $(BIN)/gunicorn --workers $${WORKERS:-4} --threads 4 --bind 127.0.0.1:$(PORT) 'web:create_app()'

scheduler: install
	$(BIN)/riskmon scheduler

test: install assets miniprogram-deps
	$(BIN)/ruff check engine handlers services storage web tests bench
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules miniprogram/node_modules $(VENDOR) .pytest_cache
