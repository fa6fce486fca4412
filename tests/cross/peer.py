"""The Python peer of tests/cross (protocol: tests/cross/README.md).

    python peer.py dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]
    python peer.py bus-dial|bus-accept emit|poll COUNT PSK_HEX
    python peer.py caps PSK_HEX

Run by tests/cross/run.py with the interpreter of the venv that holds the
net-mesh-sdk wheel.
"""

from __future__ import annotations

import json
import sys
import threading

from net_sdk import MeshNode, MeshStream

HANDSHAKE_MS = 10_000  # connect / accept: the other process is already up
RECV_TIMEOUT_S = 30.0  # one message; the driver's own deadline is the real bound


def payload(i: int, count: int) -> bytes:
    """Message i: i as 8 bytes little-endian, then filler that depends on i,
    so a message delivered under the wrong index cannot pass. The last one
    is 12,000 bytes: larger than one datagram's default 1400."""
    size = 12_000 if i == count - 1 else 8 + i % 200
    return i.to_bytes(8, "little") + bytes((i * 7 + j) & 0xFF for j in range(8, size))


def emit(obj: dict[str, object]) -> None:
    print(json.dumps(obj), flush=True)


def failure(e: BaseException) -> dict[str, object]:
    return {"ok": False, "kind": getattr(e, "kind", type(e).__name__), "error": str(e)}


def receive(node: MeshNode, stream: MeshStream, count: int, errors: list[dict[str, object]]) -> None:
    try:
        for i in range(count):
            got = node.recv(stream, timeout=RECV_TIMEOUT_S)
            if got != payload(i, count):
                head = int.from_bytes(got[:8], "little") if len(got) >= 8 else None
                errors.append({"ok": False, "kind": "mismatch",
                               "error": f"message {i}: got {len(got)} bytes with index {head}"})
                return
    except Exception as e:
        errors.append(failure(e))


def exchange(node: MeshNode, role: str, peer: dict[str, str], stream_id: int, count: int) -> dict[str, object]:
    peer_id = int(peer["node_id"])
    if role == "dial":
        node.connect(peer["addr"], bytes.fromhex(peer["public_key"]), peer_id, timeout=HANDSHAKE_MS / 1000)
    else:
        node.accept(peer_id, timeout=HANDSHAKE_MS / 1000)
    node.start()
    stream = node.open_stream(peer_id, stream_id, reliability="reliable")
    # Both sides send and receive at once: a side that only sent would
    # fill the other's receive queue and stall both (flow control).
    errors: list[dict[str, object]] = []
    reader = threading.Thread(target=receive, args=(node, stream, count, errors), daemon=True)
    reader.start()
    try:
        for i in range(count):
            node.send_blocking(stream, [payload(i, count)])
    except Exception as e:
        return failure(e)
    reader.join()
    return errors[0] if errors else {"ok": True, "received": count}


def main() -> int:
    if sys.argv[1] == "caps":
        import peer_caps

        return peer_caps.run(bytes.fromhex(sys.argv[2]), emit, failure)
    if sys.argv[1].startswith("bus-"):
        import peer_bus

        return peer_bus.run(sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4]), emit, failure)
    role, stream_id, count, psk_hex = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    psk = bytes.fromhex(psk_hex)
    if "--bad-psk" in sys.argv[5:]:
        psk = bytes(b ^ 0xFF for b in psk)  # another mesh's key
    node = MeshNode("127.0.0.1:0", psk)
    try:
        emit({"addr": node.local_addr, "public_key": node.public_key.hex(), "node_id": str(node.node_id)})
        peer = json.loads(sys.stdin.readline())
        try:
            result = exchange(node, role, peer, stream_id, count)
        except Exception as e:
            result = failure(e)
        emit(result)
        # Stay up until the driver closes stdin: shutting down early would
        # close the session under a peer that is still receiving.
        sys.stdin.read()
    finally:
        node.shutdown()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
