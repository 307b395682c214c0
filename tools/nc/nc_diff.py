"""nc_diff.py: the machinery of nc_diff_test: one run of a client or a
listener (ipckit's nc, nc.openbsd or ncat) against an in-process Python
peer, what a script would see of it (Outcome: stdout, stderr lines
normalised, exit code, what the peer received), the peers, and the
scenario table the test fills with @scenario.
"""

import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness  # noqa: E402

NC = harness.runfile("tools/nc/nc")
DEADLINE = 10.0  # Seconds any one run may take.


def norm(err, tool):
    """Normalises what varies between runs and tools but not in meaning."""
    err = err.replace(os.path.basename(tool) + ": ", "nc: ")
    err = re.sub(r"\S*/nc-\w{6}/recv\.sock", "TMP/nc-XXXXXX/recv.sock", err)
    return re.sub(r"\b\d{4,5}\b", "PORT", err)


class Outcome:
    """What one run of one tool showed."""

    def __init__(self, out, err, rc, peer=None):
        self.out, self.err, self.rc, self.peer = out, err, rc, peer

    def key(self):
        return (self.out, self.err, self.rc, self.peer)

    def __repr__(self):
        return f"out={self.out!r} err={self.err!r} rc={self.rc!r} peer={self.peer!r}"


class Collector:
    """Reads a pipe into a buffer on a thread."""

    def __init__(self, pipe):
        self.data = b""
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self.thread.start()

    def _run(self, pipe):
        while True:
            b = os.read(pipe.fileno(), 65536)
            if not b:
                return
            with self.lock:
                self.data += b

    def get(self):
        with self.lock:
            return self.data

    def wait_for(self, pred, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            m = pred(self.get())
            if m:
                return m
            time.sleep(0.01)
        return None


def run_client(tool, args, stdin=b"", cwd=None, timeout=DEADLINE):
    """Runs the tool to completion and returns (out, err, rc)."""
    r = subprocess.run([tool] + args, input=stdin, capture_output=True, timeout=timeout, cwd=cwd)
    return r.stdout, norm(r.stderr.decode(), tool), r.returncode


class Server:
    """A Python TCP/UDP/Unix server on a thread; `handler(conn)` returns what it observed."""

    def __init__(self, handler, family=socket.AF_INET, kind=socket.SOCK_STREAM, addr=("127.0.0.1", 0),
                 count=1):
        self.sock = socket.socket(family, kind)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(addr)
        if kind == socket.SOCK_STREAM:
            self.sock.listen(16)
        self.address = self.sock.getsockname()
        self.port = self.address[1] if family != socket.AF_UNIX else None
        self.seen = []
        self.thread = threading.Thread(target=self._run, args=(handler, kind, count), daemon=True)
        self.thread.start()

    def _run(self, handler, kind, count):
        for _ in range(count):
            if kind == socket.SOCK_STREAM:
                r, _, _ = select.select([self.sock], [], [], DEADLINE)
                if not r:
                    return
                c, _ = self.sock.accept()
                with c:
                    self.seen.append(handler(c))
            else:
                self.seen.append(handler(self.sock))

    def observed(self):
        self.thread.join(DEADLINE)
        self.sock.close()
        return tuple(self.seen)


def read_to_eof(c, limit=1 << 20):
    data = b""
    c.settimeout(DEADLINE)
    while len(data) < limit:
        try:
            b = c.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        data += b
    return data


def reply_after_eof(c):
    got = read_to_eof(c)
    c.sendall(b"got " + got)
    return got


def hold_silent(seconds):
    def handler(c):
        c.settimeout(seconds)
        try:
            got = c.recv(65536)
        except socket.timeout:
            got = b"(nothing)"
        return got
    return handler


def udp_echo(s):
    s.settimeout(DEADLINE)
    data, addr = s.recvfrom(65536)
    s.sendto(b"echo " + data, addr)
    return data


def listen_run(tool, args, client, stdin=b"", cwd=None, stop_when=None, port=None):
    """Starts the tool as a listener (with -v, so that it says where), runs
    `client(address)` against it, and returns its Outcome. With `stop_when`,
    the tool is stopped once stop_when(stdout) holds (exit code None). With
    `port` (ncat cannot say which port 0 gave it), the address is that port."""
    p = subprocess.Popen([tool] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=cwd)
    out, err = Collector(p.stdout), Collector(p.stderr)
    line = err.wait_for(lambda b: re.search(rb"^(?:Ncat: )?(?:Listening|Bound) on (\S+)(?: (\d+))?\n"
                                            rb"(?:Listening on \S+\n)?", b, re.M))
    assert line, f"{tool} {args}: no listening line: {err.get()!r}"
    host, lport = line.group(1).decode(), line.group(2)
    address = ("", port) if port else (host, int(lport)) if lport else host
    if stdin is not None:
        p.stdin.write(stdin)
    p.stdin.close()
    peer = client(address)
    rc = None
    if stop_when:
        out.wait_for(stop_when)
        time.sleep(0.05)
        p.terminate()
        p.wait(DEADLINE)
    else:
        try:
            rc = p.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = "hung"
    out.thread.join(DEADLINE)
    err.thread.join(DEADLINE)
    return Outcome(out.get(), norm(err.get().decode(), tool), rc, peer)


def tcp_client(send, family=socket.AF_INET, host=None, shut=True):
    def client(address):
        h = host or ("::1" if family == socket.AF_INET6 else "127.0.0.1")
        c = socket.create_connection((h, address[1]), timeout=DEADLINE)
        with c:
            try:
                c.sendall(send)
                if shut:
                    c.shutdown(socket.SHUT_WR)
            except OSError:  # Closed already (a denied client): what it reads says so.
                pass
            return read_to_eof(c)
    return client


def udp_client(send, family=socket.AF_INET):
    def client(address):
        s = socket.socket(family, socket.SOCK_DGRAM)
        with s:
            s.sendto(send, ("::1" if family == socket.AF_INET6 else "127.0.0.1", address[1]))
        return None
    return client


# Each scenario: (name, function(tool, tmpdir) -> Outcome, reference tool, reason it differs or None).
SCENARIOS = []


def scenario(name, ref="nc.openbsd", differs=None):
    def wrap(fn):
        SCENARIOS.append((name, fn, ref, differs))
        return fn
    return wrap
