"""The exception hierarchy of Net.

Every failure carries ``.kind``: the stable, cross-language kind string of
the core (the same string the C ABI's ``net_last_error_kind()`` and the
Node and Go errors carry). The class is chosen from the kind, so
``except TokenError`` and ``if e.kind == "expired"`` both work::

    NetError                      any failure of Net
    ├── BackpressureError         backpressure (ring full under fail_producer)
    ├── ClosedError               closed (the node was shut down)
    ├── ConfigError, ValueError   invalid_config, invalid_argument
    ├── CursorError, ValueError   invalid_cursor
    ├── SerializationError, ValueError   serialization, deserialization
    ├── BackendError              backend
    ├── IdentityError, ValueError invalid_length, invalid_entity_id, unknown_scope, ...
    │   └── ChannelError          invalid_channel
    └── TokenError                invalid_format, invalid_signature, expired,
                                  not_yet_valid, delegation_exhausted,
                                  delegation_not_allowed, not_authorized, zero_ttl
"""

from __future__ import annotations

from typing import Dict, Type


class NetError(Exception):
    """Base class of every Net error; ``kind`` is the stable kind string."""

    kind: str

    def __init__(self, message: str, kind: str = "unknown") -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.kind))


class BackpressureError(NetError):
    """The shard's ring is full and the policy is ``fail_producer``."""


class ClosedError(NetError):
    """The node has been shut down."""


class ConfigError(NetError, ValueError):
    """A node option is out of range or unknown."""


class CursorError(NetError, ValueError):
    """A poll cursor this node did not produce."""


class SerializationError(NetError, ValueError):
    """An event could not be encoded to, or decoded from, JSON."""


class BackendError(NetError):
    """The storage backend failed."""


class IdentityError(NetError, ValueError):
    """A malformed identity input: seed or entity id length, unknown scope,
    bad signature, invalid channel name."""


class ChannelError(IdentityError):
    """An invalid channel name (kind ``invalid_channel``). Tokens are bound
    to channel names, so this is also an ``IdentityError``."""


class TokenError(NetError):
    """A permission token was refused; ``kind`` says why."""


_TOKEN_KINDS = (
    "invalid_format",
    "invalid_signature",
    "expired",
    "not_yet_valid",
    "delegation_exhausted",
    "delegation_not_allowed",
    "not_authorized",
    "zero_ttl",
)

_BY_KIND: Dict[str, Type[NetError]] = {
    "backpressure": BackpressureError,
    "closed": ClosedError,
    "invalid_config": ConfigError,
    "invalid_cursor": CursorError,
    "invalid_argument": ConfigError,
    "serialization": SerializationError,
    "deserialization": SerializationError,
    "backend": BackendError,
    "invalid_length": IdentityError,
    "invalid_entity_id": IdentityError,
    "unknown_scope": IdentityError,
    "invalid_channel": ChannelError,
    **{kind: TokenError for kind in _TOKEN_KINDS},
}


def _from_kind(family: str, kind: str, message: str) -> NetError:
    """The exception for a core failure (called by the native module).
    ``family`` (token, identity, channel, bus) settles the one kind that
    two families share, ``invalid_signature``."""
    if family == "token":
        return TokenError(message, kind)
    if family == "identity":
        return IdentityError(message, kind)
    return _BY_KIND.get(kind, NetError)(message, kind)
