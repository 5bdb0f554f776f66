# Two entry points (see README): `make run` and `make test`. Both set up .venv from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch + torchvision first, with pip (pinned builds that install offline on these machines)
	$(BIN)/pip install --quiet torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# Main job: generate a bundle for the embedded default (digits) and optimise it on real data.
run: $(STAMP)
	$(BIN)/hpogen generate --dataset-type image --out out/digits --force --explain
	$(BIN)/hpogen run out/digits --walltime 420

test: $(STAMP)
	# two workers, each test file kept on one (its module fixtures are built once)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_experiment.py
	$(BIN)/python benchmarks/bench_review.py

clean:
	rm -rf $(VENV) out
