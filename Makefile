# Two entry points (see README): `make demo` and `make test`.
# Both create .venv with the system python3, install rnnlab with the pins in
# constraints.txt, then run the main job or the whole test suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo parity test install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The main job: a character-level LSTM language model on Python's own reference
# manual (pydoc_data, in every Python installation), then a generated sample.
demo: $(STAMP)
	$(VENV)/bin/rnnlab train lm

parity: $(STAMP)
	$(VENV)/bin/rnnlab parity

test: $(STAMP)
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
