# The encrypted mesh (core/src/mesh): its example runs in `make test` and
# `make demo`; its criterion benches run with the core's in `make bench`.

.PHONY: demo-mesh test-mesh-example

demo-mesh:
	@echo "== Rust mesh_pair"; $(call rust_example,mesh_pair)

test-mesh-example:
	$(call rust_example,mesh_pair)

FACE_DEMOS += demo-mesh
FACE_TESTS += test-mesh-example
