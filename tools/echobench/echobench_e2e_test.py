"""echobench end to end against echod (and a corrupting Python peer)."""

import re
import signal
import socket
import sys
import tempfile
import unittest

import harness

ECHOBENCH = harness.runfile("tools/echobench/echobench")
ECHOD = harness.runfile("tools/echod/echod")
CERTS = harness.runfile("testdata/tls")
DEADLINE = 30


def echod(*args, listeners=1):
    return harness.serve([ECHOD, "--workers=1"] + list(args), listeners, deadline=DEADLINE)


def bench(*args):
    """Runs echobench for 300 ms with `args`: (exit code, stdout, stderr)."""
    p = harness.start([ECHOBENCH, "--duration=300ms"] + list(args), stdin="")
    return p.wait(DEADLINE), p.out, p.err


class EchobenchE2eTest(harness.TestCase):
    def test_clean_runs_over_every_transport(self):
        with tempfile.TemporaryDirectory() as d:
            s = echod("-l", "127.0.0.1:0", "-u", "[::1]:0", "-U", f"{d}/e.sock", listeners=3)
            a = s.addresses
            for args in (["-c", "20", "-m", "100", "--depth", "4", a[0]],
                         ["-c", "2", "-m", "70000", a[0]],  # Messages bigger than any buffer.
                         ["-u", "-c", "4", "-m", "1200", a[1]],
                         ["-U", "-c", "3", a[2]],
                         ["--rate", "2000", "-c", "5", a[0]],
                         ["--connect-only", a[0]]):
                code, out, err = bench(*args)
                self.assertEqual(code, 0, out + err)
                self.assertRegex(out, r"(requests|connects): [1-9][0-9]* \(")
                self.assertIn("errors: connect 0, verify 0, lost 0", out)

    def test_json_report(self):
        s = echod("-l", "127.0.0.1:0")
        code, out, _ = bench("--json", "-c", "2", s.addresses[0])
        self.assertEqual(code, 0)
        self.assertRegex(out, r'^\{"target":"127\.0\.0\.1:[0-9]+","transport":"tcp",'
                              r'"connections":2,"message":64,"depth":1,')
        self.assertIn('"connect_errors":0,"verify_errors":0,"lost":0,"tls":false,"mode":"requests"}', out)

    def test_detects_a_truncating_server(self):
        s = echod("-l", "127.0.0.1:0", "--close-after=1000")
        code, out, _ = bench("-c", "1", s.addresses[0])
        self.assertEqual(code, 1)
        self.assertIn("errors: connect 0, verify 1, lost 0", out)
        self.assertIn("first error: connection 0: closed by the server after 1000 of ", out)

    def test_detects_a_corrupting_server(self):
        script = r'''
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
def serve(c):
    n = 0
    while True:
        b = bytearray(c.recv(65536))
        if not b: break
        if n < 500 <= n + len(b): b[500 - n] ^= 1  # Flip one bit of byte 500.
        n += len(b)
        c.sendall(b)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'''
        py = harness.serve([sys.executable, "-c", script])
        code, out, _ = bench("-c", "1", py.addresses[0])
        self.assertEqual(code, 1)
        self.assertIn("first error: connection 0: corrupted echo within bytes ", out)

    def test_counts_lost_datagrams(self):
        s = echod("-u", "127.0.0.1:0", "--drop-rate=1")
        code, out, _ = bench("-u", "-c", "1", "--timeout=50ms", s.addresses[0])
        self.assertEqual(code, 1)
        self.assertRegex(out, "errors: connect 0, verify 0, lost [1-9]")

    def test_connect_errors_are_counted(self):
        s = echod("-l", "127.0.0.1:0")
        s.signal(signal.SIGTERM)
        s.wait(DEADLINE)
        code, out, _ = bench("-c", "3", s.addresses[0])
        self.assertEqual(code, 1)
        self.assertIn("errors: connect 3, verify 0, lost 0", out)

    def test_tls_against_echod_verified_and_handshakes_per_second(self):
        s = echod("-l", "tls:127.0.0.1:0", "--cert", f"{CERTS}/server.pem", "--key", f"{CERTS}/server.key",
                  "--json")
        a = s.addresses[0]
        for args in (["--tls", "--ca-file", f"{CERTS}/ca.pem", "--servername", "localhost", "-c", "8", "-m", "1K", a],
                     ["--tls", "--ca-file", f"{CERTS}/ca.pem", "-c", "2", "-m", "70000", a],  # IP SAN.
                     ["--tls", "--insecure", "--connect-only", a],  # -c 10 in flight.
                     ["--tls", "--insecure", "--connect-only", "-c", "1", a]):  # One at a time.
            code, out, err = bench(*args)
            self.assertEqual(code, 0, out + err)
            self.assertEqual(err, "echobench: warning: --insecure: the server's certificate is not verified\n"
                             if "--insecure" in args else "")
            self.assertRegex(out, r"^echobench: tcp\+tls ")
            self.assertRegex(out, r"(requests|handshakes): [1-9][0-9]* \(")
            self.assertIn("errors: connect 0, verify 0, lost 0", out)
        # Without the test CA the system bundle does not know the server.
        code, out, _ = bench("--tls", "-c", "2", a)
        self.assertEqual(code, 1)
        self.assertIn("errors: connect 2, verify 0, lost 0", out)
        self.assertIn("first error: handshake net: certificate verify failed: "
                      "unable to get local issuer certificate", out)
        s.signal(signal.SIGTERM)
        s.wait(DEADLINE)
        self.assertRegex(s.err, r'"handshakes":[1-9][0-9]*,"handshake_failures":2}')

    def test_concurrent_handshakes_time_out_against_a_silent_server(self):
        # A listener that never accepts: TCP connects (the kernel's backlog), TLS
        # never answers, and each of the 4 handshakes in flight times out.
        with socket.create_server(("127.0.0.1", 0)) as l:
            code, out, _ = bench("--tls", "--insecure", "--connect-only", "-c", "4", "--timeout=100ms",
                                 "--warmup=0s", "--duration=500ms", "127.0.0.1:%d" % l.getsockname()[1])
        self.assertEqual(code, 1)
        self.assertRegex(out, r"handshakes: 0 \(")
        self.assertRegex(out, "errors: connect ([4-9]|[1-9][0-9]+), verify 0, lost 0")
        self.assertIn("first error: handshake: timed out", out)

    def test_usage_errors(self):
        self.assertEqual(bench("-u", "--depth=2", "127.0.0.1:7"),
                         (2, "", "echobench: --depth must be 1 with -u\nTry 'echobench --help'.\n"))
        self.assertEqual(bench(), (2, "", "echobench: missing target address\nTry 'echobench --help'.\n"))
        self.assertEqual(bench("--insecure", "127.0.0.1:7"),
                         (2, "", "echobench: --ca-file, --servername and --insecure are for --tls\n"
                                 "Try 'echobench --help'.\n"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
