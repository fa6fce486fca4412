"""MeshNode, sync: two nodes on 127.0.0.1 (ephemeral ports) handshake,
exchange streams both ways, push back, close. Every node is shut down by
the test that made it (fixtures and `with` blocks)."""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Dict, List, Tuple

import pytest
from meshkit import PSK, eventually, handshake, numbered

from net_sdk import (
    MAX_MESSAGE_SIZE,
    BackpressureError,
    ClosedError,
    ConfigError,
    Identity,
    MeshNode,
    MeshStream,
    MessageTooLargeError,
    NetError,
    NotConnectedError,
)
from net_sdk import TimeoutError as NetTimeoutError

Pair = Tuple[MeshNode, MeshNode]


def test_ids_keys_and_addresses() -> None:
    seed = os.urandom(32)
    identity = Identity.from_seed(seed)
    with MeshNode("127.0.0.1:0", PSK, seed) as node:
        assert node.entity_id == identity.entity_id
        assert node.node_id == identity.node_id
        assert isinstance(node.public_key, bytes) and len(node.public_key) == 32
        host, port = node.local_addr.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
        key = node.public_key
    # The same seed names the same node (and key) again; a hex PSK is the same PSK.
    with MeshNode("127.0.0.1:0", PSK.hex(), identity_seed=seed) as again:
        assert again.node_id == identity.node_id and again.public_key == key
    with MeshNode("127.0.0.1:0", PSK) as x, MeshNode("127.0.0.1:0", PSK) as y:
        assert x.node_id != y.node_id


