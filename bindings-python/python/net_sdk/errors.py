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
    ├── NotConnectedError         not_connected (mesh: peer gone, stream closed)
    ├── HandshakeError            wrong_psk, unknown_static_key, identity_mismatch,
    │                             handshake_refused, handshake_malformed
    ├── MessageTooLargeError, ValueError   message_too_large (mesh: over 64 KiB)
    ├── TimeoutError, builtins.TimeoutError   timeout
    ├── IdentityError, ValueError invalid_length, invalid_entity_id, unknown_scope, ...
    │   └── ChannelError          invalid_channel
    ├── TokenError                invalid_format, invalid_signature, expired,
    │                             not_yet_valid, delegation_exhausted,
    │                             delegation_not_allowed, not_authorized, zero_ttl
    ├── RedexError                raw RedEX file errors: invalid_channel (a bad file
    │                             name), redex:config, redex:corrupt, redex:locked,
    │                             redex:closed, redex:too_large, redex:invalid_key,
    │                             redex:tail_lagged, redex:io
    ├── CortexError               CortEX adapter errors: cortex:fold_halted, cortex:io,
    │                             cortex:decode, cortex:not_found, cortex:exists,
    │                             cortex:closed
    ├── NetDbError                netdb:bundle, netdb:missing_model
    ├── DaemonError               the compute runtime or a daemon: not-ready,
    │                             shutting-down, factory-not-found,
    │                             factory-already-registered, daemon-not-found,
    │                             already-running, missing-capabilities,
    │                             requirements-unmet, state-failed,
    │                             snapshot-decode, snapshot-mismatch,
    │                             callback-timeout, reentrant-call,
    │                             callback-dropped, callback-failed, ...
    ├── MeshOsError               the MeshOS daemon SDK: register_failed, queue_full,
    │                             loop_closed, invalid_log_level, already_shutdown,
    │                             shutdown_failed, runtime_panic, invalid_argument
    └── CapabilityError, ValueError   capability input refused: invalid_json,
                                  invalid_capabilities (``.errors`` lists the schema
                                  errors), invalid_predicate, invalid_header,
                                  invalid_tag, invalid_subnet, announcement_too_large
                                  (and, for announcements, malformed_announcement,
                                  unsupported_version, invalid_signature,
                                  origin_mismatch, stale_version, hop_limit)
