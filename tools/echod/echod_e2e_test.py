"""echod end to end, with real clients (nc.openbsd, ncat, socat, Python
sockets)."""

import errno
import hashlib
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

import harness

ECHOD = harness.runfile("tools/echod/echod")
DEADLINE = 20


def echod(*args, listeners=1):
    return harness.serve([ECHOD] + list(args), listeners, deadline=DEADLINE)


def dial(addr, kind=socket.SOCK_STREAM):
    """A socket connected to "HOST:PORT", "[V6]:PORT", a path or @abstract."""
    if addr.startswith(("/", "@")):
        s = socket.socket(socket.AF_UNIX, kind)
        s.settimeout(DEADLINE)
        s.connect("\0" + addr[1:] if addr.startswith("@") else addr)
        return s
    host, port = addr.rsplit(":", 1)
    host = host.strip("[]")
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind)
    s.settimeout(DEADLINE)
    s.connect((host, int(port)))
    return s


def read_to_end(s):
    out = bytearray()
    while True:
        b = s.recv(1 << 20)
        if not b:
            return bytes(out)
        out += b


def round_trip(addr, data):
    """Sends `data` on a new connection, half-closes, and returns everything
    echoed until EOF (read while sending: a big `data` never deadlocks)."""
    if isinstance(data, str):
        data = data.encode()
    s = dial(addr)
    got = []
    reader = threading.Thread(target=lambda: got.append(read_to_end(s)))
    reader.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reader.join(DEADLINE)
    s.close()
    return got[0] if got else None


def readable_within(s, seconds):
    return bool(select.select([s], [], [], seconds)[0])


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


