"""tlsprobe's verdicts against Mozilla's Server Side TLS guidelines 5.7,
server configuration by server configuration, and its enumeration against
sslscan's.

Each row is a server (openssl s_server or gnutls-serv, directly, behind an
SMTP STARTTLS front, or behind a front that resets connections) with a
certificate made for the run (90 days, so that Mozilla's lifespan rule is
met unless a row means otherwise), and the verdict tlsprobe must give at
modern, intermediate and old: the Mozilla fields the server breaks. Each
verdict is worked out from testdata/policies/mozilla-5.7.json and the
server's configuration (the comment on each row says how), not from
tlsprobe's output; tlsprobe gives a verdict as its checks_failed lines,
which this test reads back into field names. The same row's suites per
version must equal what sslscan finds, or differ for the reason written
beside the row.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness  # noqa: E402

TLSPROBE = harness.runfile("tools/tlsprobe/tlsprobe")
CERTS = harness.runfile("testdata/tls")
sys.path.insert(0, CERTS)
import s_server  # noqa: E402  (testdata/tls/s_server.py)
sys.path.insert(0, os.path.dirname(harness.runfile("tools/tlsprobe/peers.py")))
import peers  # noqa: E402  (tools/tlsprobe/peers.py)

DEADLINE = 10.0

# A violation line's words, and the Mozilla field it is a verdict on
# (first match wins). NOT_JUDGED: the certificate rules could not be
# judged, and so fail (anon and PSK servers send no certificate).
NOT_JUDGED = "(certificate not judged)"
FIELDS = [
    ("version ", "tls_versions"),
    ("cipher order", "server_preferred_order"),
    ("cipher ", "ciphers"),
    (" bits accepted (want", "ecdh_param_size"),
    ("group ", "tls_curves"),
    ("certificate type", "certificate_types"),
    ("certificate curve", "certificate_curves"),
    ("certificate signature", "certificate_signatures"),
    ("certificate lifespan", "maximum_certificate_lifespan"),
    ("OCSP", "ocsp_staple"),
    ("DHE prime", "dh_param_size"),
    ("certificate key ", "rsa_key_size"),
    ("certificate could not be judged", NOT_JUDGED),
]


def fields(checks_failed, policy):
    """The Mozilla fields named by `policy`'s lines of checks_failed."""
    out = set()
    prefix = f"policy {policy}: "
    for line in checks_failed:
        assert line.startswith(prefix), line
        what = line[len(prefix):]
        out.add(next(field for words, field in FIELDS if words in what))
    return out


G = ["-groups", "X25519:P-256:P-384"]  # Mozilla's tls_curves; OpenSSL's defaults add x448 and P-521.
AEAD_RSA = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"
AEAD_ECDSA = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305"
# What breaks modern for any server that takes TLS 1.2 with an RSA key
# signed with sha256WithRSAEncryption: modern's tls_versions is TLSv1.3
# alone, its ciphers.iana is empty, its certificate_types ecdsa alone, its
# certificate_signatures ECDSA ones alone.
MODERN_RSA12 = {"tls_versions", "ciphers", "certificate_types", "certificate_signatures"}
# And an ECDSA (P-256, ecdsa-with-SHA256) server on old: certificate_types
# and certificate_signatures are rsa and sha256WithRSAEncryption alone.
OLD_ECDSA = {"certificate_types", "certificate_signatures"}
# Ways sslscan's suites may differ from tlsprobe's (each row says why):
# it sees no suite; it sees TLS 1.3's alone (the same as tlsprobe's).
NOTHING = lambda ours, theirs: theirs == {}  # noqa: E731
NO_TLS12 = lambda ours, theirs: ("TLSv1.2" not in theirs and "TLSv1.2" in ours and  # noqa: E731
                                 theirs.get("TLSv1.3") == ours.get("TLSv1.3"))
PRIO_TIDY = ("NONE:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-ECDSA:+AES-128-GCM:+CHACHA20-POLY1305:+AEAD:+GROUP-X25519:"
             "+GROUP-SECP256R1:+GROUP-SECP384R1:+SIGN-ALL:+COMP-NULL:+CTYPE-ALL:%SERVER_PRECEDENCE")

