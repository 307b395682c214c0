"""Differential test: ipckit's nc against netcat-openbsd (nc.openbsd) and ncat.

Each scenario runs the same thing through the reference tool and through
ipckit's nc, with the same Python peer on the other end, and compares what a
script would see: stdout bytes, stderr lines (program name, port numbers and
temporary paths normalised), the exit code, and what the peer received.

A scenario either must agree, or carries the reason it differs (`differs=`);
a listed difference that has gone away fails too, so the table stays true.
The README's "Differences from netcat-openbsd" lists the same reasons.

Usage: nc_diff_test.py PATH_TO_IPCKIT_NC
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

sys.path.insert(0, os.path.dirname(harness.runfile("tools/nc/nc_diff.py")))
from nc_diff import *  # noqa: E402,F401,F403  (tools/nc/nc_diff.py: runs, peers, the scenario table)


# --- Connecting --------------------------------------------------------------

@scenario("tcp: -N sends stdin, half-closes, prints the reply")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-N", "127.0.0.1", str(s.port)], b"hello\n")
    return Outcome(*r, s.observed())


@scenario("tcp: -v reports the connection")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-v", "-N", "127.0.0.1", str(s.port)], b"x")
    return Outcome(*r, s.observed())


@scenario("tcp: -vn reports without service names")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-vn", "-N", "127.0.0.1", str(s.port)], b"x")
    return Outcome(*r, s.observed())


@scenario("tcp: -v localhost names the address it reached")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-v", "-N", "localhost", str(s.port)], b"x")
    return Outcome(*r, s.observed())


@scenario("tcp6: -v ::1")
def _(tool, d):
    s = Server(reply_after_eof, family=socket.AF_INET6, addr=("::1", 0))
    r = run_client(tool, ["-v", "-N", "::1", str(s.port)], b"v6")
    return Outcome(*r, s.observed())


@scenario("tcp: -v refused")
def _(tool, d):
    return Outcome(*run_client(tool, ["-v", "127.0.0.1", str(harness.free_port())]))


@scenario("tcp: refused without -v",
          differs="ipckit says why it failed even without -v (an error is never silent); "
                  "netcat-openbsd prints nothing. Same exit code (1).")
def _(tool, d):
    return Outcome(*run_client(tool, ["127.0.0.1", str(harness.free_port())]))


@scenario("tcp: -q 1 implies -N, so a server that answers at EOF answers")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-q", "1", "127.0.0.1", str(s.port)], b"hi\n")
    return Outcome(*r, s.observed())


@scenario("tcp: -q 0 exits at stdin EOF while the peer holds the connection")
def _(tool, d):
    s = Server(hold_silent(2))
    r = run_client(tool, ["-q", "0", "127.0.0.1", str(s.port)], b"q0")
    return Outcome(*r, s.observed())


@scenario("tcp: -w 1 ends an idle connection")
def _(tool, d):
    s = Server(hold_silent(3))
    r = run_client(tool, ["-w", "1", "127.0.0.1", str(s.port)], None)
    return Outcome(*r, s.observed())


@scenario("tcp: -s 127.0.0.2 binds the source address")
def _(tool, d):
    def peer_host(c):
        host = c.getpeername()[0]
        c.sendall(host.encode() + b"\n")
        return host
    s = Server(peer_host)
    r = run_client(tool, ["-s", "127.0.0.2", "-d", "127.0.0.1", str(s.port)])
    return Outcome(*r, s.observed())


@scenario("tcp: -s and -p bind the source address and port")
def _(tool, d):
    sport = harness.free_port(host="127.0.0.3")

    def peer(c):
        host, port = c.getpeername()[:2]
        c.sendall(b"from %s %s\n" % (host.encode(), b"SOURCE" if port == sport else b"OTHER"))
        return host
    s = Server(peer)
    r = run_client(tool, ["-s", "127.0.0.3", "-p", str(sport), "-d", "127.0.0.1", str(s.port)])
    return Outcome(*r, s.observed())


@scenario("tcp: -w 1 against a full accept queue (connect times out)",
          differs="ipckit exits 3 when the connect timed out (1 for other failures), so a script can tell "
                  "'no answer' from 'refused'; netcat-openbsd exits 1. Same line.")
def _(tool, d):
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(0)
    fillers = []
    for _ in range(16):  # Until SYNs go unanswered.
        c = socket.socket()
        c.settimeout(0.2)
        try:
            c.connect(l.getsockname())
            fillers.append(c)
        except OSError:
            c.close()
            break
    r = run_client(tool, ["-v", "-w", "1", "127.0.0.1", str(l.getsockname()[1])])
    for c in fillers:
        c.close()
    l.close()
    return Outcome(*r)


@scenario("tcp: -s with an address not on this host",
          differs=None)
def _(tool, d):
    return Outcome(*run_client(tool, ["-s", "192.0.2.1", "127.0.0.1", str(harness.free_port())]))


@scenario("tcp: unresolvable host")
def _(tool, d):
    return Outcome(*run_client(tool, ["no-such-host.invalid", "80"]))


@scenario("tcp: -n with a name")
def _(tool, d):
    return Outcome(*run_client(tool, ["-n", "localhost", "80"]))


@scenario("tcp: -4 with an IPv6 address")
def _(tool, d):
    return Outcome(*run_client(tool, ["-4", "::1", "80"]))


@scenario("tcp: -6 with an IPv4 address")
def _(tool, d):
    return Outcome(*run_client(tool, ["-6", "127.0.0.1", "80"]))


@scenario("udp: a datagram and its echo (-w 1)")
def _(tool, d):
    s = Server(udp_echo, kind=socket.SOCK_DGRAM)
    r = run_client(tool, ["-u", "-w", "1", "127.0.0.1", str(s.port)], b"u1")
    return Outcome(*r, s.observed())


@scenario("udp6: a datagram and its echo (-w 1)")
def _(tool, d):
    s = Server(udp_echo, family=socket.AF_INET6, kind=socket.SOCK_DGRAM, addr=("::1", 0))
    r = run_client(tool, ["-u", "-w", "1", "::1", str(s.port)], b"u6")
    return Outcome(*r, s.observed())


@scenario("unix: stream client with -N")
def _(tool, d):
    path = os.path.join(d, "s.sock")
    s = Server(reply_after_eof, family=socket.AF_UNIX, addr=path)
    r = run_client(tool, ["-N", "-U", "s.sock"], b"unix", cwd=d)
    return Outcome(*r, s.observed())


@scenario("unix: datagram client gets the server's reply (-uU -w 1)")
def _(tool, d):
    path = os.path.join(d, "d.sock")
    s = Server(udp_echo, family=socket.AF_UNIX, kind=socket.SOCK_DGRAM, addr=path)
    r = run_client(tool, ["-uU", "-w", "1", "d.sock"], b"u2", cwd=d)
    return Outcome(*r, s.observed())


@scenario("unix: datagram client -v says where it is bound, and removes it")
def _(tool, d):
    path = os.path.join(d, "d.sock")
    s = Server(udp_echo, family=socket.AF_UNIX, kind=socket.SOCK_DGRAM, addr=path)
    out, err, rc = run_client(tool, ["-v", "-uU", "-w", "1", "d.sock"], b"u3", cwd=d)
    bound = re.findall(r"Bound on (\S+)", err)
    left = [p for p in bound if os.path.exists(p.replace("TMP", "/tmp"))]
    return Outcome(out, err, rc, (s.observed(), left))


@scenario("unix: no such socket")
def _(tool, d):
    return Outcome(*run_client(tool, ["-U", "nosuch.sock"], cwd=d))


# --- Scanning ----------------------------------------------------------------

def two_open_one_closed():
    a, b = Server(lambda c: None), Server(lambda c: None)
    return a, b, harness.free_port()


@scenario("scan: -zv over several port arguments")
def _(tool, d):
    a, b, closed = two_open_one_closed()
    r = run_client(tool, ["-zv", "127.0.0.1", str(a.port), str(closed), str(b.port)])
    return Outcome(*r)


@scenario("scan: -z without -v is silent, exit 1 when all are closed")
def _(tool, d):
    return Outcome(*run_client(tool, ["-z", "127.0.0.1", str(harness.free_port()), str(harness.free_port())]))


@scenario("scan: -z without -v, one open: exit 0")
def _(tool, d):
    a, b, closed = two_open_one_closed()
    return Outcome(*run_client(tool, ["-z", "127.0.0.1", str(closed), str(a.port)]))


@scenario("scan: a reversed range scans ascending")
def _(tool, d):
    a = Server(lambda c: None)
    r = run_client(tool, ["-zv", "127.0.0.1", f"{a.port + 1}-{a.port}"])
    # The port above the open one is closed unless something else holds it.
    return Outcome(r[0], r[1], r[2])


@scenario("scan: -zv an unresolvable host")
def _(tool, d):
    return Outcome(*run_client(tool, ["-zv", "no-such-host.invalid", "80"]))


@scenario("scan: -uzv an open UDP port")
def _(tool, d):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with s:
        return Outcome(*run_client(tool, ["-uzv", "-w", "1", "127.0.0.1", str(s.getsockname()[1])]))


@scenario("scan: -zU an existing Unix socket")
def _(tool, d):
    path = os.path.join(d, "z.sock")
    Server(lambda c: None, family=socket.AF_UNIX, addr=path)
    return Outcome(*run_client(tool, ["-zU", "z.sock"], cwd=d))


# --- Listening ---------------------------------------------------------------

@scenario("listen: tcp -lv prints Listening on and Connection received on, then the bytes")
def _(tool, d):
    return listen_run(tool, ["-lv", "127.0.0.1", "0"], tcp_client(b"to the listener\n"))


@scenario("listen: tcp -lvn numeric")
def _(tool, d):
    return listen_run(tool, ["-lvn", "127.0.0.1", "0"], tcp_client(b"n"))


@scenario("listen: tcp -lvN sends stdin back and half-closes")
def _(tool, d):
    return listen_run(tool, ["-lvN", "127.0.0.1", "0"], tcp_client(b"up", shut=False), stdin=b"down\n")


@scenario("listen: tcp6 -lv ::1")
def _(tool, d):
    return listen_run(tool, ["-lv", "::1", "0"], tcp_client(b"six", family=socket.AF_INET6))


@scenario("listen: -lkv serves clients one after another")
def _(tool, d):
    def two(address):
        return (tcp_client(b"a1\n")(address), tcp_client(b"a2\n")(address))
    return listen_run(tool, ["-lkv", "127.0.0.1", "0"], two, stop_when=lambda b: b == b"a1\na2\n")


@scenario("listen: udp -luv prints Bound on and Connection received on")
def _(tool, d):
    return listen_run(tool, ["-luv", "127.0.0.1", "0"], udp_client(b"dgram\n"),
                      stop_when=lambda b: b == b"dgram\n")


@scenario("listen: udp6 -luv ::1")
def _(tool, d):
    return listen_run(tool, ["-luv", "::1", "0"], udp_client(b"d6\n", socket.AF_INET6),
                      stop_when=lambda b: b == b"d6\n")


@scenario("listen: udp -lukv takes datagrams from several senders")
def _(tool, d):
    def two(address):
        udp_client(b"k1\n")(address)
        udp_client(b"k2\n")(address)
    return listen_run(tool, ["-lukv", "127.0.0.1", "0"], two, stop_when=lambda b: b == b"k1\nk2\n")


@scenario("listen: unix stream -lUv")
def _(tool, d):
    r = listen_run(tool, ["-lUv", "s.sock"], lambda path: tcp_unix_client(os.path.join(d, path), b"over unix\n"),
                   cwd=d)
    if os.path.exists(os.path.join(d, "s.sock")):
        os.unlink(os.path.join(d, "s.sock"))
    return r


@scenario("listen: unix datagram -lUuv")
def _(tool, d):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # Open until the listener has read.

    def client(path):
        c.bind(os.path.join(d, "client.sock"))
        c.sendto(b"dg over unix\n", os.path.join(d, path))
    r = listen_run(tool, ["-lUuv", "d.sock"], client, cwd=d, stop_when=lambda b: b == b"dg over unix\n")
    c.close()
    if os.path.exists(os.path.join(d, "d.sock")):
        os.unlink(os.path.join(d, "d.sock"))
    return r


@scenario("listen: -lv PORT without a host",
          differs="ipckit listens dual-stack on [::] (IPv4 clients too) and says 'Listening on :: PORT'; "
                  "netcat-openbsd listens on 0.0.0.0 only")
def _(tool, d):
    return listen_run(tool, ["-lv", "0"], tcp_client(b"any"))


@scenario("listen: -l on an address not on this host",
          differs="ipckit names the call and address ('bind 192.0.2.1:PORT: Cannot assign requested address'); "
                  "netcat-openbsd prints only the errno text")
def _(tool, d):
    return Outcome(*run_client(tool, ["-l", "192.0.2.1", "0"]))


@scenario("listen: a Unix listener's path after it exits",
          differs="ipckit removes the socket path it created when it exits (and never takes over a live "
                  "server's path); netcat-openbsd leaves it behind")
def _(tool, d):
    def client(path):
        return tcp_unix_client(os.path.join(d, path), b"bye\n")
    o = listen_run(tool, ["-lUv", "gone.sock"], client, cwd=d)
    return Outcome(o.out, o.err, o.rc, os.path.exists(os.path.join(d, "gone.sock")))


def tcp_unix_client(path, send):
    c = socket.socket(socket.AF_UNIX)
    with c:
        c.connect(path)
        c.sendall(send)
        c.shutdown(socket.SHUT_WR)
        return read_to_eof(c)


# --- Usage -------------------------------------------------------------------

@scenario("usage: -c",
          differs="-c means TLS in OpenBSD's nc, 'sh -c' in ncat and nothing in Debian's (an invalid option, "
                  "exit 1); ipckit says which option to use instead (--ssl, --sh-exec), exit 2")
def _(tool, d):
    return Outcome(*run_client(tool, ["-c", "cat", "127.0.0.1", "80"]))


@scenario("usage: -t (telnet negotiation)",
          differs="netcat-openbsd answers TELNET negotiation with -t; ipckit rejects -t (exit 2) rather than "
                  "relay bytes a script did not send")
def _(tool, d):
    s = Server(reply_after_eof)
    r = run_client(tool, ["-t", "-N", "127.0.0.1", str(s.port)], b"t")
    s.sock.close()
    return Outcome(*r)


@scenario("usage: -k without -l",
          differs="usage errors exit 2 with ipckit's message and 'Try nc --help' (every ipckit tool); "
                  "netcat-openbsd exits 1 ('must use -l with -k')")
def _(tool, d):
    return Outcome(*run_client(tool, ["-k", "127.0.0.1", "80"]))


@scenario("usage: missing port",
          differs="same words, but usage errors exit 2 and add \"Try 'nc --help'.\" (every ipckit tool); "
                  "netcat-openbsd exits 1")
def _(tool, d):
    return Outcome(*run_client(tool, ["127.0.0.1"]))


# --- ncat's long options, against ncat ----------------------------------------

def ncat_quiet(o):
    """ncat's stderr is its own ('Ncat: ...'): compare bytes, exit code, peer."""
    return Outcome(o.out, "", o.rc, o.peer)


