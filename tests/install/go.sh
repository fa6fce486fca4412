#!/usr/bin/env bash
# The Go package as a Go user meets it: a program in a fresh module outside
# the repository requires github.com/net-mesh/net/bindings-go (a replace to
# this checkout's bindings-go, as `go get` would fetch it) and builds
# against the INSTALLED libnet, found only through PKG_CONFIG_PATH.
#
#   tests/install/go.sh PREFIX SONAME GO   (after `make install PREFIX=PREFIX`)
set -euo pipefail

prefix=$1 soname=$2 go=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
lib=$prefix/lib
fail() { echo "test-install (Go): $*" >&2; exit 1; }

unset CGO_CFLAGS CGO_LDFLAGS CPATH C_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH PKG_CONFIG_LIBDIR
export PKG_CONFIG_PATH=$lib/pkgconfig CGO_ENABLED=1 GOFLAGS=-mod=mod GOTOOLCHAIN=local

work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
# A build cache of its own: Go's cache key for a cgo package holds its
# #cgo directives and CGO_* variables but not what pkg-config answered
# (golang/go#24544), so a shared cache would hand this build the package
# compiled in-tree (or hand in-tree builds this one's flags).
export GOCACHE=$work/gocache
cd "$work"
cat > go.mod <<MOD
module example.com/netinstalltest

go 1.24

require github.com/net-mesh/net/bindings-go v0.0.0

replace github.com/net-mesh/net/bindings-go => $repo/bindings-go
MOD
cat > main.go <<'GO'
package main

import (
	"context"
	"fmt"
	"log"

	net "github.com/net-mesh/net/bindings-go"
)

func main() {
	node, err := net.NewNode(net.Config{Shards: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	for i := 0; i < 3; i++ {
		if _, err := node.EmitRaw([]byte(fmt.Sprintf(`{"i":%d}`, i))); err != nil {
			log.Fatal(err)
		}
	}
	ctx := context.Background()
	if err := node.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	page, err := node.Poll(ctx, net.PollRequest{Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("libnet %s: polled %d events\n", net.Version(), len(page.Events))
}
GO
"$go" build -o app .
grep -q "(NEEDED).*\[$soname\]" <<<"$(readelf -d app)" || fail "the program does not record NEEDED $soname"
grep -q "$soname => $lib/$soname " <<<"$(LD_LIBRARY_PATH=$lib ldd app)" || fail "the program does not load libnet from $lib"
out=$(LD_LIBRARY_PATH=$lib ./app)
[ "$out" = "libnet $(pkg-config --modversion net): polled 3 events" ] || fail "unexpected output: $out"
echo "test-install (Go): a module outside the repository built against $prefix and ran: $out"
