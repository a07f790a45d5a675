# Two commands: `make book` builds the book, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
PAGE ?=
PARAMS ?=
# EXECUTOR=slurm runs every sweep of the pages as SLURM job arrays (submitit); settings:
# SLURM_PARTITION, SLURM_TIME_MIN (60), SLURM_MEM_GB (4), SLURM_CPUS (1).
EXECUTOR ?= local
SLURM_PARTITION ?=
SLURM_TIME_MIN ?= 60
SLURM_MEM_GB ?= 4
SLURM_CPUS ?= 1
SLURM_ENV := COMPANION_EXECUTOR=$(EXECUTOR) COMPANION_SLURM_PARTITION=$(SLURM_PARTITION) \
	COMPANION_SLURM_TIME_MIN=$(SLURM_TIME_MIN) COMPANION_SLURM_MEM_GB=$(SLURM_MEM_GB) COMPANION_SLURM_CPUS=$(SLURM_CPUS)
# Silences the debugger's frozen-modules warning that every kernel start would print.
export PYDEVD_DISABLE_FILE_VALIDATION = 1

.PHONY: venv pages stale book test test-unit test-pages test-book cluster-up cluster-down clean help

help:
	@echo "make book    execute pages whose inputs changed, then build _build/html (warnings are errors)"
	@echo "make test    unit tests, nbval re-execution of every page, book build and browser check"
	@echo "make pages   re-execute pages: PAGE=name (default all), PARAMS='-p profile smoke', EXECUTOR=slurm"
	@echo "make cluster-up / cluster-down   a single-node SLURM cluster on this machine (root or sudo)"

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

venv: $(STAMP)

pages: $(STAMP)
	$(SLURM_ENV) $(PY) -m companion.pages run $(PAGE) $(PARAMS)
	$(PY) -m companion.summary

stale: $(STAMP)
	$(PY) -m companion.pages run --stale
	$(PY) -m companion.summary

book: stale
	$(JB) build . --warningiserror --nitpick --keep-going --builder html
	@echo "Book: $(CURDIR)/_build/html/index.html"

test: test-unit test-pages test-book

test-unit: $(STAMP)
	$(PY) -m pytest tests -m "not browser" -q

# nbval re-executes every committed page (cache off, so results are recomputed) and compares the
# checked cells with the committed outputs; one notebook per worker.
test-pages: $(STAMP)
	COMPANION_CACHE=off $(PY) -m pytest --nbval-lax -p no:cacheprovider -n 2 --dist loadfile book/notebooks -q

# The book builds with warnings as errors into a scratch folder; then a real browser opens it.
test-book: $(STAMP)
	rm -rf _build/test-book
	$(JB) build . --warningiserror --nitpick --keep-going --builder html --path-output _build/test-book >/dev/null
	COMPANION_BOOK_HTML=_build/test-book/_build/html $(PY) -m pytest tests -m browser -q

cluster-up:
	.ci/cluster-up

cluster-down:
	.ci/cluster-down

clean:
	rm -rf _build
