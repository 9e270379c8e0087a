# Shortcuts; scripts/ holds the real commands.
.PHONY: setup test up demo bench-throughput

setup:
	bash scripts/setup

test: setup
	bash scripts/test

demo: setup
	bash scripts/demo

# Prefect server + deployments + worker(s) + intake API (docs/deploy.md); WORKERS=2 make up
up: setup
	bash scripts/up

bench-throughput: setup
	.venv/bin/python bench/throughput.py --folios 200 --workers 1 2
