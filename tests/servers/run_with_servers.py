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

A test that crashes a server mid-stream asks for it on a control port,
exported as NET_SERVERS_CONTROL=127.0.0.1:PORT: one command per line,
one answer per command.

    kill redis       SIGKILL it (what it acknowledged must be in its files)  -> ok
    start redis      start it again, same port and data dir, once it answers -> ok
    restart redis    kill, then start                                       -> ok

`nats` names the NATS server the same way. A command that cannot be done
is answered `error <why>`.

Both servers accept clients without credentials, and both also know the
user NET_SERVERS_USER (`net`) with a password the tests are not told: a
URL naming that user with any password a test makes up is refused, which
is how the faces test "refused credentials". (Redis: an ACL user; NATS:
the user of the only account, which clients without credentials are
mapped to by `no_auth_user`.)
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

READY_WITHIN = 30.0
USER = "net"
# Known to the servers only: a test cannot guess it, so any it makes up is refused.
SECRET = os.urandom(12).hex()


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


def redis_user(port):
    """Give Redis the ACL user USER (ACL users live in memory: again after each start)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"ACL SETUSER {USER} on >{SECRET} ~* &* +@all\r\n".encode())
            return s.recv(64).startswith(b"+OK")
    except OSError:
        return False


class Server:
    def __init__(self, kind):
        self.kind = kind
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"net-{kind}-")
        # Redis fsyncs its append-only file before it answers (`always`): a
        # test that kills it asserts nothing it acknowledged is lost, and
        # under `everysec` a slow fsync lets Redis answer writes it has not
        # yet handed to the kernel (documented: up to 2 s lost in a crash).
        if kind == "redis":
            self.argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                         "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                         "--daemonize", "no", "--protected-mode", "no",
                         "--logfile", os.path.join(self.dir, "redis.log")]
        else:
            conf = os.path.join(self.dir, "nats.conf")
            with open(conf, "w") as f:
                f.write(f"""listen: "127.0.0.1:{self.port}"
jetstream {{ store_dir: "{os.path.join(self.dir, 'js')}" }}
accounts {{ NET {{ jetstream: enabled, users: [ {{ user: "{USER}", password: "{SECRET}" }} ] }} }}
no_auth_user: "{USER}"
""")
            self.argv = ["nats-server", "-c", conf, "-l", os.path.join(self.dir, "nats.log")]
        if shutil.which(self.argv[0]) is None:
            sys.exit(f"run_with_servers: {self.argv[0]} is not installed (make deps installs it)")
        self.proc = None
        problem = self.start()
        if problem:
            self.stop()
            sys.exit(f"run_with_servers: {problem}")

    def start(self):
        """Start the server (if it is not running) and wait until it answers;
        None when it does, else what went wrong."""
        if self.proc is not None and self.proc.poll() is None:
            return None
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while not answers(self.kind, self.port):
            if self.proc.poll() is not None:
                return f"{self.kind} exited at start (log in {self.dir})"
            if time.monotonic() - started > READY_WITHIN:
                return f"{self.kind} not ready on port {self.port}"
            time.sleep(0.02)
        if self.kind == "redis" and not redis_user(self.port):
            return f"redis on port {self.port} refused ACL SETUSER {USER}"
        return None

    def kill(self):
        """SIGKILL the server: no shutdown work, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def url(self):
        return f"{'redis' if self.kind == 'redis' else 'nats'}://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Control:
    """The loopback control port: `kill|start|restart redis|nats` per line."""

    def __init__(self, servers):
        self.servers = {s.kind: s for s in servers}
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        with conn, conn.makefile("rwb") as f:
            for line in f:
                f.write((self.run(line.decode("utf-8", "replace").split()) + "\n").encode())
                f.flush()

    def run(self, words):
        if len(words) != 2 or words[0] not in ("kill", "start", "restart"):
            return "error expected `kill|start|restart redis|nats`"
        server = self.servers.get(words[1])
        if server is None:
            return f"error no {words[1]} server here"
        with self.lock:
            if words[0] in ("kill", "restart"):
                server.kill()
            if words[0] in ("start", "restart"):
                problem = server.start()
                if problem:
                    return f"error {problem}"
        return "ok"

    def close(self):
        self.sock.close()


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    flags, command = argv[:split], argv[split + 1:]
    if not command:
        sys.exit(__doc__)
    kinds = [k for k in ("redis", "nats") if f"--{k}" in flags] or ["redis", "nats"]
    servers = []
    control = None
    try:
        env = dict(os.environ)
        for kind in kinds:
            server = Server(kind)
            servers.append(server)
            env["NET_REDIS_URL" if kind == "redis" else "NET_NATS_URL"] = server.url
        control = Control(servers)
        env["NET_SERVERS_CONTROL"] = control.address
        env["NET_SERVERS_USER"] = USER
        child = subprocess.Popen(command, env=env)
        # Pass an interrupt on to the command, then clean up after it.
        signal.signal(signal.SIGINT, lambda *_: child.send_signal(signal.SIGINT))
        signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
        return child.wait()
    finally:
        if control is not None:
            control.close()
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
