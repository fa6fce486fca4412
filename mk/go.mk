# Go face: bindings-go/ (package net, cgo over libnet) and examples/go/.
#
#   make test-go    go vet, the tests with and without the race detector, the example
#   make demo-go    run examples/go/quickstart
#   make bench-go   EmitRaw (9 bytes) and EmitRawBatch (1000) benchmarks

GO        ?= go
GO_ENV    := CGO_ENABLED=1 CGO_CFLAGS="-O2 -I$(CURDIR)/include" \
             CGO_LDFLAGS="-L$(LIBDIR) -Wl,-rpath,$(LIBDIR) -lnet"
GO_BENCHTIME ?= 2s

.PHONY: go-toolchain test-go demo-go bench-go

## The Go toolchain from Debian when none is installed (cgo needs gcc, which `make test` already uses).
go-toolchain:
	@command -v $(GO) >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go; }

test-go: go-toolchain build
	cd bindings-go && $(GO_ENV) $(GO) vet ./...
	cd bindings-go && $(GO_ENV) $(GO) test -count=1 ./...
	cd bindings-go && $(GO_ENV) $(GO) test -race -count=1 ./...
	cd examples/go && $(GO_ENV) $(GO) vet ./... && $(GO_ENV) $(GO) run -race ./quickstart

demo-go: go-toolchain build
	@echo "== Go quickstart"
	@cd examples/go && $(GO_ENV) $(GO) run ./quickstart

bench-go: go-toolchain build
	cd bindings-go && $(GO_ENV) $(GO) test -run '^$$' -bench 'EmitRaw' -benchtime $(GO_BENCHTIME) -count 1 .

FACE_TESTS   += test-go
FACE_DEMOS   += demo-go
FACE_BENCHES += bench-go
