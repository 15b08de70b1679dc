# The developer interface. Every target creates .venv/ on first use and
# installs what it needs from pyproject.toml; nothing is installed by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# tox passes NO_VENV=1 and its own BIN: it has installed everything.
READY := $(if $(NO_VENV),,$(STAMP))

# Modules of the pure layers (wire formats and sans-I/O core): they must keep
# at least 98% branch coverage.
CORE := src/websockets/exceptions.py,src/websockets/typing.py,src/websockets/version.py,src/websockets/utils.py,src/websockets/datastructures.py,src/websockets/streams.py,src/websockets/uri.py,src/websockets/headers.py,src/websockets/http.py,src/websockets/handshake.py,src/websockets/framing.py,src/websockets/extensions/*,src/websockets/sansio/*

.PHONY: all demo test unit types docs autobahn autobahn-quick bench bench-quick bench-instructions bench-clean clean

all: test

$(STAMP): pyproject.toml setup.py src/websockets/speedups.c
	@# setup.py holds Cython's directives, which its cache doesn't track.
	rm -rf build/cython
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# The compiled twins of the hot modules (src/websockets/compiled.py) are
# rebuilt when their source changes; until then, the source is imported.
TWINS := $(wildcard src/websockets/*.py src/websockets/*.pxd src/websockets/sansio/*.py src/websockets/sansio/*.pxd)
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) $(TWINS)
	@# The install compiled them: rebuild only for what changed since.
	@if [ -n "$$(find $(TWINS) -newer $(STAMP))" ]; then \
		echo "rebuilding the compiled twins"; \
		$(BIN)/python -m pip install -q --no-deps -e .; fi
	@# setup.py only warns when Cython fails, so that the install works
	@# without a compiler; with one at hand, a failure mustn't go unnoticed.
	@if command -v cc >/dev/null; then env -u WEBSOCKETS_NO_SPEEDUPS $(BIN)/python -c \
		"import importlib, sys; from websockets.compiled import COMPILED, is_compiled; \
		off = [n for n in COMPILED if not is_compiled(importlib.import_module(n))]; \
		sys.exit(f'not compiled: {off}; pip install -v -e . says why' if off else None)"; fi
	touch $@
BUILT := $(if $(NO_VENV),,$(COMPILED))

demo: $(BUILT)
	$(BIN)/python example/demo.py

test: unit types docs autobahn-quick

unit: $(BUILT)
	rm -f .coverage .coverage.*
	# Coverage measures the Python source: compiled parts off.
	WEBSOCKETS_NO_SPEEDUPS=1 $(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report --include='$(CORE)' --fail-under=98
	$(BIN)/coverage report --fail-under=90
	# The compiled twins and the C extension pass the very same tests.
	$(BIN)/python -m pytest -q

types: $(READY)
	$(BIN)/mypy --strict src

docs: $(READY)
	WEBSOCKETS_NO_SPEEDUPS=1 $(BIN)/sphinx-build -q -W -n --keep-going -b html docs docs/_build/html

# Autobahn|Testsuite (compliance/): installs wstest in .autobahn/ on first use.
# Every case, both sides, compression on then off: 20 to 25 minutes.
autobahn: $(BUILT)
	$(BIN)/python compliance/run.py

# All but 9.*, 12.* and 13.* (247 cases), both sides, compression on: ~20 s.
autobahn-quick: $(BUILT)
	$(BIN)/python compliance/run.py --quick

# Benchmarks against the peers (bench/): each library, ours included, gets a
# virtualenv of its own under bench/.venvs, never .venv.
bench:
	$(PYTHON) bench/run.py

bench-quick:
	$(PYTHON) bench/run.py --quick

# Instructions per operation under callgrind: repeatable on a busy machine.
bench-instructions: $(BUILT)
	$(PYTHON) bench/instructions.py --python $(BIN)/python

bench-clean:
	rm -rf bench/.venvs bench/results bench/.ab
	git worktree prune

clean:
	rm -rf .autobahn $(VENV) build dist docs/_build .coverage .coverage.* .mypy_cache .hypothesis src/*.egg-info src/websockets/*.so
