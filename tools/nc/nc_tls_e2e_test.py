"""nc --ssl and proxies, end to end, against real peers.

Peers: Python's ssl (an OpenSSL TLS server in a thread), openssl s_server
and s_client, ncat --ssl, ncat's HTTP proxy, and a small SOCKS5 proxy here.
Every peer binds 127.0.0.1 port 0 and reports its port, except ncat, which
cannot: it gets a port that was just free, and is retried if it lost it.
"""

import hashlib
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import unittest

import harness  # noqa: E402

NC = harness.runfile("tools/nc/nc")
TLSPROBE = harness.runfile("tools/tlsprobe/tlsprobe")
CERTS = harness.runfile("testdata/tls")
sys.path.insert(0, CERTS)
import s_server  # noqa: E402  (testdata/tls/s_server.py)

DEADLINE = 20


def cert(name):
    return os.path.join(CERTS, name)


def nc(*args, stdin=b"", env=None):
    code, out, err = harness.run([NC] + list(args), stdin, deadline=DEADLINE, env=env)
    return code, out, err.decode()


class TlsServer:
    """A Python (OpenSSL) TLS server thread on 127.0.0.1:0 that handles one
    connection with `handler(ssl_socket)`."""

    def __init__(self, handler, name="server", alpn=None, client_ca=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert(name + ".pem"), cert(name + ".key"))
        if alpn:
            ctx.set_alpn_protocols(alpn)
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.error = None

        def run():
            try:
                c, _ = self.sock.accept()
                with ctx.wrap_socket(c, server_side=True) as t:
                    handler(t)
            except Exception as e:  # Reported by the test through .error.
                self.error = e
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def close(self):
        self.sock.close()


def reply_after_eof(t):
    got = harness.recv_all(t)
    time.sleep(0.3)
    t.sendall(b"got: " + got)
    t.unwrap()