def test_handshake_gives_both_sides_a_live_peer(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    assert a.peer_state(b.node_id) == "alive" and b.peer_state(a.node_id) == "alive"
    assert a.peer_state(12345) is None
    [peer] = a.peers()
    assert (peer.node_id, peer.entity_id, peer.addr, peer.state) == (b.node_id, b.entity_id, b.local_addr, "alive")
    stats = a.stats()
    assert (stats.handshakes_completed, stats.sessions, stats.receive_panics, stats.maintenance_panics) == (1, 1, 0, 0)
    assert "PeerInfo(" in repr(peer) and "MeshStats(" in repr(stats) and "MeshNode(" in repr(a)


def test_reliable_stream_both_ways_10000_messages_in_order_with_a_12kb_one(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    total = 10_000
    # Each side sends 10,000 messages (the last 12 KB: fragmented and
    # reassembled) while the other reads; batches and single sends mixed.
    expected = [numbered(i) for i in range(total - 1)] + [os.urandom(12 * 1024)]
    ab = a.open_stream(b.node_id, 0x42, reliability="reliable")
    ba = b.open_stream(a.node_id, 0x42)
    assert isinstance(ab, MeshStream) and ab.peer == b.node_id and ab.stream_id == 0x42
    assert ab.reliability == "reliable" and ab.is_open
    got: Dict[str, List[bytes]] = {"a": [], "b": []}

    def read(node: MeshNode, stream: MeshStream, into: List[bytes]) -> None:
        for _ in range(total):
            into.append(node.recv(stream, timeout=10))

    def write(node: MeshNode, stream: MeshStream) -> None:
        i = 0
        while i < total:
            if i % 3 == 0:
                node.send_blocking(stream, [expected[i]])
                i += 1
            else:
                node.send_blocking(stream, expected[i : i + 50])
                i += 50

    threads = [
        threading.Thread(target=read, args=(b, ba, got["b"])),
        threading.Thread(target=read, args=(a, ab, got["a"])),
        threading.Thread(target=write, args=(a, ab)),
        threading.Thread(target=write, args=(b, ba)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert got["b"] == expected  # in order, none lost, none twice
    assert got["a"] == expected
    assert a.try_recv(ab) is None and b.try_recv(ba) is None
    stats = b.stream_stats(a.node_id, 0x42)
    assert stats is not None and stats.messages_received == total and stats.messages_sent == total


def test_fire_and_forget_delivers_on_loopback_and_keeps_its_reliability(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 7, reliability="fire_and_forget")
    inbox = b.open_stream(a.node_id, 7, reliability="fire_and_forget")
    assert out.reliability == "fire_and_forget"
    a.send(out, [b"once"])
    assert b.recv(inbox, timeout=5) == b"once"
    with pytest.raises(ConfigError) as e:
        a.open_stream(b.node_id, 7, reliability="reliable")
    assert e.value.kind == "invalid_argument"


def test_messages_iterator_yields_in_order_and_ends_when_the_stream_closes(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 5)
    inbox = b.open_stream(a.node_id, 5)
    a.send(out, [numbered(i) for i in range(100)])
    got: List[bytes] = []
    for m in b.messages(inbox):
        got.append(m)
        if len(got) == 100:
            # Nothing more comes: the loop waits until another thread closes the stream.
            threading.Timer(0.2, b.close_stream, args=(inbox,)).start()
    assert got == [numbered(i) for i in range(100)]
    assert not inbox.is_open
    assert list(b.messages(inbox)) == []

    # Closed with messages still queued: they are yielded, then the end.
    inbox = b.open_stream(a.node_id, 6)
    out = a.open_stream(b.node_id, 6)
    a.send(out, [b"q1", b"q2", b"q3"])
    eventually(lambda: getattr(b.stream_stats(a.node_id, 6), "inbox", 0) == 3, "three queued")
    b.close_stream(inbox)
    assert list(b.messages(inbox)) == [b"q1", b"q2", b"q3"]


def test_tiny_window_raises_backpressure_and_stream_stats_count_it(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    # The receiver holds one message and stops acknowledging: once m0 sits
    # in its inbox, m1 and m2 fill the sender's two-packet window.
    inbox = b.open_stream(a.node_id, 9, receive_capacity=1)
    out = a.open_stream(b.node_id, 9, window=2)
    a.send(out, [b"m0"])
    eventually(lambda: getattr(a.stream_stats(b.node_id, 9), "in_flight", 1) == 0, "m0 acknowledged")
    a.send(out, [b"m1"])
    a.send(out, [b"m2"])
    with pytest.raises(BackpressureError) as refused:
        a.send(out, [b"m3"])
    assert refused.value.kind == "backpressure" and isinstance(refused.value, NetError)

    stats = a.stream_stats(b.node_id, 9)
    assert stats is not None
    assert (stats.window, stats.in_flight, stats.messages_sent) == (2, 2, 3)
    assert stats.backpressure_events >= 1
    assert "StreamStats(" in repr(stats)
    inbox_stats = b.stream_stats(a.node_id, 9)
    assert inbox_stats is not None and inbox_stats.inbox == 1
    assert a.stream_stats(b.node_id, 999) is None

    # A batch that can never fit the window is a bad argument, not pressure.
    with pytest.raises(ConfigError) as never:
        a.send(out, [b"1", b"2", b"3"])
    assert never.value.kind == "invalid_argument"
    # Retrying gives up with the last BackpressureError while nobody reads.
    with pytest.raises(BackpressureError):
        a.send_with_retry(out, [b"x"], 1)
    # Reading frees the receiver; the blocking send then goes through.
    got: List[bytes] = []

    def drain() -> None:
        for m in b.messages(inbox):
            got.append(m)
            if m == b"last":
                return

    reader = threading.Thread(target=drain)
    reader.start()
    a.send_blocking(out, [b"last"])
    reader.join(10)
    assert got == [b"m0", b"m1", b"m2", b"last"]


def test_send_with_retry_pushes_a_burst_through_a_small_window(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 3, window=4)
    inbox = b.open_stream(a.node_id, 3)
    got: List[int] = []
    reader = threading.Thread(target=lambda: got.extend(int(b.recv(inbox, timeout=10)) for _ in range(500)))
    reader.start()
    for i in range(500):
        a.send_with_retry(out, [b"%d" % i], 100)
    reader.join(30)
    assert got == list(range(500))


def test_the_largest_message_arrives_whole_and_a_larger_one_is_refused(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 4)
    inbox = b.open_stream(a.node_id, 4)
    largest = os.urandom(MAX_MESSAGE_SIZE)
    a.send(out, [largest])
    assert b.recv(inbox, timeout=5) == largest
    with pytest.raises(MessageTooLargeError) as e:
        a.send(out, [bytes(MAX_MESSAGE_SIZE + 1)])
    assert e.value.kind == "message_too_large" and isinstance(e.value, ValueError)
    assert MAX_MESSAGE_SIZE == 64 * 1024


def test_a_closed_stream_and_a_shut_down_peer_raise_not_connected(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 1)
    other = a.open_stream(b.node_id, 2)
    # A recv waiting in another thread ends when the stream closes.
    ended: List[BaseException] = []
    waiter = threading.Thread(target=lambda: _catch(ended, lambda: a.recv(out)))
    waiter.start()
    time.sleep(0.1)
    a.close_stream(out)
    waiter.join(5)
    assert not waiter.is_alive() and isinstance(ended[0], NotConnectedError)
    assert not out.is_open
    with pytest.raises(NotConnectedError) as e:
        a.send(out, [b"x"])
    assert e.value.kind == "not_connected"
    assert a.stream_stats(b.node_id, 1) is None
    with pytest.raises(NotConnectedError):
        a.open_stream(42, 1)  # no session with an unknown node

    # The peer shuts down: it tells us, the session closes, waits end.
    waiting: List[BaseException] = []
    waiter = threading.Thread(target=lambda: _catch(waiting, lambda: a.recv(other)))
    waiter.start()
    b.shutdown()
    waiter.join(5)
    assert isinstance(waiting[0], NotConnectedError)
    eventually(lambda: a.peer_state(b.node_id) == "dead", "the peer is seen dead")
    assert not other.is_open
    with pytest.raises(NotConnectedError):
        a.send(other, [b"x"])
    with pytest.raises(NotConnectedError):
        a.open_stream(b.node_id, 5)


def test_a_shut_down_node_raises_closed_error() -> None:
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", PSK) as b:
        handshake(a, b)
        out = a.open_stream(b.node_id, 1)
        a.shutdown()
        a.shutdown()  # idempotent
        assert a.closed and not b.closed
        assert a.node_id and a.local_addr  # still readable
        for call in (
            lambda: a.send(out, [b"x"]),
            lambda: a.send_with_retry(out, [b"x"], 3),
            lambda: a.send_blocking(out, [b"x"]),
            lambda: a.connect(b.local_addr, b.public_key, b.node_id),
            lambda: a.accept(b.node_id, timeout=1),
            a.start,
            lambda: a.open_stream(b.node_id, 2),
        ):
            with pytest.raises(ClosedError) as e:
                call()
            assert e.value.kind == "closed"
        # Receiving ends: the node's sessions are closed.
        with pytest.raises(NotConnectedError):
            a.recv(out, timeout=1)
        assert list(a.messages(out)) == []


def test_context_manager_shuts_down_also_on_error() -> None:
    with MeshNode("127.0.0.1:0", PSK) as node:
        assert not node.closed
    assert node.closed
    with pytest.raises(ClosedError):
        node.start()
    with pytest.raises(RuntimeError, match="inside"):
        with MeshNode("127.0.0.1:0", PSK) as failing:
            raise RuntimeError("inside")
    assert failing.closed


def test_timeouts_raise_timeout_error() -> None:
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", PSK) as b:
        # Nobody accepts, or nobody listens: TimeoutError, also the built-in one.
        t0 = time.monotonic()
        with pytest.raises(NetTimeoutError) as e:
            a.accept(777, timeout=0.05)
        assert 0.04 <= time.monotonic() - t0 < 2
        assert e.value.kind == "timeout" and isinstance(e.value, NetError)
        assert isinstance(e.value, TimeoutError)  # the built-in one
        with MeshNode("127.0.0.1:0", PSK) as gone:
            addr, key, node_id = gone.local_addr, gone.public_key, gone.node_id
        with pytest.raises(TimeoutError):
            a.connect(addr, key, node_id, timeout=0.3)
        # b never accepts a: a's hellos go unanswered.
        with pytest.raises(TimeoutError):
            a.connect(b.local_addr, b.public_key, b.node_id, timeout=0.3)

        handshake(a, b)
        inbox = b.open_stream(a.node_id, 1)
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            b.recv(inbox, timeout=0.1)
        assert 0.09 <= time.monotonic() - t0 < 2


def test_waiting_calls_release_the_gil(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    inbox = b.open_stream(a.node_id, 1)
    out = a.open_stream(b.node_id, 1)
    got: List[bytes] = []
    reader = threading.Thread(target=lambda: got.append(b.recv(inbox)))
    reader.start()
    # The reader is blocked in native code; this thread still runs Python.
    spins, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 0.3:
        spins += 1
    assert spins > 1000 and reader.is_alive()
    a.send(out, [b"wake"])
    reader.join(5)
    assert got == [b"wake"]


def test_a_signal_interrupts_a_blocked_recv_and_loses_nothing(mesh_pair: Pair) -> None:
    import signal

    a, b = mesh_pair
    inbox = b.open_stream(a.node_id, 1)
    out = a.open_stream(b.node_id, 1)

    class Interrupted(Exception):
        pass

    def handler(signum: int, frame: object) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        t0 = time.monotonic()
        with pytest.raises(Interrupted):
            b.recv(inbox)  # no timeout: only the signal ends it
        assert time.monotonic() - t0 < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    a.send(out, [b"after"])
    assert b.recv(inbox, timeout=5) == b"after"


def _catch(into: List[BaseException], call: Callable[[], object]) -> None:
    try:
        call()
    except BaseException as e:
        into.append(e)
