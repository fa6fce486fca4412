"""The Redis Streams and JetStream transports against real servers, and
RedisStreamDedup. The servers come from tests/servers/run_with_servers.py
(NET_REDIS_URL, NET_NATS_URL); without them these tests are skipped."""

from __future__ import annotations

import json
import os
import threading

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
