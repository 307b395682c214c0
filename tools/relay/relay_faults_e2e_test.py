"""relay's faults end to end (--fault, the control socket's fault table,
datagram faults), each measured from the client side against echod on
loopback. The helpers and peers are relay_peers.py's.
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

import harness  # noqa: E402

sys.path.insert(0, os.path.dirname(harness.runfile("tools/relay/relay_peers.py")))
from relay_peers import *  # noqa: E402,F401,F403  (tools/relay/relay_peers.py: the shared helpers and peers)


class Faults(unittest.TestCase):
    def setUp(self):
        self.echo = echod()
        self.addCleanup(self.echo.stop)
        self.ctl = os.path.join(tempfile.mkdtemp(), "ctl.sock")

    def relay(self, *faults, extra=()):
        args = ["127.0.0.1:0", self.echo.addresses[0], "--control", self.ctl, "--json"] + list(extra)
        for f in faults:
            args += ["--fault", f]
        r = relay(*args)
        self.addCleanup(r.stop)
        return r

    def test_latency_with_jitter(self):
        r = self.relay("latency 200ms jitter=20ms")
        with connect(r) as s:
            times = [rtt(s, 1) for _ in range(8)]
        for t in times:
            self.assertGreaterEqual(t, 0.180)
            self.assertLess(t, 0.240)  # 200ms +- 20ms jitter, plus loopback and scheduling.

    def test_latency_delays_without_throttling(self):
        # toxiproxy queues chunks for their latency without a window; with a
        # queue bounded by --buffer (256K) 8 MiB took 3.2 s through 100ms.
        data = os.urandom(8 << 20)

        def through(*args):
            r = relay("127.0.0.1:0", self.echo.addresses[0], *args)
            self.addCleanup(r.stop)
            with connect(r) as s:
                threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
                start = time.monotonic()
                got = harness.recv_all(s)
                return got, time.monotonic() - start
        got, plain = through()
        self.assertEqual(got, data)
        got, delayed = through("--fault", "latency 100ms")  # Downstream, toxiproxy's default.
        self.assertEqual(got, data)
        self.assertGreaterEqual(delayed, 0.1)
        self.assertLess(delayed, 0.5, (plain, delayed))
        # A bound still holds: past --latency-buffer the window slows the sender.
        got, bounded = through("--fault", "latency 100ms", "--latency-buffer", "1M")
        self.assertEqual(got, data)
        self.assertGreater(bounded, 0.6, (plain, delayed, bounded))  # 8 MiB / (1 MiB per 100ms): 0.8 s.

    def test_bandwidth_within_ten_percent(self):
        r = self.relay("bandwidth 1M")
        data = os.urandom(1 << 20)
        with connect(r) as s:
            threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
            start = time.monotonic()
            got = harness.recv_all(s)
            took = time.monotonic() - start
        self.assertEqual(got, data)
        self.assertGreater(took, 0.9)
        self.assertLess(took, 1.1)

    def test_slicer_delivers_pieces_apart(self):
        r = self.relay("slicer 10 delay=20ms")
        with connect(r) as s:
            s.sendall(b"0123456789" * 10)
            start = time.monotonic()
            sizes = []
            got = b""
            while len(got) < 100:
                b = s.recv(1000)
                sizes.append(len(b))
                got += b
            took = time.monotonic() - start
        self.assertEqual(got, b"0123456789" * 10)
        self.assertLessEqual(max(sizes), 10)
        self.assertGreater(took, 0.17)

    def test_limit_data_is_exact_to_the_byte(self):
        r = self.relay("limit-data 1000")
        with connect(r) as s:
            s.sendall(os.urandom(5000))
            self.assertEqual(len(harness.recv_all(s)), 1000)
        code, st = stats(r)
        self.assertEqual(st["fault_limits"], 1)

    def test_limit_data_can_end_with_a_reset(self):
        r = self.relay("limit-data 10 close=reset")
        with self.assertRaises(ConnectionResetError):
            with connect(r) as s:
                s.sendall(os.urandom(5000))
                harness.recv_all(s)

    def test_reset_peer_is_seen_as_econnreset(self):
        r = self.relay("reset-peer 300ms")
        with connect(r) as s:
            s.sendall(b"a")
            self.assertEqual(recv_n(s, 1), b"a")
            start = time.monotonic()
            with self.assertRaises(ConnectionResetError):
                s.recv(1)
            self.assertGreater(time.monotonic() - start, 0.2)

    def test_timeout_holds_the_connection_with_no_bytes(self):
        r = self.relay("timeout 0")
        with connect(r, timeout=1.0) as s:
            s.sendall(b"nothing comes back")
            with self.assertRaises(socket.timeout):
                s.recv(1)  # Open, and silent.
        control(self.ctl, "fault rm timeout")
        control(self.ctl, "fault add timeout 300ms")
        with connect(r) as s:
            s.sendall(b"x")
            start = time.monotonic()
            self.assertEqual(harness.recv_all(s), b"")
            self.assertGreater(time.monotonic() - start, 0.25)

    def test_slow_close_delays_the_eof(self):
        r = self.relay("slow-close 400ms")
        with connect(r) as s:
            s.sendall(b"bye")
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(recv_n(s, 3), b"bye")
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"")
            self.assertGreater(time.monotonic() - start, 0.35)

    def test_down_stall_and_up(self):
        r = self.relay()
        self.assertEqual(control(self.ctl, "down"), "ok")
        with self.assertRaises(ConnectionResetError):  # On loopback the RST may beat connect's return.
            with connect(r) as s:
                s.recv(1)
        self.assertEqual(control(self.ctl, "down close"), "ok")
        with connect(r) as s:
            self.assertEqual(s.recv(1), b"")
        self.assertEqual(control(self.ctl, "stall"), "ok")
        s = connect(r, timeout=0.5)  # The kernel completes it: it waits in the backlog.
        s.sendall(b"w")
        with self.assertRaises(socket.timeout):
            s.recv(1)
        self.assertEqual(control(self.ctl, "up"), "ok")
        s.settimeout(DEADLINE)
        self.assertEqual(recv_n(s, 1), b"w")
        s.close()
        st = json.loads(control(self.ctl, "stats"))
        self.assertEqual(st["refused"], 2)

    def test_a_control_client_that_never_reads_blocks_nothing(self):
        # (yes stats; sleep 60) | socat -u - UNIX-CONNECT:ctl.sock blocked
        # every other control client, SIGUSR1 and SIGTERM (issue 27).
        r = self.relay()
        hog = socket.socket(socket.AF_UNIX)
        hog.connect(self.ctl)
        hog.setblocking(False)
        sent = 0
        try:
            while sent < (8 << 20):
                sent += hog.send(b"stats\n" * 1000)
        except BlockingIOError:
            pass
        start = time.monotonic()
        self.assertTrue(control(self.ctl, "stats").startswith("{"))
        self.assertIsNotNone(control_stats(r))  # SIGUSR1 answered.
        self.assertLess(time.monotonic() - start, 5)
        code, err = r.stop()
        self.assertEqual(code, 0, err)
        hog.close()

    def test_control_changes_faults_on_live_connections(self):
        r = self.relay()
        with connect(r) as s:
            self.assertLess(rtt(s), 0.05)
            self.assertEqual(control(self.ctl, "fault add latency 150ms dir=up"), "ok latency")
            self.assertGreater(rtt(s), 0.14)
            self.assertEqual(json.loads(control(self.ctl, "fault list"))[0]["dir"], "up")
            self.assertEqual(control(self.ctl, "fault rm latency"), "ok")
            self.assertLess(rtt(s), 0.05)

    def test_probability_picks_some_connections(self):
        r = self.relay("latency 100ms p=0.5")
        slow = 0
        for _ in range(30):
            with connect(r) as s:
                slow += rtt(s, 1) > 0.09
        self.assertGreater(slow, 3)
        self.assertLess(slow, 27)



class DatagramFaults(unittest.TestCase):
    """Faults on udp: sessions, measured by a client: what tc netem does,
    without root or a network namespace."""

    def setUp(self):
        self.echo = harness.serve([ECHOD, "-u", "127.0.0.1:0"])
        self.addCleanup(self.echo.stop)
        self.ctl = os.path.join(tempfile.mkdtemp(), "ctl.sock")

    def relay(self, *faults):
        args = ["udp:127.0.0.1:0", f"udp:{self.echo.addresses[0]}", "--control", self.ctl, "--json"]
        for f in faults:
            args += ["--fault", f]
        r = relay(*args)
        self.addCleanup(r.stop)
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(c.close)
        c.connect(("127.0.0.1", r.port()))
        return r, c

    def replies(self, c, quiet=0.5):
        """Every datagram that comes back until none has for `quiet` seconds."""
        out = []
        c.settimeout(quiet)
        try:
            while True:
                out.append(c.recv(65536))
        except socket.timeout:
            return out

    def test_latency_with_jitter_per_datagram(self):
        r, c = self.relay("latency 200ms jitter=20ms")
        c.settimeout(DEADLINE)
        for i in range(5):
            start = time.monotonic()
            c.send(b"ping %d" % i)
            self.assertEqual(c.recv(100), b"ping %d" % i)
            took = time.monotonic() - start
            self.assertGreaterEqual(took, 0.180)
            self.assertLess(took, 0.300)

    def test_loss_drops_its_share(self):
        r, c = self.relay("loss 50% dir=up")
        got = []
        reader = threading.Thread(target=lambda: got.extend(self.replies(c, quiet=1.0)))
        reader.start()  # Replies are read as they come: no socket buffer overflows on the way back.
        for i in range(400):
            c.send(b"%d" % i)
            if i % 20 == 19:
                time.sleep(0.02)  # Nor on the way in: bursts of 20 a relay under a sanitizer keeps up with.
        reader.join()
        self.assertGreater(len(got), 130)  # 200 expected; a binomial's 6 sigma is 60.
        self.assertLess(len(got), 270)
        self.assertEqual(len(set(got)), len(got))
        code, st = stats(r)
        self.assertEqual(st["datagrams_lost"] + st["datagrams_up"], 400)

    def test_duplicate_sends_each_twice(self):
        r, c = self.relay("duplicate 1")
        for i in range(5):
            c.send(b"d%d" % i)
        got = self.replies(c)
        self.assertEqual(sorted(got), sorted([b"d%d" % i for i in range(5)] * 2))

    def test_reorder_swaps_neighbours(self):
        r, c = self.relay("reorder 1 dir=up")
        sent = [b"%d" % i for i in range(6)]
        for d in sent:
            c.send(d)
        got = self.replies(c)
        self.assertEqual(sorted(got), sorted(sent))
        self.assertNotEqual(got, sent)
        inversions = sum(1 for a, b in zip(got, got[1:]) if int(a) > int(b))
        self.assertGreaterEqual(inversions, 1)

    def test_bandwidth_paces_datagrams(self):
        r, c = self.relay("bandwidth 10K")  # 10 KiB/s: ten 1 KiB datagrams take about a second.
        start = time.monotonic()
        for i in range(10):
            c.send(b"%d" % i + b"x" * 1023)
        got = self.replies(c, quiet=2)
        self.assertEqual(len(got), 10)
        self.assertGreaterEqual(time.monotonic() - start - 2, 0.8)

    def test_faults_change_live_and_stream_faults_are_refused(self):
        r, c = self.relay()
        c.settimeout(DEADLINE)
        c.send(b"before")
        self.assertEqual(c.recv(100), b"before")
        self.assertEqual(control(self.ctl, "fault add loss 1"), "ok loss")
        c.send(b"lost")
        self.assertEqual(self.replies(c, quiet=0.3), [])
        self.assertEqual(control(self.ctl, "fault rm loss"), "ok")
        c.send(b"after")
        self.assertEqual(c.recv(100), b"after")
        self.assertEqual(control(self.ctl, "fault add slicer 10"),
                         "error: slicer acts on stream sessions (a datagram FROM takes latency, bandwidth, loss, "
                         "duplicate, reorder)")
        for from_, to, fault, message in (
                ("udp:127.0.0.1:0", "udp:127.0.0.1:1", "timeout 1s",
                 "timeout acts on stream sessions (a datagram FROM takes latency, bandwidth, loss, duplicate, reorder)"),
                ("127.0.0.1:0", "127.0.0.1:1", "loss 0.1", "loss acts on datagram sessions (a udp: or unix-dgram: FROM)"),
                ("udp:127.0.0.1:0", "udp:127.0.0.1:1", "loss 2", "loss: '2' is not a chance from 0 to 1 (or 0% to 100%)")):
            code, out, err = harness.run([RELAY, from_, to, "--fault", fault])
            self.assertEqual((code, err.decode().splitlines()[0]), (2, f"relay: --fault '{fault}': {message}"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
