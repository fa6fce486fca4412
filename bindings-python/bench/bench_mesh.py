"""Mesh throughput and latency through the Python binding: two MeshNodes on
127.0.0.1, each in its own process, one reliable stream, 64-byte messages.

Run by ``make bench-python`` against the installed wheel.

Rows:

- ``lists of 64``: the sender calls ``send(stream, [64 messages])``;
- ``one per call``: the sender calls ``send(stream, [message])``;
- ``request/response``: the client sends one message and waits for the
  peer's reply (the peer echoes each message on a second stream); p50 and
  p99 of individually timed round trips.

Throughput counts messages RECEIVED by the peer's application (``recv``
returned them), never messages a send accepted: the clock runs from the
first measured send until the peer has the last measured message (both
processes read the same monotonic clock). The receiver checks every
message's sequence number, so a lost, duplicated or reordered message
fails the row (``LOST``) instead of giving a rate.

The sender uses ``send_blocking``: when the window is full (the peer has
not acknowledged yet) the core retries with its back-off (5 ms doubling
to 200 ms) instead of failing; the row prints how many sends met
back-pressure (the stream's ``backpressure_events``). The stream's window
is 8192 packets and the receiver queues up to 65,536 messages before it
stops acknowledging.

Each process is a separate interpreter, so the two never share a GIL; on
the 2-core VM the two Python processes and their runtimes' threads share
the two cores. Each row is the best of ``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import struct
import time
from multiprocessing.connection import Connection
from typing import List, Tuple

from net_sdk import MeshNode

PSK = bytes([0x42] * 32)
SIZE = 64
WINDOW = 8192
RECEIVE_CAPACITY = 65_536
SEQ = struct.Struct("<Q")
PAD = bytes(SIZE - SEQ.size)


def message(i: int) -> bytes:
    return SEQ.pack(i) + PAD


def peer_main(conn: Connection) -> None:
    """The receiving side: counts (and checks) messages, echoes for RTT."""
    with MeshNode("127.0.0.1:0", PSK, max_datagram=1400) as node:
        conn.send((node.local_addr, node.public_key, node.node_id))
        client: int = conn.recv()
        node.accept(client, timeout=10)
        node.start()
        conn.send("ready")
        while True:
            cmd: Tuple[str, int, int] = conn.recv()
            kind, stream_id, count = cmd
            if kind == "stop":
                return
            inbox = node.open_stream(client, stream_id, window=WINDOW, receive_capacity=RECEIVE_CAPACITY)
            if kind == "count":
                conn.send("open")
                recv = node.recv
                unpack = SEQ.unpack_from
                bad = 0
                for i in range(count):
                    if unpack(recv(inbox))[0] != i:
                        bad += 1
                conn.send((time.perf_counter(), bad))
            elif kind == "echo":
                reply = node.open_stream(client, stream_id + 1, window=WINDOW)
                conn.send("open")
                recv, send = node.recv, node.send
                for _ in range(count):
                    send(reply, [recv(inbox)])
                conn.send("done")
            node.close_stream(inbox)


def throughput(node: MeshNode, peer: int, conn: Connection, stream_id: int, per_call: int, count: int) -> Tuple[float, int, int]:
    """Messages/s received by the peer, messages it saw out of order, and
    the sends that met back-pressure."""
    count -= count % per_call
    batches: List[List[bytes]] = [[message(i + j) for j in range(per_call)] for i in range(0, count, per_call)]
    conn.send(("count", stream_id, count))
    assert conn.recv() == "open"
    out = node.open_stream(peer, stream_id, window=WINDOW, receive_capacity=RECEIVE_CAPACITY)
    send = node.send_blocking
    start = time.perf_counter()
    for batch in batches:
        send(out, batch)
    done, bad = conn.recv()
    stats = node.stream_stats(peer, stream_id)
    node.close_stream(out)
    return count / (done - start), bad, stats.backpressure_events if stats else -1


def round_trips(node: MeshNode, peer: int, conn: Connection, stream_id: int, count: int, warmup: int) -> List[float]:
    """Individually timed request/response round trips, in microseconds."""
    conn.send(("echo", stream_id, count + warmup))
    assert conn.recv() == "open"
    out = node.open_stream(peer, stream_id, window=WINDOW)
    back = node.open_stream(peer, stream_id + 1, window=WINDOW)
    send, recv, clock = node.send, node.recv, time.perf_counter
    request = [message(0)]
    samples: List[float] = []
    for i in range(count + warmup):
        t0 = clock()
        send(out, request)
        recv(back)
        if i >= warmup:
            samples.append((clock() - t0) * 1e6)
    assert conn.recv() == "done"
    node.close_stream(out)
    node.close_stream(back)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages per throughput round (lists of 64)")
    parser.add_argument("--single", type=int, default=300_000, help="messages per throughput round (one per call)")
    parser.add_argument("--round-trips", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    peer_process = ctx.Process(target=peer_main, args=(theirs,), daemon=True)
    peer_process.start()
    addr, key, peer = ours.recv()
    with MeshNode("127.0.0.1:0", PSK, max_datagram=1400) as node:
        ours.send(node.node_id)
        node.connect(addr, key, peer, timeout=10)
        node.start()
        assert ours.recv() == "ready"

        stream_id = 1
        rows: List[Tuple[str, float, int, int, str]] = []
        for name, per_call, count, target in (
            ("lists of 64 (send(stream, [64 x 64 B]))", 64, args.messages, ">= 1 M msg/s"),
            ("one per call (send(stream, [64 B]))", 1, args.single, ">= 300 k msg/s"),
        ):
            best, worst_bad, refusals = 0.0, 0, 0
            for _ in range(args.rounds):
                rate, bad, refused = throughput(node, peer, ours, stream_id, per_call, count)
                stream_id += 2
                worst_bad = max(worst_bad, bad)
                if rate > best:
                    best, refusals = rate, refused
            rows.append((name, best, worst_bad, refusals, target))

        rtts: List[float] = []
        best_p50 = float("inf")
        for _ in range(args.rounds):
            samples = sorted(round_trips(node, peer, ours, stream_id, args.round_trips, 2_000))
            stream_id += 2
            p50 = samples[len(samples) // 2]
            if p50 < best_p50:
                best_p50, rtts = p50, samples
        ours.send(("stop", 0, 0))
    peer_process.join(timeout=10)

    print(f"{'python mesh, 64-byte messages, reliable stream':48s} {'received/s':>12s}  target")
    for name, rate, bad, refusals, target in rows:
        if bad:
            print(f"{name:48s} LOST or reordered: {bad} messages")
        else:
            print(f"{name:48s} {rate / 1e3:9.0f} k/s  {target}  ({refusals} sends met back-pressure)")
    p99 = rtts[int(len(rtts) * 0.99)]
    print(f"{'request/response round trip':48s} p50 {best_p50:6.1f} us, p99 {p99:6.1f} us  (target p50 < 80 us)")
    print(
        f"two processes on 127.0.0.1, window {WINDOW} packets, receive capacity {RECEIVE_CAPACITY}; "
        f"{args.messages} / {args.single} messages per round, {args.round_trips} round trips; best of {args.rounds} rounds"
    )


if __name__ == "__main__":
    main()
