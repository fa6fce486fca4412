"""``NetNode(transport={"type": "mesh", ...})``: the bus over an encrypted
mesh link — events cross once, in order per shard — and every bad
transport is a typed error."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Dict, List, Optional, Tuple

import pytest
from meshkit import PSK

from net_sdk import ConfigError, HandshakeError, Identity, NetNode
from net_sdk import TimeoutError as NetTimeoutError

RESPONDER = Identity.from_seed(bytes([0x11]) * 32)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def linked(pin: bool) -> Tuple[NetNode, NetNode]:
    """A responder (started in a thread: it returns once its peer arrives)
    and an initiator dialling it."""
    me = Identity.generate()
    addr = f"127.0.0.1:{free_udp_port()}"
    responder_cfg: Dict[str, object] = {
        "type": "mesh",
        "bind": addr,
        "psk": PSK,
        "identity_seed": RESPONDER.to_bytes(),
        "handshake_timeout_ms": 30_000,
    }
    initiator_cfg: Dict[str, object] = {
        "type": "mesh",
        "bind": "127.0.0.1:0",
        "peer": addr,
        "psk": PSK,
        "peer_public_key": RESPONDER.mesh_public_key,
        "identity_seed": me.to_bytes(),
    }
    if pin:
        responder_cfg["peer_node_id"] = me.node_id
        initiator_cfg["peer_node_id"] = RESPONDER.node_id
    made: List[NetNode] = []
    thread = threading.Thread(target=lambda: made.append(NetNode(shards=2, transport=responder_cfg)))
    thread.start()
    initiator = NetNode(shards=2, transport=initiator_cfg)
    thread.join()
    assert len(made) == 1, "the responder failed to start"
    return made[0], initiator


def poll_until(node: NetNode, want: int) -> List[Tuple[int, str]]:
    deadline = time.monotonic() + 30
    while True:
        out: List[Tuple[int, str]] = []
        cursor: Optional[str] = None
        while True:
            page = node.poll(limit=4096, cursor=cursor)
            out.extend((e.shard_id, e.raw) for e in page.events)
            cursor = page.next_id
            if not page.has_more:
                break
        if len(out) >= want:
            return out
        assert time.monotonic() < deadline, f"only {len(out)} of {want} events arrived"
        time.sleep(0.01)


@pytest.mark.parametrize("pin", [False, True])
def test_events_cross_the_link_once_and_in_order_per_shard(pin: bool) -> None:
    responder, initiator = linked(pin)
    n = 10_000
    for i in range(n):
        initiator.emit_raw(json.dumps({"i": i}))
    responder.emit_raw('{"from":"responder"}')
    initiator.shutdown()  # drains and waits for the peer's acks
    last: Dict[int, int] = {}
    seen = set()
    for shard, raw in poll_until(responder, n + 1):
        i = json.loads(raw).get("i")
        if i is None:
            continue
        assert i not in seen, f"event {i} arrived twice"
        seen.add(i)
        assert last.get(shard, -1) < i, f"shard {shard}: {i} after {last[shard]}"
        last[shard] = i
    assert len(seen) == n
    # The responder counts what it stored from its peer.
    stats = responder.stats()
    assert (stats.remote_events, stats.forward_failures) == (n, 0), stats
    responder.shutdown()


def test_bad_transports_are_typed_errors() -> None:
    with pytest.raises(ConfigError, match="url"):
        NetNode(transport={"type": "redis"})
    with pytest.raises(ConfigError, match="psk"):
        NetNode(transport={"type": "mesh", "bind": "127.0.0.1:0", "psk": b"short"})
    with pytest.raises(ConfigError, match="peer_public_key"):
        NetNode(transport={"type": "mesh", "bind": "127.0.0.1:0", "psk": PSK, "peer": "127.0.0.1:9"})
    with pytest.raises(ConfigError, match="bogus"):
        NetNode(transport={"type": "mesh", "bind": "127.0.0.1:0", "psk": PSK, "bogus": 1})
    with pytest.raises(ConfigError, match="dict"):
        NetNode(transport="mesh")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unsupported type"):
        NetNode(transport={"type": "mesh", "bind": ["127.0.0.1:0"], "psk": PSK})
    with pytest.raises(NetTimeoutError):
        NetNode(transport={"type": "mesh", "bind": "127.0.0.1:0", "psk": PSK, "handshake_timeout_ms": 200})


def test_a_wrong_psk_is_refused_with_its_kind() -> None:
    addr = f"127.0.0.1:{free_udp_port()}"
    waiting = {"type": "mesh", "bind": addr, "psk": PSK, "identity_seed": RESPONDER.to_bytes(), "handshake_timeout_ms": 1500}
    thread = threading.Thread(target=lambda: pytest.raises(NetTimeoutError, NetNode, transport=waiting))
    thread.start()
    with pytest.raises(HandshakeError) as refused:
        NetNode(
            transport={
                "type": "mesh",
                "bind": "127.0.0.1:0",
                "peer": addr,
                "psk": bytes(32),
                "peer_public_key": RESPONDER.mesh_public_key,
                "handshake_timeout_ms": 5000,
            }
        )
    assert refused.value.kind == "wrong_psk"
    thread.join()
