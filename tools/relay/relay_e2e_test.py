"""relay end to end, against real peers on loopback.

Upstreams are echod, Python's http.server, `openssl s_server`, in-process
Python servers (a delayed reply after EOF) and programs (exec:, sh:); clients
are Python sockets and ssl, `openssl s_client` and nc. Every fault is
measured from the client side. relay binds port 0 and reports its listener
on stdout; every wait has a deadline.
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


class Forwarding(unittest.TestCase):
    def setUp(self):
        self.echo = echod()
        self.addCleanup(self.echo.stop)

    def test_hundred_concurrent_clients_get_their_bytes_back(self):
        r = relay("127.0.0.1:0", self.echo.addresses[0], "--json")
        results = {}

        def client(i):
            data = os.urandom(50_000 + i * 997)
            with connect(r) as s:
                threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
                results[i] = hashlib.sha256(harness.recv_all(s)).hexdigest() == hashlib.sha256(data).hexdigest()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE)
        self.assertEqual(sum(results.values()), 100)
        code, st = stats(r)
        self.assertEqual(code, 0)
        self.assertEqual(st["relayed"], 100)
        self.assertEqual(st["active"], 0)
        self.assertEqual(st["bytes_up"], st["bytes_down"])

    def test_a_bulk_stream_moves_with_splice_and_loses_nothing(self):
        # 16 MiB each way through relay to echod: the bytes come back whole,
        # and the stats say splice(2) moved most of them (none with
        # --no-splice or --dump, which must see every byte).
        big = os.urandom(16 << 20)
        for extra, spliced in (((), True), (("--no-splice",), False), (("--dump",), False)):
            with self.subTest(extra=extra):
                data = big if "--dump" not in extra else big[:1 << 20]  # A dump is 5 bytes of text a byte.
                r = relay("127.0.0.1:0", self.echo.addresses[0], "--json", *extra)
                with connect(r) as s:
                    threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
                    got = harness.recv_all(s)
                self.assertEqual(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest())
                code, st = stats(r)
                self.assertEqual((st["bytes_up"], st["bytes_down"]), (len(data), len(data)))
                if spliced:
                    self.assertGreater(st["bytes_spliced"], len(data))  # Of 2 x 16 MiB.
                else:
                    self.assertEqual(st["bytes_spliced"], 0)

    def test_half_close_then_a_late_reply_comes_back(self):
        # socat's default -t 0.5 closes the other direction half a second
        # after one side's EOF: a reply 1s later is lost there. relay keeps
        # the other direction open until the server ends it.
        up = DelayedReplyServer(1.0)
        r = relay("127.0.0.1:0", f"127.0.0.1:{up.port}")
        with connect(r) as s:
            s.sendall(b"x" * 1000)
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(harness.recv_all(s), b"got 1000\n")
        port = harness.free_port()
        socat = subprocess.Popen(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
                                  f"TCP:127.0.0.1:{up.port}"])
        self.addCleanup(socat.kill)
        self.assertTrue(harness.wait_connectable(port, socat))
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
            s.sendall(b"x" * 1000)
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(harness.recv_all(s), b"")  # socat's -t 0.5: the reply is lost.

    def test_unix_to_tcp_and_tcp_to_unix(self):
        d = tempfile.mkdtemp()
        front = os.path.join(d, "front.sock")
        r1 = relay(f"unix:{front}", self.echo.addresses[0])
        self.addCleanup(r1.stop)
        r2 = relay("127.0.0.1:0", f"unix:{front}")
        self.addCleanup(r2.stop)
        data = os.urandom(300_000)
        with connect(r2) as s:
            threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
            self.assertEqual(harness.recv_all(s), data)

    def test_exec_children_end_with_their_session_as_a_group(self):
        # An idle timeout closes the session: sh and its background sleep go
        # too (issue 27: sleep stayed; socat's EXEC child is gone in 1.5 s).
        # At relay's exit, a live session's grandchildren go as well.
        d = tempfile.mkdtemp()

        def pids(tag):
            path = f"{d}/{tag}"
            harness.wait_for(lambda: os.path.exists(path + ".sleep") and os.path.getsize(path + ".sleep") > 0,
                             "the child's pid files")
            return [int(open(f"{path}.{n}").read()) for n in ("sh", "sleep")]

        def gone(pid):
            try:
                return open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
            except FileNotFoundError:
                return True

        script = f"sh:echo $$ > {d}/$T.sh; sleep 30 & echo $! > {d}/$T.sleep; wait"
        r = relay("127.0.0.1:0", script.replace("$T", "idle"), "--idle-timeout", "500ms", "-v")
        self.addCleanup(r.stop)
        s = connect(r)
        self.addCleanup(s.close)
        idle = pids("idle")
        r.wait_for_line("err", lambda l: "closed: idle" in l)
        start = time.monotonic()
        harness.wait_for(lambda: all(gone(p) for p in idle), "the session's sh and sleep to end", deadline=5)
        self.assertLess(time.monotonic() - start, 3)
        r2 = relay("127.0.0.1:0", script.replace("$T", "exit"))
        s2 = connect(r2)
        self.addCleanup(s2.close)
        live = pids("exit")
        code, err = r2.stop()
        self.assertEqual(code, 0, err)
        harness.wait_for(lambda: all(gone(p) for p in live), "the children of relay's last session", deadline=5)

    def test_two_piece_requests_are_not_held_by_nagle(self):
        # A request written in two pieces 2 ms apart: without TCP_NODELAY the
        # second waits for the first's ACK (delayed ACK, 40 ms). Measured
        # beside haproxy (tcp mode, which sets TCP_NODELAY) in the same run:
        # relay must be within 1.5x of it (here 2.27 ms and 2.21 ms).
        up = socket.socket()
        up.bind(("127.0.0.1", 0))
        up.listen(4)
        self.addCleanup(up.close)
        upstream = f"127.0.0.1:{up.getsockname()[1]}"

        def median_round_trip(port):
            c = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
            server, _ = up.accept()
            server.settimeout(DEADLINE)
            for sock in (c, server):  # Only the proxy's own sockets may hold a piece back.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            times = []
            for _ in range(10):  # Delayed ACKs start after the first round trip.
                start = time.monotonic()
                c.sendall(b"GET ")
                time.sleep(0.002)
                c.sendall(b"/x\n")
                got = b""
                while not got.endswith(b"\n"):
                    got += server.recv(100)
                server.sendall(b"ok\n")
                self.assertEqual(recv_n(c, 3), b"ok\n")
                times.append(time.monotonic() - start)
            c.close()
            server.close()
            return sorted(times)[len(times) // 2]

        results = {}
        for name, extra in (("relay", ()), ("relay --nagle", ("--nagle",))):
            r = relay("127.0.0.1:0", upstream, *extra)
            self.addCleanup(r.stop)
            results[name] = median_round_trip(r.port())
        d = tempfile.mkdtemp()
        hport = harness.free_port()
        with open(f"{d}/h.cfg", "w") as f:
            f.write("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
                    f"frontend f\n  bind 127.0.0.1:{hport}\n  default_backend b\n"
                    f"backend b\n  server s {upstream}\n")
        h = harness.start(["haproxy", "-f", f"{d}/h.cfg", "-db"])
        self.addCleanup(h.kill)
        def listening():
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", hport)) == 0
        harness.wait_for(listening, "haproxy to listen")
        up.accept()[0].close()  # The readiness probe's connection.
        results["haproxy"] = median_round_trip(hport)
        print("note: median two-piece round trips: " +
              ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in results.items()) +
              f"; relay/haproxy {results['relay'] / results['haproxy']:.2f}")
        # --nagle shows the kernel's delayed ACK (44 ms here): a note, as kernels differ.
        self.assertLess(results["relay"], 1.5 * results["haproxy"], results)

    def test_exec_and_sh_run_a_program_per_client(self):
        r = relay("127.0.0.1:0", "sh:tr a-z A-Z")
        self.addCleanup(r.stop)
        for word in (b"one\n", b"two\n"):
            with connect(r) as s:
                s.sendall(word)
                s.shutdown(socket.SHUT_WR)
                self.assertEqual(harness.recv_all(s), word.upper())
        r2 = relay("127.0.0.1:0", "exec:cat")
        self.addCleanup(r2.stop)
        with connect(r2) as a, connect(r2) as b:  # Two at once: two children.
            a.sendall(b"a")
            b.sendall(b"b")
            self.assertEqual(recv_n(a, 1), b"a")
            self.assertEqual(recv_n(b, 1), b"b")

    def test_http_through_relay(self):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "page.txt"), "wb") as f:
            f.write(b"hello from http.server\n" * 1000)
        port = harness.free_port()
        http = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(http.kill)
        self.assertTrue(harness.wait_connectable(port, http))
        r = relay("127.0.0.1:0", f"127.0.0.1:{port}")
        self.addCleanup(r.stop)
        import urllib.request
        body = urllib.request.urlopen(f"http://127.0.0.1:{r.port()}/page.txt", timeout=DEADLINE).read()
        self.assertEqual(body, b"hello from http.server\n" * 1000)

    def test_connect_failure_resets_the_client_and_is_counted(self):
        closed = harness.free_port()
        r = relay("127.0.0.1:0", f"127.0.0.1:{closed}", "--json")
        with self.assertRaises(ConnectionResetError):  # On loopback the RST may beat connect's return.
            with connect(r) as s:
                s.recv(10)
        code, st = stats(r)
        self.assertEqual(st["upstream_failures"], 1)
        r = relay("127.0.0.1:0", f"127.0.0.1:{closed}", "--on-connect-failure=close")
        with connect(r) as s:
            self.assertEqual(s.recv(10), b"")
        code, err = r.stop()
        self.assertIn(f"connect 127.0.0.1:{closed}: Connection refused", err)

    def test_max_conns_and_idle_timeout(self):
        r = relay("127.0.0.1:0", self.echo.addresses[0], "--max-conns", "2", "--idle-timeout", "300ms", "--json")
        a, b = connect(r), connect(r)
        for s in (a, b):
            s.sendall(b"k")
            self.assertEqual(recv_n(s, 1), b"k")
        with connect(r) as c:
            self.assertEqual(c.recv(10), b"")  # Over --max-conns: closed.
        start = time.monotonic()
        self.assertEqual(a.recv(10), b"")  # Idle: closed.
        self.assertEqual(b.recv(10), b"")
        self.assertGreater(time.monotonic() - start, 0.15)
        a.close()
        b.close()
        code, st = stats(r)
        self.assertEqual(st["rejected"], 1)
        self.assertEqual(st["idle_closed"], 2)

    def test_slow_reader_does_not_grow_memory(self):
        r = relay("127.0.0.1:0", self.echo.addresses[0], "--buffer", "64K")
        self.addCleanup(r.stop)
        s = connect(r)
        s.setblocking(False)
        sent = 0
        chunk = b"z" * 65536
        end = time.monotonic() + 3
        while time.monotonic() < end and sent < 512 << 20:
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{r.proc.pid}/status").read()).group(1))
        self.assertLess(sent, 64 << 20)  # The client was slowed down...
        self.assertLess(rss_kb, 32 * 1024)  # ... not buffered.
        s.close()

    def test_sigterm_drains_sessions_in_progress(self):
        up = DelayedReplyServer(0.5)
        r = relay("127.0.0.1:0", f"127.0.0.1:{up.port}")
        s = connect(r)
        s.sendall(b"abc")
        s.shutdown(socket.SHUT_WR)
        time.sleep(0.1)
        r.proc.send_signal(15)
        self.assertEqual(harness.recv_all(s), b"got 3\n")
        r.proc.wait(DEADLINE)  # It exits by itself once drained.
        code, err = r.stop()
        self.assertEqual(code, 0)
        self.assertIn("relay: stats: accepted=1", err)

    def test_a_drain_refuses_new_clients_at_once(self):
        # haproxy's soft stop: new clients are refused while live sessions
        # finish (issue 27: relay accepted them and reset them at exit).
        up = DelayedReplyServer(3)
        r = relay("127.0.0.1:0", f"127.0.0.1:{up.port}", "--drain-timeout", "10s")
        s = connect(r)
        s.sendall(b"abc")
        s.shutdown(socket.SHUT_WR)
        time.sleep(0.1)
        start = time.monotonic()
        r.proc.send_signal(15)
        refused = False
        while time.monotonic() - start < 2 and not refused:
            with socket.socket() as late:
                refused = late.connect_ex(("127.0.0.1", r.port())) == errno.ECONNREFUSED
            time.sleep(0.02)
        self.assertTrue(refused, "a new client was accepted during the drain")
        self.assertIsNone(r.proc.poll(), "relay ended before its live session")
        self.assertEqual(harness.recv_all(s), b"got 3\n")  # The live one finishes.
        r.proc.wait(DEADLINE)
        code, err = r.stop()
        self.assertEqual(code, 0)
        self.assertNotIn("accept:", err)

    def test_stdio_is_one_session(self):
        code, out, err = harness.run([RELAY, "stdio", self.echo.addresses[0]], stdin=b"through stdio\n")
        self.assertEqual((code, out), (0, b"through stdio\n"), err)
        code, out, err = harness.run([RELAY, "-", "sh:tr a-z A-Z"], stdin=b"shout\n")
        self.assertEqual((code, out), (0, b"SHOUT\n"), err)
        closed = harness.free_port()
        code, out, err = harness.run([RELAY, "stdio", f"127.0.0.1:{closed}"])
        self.assertEqual(code, 1)
        self.assertEqual(err.decode(), f"relay: connect 127.0.0.1:{closed}: Connection refused\n")

    def test_udp_sessions_keep_datagrams_whole(self):
        e = harness.serve([ECHOD, "-u", "127.0.0.1:0"])
        self.addCleanup(e.stop)
        r = relay("udp:127.0.0.1:0", f"udp:{e.addresses[0]}", "--idle-timeout", "300ms", "--json")
        self.assertEqual(r.transports[0], "udp")
        clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
        for i, c in enumerate(clients):
            c.settimeout(DEADLINE)
            c.connect(("127.0.0.1", r.port()))
            for size in (1, 1000, 60000):
                msg = bytes([65 + i]) * size
                c.send(msg)
                self.assertEqual(c.recv(65536), msg)
        for c in clients:
            c.close()
        harness.wait_for(lambda: json.loads(control_stats(r))["active"] == 0, "idle UDP sessions to end")
        code, st = stats(r)
        self.assertEqual((st["relayed"], st["datagrams_up"], st["datagrams_down"], st["idle_closed"]), (3, 9, 9, 3))

    def test_unix_datagrams_both_ways(self):
        d = tempfile.mkdtemp()
        e = harness.serve([ECHOD, "-u", "127.0.0.1:0", "--unix-dgram", f"{d}/echo.sock"], listeners=2)
        self.addCleanup(e.stop)
        for to in (f"udp:{e.addresses[0]}", f"unix-dgram:{d}/echo.sock"):
            front = f"{d}/front-{to[:3]}.sock"
            r = relay(f"unix-dgram:{front}", to)
            self.addCleanup(r.stop)
            self.assertEqual(r.transports[0], "unix-dgram")
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
                c.bind(f"{d}/client-{to[:3]}.sock")  # Replies need an address to come back to.
                c.settimeout(DEADLINE)
                c.connect(front)
                for size in (1, 5000):
                    c.send(b"d" * size)
                    self.assertEqual(c.recv(65536), b"d" * size)

    def test_through_ncat_http_proxy_and_a_socks5_proxy(self):
        port = harness.free_port()
        ncat = subprocess.Popen(["ncat", "-l", "127.0.0.1", str(port), "--proxy-type", "http", "-k"],
                                stderr=subprocess.DEVNULL)
        self.addCleanup(ncat.kill)
        self.assertTrue(harness.wait_connectable(port, ncat))
        socks = Socks5Server()
        for proxy, kind in ((f"127.0.0.1:{port}", "connect"), (f"127.0.0.1:{socks.port}", "5"),
                            (f"127.0.0.1:{port}", "http"), (f"127.0.0.1:{socks.port}", "socks5")):
            r = relay("127.0.0.1:0", self.echo.addresses[0], "--proxy", proxy, "--proxy-type", kind)
            self.addCleanup(r.stop)
            with connect(r) as s:
                s.sendall(b"via " + kind.encode())
                self.assertEqual(recv_n(s, 4 + len(kind)), b"via " + kind.encode())
        self.assertEqual(socks.targets, [tuple(self.echo.addresses[0].rsplit(":", 1))] * 2)  # "5" and "socks5".

    def test_dump_shows_both_directions(self):
        r = relay("127.0.0.1:0", "sh:tr a-z A-Z", "--dump")
        with connect(r) as s:
            s.sendall(b"hi\n")
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(harness.recv_all(s), b"HI\n")
        code, err = r.stop()
        self.assertRegex(err, r"> \d{4}/\d\d/\d\d [\d:.]+  length=3 from=0 to=2\n 68 69 0a +hi\.\n--\n")
        self.assertRegex(err, r"< [\d/ :.]+  length=3 from=0 to=2\n 48 49 0a +HI\.\n--\n")

    def test_socket_activation_and_two_workers(self):
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(64)
        port = lsock.getsockname()[1]
        proc = subprocess.Popen(["bash", "-c", f'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@" 3<&{lsock.fileno()}', RELAY,
                                 "listen-fds", self.echo.addresses[0], "--workers", "2"],
                                pass_fds=[lsock.fileno()], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(proc.kill)
        self.assertIn(f"listening on 127.0.0.1:{port} (tcp)".encode(), proc.stdout.readline())
        lsock.close()
        for i in range(20):
            with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
                s.sendall(b"%d" % i)
                s.shutdown(socket.SHUT_WR)
                self.assertEqual(harness.recv_all(s), b"%d" % i)
        proc.terminate()
        self.assertEqual(proc.wait(DEADLINE), 0)

    def test_abstract_unix_listener(self):
        name = f"@relay-test-{os.getpid()}"
        r = relay(f"unix:{name}", self.echo.addresses[0])
        self.addCleanup(r.stop)
        self.assertEqual(r.addresses[0], name)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect("\0" + name[1:])
            s.sendall(b"abstract")
            self.assertEqual(recv_n(s, 8), b"abstract")

    def test_usage_errors(self):
        for args, message in [
            ([], "relay: need FROM and TO"),
            (["127.0.0.1:0", "127.0.0.1:0"], "relay: invalid TO '127.0.0.1:0': port 0 cannot be connected to"),
            (["tls:127.0.0.1:0", "127.0.0.1:1"], "relay: a TLS listener needs --cert and --key"),
            (["127.0.0.1:0", "127.0.0.1:1", "--alpn", "h2"],
             "relay: --cert, --key, --client-ca, --alpn and --tls-legacy need a TLS listener (a tls: FROM)"),
            (["127.0.0.1:0", "127.0.0.1:1", "--fault", "lag 1s"], "relay: --fault 'lag 1s': unknown fault 'lag'"),
            (["127.0.0.1:0", "127.0.0.1:1", "--insecure"],
             "relay: --ca-file, --servername, --pin and --insecure are for a tls: TO"),
            # lib/cli's proxy group: nc's words, nc's spellings (http, socks5) beside relay's (connect, 5).
            (["127.0.0.1:0", "127.0.0.1:1", "--proxy-type", "http"], "relay: --proxy-type and --proxy-auth require --proxy"),
            (["127.0.0.1:0", "127.0.0.1:1", "--proxy", "p:1", "--proxy-type", "socks4"],
             "relay: --proxy-type: 'socks4' is not supported (use http or socks5)"),
            (["127.0.0.1:0", "127.0.0.1:1", "--proxy", "p:1", "--proxy-auth", "al"],
             "relay: --proxy-auth: relay cannot ask for a password: give USER:PASS"),
            (["127.0.0.1:0", "unix:/x", "--proxy", "p:1"], "relay: --proxy needs a tcp: or tls: TO"),
        ]:
            code, out, err = harness.run([RELAY] + args)
            self.assertEqual(code, 2, args)
            self.assertIn(message, err.decode())
        code, out, err = harness.run([RELAY, "127.0.0.1:0", "nosuchhost.invalid:80"])
        self.assertEqual(code, 1)  # Not a usage error: the name does not resolve.
        self.assertIn("relay: TO: resolve nosuchhost.invalid", err.decode())
        # Certificates load when Run starts: a missing one is exit 1, and
        # nothing listens.
        code, out, err = harness.run([RELAY, "tls:127.0.0.1:0", "127.0.0.1:1", "--cert", "/nonexistent.pem",
                                      "--key", "/nonexistent.key"])
        self.assertEqual((code, out, err.decode()),
                         (1, b"", "relay: load certificate /nonexistent.pem: No such file or directory\n"))


class Tls(unittest.TestCase):
    def setUp(self):
        self.echo = echod()
        self.addCleanup(self.echo.stop)

    def test_terminates_tls_for_python_ssl_and_openssl_s_client(self):
        r = relay("tls:127.0.0.1:0", self.echo.addresses[0], "--cert", cert("server.pem"), "--key", cert("server.key"))
        self.addCleanup(r.stop)
        self.assertEqual(r.transports[0], "tcp+tls")
        ctx = ssl.create_default_context(cafile=cert("ca.pem"))
        data = os.urandom(200_000)
        with ctx.wrap_socket(connect(r), server_hostname="localhost") as t:
            t.sendall(data)
            self.assertEqual(recv_n(t, len(data)), data)
        # s_client quits at stdin EOF: keep stdin open until the echo is back.
        p = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{r.port()}", "-quiet",
                              "-verify_return_error", "-CAfile", cert("ca.pem"), "-servername", "localhost"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(p.kill)
        p.stdin.write(b"via s_client\n")
        p.stdin.flush()
        got = b""
        end = time.monotonic() + DEADLINE
        while b"\n" not in got and time.monotonic() < end:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            got += chunk
        self.assertEqual(got, b"via s_client\n")

    def test_tls_from_refuses_legacy_clients_unless_tls_legacy(self):
        # TLS 1.2+ with ECDHE and AEAD suites by default (Mozilla's intermediate
        # profile); --tls-legacy lets old clients in, for testing them. A
        # certificate of 90 days: intermediate's lifespan is 366 at most.
        pem, key = harness.fresh_certificate(self)
        for legacy in (False, True):
            r = relay("tls:127.0.0.1:0", self.echo.addresses[0], "--cert", pem, "--key", key,
                      *(["--tls-legacy"] if legacy else []))
            self.addCleanup(r.stop)
            for flags in harness.LEGACY_CLIENTS:
                got = harness.openssl_handshake(r.port(), *flags)
                self.assertTrue(got if legacy else got is None, (legacy, flags, got))
            self.assertRegex(harness.openssl_handshake(r.port(), "-tls1_2") or "", r"^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20)")
            code, out, err = harness.run([TLSPROBE, "--policy", "intermediate", "--insecure", f"127.0.0.1:{r.port()}"],
                                         deadline=DEADLINE, text=True)
            self.assertEqual(code, 7 if legacy else 0, out + err)

    def test_client_certificates_required_with_client_ca(self):
        r = relay("tls:127.0.0.1:0", self.echo.addresses[0], "--cert", cert("server.pem"), "--key", cert("server.key"),
                  "--client-ca", cert("ca.pem"))
        self.addCleanup(r.stop)
        ctx = ssl.create_default_context(cafile=cert("ca.pem"))
        with self.assertRaises((ssl.SSLError, ConnectionResetError)):
            with ctx.wrap_socket(connect(r), server_hostname="localhost") as t:
                t.sendall(b"x")
                t.recv(1)
        ctx.load_cert_chain(cert("client.pem"), cert("client.key"))
        with ctx.wrap_socket(connect(r), server_hostname="localhost") as t:
            t.sendall(b"with cert")
            self.assertEqual(recv_n(t, 9), b"with cert")

    def test_originates_tls_verified_and_refuses_a_wrong_name(self):
        tls_echo = harness.serve([ECHOD, "-l", "tls:127.0.0.1:0", "--cert", cert("server.pem"), "--key",
                                         cert("server.key")])
        self.addCleanup(tls_echo.stop)
        r = relay("127.0.0.1:0", f"tls:localhost:{tls_echo.port()}", "--ca-file", cert("ca.pem"))
        self.addCleanup(r.stop)
        with connect(r) as s:
            s.sendall(b"plain in, TLS out")
            self.assertEqual(recv_n(s, 17), b"plain in, TLS out")
        bad = relay("127.0.0.1:0", f"tls:127.0.0.1:{tls_echo.port()}", "--ca-file", cert("ca.pem"),
                    "--servername", "wrong.example")
        with self.assertRaises(ConnectionResetError):
            with connect(bad) as s:
                s.recv(1)
        code, err = bad.stop()
        self.assertIn("certificate verify failed", err)

    def test_pins_the_servers_key(self):
        tls_echo = harness.serve([ECHOD, "-l", "tls:127.0.0.1:0", "--cert", cert("server.pem"), "--key",
                                         cert("server.key")])
        self.addCleanup(tls_echo.stop)
        spki = subprocess.run("openssl x509 -pubkey -noout -in " + cert("server.pem") +
                              " | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
                              shell=True, capture_output=True, text=True, check=True).stdout.strip()
        good = relay("127.0.0.1:0", f"tls:localhost:{tls_echo.port()}", "--ca-file", cert("ca.pem"),
                     "--pin", f"sha256//{'A' * 44};sha256//{spki}")
        self.addCleanup(good.stop)
        with connect(good) as s:
            s.sendall(b"pinned")
            self.assertEqual(recv_n(s, 6), b"pinned")
        bad = relay("127.0.0.1:0", f"tls:localhost:{tls_echo.port()}", "--ca-file", cert("ca.pem"),
                    "--pin", f"sha256//{'A' * 44}")
        with self.assertRaises(ConnectionResetError):
            with connect(bad) as s:
                s.recv(1)
        code, err = bad.stop()
        self.assertIn(f"TLS: certificate pin mismatch: the server's key is sha256//{spki}", err)

    def test_originates_tls_to_openssl_s_server(self):
        port = harness.free_port()
        srv = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert("server.pem"),
                                "-key", cert("server.key"), "-rev", "-quiet"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(srv.kill)
        harness.wait_for(lambda: os.system(f"ss -ltn | grep -q 127.0.0.1:{port}") == 0, "s_server to listen")
        r = relay("127.0.0.1:0", f"tls:localhost:{port}", "--ca-file", cert("ca.pem"))
        self.addCleanup(r.stop)
        with connect(r) as s:
            s.sendall(b"hello\n")
            self.assertEqual(recv_n(s, 6), b"olleh\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
