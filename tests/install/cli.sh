#!/usr/bin/env bash
# The installed `net` tool: found under PREFIX/bin, reports the version,
# and works from an empty directory (an identity made, a token issued to
# another and verified, a tampered copy refused with exit code 1).
#
#   tests/install/cli.sh PREFIX VERSION   (after `make install PREFIX=PREFIX`)
set -euo pipefail

prefix=$1 version=$2
net=$prefix/bin/net
fail() { echo "test-install (CLI): $*" >&2; exit 1; }

[ -x "$net" ] || fail "no executable $net"
[ "$("$net" --version)" = "net $version" ] || fail "$net --version says '$("$net" --version)'"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$net" identity new --out issuer.seed >/dev/null
"$net" identity new --out subject.seed >/dev/null
[ "$(stat -c %a issuer.seed)" = 600 ] || fail "the seed file is not mode 0600"
subject=$("$net" --json identity show --identity subject.seed | sed -n 's/.*"entity_id":"\([0-9a-f]*\)".*/\1/p')
token=$("$net" token issue --identity issuer.seed --subject "$subject" --scope subscribe --channel demo/x --ttl 60)
"$net" token verify "$token" --channel demo/x --scope subscribe >/dev/null || fail "a fresh token did not verify"
tampered=${token:0:300}$( [ "${token:300:1}" = 0 ] && echo 1 || echo 0 )${token:301}
code=0; "$net" token verify "$tampered" 2>/dev/null || code=$?
[ "$code" = 1 ] || fail "a tampered token gave exit code $code, expected 1"
echo "test-install (CLI): $net $version issued, verified and refused tokens"
