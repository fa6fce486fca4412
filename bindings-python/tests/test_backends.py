"""The Redis Streams and JetStream transports against real servers, and
RedisStreamDedup. The servers come from tests/servers/run_with_servers.py
(NET_REDIS_URL, NET_NATS_URL); without them these tests are skipped."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import threading
import time
from typing import Callable

import pytest

from net_sdk import (
    AuthFailedError,
    BackendError,
    CorruptNonceError,
    NetNode,
    RedisStreamDedup,
    TimeoutError,
)

REDIS = os.environ.get("NET_REDIS_URL")
NATS = os.environ.get("NET_NATS_URL")
needs_redis = pytest.mark.skipif(REDIS is None, reason="NET_REDIS_URL not set: run under run_with_servers.py")
needs_nats = pytest.mark.skipif(NATS is None, reason="NET_NATS_URL not set: run under run_with_servers.py")


def read_all(node: NetNode) -> list[int]:
    node.flush()
    out: list[int] = []
    cursor = None
    while True:
        page = node.poll(limit=128, cursor=cursor)
        out.extend(json.loads(e.raw)["n"] for e in page.events)
        cursor = page.next_id
        if not page.has_more:
            return out


def emit_poll_and_live(node: NetNode) -> None:
    for n in range(1000):
        node.emit({"n": n})
    got = read_all(node)
    assert sorted(got) == list(range(1000))
    # Order per shard: re-read and check each shard's numbers increase.
    per_shard: dict[int, list[int]] = {}
    cursor = None
    while True:
        page = node.poll(limit=500, cursor=cursor)
        for e in page.events:
            per_shard.setdefault(e.shard_id, []).append(json.loads(e.raw)["n"])
        cursor = page.next_id
        if not page.has_more:
            break
    for ns in per_shard.values():
        assert ns == sorted(ns)
    # A cursor resumes: only what comes after it.
    after = node.poll(limit=10, cursor=cursor)
    assert after.events == [] or len(after.events) == 0
    # Live: a subscription started now sees the next events.
    sub = node.subscribe()
    seen: list[int] = []
    done = threading.Event()

    def consume() -> None:
        for event in sub:
            seen.append(json.loads(event.raw)["n"])
            if len(seen) == 10:
                done.set()
                return

    t = threading.Thread(target=consume)
    t.start()
    for n in range(1000, 1010):
        node.emit({"n": n})
    t.join()
    assert sorted(seen) == list(range(1000, 1010))
    stats = node.stats()
    assert stats.backend_errors == 0 and stats.since_last_success_ms is not None


@needs_redis
def test_redis_transport_emits_polls_and_subscribes(tmp_path) -> None:
    nonce = tmp_path / "producer.nonce"
    transport = {"type": "redis", "url": REDIS, "prefix": f"py{os.getpid()}"}
    with NetNode(shards=2, transport=transport, producer_nonce_path=nonce) as node:
        emit_poll_and_live(node)
    assert len(nonce.read_text()) == 17


@needs_nats
def test_jetstream_transport_emits_polls_and_subscribes() -> None:
    transport = {"type": "jetstream", "url": NATS, "stream": f"PY{os.getpid()}", "subject_prefix": f"py{os.getpid()}"}
    with NetNode(shards=2, transport=transport) as node:
        emit_poll_and_live(node)


@needs_redis
def test_backend_failures_are_typed_and_hide_the_password(tmp_path) -> None:
    with pytest.raises((BackendError, TimeoutError)) as e:
        NetNode(transport={"type": "redis", "url": "redis://:hunter2@127.0.0.1:1"})
    assert "hunter2" not in str(e.value) and "redis://:***@127.0.0.1:1" in str(e.value)
    assert not isinstance(e.value, AuthFailedError)
    nonce = tmp_path / "producer.nonce"
    nonce.write_text("garbage")
    with pytest.raises(CorruptNonceError) as c:
        NetNode(transport={"type": "redis", "url": REDIS}, producer_nonce_path=str(nonce))
    assert c.value.kind == "corrupt_nonce"
    assert nonce.read_text() == "garbage"


def test_redis_stream_dedup() -> None:
    d = RedisStreamDedup(2)
    assert d.is_empty and d.capacity == 2 and d.len == 0
    assert not d.is_duplicate("n:0:0:0")
    assert d.is_duplicate("n:0:0:0")
    assert not d.is_duplicate("n:0:0:1")
    assert not d.is_duplicate("n:0:0:2")  # evicts n:0:0:0
    assert not d.is_duplicate("n:0:0:0")
    assert len(d) == 2 and d.len == 2 and not d.is_empty
    d.clear()
    assert d.is_empty
    assert RedisStreamDedup().capacity == 4096
    assert RedisStreamDedup.with_capacity(7).capacity == 7
    assert "capacity=7" in repr(RedisStreamDedup.with_capacity(7))


# --- A server killed and restarted mid-stream, a restarted producer -------

CONTROL = os.environ.get("NET_SERVERS_CONTROL")
needs_control = pytest.mark.skipif(CONTROL is None, reason="NET_SERVERS_CONTROL not set: run under run_with_servers.py")


def control(command: str) -> None:
    """Ask run_with_servers.py to kill, start or restart a server."""
    assert CONTROL is not None
    host, port = CONTROL.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=60) as s, s.makefile("rw") as f:
        f.write(command + "\n")
        f.flush()
        answer = f.readline().strip()
    assert answer == "ok", f"{command}: {answer}"


def stream_entries(key: str) -> list[dict[str, str]]:
    """Every entry of a Redis stream (its field map), read with redis-cli."""
    assert REDIS is not None
    out = subprocess.run(["redis-cli", "-u", REDIS, "--json", "XRANGE", key, "-", "+"],
                         check=True, capture_output=True, text=True).stdout
    entries: list[dict[str, str]] = []
    for _id, fields in json.loads(out) or []:
        entries.append(dict(zip(fields[0::2], fields[1::2])))
    return entries


def wait_for(what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not done():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)


def crash_the_server_mid_stream(node: NetNode, server: str) -> None:
    """Emit 0..4000 with the server killed after 2000 and started again
    after 3000; every emit is acknowledged (the ring holds what the
    server cannot take yet)."""
    for n in range(2000):
        node.emit({"n": n})
    control(f"kill {server}")
    for n in range(2000, 3000):
        node.emit({"n": n})
    wait_for("the drainers to meet the dead server", lambda: node.stats().backend_errors > 0)
    control(f"start {server}")
    for n in range(3000, 4000):
        node.emit({"n": n})
    node.flush()
    stats = node.stats()
    assert stats.reconnects >= 1 and stats.events_dropped == 0, stats


def in_order_per_shard(per_shard: dict[int, list[int]]) -> list[int]:
    for shard, ns in per_shard.items():
        assert all(a < b for a, b in zip(ns, ns[1:])), f"shard {shard} out of order or duplicated"
    return sorted(n for ns in per_shard.values() for n in ns)


@needs_redis
@needs_control
def test_redis_server_killed_mid_stream_loses_nothing_and_dedup_drops_retries() -> None:
    prefix = f"pycrash{os.getpid()}"
    with NetNode(shards=2, transport={"type": "redis", "url": REDIS, "prefix": prefix}) as node:
        crash_the_server_mid_stream(node, "redis")
        # Poll sees every acknowledged event (a retried EXEC that had been
        # applied shows up twice here: the stream holds both copies).
        assert set(read_all(node)) == set(range(4000))
    # Filtered by dedup id, the streams hold each event once, in order.
    dedup = RedisStreamDedup(100_000)
    per_shard: dict[int, list[int]] = {}
    for shard in range(2):
        for fields in stream_entries(f"{prefix}:shard:{shard}"):
            if not dedup.is_duplicate(fields["dedup_id"]):
                per_shard.setdefault(shard, []).append(json.loads(fields["data"])["n"])
    assert in_order_per_shard(per_shard) == list(range(4000))


@needs_nats
@needs_control
def test_jetstream_server_killed_mid_stream_loses_nothing_and_stores_each_once() -> None:
    transport = {"type": "jetstream", "url": NATS, "stream": f"PYCRASH{os.getpid()}", "subject_prefix": f"pycrash{os.getpid()}"}
    with NetNode(shards=2, transport=transport) as node:
        crash_the_server_mid_stream(node, "nats")
        # The server dropped every retried publish itself (Nats-Msg-Id): each
        # event once. Not checked: the order within a shard (publishes the
        # client still held for the dead connection are sent after it
        # reconnects, before the retry fills the gap the dead socket
        # swallowed: a known limit of the JetStream backend).
        assert sorted(read_all(node)) == list(range(4000))


def produce(transport: dict[str, object], nonce: pathlib.Path, count: int) -> None:
    """A producer run: events 0..count, one batch each (flushed one by one,
    so event n is always the batch starting at sequence n)."""
    with NetNode(shards=1, transport=transport, producer_nonce_path=nonce) as node:
        for n in range(count):
            node.emit({"n": n})
            node.flush()


@needs_redis
def test_a_restarted_redis_producer_keeps_its_dedup_ids(tmp_path: pathlib.Path) -> None:
    nonce = tmp_path / "producer.nonce"
    transport: dict[str, object] = {"type": "redis", "url": REDIS, "prefix": f"pyrestart{os.getpid()}"}
    produce(transport, nonce, 100)
    first = nonce.read_text()
    # Restarted, it replays its input from the start: the first 100 are the
    # same events under the same dedup ids.
    produce(transport, nonce, 150)
    assert nonce.read_text() == first
    entries = stream_entries(f"pyrestart{os.getpid()}:shard:0")
    assert len(entries) == 250
    assert all(e["dedup_id"].startswith(first.strip() + ":0:") for e in entries)
    dedup = RedisStreamDedup(1000)
    kept = [json.loads(e["data"])["n"] for e in entries if not dedup.is_duplicate(e["dedup_id"])]
    assert kept == list(range(150)) and dedup.len == 150


@needs_nats
def test_a_restarted_jetstream_producer_is_deduplicated_by_the_server(tmp_path: pathlib.Path) -> None:
    nonce = tmp_path / "producer.nonce"
    transport: dict[str, object] = {"type": "jetstream", "url": NATS, "stream": f"PYRESTART{os.getpid()}",
                                    "subject_prefix": f"pyrestart{os.getpid()}"}
    produce(transport, nonce, 100)
    produce(transport, nonce, 150)
    with NetNode(shards=1, transport=transport) as reader:
        assert read_all(reader) == list(range(150))


USER = os.environ.get("NET_SERVERS_USER")


@needs_redis
@needs_nats
@pytest.mark.skipif(USER is None, reason="NET_SERVERS_USER not set: run under run_with_servers.py")
def test_refused_credentials_are_typed_and_hide_the_password() -> None:
    # Both servers know the user NET_SERVERS_USER, with a password other
    # than the one made up here.
    assert REDIS is not None and NATS is not None
    for kind, url in (("redis", REDIS), ("jetstream", NATS)):
        scheme, host = url.split("://", 1)
        with pytest.raises(AuthFailedError) as e:
            NetNode(transport={"type": kind, "url": f"{scheme}://{USER}:hunter2@{host}"})
        assert e.value.kind == "auth_failed"
        assert "hunter2" not in str(e.value) and f"{scheme}://{USER}:***@{host}" in str(e.value)
