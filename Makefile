# Shortcuts; the README's two commands stay the entry points.
PY ?= .venv/bin/python

.PHONY: run test e2e bench data lint

run:            ## run the app on the demo data
	$(PY) -m streamlit run streamlit_app.py

test:           ## whole test suite (unit, property, page, browser)
	$(PY) -m pytest

e2e:            ## browser tests only
	$(PY) -m pytest tests/e2e

data:           ## (re)build the demo dataset
	$(PY) -m lib.data.pipeline build

bench:          ## benchmark scripts (print figures)
	$(PY) -m benchmarks.pipeline
	$(PY) -m benchmarks.pages
	$(PY) -m benchmarks.recommend
	$(PY) -m benchmarks.cluster
	$(PY) -m benchmarks.top10
	$(PY) -m benchmarks.imports
	$(PY) -m benchmarks.cluster_page
	$(PY) -m benchmarks.top10_page
	$(PY) -m benchmarks.reports
	$(PY) -m benchmarks.browser
	$(PY) -m benchmarks.load

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
