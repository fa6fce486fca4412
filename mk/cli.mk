# The `net` command-line tool (cli/, crate net-cli, binary `net`): its
# tests (assert_cmd, real processes) run with the workspace's in
# `make test` (test-rust); `make install` installs it (mk/install.mk).
#
#   make demo-cli   a token issued, inspected and verified; a mesh peer pinged

.PHONY: demo-cli

demo-cli: build-cli
	@echo "== net CLI"; bash examples/cli/demo.sh $(LIBDIR)/net

FACE_DEMOS += demo-cli
