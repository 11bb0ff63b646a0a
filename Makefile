# The two commands a newcomer needs (see README): `make check` and `make test`.
# Both create .venv and install the locked dependencies on first use.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: check test bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

check: $(STAMP)  ## the main job: validate the example catalog, then gate the example stack on it
	$(VENV)/bin/guardian validate
	$(VENV)/bin/guardian check

test: $(STAMP)  ## the test suite
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV)
