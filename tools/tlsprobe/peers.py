"""peers.py: what tlsprobe's end-to-end tests share: the servers they
probe besides testdata/tls/s_server.py's openssl s_server (certificates
made for the run, as Mozilla's policies judge a certificate's lifespan and
the committed test certificates live a century; gnutls-serv; a TCP front
that speaks a dialogue first, as SMTP's STARTTLS, or resets connections as
a rate limiter does), and the probe helpers at the end. Each function ties
what it starts to a unittest.TestCase's cleanup.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import unittest

import harness

DEADLINE = 10.0

# KEYS are the certificate kinds make_certs writes, as openssl genpkey's
# arguments (NAME.pem and NAME.key in the folder).
KEYS = {
    "ec": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "pss": ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
    "brainpool": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"],
    "ed25519": ["-algorithm", "ED25519"],
    "dsa": ["-paramfile", "dsa-params.pem"],
}


def _openssl(d, *args):
    subprocess.run(["openssl"] + list(args), cwd=d, check=True, capture_output=True, timeout=DEADLINE * 6)


def make_certs(d, days=90):
    """Writes a self-signed certificate of each of KEYS into `d` (CN and SAN
    localhost and 127.0.0.1, valid `days` from now); also "ec200" (an ECDSA
    one of 200 days) and "ocsp" (an ECDSA leaf naming an OCSP responder,
    signed by "ocsp-ca", with a good response for it in ocsp-good.der), and
    ffdhe2048.pem, RFC 7919's 2048-bit group as DH parameters."""
    _openssl(d, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048",
             "-out", "dsa-params.pem")
    _openssl(d, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", "ffdhe2048.pem")
    for name, key in list(KEYS.items()) + [("ec200", KEYS["ec"])]:
        _openssl(d, "genpkey", *key, "-out", f"{name}.key")
        _openssl(d, "req", "-x509", "-new", "-key", f"{name}.key", "-subj", "/CN=localhost", "-days",
                 str(200 if name == "ec200" else days), "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-out", f"{name}.pem")
    _openssl(d, "genpkey", *KEYS["ec"], "-out", "ocsp-ca.key")
    _openssl(d, "req", "-x509", "-new", "-key", "ocsp-ca.key", "-subj", "/CN=run CA", "-days", str(days),
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-out", "ocsp-ca.pem")
    _openssl(d, "genpkey", *KEYS["ec"], "-out", "ocsp.key")
    _openssl(d, "req", "-new", "-key", "ocsp.key", "-subj", "/CN=localhost", "-out", "ocsp.csr")
    with open(os.path.join(d, "ocsp.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:9/\n")
    _openssl(d, "x509", "-req", "-in", "ocsp.csr", "-CA", "ocsp-ca.pem", "-CAkey", "ocsp-ca.key", "-set_serial", "7",
             "-sha256", "-days", str(days), "-extfile", "ocsp.ext", "-out", "ocsp.pem")
    with open(os.path.join(d, "index.txt"), "w") as f:
        f.write("V\t991231235959Z\t\t07\tunknown\t/CN=localhost\n")
    _openssl(d, "ocsp", "-issuer", "ocsp-ca.pem", "-cert", "ocsp.pem", "-no_nonce", "-reqout", "ocsp.req")
    _openssl(d, "ocsp", "-index", "index.txt", "-rsigner", "ocsp-ca.pem", "-rkey", "ocsp-ca.key", "-CA", "ocsp-ca.pem",
             "-reqin", "ocsp.req", "-respout", "ocsp-good.der", "-ndays", "2")


def gnutls_serv(case, certs, name, priority):
    """Starts gnutls-serv with NAME.pem and NAME.key of `certs` and the
    priority string `priority`; returns its port. gnutls-serv cannot bind
    port 0 and say which port it got, nor bind loopback alone: it takes a
    port that was free a moment ago (tried again if another process takes
    it) on the wildcard address, and the test connects over loopback."""
    for _ in range(5):
        port = harness.free_port()
        p = harness.start(["gnutls-serv", "-p", str(port), "--x509certfile", os.path.join(certs, name + ".pem"),
                           "--x509keyfile", os.path.join(certs, name + ".key"), "--priority", priority])
        case.addCleanup(p.kill)
        if harness.wait_connectable(port, p.proc, deadline=DEADLINE):
            return port
    raise RuntimeError(f"gnutls-serv did not start: {p.err}")


def smtp(c):
    """An SMTP server's side of STARTTLS, for front's dialogue."""
    f = c.makefile("rb")
    c.sendall(b"220 mail.test ESMTP\r\n")
    f.readline()  # EHLO
    c.sendall(b"250-mail.test\r\n250 STARTTLS\r\n")
    if f.readline() != b"STARTTLS\r\n":
        return False
    c.sendall(b"220 go ahead\r\n")
    return True


def front(case, upstream, dialogue=None, reset=None):
    """A TCP front on 127.0.0.1:0 before `upstream` (a port): each client
    gets `dialogue(conn)` first (False ends it), or is reset at once when
    `reset(n)` says so for the n-th connection; then bytes flow both ways.
    Returns the front's port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    case.addCleanup(srv.close)

    def pump(a, b):
        # Whether `a` ends with EOF or a reset, `b` hears of it (an
        # s_server serving one connection at a time would wait for it).
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def session(c, n):
        with c:
            if reset and reset(n):
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if dialogue and not dialogue(c):
                return
            with socket.create_connection(("127.0.0.1", upstream)) as up:
                t = threading.Thread(target=pump, args=(up, c), daemon=True)
                t.start()
                pump(c, up)
                t.join(DEADLINE)

    def accept():
        n = 0
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            n += 1
            threading.Thread(target=session, args=(c, n), daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


# What tlsprobe_e2e_test and tlsprobe_failures_e2e_test share: the tool, the
# test certificates, s_server on port 0, a probe run, the text report's
# fields, and ProbeCase (serve; both, which checks that the text report and
# the --json line agree; front; enumerate_json).
TLSPROBE = harness.runfile("tools/tlsprobe/tlsprobe")
CERTS = harness.runfile("testdata/tls")
sys.path.insert(0, CERTS)
import s_server  # noqa: E402  (testdata/tls/s_server.py)


def cert(name):
    return os.path.join(CERTS, name)


class Server:
    """openssl s_server on 127.0.0.1:0 (testdata/tls/s_server.py)."""

    def __init__(self, *args, name="server"):
        self.proc, self.port = s_server.start(CERTS, args, name=name, deadline=DEADLINE)

    def stop(self):
        s_server.stop(self.proc)


def probe(*args, stdin=None):
    return harness.run([TLSPROBE] + list(args), stdin, deadline=DEADLINE * 3, text=True)


def field(text, key):
    """The value of `key` in the text report (first occurrence)."""
    for line in text.splitlines():
        if line[:13].rstrip() == key:
            return line[14:]
    return None




class ProbeCase(unittest.TestCase):
    def serve(self, *args, name="server"):
        s = Server(*args, name=name)
        self.addCleanup(s.stop)
        return s

    def both(self, *args):
        """Runs tlsprobe with and without --json; returns (code, text, json, stderr)."""
        code, text, err = probe(*args)
        jcode, jout, jerr = probe("--json", *args)
        self.assertEqual(code, jcode, (err, jerr))
        lines = jout.splitlines()
        self.assertEqual(len(lines), 1, jout)
        j = json.loads(lines[0])
        self.assertEqual(j["exit"], code)
        # The text report and the JSON agree.
        if j["tls"]:
            self.assertEqual(field(text, "version"), j["tls"]["version"])
            self.assertEqual(field(text, "cipher"), "%s (0x%04x)" % (j["tls"]["cipher"], j["tls"]["cipher_id"]))
            self.assertEqual(field(text, "alpn"), j["tls"]["alpn"] or "none")
        if j["cert"]["chain"]:
            self.assertEqual(field(text, "  sha256"), j["cert"]["chain"][0]["sha256"])
            self.assertEqual(field(text, "  subject"), j["cert"]["chain"][0]["subject"])
        self.assertEqual(field(text, "result"), "ok" if code == 0 else f"exit {code}")
        return code, text, j, err

    def front(self, upstream, dialogue=None, reset=None):
        return front(self, upstream, dialogue, reset)

    def enumerate_json(self, *args):
        code, out, err = probe("--enumerate", "--insecure", "--json", *args)
        return code, json.loads(out)["enumerate"], err
