"""Exiting while an async subscription's delivery is on its way.

A runtime thread completes an asyncio future by taking the GIL; doing so
while the interpreter finalizes used to abort the process after it had
finished. The module's atexit hook keeps such calls out from then on.
These run real interpreters in subprocesses, since the hook is one-way.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

# An async subscription waits for an event; the hook runs (as atexit
# would); then the event arrives. Its delivery must stay out of Python,
# so the future is never completed — and the process still exits cleanly.
AFTER_HOOK = textwrap.dedent(
    """
    import asyncio, time
    from net_sdk import NetNode, _native

    async def main() -> None:
        node = NetNode(shards=1)
        sub = node.subscribe(limit=10)
        pending = asyncio.ensure_future(sub.__anext__())
        await asyncio.sleep(0.05)
        _native._before_exit()
        node.emit_raw(b"late")
        node.flush()
        await asyncio.sleep(0.3)
        print("delivered" if pending.done() else "held back")
        pending.cancel()
        node.shutdown()

    asyncio.run(main())
    """
)

# The race itself: events keep arriving for live async subscriptions while
# the program ends, so deliveries are in flight at exit.
RACE_AT_EXIT = textwrap.dedent(
    """
    import asyncio, threading
    from net_sdk import NetNode

    node = NetNode(shards=2)

    async def main() -> None:
        subs = [node.subscribe(limit=10) for _ in range(4)]
        waits = [asyncio.ensure_future(s.__anext__()) for s in subs]
        node.emit_raw(b"first")
        await asyncio.wait(waits, timeout=1.0)
        for s in subs:
            asyncio.ensure_future(s.__anext__())

    def keep_emitting() -> None:
        for i in range(2000):
            try:
                node.emit_raw(b"more")
            except Exception:
                return

    asyncio.run(main())
    threading.Thread(target=keep_emitting, daemon=True).start()
    print("done")
    """
)


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_no_delivery_enters_python_after_the_exit_hook() -> None:
    done = run(AFTER_HOOK)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "held back"


def test_exiting_with_deliveries_in_flight_never_aborts() -> None:
    for attempt in range(40):
        done = run(RACE_AT_EXIT)
        assert done.returncode == 0, f"attempt {attempt}: rc {done.returncode} {done.stderr}"
        assert done.stdout.strip() == "done"