@scenario("ncat: --ipv4 --nodns", ref="ncat")
def _(tool, d):
    s = Server(reply_after_eof)
    # ncat 7.93 spells these -4 and -6 (later ncats add --ipv4/--ipv6); ncat half-closes at EOF.
    flags = ["--ipv4", "--nodns", "-N"] if tool == NC else ["-4", "--nodns"]
    r = run_client(tool, flags + ["127.0.0.1", str(s.port)], b"ncat4")
    return ncat_quiet(Outcome(*r, s.observed()))


@scenario("ncat: --ipv6", ref="ncat")
def _(tool, d):
    s = Server(reply_after_eof, family=socket.AF_INET6, addr=("::1", 0))
    flags = ["--ipv6", "-N"] if tool == NC else ["-6"]
    r = run_client(tool, flags + ["::1", str(s.port)], b"ncat6")
    return ncat_quiet(Outcome(*r, s.observed()))


def session_log_run(tool, d, flags):
    files = [os.path.join(d, n) for n in ("o.txt", "h.txt")]
    for f in files:
        if os.path.exists(f):
            os.unlink(f)
    port = harness.free_port()
    o = listen_run(tool, ["-lv", "127.0.0.1", str(port), "--output", files[0], "--hex-dump", files[1]] + flags,
                   tcp_client(b"hello world\nsecond line is longer than sixteen\n", shut=True), stdin=None,
                   port=port)
    logs = tuple(open(f, "rb").read() for f in files)
    return Outcome(o.out, "", o.rc, (o.peer, logs))


