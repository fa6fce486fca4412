"""Typed subscriptions: events decoded from JSON into instances of a class."""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import Any, Callable, Generic, Optional, Type, TypeVar, Union, cast

from ._native import Event, Subscription
from .errors import SerializationError

T = TypeVar("T")

#: A class or any callable building a ``T`` from decoded JSON.
Factory = Union[Type[T], Callable[[Any], T]]


def _builder(cls: Factory[T]) -> Callable[[Any], T]:
    """A dataclass is built from a JSON object's keys (``cls(**obj)``);
    any other callable gets the decoded value (``cls(obj)``)."""
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        dc = cast(Callable[..., T], cls)
        return lambda value: dc(**value) if isinstance(value, dict) else dc(value)
    return cast(Callable[[Any], T], cls)


class TypedSubscription(Generic[T]):
    """A subscription yielding ``T`` instances, as an iterator and an async
    iterator. An event that does not decode raises ``SerializationError``
    (kind ``deserialization``) for that item; iteration may continue."""

    def __init__(self, subscription: Subscription, cls: Factory[T]) -> None:
        self._sub = subscription
        self._build = _builder(cls)

    def _convert(self, event: Event) -> T:
        value = event.json()
        try:
            return self._build(value)
        except (TypeError, ValueError) as e:
            raise SerializationError(f"event {event.id}: {e}", "deserialization") from e

    def __iter__(self) -> "TypedSubscription[T]":
        return self

    def __next__(self) -> T:
        return self._convert(next(self._sub))

    def __aiter__(self) -> "TypedSubscription[T]":
        return self

    async def __anext__(self) -> T:
        return self._convert(await self._sub.__anext__())

    @property
    def closed(self) -> bool:
        return self._sub.closed

    def close(self) -> None:
        """Release the native stream now."""
        self._sub.close()

    async def aclose(self) -> None:
        self._sub.close()

    def __enter__(self) -> "TypedSubscription[T]":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    async def __aenter__(self) -> "TypedSubscription[T]":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
