# Go face: bindings-go/ (package net, cgo over libnet) and examples/go/.
#
#   make test-go    go vet, the tests with and without the race detector and
#                   under GOEXPERIMENT=cgocheck2 (cgo pointer rules), the examples
#   make demo-go    run examples/go/quickstart, mesh_pair, redex_file, netdb and meshos_daemon
#   make bench-go   sustained EmitRaw / EmitRawBatch (1000) stored under the default config; ring push
#                   (accepted, not stored): EmitRaw (9 bytes), EmitRawBatch (1000), the cgo and C ingest floors;
#                   the mesh on loopback: 64-byte messages received per second (64 per call, 1 per call)
#                   and the request/response round trip (p50, p99); MeshOS: events/s answered by a Go
#                   daemon through Deliver, and the control round trip SendControl → NextControl (p50, p99)

# Go 1.24 or newer (range-over-func, runtime.AddCleanup, #cgo noescape).
# A fresh Debian 12 offers only Go 1.19, so when no new enough `go` is on
# PATH the toolchain comes from the Go module proxy — it is published there
# as the module golang.org/toolchain — into .tools/go.
GO_FETCH_VERSION := 1.24.4
GO_LOCAL  := $(TOOLS)/go/bin/go
GO        ?= $(shell if go version 2>/dev/null | grep -Eq 'go1\.(2[4-9]|[3-9][0-9])'; then echo go; else echo $(GO_LOCAL); fi)
# The package takes its cgo flags from `#cgo pkg-config: net`; in-tree that
# is the net.pc `make build` writes (include/, target/release, an rpath),
# put ahead of any installed one.
GO_ENV    := CGO_ENABLED=1 PKG_CONFIG_PATH="$(NET_PC_DEV_DIR)$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}"
GO_BENCHTIME ?= 2s
GO_BENCHCOUNT ?= 3

.PHONY: go-toolchain test-go demo-go bench-go

go-toolchain: pkg-config-tool
	@if [ "$(GO)" = "$(GO_LOCAL)" ] && [ ! -x "$(GO_LOCAL)" ]; then \
	  command -v go >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go; }; \
	  arch=$$(uname -m); case $$arch in x86_64) arch=amd64;; aarch64) arch=arm64;; esac; \
	  mod=golang.org/toolchain@v0.0.1-go$(GO_FETCH_VERSION).linux-$$arch; \
	  tmp=$$(mktemp -d); \
	  echo "go-toolchain: fetching $$mod from the Go module proxy"; \
	  GOPATH=$$tmp GOMODCACHE=$$tmp/mod GOFLAGS=-modcacherw GOTOOLCHAIN=local go mod download $$mod; \
	  mkdir -p $(TOOLS); rm -rf $(TOOLS)/go; mv $$tmp/mod/$$mod $(TOOLS)/go; rm -rf $$tmp; \
	  chmod +x $(TOOLS)/go/bin/* $(TOOLS)/go/pkg/tool/*/*; \
	fi
	@$(GO) version

test-go: go-toolchain build
	cd bindings-go && $(GO_ENV) $(GO) vet ./...
	@# No plain run: -race runs the same tests (and checks more).
	cd bindings-go && $(GO_ENV) $(GO) test -race -count=1 ./...
	cd bindings-go && $(GO_ENV) GOEXPERIMENT=cgocheck2 $(GO) test -count=1 ./...
	cd examples/go && $(GO_ENV) $(GO) vet ./... && $(GO_ENV) $(GO) run -race ./quickstart && \
	  $(GO_ENV) $(GO) run -race ./mesh_pair && $(GO_ENV) $(GO) run -race ./redex_file && \
	  $(GO_ENV) $(GO) run -race ./netdb && $(GO_ENV) $(GO) run -race ./meshos_daemon

demo-go: go-toolchain build
	@echo "== Go quickstart"
	@cd examples/go && $(GO_ENV) $(GO) run ./quickstart
	@echo "== Go mesh_pair"
	@cd examples/go && $(GO_ENV) $(GO) run ./mesh_pair
	@echo "== Go redex_file"
	@cd examples/go && $(GO_ENV) $(GO) run ./redex_file
	@echo "== Go netdb"
	@cd examples/go && $(GO_ENV) $(GO) run ./netdb
	@echo "== Go meshos_daemon"
	@cd examples/go && $(GO_ENV) $(GO) run ./meshos_daemon

bench-go: go-toolchain build
	cd bindings-go && $(GO_ENV) $(GO) test -run '^$$' -bench 'EmitRaw|Floor|Mesh|DeliverGoDaemon|ControlRoundTrip' -benchtime $(GO_BENCHTIME) -count $(GO_BENCHCOUNT) .

FACE_TESTS   += test-go
FACE_DEMOS   += demo-go
FACE_BENCHES += bench-go
