"""tlsprobe end to end where things go wrong or come in many: refused and
silent ports, peers that do not speak TLS or break it, STARTTLS dialogues,
fronts that speak SMTP first or reset connections, many targets, usage
errors and --help. The peers and helpers are peers.py's.
"""

import json
import re
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness  # noqa: E402

sys.path.insert(0, os.path.dirname(harness.runfile("tools/tlsprobe/peers.py")))
import peers  # noqa: E402  (tools/tlsprobe/peers.py)
from peers import CERTS, DEADLINE, TLSPROBE, cert, field, probe, s_server  # noqa: E402,F401


class TlsprobeFailuresTest(peers.ProbeCase):
    def test_connect_failures_and_timeouts(self):
        l = socket.socket()
        l.bind(("127.0.0.1", 0))
        port = l.getsockname()[1]
        l.close()
        code, text, j, err = self.both(f"127.0.0.1:{port}")
        self.assertEqual(code, 3)
        self.assertEqual(j["error"]["stage"], "connect")
        self.assertEqual(j["error"]["reason"], "Connection refused")
        self.assertEqual(err, f"tlsprobe: 127.0.0.1:{port}: connect 127.0.0.1:{port}: Connection refused\n")
        # No handshake, so no facts of one: not "stapled": false, not "requested": false.
        self.assertEqual((j["ocsp"], j["sct"], j["client_auth"], j["tls"]), (None, None, None, None))
        self.assertIsNone(field(text, "client auth"))
        # A server that accepts and says nothing: the handshake times out.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        self.addCleanup(silent.close)
        start = time.monotonic()
        code, _, j, err = self.both("--timeout", "300ms", f"127.0.0.1:{silent.getsockname()[1]}")
        self.assertEqual(code, 4, err)
        self.assertEqual(j["error"]["stage"], "handshake")
        self.assertEqual(j["error"]["reason"], "timed out")
        self.assertLess(time.monotonic() - start, 5)

    def test_not_tls(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        self.addCleanup(srv.close)

        def serve():
            for _ in range(2):
                c, _ = srv.accept()
                c.recv(4096)
                c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
                c.close()
        threading.Thread(target=serve, daemon=True).start()
        code, _, j, err = self.both(f"127.0.0.1:{srv.getsockname()[1]}")
        self.assertEqual(code, 5, err)
        self.assertEqual(j["error"]["reason"], "NOT_TLS")
        self.assertEqual(j["error"]["message"],
                         'the peer does not speak TLS: it sent "HTTP/1.0 400 Bad Request\\r\\n\\r\\n"')
        self.assertIsNone(j["verify"])  # No certificate arrived: no verdict.

    def test_a_tls_peer_that_breaks_the_protocol_is_named_as_one(self):
        # Issue 28: these were "the peer does not speak TLS: it sent \x16\x03\x03...".
        body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x13\x01" + b"\x00" + b"\xff\xff"  # Extensions: 65535 bytes, none sent.
        hello = b"\x02" + struct.pack(">I", len(body))[1:] + body
        tls12 = b"\x03\x03" + b"\x22" * 32 + b"\x00" + b"\xc0\x2f" + b"\x00" + b"\x00\x05\xff\x01\x00\x01\x00"
        hello12 = b"\x02" + struct.pack(">I", len(tls12))[1:] + tls12
        huge_cert = b"\x0b\xff\xff\xf0"  # A Certificate of 16 MiB.
        peers = {
            "DECODE_ERROR): its first record is a Handshake record (ServerHello)":
                b"\x16\x03\x03" + struct.pack(">H", len(hello)) + hello,
            "UNEXPECTED_RECORD): its first record is a ChangeCipherSpec record": b"\x14\x03\x03\x00\x01\x01",
            "EXCESSIVE_MESSAGE_SIZE): its first record is a Handshake record (ServerHello)":
                b"\x16\x03\x03" + struct.pack(">H", len(hello12) + 4) + hello12 + huge_cert,
        }
        for tail, answer in peers.items():
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen(8)
            self.addCleanup(srv.close)

            def serve(srv=srv, answer=answer):
                for _ in range(2):
                    c, _ = srv.accept()
                    c.recv(4096)
                    c.sendall(answer)
                    try:
                        c.recv(4096)  # Until tlsprobe gives up: a close first would be a reset.
                    except OSError:
                        pass  # tlsprobe's own reset.
                    c.close()
            threading.Thread(target=serve, daemon=True).start()
            code, _, j, err = self.both(f"127.0.0.1:{srv.getsockname()[1]}")
            self.assertEqual(code, 5, err)
            self.assertEqual(j["error"]["reason"], "TLS_PROTOCOL_VIOLATION")
            self.assertEqual(j["error"]["message"], "the peer speaks TLS but broke the protocol (" + tail)

    def test_an_echo_server_is_not_tls(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        self.addCleanup(srv.close)

        def serve():
            c, _ = srv.accept()
            while True:
                b = c.recv(4096)
                if not b:
                    break
                c.sendall(b)  # What echod does: the ClientHello comes back.
        threading.Thread(target=serve, daemon=True).start()
        code, out, err = probe(f"127.0.0.1:{srv.getsockname()[1]}")
        self.assertEqual(code, 5, err)
        self.assertIn("error         handshake: the peer does not speak TLS: it sent back a TLS ClientHello "
                      "(an echo server?)", out)

    def test_starttls_smtp_against_python(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert("server.pem"), cert("server.key"))
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        self.addCleanup(srv.close)

        def smtp(offer):
            c, _ = srv.accept()
            f = c.makefile("rb")
            c.sendall(b"220-mail.test ESMTP\r\n220 ready\r\n")
            f.readline()  # EHLO
            c.sendall(b"250-mail.test\r\n250-PIPELINING\r\n" + (b"250 STARTTLS\r\n" if offer else b"250 8BITMIME\r\n"))
            if not offer:
                c.close()
                return
            self.assertEqual(f.readline(), b"STARTTLS\r\n")
            c.sendall(b"220 go ahead\r\n")
            t = ctx.wrap_socket(c, server_side=True)
            t.recv(1)
            t.close()
        threading.Thread(target=smtp, args=(True,), daemon=True).start()
        port = srv.getsockname()[1]
        code, out, err = probe("--json", "--starttls", "smtp", "--ca-file", cert("ca.pem"),
                               "--servername", "localhost", f"127.0.0.1:{port}")
        j = json.loads(out)
        self.assertEqual(code, 0, err)
        self.assertEqual(j["tls"]["version"], "TLSv1.3")
        self.assertGreater(j["timing_ms"]["starttls"], 0)
        threading.Thread(target=smtp, args=(False,), daemon=True).start()
        code, out, err = probe("--json", "--starttls", "smtp", f"127.0.0.1:{port}")
        j = json.loads(out)
        self.assertEqual(code, 5)
        self.assertEqual(j["error"]["stage"], "starttls")
        self.assertEqual(j["error"]["message"], "STARTTLS: server does not offer it (EHLO reply): 250 8BITMIME")

    def test_enumerate_and_policy_through_smtp_starttls(self):
        # An SMTP front (STARTTLS, then bytes both ways) before s_server: the
        # enumeration through it must find what it finds directly, as
        # sslscan --starttls-smtp does; it used to exit 2.
        s = self.serve("-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0", name="server-rsa")
        port = self.front(s.port, dialogue=peers.smtp)
        _, direct, _ = self.enumerate_json(f"127.0.0.1:{s.port}")
        code, via, err = self.enumerate_json("--starttls", "smtp", f"127.0.0.1:{port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(via["versions"], direct["versions"])
        self.assertEqual(via["ciphers"], direct["ciphers"])
        self.assertIn("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", via["ciphers"]["TLSv1.2"])
        code, _, err = probe("--policy", "intermediate", "--insecure", "--starttls", "smtp", f"127.0.0.1:{port}")
        self.assertEqual(code, 7, err)
        self.assertIn("cipher TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.2 (not in the policy)", err)

    def test_a_resetting_front_is_retried_and_never_read_as_refusals(self):
        # Resets were counted as "not accepted": wrong versions, exit 0.
        s = self.serve()
        _, direct, _ = self.enumerate_json(f"127.0.0.1:{s.port}")
        # A rate limiter tripping: after the first connection, every one is
        # reset for 0.2 s; the retries (50, 100, 200 ms apart) outlast it.
        first = []

        def tripped(n):
            first.append(time.monotonic()) if not first else None
            return n > 1 and time.monotonic() - first[0] < 0.2
        flaky = self.front(s.port, reset=tripped)
        code, via, err = self.enumerate_json(f"127.0.0.1:{flaky}")
        self.assertEqual(code, 0, err)
        self.assertEqual(via["unanswered"], 0)
        self.assertEqual((via["versions"], via["ciphers"], via["groups"]),
                         (direct["versions"], direct["ciphers"], direct["groups"]))
        dead = self.front(s.port, reset=lambda n: n > 12)  # Then nothing more answers.
        code, via, err = self.enumerate_json(f"127.0.0.1:{dead}")
        self.assertEqual(code, 7, err)
        self.assertGreater(via["unanswered"], 0)
        self.assertIn("enumeration could not be judged: ", err)
        dead = self.front(s.port, reset=lambda n: n > 12)
        code, _, err = probe("--policy", "intermediate", "--insecure", f"127.0.0.1:{dead}")
        self.assertEqual(code, 7, err)
        self.assertIn("policy gates could not be judged: ", err)

    def test_many_targets_keep_order_and_smallest_exit(self):
        good = self.serve()
        expired = self.serve(name="expired")
        l = socket.socket()
        l.bind(("127.0.0.1", 0))
        closed = l.getsockname()[1]
        l.close()
        targets = [f"127.0.0.1:{expired.port}", f"127.0.0.1:{good.port}", f"127.0.0.1:{closed}"] * 3
        code, out, err = probe("--json", "-j", "4", "--ca-file", cert("ca.pem"), stdin="\n".join(targets) + "\n# comment\n\n")
        lines = [json.loads(x) for x in out.splitlines()]
        self.assertEqual([x["target"] for x in lines], targets)
        self.assertEqual([x["exit"] for x in lines], [6, 0, 3] * 3)
        self.assertEqual(code, 3)

    def test_usage_errors_exit_two(self):
        for args, message in [
            (["--no-sni", "--servername", "x", "h"], "tlsprobe: --no-sni and --servername conflict\n"),
            (["--cert", "c.pem", "h"], "tlsprobe: --cert and --key go together\n"),
            (["--starttls", "gopher", "h"],
             "tlsprobe: --starttls: unknown STARTTLS protocol 'gopher' (want smtp, imap, pop3, ftp, xmpp, postgres, lmtp, nntp, sieve, "
             "irc, mysql or ldap)\n"),
            (["--min-version", "1.4", "h"],
             "tlsprobe: --min-version: unknown TLS version \"1.4\" (want 1.0, 1.1, 1.2 or 1.3)\n"),
            (["--expect-spki-pin", "abc", "h"],
             "tlsprobe: --expect-spki-pin: want sha256//BASE64 (see the report's 'spki pin')\n"),
        ]:
            code, out, err = probe(*args)
            self.assertEqual(code, 2, args)
            self.assertTrue(err.startswith(message), (args, err))
        code, _, err = probe("--ca-file", "/nonexistent.pem", "h:1")
        self.assertEqual((code, err), (2, "tlsprobe: load CA file /nonexistent.pem: cannot read the file\n"))
        code, _, err = probe("h:99999")
        self.assertEqual(code, 2)
        self.assertEqual(err, "tlsprobe: invalid target 'h:99999': invalid port '99999'\n")
        code, _, err = probe(stdin="")
        self.assertEqual((code, err), (2, "tlsprobe: no targets (give HOST[:PORT] arguments or lines on stdin)\n"))

    def test_help_documents_exit_codes(self):
        code, out, _ = probe("--help")
        self.assertEqual(code, 0)
        for text in ["--enumerate", "--starttls", "--expect-spki-pin", "6 certificate verification failed",
                     "4 timeout"]:
            self.assertIn(text, out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
