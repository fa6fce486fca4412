"""Two mesh nodes on loopback: handshake, a reliable stream, back-pressure,
stats — once with the blocking calls, once with asyncio.

Run: ``make demo`` (or ``python examples/python/mesh_pair.py`` with the
``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import asyncio
import threading
import time

from net_sdk import BackpressureError, HandshakeError, MeshNode

PSK = bytes([0x42] * 32)  # shared by every node of this mesh
TOTAL = 10_000


def blocking_pair() -> None:
    with MeshNode("127.0.0.1:0", PSK) as alice, MeshNode("127.0.0.1:0", PSK) as bob:
        print(f"alice {alice.node_id:#018x} at {alice.local_addr}")
        print(f"bob   {bob.node_id:#018x} at {bob.local_addr} key {bob.public_key.hex()}")

        # Alice dials Bob with his address, static key and node id; Bob
        # accepts her. Both calls wait for each other: Bob's in a thread.
        accepted = []
        accepting = threading.Thread(target=lambda: accepted.append(bob.accept(alice.node_id, timeout=5)))
        accepting.start()
        alice.connect(bob.local_addr, bob.public_key, bob.node_id, timeout=5)
        accepting.join()
        print(f"handshake done; bob sees alice at {accepted[0]}")
        alice.start()
        bob.start()

        # One reliable stream, a small window so back-pressure shows.
        outbound = alice.open_stream(bob.node_id, 0x42, reliability="reliable", window=64)
        inbound = bob.open_stream(alice.node_id, 0x42)

        received = []

        def read() -> None:
            for i, m in enumerate(bob.messages(inbound)):
                assert m == b"message %d" % i, "in order, exactly once"
                received.append(len(m))
                if i + 1 == TOTAL:
                    return

        reader = threading.Thread(target=read)
        reader.start()
        refused = 0
        for start in range(0, TOTAL, 32):
            batch = [b"message %d" % i for i in range(start, min(start + 32, TOTAL))]
            # Drop-on-pressure would be `send` alone; here we wait politely.
            while True:
                try:
                    alice.send(outbound, batch)
                    break
                except BackpressureError:
                    refused += 1
                    time.sleep(0.0002)
        reader.join()
        print(f"bob received {len(received)} messages ({sum(received)} bytes) in order; {refused} sends met back-pressure")

        # The same stream id carries Bob's reply back.
        bob.send(inbound, [b"thanks"])
        print(f"alice got {alice.recv(outbound, timeout=5)!r}")

        stats = alice.stream_stats(bob.node_id, 0x42)
        assert stats is not None
        print(
            f"alice stream 0x42: tx_seq {stats.tx_seq} window {stats.window} "
            f"backpressure_events {stats.backpressure_events} retransmits {stats.retransmits} srtt {stats.srtt_us} us"
        )
        s = bob.stats()
        print(f"bob: {s.datagrams_received} datagrams in, {s.tampered} tampered, {s.replayed} replayed")


async def asyncio_pair() -> None:
    async with await MeshNode.create("127.0.0.1:0", PSK) as alice, await MeshNode.create("127.0.0.1:0", PSK) as bob:
        # Dial and accept at once on one event loop.
        await asyncio.gather(
            alice.connect_async(bob.local_addr, bob.public_key, bob.node_id),
            bob.accept_async(alice.node_id, timeout=5),
        )
        alice.start()
        bob.start()
        outbound = alice.open_stream(bob.node_id, 7)
        inbound = bob.open_stream(alice.node_id, 7)
        await alice.send_blocking_async(outbound, [b"ping %d" % i for i in range(3)])
        async for m in bob.messages(inbound):
            print(f"asyncio: bob got {m!r}")
            if m == b"ping 2":
                break
        bob.send(inbound, [b"pong"])
        print(f"asyncio: alice got {await alice.recv_async(outbound, timeout=5)!r}")

        # A node with another PSK is refused, with the reason, even by a
        # Bob who accepts it; no session is left on either side.
        async with await MeshNode.create("127.0.0.1:0", bytes(32)) as mallory:
            accepting = asyncio.ensure_future(bob.accept_async(mallory.node_id, timeout=1))
            try:
                await mallory.connect_async(bob.local_addr, bob.public_key, bob.node_id)
            except HandshakeError as e:
                print(f"asyncio: mallory refused: {e.kind}")
            try:
                await accepting
            except TimeoutError:
                print(f"asyncio: bob has no session with mallory: {bob.peer_state(mallory.node_id)}")


if __name__ == "__main__":
    blocking_pair()
    asyncio.run(asyncio_pair())
