"""MeshNode's failures: refused handshakes with their kinds, and every bad
argument with a typed error (never a crash, never a silent success)."""

from __future__ import annotations

import math
import os
import pickle
from typing import Any, Callable, List, Tuple, Type

import pytest
from meshkit import PSK, handshake

from net_sdk import (
    ConfigError,
    HandshakeError,
    IdentityError,
    MeshNode,
    MessageTooLargeError,
    NetError,
    NotConnectedError,
)
from net_sdk import TimeoutError as NetTimeoutError

Pair = Tuple[MeshNode, MeshNode]


def test_a_different_psk_fails_with_wrong_psk_and_leaves_no_session() -> None:
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", bytes([0x17] * 32)) as b:
        accepted: List[BaseException] = []
        import threading

        def accept() -> None:
            try:
                b.accept(a.node_id, timeout=1.5)
            except BaseException as e:
                accepted.append(e)

        t = threading.Thread(target=accept)
        t.start()
        with pytest.raises(HandshakeError) as e:
            a.connect(b.local_addr, b.public_key, b.node_id)
        t.join(5)
        assert e.value.kind == "wrong_psk" and isinstance(e.value, NetError)
        assert isinstance(accepted[0], NetTimeoutError)
        assert a.peer_state(b.node_id) is None and b.peer_state(a.node_id) is None
        assert a.stats().sessions == 0 and a.stats().handshakes_failed >= 1


def test_a_node_that_refuses_the_unaccepted_raises_handshake_refused_at_once() -> None:
    with MeshNode("127.0.0.1:0", PSK, refuse_unaccepted=True) as strict, MeshNode("127.0.0.1:0", PSK) as dialer:
        with pytest.raises(HandshakeError) as e:
            dialer.connect(strict.local_addr, strict.public_key, strict.node_id, timeout=10)
        assert e.value.kind == "handshake_refused"
        assert strict.peers() == [] and dialer.peer_state(strict.node_id) is None


def test_a_wrong_key_or_node_id_fails_with_its_kind_then_the_right_ones_connect() -> None:
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", PSK) as b:
        # b is not accepting yet: its answers to a bad hello do not depend on it.
        with pytest.raises(HandshakeError) as e:
            a.connect(b.local_addr, os.urandom(32), b.node_id)  # not b's key
        assert e.value.kind == "unknown_static_key"
        import threading

        t = threading.Thread(target=lambda: b.accept(a.node_id, timeout=5))
        t.start()
        with pytest.raises(HandshakeError) as e:
            a.connect(b.local_addr, b.public_key, b.node_id ^ 1)  # b's key, another id
        assert e.value.kind == "identity_mismatch"
        a.connect(b.local_addr, b.public_key, b.node_id)
        t.join(5)
        assert a.peer_state(b.node_id) == "alive"


@pytest.mark.parametrize(
    "kwargs, error, kind, text",
    [
        ({"psk": PSK[:31]}, ConfigError, "invalid_config", "psk must be 32 bytes, got 31"),
        ({"psk": "zz" * 32}, ConfigError, "invalid_config", "64 hex digits"),
        ({"psk": "42" * 31}, ConfigError, "invalid_config", "psk must be 32 bytes"),
        ({"bind_addr": "localhost:9000"}, ConfigError, "invalid_config", "not an ip:port address"),
        ({"bind_addr": "127.0.0.1"}, ConfigError, "invalid_config", "not an ip:port address"),
        ({"bind_addr": "203.0.113.7:9000"}, NetError, "io", "bind 203.0.113.7:9000"),
        ({"max_datagram": 100}, ConfigError, "invalid_config", "max_datagram"),
        ({"handshake_timeout_ms": 0}, ConfigError, "invalid_config", "handshake_timeout_ms must be > 0"),
        ({"suspect_after_ms": 5000, "dead_after_ms": 1000}, ConfigError, "invalid_config", "suspect_after"),
        ({"identity_seed": bytes(31)}, IdentityError, "invalid_length", "31"),
    ],
)
def test_bad_node_options_raise_typed_errors(kwargs: Any, error: Type[NetError], kind: str, text: str) -> None:
    options = {"bind_addr": "127.0.0.1:0", "psk": PSK, **kwargs}
    with pytest.raises(error) as e:
        MeshNode(**options)
    assert e.value.kind == kind and text in str(e.value), str(e.value)