# Each row: title, (server, certificate, arguments), how it is reached
# (None, "smtp" or "resets"), tlsprobe's extra flags, the verdicts
# {modern, intermediate, old}, the exit code of a clean verdict, and how
# and why sslscan's suites differ ("" when they must not).
ROWS = [
    # TLS 1.3 with its three suites on tls_curves, ECDSA P-256 signed with
    # ecdsa-with-SHA256: all that modern and intermediate ask.
    ("ECDSA P-256, TLS 1.3 only", ("openssl", "ec", ["-tls1_3"] + G), None, [],
     {"modern": set(), "intermediate": set(), "old": OLD_ECDSA}, 0, ""),
    # TLS 1.2's ECDHE-RSA AEAD suites are intermediate's and old's, and the
    # server's order is old's server_preferred_order.
    ("RSA 2048, TLS 1.2 and 1.3, ECDHE AEAD, server order",
     ("openssl", "rsa", ["-min_protocol", "TLSv1.2", "-cipher", AEAD_RSA, "-serverpref"] + G), None, [],
     {"modern": MODERN_RSA12, "intermediate": set(), "old": set()}, 0, ""),
    # TLS 1.0 and 1.1 and CBC or RSA-key-exchange suites are old's alone;
    # old also wants the server's order, and this server follows the client.
    ("RSA, TLS 1.0 to 1.2, CBC and RSA key exchange, client order",
     ("openssl", "rsa", ["-no_tls1_3", "-min_protocol", "TLSv1", "-cipher",
                         "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0"] + G), None, [],
     {"modern": MODERN_RSA12, "intermediate": {"tls_versions", "ciphers"}, "old": {"server_preferred_order"}}, 0, ""),
    # dh_param_size: intermediate 2048, old 1024.
    ("DHE with a 1024-bit group",
     ("openssl", "rsa", ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                         "-serverpref", "-dhparam", "{testdata}/dh1024.pem"] + G), None, [],
     {"modern": MODERN_RSA12, "intermediate": {"dh_param_size"}, "old": set()}, 0, ""),
    # No policy has DSA in certificate_types, dsa_with_SHA256 in
    # certificate_signatures, or DHE-DSS suites; BoringSSL cannot handshake
    # with it, so the leaf judged is the one its TLS 1.2 answer carried.
    ("DSA certificate, DHE-DSS suites",
     ("openssl", "dsa", ["-tls1_2", "-cipher", "DHE-DSS-AES128-GCM-SHA256:DHE-DSS-AES256-GCM-SHA384", "-serverpref",
                         "-dhparam", "{certs}/ffdhe2048.pem"] + G), None, [],
     {"modern": {"tls_versions", "ciphers", "certificate_types", "certificate_signatures"},
      "intermediate": {"ciphers", "certificate_types", "certificate_signatures"},
      "old": {"ciphers", "certificate_types", "certificate_signatures"}}, 5, ""),
    # certificate_curves is prime256v1 and secp384r1 in all three.
    ("ECDSA on brainpoolP256r1", ("openssl", "brainpool", ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"] + G),
     None, [], {"modern": {"tls_versions", "ciphers", "certificate_curves"}, "intermediate": {"certificate_curves"},
                "old": OLD_ECDSA | {"certificate_curves"}}, 5,
     ("sslscan's hellos (OpenSSL's default groups) do not list brainpoolP256r1, so the server has no certificate it "
      "may use with them (RFC 8422 5.1); tlsprobe offers the certificate's curve", NOTHING)),
    # An RSA-PSS key is rsa to certificate_types; rsassaPss is in no
    # policy's certificate_signatures.
    ("RSA-PSS certificate",
     ("openssl", "pss", ["-min_protocol", "TLSv1.2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"] + G), None, [],
     {"modern": MODERN_RSA12, "intermediate": {"certificate_signatures"}, "old": {"certificate_signatures"}}, 5, ""),
    # ed25519 is in no policy's certificate_types, ED25519 in no
    # certificate_signatures.
    ("Ed25519 certificate",
     ("openssl", "ed25519", ["-min_protocol", "TLSv1.2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"] + G), None, [],
     {"modern": {"tls_versions", "ciphers", "certificate_types", "certificate_signatures"},
      "intermediate": {"certificate_types", "certificate_signatures"},
      "old": {"certificate_types", "certificate_signatures"}}, 5, ""),
    # Anonymous suites are in no policy; with no certificate sent, the
    # certificate fields cannot be judged, so they fail.
    ("anonymous suites only",
     ("openssl", "ec", ["-nocert", "-tls1_2", "-cipher", "ADH-AES128-GCM-SHA256:AECDH-AES128-SHA:@SECLEVEL=0",
                        "-serverpref", "-dhparam", "{certs}/ffdhe2048.pem"] + G), None, [],
     {"modern": {"tls_versions", "ciphers", NOT_JUDGED}, "intermediate": {"ciphers", NOT_JUDGED},
      "old": {"ciphers", NOT_JUDGED}}, 5, ""),
    # PSK suites are in no policy, and send no certificate.
    ("PSK suites only",
     ("openssl", "ec", ["-psk", "1234abcd", "-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305",
                        "-serverpref"] + G), None, [],
     {"modern": {"tls_versions", "ciphers", NOT_JUDGED}, "intermediate": {"ciphers", NOT_JUDGED},
      "old": {"ciphers", NOT_JUDGED}}, 5,
     ("sslscan offers no PSK suites (it has no key to use them with); tlsprobe's hellos offer every suite", NOTHING)),
    # An SNI the server has no certificate for: a warning alert
    # (unrecognized_name), then its default RSA certificate; as row 2.
    ("SNI mismatch: a warning alert, then the default certificate",
     ("openssl", "rsa", ["-min_protocol", "TLSv1.2", "-cipher", AEAD_RSA, "-serverpref", "-servername", "foo.example",
                         "-cert2", "{certs}/ec.pem", "-key2", "{certs}/ec.key"] + G), None, ["--servername", "bar.example"],
     {"modern": MODERN_RSA12, "intermediate": set(), "old": set()}, 0,
     ("sslscan reads the warning alert before a TLS 1.2 ServerHello as a refusal (issue 28's first finding); TLS 1.3 "
      "sends no such alert", NO_TLS12)),
    # A client certificate demanded changes nothing Mozilla judges;
    # tlsprobe's own handshake fails (5), the verdict stands on the facts.
    ("client certificate required",
     ("openssl", "ec", ["-min_protocol", "TLSv1.2", "-cipher", AEAD_ECDSA, "-serverpref", "-Verify", "1"] + G), None, [],
     {"modern": {"tls_versions", "ciphers"}, "intermediate": set(), "old": OLD_ECDSA}, 5,
     ("sslscan counts a TLS 1.2 suite only when its handshake completes, which a server that wants a client "
      "certificate never lets happen; TLS 1.3's completes before the server asks", NO_TLS12)),
    # A front that resets every connection for 0.2 s after the first, as a
    # rate limiter: the same verdict as the server's own.
    ("a front that resets connections for 0.2 s",
     ("openssl", "ec", ["-min_protocol", "TLSv1.2", "-cipher", AEAD_ECDSA, "-serverpref"] + G), "resets", [],
     {"modern": {"tls_versions", "ciphers"}, "intermediate": set(), "old": OLD_ECDSA}, 0, ""),
    # ECDHE-RSA-AES128-SHA (CBC) is old's alone.
    ("SMTP STARTTLS",
     ("openssl", "rsa", ["-min_protocol", "TLSv1.2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA",
                         "-serverpref"] + G), "smtp", ["--starttls", "smtp"],
     {"modern": MODERN_RSA12, "intermediate": {"ciphers"}, "old": set()}, 0, ""),
    # GnuTLS with intermediate's ECDSA suites, tls_curves and its own order.
    ("gnutls-serv, ECDSA, AEAD suites, server order", ("gnutls", "ec", PRIO_TIDY), None, [],
     {"modern": {"tls_versions", "ciphers"}, "intermediate": set(), "old": OLD_ECDSA}, 0, ""),
    # GnuTLS 3.7's NORMAL (Debian 12): TLS 1.0 to 1.3, CBC and AES-CCM
    # suites (CCM is in no policy), x448 and secp521r1 beside tls_curves,
    # FFDHE groups, and the client's order (no %SERVER_PRECEDENCE).
    ("gnutls-serv, RSA, NORMAL priorities", ("gnutls", "rsa", "NORMAL"), None, [],
     {"modern": MODERN_RSA12 | {"tls_curves"}, "intermediate": {"tls_versions", "ciphers", "tls_curves"},
      "old": {"ciphers", "tls_curves", "server_preferred_order"}}, 0, ""),
    # ocsp_staple is true in all three, and this leaf names a responder.
    ("OCSP responder named, nothing stapled", ("openssl", "ocsp", ["-tls1_3"] + G), None, [],
     {"modern": {"ocsp_staple"}, "intermediate": {"ocsp_staple"}, "old": OLD_ECDSA | {"ocsp_staple"}}, 0, ""),
    ("OCSP responder named, a response stapled",
     ("openssl", "ocsp", ["-tls1_3", "-status_file", "{certs}/ocsp-good.der"] + G), None, [],
     {"modern": set(), "intermediate": set(), "old": OLD_ECDSA}, 0, ""),
    # maximum_certificate_lifespan: modern 90 days, the others 366.
    ("a 200-day ECDSA certificate", ("openssl", "ec200", ["-tls1_3"] + G), None, [],
     {"modern": {"maximum_certificate_lifespan"}, "intermediate": set(), "old": OLD_ECDSA}, 0, ""),
    # OpenSSL 3's default groups add x448 and secp521r1 to tls_curves'.
    ("OpenSSL's default groups", ("openssl", "ec", ["-tls1_3"]), None, [],
     {"modern": {"tls_curves"}, "intermediate": {"tls_curves"}, "old": OLD_ECDSA | {"tls_curves"}}, 0, ""),
]