"""

from __future__ import annotations

import builtins
from typing import Any, Dict, List, Type


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
    """The storage backend failed (e.g. the Redis or NATS server is unreachable)."""


class AuthFailedError(BackendError):
    """A Redis or NATS server refused the credentials; the message names the
    URL without its password."""


class CorruptNonceError(NetError, ValueError):
    """The producer nonce file exists but holds no nonce (it is left as is:
    a new nonce would defeat deduplication across restarts)."""


class NotConnectedError(NetError):
    """A mesh peer is gone (dead, shut down, never connected) or the stream
    was closed; open the stream again after a new handshake."""


class HandshakeError(NetError):
    """A mesh handshake produced no session; ``kind`` says why:
    ``wrong_psk`` (the peer uses another pre-shared key),
    ``unknown_static_key`` (the dialed public key is not the peer's),
    ``identity_mismatch`` (the peer is not the node id dialed),
    ``handshake_refused`` (the peer refused our identity),
    ``handshake_malformed``."""


class MessageTooLargeError(NetError, ValueError):
    """A mesh message larger than ``MAX_MESSAGE_SIZE`` (64 KiB)."""


class TimeoutError(NetError, builtins.TimeoutError):
    """A wait ran out of time (kind ``timeout``): a handshake, an
    ``accept``, a ``recv`` with a timeout. Also a built-in
    ``TimeoutError``, so ``except TimeoutError`` catches it without this
    import."""

    def __new__(cls, message: str, kind: str = "timeout") -> "TimeoutError":
        # OSError's constructor reads two arguments as (errno, strerror):
        # hand it the message alone.
        return builtins.TimeoutError.__new__(cls, message)

    def __init__(self, message: str, kind: str = "timeout") -> None:
        NetError.__init__(self, message, kind)


class IdentityError(NetError, ValueError):
    """A malformed identity input: seed or entity id length, unknown scope,
    bad signature, invalid channel name."""


class ChannelError(IdentityError):
    """An invalid channel name (kind ``invalid_channel``). Tokens are bound
    to channel names, so this is also an ``IdentityError``."""


class TokenError(NetError):
    """A permission token was refused; ``kind`` says why."""


class RedexError(NetError):
    """A raw RedEX file error; ``kind`` says which (``redex:corrupt`` names
    the segment file and byte offset in the message)."""


class CortexError(NetError):
    """A CortEX adapter error: fold halted, RedEX I/O, decode, not found,
    already exists, closed."""


class NetDbError(NetError):
    """A NetDb error: a snapshot bundle refused, or a model that was not
    enabled."""


class CapabilityError(NetError, ValueError):
    """Capability input was refused: a set, filter, scope, predicate,
    ``net-where`` header or subnet of the wrong shape, or a set that fails
    validation. ``kind`` is the core's (``invalid_json``,
    ``invalid_capabilities``, ``invalid_predicate``, ``invalid_header``,
    ``invalid_tag``, ``invalid_subnet``, ``announcement_too_large``, ...);
    for ``invalid_capabilities``, ``errors`` holds the schema errors as
    ``validate_capabilities`` reports them (otherwise it is empty)."""

    errors: List[Dict[str, Any]]

    def __init__(self, message: str, kind: str = "invalid_json") -> None:
        super().__init__(message, kind)
        self.errors = []


class DaemonError(NetError):
    """A failure of the compute runtime or of a daemon; ``kind`` is the
    core's stable string (the same in every face): ``callback-failed`` (a
    daemon's ``process`` raised; the message names the exception),
    ``callback-timeout`` (a callback did not answer within the daemon's
    ``callback_timeout_ms``), ``reentrant-call`` (a callback called into
    its own daemon), ``missing-capabilities`` (the node lacks a tag the
    daemon requires), ``daemon-not-found``, ``factory-not-found``, ...
    ``outputs`` holds, for a failed ``deliver_batch``, the outputs of the
    events delivered before the failure (otherwise it is empty)."""

    outputs: List[List[bytes]]

    def __init__(self, message: str, kind: str = "core") -> None:
        super().__init__(message, kind)
        self.outputs = []


class MeshOsError(NetError):
    """A MeshOS daemon SDK failure; ``kind`` is the core's (``register_failed``,
    ``queue_full``, ``loop_closed``, ``invalid_log_level``,
    ``already_shutdown``, ``shutdown_failed``, ``runtime_panic``,
    ``invalid_argument``), the same in every face."""


_FAMILIES: Dict[str, Type[NetError]] = {
    "daemon": DaemonError,
    "meshos": MeshOsError,
    "capability": CapabilityError,
    "redex": RedexError,
    "cortex": CortexError,
    "netdb": NetDbError,
}

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

_HANDSHAKE_KINDS = (
    "wrong_psk",
    "unknown_static_key",
    "identity_mismatch",
    "handshake_refused",
    "handshake_malformed",
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
    "auth_failed": AuthFailedError,
    "corrupt_nonce": CorruptNonceError,
    "not_connected": NotConnectedError,
    "message_too_large": MessageTooLargeError,
    "timeout": TimeoutError,
    **{kind: HandshakeError for kind in _HANDSHAKE_KINDS},
    "invalid_length": IdentityError,
    "invalid_entity_id": IdentityError,
    "unknown_scope": IdentityError,
    "invalid_channel": ChannelError,
    **{kind: TokenError for kind in _TOKEN_KINDS},
}


def _from_kind(family: str, kind: str, message: str) -> NetError:
    """The exception for a core failure (called by the native module).
    ``family`` (token, identity, channel, bus, redex, cortex, netdb,
    capability, daemon, meshos) picks the RedEX / CortEX / NetDb / capability classes and settles the one kind that
    two families share, ``invalid_signature``."""
    if family == "token":
        return TokenError(message, kind)
    if family == "identity":
        return IdentityError(message, kind)
    if family == "daemon" and message.startswith("daemon: "):
        # The core prefixes every compute message; the class says it.
        message = message[len("daemon: "):]
    if family in _FAMILIES:
        return _FAMILIES[family](message, kind)
    return _BY_KIND.get(kind, NetError)(message, kind)
