"""Net: an encrypted, latency-first mesh event bus — the Python SDK.

The engine is the Rust core, linked into ``net_sdk._native``; this
package re-exports it and adds Python conveniences::

    from net_sdk import NetNode, Identity

    with NetNode(shards=4) as node:
        node.emit({"token": "hello"})
        node.flush()
        for event in node.poll(limit=100).events:
            print(event.raw)
"""

from ._native import (
    TOKEN_WIRE_SIZE,
    Event,
    Identity,
    PollResponse,
    Receipt,
    Stats,
    Subscription,
    Token,
    channel_hash,
    channel_wire_hash,
)
from ._node import Channel, NetNode
from ._typed import TypedSubscription
from .errors import (
    BackendError,
    BackpressureError,
    ChannelError,
    ClosedError,
    ConfigError,
    CursorError,
    IdentityError,
    NetError,
    SerializationError,
    TokenError,
)

__all__ = [
    "TOKEN_WIRE_SIZE",
    "BackendError",
    "BackpressureError",
    "Channel",
    "ChannelError",
    "ClosedError",
    "ConfigError",
    "CursorError",
    "Event",
    "Identity",
    "IdentityError",
    "NetError",
    "NetNode",
    "PollResponse",
    "Receipt",
    "SerializationError",
    "Stats",
    "Subscription",
    "Token",
    "TokenError",
    "TypedSubscription",
    "channel_hash",
    "channel_wire_hash",
]
