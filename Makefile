# The README's two commands: `make run` starts the whole system, `make test` runs the suite.
# Both install what is missing first, into virtualenvs inside the checkout: .venv (the system
# and the suite), .venv-db (the embedded database) and .venv-contract (schemathesis and
# openapi-python-client, for tests/contract; pinned apart because schemathesis' pytest plugin
# must not load into the suite).
PYTHON ?= python3
VENV := .venv
DB_VENV := .venv-db
CONTRACT_VENV := .venv-contract
# Suggested answers' offline quality run (bench/suggestions_quality.py): PyTorch and the
# sentence-embedding model, kept out of the system's virtualenv until the service needs them.
SUGGESTIONS_VENV := .venv-suggestions
BIN := $(VENV)/bin
# axe-core, the npm package the browser tests inject into pages to check accessibility.
AXE := tests/ui/axe/node_modules/.installed

.PHONY: install run check test test-durations faults scale bench suggestions-quality rabbitmq system-packages clean import-cscart docs

install: $(VENV)/.installed $(DB_VENV)/.installed $(CONTRACT_VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(DB_VENV)/.installed: requirements-db.txt
	$(PYTHON) -m venv $(DB_VENV)
	$(DB_VENV)/bin/pip install --quiet -r requirements-db.txt
	touch $@

$(CONTRACT_VENV)/.installed: requirements-contract.txt
	$(PYTHON) -m venv $(CONTRACT_VENV)
	$(CONTRACT_VENV)/bin/pip install --quiet -r requirements-contract.txt
	touch $@

# torch first and alone, at the version whose CPU build lies on this disk: any other would
# download a CUDA build of gigabytes.
$(SUGGESTIONS_VENV)/.installed: requirements-suggestions.txt
	$(PYTHON) -m venv $(SUGGESTIONS_VENV)
	$(SUGGESTIONS_VENV)/bin/pip install --quiet "$$(grep '^torch==' requirements-suggestions.txt)"
	$(SUGGESTIONS_VENV)/bin/pip install --quiet -r requirements-suggestions.txt
	touch $@

$(AXE): tests/ui/axe/package-lock.json
	cd tests/ui/axe && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# RabbitMQ is started if it is installed but down; the tests need its management API for
# a fresh virtual host per test.
rabbitmq:
	@bash dev/ensure_rabbitmq.sh

system-packages:
	@bash dev/ensure_system_packages.sh

run: install rabbitmq
	$(BIN)/python -m dev.run

# Before each commit: lint, the layers, types, the web front's pure parts under Node, and every test
# that needs no real part (no broker, database, mail server or process: tests/conftest.py marks
# the others `real_parts`). `make test` runs all of it and the rest.
check: install
	$(BIN)/ruff check services gateway dev bench tests cscart_import
	$(BIN)/ruff format --check services gateway dev bench tests cscart_import
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	node --test tests/web/
	$(BIN)/nameko test tests/common tests/conversations tests/notifications tests/catalog_context tests/inbound_mail \
		-m "not real_parts" -p no:cacheprovider -q $(PYTEST_ARGS)

# The tiers side by side (dev/test_tiers.py), TEST_TIERS_AT_ONCE (2) at a time: the suite under
# nameko's eventlet in TEST_SHARDS shards split by their times in tests/durations.json, and the browser tests (tests/ui) in a
# plain pytest, because Playwright's sync API cannot run under eventlet's monkey patching. The
# suite includes tests/contract: schemathesis (from .venv-contract) fuzzing /openapi.json as each
# caller, and a client generated from it holding a conversation. Each tier's log is printed once
# all are done, then each tier's time. `make test-durations` measures the times afresh.
TEST_SHARDS ?= 3
test: install rabbitmq system-packages $(AXE)
	TEST_SHARDS=$(TEST_SHARDS) $(BIN)/python -m dev.test_tiers $(PYTEST_ARGS)

test-durations: install rabbitmq system-packages
	$(BIN)/python -m dev.test_tiers --store-durations $(PYTEST_ARGS)

# The fault suite alone (it also runs inside `make test`): the whole system on a broker, a
# database and a mail server of its own, stopped and killed while customers post; prints the
# table of what clients saw and keeps it in var/faults.json (README "Reliability").
faults: install rabbitmq
	$(BIN)/nameko test tests/faults -p no:cacheprovider $(PYTEST_ARGS)

# The scale-out test alone (it also runs inside `make test`): 1, then 3 replicas of every
# service (2 gateways, 2 push) on a broker, database and mail server of its own; prints
# messages/s for each and keeps them in var/scale.json (README "Operating it").
scale: install rabbitmq
	$(BIN)/nameko test tests/scale -p no:cacheprovider $(PYTEST_ARGS)

# The system against its own floor at 10k, 100k and 1M messages (bench/run.py): the table is
# printed and written to bench/results.json. BENCH_ARGS="--scale small" for a quick run,
# BENCH_ARGS="--profile" to sample every process with py-spy during the last stage.
# Exits non-zero when a goal is missed, after docs/performance.md is written from the results.
bench: install rabbitmq
	$(BIN)/python -m bench.run $(BENCH_ARGS); judged=$$?; $(BIN)/python -m bench.report && exit $$judged

# Sentence embeddings against BM25 on the labelled questions of bench/suggestions/ (issue 27):
# precision@1 and recall@3 of both, side by side, into bench/results-suggestions.json.
suggestions-quality: $(SUGGESTIONS_VENV)/.installed
	$(SUGGESTIONS_VENV)/bin/python -m bench.suggestions_quality

# A CS-Cart marketplace moving in (README "Moving a CS-Cart marketplace in"): its Message Center
# history into the running system, beside `make run` and with its environment.
# CSCART_DB=mysql://USER:PASSWORD@HOST:PORT/DATABASE, CSCART_TABLE_PREFIX (cscart_),
# IMPORT_ARGS="--dry-run" for the report alone. The database's address travels in the
# environment, not on a command line `ps` shows.
CSCART_TABLE_PREFIX ?= cscart_
import-cscart: export CSCART_DB := $(CSCART_DB)
import-cscart: export CSCART_TABLE_PREFIX := $(CSCART_TABLE_PREFIX)
import-cscart: install
	@test -n "$$CSCART_DB" || { echo "make import-cscart CSCART_DB=mysql://USER:PASSWORD@HOST:PORT/DATABASE"; exit 2; }
	$(BIN)/python -m cscart_import $(IMPORT_ARGS)

# docs/configuration.md, written from the settings' words in services/common/config.py
# (tests/deploy/test_configuration_page.py fails when the page and the code disagree), and
# docs/performance.md's tables from the results under bench/ (test_performance_page.py).
docs: install
	$(BIN)/python -m dev.configuration_page
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) $(DB_VENV) $(CONTRACT_VENV) $(SUGGESTIONS_VENV) var tests/ui/axe/node_modules
