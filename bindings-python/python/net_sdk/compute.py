"""Daemons for ``DaemonRuntime``: what a daemon class looks like.

A daemon is a plain Python class; the runtime needs only ``process``::

    class Counter:
        name = "counter"                       # optional, for diagnostics
        required_capabilities = ["gpu"]        # optional: tags the node must have
        optional_capabilities = None           # optional: preferred tags

        def __init__(self) -> None:
            self.total = 0

        def process(self, event: CausalEvent) -> list[bytes]:
            self.total += event.payload[0]
            return [self.total.to_bytes(8, "little")]

        def snapshot(self) -> bytes | None:     # optional (None: stateless)
            return self.total.to_bytes(8, "little")

        def restore(self, state: bytes) -> None:  # optional
            self.total = int.from_bytes(state, "little")

Hosted by a ``MeshOsDaemonSdk``, a daemon may also have the supervision
methods ``on_control(control: DaemonControl) -> None``, ``health() -> str``
("healthy", "degraded" or "unhealthy") and ``saturation() -> float``
(0 to 1; 0.8 and above turns into ``BackpressureOn``).

``MeshDaemon`` is that shape as a ``typing.Protocol`` (only ``process`` is
required; the runtime looks the optional members up by name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Protocol

if TYPE_CHECKING:
    from ._native import CausalEvent

__all__ = ["MeshDaemon"]


class MeshDaemon(Protocol):
    """A daemon: ``process`` turns one event into output payloads, each
    of which the runtime wraps in the next link of the daemon's chain."""

    def process(self, event: CausalEvent) -> Iterable[bytes]: ...
