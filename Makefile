# The course's two commands: `make lab` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told; add the flag only then.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test unit notebooks execute pics nav html slides clean help

help:
	@echo "make lab      - set up .venv if needed and open JupyterLab at notebooks/00_index.ipynb"
	@echo "make test     - set up .venv if needed, run the unit tests and every notebook (nbval, strict)"
	@echo "make execute  - re-execute every notebook in place (fresh outputs, counts 1..n)"
	@echo "make pics     - redraw every figure in pics/ from code"
	@echo "make nav      - refresh the navigation line and the slide metadata of every notebook"
	@echo "make html     - build the static site into _build/html/ (no Jupyter needed to read it)"
	@echo "make slides   - build reveal.js slides of every chapter into _build/slides/ (OFFLINE=node_modules dir: no CDN)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) notebooks/00_index.ipynb

# Unit tests on two workers; notebooks one after another, since their timing claims are
# measured and a second notebook running beside one would only add noise.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadscope tests
	$(PY) -m pytest notebooks

unit: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadscope tests

notebooks: $(STAMP)
	$(PY) -m pytest notebooks

execute: $(STAMP)
	$(PY) -m helpers.authoring.execute notebooks/*.ipynb

pics: $(STAMP)
	$(PY) -m helpers.authoring.figures

nav: $(STAMP)
	$(PY) -m helpers.authoring.nav
	$(PY) -m helpers.authoring.slides

html: $(STAMP)
	$(PY) -m helpers.authoring.site html _build/html

slides: $(STAMP)
	$(PY) -m helpers.authoring.site slides _build/slides $(if $(OFFLINE),--offline $(OFFLINE),)

clean:
	rm -rf $(VENV) *.egg-info
