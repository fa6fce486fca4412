# Installation as a C, C++ or Go user meets it: libnet, the headers, net.pc
# and the `net` command-line tool under a prefix.
#
#   make install PREFIX=/usr/local [DESTDIR=...]
#       $(PREFIX)/lib/libnet.so.<version>, its soname link and libnet.so,
#       libnet.a, $(PREFIX)/include/*.h, $(PREFIX)/lib/pkgconfig/net.pc,
#       $(PREFIX)/bin/net (the command-line tool, cli/)
#   make uninstall PREFIX=...   removes exactly those files
#   make test-install   installs into a temporary prefix, then builds
#                       examples/c/basic.c outside the repository with nothing
#                       but pkg-config (as C, as C++, shared and static), and
#                       a Go program in a module outside the repository that
#                       requires bindings-go, against that prefix, and runs
#                       the installed `net` (a token issued and verified)

PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL_LIB := $(DESTDIR)$(PREFIX)/lib
INSTALL_INC := $(DESTDIR)$(PREFIX)/include
INSTALL_PC  := $(INSTALL_LIB)/pkgconfig
INSTALL_BIN := $(DESTDIR)$(PREFIX)/bin
NET_HEADERS := $(wildcard include/*.h)

.PHONY: install uninstall test-install build-cli pkg-config-tool

## pkg-config: the install tests use it, and so does every Go build (the
## package's `#cgo pkg-config: net`); a fresh Debian lacks it.
pkg-config-tool:
	@command -v pkg-config >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config; }

deps: pkg-config-tool

## The `net` command-line tool (target/release/net), which `build` makes
## with the rest of the workspace.
build-cli: build

install: build build-cli
	install -d $(INSTALL_LIB) $(INSTALL_INC) $(INSTALL_PC) $(INSTALL_BIN)
	@# The release profile's debug info stays behind (as for the Node module).
	strip --strip-debug -o $(INSTALL_LIB)/libnet.so.$(NET_VERSION) $(LIBDIR)/libnet.so
	chmod 0755 $(INSTALL_LIB)/libnet.so.$(NET_VERSION)
	ln -sfn libnet.so.$(NET_VERSION) $(INSTALL_LIB)/$(NET_SONAME)
	ln -sfn $(NET_SONAME) $(INSTALL_LIB)/libnet.so
	strip --strip-debug -o $(INSTALL_LIB)/libnet.a $(LIBDIR)/libnet.a
	chmod 0644 $(INSTALL_LIB)/libnet.a
	install -m 0644 $(NET_HEADERS) $(INSTALL_INC)/
	@# libdir and includedir stay relative to prefix, so --define-prefix works.
	$(call net_pc,$(PREFIX),$${prefix}/lib,$${prefix}/include,) > $(INSTALL_PC)/net.pc
	strip --strip-debug -o $(INSTALL_BIN)/net $(LIBDIR)/net
	chmod 0755 $(INSTALL_BIN)/net
	@echo "install: libnet $(NET_VERSION) ($(NET_SONAME)) under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(INSTALL_LIB)/libnet.so.$(NET_VERSION) $(INSTALL_LIB)/$(NET_SONAME) $(INSTALL_LIB)/libnet.so \
	  $(INSTALL_LIB)/libnet.a $(INSTALL_PC)/net.pc $(addprefix $(INSTALL_INC)/,$(notdir $(NET_HEADERS))) \
	  $(INSTALL_BIN)/net

test-install: build go-toolchain pkg-config-tool
	@prefix=$$(mktemp -d); trap 'rm -rf "$$prefix"' EXIT; \
	$(MAKE) --no-print-directory install PREFIX=$$prefix >/dev/null; \
	bash tests/install/c.sh "$$prefix" $(NET_VERSION) $(NET_SONAME); \
	bash tests/install/go.sh "$$prefix" $(NET_SONAME) $(GO); \
	bash tests/install/cli.sh "$$prefix" $(NET_VERSION)

FACE_TESTS += test-install
