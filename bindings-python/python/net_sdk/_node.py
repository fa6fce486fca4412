"""``NetNode``: the native node plus the pure-Python conveniences (JSON
emits, typed subscriptions, channels)."""

from __future__ import annotations

from typing import Any, Generic, Iterable, Optional, TypeVar

from . import _json
from ._native import NetNode as _NativeNode
from ._native import Receipt, channel_hash
from ._typed import Factory, TypedSubscription

T = TypeVar("T")


class NetNode(_NativeNode):
    """A node of the Net event bus (in memory)::

        with NetNode(shards=4) as node:
            node.emit({"token": "hello"})
            node.flush()
            page = node.poll(limit=100)

    The hot paths (``emit_raw``, ``emit_raw_batch``, ``fire``, ``poll``,
    ``subscribe``) are native methods; this class adds JSON encoding,
    typed subscriptions and channels on top.
    """

    __slots__ = ()

    def emit(self, obj: Any) -> Receipt:
        """JSON-encode ``obj`` (a dataclass is encoded as its fields) and emit it."""
        return self.emit_raw(_json.dumps(obj))

    def emit_batch(self, objs: Iterable[Any]) -> int:
        """JSON-encode each object and emit them as one batch; returns how many were stored."""
        return self.emit_raw_batch([_json.dumps(o) for o in objs])

    def subscribe_typed(
        self,
        cls: Factory[T],
        limit: int = 256,
        cursor: Optional[str] = None,
        from_beginning: bool = False,
    ) -> TypedSubscription[T]:
        """Like ``subscribe``, yielding ``cls`` instances built from each
        event's JSON (a dataclass from the object's keys, any other
        callable from the decoded value)."""
        return TypedSubscription(self.subscribe(limit, cursor, from_beginning), cls)

    def channel(self, name: str, cls: Optional[Factory[T]] = None) -> "Channel[T]":
        """A named channel on this node; ``ChannelError`` for an invalid name."""
        return Channel(self, name, cls)


class Channel(Generic[T]):
    """Messages of one named channel: ``publish`` JSON-encodes a message,
    ``subscribe`` yields this channel's messages only (decoded, and built
    with ``cls`` when the channel has one)."""

    def __init__(self, node: NetNode, name: str, cls: Optional[Factory[T]] = None) -> None:
        self._hash = channel_hash(name)  # validates the name
        self._node = node
        self._name = name
        self._cls = cls

    @property
    def name(self) -> str:
        return self._name

    @property
    def hash(self) -> int:
        """The channel's canonical 32-bit hash (what tokens are bound to)."""
        return self._hash

    def publish(self, message: T) -> Receipt:
        """Publish one message (JSON-encoded)."""
        return self._node.publish(self._name, _json.dumps(message))

    def subscribe(
        self, limit: int = 256, cursor: Optional[str] = None, from_beginning: bool = False
    ) -> TypedSubscription[T]:
        """This channel's messages, from now (or ``from_beginning``)."""
        sub = self._node.subscribe(limit, cursor, from_beginning, self._name)
        return TypedSubscription(sub, self._cls if self._cls is not None else _identity)

    def __repr__(self) -> str:
        return f"Channel({self._name!r})"


def _identity(value: Any) -> Any:
    return value
