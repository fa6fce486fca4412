"""MeshNode with asyncio: `create`, the `_async` methods, `async for` over
`messages()`, cancellation that loses nothing, and `async with`. Each test
runs its own event loop (`asyncio.run`)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import AsyncIterator, Awaitable, Callable, List, Tuple, TypeVar

import pytest
from meshkit import PSK, numbered

from net_sdk import (
    BackpressureError,
    ClosedError,
    ConfigError,
    HandshakeError,
    IdentityError,
    MeshNode,
    MeshStream,
    NotConnectedError,
)
from net_sdk import TimeoutError as NetTimeoutError

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


async def connected() -> Tuple[MeshNode, MeshNode]:
    """Two nodes created, handshaken (dial and accept at once) and started."""
    a = await MeshNode.create("127.0.0.1:0", PSK)
    b = await MeshNode.create("127.0.0.1:0", PSK.hex(), handshake_timeout_ms=5000)
    addr, _ = await asyncio.gather(b.accept_async(a.node_id, timeout=5), a.connect_async(b.local_addr, b.public_key, b.node_id))
    assert addr == a.local_addr
    a.start()
    b.start()
    return a, b


async def collect(messages: AsyncIterator[bytes], n: int) -> List[bytes]:
    got: List[bytes] = []
    async for m in messages:
        got.append(m)
        if len(got) == n:
            break
    return got


def test_create_connect_accept_and_exchange_10000_both_ways_with_async_for() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a, b:
            total = 10_000
            expected = [numbered(i) for i in range(total - 1)] + [os.urandom(12 * 1024)]
            ab = a.open_stream(b.node_id, 0x42)
            ba = b.open_stream(a.node_id, 0x42)

            async def write(node: MeshNode, stream: MeshStream) -> None:
                for i in range(0, total, 100):
                    await node.send_blocking_async(stream, expected[i : i + 100])

            got_b, got_a, _, _ = await asyncio.wait_for(
                asyncio.gather(collect(b.messages(ba), total), collect(a.messages(ab), total), write(a, ab), write(b, ba)),
                60,
            )
            assert got_b == expected and got_a == expected
        assert a.closed and b.closed

    run(main())


def test_recv_async_send_with_retry_async_and_timeouts() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a, b:
            out = a.open_stream(b.node_id, 1, window=4)
            inbox = b.open_stream(a.node_id, 1)
            pending = asyncio.ensure_future(b.recv_async(inbox))
            await asyncio.sleep(0.05)
            assert not pending.done()  # waits without blocking the loop
            await a.send_with_retry_async(out, [b"hello"], 10)
            assert await asyncio.wait_for(pending, 5) == b"hello"
            with pytest.raises(NetTimeoutError) as e:
                await b.recv_async(inbox, timeout=0.05)
            assert e.value.kind == "timeout"
            with pytest.raises(NetTimeoutError):
                await a.accept_async(777, timeout=0.05)
            # The sync forms and the async forms share one stream.
            a.send(out, [b"sync"])
            assert await b.recv_async(inbox, timeout=5) == b"sync"

    run(main())


def test_cancelled_receives_lose_no_message() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a, b:
            out = a.open_stream(b.node_id, 2, window=1024)
            inbox = b.open_stream(a.node_id, 2)
            # One cancelled wait with nothing to receive.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(b.recv_async(inbox), 0.05)
            # Then many receives cut short by very short deadlines while
            # messages flow: each message arrives exactly once, in order.
            total = 2000

            async def produce() -> None:
                for i in range(0, total, 20):
                    await a.send_blocking_async(out, [numbered(j) for j in range(i, i + 20)])
                    await asyncio.sleep(0.002)  # let the receiver catch up and wait

            producer = asyncio.ensure_future(produce())
            got: List[bytes] = []
            cancelled = 0
            deadline = time.monotonic() + 30
            while len(got) < total and time.monotonic() < deadline:
                try:
                    got.append(await asyncio.wait_for(b.recv_async(inbox), 0.0005))
                except asyncio.TimeoutError:
                    cancelled += 1
            await producer
            assert cancelled > 0  # the deadlines did cut receives short
            assert got == [numbered(i) for i in range(total)]
            assert b.try_recv(inbox) is None

    run(main())


def test_a_receive_cancelled_after_it_took_a_message_puts_it_back_in_front() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a, b:
            out = a.open_stream(b.node_id, 5)
            inbox = b.open_stream(a.node_id, 5)
            receives: List[Callable[[], Awaitable[bytes]]] = [lambda: b.recv_async(inbox), lambda: b.messages(inbox).__anext__()]
            for receive in receives:
                taking = asyncio.ensure_future(receive())  # nothing queued: the native wait starts now
                a.send(out, [b"m1", b"m2"])
                # Block the loop: the runtime takes m1 for `taking` and queues
                # its delivery, which cannot run before the cancel below.
                time.sleep(0.3)
                taking.cancel()
                # The next receive starts before the cancel is processed; it
                # still gets m1 (put back in front), and m2 follows.
                following = asyncio.ensure_future(b.recv_async(inbox, timeout=5))
                assert await following == b"m1"
                assert taking.cancelled()
                assert b.recv(inbox, timeout=5) == b"m2"
                assert b.try_recv(inbox) is None

    run(main())


def test_async_for_ends_when_the_stream_closes_or_the_peer_shuts_down() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a:
            out = a.open_stream(b.node_id, 3)
            inbox = b.open_stream(a.node_id, 3)
            a.send(out, [b"1", b"2"])

            async def read_all(stream: MeshStream, node: MeshNode) -> List[bytes]:
                return [m async for m in node.messages(stream)]

            reading = asyncio.ensure_future(read_all(inbox, b))
            await asyncio.sleep(0.2)
            assert not reading.done()
            b.close_stream(inbox)
            assert await asyncio.wait_for(reading, 5) == [b"1", b"2"]

            # The peer shuts down: our iteration ends too.
            other = a.open_stream(b.node_id, 4)
            reading = asyncio.ensure_future(read_all(other, a))
            await asyncio.sleep(0.05)
            await b.shutdown_async()
            assert await asyncio.wait_for(reading, 10) == []
            with pytest.raises(NotConnectedError):
                await a.recv_async(other)

    run(main())


def test_async_errors_are_raised_by_await() -> None:
    async def main() -> None:
        # Bad options: the awaitable raises (as a coroutine would).
        made = MeshNode.create("127.0.0.1:0", PSK[:31])
        with pytest.raises(ConfigError) as e:
            await made
        assert e.value.kind == "invalid_config"
        with pytest.raises(IdentityError):
            await MeshNode.create("127.0.0.1:0", PSK, bytes(5))

        async with await MeshNode.create("127.0.0.1:0", PSK) as a, await MeshNode.create("127.0.0.1:0", bytes(32)) as b:
            accept = asyncio.ensure_future(b.accept_async(a.node_id, timeout=1.5))
            with pytest.raises(HandshakeError) as h:
                await a.connect_async(b.local_addr, b.public_key, b.node_id)
            assert h.value.kind == "wrong_psk"
            with pytest.raises(NetTimeoutError):
                await accept
            with pytest.raises(ConfigError):
                await a.connect_async(b.local_addr, b.public_key, b.node_id, timeout=-1)
            with pytest.raises(ConfigError):
                await a.connect_async("nowhere", b.public_key, b.node_id)
        assert a.closed
        with pytest.raises(ClosedError):
            await a.connect_async(b.local_addr, b.public_key, b.node_id)
        with pytest.raises(ClosedError):
            await a.accept_async(b.node_id)
        await a.shutdown_async()  # idempotent

    run(main())


def test_send_retries_async_report_backpressure() -> None:
    async def main() -> None:
        a, b = await connected()
        async with a, b:
            inbox = b.open_stream(a.node_id, 9, receive_capacity=1)
            out = a.open_stream(b.node_id, 9, window=1)
            a.send(out, [b"m0"])  # held in b's inbox: b stops acknowledging
            await asyncio.sleep(0.1)
            a.send(out, [b"m1"])  # fills the window, never acknowledged
            with pytest.raises(BackpressureError):
                await a.send_with_retry_async(out, [b"m2"], 1)
            # Reading frees the window; the blocking send gets through.
            sending = asyncio.ensure_future(a.send_blocking_async(out, [b"m2"]))
            got = await asyncio.wait_for(collect(b.messages(inbox), 3), 10)
            await sending
            assert got == [b"m0", b"m1", b"m2"]

    run(main())


def test_async_methods_need_a_running_loop() -> None:
    with MeshNode("127.0.0.1:0", PSK) as node:
        with pytest.raises(RuntimeError, match="no running event loop"):
            _ = node.shutdown_async()
        with pytest.raises(RuntimeError, match="no running event loop"):
            _ = node.accept_async(1)
