# The encrypted mesh (core/src/mesh): its example runs in `make test` and
# `make demo`; its criterion benches run with the core's in `make bench`.

.PHONY: demo-mesh test-mesh-example

demo-mesh:
	@echo "== Rust mesh_pair"; $(CARGO) run --release -q -p net-mesh-sdk --example mesh_pair

test-mesh-example:
	$(CARGO) run --release -q -p net-mesh-sdk --example mesh_pair

FACE_DEMOS += demo-mesh
FACE_TESTS += test-mesh-example
