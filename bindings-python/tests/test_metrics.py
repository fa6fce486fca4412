"""prometheus_text: the bus, mesh and stream counters as Prometheus text,
rendered by the core, the values matching stats()."""

from __future__ import annotations

from typing import Tuple

import pytest

from net_sdk import ClosedError, MeshNode, NetNode, prometheus_text


def series(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(line[len(name) + 1 :])
    raise AssertionError(f"no series {name} in\n{text}")


def test_text_matches_stats(node: NetNode, mesh_pair: Tuple[MeshNode, MeshNode]) -> None:
    a, b = mesh_pair
    for i in range(4):
        node.emit({"i": i})
    node.flush()
    tx = a.open_stream(b.node_id, 3)
    rx = b.open_stream(a.node_id, 3)
    a.send(tx, [b"hello"])
    assert b.recv(rx, timeout=10) == b"hello"

    text = prometheus_text(node, b)
    stats, mesh = node.stats(), b.stats()
    assert series(text, "net_bus_events_ingested_total") == stats.events_ingested == 4
    assert series(text, "net_bus_events_dropped_total") == stats.events_dropped
    assert series(text, "net_mesh_handshakes_completed_total") == mesh.handshakes_completed
    labels = '{peer="0x%016x",stream="3"}' % a.node_id
    assert series(text, "net_stream_messages_received_total" + labels) == 1
    assert text.endswith("# EOF\n")

    assert "net_mesh_" not in node.prometheus_text()
    assert "net_bus_" not in b.prometheus_text()
    assert prometheus_text() == "# EOF\n"


def test_closed_parts_raise() -> None:
    node = NetNode(shards=1)
    node.shutdown()
    with pytest.raises(ClosedError):
        prometheus_text(node)
    with pytest.raises(ClosedError):
        node.prometheus_text()
