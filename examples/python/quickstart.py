"""Net from Python in one file: emit, poll, subscribe (sync and async),
a typed channel, and an identity issuing a permission token.

Run: ``make demo`` (or ``python examples/python/quickstart.py`` with the
``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from net_sdk import Identity, NetNode, Token, TokenError


@dataclasses.dataclass
class TokenEvent:
    token: str
    index: int


@dataclasses.dataclass
class TemperatureReading:
    sensor_id: str
    celsius: float
    timestamp: int


def bus_basics(node: NetNode) -> None:
    receipt = node.emit({"token": "hello", "index": 0})
    print(f"emitted to shard {receipt.shard_id} at sequence {receipt.sequence}")
    node.emit_raw('{"token": "world", "index": 1}')
    node.emit_raw(b'{"token": "foo", "index": 2}')
    stored = node.emit_batch([{"token": "batch", "index": i} for i in range(3, 6)])
    print(f"batch stored {stored} events")
    node.flush()

    page = node.poll(limit=100)
    for event in page.events:
        print(f"  {event.id:>5}  {event.raw}")
    print(f"resume cursor: {page.next_id} (has_more={page.has_more})")


def typed_stream(node: NetNode) -> None:
    with node.subscribe_typed(TokenEvent, from_beginning=True) as tokens:
        for i, token in enumerate(tokens):
            print(f"typed: {token.index}: {token.token}")
            if i == 2:
                break  # leaving the with block releases the native stream


async def async_stream(node: NetNode) -> None:
    async with node.subscribe(limit=100) as stream:
        node.emit({"token": "async", "index": 6})
        async for event in stream:
            print(f"async: {event.raw}")
            break


def typed_channel(node: NetNode) -> None:
    temps = node.channel("sensors/temperature", TemperatureReading)
    with temps.subscribe() as readings:
        temps.publish(TemperatureReading("A1", 22.5, int(time.time())))
        reading = next(readings)
        print(f"channel: {reading.sensor_id}: {reading.celsius} C")


def security() -> None:
    identity = Identity.from_seed(bytes(range(32)))  # load the seed from your vault instead
    grantee = Identity.generate()
    token = identity.issue_token(
        subject=grantee.entity_id,
        scope=["subscribe"],
        channel="sensors/temp",
        ttl_seconds=300,
        delegation_depth=0,
    )
    print(f"token: {len(token.bytes)} bytes, node_id {identity.node_id:#018x}")
    Token.from_bytes(token.bytes).verify()
    tampered = bytearray(token.bytes)
    tampered[-1] ^= 1
    try:
        Token.from_bytes(bytes(tampered)).verify()
    except TokenError as e:
        print(f"tampered token refused: {e.kind}")


def main() -> None:
    with NetNode(shards=4, backpressure="drop_oldest") as node:
        bus_basics(node)
        typed_stream(node)
        asyncio.run(async_stream(node))
        typed_channel(node)
        print(f"stats: {node.stats()}")
    security()


if __name__ == "__main__":
    main()