@scenario("ncat: --output and --hex-dump on a listener", ref="ncat")
def _(tool, d):
    return session_log_run(tool, d, [])


@scenario("ncat: --allow lets a listed client in", ref="ncat")
def _(tool, d):
    port = harness.free_port()
    o = listen_run(tool, ["-lv", "127.0.0.1", str(port), "--allow", "127.0.0.1"], tcp_client(b"allowed\n"),
                   port=port)
    return ncat_quiet(o)


@scenario("ncat: --deny closes a listed client", ref="ncat")
def _(tool, d):
    port = harness.free_port()
    o = listen_run(tool, ["-lkv", "127.0.0.1", str(port), "--deny", "127.0.0.0/8"],
                   lambda a: (tcp_client(b"denied\n")(a), tcp_client(b"again\n")(a)),
                   stop_when=lambda b: True, port=port)
    return ncat_quiet(o)


def read_line(c):
    c.settimeout(DEADLINE)
    data = b""
    while not data.endswith(b"\n"):
        b = c.recv(4096)
        if not b:
            break
        data += b
    return data


@scenario("ncat: -lk --sh-exec serves clients at once", ref="ncat")
def _(tool, d):
    def concurrent(address):
        conns = [socket.create_connection(("127.0.0.1", address[1]), timeout=DEADLINE) for _ in range(5)]
        for i, c in enumerate(conns):  # All five connected before any is answered.
            c.sendall(b"client %d\n" % i)
        got = tuple(read_line(c) for c in conns)
        for c in conns:
            c.close()
        return got
    port = harness.free_port()
    o = listen_run(tool, ["-lkv", "127.0.0.1", str(port), "--sh-exec", "cat"], concurrent,
                   stop_when=lambda b: True, port=port)
    return ncat_quiet(o)


