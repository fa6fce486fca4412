# The Redis Streams and NATS JetStream backends: the servers their tests
# run against, and each face's backend tests.
#
#   make deps-servers   redis-server and nats-server (Debian's packages) when missing
#   make test-backends  every face's backend tests (C, Go, Python, Node) and each
#                       face's transports example (the seed's "Transports", producer
#                       nonce and dedup sections, printing tests/servers/transports.out),
#                       each run by tests/servers/run_with_servers.py, which starts both
#                       servers on free loopback ports with temporary data dirs, exports
#                       NET_REDIS_URL / NET_NATS_URL / NET_SERVERS_CONTROL (a port to
#                       kill and restart them mid-test) and stops them after
#   make bench-backends emit-to-stored throughput into each server beside the
#                       server's own tool (redis-benchmark, a JetStream publish loop)
#
# The Rust backend tests (core/tests/it/redis_backend.rs, jetstream_backend.rs)
# start their own servers (core/tests/common/servers.rs) and run in test-rust.

RUN_WITH_SERVERS := python3 $(CURDIR)/tests/servers/run_with_servers.py
TRANSPORTS_OUT   := $(CURDIR)/tests/servers/transports.out

.PHONY: deps-servers test-backends bench-backends

deps: deps-servers
bench: deps-servers

deps-servers:
	@if ! command -v redis-server >/dev/null || ! command -v nats-server >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nats-server; \
	  { systemctl stop redis-server || service redis-server stop || true; } >/dev/null 2>&1; \
	fi

test-backends: deps-servers build $(C_BUILD)/backends_servers go-toolchain python-env build-node
	@echo "== C backends_servers (valgrind)"
	$(RUN_WITH_SERVERS) -- $(VALGRIND) $(C_BUILD)/backends_servers
	cd bindings-go && $(RUN_WITH_SERVERS) -- env $(GO_ENV) $(GO) test -race -count=1 -run 'Redis|JetStream|BackendTransports' .
	cd bindings-python/tests && $(RUN_WITH_SERVERS) -- $(PY) -m pytest -q -p no:cacheprovider test_backends.py
	cd bindings-node && $(RUN_WITH_SERVERS) -- node --test sdk/test/backends.test.mjs
	@echo "== transports examples (Rust, Go, Python, Node)"
	$(CARGO) build --release -q --workspace --example transports
	$(RUN_WITH_SERVERS) -- $(LIBDIR)/examples/transports | diff -u $(TRANSPORTS_OUT) -
	cd examples/go && $(RUN_WITH_SERVERS) -- env $(GO_ENV) $(GO) run ./transports | diff -u $(TRANSPORTS_OUT) -
	$(RUN_WITH_SERVERS) -- $(PY) examples/python/transports.py | diff -u $(TRANSPORTS_OUT) -
	$(RUN_WITH_SERVERS) -- node examples/node/.build/transports.mjs | diff -u $(TRANSPORTS_OUT) -

FACE_TESTS += test-backends

## The backends bench also runs in `make bench` (it is one of the core's
## criterion benches); this rule runs it alone and prints each backend's
## share of its server's own tool.
bench-backends: deps-servers
	$(CARGO) bench -p net-mesh-sdk --bench backends
	@python3 $(CURDIR)/tools/backend_bench_ratio.py $(CURDIR)/target/criterion
	NET_BENCH_PAIRED=15 $(CARGO) bench -q -p net-mesh-sdk --bench backends