class EchodE2eTest(harness.TestCase):
    def test_every_transport(self):
        with tempfile.TemporaryDirectory() as d:
            abstract = f"@echod-test-{os.getpid()}"
            s = echod("--workers=2", "-l", "127.0.0.1:0", "-l", "[::1]:0", "-u", "127.0.0.1:0",
                      "-U", f"{d}/s.sock", "--unix-dgram", f"{d}/d.sock", "-U", abstract, listeners=6)
            a = s.addresses
            self.assertRegex(a[0], r"^127\.0\.0\.1:[1-9][0-9]*$")
            self.assertRegex(a[1], r"^\[::1\]:[1-9][0-9]*$")
            self.assertEqual(round_trip(a[0], "tcp4"), b"tcp4")
            self.assertEqual(round_trip(a[1], "tcp6"), b"tcp6")
            # Listeners print in the order -l, -u, -U, --unix-dgram.
            self.assertEqual(a[4], abstract)
            self.assertEqual(round_trip(a[3], "unix"), b"unix")
            self.assertEqual(round_trip(a[4], "abstract"), b"abstract")

            u = dial(a[2], socket.SOCK_DGRAM)
            u.send(b"udp")
            self.assertTrue(readable_within(u, DEADLINE))
            self.assertEqual(len(u.recv(100)), 3)

            # A Unix datagram client must bind a name to get a reply.
            c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            c.bind(f"{d}/client.sock")
            c.sendto(b"dgram", a[5])
            self.assertTrue(readable_within(c, DEADLINE))
            self.assertEqual(len(c.recv(100)), 5)

            s.signal(signal.SIGTERM)
            self.assertEqual(s.wait(DEADLINE), 0)
            self.assertFalse(os.path.lexists(f"{d}/s.sock"), "socket path left behind")

    def test_real_clients(self):
        port = harness.port_of(echod("-l", "127.0.0.1:0", "--workers=1").addresses[0])
        for argv in (["nc.openbsd", "-N", "127.0.0.1", port], ["ncat", "127.0.0.1", port],
                     ["socat", "-", f"TCP:127.0.0.1:{port}"]):
            p = harness.start(argv, stdin="line one\nline two\n")
            self.assertEqual(p.wait(DEADLINE), 0, argv[0])
            self.assertEqual(p.out, "line one\nline two\n", argv[0])

    def test_half_close_gets_data_then_eof(self):
        port = harness.port_of(echod("-l", "127.0.0.1:0").addresses[0])
        p = harness.start(["sh", "-c", f"printf x | nc.openbsd -N 127.0.0.1 {port}"])
        self.assertEqual(p.wait(DEADLINE), 0)
        self.assertEqual(p.out, "x")

    def test_hundred_concurrent_clients_get_their_own_bytes(self):
        s = echod("-l", "[::1]:0", "--workers=2")
        socks = [dial(s.addresses[0]) for _ in range(100)]
        sent = [harness.test_bytes(16 * 1024, i) for i in range(100)]
        for c, data in zip(socks, sent):
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
        for i, c in enumerate(socks):
            self.assertTrue(read_to_end(c) == sent[i], f"client {i}")

    def duplex_stream(self, flags, total):
        """Streams `total` bytes both ways at once through echod started with
        `flags` and checks the SHA-256 of what comes back."""
        s = echod(*flags, "-l", "127.0.0.1:0", "--workers=1")
        c = dial(s.addresses[0])
        chunk = harness.test_bytes(1 << 20, 7)

        def write():
            for _ in range(total // len(chunk)):
                c.sendall(chunk)
            c.shutdown(socket.SHUT_WR)
        writer = threading.Thread(target=write)
        writer.start()
        want, got, n = hashlib.sha256(), hashlib.sha256(), 0
        for _ in range(total // len(chunk)):
            want.update(chunk)
        buf = bytearray(1 << 20)
        while True:
            k = c.recv_into(buf)
            if k == 0:
                break
            got.update(memoryview(buf)[:k])
            n += k
        writer.join()
        self.assertEqual(n, total)
        self.assertEqual(got.hexdigest(), want.hexdigest())

    def test_full_duplex_stream_256mib(self):
        self.duplex_stream([], 256 << 20)  # Copies.

    def test_full_duplex_stream_spliced(self):
        self.duplex_stream(["--splice", "--buffer=256K"], 64 << 20)

    def test_slow_reader_does_not_grow_memory(self):
        s = echod("-l", "127.0.0.1:0", "--workers=1")
        c = dial(s.addresses[0])
        before = rss_kib(s.pid)
        c.setblocking(False)
        chunk, pushed = b"z" * (256 * 1024), 0
        end = time.monotonic() + 2
        while time.monotonic() < end:  # Push without ever reading the echo.
            try:
                pushed += c.send(chunk)
            except BlockingIOError:
                select.select([], [c], [], 0.02)
        after = rss_kib(s.pid)
        # Kernel socket buffers plus at most one kept buffer (64 KiB) in echod.
        self.assertLess(pushed, 32 << 20)
        self.assertLess(after - before, 4 * 1024, f"{before} KiB -> {after} KiB")

    def test_max_conns_closes_the_excess_cleanly(self):
        s = echod("-l", "127.0.0.1:0", "--max-conns=1", "--workers=1")
        first = dial(s.addresses[0])
        first.sendall(b"a")
        self.assertEqual(first.recv(1), b"a")  # Now surely active.
        second = dial(s.addresses[0])
        self.assertEqual(read_to_end(second), b"")  # EOF, not a reset.
        s.signal(signal.SIGUSR1)
        self.assertIn("accepted=2 active=1 rejected=1", s.wait_for_line("err", "stats:"))

    def test_idle_timeout_closes_idle_connections(self):
        s = echod("-l", "127.0.0.1:0", "--idle-timeout=200ms", "--workers=1")
        c = dial(s.addresses[0])
        start = time.monotonic()
        self.assertEqual(read_to_end(c), b"")
        self.assertGreaterEqual(time.monotonic() - start, 0.2)
        self.assertLess(time.monotonic() - start, 5)

    def test_sigterm_drains_and_exits_zero_with_stats(self):
        s = echod("-l", "127.0.0.1:0", "--drain-timeout=300ms", "--json", "--workers=1")
        idle = dial(s.addresses[0])
        self.assertEqual(round_trip(s.addresses[0], "12345"), b"12345")
        s.signal(signal.SIGTERM)
        start = time.monotonic()
        self.assertEqual(s.wait(DEADLINE), 0)
        self.assertLess(time.monotonic() - start, 5)
        self.assertIn('{"accepted":2,"active":0,"rejected":0,"bytes_in":5,"bytes_out":5', s.err)
        self.assertEqual(read_to_end(idle), b"")  # Closed at the drain deadline.

    def test_a_drain_refuses_new_clients_at_once(self):
        # lib/server's drain, shared with relay: the listener stops listening
        # while a live connection still echoes.
        s = echod("-l", "127.0.0.1:0", "--drain-timeout=10s", "--workers=2")
        live = dial(s.addresses[0])
        live.sendall(b"a")
        self.assertEqual(live.recv(1), b"a")
        s.signal(signal.SIGTERM)
        host, port = s.addresses[0].rsplit(":", 1)
        refused = False
        start = time.monotonic()
        while time.monotonic() - start < 3 and not refused:
            with socket.socket() as late:
                refused = late.connect_ex((host, int(port))) == errno.ECONNREFUSED
            time.sleep(0.02)
        self.assertTrue(refused, "a new client was accepted during the drain")
        live.sendall(b"b")
        self.assertEqual(live.recv(1), b"b")  # The live one is still served.
        live.close()
        self.assertEqual(s.wait(DEADLINE), 0)

    def test_port_file_and_ready_fd(self):
        with tempfile.TemporaryDirectory() as d:
            fifo, pf = f"{d}/ready", f"{d}/ports"
            os.mkfifo(fifo, 0o600)
            p = harness.start(["sh", "-c", f"exec {ECHOD} -l 127.0.0.1:0 -u 127.0.0.1:0 --port-file {pf} "
                               f"--ready-fd 3 3>{fifo}"])
            ready = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            self.assertTrue(select.select([ready], [], [], DEADLINE)[0])
            self.assertEqual(len(os.read(ready, 1)), 1)
            os.close(ready)
            tcp, udp = open(pf).read().split("\n")[:2]  # Written before the ready byte.
            self.assertTrue(udp)
            self.assertEqual(round_trip(f"127.0.0.1:{tcp}", "via port file"), b"via port file")
            self.assertEqual(p.wait_for_listening("out"), f"127.0.0.1:{tcp}")

    def test_socket_activation(self):
        script = """
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
fd = s.detach()
if fd != 3:
    os.dup2(fd, 3); os.close(fd)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[1], [sys.argv[1], "--workers=1"])
"""
        p = harness.serve([sys.executable, "-c", script, ECHOD])
        self.assertEqual(round_trip(p.addresses[0], "activated"), b"activated")

    def test_udp_preserves_sizes_up_to_65507(self):
        u = dial(echod("-u", "127.0.0.1:0").addresses[0], socket.SOCK_DGRAM)
        for size in (0, 1, 1472, 9000, 65507):
            d = harness.test_bytes(size, size)
            self.assertEqual(u.send(d), size)
            self.assertTrue(readable_within(u, DEADLINE))
            self.assertTrue(u.recv(70000) == d, size)

    def test_udp_on_wildcard_replies_from_the_address_used(self):
        port = int(harness.port_of(echod("-u", ":0").addresses[0]))  # Dual-stack wildcard.
        for dst in ("127.0.0.1", "127.0.0.2", "::1"):
            # Unconnected, so a reply from another source address would still arrive; check its source.
            u = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(b"hi", (dst, port))
            self.assertTrue(readable_within(u, DEADLINE))
            data, frm = u.recvfrom(8)
            self.assertEqual(data, b"hi")
            self.assertEqual(frm[0], dst)

    def test_fault_delay(self):
        s = echod("-l", "127.0.0.1:0", "--delay=200ms")
        start = time.monotonic()
        self.assertEqual(round_trip(s.addresses[0], "slow"), b"slow")
        self.assertGreaterEqual(time.monotonic() - start, 0.2)

    def test_fault_chunk_keeps_bytes_intact(self):
        data = harness.test_bytes(100000, 3)
        self.assertTrue(round_trip(echod("-l", "127.0.0.1:0", "--chunk=3").addresses[0], data) == data)

    def test_fault_close_after(self):
        c = dial(echod("-l", "127.0.0.1:0", "--close-after=5").addresses[0])
        c.sendall(b"0123456789")
        self.assertEqual(read_to_end(c), b"01234")

    def test_fault_rst(self):
        c = dial(echod("-l", "127.0.0.1:0", "--close-after=5", "--rst").addresses[0])
        c.sendall(b"0123456789")
        with self.assertRaises(ConnectionResetError):
            read_to_end(c)

    def test_fault_drop_rate(self):
        s = echod("-u", "127.0.0.1:0", "--drop-rate=1")
        u = dial(s.addresses[0], socket.SOCK_DGRAM)
        u.send(b"lost")
        self.assertFalse(readable_within(u, 0.3))
        s.signal(signal.SIGUSR1)
        self.assertIn("dropped=1", s.wait_for_line("err", "stats:"))

    def test_small_services(self):
        self.assertEqual(round_trip(echod("-l", "127.0.0.1:0", "--service=discard").addresses[0], "gone"), b"")
        line = read_to_end(dial(echod("-l", "127.0.0.1:0", "--service=daytime").addresses[0])).decode()
        self.assertRegex(line, r"^[A-Z][a-z]+day, [A-Z][a-z]+ [0-9]+, [0-9]{4} [0-9:]{8}-UTC\r\n\Z")
        c = dial(echod("-l", "127.0.0.1:0", "--service=chargen").addresses[0])
        buf = b""
        while len(buf) < 148:
            buf += c.recv(148 - len(buf))
        self.assertEqual(buf[:74], b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n")
        self.assertEqual(buf[74:], b"\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\r\n")

    def test_usage_errors(self):
        p = harness.start([ECHOD], stdin="")
        self.assertEqual(p.wait(DEADLINE), 2)
        self.assertEqual(p.err, "echod: no listeners: give -l, -u, -U or --unix-dgram (or LISTEN_FDS)\n"
                                "Try 'echod --help'.\n")
        p = harness.start([ECHOD, "-l", "nonsense"], stdin="")
        self.assertEqual(p.wait(DEADLINE), 2)
        self.assertEqual(p.err, "echod: invalid listener 'nonsense': expected HOST:PORT or [IPV6]:PORT\n"
                                "Try 'echod --help'.\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
