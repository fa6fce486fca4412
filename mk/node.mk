# Node face: the napi-rs crate (@net-mesh/core) and the TypeScript SDK
# (@net-mesh/sdk) in bindings-node/, the examples in examples/node/.
#
#   make build-node  native module (release, shared target dir) + SDK (tsc) + examples
#   make test-node   node --test (core + SDK + seed examples) and the packaging test
#   make demo-node   the seed examples (Quick Start, Typed Streams, Typed Channels, Security, Mesh Streams, NetDb, RedEX file, Capabilities, Compute)
#   make bench-node  stored events/s under the default config (and the ring-push rows), mesh throughput over loopback (messages/s),
#                    deliveries/s answered by a TS echo daemon

NODE_DIR      := $(CURDIR)/bindings-node
NODE_MODULES  := $(NODE_DIR)/node_modules
NODE_NATIVE   := $(NODE_DIR)/core/net-node.linux-x64-gnu.node
NODE_TSC      := $(NODE_MODULES)/.bin/tsc
NODE_EXAMPLES := $(CURDIR)/examples/node

.PHONY: deps-node build-node test-node demo-node bench-node

## deps-node: node and npm (Debian packages when missing), then the pinned
## TypeScript toolchain from package-lock.json (npm ci, only when the lock changed).
deps-node: $(NODE_MODULES)/.package-lock.json

$(NODE_MODULES)/.package-lock.json: $(NODE_DIR)/package-lock.json $(NODE_DIR)/package.json
	@command -v node >/dev/null && command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## The addon's native library comes from `build`: `cargo build -p net-node`
## had it build only that cdylib, so against other dependency units (LLVM
## bitcode only, the thin-LTO input), and relinked it (~45 s) in each
## direction whenever `build` ran after it or it after `build`.
build-node: deps-node build
	@# The shipped module leaves the release profile's debug info behind.
	strip --strip-debug -o $(NODE_NATIVE) $(LIBDIR)/libnet_node.so
	cd $(NODE_DIR)/sdk && $(NODE_TSC) -p tsconfig.json
	ln -sfn ../../bindings-node/node_modules $(NODE_EXAMPLES)/node_modules
	cd $(NODE_EXAMPLES) && $(NODE_TSC) -p tsconfig.json

test-node: build-node
	cd $(NODE_DIR) && node --test core/test/*.test.cjs sdk/test/*.test.mjs
	bash $(NODE_DIR)/scripts/pack-test.sh

demo-node: build-node
	@echo "== Node quickstart"; node $(NODE_EXAMPLES)/quickstart.mjs
	@for e in typed_streams typed_channels security mesh mesh_bus netdb redex_file capabilities compute; do echo "== Node $$e"; node $(NODE_EXAMPLES)/.build/$$e.mjs; done

bench-node: build-node
	node $(NODE_DIR)/bench/emit.mjs
	node $(NODE_DIR)/bench/mesh.mjs
	node $(NODE_DIR)/bench/compute.mjs

FACE_TESTS   += test-node
FACE_DEMOS   += demo-node
FACE_BENCHES += bench-node