def test_bad_option_types_raise_type_or_overflow_errors() -> None:
    with pytest.raises(TypeError, match="psk"):
        MeshNode("127.0.0.1:0", 42)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        MeshNode("127.0.0.1:0", PSK, handshake_timeout_ms=-1)
    with pytest.raises(TypeError):
        MeshNode("127.0.0.1:0", PSK, 7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MeshNode("127.0.0.1:0", PSK, None, 1000)  # type: ignore[misc]  # options are keyword-only


def test_bad_connect_and_accept_arguments(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    cases: List[Tuple[Callable[[], object], Type[BaseException], str]] = [
        (lambda: a.connect("not an address", b.public_key, b.node_id), ConfigError, "invalid_argument"),
        (lambda: a.connect(b.local_addr, b.public_key[:5], b.node_id), IdentityError, "invalid_length"),
        (lambda: a.connect(b.local_addr, b.public_key, a.node_id), ConfigError, "invalid_argument"),
        (lambda: a.connect(b.local_addr, b.public_key, b.node_id, timeout=0), ConfigError, "invalid_argument"),
        (lambda: a.connect(b.local_addr, b.public_key, b.node_id, timeout=-1), ConfigError, "invalid_argument"),
        (lambda: a.accept(b.node_id, timeout=math.nan), ConfigError, "invalid_argument"),
        (lambda: a.accept(b.node_id, timeout=math.inf), ConfigError, "invalid_argument"),
    ]
    for call, error, kind in cases:
        with pytest.raises(error) as e:
            call()
        assert getattr(e.value, "kind", None) == kind
    with pytest.raises(OverflowError):
        a.accept(-1)
    with pytest.raises(OverflowError):
        a.accept(1 << 64)
    with pytest.raises(TypeError):
        a.connect(b.local_addr, "not bytes", b.node_id)  # type: ignore[arg-type]


def test_bad_stream_arguments(mesh_pair: Pair) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 1)
    theirs = b.open_stream(a.node_id, 1)
    with pytest.raises(ConfigError) as e:
        a.open_stream(b.node_id, 2, reliability="unreliable")  # type: ignore[arg-type]
    assert e.value.kind == "invalid_argument" and "unreliable" in str(e.value)
    with pytest.raises(OverflowError):
        a.open_stream(b.node_id, -1)
    with pytest.raises(OverflowError):
        a.open_stream(b.node_id, 2, window=-5)
    # A stream is used with the node that opened it only.
    with pytest.raises(ConfigError, match="another MeshNode"):
        a.send(theirs, [b"x"])
    with pytest.raises(ConfigError, match="another MeshNode"):
        a.recv(theirs, timeout=1)
    with pytest.raises(TypeError):
        a.send("stream", [b"x"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payloads, text",
    [
        (b"one message", "wrap it"),
        (bytearray(b"one message"), "wrap it"),
        ("text", "wrap it"),
        (["text"], "not str"),
        ([b"ok", 42], "not int"),
        ([None], "not NoneType"),
        (42, "not int"),
        (None, "not NoneType"),
    ],
)
def test_payloads_must_be_lists_of_bytes_like_messages(mesh_pair: Pair, payloads: Any, text: str) -> None:
    a, b = mesh_pair
    out = a.open_stream(b.node_id, 1)
    sends: List[Callable[[], None]] = [
        lambda: a.send(out, payloads),
        lambda: a.send_with_retry(out, payloads, 1),
        lambda: a.send_blocking(out, payloads),
    ]
    for send in sends:
        with pytest.raises(TypeError, match=text):
            send()
    # Nothing of a refused batch was sent.
    stats = a.stream_stats(b.node_id, 1)
    assert stats is not None and stats.messages_sent == 0


def test_bytes_like_messages_of_every_kind_are_accepted(mesh_pair: Pair) -> None:
    import array

    a, b = mesh_pair
    out = a.open_stream(b.node_id, 1)
    inbox = b.open_stream(a.node_id, 1)
    a.send(out, [b"bytes", bytearray(b"bytearray"), memoryview(b"xmemoryviewx")[1:-1], array.array("B", b"array")])
    a.send(out, (m for m in [b"from", b"a generator"]))
    a.send(out, [])  # nothing to send is fine
    got = [b.recv(inbox, timeout=5) for _ in range(6)]
    assert got == [b"bytes", b"bytearray", b"memoryview", b"array", b"from", b"a generator"]
    assert b.try_recv(inbox) is None


def test_mesh_errors_are_classes_by_kind_and_pickle() -> None:
    from net_sdk.errors import _from_kind

    for kind in ("wrong_psk", "unknown_static_key", "identity_mismatch", "handshake_refused", "handshake_malformed"):
        assert type(_from_kind("bus", kind, "m")) is HandshakeError
    assert type(_from_kind("bus", "not_connected", "m")) is NotConnectedError
    assert type(_from_kind("bus", "message_too_large", "m")) is MessageTooLargeError
    timeout = _from_kind("bus", "timeout", "no reply")
    assert type(timeout) is NetTimeoutError and str(timeout) == "no reply" and timeout.kind == "timeout"
    for e in (timeout, HandshakeError("refused", "wrong_psk"), NotConnectedError("gone", "not_connected")):
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is type(e) and again.kind == e.kind and str(again) == str(e)
