# Net — build, test, demo and bench every face from one place.
#
#   make demo    build the library and run the examples on the in-memory default
#   make test    install what is missing, build everything, run every test
#   make bench   run the benchmarks and print one table
#   make headers regenerate include/*.h from ffi/ (pinned cbindgen)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO        ?= cargo
CC           ?= gcc
CXX          ?= g++
TOOLS        := $(CURDIR)/.tools
CBINDGEN_VER := 0.27.0
CBINDGEN     := $(TOOLS)/bin/cbindgen
LIBDIR       := $(CURDIR)/target/release
CFLAGS_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic -g -I$(CURDIR)/include
CXXFLAGS_STRICT := -std=c++17 -Wall -Wextra -Werror -g -I$(CURDIR)/include
LDFLAGS_NET  := -L$(LIBDIR) -Wl,-rpath,$(LIBDIR) -lnet -lpthread -ldl -lm
VALGRIND     := valgrind --quiet --error-exitcode=97 --leak-check=full \
                --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
C_BUILD      := $(CURDIR)/tests/c/build

C_TESTS      := $(patsubst tests/c/%.c,$(C_BUILD)/%,$(wildcard tests/c/*_test.c))
C_EXAMPLES   := $(patsubst examples/c/%.c,$(C_BUILD)/example_%,$(wildcard examples/c/*.c))

.PHONY: all deps build headers check-headers test test-rust test-c test-examples demo bench clean

all: build

## deps: what a fresh Debian machine lacks (valgrind, the pinned cbindgen).
deps: $(CBINDGEN)
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }

$(CBINDGEN):
	$(CARGO) install cbindgen --version $(CBINDGEN_VER) --locked --root $(TOOLS)

## build: libnet.so + libnet.a (release) and the core.
build:
	$(CARGO) build --release -p net-ffi

headers: $(CBINDGEN)
	$(CBINDGEN) --config ffi/cbindgen.toml --crate net-ffi --output include/net.h ffi

## check-headers: the checked-in headers must be exactly what ffi/ generates.
check-headers: $(CBINDGEN)
	@tmp=$$(mktemp -d); \
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate net-ffi --output $$tmp/net.h ffi; \
	if ! diff -u include/net.h $$tmp/net.h; then \
	  echo "include/net.h is out of date: run 'make headers' and commit it"; rm -rf $$tmp; exit 1; fi; \
	rm -rf $$tmp; echo "headers: include/net.h matches ffi/"

test: deps build check-headers test-rust test-c test-examples
	@echo "make test: every suite passed"

## Rust: unit, integration and doc tests of every crate, in the release
## profile so the library built above is reused instead of rebuilt.
test-rust:
	$(CARGO) test --release --workspace
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings 2>/dev/null || \
	  { rustup component add clippy >/dev/null 2>&1 && $(CARGO) clippy --release --workspace --all-targets -- -D warnings; }

$(C_BUILD):
	mkdir -p $@

$(C_BUILD)/%: tests/c/%.c tests/c/check.h include/net.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LDFLAGS_NET)
	$(CXX) $(CXXFLAGS_STRICT) -x c++ -fsyntax-only $<

$(C_BUILD)/example_%: examples/c/%.c include/net.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LDFLAGS_NET)

## C: every tests/c/*_test.c, compiled as C (and checked as C++), run under valgrind.
test-c: $(C_TESTS) $(C_BUILD)/static_link_test
	@for t in $(C_TESTS); do echo "== $$(basename $$t) (valgrind)"; $(VALGRIND) $$t; done
	@echo "== static_link_test"; $(C_BUILD)/static_link_test

## The same API test linked against libnet.a instead of libnet.so.
$(C_BUILD)/static_link_test: tests/c/api_test.c tests/c/check.h include/net.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LIBDIR)/libnet.a -lpthread -ldl -lm

test-examples: $(C_EXAMPLES)
	@for e in $(C_EXAMPLES); do echo "== $$(basename $$e) (valgrind)"; $(VALGRIND) $$e; done
	$(CARGO) run --release -q -p net-mesh-sdk --example quickstart

demo: build $(C_EXAMPLES)
	@echo "== Rust quickstart"; $(CARGO) run --release -q -p net-mesh-sdk --example quickstart
	@for e in $(C_EXAMPLES); do echo "== C $$(basename $$e)"; $$e; done

bench:
	$(CARGO) bench -p net-mesh-sdk
	@python3 tools/bench_table.py target/criterion

clean:
	$(CARGO) clean
	rm -rf $(C_BUILD)
