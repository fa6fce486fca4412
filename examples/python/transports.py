"""The SDK's Transports, persistent producer nonce and Redis Streams dedup
helper, against real servers.

The addresses are the seed's (``redis://localhost:6379``,
``nats://localhost:4222``) unless NET_REDIS_URL / NET_NATS_URL name others,
as tests/servers/run_with_servers.py does for ``make test-backends``::

    tests/servers/run_with_servers.py -- python examples/python/transports.py

The encrypted mesh transport runs in mesh_pair.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

from net_sdk import NetNode, RedisStreamDedup

REDIS_URL = os.environ.get("NET_REDIS_URL", "redis://localhost:6379")
NATS_URL = os.environ.get("NET_NATS_URL", "nats://localhost:4222")


def round_trip(name: str, node: NetNode) -> None:
    with node:
        for index in range(3):
            node.emit({"transport": name, "index": index})
        node.flush()
        page = node.poll(limit=100)
        print(f"{name}: {len(page.events)} events read back")


def main() -> None:
    # Transports: in-memory (the default), Redis Streams, NATS JetStream.
    round_trip("memory", NetNode(shards=4))
    round_trip("redis", NetNode(transport={"type": "redis", "url": REDIS_URL}))
    round_trip("jetstream", NetNode(transport={"type": "jetstream", "url": NATS_URL}))

    # Persistent producer nonce: a producer restarted with the same nonce
    # file writes the same dedup ids.
    with tempfile.TemporaryDirectory(prefix="net-transports-") as tmp:
        nonce_path = os.path.join(tmp, "producer.nonce")
        for _run in range(2):
            with NetNode(shards=4, transport={"type": "redis", "url": REDIS_URL, "prefix": "nonce"},
                         producer_nonce_path=nonce_path) as node:
                node.emit({"order": 1})
                node.flush()

    # Redis Streams consumer-side dedup helper. Bring your own Redis
    # client: here redis-cli, which comes with the server.
    dedup = RedisStreamDedup(600_000)
    processed = 0
    for shard in range(4):
        out = subprocess.run(["redis-cli", "-u", REDIS_URL, "--json", "XRANGE", f"nonce:shard:{shard}", "-", "+"],
                             check=True, capture_output=True, text=True).stdout
        for _id, fields in json.loads(out) or []:
            dedup_id = fields[fields.index("dedup_id") + 1]
            if not dedup.is_duplicate(dedup_id):
                processed += 1
    print(f"dedup: {processed} of 2 entries processed, {dedup.len} id remembered")


if __name__ == "__main__":
    main()
