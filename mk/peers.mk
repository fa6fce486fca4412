# Side-by-side comparison with Eclipse Zenoh 1.x (issue 18): bench/peers is
# its own cargo project (excluded from the workspace, own Cargo.lock, own
# target dir bench/peers/target), so Zenoh never enters the main build.
# Heavy (a first build compiles Zenoh: 10-20 min; the run takes ~5 min):
# NOT part of `make test`, `make demo` or `make bench`; run it on a quiet
# machine.
#
#   make bench-peers                      3 interleaved rounds, medians, one table with issue 18's targets
#   make bench-peers PEERS_ARGS='--rounds 1 --seconds 1'

PEERS_ARGS ?=

.PHONY: bench-peers

bench-peers:
	python3 bench/peers/run.py $(PEERS_ARGS)
