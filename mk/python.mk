# Python face: the PyO3 extension + the `net_sdk` package, built by maturin
# into a wheel (distribution `net-mesh-sdk`), tested from a FRESH virtual
# environment into which only that wheel and the pinned test tools are
# installed, so the tests see exactly what `pip install` gives a user.
#
#   make test-python   build the wheel, fresh venv, pytest (incl. stubtest), mypy --strict, the examples
#   make test-python-abi3   the same abi3 wheel (cp39-abi3) under every CPython >= 3.9 here (at least two)
#   make test-python-sdist  `maturin sdist`, then pip builds it from source in a fresh venv
#   make demo-python   run examples/python/quickstart.py, mesh_pair.py, redex_file.py, netdb.py, capabilities.py and compute.py
#   make bench-python  emit_raw / emit_raw_batch: stored events/s under the default config, and ring push;
#                      the mesh: 64-byte messages received/s (lists of 64, one per call) and round-trip p50/p99;
#                      compute: deliveries/s through a Python echo daemon (one per call, and batches)

PYTHON3        ?= python3
PY_MATURIN_VER := 1.8.1
PY_PYTEST_VER  := 8.3.4
PY_MYPY_VER    := 1.14.1
PY_TOOLS       := $(TOOLS)/python
PY_WHEELS      := $(CURDIR)/target/wheels/python
PY_ENV         := $(CURDIR)/target/python-venv
PY             := $(PY_ENV)/bin/python

## One interpreter for pyo3 in every cargo command. maturin hands cargo
## PYO3_PYTHON (its interpreter's sys.executable) and
## PYO3_ENVIRONMENT_SIGNATURE, and pyo3's build script, which every build of
## pyo3 shares, reruns whenever either differs from its last run's (or, with
## PYO3_PYTHON unset, PATH does): the pyo3 crates and net-python were then
## compiled again at each switch between maturin and a plain cargo command
## (`cargo build/test/clippy --workspace`). So every cargo command here gets
## the pair of $(PYTHON3)'s real executable, and maturin builds for that
## same interpreter (the wheel is abi3: one file for every CPython >= 3.9).
## Empty when there is no $(PYTHON3) yet: then pyo3 finds one on PATH.
PY_BUILD := $(shell $(PYTHON3) -c 'import os, struct, sys; \
  print(os.path.realpath(sys.executable), "%s-%d.%d-%dbit" % (sys.implementation.name, *sys.version_info[:2], struct.calcsize("P") * 8))' 2>/dev/null)
ifneq ($(PY_BUILD),)
export PYO3_PYTHON := $(word 1,$(PY_BUILD))
export PYO3_ENVIRONMENT_SIGNATURE := $(word 2,$(PY_BUILD))
endif

.PHONY: python-interpreter python-tools python-wheel python-env test-python demo-python bench-python

## Python 3 with venv: pyo3's build script needs the interpreter even for
## the plain `cargo build/test --workspace` of `make test`, so `deps` gets it.
python-interpreter:
	@command -v $(PYTHON3) >/dev/null && $(PYTHON3) -c 'import venv, ensurepip' 2>/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-dev; }

deps: python-interpreter

## The build tools (pinned maturin), in a venv of their own under .tools/.
$(PY_TOOLS)/.installed: | python-interpreter
	rm -rf $(PY_TOOLS)
	$(PYTHON3) -m venv $(PY_TOOLS)
	$(PY_TOOLS)/bin/pip install -q --disable-pip-version-check maturin==$(PY_MATURIN_VER)
	touch $@

python-tools: $(PY_TOOLS)/.installed

## The wheel, built in release mode into the workspace's one target dir.
python-wheel: python-tools
	rm -rf $(PY_WHEELS)
	cd bindings-python && $(PY_TOOLS)/bin/maturin build --release --quiet \
	  --interpreter $(or $(PYO3_PYTHON),$(PY_TOOLS)/bin/python) --out $(PY_WHEELS)

## A fresh venv holding the wheel and the pinned test tools, nothing else.
python-env: python-wheel python-interpreter
	rm -rf $(PY_ENV)
	$(PYTHON3) -m venv $(PY_ENV)
	$(PY) -m pip install -q --disable-pip-version-check pytest==$(PY_PYTEST_VER) mypy==$(PY_MYPY_VER)
	$(PY) -m pip install -q --disable-pip-version-check $(PY_WHEELS)/*.whl

test-python: python-env
	cd bindings-python/tests && NET_VECTORS_DIR=$(CURDIR)/tests/vectors \
	  $(PY) -m pytest -q -p no:cacheprovider
	$(PY) -m mypy --strict --no-incremental examples/python bindings-python/bench
	@echo "== Python quickstart"; $(PY) examples/python/quickstart.py
	@echo "== Python mesh_pair"; $(PY) examples/python/mesh_pair.py
	@echo "== Python redex_file"; $(PY) examples/python/redex_file.py
	@echo "== Python netdb"; $(PY) examples/python/netdb.py
	@echo "== Python capabilities"; $(PY) examples/python/capabilities.py
	@echo "== Python compute"; $(PY) examples/python/compute.py

demo-python: python-env
	@echo "== Python quickstart"; $(PY) examples/python/quickstart.py
	@echo "== Python mesh_pair"; $(PY) examples/python/mesh_pair.py
	@echo "== Python redex_file"; $(PY) examples/python/redex_file.py
	@echo "== Python netdb"; $(PY) examples/python/netdb.py
	@echo "== Python capabilities"; $(PY) examples/python/capabilities.py
	@echo "== Python compute"; $(PY) examples/python/compute.py

bench-python: python-env
	@echo "== Python binding (stored events/s, default config; ring push rows: accepted, not stored; best of 5 rounds)"; $(PY) bindings-python/bench/bench_emit.py
	@echo "== Python mesh (two processes on loopback; messages received by the peer, not accepted; best of 3 rounds)"; $(PY) bindings-python/bench/bench_mesh.py
	@echo "== Python compute (deliveries through a Python echo daemon, counted only when answered; best of 3 rounds)"; $(PY) bindings-python/bench/bench_compute.py

## One wheel for every CPython from 3.9 on (pyo3 abi3-py39): the suite under each.
test-python-abi3: python-wheel
	bash bindings-python/scripts/abi3-test.sh $(PY_WHEELS) $(CURDIR)/target/python-abi3 $(TOOLS) $(PY_PYTEST_VER) $(PY_MYPY_VER)

## The sdist builds from source.
test-python-sdist: python-interpreter
	bash bindings-python/scripts/sdist-test.sh $(CURDIR)/target/python-sdist $(PYTHON3) $(PY_MATURIN_VER) $(CURDIR)/target

.PHONY: test-python-abi3 test-python-sdist

FACE_TESTS   += test-python test-python-abi3 test-python-sdist
FACE_DEMOS   += demo-python
FACE_BENCHES += bench-python
