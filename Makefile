# The course's two commands: `make lab` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the teachers' and the tests' tools (requirements-teacher.txt) on top of the learner's
TEACHER := $(VENV)/.installed-teacher

.PHONY: lab test unit notebooks execute pics nav html assignments clean help

help:
	@echo "make lab      - set up .venv if needed and open JupyterLab at notebooks/00_index.ipynb"
	@echo "make test     - set up .venv if needed, run the unit tests and every notebook (nbval, strict)"
	@echo "make execute  - re-execute every notebook in place (fresh outputs, counts 1..n)"
	@echo "make pics     - redraw every figure in pics/ from code"
	@echo "make nav      - refresh the navigation line and the slide metadata of every notebook"
	@echo "make html     - build the course site (Jupyter Book) into _build/html/: sidebar, search, launch buttons"
	@echo "make assignments - the exercises as an nbgrader course in _build/assignments/ (source with solutions, student release)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	@touch $(STAMP)

$(TEACHER): $(STAMP) requirements-teacher.txt
	$(PY) -m pip install --quiet -r requirements-teacher.txt
	@touch $(TEACHER)

# JupyterLab serving the repository (so ../pics/ images load), opened at notebooks/00_index.ipynb;
# 127.0.0.1 with its token; no news pop-up.  One definition: helpers/authoring/lab.py.
lab: $(STAMP)
	$(PY) -m helpers.authoring.lab

# Unit tests on two workers; notebooks one after another, since their timing claims are
# measured and a second notebook running beside one would only add noise.
test: $(TEACHER)
	$(PY) -m pytest -n 2 --dist loadscope tests
	$(PY) -m pytest notebooks

unit: $(TEACHER)
	$(PY) -m pytest -n 2 --dist loadscope tests

notebooks: $(TEACHER)
	$(PY) -m pytest notebooks

execute: $(STAMP)
	$(PY) -m helpers.authoring.execute notebooks/*.ipynb

pics: $(STAMP)
	$(PY) -m helpers.authoring.figures

nav: $(STAMP)
	$(PY) -m helpers.authoring.nav
	$(PY) -m helpers.authoring.slides

# Jupyter Book 1 (Sphinx) from the executed notebooks, strict: a broken link, image or anchor fails it.
html: $(TEACHER)
	$(VENV)/bin/jupyter-book build . --config site/_config.yml --toc site/_toc.yml -W -n --keep-going

clean:
	rm -rf $(VENV) *.egg-info

# The nbgrader course of the exercises (teachers): _build/assignments/source (with solutions) and
# release/ (nbgrader's generate_assignment: solutions stripped).  helpers/authoring/assignments.py.
assignments: $(TEACHER)
	$(PY) -m helpers.authoring.assignments