@scenario("ncat: -lk --sh-exec, a client that half-closes gets the child's reply", ref="ncat",
          differs="ncat ends the session at the client's EOF and drops what the child still writes "
                  "(the client gets nothing); ipckit closes the child's stdin and relays its output to the end")
def _(tool, d):
    port = harness.free_port()
    o = listen_run(tool, ["-lkv", "127.0.0.1", str(port), "--sh-exec", "cat"], tcp_client(b"half\n"),
                   stop_when=lambda b: True, port=port)
    return ncat_quiet(o)


@scenario("ncat: --max-conns 1 with -lk --sh-exec closes a second client while the first is served", ref="ncat")
def _(tool, d):
    def two(address):
        first = socket.create_connection(("127.0.0.1", address[1]), timeout=DEADLINE)
        first.sendall(b"first\n")
        got_first = read_line(first)  # Served: its child is running.
        second = tcp_client(b"second\n")(address)
        first.close()
        return (got_first, second)
    port = harness.free_port()
    o = listen_run(tool, ["-lkv", "127.0.0.1", str(port), "--max-conns", "1", "--sh-exec", "cat"], two,
                   stop_when=lambda b: True, port=port)
    return ncat_quiet(o)


@scenario("ncat: --delay paces the lines sent", ref="ncat")
def _(tool, d):
    s = Server(reply_after_eof)
    start = time.time()
    flags = ["-N"] if tool == NC else []
    r = run_client(tool, flags + ["--delay", "200ms", "127.0.0.1", str(s.port)], b"a\nb\nc\n")
    paced = time.time() - start >= 0.4  # Two pauses between three lines.
    return ncat_quiet(Outcome(*r, (s.observed(), paced)))


