#!/usr/bin/env python3
"""Run a command with a fresh redis-server and nats-server (JetStream) beside it.

    tests/servers/run_with_servers.py [--redis] [--nats] -- COMMAND [ARGS...]

Starts each server (both when neither flag is given) on a free 127.0.0.1
port with its own temporary data directory, exports NET_REDIS_URL and/or
NET_NATS_URL to COMMAND, and stops the servers (and removes their
directories) when COMMAND ends, however it ends. Exits with COMMAND's
status. This is the one place the face tests get their servers from; the
Rust tests start their own (core/tests/common/servers.rs). `make deps`
installs both servers from Debian's packages.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

READY_WITHIN = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(kind, port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            if kind == "redis":
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
            return s.recv(64).startswith(b"INFO")
    except OSError:
        return False


class Server:
    def __init__(self, kind):
        self.kind = kind
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"net-{kind}-")
        if kind == "redis":
            argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                    "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "no",
                    "--logfile", os.path.join(self.dir, "redis.log")]
        else:
            argv = ["nats-server", "-a", "127.0.0.1", "-p", str(self.port), "-js",
                    "-sd", os.path.join(self.dir, "js"), "-l", os.path.join(self.dir, "nats.log")]
        if shutil.which(argv[0]) is None:
            sys.exit(f"run_with_servers: {argv[0]} is not installed (make deps installs it)")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while not answers(kind, self.port):
            if self.proc.poll() is not None:
                self.stop()
                sys.exit(f"run_with_servers: {kind} exited at start")
            if time.monotonic() - started > READY_WITHIN:
                self.stop()
                sys.exit(f"run_with_servers: {kind} not ready on port {self.port}")
            time.sleep(0.02)

    @property
    def url(self):
        return f"{'redis' if self.kind == 'redis' else 'nats'}://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    flags, command = argv[:split], argv[split + 1:]
    if not command:
        sys.exit(__doc__)
    kinds = [k for k in ("redis", "nats") if f"--{k}" in flags] or ["redis", "nats"]
    servers = []
    try:
        env = dict(os.environ)
        for kind in kinds:
            server = Server(kind)
            servers.append(server)
            env["NET_REDIS_URL" if kind == "redis" else "NET_NATS_URL"] = server.url
        child = subprocess.Popen(command, env=env)
        # Pass an interrupt on to the command, then clean up after it.
        signal.signal(signal.SIGINT, lambda *_: child.send_signal(signal.SIGINT))
        signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
        return child.wait()
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
