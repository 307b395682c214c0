"""The Python side of lib/testing: what the Python end-to-end tests share.

The same contract as lib/testing/subprocess.h: servers bind port 0 and
announce where ("listening on ADDR", or netcat-openbsd's "Listening on HOST
PORT" / "Bound on HOST PORT"); every wait has a deadline; nothing sleeps for a
fixed time. Python tests keep their peers (ssl, socket servers) in-process
and start the tools through these helpers.

Tests import it after putting this directory on sys.path (their .sh wrapper
passes the runfiles root):

    sys.path.insert(0, os.path.join(ROOT, "lib", "testing"))
    import harness
    server = harness.start_server([ECHOD, "-l", "127.0.0.1:0"], listeners=1)
    ... server.addresses[0] ...
    server.stop()
"""

import os
import re
import select
import signal
import socket
import subprocess
import time

DEADLINE = 10.0  # Seconds any one wait may take.

# The readiness lines of lib/net/listening_line.h: ipckit's "listening on
# ADDR" anywhere in a line, netcat-openbsd's "Listening on HOST PORT",
# "Bound on HOST PORT" or "... on PATH" at its start.
_IPCKIT = re.compile(rb"listening on (\S+)")
_OPENBSD = re.compile(rb"^(?:Listening|Bound) on (\S+)(?: (\d+))?$")


def listening_address(line):
    """The address a readiness line announces ("127.0.0.1:40123", "[::1]:8",
    a path), or None."""
    line = line.rstrip(b"\n")
    m = _IPCKIT.search(line)
    if m:
        return m.group(1).decode()
    m = _OPENBSD.match(line)
    if not m:
        return None
    host = m.group(1).decode()
    if not m.group(2):
        return host  # A socket path.
    return f"[{host}]:{m.group(2).decode()}" if ":" in host else f"{host}:{m.group(2).decode()}"


def listening_transport(line):
    """The transport an ipckit readiness line names in parentheses ("tcp",
    "udp", "unix+tls"), or None."""
    m = re.search(rb"listening on \S+ \((\S+)\)", line)
    return m.group(1).decode() if m else None


class Server:
    """A started server: its process, the addresses (and transports, where
    named) it announced, and what it printed on stdout so far."""

    def __init__(self, proc, lines, out):
        self.proc, self.out = proc, out
        self.addresses = [listening_address(l) for l in lines]
        self.transports = [listening_transport(l) for l in lines]

    def port(self, i=0):
        return int(self.addresses[i].rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        """Sends `sig`, waits (within the deadline) and returns (exit code, stderr text)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=DEADLINE)
        return self.proc.returncode, err.decode(errors="replace")


def start_server(argv, listeners=1, deadline=DEADLINE):
    """Starts `argv` and reads `listeners` readiness lines from its stdout
    within `deadline` seconds; raises RuntimeError (with its output) if they
    do not come."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    out, lines = b"", []
    end = time.monotonic() + deadline
    while len(lines) < listeners and time.monotonic() < end:
        r, _, _ = select.select([proc.stdout], [], [], max(0, end - time.monotonic()))
        chunk = os.read(proc.stdout.fileno(), 4096) if r else b""
        if not chunk:
            break
        out += chunk
        lines = [l for l in out.split(b"\n")[:-1] if listening_address(l)]
    if len(lines) < listeners:
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"{argv[0]} did not announce {listeners} listener(s): {out!r} {err!r}")
    return Server(proc, lines[:listeners], out)


def run(argv, stdin=b"", deadline=DEADLINE, env=None, text=False):
    """Runs `argv` to completion with `stdin` and returns (code, stdout, stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=deadline, env=e, text=text)
    return p.returncode, p.stdout, p.stderr


def wait_for(cond, what, deadline=DEADLINE):
    """Polls `cond` until it returns something true (returned), or raises
    AssertionError naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline}s waiting for {what}")
        time.sleep(0.01)


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port that was free a moment ago, for peers that cannot bind port 0
    and say which they got (ncat, socat). Another process may take it: use
    wait_connectable, and retry."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_connectable(port, proc, host="127.0.0.1", deadline=DEADLINE):
    """Waits until a TCP connect to `port` succeeds (True), or `proc` exits
    or the deadline passes (False)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False