class MozillaTableTest(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp()
        peers.make_certs(cls.certs)
        cls.names = {}  # OpenSSL's names for IANA's, from OpenSSL itself.
        for line in subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                                   capture_output=True, text=True).stdout.splitlines():
            parts = line.split()
            cls.names[parts[2]] = parts[4]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs)

    def start(self, server):
        kind, name, args = server
        if kind == "gnutls":
            return peers.gnutls_serv(self, self.certs, name, args)
        args = [a.format(certs=self.certs, testdata=CERTS) for a in args]
        proc, port = s_server.start(self.certs, args, name=name, deadline=DEADLINE)
        self.addCleanup(s_server.stop, proc)
        return port

    def reach(self, port, via):
        """The port tlsprobe and sslscan connect to for a server on `port`."""
        if via == "smtp":
            return peers.front(self, port, dialogue=peers.smtp)
        if via == "resets":
            first = []

            def tripped(n):  # After the first connection, every one is reset for 0.2 s.
                first.append(time.monotonic()) if not first else None
                return n > 1 and time.monotonic() - first[0] < 0.2
            return peers.front(self, port, reset=tripped)
        return port

    def sslscan(self, port, via, extra):
        flags = ["--starttls-smtp"] if via == "smtp" else []
        if "--servername" in extra:
            flags.append("--sni-name=" + extra[extra.index("--servername") + 1])
        out = subprocess.run(["sslscan", "--no-colour"] + flags + [f"127.0.0.1:{port}"], capture_output=True,
                             text=True, timeout=DEADLINE * 6).stdout
        suites = {}
        for line in out.splitlines():
            if line.startswith(("Preferred", "Accepted")):
                suites.setdefault(line.split()[1], set()).add(line.split()[4])
        return suites

    def test_verdicts_follow_mozillas_json_and_suites_match_sslscan(self):
        self.assertGreaterEqual(len(ROWS), 18)
        for title, server, via, extra, verdicts, clean_exit, differs in ROWS:
            with self.subTest(title):
                port = self.start(server)
                enumeration = None
                for policy in ("modern", "intermediate", "old"):
                    target = f"127.0.0.1:{self.reach(port, via)}"
                    code, out, err = harness.run([TLSPROBE, "--json", "--insecure", "--policy", policy] + extra +
                                                 [target], deadline=DEADLINE * 6, text=True)
                    j = json.loads(out)
                    self.assertEqual(fields(j["checks_failed"], policy), verdicts[policy], (policy, j["checks_failed"]))
                    self.assertEqual(code, 7 if verdicts[policy] else clean_exit, (policy, err))
                    enumeration = j["enumerate"]
                self.assertEqual(enumeration["unanswered"], 0)
                # The suites per version, against sslscan's (a resetting
                # front is scanned through the server itself: sslscan reads
                # a reset as a refusal, which is what tlsprobe must not do).
                theirs = self.sslscan(port if via == "resets" else self.reach(port, via), via, extra)
                ours = {v: {self.names.get(n, n) for n in suites} for v, suites in enumeration["ciphers"].items()}
                if differs:
                    reason, check = differs
                    self.assertTrue(check(ours, theirs), (reason, ours, theirs))
                else:
                    self.assertEqual(ours, theirs)


if __name__ == "__main__":
    unittest.main()
