# Alongside: `make run` starts everything, `make test` checks everything,
# `make test-fast` is the local loop (lint, SQLite, no browser or real-process tests).
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test test-fast lint typecheck migrations-check test-sqlite test-postgres setup demo clean

.venv/.synced: pyproject.toml uv.lock scripts/bootstrap.sh
	@scripts/bootstrap.sh
	@touch $@

setup: .venv/.synced

run: setup
	@scripts/run.sh

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: setup
	DEBUG=1 .venv/bin/mypy .

migrations-check: setup
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

test-sqlite: setup
	DATABASE_URL= $(MANAGE) test --parallel auto --shuffle

test-postgres: setup
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL ($$DATABASE_URL)"; \
		$(MANAGE) test --parallel auto --shuffle --noinput; \
	else \
		echo "== DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

test: lint typecheck migrations-check test-sqlite test-postgres

test-fast: lint
	DATABASE_URL= $(MANAGE) test --parallel auto --shuffle --exclude-tag browser --exclude-tag slow

clean:
	rm -rf .venv db.sqlite3*