@scenario("ncat: --append-output keeps the earlier session's log", ref="ncat")
def _(tool, d):
    log = os.path.join(d, "a.txt")
    for word in (b"one\n", b"two\n"):
        s = Server(reply_after_eof)
        flags = ["-N"] if tool == NC else []
        run_client(tool, flags + ["--append-output", "--output", log, "127.0.0.1", str(s.port)], word)
        s.observed()
    return Outcome(open(log, "rb").read(), "", 0)


@scenario("ncat: --idle-timeout ends an idle connection with exit 1", ref="ncat")
def _(tool, d):
    s = Server(hold_silent(3))
    r = run_client(tool, ["--idle-timeout", "1", "127.0.0.1", str(s.port)],
                   None if tool == NC else b"")
    return ncat_quiet(Outcome(*r, s.observed()))


def short_tmpdir():
    """$TEST_TMPDIR, unless Unix socket paths under it would be too long (108 bytes)."""
    t = os.environ.get("TEST_TMPDIR")
    return t if t and len(t) < 60 else None


class DiffTest(unittest.TestCase):
    def test_scenarios(self):
        failures, agree, differ = [], 0, 0
        for name, fn, ref, differs in SCENARIOS:
            results = []
            for tool in (ref, NC):
                with tempfile.TemporaryDirectory(dir=short_tmpdir()) as d:
                    try:
                        results.append(fn(tool, d))
                    except Exception as e:  # A scenario that cannot run is a failure, not a skip.
                        results.append(Outcome(None, f"scenario raised {e!r}", None))
            raised = [r.err for r in results if r.out is None and "scenario raised" in (r.err or "")]
            if raised:  # Agreeing on an exception proves nothing.
                failures.append(f"{name}: the scenario itself failed: {raised}")
            same = results[0].key() == results[1].key()
            agree += same
            differ += not same
            status = "same" if same else "DIFFERS"
            print(f"{status:8} {name}  [vs {ref}]", flush=True)
            if not same or differs:
                print(f"    {ref}: {results[0]}\n    ipckit: {results[1]}", flush=True)
            if not same and not differs:
                failures.append(f"{name}: differs from {ref} with no reason written down\n"
                                f"  {ref}: {results[0]}\n  ipckit: {results[1]}")
            if same and differs:
                failures.append(f"{name}: listed as a difference ({differs}) but the two now agree")
        print(f"{len(SCENARIOS)} scenarios: {agree} agree, {differ} differ (each with its reason)")
        self.assertGreaterEqual(len(SCENARIOS), 30)
        self.assertEqual(failures, [], "\n".join(failures))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
