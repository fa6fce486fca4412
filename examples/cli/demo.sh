#!/usr/bin/env bash
# The `net` command-line tool in one minute: two identities, a permission
# token issued, inspected and verified, then a mesh listener and a ping.
#
#   examples/cli/demo.sh [path/to/net]      (make demo runs it)
set -euo pipefail

net=${1:-net}
work=$(mktemp -d)
listener=
cleanup() { [ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

echo "\$ net identity new --out alice.seed"
"$net" identity new --out alice.seed
"$net" identity new --out bob.seed >/dev/null
bob=$("$net" --json identity show --identity bob.seed)

echo; echo "\$ net token issue --identity alice.seed --subject <bob> --scope subscribe --channel sensors/temp --ttl 300"
token=$("$net" token issue --identity alice.seed --subject "$(field entity_id <<<"$bob")" \
  --scope subscribe --channel sensors/temp --ttl 300)
echo "${token:0:64}… (161 bytes)"
echo; echo "\$ net token inspect <token>"
"$net" token inspect "$token"
echo; echo "\$ net token verify <token> --channel sensors/temp --scope subscribe"
"$net" token verify "$token" --channel sensors/temp --scope subscribe

echo; echo "\$ net mesh listen --identity bob.seed --bind 127.0.0.1:0 --accept <alice> &"
alice=$("$net" --json identity show --identity alice.seed)
coproc LISTEN { exec "$net" --json mesh listen --identity bob.seed --psk "$psk" --bind 127.0.0.1:0 --accept "$(field node_id <<<"$alice")"; }
listener=$LISTEN_PID
read -r line <&"${LISTEN[0]}"
addr=$(field addr <<<"$line")
echo "listening on $addr"
echo; echo "\$ net mesh ping --identity alice.seed --connect $addr --peer-key <bob's key> --peer-node <bob> --count 3"
"$net" mesh ping --identity alice.seed --psk "$psk" --bind 127.0.0.1:0 --connect "$addr" \
  --peer-key "$(field mesh_key <<<"$bob")" --peer-node "$(field node_id <<<"$bob")" --count 3 --interval 100
kill -INT "$listener"
wait "$listener" || true
listener=
