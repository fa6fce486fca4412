"""Net: an encrypted, latency-first mesh event bus — the Python SDK.

The engine is the Rust core, linked into ``net_sdk._native``; this
package re-exports it and adds Python conveniences::

    from net_sdk import NetNode, Identity

    with NetNode(shards=4) as node:
        node.emit({"token": "hello"})
        node.flush()
        for event in node.poll(limit=100).events:
            print(event.raw)

and the encrypted mesh between nodes (``MeshNode``; see its docstring),
with capability announcements, discovery, predicates and subnets
(``net_sdk.capabilities``; every name of it is re-exported here), and
the compute runtime (``DaemonRuntime``: stateful daemons written as
plain Python classes; see ``net_sdk.compute``).
"""

from ._native import (
    MAX_MESSAGE_SIZE,
    TOKEN_WIRE_SIZE,
    CausalEvent,
    DaemonHandle,
    DaemonHostConfig,
    DaemonRuntime,
    DaemonStats,
    DaemonControl,
    LogRecord,
    MeshOsDaemonHandle,
    MeshOsDaemonSdk,
    Event,
    Identity,
    MeshMessages,
    MeshNode,
    MeshStats,
    MeshStream,
    Memories,
    Memory,
    NetDb,
    PeerInfo,
    PollResponse,
    Receipt,
    Redex,
    RedexEvent,
    RedexFile,
    RedexTail,
    RedisStreamDedup,
    Stats,
    StreamStats,
    Subscription,
    Task,
    Tasks,
    Token,
    Watch,
    channel_hash,
    channel_wire_hash,
    prometheus_text,
)
from ._node import Channel, NetNode
from .capabilities import *  # noqa: F403 - the names of capabilities.__all__
from .capabilities import __all__ as _capability_names
from ._typed import TypedSubscription
from .compute import MeshDaemon
from .errors import (
    AuthFailedError,
    BackendError,
    BackpressureError,
    ChannelError,
    ClosedError,
    ConfigError,
    CortexError,
    CorruptNonceError,
    CursorError,
    DaemonError,
    HandshakeError,
    IdentityError,
    MeshOsError,
    MessageTooLargeError,
    NetDbError,
    NetError,
    NotConnectedError,
    RedexError,
    SerializationError,
    TimeoutError,
    TokenError,
)

__all__ = [
    "MAX_MESSAGE_SIZE",
    "TOKEN_WIRE_SIZE",
    "AuthFailedError",
    "BackendError",
    "BackpressureError",
    "Channel",
    "ChannelError",
    "ClosedError",
    "ConfigError",
    "CortexError",
    "CorruptNonceError",
    "CursorError",
    "CausalEvent",
    "DaemonControl",
    "DaemonError",
    "DaemonHandle",
    "DaemonHostConfig",
    "DaemonRuntime",
    "DaemonStats",
    "Event",
    "HandshakeError",
    "Identity",
    "IdentityError",
    "LogRecord",
    "MeshDaemon",
    "MeshOsDaemonHandle",
    "MeshOsDaemonSdk",
    "MeshOsError",
    "MeshMessages",
    "MeshNode",
    "MeshStats",
    "MeshStream",
    "Memories",
    "Memory",
    "MessageTooLargeError",
    "NetDb",
    "NetDbError",
    "NetError",
    "NetNode",
    "NotConnectedError",
    "PeerInfo",
    "PollResponse",
    "Receipt",
    "Redex",
    "RedexError",
    "RedexEvent",
    "RedexFile",
    "RedexTail",
    "RedisStreamDedup",
    "SerializationError",
    "Stats",
    "StreamStats",
    "Subscription",
    "Task",
    "Tasks",
    "TimeoutError",
    "Token",
    "TokenError",
    "TypedSubscription",
    "Watch",
    "channel_hash",
    "channel_wire_hash",
    "prometheus_text",
]
__all__ += _capability_names
