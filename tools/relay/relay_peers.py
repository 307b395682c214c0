"""relay_peers.py: what relay's end-to-end tests share: the tools under
test, starting relay and echod on port 0, a client's reads and round
trips, relay's stats and control socket, and the in-process peers (a SOCKS5
server, a server that replies after EOF). relay_e2e_test (forwarding, TLS)
and relay_faults_e2e_test (faults) import it.
"""

import errno
import hashlib
import json
import os
import re
import resource
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)  # Peers left to the OS at exit are fine here.


import harness  # noqa: E402

RELAY = harness.runfile("tools/relay/relay")
ECHOD = harness.runfile("tools/echod/echod")
NC = harness.runfile("tools/nc/nc")
TLSPROBE = harness.runfile("tools/tlsprobe/tlsprobe")
CERTS = harness.runfile("testdata/tls")
DEADLINE = 10


def cert(name):
    return os.path.join(CERTS, name)


def echod(*extra):
    return harness.serve([ECHOD, "-l", "127.0.0.1:0", "--workers", "1"] + list(extra))


def relay(*args):
    return harness.serve([RELAY] + list(args))


def connect(server, timeout=DEADLINE):
    return socket.create_connection(("127.0.0.1", server.port()), timeout=timeout)


def recv_n(sock, n):
    out = b""
    while len(out) < n:
        b = sock.recv(n - len(out))
        if not b:
            break
        out += b
    return out


def stats(server):
    """Stops `server` and returns (exit code, its JSON stats from stderr)."""
    code, err = server.stop()
    line = [l for l in err.splitlines() if l.startswith("{")][-1]
    return code, json.loads(line)


def control(path, line):
    code, out, err = harness.run([NC, "-UN", path], stdin=(line + "\n").encode())
    assert code == 0, err
    return out.decode().strip()


def control_stats(server):
    """The stats of a running relay (SIGUSR1 writes them to stderr): read by
    sending SIGUSR1 and reading stderr's next JSON line."""
    seen = len(server.lines("err"))
    server.signal(10)
    return server.wait_for_line("err", lambda l: l.startswith("{"), skip=seen)


class Socks5Server:
    """A minimal SOCKS5 proxy (RFC 1928, no authentication, CONNECT only)
    that records the targets asked for."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.targets = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            c, _ = self.sock.accept()
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        ver, n = recv_n(c, 2)
        recv_n(c, n)
        c.sendall(b"\x05\x00")
        _, cmd, _, atyp = recv_n(c, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_n(c, 4))
        elif atyp == 3:
            host = recv_n(c, recv_n(c, 1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, recv_n(c, 16))
        port = int.from_bytes(recv_n(c, 2), "big")
        self.targets.append((host, str(port)))
        up = socket.create_connection((host, port))
        c.sendall(b"\x05\x00\x00\x01" + bytes(4) + bytes(2))
        pump = lambda a, b: [b.sendall(d) for d in iter(lambda: a.recv(65536), b"")] and None
        threading.Thread(target=pump, args=(up, c), daemon=True).start()
        pump(c, up)


class DelayedReplyServer:
    """Reads each client to EOF, waits `delay`, then replies "got N" and closes."""

    def __init__(self, delay):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        n = len(harness.recv_all(c))
        time.sleep(self.delay)
        c.sendall(b"got %d\n" % n)
        c.close()


def rtt(sock, n=5):
    """The median time of n one-byte round trips."""
    times = []
    for _ in range(n):
        t = time.monotonic()
        sock.sendall(b"p")
        assert recv_n(sock, 1) == b"p"
        times.append(time.monotonic() - t)
    return sorted(times)[n // 2]