def start_ncat(*args):
    """ncat listening on a just-free port; retried if another process took it."""
    for _ in range(5):
        port = harness.free_port()
        proc = subprocess.Popen(["ncat", "-l", "127.0.0.1", str(port)] + list(args),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if harness.wait_connectable(port, proc):
            return proc, port
        proc.kill()
        proc.wait()
    raise RuntimeError("ncat did not start")


class Socks5Proxy:
    """A one-connection SOCKS5 proxy (RFC 1928, optional RFC 1929 auth)."""

    def __init__(self, user=None, password=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.requested = None

        def relay(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        b.shutdown(socket.SHUT_WR)
                        return
                    b.sendall(d)
            except OSError:
                pass

        def run():
            c, _ = self.sock.accept()
            ver, n = c.recv(2)
            methods = c.recv(n)
            if user is not None:
                if 2 not in methods:
                    c.sendall(b"\x05\xff")
                    return c.close()
                c.sendall(b"\x05\x02")
                _, ulen = c.recv(2)
                u = c.recv(ulen)
                plen = c.recv(1)[0]
                p = c.recv(plen)
                ok = u.decode() == user and p.decode() == password
                c.sendall(b"\x01" + (b"\x00" if ok else b"\x01"))
                if not ok:
                    return c.close()
            else:
                c.sendall(b"\x05\x00")
            _, cmd, _, atyp = c.recv(4)
            if atyp == 1:
                host = socket.inet_ntoa(c.recv(4))
            elif atyp == 3:
                host = c.recv(c.recv(1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, c.recv(16))
            port = struct.unpack("!H", c.recv(2))[0]
            self.requested = (host, port)
            try:
                up = socket.create_connection((host, port))
            except OSError:
                c.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
                return c.close()
            c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", port))
            t = threading.Thread(target=relay, args=(up, c), daemon=True)
            t.start()
            relay(c, up)
            t.join()
        threading.Thread(target=run, daemon=True).start()


TRUST = ["--ssl-trustfile", cert("ca.pem")]


class NcTlsTest(unittest.TestCase):
    def server(self, handler, **kw):
        s = TlsServer(handler, **kw)
        self.addCleanup(s.close)
        return s

    def test_verified_dns_name_and_half_close_with_delayed_reply(self):
        s = self.server(reply_after_eof)
        code, out, err = nc("--ssl", *TRUST, "--ssl-servername", "localhost", "-N", "127.0.0.1", str(s.port),
                            stdin=b"request\n")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, b"got: request\n")
        self.assertIsNone(s.error)

    def test_ip_address_san_and_verbose_report(self):
        s = self.server(reply_after_eof, alpn=["h2"])
        code, out, err = nc("-v", "--ssl", *TRUST, "--ssl-alpn", "http/1.1,h2", "-N", "127.0.0.1", str(s.port),
                            stdin=b"x")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"got: x")
        self.assertIn("nc: TLS: TLSv1.3 TLS_AES_256_GCM_SHA384, group X25519, ALPN h2\n", err)
        self.assertIn("nc: TLS: server certificate 0: CN=localhost,O=ipckit test; issuer CN=ipckit Test CA,"
                      "O=ipckit test; expires", err)
        self.assertIn("nc: TLS: certificate verified\n", err)

    def test_verification_failures_exit_four(self):
        for name, servername, args, message in [
            ("selfsigned", "localhost", TRUST, "self signed certificate"),
            ("server", "localhost", [], "unable to get local issuer certificate"),
            ("wronghost", "localhost", TRUST, "Hostname mismatch"),
            ("expired", "localhost", TRUST, "certificate has expired"),
            ("server", "127.0.0.2", TRUST, "IP address mismatch"),
        ]:
            s = self.server(harness.recv_all, name=name)
            code, out, err = nc("--ssl", *args, "--ssl-servername", servername, "127.0.0.1", str(s.port))
            self.assertEqual(code, 4, (name, err))
            self.assertEqual(err, f"nc: handshake net: certificate verify failed: {message}\n")
            self.assertEqual(out, b"")

    def test_ssl_ciphers_are_what_nc_offers(self):
        proc, port = s_server.start(CERTS, ["-tls1_2"])
        self.addCleanup(s_server.stop, proc)
        code, out, err = nc("-v", "--ssl", *TRUST, "--ssl-ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305", "-N",
                            "127.0.0.1", str(port), stdin=b"GET / HTTP/1.0\r\n\r\n")
        self.assertEqual(code, 0, err)
        self.assertIn("nc: TLS: TLSv1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,", err)

    def test_insecure_warns_and_goes_on(self):
        s = self.server(reply_after_eof, name="expired")
        code, out, err = nc("--ssl", "--insecure", "-N", "127.0.0.1", str(s.port), stdin=b"y")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"got: y")
        self.assertEqual(err, "nc: warning: --insecure: the server's certificate is not verified\n")

    def test_spki_pin(self):
        good = "sha256//Q8a4HZ22yTNwWQqTnIeQxmNVqc7cFQE/F3Yt86yoQt0="
        other = "sha256//2Ya5dG2nmMpPA5BXf+R6pfeQ5rGv/UkOHahzdERBmmM="
        s = self.server(reply_after_eof)
        code, out, err = nc("--ssl", *TRUST, "--ssl-pin", f"{other};{good}", "-N", "127.0.0.1", str(s.port),
                            stdin=b"p")
        self.assertEqual((code, out), (0, b"got: p"), err)
        s = self.server(harness.recv_all)
        code, out, err = nc("--ssl", *TRUST, "--ssl-pin", other, "127.0.0.1", str(s.port))
        self.assertEqual(code, 4)
        self.assertEqual(err, f"nc: TLS: certificate pin mismatch: the server's key is {good}\n")

    def test_client_certificate_required_by_openssl_s_server(self):
        proc, port = s_server.start(CERTS, ["-Verify", "1", "-CAfile", cert("ca.pem")])
        self.addCleanup(s_server.stop, proc)
        code, out, err = nc("--ssl", *TRUST, "127.0.0.1", str(port))
        self.assertEqual(code, 1)
        self.assertEqual(err, "nc: read net: TLSV1_ALERT_CERTIFICATE_REQUIRED "
                              "(alert 116 received: certificate required)\n")
        code, out, err = nc("--ssl", *TRUST, "--ssl-cert", cert("client.pem"), "--ssl-key", cert("client.key"),
                            "-N", "127.0.0.1", str(port), stdin=b"GET / HTTP/1.0\r\n\r\n")
        self.assertEqual(code, 0, err)
        self.assertTrue(out.startswith(b"HTTP/1.0 200 ok"), out[:100])

    def test_our_listener_verifies_openssl_s_client(self):
        for with_cert in (True, False):
            pf = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), f"port{with_cert}")
            if os.path.exists(pf):
                os.unlink(pf)
            listener = subprocess.Popen([NC, "-l", "--ssl", "--ssl-cert", cert("server.pem"), "--ssl-key",
                                         cert("server.key"), "--ssl-verify-client", cert("ca.pem"),
                                         "--port-file", pf, "127.0.0.1", "0"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            end = time.monotonic() + 10
            while not os.path.exists(pf) and time.monotonic() < end:
                time.sleep(0.01)
            port = open(pf).read().strip()
            client = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", cert("ca.pem"),
                      "-brief", "-verify_return_error"]
            if with_cert:
                client += ["-cert", cert("client.pem"), "-key", cert("client.key")]
            subprocess.run(client, input=b"from s_client\n", capture_output=True, timeout=DEADLINE)
            out, err = listener.communicate(timeout=DEADLINE)
            if with_cert:
                self.assertEqual((listener.returncode, out), (0, b"from s_client\n"), err)
            else:
                self.assertEqual(listener.returncode, 1)
                self.assertIn(b"PEER_DID_NOT_RETURN_A_CERTIFICATE", err)

    def test_listener_refuses_legacy_clients_unless_ssl_legacy(self):
        # TLS 1.2+ with ECDHE and AEAD suites by default (Mozilla's intermediate
        # profile); --ssl-legacy lets old clients in, for testing them. A
        # certificate of 90 days: intermediate's lifespan is 366 at most.
        pem, key = harness.fresh_certificate(self)
        for legacy in (False, True):
            listener = harness.serve([NC, "-lkv", "--ssl", "--ssl-cert", pem, "--ssl-key", key] +
                                     (["--ssl-legacy"] if legacy else []) +
                                     ["127.0.0.1", "0"], stream="err")
            port = harness.port_of(listener.addresses[0])
            for flags in harness.LEGACY_CLIENTS:
                got = harness.openssl_handshake(port, *flags)
                self.assertTrue(got if legacy else got is None, (legacy, flags, got))
            self.assertRegex(harness.openssl_handshake(port, "-tls1_2") or "", r"^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20)")
            code, out, err = harness.run([TLSPROBE, "--policy", "intermediate", "--insecure", f"127.0.0.1:{port}"],
                                         deadline=DEADLINE, text=True)
            self.assertEqual(code, 7 if legacy else 0, out + err)
            listener.kill()

    def test_100_mib_from_ncat_ssl_to_our_listener(self):
        data = os.urandom(1 << 20) * 100
        pf = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "bulkport")
        if os.path.exists(pf):
            os.unlink(pf)
        listener = subprocess.Popen([NC, "-l", "--ssl", "--ssl-cert", cert("server.pem"), "--ssl-key",
                                     cert("server.key"), "--port-file", pf, "127.0.0.1", "0"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while not os.path.exists(pf) and time.monotonic() < end:
            time.sleep(0.01)
        port = open(pf).read().strip()
        sender = subprocess.Popen(["ncat", "--ssl", "--ssl-verify", "--ssl-trustfile", cert("ca.pem"),
                                   "--send-only", "localhost", port], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        h = hashlib.sha256()
        n = 0

        def drain():
            nonlocal n
            while True:
                b = listener.stdout.read(1 << 20)
                if not b:
                    return
                h.update(b)
                n += len(b)
        t = threading.Thread(target=drain)
        t.start()
        sender.stdin.write(data)
        sender.stdin.close()
        sender.wait(timeout=60)
        t.join(timeout=60)
        listener.wait(timeout=DEADLINE)
        self.assertEqual(n, len(data))
        self.assertEqual(h.hexdigest(), hashlib.sha256(data).hexdigest())
        self.assertEqual(listener.returncode, 0, listener.stderr.read())

    def test_100_mib_from_our_client_to_python(self):
        data = os.urandom(1 << 20) * 100
        result = {}

        def sink(t):
            h = hashlib.sha256()
            n = 0
            while True:
                b = t.recv(1 << 20)
                if not b:
                    break
                h.update(b)
                n += len(b)
            result["n"], result["sha"] = n, h.hexdigest()
            t.sendall(b"done\n")
        s = self.server(sink)
        code, out, err = nc("--ssl", *TRUST, "-N", "127.0.0.1", str(s.port), stdin=data)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"done\n")
        self.assertEqual(result, {"n": len(data), "sha": hashlib.sha256(data).hexdigest()})

    def test_http_connect_proxy_with_tls_through_the_tunnel(self):
        proxy, pport = start_ncat("--proxy-type", "http", "-k")
        self.addCleanup(proxy.kill)
        s = self.server(reply_after_eof)
        code, out, err = nc("-vv", "-x", f"127.0.0.1:{pport}", "-X", "connect", "--ssl", *TRUST,
                            "--ssl-servername", "localhost", "-N", "127.0.0.1", str(s.port), stdin=b"tunnel")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"got: tunnel")
        # -v: netcat-openbsd's line (no IP through a proxy); -vv: which proxy.
        self.assertIn(f"Connection to 127.0.0.1 {s.port} port [tcp/*] succeeded!\n", err)
        self.assertIn(f"through HTTP CONNECT proxy 127.0.0.1:{pport}", err)

    def banner_server(self, banner, clients):
        """A plain TCP server that sends `banner` to each of `clients` and closes; returns its port."""
        target = socket.socket()
        target.bind(("127.0.0.1", 0))
        target.listen(4)
        self.addCleanup(target.close)

        def serve():
            for _ in range(clients):
                c, _ = target.accept()
                c.sendall(banner)
                c.close()
        threading.Thread(target=serve, daemon=True).start()
        return str(target.getsockname()[1])

    def test_ncat_proxy_options_as_in_an_ssh_proxy_command(self):
        # ProxyCommand ncat --proxy HOST:PORT --proxy-type http %h %p, with ipckit's nc.
        proxy, pport = start_ncat("--proxy-type", "http", "-k")
        self.addCleanup(proxy.kill)
        tport = self.banner_server(b"SSH-2.0-test\n", 2)
        for tool in ("ncat", NC):
            cmd = [tool, "--recv-only", "--proxy", f"127.0.0.1:{pport}", "--proxy-type", "http", "127.0.0.1", tport]
            r = subprocess.run(cmd, input=b"", capture_output=True, timeout=20)
            self.assertEqual((r.returncode, r.stdout), (0, b"SSH-2.0-test\n"), (tool, r.stderr))

    def test_http_proxy_authentication(self):
        proxy, pport = start_ncat("--proxy-type", "http", "--proxy-auth", "al:s3cret", "-k")
        self.addCleanup(proxy.kill)
        tport = self.banner_server(b"banner\n", 2)
        code, out, err = nc("-x", f"127.0.0.1:{pport}", "-X", "connect", "-P", "al", "127.0.0.1", tport,
                            env={"NC_PROXY_PASSWORD": "wrong"})
        self.assertEqual(code, 1)
        self.assertEqual(err, "nc: proxy: authentication required (407 Proxy Authentication Required)\n")
        code, out, err = nc("-x", f"127.0.0.1:{pport}", "-X", "connect", "-P", "al", "127.0.0.1", tport,
                            env={"NC_PROXY_PASSWORD": "s3cret"})
        self.assertEqual((code, out), (0, b"banner\n"), err)
        # ncat's spelling of the same: --proxy-auth USER:PASS.
        code, out, err = nc("--proxy", f"127.0.0.1:{pport}", "--proxy-type", "http", "--proxy-auth", "al:s3cret",
                            "127.0.0.1", tport)
        self.assertEqual((code, out), (0, b"banner\n"), err)

    def test_socks5_proxy_plain_and_tls(self):
        p = Socks5Proxy()
        s = self.server(reply_after_eof)
        code, out, err = nc("-x", f"127.0.0.1:{p.port}", "--ssl", *TRUST, "--ssl-servername", "localhost", "-N",
                            "localhost", str(s.port), stdin=b"socks")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"got: socks")
        self.assertEqual(p.requested, ("localhost", s.port))  # The name goes to the proxy.
        p = Socks5Proxy(user="u", password="pw")
        closed = harness.free_port()
        code, out, err = nc("-x", f"127.0.0.1:{p.port}", "-P", "u", "127.0.0.1", str(closed),
                            env={"NC_PROXY_PASSWORD": "pw"})
        self.assertEqual(code, 1)
        self.assertEqual(err, f"nc: proxy: SOCKS5: 127.0.0.1:{closed}: connection refused\n")

    def test_usage_errors(self):
        code, _, err = nc("--ssl-cert", "x", "h", "1")
        self.assertEqual(code, 2)
        self.assertTrue(err.startswith("nc: --ssl-* options and --insecure require --ssl\n"), err)
        code, _, err = nc("--ssl", "--ssl-trustfile", "/nonexistent.pem", "127.0.0.1", "1")
        self.assertEqual((code, err), (1, "nc: load CA file /nonexistent.pem: cannot read the file\n"))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
