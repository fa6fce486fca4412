# Net — build, test, demo and bench every face from one place.
#
#   make demo    build the library and run the examples on the in-memory default
#   make test    install what is missing, build everything, run every test
#   make bench   run the benchmarks and print one table
#   make headers regenerate include/*.h from ffi/ (pinned cbindgen)
#   make install PREFIX=/usr/local   libnet (soname'd), libnet.a, headers, net.pc, the `net` tool (mk/install.mk)
#   make fuzz    run every fuzz target for FUZZ_SECONDS each (nightly + cargo-fuzz)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO        ?= cargo
comma        := ,
CC           ?= gcc
CXX          ?= g++
TOOLS        := $(CURDIR)/.tools
CBINDGEN_VER := 0.27.0
CBINDGEN     := $(TOOLS)/bin/cbindgen
LIBDIR       := $(CURDIR)/target/release
CFLAGS_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic -g -I$(CURDIR)/include
CXXFLAGS_STRICT := -std=c++17 -Wall -Wextra -Werror -g -I$(CURDIR)/include
LDFLAGS_NET  := -L$(LIBDIR) -Wl,-rpath,$(LIBDIR) -lnet -lpthread -ldl -lm
# The library's version (the workspace's) and its ELF soname, derived as
# ffi/build.rs derives it: libnet.so.<major>, or libnet.so.0.<minor> before 1.0.
NET_VERSION  := $(shell sed -n '/^\[workspace.package\]/,/^\[/{s/^version *= *"\(.*\)"/\1/p}' Cargo.toml)
NET_SOABI    := $(shell v=$(NET_VERSION); maj=$${v%%.*}; rest=$${v#*.}; \
                  if [ "$$maj" = 0 ]; then echo "0.$${rest%%.*}"; else echo "$$maj"; fi)
NET_SONAME   := libnet.so.$(NET_SOABI)
# pkg-config: net.pc from ffi/net.pc.in. `make build` writes the in-tree one
# (libnet in target/release, headers in include/, an rpath so in-tree
# programs run as built); `make install` writes the installed one.
# $(call net_pc,prefix,libdir,includedir,extra Libs flags)
NET_PC_DEV_DIR := $(CURDIR)/target/pkgconfig
net_pc = sed -e 's|@prefix@|$(1)|g' -e 's|@libdir@|$(2)|g' -e 's|@includedir@|$(3)|g' \
               -e 's|@version@|$(NET_VERSION)|g' -e 's|@rpath@|$(4)|g' $(CURDIR)/ffi/net.pc.in
VALGRIND     := valgrind --quiet --error-exitcode=97 --leak-check=full \
                --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
C_BUILD      := $(CURDIR)/tests/c/build
# $(call rust_example,name): build a Rust example with the workspace's
# feature set (as `build` does, so the core is not rebuilt) and run it.
rust_example = $(CARGO) build --release -q --workspace --example $(1) && $(LIBDIR)/examples/$(1)

C_TESTS      := $(patsubst tests/c/%.c,$(C_BUILD)/%,$(wildcard tests/c/*_test.c))
# Load tests: millions of events, too many for valgrind; run natively.
C_LOAD_TESTS := $(patsubst tests/c/%.c,$(C_BUILD)/%,$(wildcard tests/c/*_load.c))
C_EXAMPLES   := $(patsubst examples/c/%.c,$(C_BUILD)/example_%,$(wildcard examples/c/*.c))

.PHONY: all deps build headers check-headers test test-rust test-c test-examples test-miri demo bench fuzz clean

# Each face beyond Rust and C (Node, Python, Go, …) keeps its rules in its
# own mk/<face>.mk and appends its targets to these lists, so the faces do
# not edit each other's rules.
FACE_TESTS   :=
FACE_DEMOS   :=
FACE_BENCHES :=
include $(sort $(wildcard mk/*.mk))

all: build

## deps: what a fresh Debian machine lacks (valgrind, the pinned cbindgen).
deps: $(CBINDGEN)
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }

$(CBINDGEN):
	$(CARGO) install cbindgen --version $(CBINDGEN_VER) --locked --root $(TOOLS)

## build: libnet.so + libnet.a (release), the core, the `net` tool and the
## Node addon's native library. Every cargo command here selects the whole
## workspace (`--workspace`), so each resolves the same features and reuses
## one build of the core instead of compiling its own. libnet.so carries the
## soname $(NET_SONAME); the link of that name beside it is what programs
## linked in-tree (rpath target/release) load.
## The Python extension (net-python) is left to maturin (python-wheel), the
## one that ships it: maturin builds that cdylib alone, so cargo compiles
## its dependencies as LLVM bitcode only (thin LTO), not as this command's
## objects, and the two builds of the one cdylib file overwrote each other:
## net-python was relinked (~50 s) by each command after the other's.
## Leaving it out changes no other unit (tools/unit_graph_diff.py).
build:
	$(CARGO) build --release --workspace --exclude net-python
	ln -sfn libnet.so $(LIBDIR)/$(NET_SONAME)
	mkdir -p $(NET_PC_DEV_DIR)
	$(call net_pc,$(CURDIR),$(LIBDIR),$(CURDIR)/include,-Wl$(comma)-rpath$(comma)$${libdir} ) > $(NET_PC_DEV_DIR)/net.pc.tmp
	mv $(NET_PC_DEV_DIR)/net.pc.tmp $(NET_PC_DEV_DIR)/net.pc

headers: $(CBINDGEN)
	$(CBINDGEN) --config ffi/cbindgen.toml --crate net-ffi --output include/net.h ffi
	$(CBINDGEN) --quiet --config ffi/cbindgen_cortex.toml --output include/net_cortex.h ffi/src/cortex/mod.rs

## check-headers: the checked-in headers must be exactly what ffi/ generates
## (net_cortex.h comes from ffi/src/cortex/ alone; net.h skips that module).
## net_meshos.h is the seed header (its comments kept by hand): its
## declarations must equal the seed's (tests/c/seed/) and ffi/src/meshos's.
check-headers: $(CBINDGEN)
	@tmp=$$(mktemp -d); \
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate net-ffi --output $$tmp/net.h ffi; \
	if ! diff -u include/net.h $$tmp/net.h; then \
	  echo "include/net.h is out of date: run 'make headers' and commit it"; rm -rf $$tmp; exit 1; fi; \
	$(CBINDGEN) --quiet --config ffi/cbindgen_cortex.toml --output $$tmp/net_cortex.h ffi/src/cortex/mod.rs; \
	if ! diff -u include/net_cortex.h $$tmp/net_cortex.h; then \
	  echo "include/net_cortex.h is out of date: run 'make headers' and commit it"; rm -rf $$tmp; exit 1; fi; \
	$(CBINDGEN) --quiet --config ffi/cbindgen_meshos.toml --output $$tmp/net_meshos.h ffi/src/meshos/mod.rs; \
	python3 tools/check_meshos_header.py tests/c/seed/net_meshos.h include/net_meshos.h $$tmp/net_meshos.h || { \
	  echo "net_meshos.h: the seed, include/net_meshos.h and ffi/src/meshos must declare the same"; rm -rf $$tmp; exit 1; }; \
	rm -rf $$tmp; echo "headers: include/net.h and include/net_cortex.h match ffi/"

test: deps build check-headers test-rust test-c test-examples test-miri $(FACE_TESTS)
	@echo "make test: every suite passed"

## Miri: the lock-free ring's unsafe code, interpreted with data-race and
## weak-memory checks. Runs when the nightly toolchain can provide Miri;
## says so plainly when it cannot. The ring is in every feature set, so the
## core is built without its default features (the mesh and the Redis and
## JetStream backends): the same tests, some 80 fewer crates to compile.
MIRI_TESTS := bus::ring
test-miri:
	@if timeout 300 rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1 && \
	    $(CARGO) +nightly miri --version >/dev/null 2>&1; then \
	  MIRIFLAGS=-Zmiri-disable-isolation PROPTEST_CASES=8 \
	    $(CARGO) +nightly miri test -p net-mesh-sdk --lib --no-default-features $(MIRI_TESTS); \
	else echo "test-miri: SKIPPED — no nightly toolchain with Miri on this machine"; fi

## Rust: unit, integration and doc tests of every crate, in the release
## profile so the library built above is reused instead of rebuilt.
## `--tests` leaves the examples out (clippy checks them, and the ones the
## suites run are built on their own); the core's integration tests are one
## binary (core/tests/it), linked once.
test-rust:
	$(CARGO) test --release --workspace --tests
	$(CARGO) test --release --workspace --doc
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings 2>/dev/null || \
	  { rustup component add clippy >/dev/null 2>&1 && $(CARGO) clippy --release --workspace --all-targets -- -D warnings; }

$(C_BUILD):
	mkdir -p $@

$(C_BUILD)/%: tests/c/%.c $(wildcard tests/c/*.h tests/c/seed/*.h) include/net.h include/net_cortex.h include/net_meshos.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LDFLAGS_NET)
	$(CXX) $(CXXFLAGS_STRICT) -x c++ -fsyntax-only $<

$(C_BUILD)/example_%: examples/c/%.c include/net.h include/net_meshos.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LDFLAGS_NET)

## C: every tests/c/*_test.c, compiled as C (and checked as C++), run under
## valgrind; every tests/c/*_load.c (the same, at volumes valgrind cannot
## carry) run natively.
test-c: $(C_TESTS) $(C_LOAD_TESTS) $(C_BUILD)/static_link_test
	@for t in $(C_TESTS); do echo "== $$(basename $$t) (valgrind)"; $(VALGRIND) $$t; done
	@for t in $(C_LOAD_TESTS); do echo "== $$(basename $$t)"; $$t; done
	@echo "== static_link_test"; $(C_BUILD)/static_link_test

## The same API test linked against libnet.a instead of libnet.so.
$(C_BUILD)/static_link_test: tests/c/api_test.c tests/c/check.h include/net.h build | $(C_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LIBDIR)/libnet.a -lpthread -ldl -lm

test-examples: $(C_EXAMPLES)
	@for e in $(C_EXAMPLES); do echo "== $$(basename $$e) (valgrind)"; $(VALGRIND) $$e; done
	$(call rust_example,quickstart)
	$(CARGO) build --release -q --workspace --example meshos_daemon
	bash tests/examples/daemon_main.sh $(LIBDIR)/examples/meshos_daemon

demo: build $(C_EXAMPLES)
	@echo "== Rust quickstart"; $(call rust_example,quickstart)
	@for e in $(C_EXAMPLES); do echo "== C $$(basename $$e)"; $$e; done
	@for d in $(FACE_DEMOS); do $(MAKE) --no-print-directory $$d; done

bench:
	$(CARGO) bench -p net-mesh-sdk -p net-ffi
	@python3 tools/bench_table.py target/criterion
	@for b in $(FACE_BENCHES); do $(MAKE) --no-print-directory $$b; done

## fuzz: every target under fuzz/ for FUZZ_SECONDS (default 30) each.
FUZZ_SECONDS ?= 30
CARGO_FUZZ   := $(TOOLS)/bin/cargo-fuzz
$(CARGO_FUZZ):
	$(CARGO) install cargo-fuzz --version 0.12.0 --locked --root $(TOOLS)

fuzz: $(CARGO_FUZZ)
	@export PATH=$(TOOLS)/bin:$$PATH; cd fuzz; \
	for t in $$(cargo +nightly fuzz list); do \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  cargo +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

clean:
	$(CARGO) clean
	rm -rf $(C_BUILD)
