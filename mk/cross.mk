# Peers in different languages (tests/cross): each peer a separate process
# on 127.0.0.1, driven by tests/cross/run.py (see tests/cross/README.md).
#
#   make test-cross   build the Go and C peers, then run every case
#
# It needs every face built: libnet (`build`, for C and Go), the venv with
# the wheel (`python-env`), the Node addon and SDK (`build-node`) and a Go
# toolchain (`go-toolchain`). This file is included before go.mk, node.mk
# and python.mk, so their variables (GO, GO_ENV, PY) appear only in
# recipes, which make expands when it runs them.

CROSS_DIR   := $(CURDIR)/tests/cross
CROSS_BUILD := $(CURDIR)/target/cross

.PHONY: test-cross cross-peers

$(CROSS_BUILD):
	mkdir -p $@

## The C peer, with the flags of tests/c.
$(CROSS_BUILD)/peer_c: tests/cross/peer.c include/net.h build | $(CROSS_BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LDFLAGS_NET)

## The Go peer: `go build` decides itself whether anything changed.
cross-peers: $(CROSS_BUILD)/peer_c go-toolchain build build-node | $(CROSS_BUILD)
	cd $(CROSS_DIR)/peer_go && $(GO_ENV) $(GO) vet . && $(GO_ENV) $(GO) build -o $(CROSS_BUILD)/peer_go .
	@# peer.mjs resolves @net-mesh/sdk as the examples do: through a node_modules link.
	ln -sfn ../../bindings-node/node_modules $(CROSS_DIR)/node_modules

test-cross: cross-peers python-env
	$(PYTHON3) $(CROSS_DIR)/run.py --python $(PY) --go-peer $(CROSS_BUILD)/peer_go --c-peer $(CROSS_BUILD)/peer_c

FACE_TESTS += test-cross
