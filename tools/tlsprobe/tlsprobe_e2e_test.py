"""tlsprobe end to end: real peers (openssl s_server, Python ssl), exact values.

Each test starts its peer on 127.0.0.1 port 0, reads the bound port from the
peer's own output, runs tlsprobe, and checks the exit code, stderr, the
text report and the --json line (which must agree with the text).
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


class TlsprobeTest(peers.ProbeCase):
    def test_tls13_only_verifies_dns_name(self):
        s = self.serve("-tls1_3")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--servername", "localhost",
                                       f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(err, "")
        self.assertEqual(j["tls"]["version"], "TLSv1.3")
        self.assertEqual(j["sni"], "localhost")
        self.assertEqual(j["ip"], "127.0.0.1")
        self.assertEqual(j["port"], s.port)
        self.assertEqual(j["verify"], {"ok": True, "error": None, "code": 0})
        self.assertEqual(j["tls"]["peer_sigalg"], "ecdsa_secp256r1_sha256")
        self.assertEqual(j["cert"]["chain"][0]["san"], ["DNS:localhost", "IP:127.0.0.1", "IP:::1"])
        self.assertFalse(j["client_auth"]["requested"])
        self.assertGreater(j["timing_ms"]["total"], 0)

    def test_ip_address_san_without_sni(self):
        s = self.serve()
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertIsNone(j["sni"])
        self.assertEqual(field(text, "sni"), "none")

    def test_tls12_only_one_cipher(self):
        s = self.serve("-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(j["tls"]["version"], "TLSv1.2")
        self.assertEqual(j["tls"]["cipher"], "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
        self.assertEqual(j["tls"]["cipher_id"], 0xc02c)
        code, out, err = probe("--json", "--enumerate", "--insecure", f"127.0.0.1:{s.port}")
        e = json.loads(out)["enumerate"]
        self.assertEqual(e["versions"], {"SSLv3": False, "TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True,
                                         "TLSv1.3": False})
        self.assertEqual(e["ciphers"], {"TLSv1.2": ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]})
        self.assertIsNone(e["tls13_cipher"])

    def test_enumerate_finds_the_server_preference_order(self):
        order = ["ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-GCM-SHA384"]
        iana = ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
        s = self.serve("-cipher", ":".join(order) + ":@SECLEVEL=0", "-serverpref", "-groups", "P-256:P-384")
        code, text, j, err = self.both("--enumerate", "--insecure", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        e = j["enumerate"]
        self.assertTrue(e["server_order"])
        self.assertEqual(e["ciphers"]["TLSv1.2"], iana)
        self.assertEqual(e["versions"]["TLSv1.3"], True)
        self.assertEqual(e["groups_version"], "TLSv1.3")
        self.assertEqual({g for g, ok in e["groups"].items() if ok}, {"secp256r1", "secp384r1"})
        self.assertEqual(len(e["groups"]), 43)
        self.assertIn("TLSv1.3 suites 3 (server's order)", text)
        # Without -serverpref the client's order wins.
        c = self.serve("-cipher", ":".join(order))
        _, out, _ = probe("--json", "--enumerate", "--insecure", f"127.0.0.1:{c.port}")
        e = json.loads(out)["enumerate"]
        self.assertFalse(e["server_order"])
        self.assertEqual(sorted(e["ciphers"]["TLSv1.2"]), sorted(iana))

    # The differential table against sslscan 2.0: each row is an openssl
    # s_server configuration (args, certificate) and, when the two tools may
    # differ on it, the reason. Compared: accepted suites per version, the
    # preferred suite, groups at the version tlsprobe measured them,
    # DHE sizes, secure renegotiation and fallback SCSV.
    DIFFERENTIAL = [
        ("every suite, server order, RSA", ["-cipher", "ALL:@SECLEVEL=0", "-serverpref"], "server-rsa"),
        ("TLS 1.2 only, ECDSA", ["-tls1_2"], "server"),
        ("TLS 1.3 only, one suite", ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"], "server"),
        ("server order, a chosen list", ["-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:"
                                         "ECDHE-ECDSA-AES256-GCM-SHA384", "-serverpref", "-groups", "P-256:P-384"],
         "server"),
        ("DHE with a 1024-bit group", ["-cipher", "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:@SECLEVEL=0",
                                       "-dhparam", None, "-tls1_2"], "server-rsa"),
        ("no tickets, TLS 1.0 to 1.2", ["-no_ticket", "-no_tls1_3", "-cipher", "DEFAULT:@SECLEVEL=0"], "server-rsa"),
    ]
    # Differences, each with its reason (the test allows exactly these):
    # - A server that follows the client's order has no preferred suite of its
    #   own: each tool reports the first of its own offer. The preferred suite
    #   is compared where tlsprobe found a server order.
    # - Renegotiation: sslscan reports whether it managed to renegotiate a
    #   live session with its own suites and version ("not supported" against
    #   a TLS 1.3 server, or one it reaches only with suites it lacks);
    #   tlsprobe reports RFC 5746 support, the renegotiation_info extension in
    #   the ServerHello below TLS 1.3, which s_server always sends: asserted
    #   true for every row with a version below 1.3.
    # - DHE only: BoringSSL, the engine of tlsprobe's one real handshake, has
    #   no DHE suites, so the probe fails (exit 5) while the enumeration,
    #   which needs no TLS library, sees them.
    # Per row, the facts where the two differ on purpose, with the reason.
    ROW_DIFFERS = {
        "TLS 1.2 only, ECDSA": {
            "groups": "sslscan offers each curve alone, so the server, whose ECDSA certificate is on P-256, can "
                      "answer only for P-256 (RFC 8422 5.1: the client must list the certificate's curve); "
                      "tlsprobe also offers each curve with the certificate's, and finds x25519, P-384, P-521 and "
                      "x448 for key exchange (a superset, asserted)",
        },
    }
    # Not in the table: a server without the renegotiation_info extension or
    # one that ignores TLS_FALLBACK_SCSV. OpenSSL's s_server always sends the
    # one and honours the other; ClientHelloTest covers both answers against
    # BoringSSL's server, and ServerFlightTest the missing extension.

    def test_enumerate_agrees_with_sslscan(self):
        names = {}  # OpenSSL's names for IANA's, from OpenSSL itself (apart from lib/tls's table).
        for line in subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                                   capture_output=True, text=True).stdout.splitlines():
            parts = line.split()
            names[parts[2]] = parts[4]
        for title, args, name in self.DIFFERENTIAL:
            with self.subTest(title):
                args = [cert("dh1024.pem") if a is None else a for a in args]
                s = self.serve(*args, name=name)
                code, text, j, err = self.both("--enumerate", "--insecure", f"127.0.0.1:{s.port}")
                self.assertEqual(code, 5 if title.startswith("DHE") else 0, err)
                e = j["enumerate"]
                scan = subprocess.run(["sslscan", "--no-colour", f"127.0.0.1:{s.port}"], capture_output=True,
                                      text=True, timeout=DEADLINE * 3).stdout
                for version in ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"):
                    theirs = [l.split()[4] for l in scan.splitlines() if l.startswith(("Preferred", "Accepted")) and
                              l.split()[1] == version]
                    ours = [names.get(n, n) for n in e["ciphers"].get(version, [])]
                    self.assertEqual(sorted(ours), sorted(theirs), version)
                    if e["server_order"]:
                        self.assertEqual(ours[:1], theirs[:1], f"{version}: preferred suite")
                    self.assertEqual(e["versions"][version], bool(theirs) or f"{version} enabled" in scan, version)
                differs = self.ROW_DIFFERS.get(title, {})
                at = e["groups_version"]
                theirs = {l.split()[3] for l in scan.splitlines() if at and l.startswith(at + " ") and " bits " in l}
                ours = {g for g, ok in e["groups"].items() if ok}
                if "groups" in differs:
                    self.assertTrue(ours > theirs and "x25519" in ours, (ours, theirs))
                else:
                    self.assertEqual(ours, theirs, at)
                dhe = {int(m) for m in re.findall(r"DHE (\d+) bits", scan)}
                self.assertEqual(set(e["dh_bits"]), dhe)
                below13 = any(e["versions"][v] for v in ("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2"))
                self.assertEqual(e["secure_renegotiation"], True if below13 else None)
                if e["fallback_scsv"] is not None:
                    self.assertEqual(e["fallback_scsv"], "Server supports TLS Fallback SCSV" in scan)
                if title.startswith("every suite"):
                    self.assertEqual([len(e["ciphers"][v]) for v in ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")],
                                     [16, 16, 56, 3])
                    self.assertIn("TLS_DH_anon_WITH_AES_128_CBC_SHA", e["ciphers"]["TLSv1.2"])
                    self.assertFalse(e["versions"]["SSLv3"])
                    self.assertEqual((e["compression"], e["heartbeat"], e["session_ticket"]), (False, False, True))
                    self.assertTrue(e["signature_schemes"]["rsa_pss_rsae_sha256"])
                    self.assertFalse(e["signature_schemes"]["ecdsa_secp256r1_sha256"])  # An RSA key.
                if title.startswith("DHE"):
                    self.assertEqual(e["dh_bits"], [1024])
                if title.startswith("no tickets"):
                    self.assertFalse(e["session_ticket"])
                    self.assertTrue(e["fallback_scsv"])

    def test_dhe_psk_prime_is_measured(self):
        # Issue 28: a DHE_PSK-only server's prime went unmeasured (dh_bits: []).
        s = self.serve("-psk", "1234abcd", "-cipher", "DHE-PSK-AES128-GCM-SHA256:@SECLEVEL=0", "-dhparam",
                       cert("dh1024.pem"), "-tls1_2", name="server-rsa")
        code, text, j, err = self.both("--enumerate", "--insecure", "--min-dh-bits", "2048", f"127.0.0.1:{s.port}")
        e = j["enumerate"]
        self.assertEqual(e["ciphers"]["TLSv1.2"], ["TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"])
        self.assertEqual(e["dh_bits"], [1024])
        self.assertEqual(field(text, "DHE primes"), "1024 bits")
        self.assertEqual(code, 7, err)
        self.assertEqual(j["checks_failed"], ["min-dh-bits: DHE prime of 1024 bits (want at least 2048)"])

    def test_sni_mismatch_warning_alert_is_not_a_refusal(self):
        # s_server with -servername and a second certificate answers an SNI
        # it does not know with a warning (unrecognized_name), then
        # negotiates: enumeration read the warning as "TLSv1.2 no" and the
        # intermediate gate passed a server with 14 CBC suites.
        s = self.serve("-servername", "foo.example", "-cert2", cert("server.pem"), "-key2", cert("server.key"),
                       name="server-rsa")
        target = f"127.0.0.1:{s.port}"
        code, text, err = probe("--enumerate", "--insecure", "--servername", "bar.example", target)
        self.assertEqual(code, 0, err)
        self.assertIn("TLSv1.2 yes", field(text, "versions"))
        self.assertIn("the server sent warning alerts, read as warnings, not refusals: unrecognized_name", text)
        code, text, err = probe("--policy", "intermediate", "--insecure", "--servername", "bar.example", target)
        self.assertEqual(code, 7, err)
        self.assertIn("policy intermediate: cipher TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.2 "
                      "(not in the policy)", err)

    def test_dsa_certificate_answers_a_tls12_hello(self):
        # A TLS 1.2 hello without dsa_* schemes in signature_algorithms got
        # "no TLS version accepted" from a DSA server (sslscan found its
        # suites): TLS 1.2 hellos now offer every scheme the registry has.
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        for cmd in (["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", "p.pem"],
                    ["genpkey", "-paramfile", "p.pem", "-out", "dsa.key"],
                    ["req", "-x509", "-new", "-key", "dsa.key", "-subj", "/CN=localhost", "-days", "2", "-out", "dsa.pem"]):
            subprocess.run(["openssl"] + cmd, cwd=d, check=True, capture_output=True, timeout=DEADLINE * 6)
        proc, port = s_server.start(d, ["-tls1_2", "-cipher", "DHE-DSS-AES128-GCM-SHA256:DHE-DSS-AES256-GCM-SHA384"],
                                    name="dsa", deadline=DEADLINE)
        self.addCleanup(s_server.stop, proc)
        code, out, err = probe("--enumerate", "--insecure", "--json", f"127.0.0.1:{port}")
        e = json.loads(out)["enumerate"]
        self.assertTrue(e["versions"]["TLSv1.2"], err)
        self.assertEqual(sorted(e["ciphers"]["TLSv1.2"]),
                         ["TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"])
        self.assertIn("dsa_sha256", e["signature_schemes"])
        # BoringSSL cannot handshake with it (no DSA), yet its certificate,
        # read from the enumeration's TLS 1.2 answer, is judged: Mozilla's
        # certificate_types has no dsa.
        code, out, err = probe("--policy", "intermediate", "--insecure", "--json", f"127.0.0.1:{port}")
        j = json.loads(out)
        self.assertEqual(code, 7, err)
        self.assertIn("policy intermediate: certificate type dsa (allowed: ecdsa, rsa)", j["checks_failed"])
        self.assertIn("policy intermediate: cipher TLS_DHE_DSS_WITH_AES_128_GCM_SHA256 accepted at TLSv1.2 "
                      "(not in the policy)", j["checks_failed"])

    def test_gates_judge_from_the_enumeration_when_boringssl_cannot_handshake(self):
        # An anon-only server fails BoringSSL's handshake (5); the gates
        # used to be skipped (exit 5, checks_failed []). They are judged
        # from the enumeration's facts: the violation is the verdict.
        s = self.serve("-nocert", "-tls1_2", "-cipher", "ADH-AES128-GCM-SHA256:AECDH-AES128-SHA:@SECLEVEL=0")
        target = f"127.0.0.1:{s.port}"
        code, text, j, err = self.both("--forbid-cipher", "anon", "--insecure", target)
        self.assertEqual(code, 7, err)
        self.assertEqual(sorted(j["checks_failed"]),
                         ["forbid-cipher: cipher TLS_DH_anon_WITH_AES_128_GCM_SHA256 accepted at TLSv1.2 (anon)",
                          "forbid-cipher: cipher TLS_ECDH_anon_WITH_AES_128_CBC_SHA accepted at TLSv1.2 (anon)"])
        self.assertIn("handshake failure", err)  # BoringSSL's own failure is still reported.

    def test_policy_gates_name_each_violation(self):
        s = self.serve("-cipher", "ALL:@SECLEVEL=0", "-serverpref", name="server-rsa")
        target = f"127.0.0.1:{s.port}"
        code, text, j, err = self.both("--policy", "intermediate", "--insecure", target)
        self.assertEqual(code, 7, err)
        failed = j["checks_failed"]
        self.assertIn("policy intermediate: version TLSv1.0 accepted (allowed: TLSv1.2, TLSv1.3)", failed)
        self.assertIn("policy intermediate: cipher TLS_DH_anon_WITH_AES_128_CBC_SHA accepted at TLSv1.2 "
                      "(not in the policy)", failed)
        self.assertIn("policy intermediate: cipher TLS_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.2 "
                      "(not in the policy)", failed)
        # Mozilla's maximum_certificate_lifespan: the test CA's certificates live a century.
        self.assertIn("policy intermediate: certificate lifespan 36500 days (want at most 366)", failed)
        self.assertIn(f"tlsprobe: {target}: check failed: policy intermediate: version TLSv1.1 accepted "
                      "(allowed: TLSv1.2, TLSv1.3)\n", err)
        self.assertIn("enumerate", j)  # A policy implies --enumerate.
        # The same policy from Mozilla's guidelines document on disk (--policy
        # names its configuration); and the single gates.
        guidelines = harness.runfile("testdata/policies/mozilla-5.7.json")
        code, _, jf, _ = self.both("--policy-file", guidelines, "--policy", "intermediate", "--insecure", target)
        self.assertEqual((code, jf["checks_failed"]), (7, failed))
        code, _, err = probe("--policy-file", guidelines, "--insecure", target)
        self.assertEqual((code, err), (2, f"tlsprobe: {guidelines}: a Mozilla guidelines document: name one of its "
                                          "configurations (modern, intermediate, old) with --policy\n"))
        code, _, jg, _ = self.both("--forbid-version", "1.0", "--forbid-cipher", "anon,3DES", "--insecure", target)
        self.assertEqual(code, 7)
        self.assertIn("forbid-version: version TLSv1.0 accepted (allowed: SSLv3, TLSv1.1, TLSv1.2, TLSv1.3)",
                      jg["checks_failed"])
        self.assertIn("forbid-cipher: cipher TLS_ECDH_anon_WITH_AES_128_CBC_SHA accepted at TLSv1.0 (anon)",
                      jg["checks_failed"])
        self.assertFalse(any("3DES" in f for f in jg["checks_failed"]))  # OpenSSL 3 has no 3DES.
        # A server inside the policy passes: TLS 1.2+ with AEAD ECDHE suites,
        # on Mozilla's tls_curves (OpenSSL's defaults add P-521 and X448).
        suites = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305"
        loose = self.serve("-cipher", suites, "-min_protocol", "TLSv1.2")
        code, _, jl, err = self.both("--policy", "intermediate", "--insecure", f"127.0.0.1:{loose.port}")
        self.assertEqual((code, sorted(jl["checks_failed"])),
                         (7, ["policy intermediate: certificate lifespan 36500 days (want at most 366)",
                              "policy intermediate: group secp521r1 accepted (allowed: X25519, prime256v1, secp384r1)",
                              "policy intermediate: group x448 accepted (allowed: X25519, prime256v1, secp384r1)"]), err)
        # With a certificate of 90 days (Mozilla's maximum_certificate_lifespan).
        certs = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, certs)
        peers.make_certs(certs)

        def fresh(*args, name="ec"):
            proc, port = s_server.start(certs, args, name=name, deadline=DEADLINE)
            self.addCleanup(s_server.stop, proc)
            return port
        tidy = fresh("-cipher", suites, "-min_protocol", "TLSv1.2", "-groups", "X25519:P-256:P-384")
        code, _, jt, err = self.both("--policy", "intermediate", "--require-forward-secrecy", "--min-dh-bits", "2048",
                                     "--insecure", f"127.0.0.1:{tidy}")
        self.assertEqual((code, jt["checks_failed"]), (0, []), err)
        code, _, jm, _ = self.both("--policy", "modern", "--insecure", f"127.0.0.1:{tidy}")
        self.assertEqual(code, 7)
        self.assertIn("policy modern: version TLSv1.2 accepted (allowed: TLSv1.3)", jm["checks_failed"])
        modern = fresh("-tls1_3", "-groups", "X25519:P-256:P-384")
        code, _, jm, err = self.both("--policy", "modern", "--insecure", f"127.0.0.1:{modern}")
        self.assertEqual((code, jm["checks_failed"]), (0, []), err)
        # Mozilla's certificate fields: modern takes ECDSA certificates only.
        rsa13 = self.serve("-tls1_3", "-groups", "X25519:P-256:P-384", name="server-rsa")
        code, _, jr, err = self.both("--policy", "modern", "--insecure", f"127.0.0.1:{rsa13.port}")
        self.assertEqual((code, jr["checks_failed"]), (7, ["policy modern: certificate type rsa (allowed: ecdsa)",
                                                           "policy modern: certificate lifespan 36500 days (want at most 90)"]),
                         err)
        # A weak DHE group and a small key, each named.
        weak = self.serve("-cipher", "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-dhparam",
                          cert("dh1024.pem"), "-tls1_2", "-groups", "X25519:P-256:P-384", name="server-rsa")
        code, _, jw, _ = self.both("--policy", "intermediate", "--min-key-bits", "3072", "--insecure",
                                   f"127.0.0.1:{weak.port}")
        self.assertEqual(code, 7)
        self.assertEqual(jw["checks_failed"], ["policy intermediate: certificate lifespan 36500 days (want at most 366)",
                                               "policy intermediate: DHE prime of 1024 bits (want at least 2048)",
                                               "min-key-bits: certificate key RSA 2048 bits (want at least 3072)"])

    def test_key_facts_for_keys_boringssl_does_not_parse(self):
        # RSA-PSS and brainpool keys were "unknown 0 bits", so --min-key-bits
        # 4096 passed a 2048-bit PSS key; they are read from the
        # SubjectPublicKeyInfo now (openssl made the keys; it is the oracle).
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        keys = {"pss": ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
                "bp": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP384r1"],
                "ed448": ["-algorithm", "ED448"], "ed25519": ["-algorithm", "ED25519"]}
        want = {"pss": ("RSA-PSS", 2048, ""), "bp": ("EC", 384, "brainpoolP384r1"), "ed448": ("Ed448", 456, ""),
                "ed25519": ("Ed25519", 253, "")}
        for name, args in keys.items():
            subprocess.run(["openssl", "genpkey"] + args + ["-out", f"{name}.key"], cwd=d, check=True, timeout=60)
            subprocess.run(["openssl", "req", "-x509", "-new", "-key", f"{name}.key", "-subj", "/CN=localhost",
                            "-days", "2", "-out", f"{name}.pem"], cwd=d, check=True, capture_output=True, timeout=60)
            path = os.path.join(d, f"{name}.pem")
            code, _, j, err = self.both("--cert-file", path, "--insecure", "--min-key-bits", "4096")
            leaf = j["cert"]["chain"][0]
            self.assertEqual((leaf["key_type"], leaf["key_bits"], leaf["key_curve"]), want[name])
            self.assertEqual(code, 7, err)
            self.assertEqual(j["checks_failed"], [f"min-key-bits: certificate key {want[name][0]} {want[name][1]} "
                                                  "bits (want at least 4096)"])
        # An Ed25519 key is 256 bits to a rule (OpenSSL counts 253): --min-key-bits 256 passes it.
        code, _, j, err = self.both("--cert-file", os.path.join(d, "ed25519.pem"), "--insecure", "--min-key-bits", "256")
        self.assertEqual((code, j["checks_failed"]), (0, []), err)
        # (A policy's RSA rule holding an RSA-PSS key: policy_test.)

    def test_cert_file_checks_as_openssl_verify_does(self):
        # The chain on disk, judged before any server has it; openssl verify
        # (with -verify_hostname / -verify_ip) is the oracle for verification.
        cases = [("server.pem", "localhost"), ("server.pem", "127.0.0.1"), ("server.pem", "wrong.example"),
                 ("expired.pem", "localhost"), ("selfsigned.pem", "localhost"), ("wronghost.pem", "localhost")]
        for name, host in cases:
            code, text, j, err = self.both("--cert-file", cert(name), "--ca-file", cert("ca.pem"),
                                           "--servername", host)
            flag = "-verify_ip" if host[0].isdigit() else "-verify_hostname"
            oracle = subprocess.run(["openssl", "verify", "-CAfile", cert("ca.pem"), flag, host, cert(name)],
                                    capture_output=True, text=True)
            self.assertEqual(code == 0, oracle.returncode == 0, (name, host, err, oracle.stdout, oracle.stderr))
            self.assertEqual(j["file"], cert(name))
            self.assertEqual(field(text, "file"), cert(name))
            if code != 0:
                self.assertEqual(code, 6)
                self.assertIn(f"tlsprobe: {cert(name)}: certificate verify failed: ", err)
        # Chain order, days left, key size, pin: checks, exit 7.
        with tempfile.TemporaryDirectory() as d:
            reversed_chain = os.path.join(d, "reversed.pem")
            with open(reversed_chain, "w") as f:
                f.write(open(cert("ca.pem")).read() + open(cert("server.pem")).read())
            code, _, j, _ = self.both("--cert-file", reversed_chain, "--ca-file", cert("ca.pem"))
            self.assertEqual(code, 7)
            self.assertEqual(j["checks_failed"], ["chain-order: certificate 1 (CN=localhost,O=ipckit test) did not "
                                                  "issue certificate 0 (issuer CN=ipckit Test CA,O=ipckit test)"])
        code, _, j, _ = self.both("--cert-file", cert("server-chain.pem"), "--ca-file", cert("ca.pem"),
                                  "--min-key-bits", "384", "--min-days-left", "10")
        self.assertEqual(code, 7)
        self.assertEqual(j["checks_failed"], ["min-key-bits: certificate key EC 256 bits (want at least 384)"])
        self.assertEqual(len(j["cert"]["chain"]), 2)
        code, out, err = probe("--cert-file", "/nonexistent/x.pem")
        self.assertEqual((code, err), (1, "tlsprobe: /nonexistent/x.pem: open /nonexistent/x.pem: No such file or "
                                          "directory\n"))
        code, _, err = probe("--cert-file", cert("server.pem"), "--enumerate")
        self.assertEqual(code, 2)
        self.assertIn("the other checks need a server", err)

    def test_enumerate_measures_groups_apart_from_the_certificate(self):
        # TLS 1.2 with an ECDSA P-256 certificate: offering x25519 alone must not
        # drop P-256 from the measurement (the old probe reported x25519 "no").
        s = self.serve("-tls1_2")
        _, out, err = probe("--json", "--enumerate", "--insecure", f"127.0.0.1:{s.port}")
        e = json.loads(out)["enumerate"]
        self.assertEqual(e["groups_version"], "TLSv1.2")
        self.assertTrue(e["groups"]["x25519"], e["groups"])
        self.assertTrue(e["groups"]["secp256r1"])
        self.assertFalse(e["groups"]["ffdhe2048"] if "ffdhe2048" in e["groups"] else False)
        self.assertIsNone(e["fallback_scsv"])  # One version: nothing to fall back from.

    def test_sni_versions_and_ciphers_offered(self):
        s = self.serve("-tls1_2")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--no-sni", "--ciphers",
                                       "ECDHE-ECDSA-AES128-GCM-SHA256", f"localhost:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertIsNone(j["sni"])
        self.assertEqual(j["tls"]["cipher"], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        self.assertEqual(j["ip"], "127.0.0.1")
        code, _, j, _ = self.both("-4", "--ca-file", cert("ca.pem"), "--min-version", "1.3", f"localhost:{s.port}")
        self.assertEqual(code, 5)
        self.assertEqual(j["error"]["alert"], 70)

    def test_alpn_agreement_and_check(self):
        s = self.serve("-alpn", "h2")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--alpn", "h2,http/1.1",
                                       "--expect-alpn", "h2", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(j["tls"]["alpn"], "h2")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--alpn", "h2",
                                       "--expect-alpn", "http/1.1", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 7)
        self.assertEqual(err, f"tlsprobe: 127.0.0.1:{s.port}: check failed: expect-alpn: got h2, want http/1.1\n")
        self.assertEqual(j["checks_failed"], ["expect-alpn: got h2, want http/1.1"])

    def test_expired_certificate(self):
        s = self.serve(name="expired")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--servername", "localhost",
                                       f"127.0.0.1:{s.port}")
        self.assertEqual(code, 6)
        self.assertEqual(j["error"]["stage"], "verify")
        self.assertEqual(j["error"]["reason"], "certificate has expired")
        self.assertEqual(err, f"tlsprobe: 127.0.0.1:{s.port}: handshake net: certificate verify failed: "
                              "certificate has expired\n")
        self.assertEqual(j["verify"], {"ok": False, "error": "certificate has expired", "code": 10})
        self.assertLess(j["cert"]["chain"][0]["days_left"], -2000)
        # --insecure reports the verdict but does not fail on it.
        code, text, j, err = self.both("--insecure", "--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(j["verify"]["ok"], False)
        self.assertEqual(field(text, "verify"), "failed: certificate has expired (10)")

    def test_wrong_host_and_self_signed(self):
        s = self.serve(name="wronghost")
        code, _, j, _ = self.both("--ca-file", cert("ca.pem"), "--servername", "localhost", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 6)
        self.assertEqual(j["error"]["reason"], "Hostname mismatch")
        self.assertEqual(j["verify"]["code"], 62)
        s = self.serve(name="selfsigned")
        code, _, j, _ = self.both("--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 6)
        self.assertEqual(j["error"]["reason"], "self signed certificate")
        # The system bundle does not know our CA either.
        code, _, j, _ = self.both(f"127.0.0.1:{s.port}")
        self.assertEqual(code, 6)

    def test_client_certificate_required(self):
        s = self.serve("-Verify", "1", "-CAfile", cert("ca.pem"))
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 5, err)
        self.assertTrue(j["client_auth"]["requested"])
        self.assertEqual(j["error"]["stage"], "handshake")
        self.assertEqual(j["error"]["alert"], 116)
        self.assertEqual(j["error"]["alert_name"], "certificate required")
        self.assertEqual(field(text, "client auth"), "requested")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--cert", cert("client.pem"),
                                       "--key", cert("client.key"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertTrue(j["client_auth"]["requested"])
        # TLS 1.2: the refusal is part of the handshake.
        code, _, j, _ = self.both("--ca-file", cert("ca.pem"), "--max-version", "1.2", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 5)
        self.assertEqual(j["error"]["alert"], 40)

    def test_ocsp_staple(self):
        s = self.serve("-status_file", cert("ocsp-good.der"))
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--require-ocsp", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(j["ocsp"], {"stapled": True, "status": "good"})
        self.assertEqual(field(text, "ocsp"), "good")
        r = self.serve("-status_file", cert("ocsp-revoked.der"))
        code, _, j, err = self.both("--ca-file", cert("ca.pem"), "--require-ocsp", f"127.0.0.1:{r.port}")
        self.assertEqual(code, 7)
        self.assertEqual(j["checks_failed"], ["require-ocsp: stapled status is revoked"])
        n = self.serve()
        code, _, j, err = self.both("--ca-file", cert("ca.pem"), "--require-ocsp", f"127.0.0.1:{n.port}")
        self.assertEqual(code, 7)
        self.assertEqual(j["ocsp"], {"stapled": False, "status": None})
        self.assertIn("check failed: require-ocsp: no OCSP response stapled", err)

    def test_hello_retry_for_a_group_never_offered_is_named_not_accepted(self):
        # A peer that answers every hello with a HelloRetryRequest for group
        # 0x0999 (offered by no hello): TLS 1.3 used to count as accepted.
        hrr_random = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
        exts = bytes.fromhex("002b00020304") + bytes.fromhex("003300020999")
        body = b"\x03\x03" + hrr_random + b"\x00" + b"\x13\x01" + b"\x00" + len(exts).to_bytes(2, "big") + exts
        hs = b"\x02" + len(body).to_bytes(3, "big") + body
        record = b"\x16\x03\x03" + len(hs).to_bytes(2, "big") + hs
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(64)
        self.addCleanup(srv.close)
        stop = threading.Event()

        def serve():
            while not stop.is_set():
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                with c:
                    c.settimeout(DEADLINE)
                    try:
                        c.recv(65536)
                        c.sendall(record)
                    except OSError:
                        pass
        threading.Thread(target=serve, daemon=True).start()
        self.addCleanup(stop.set)
        code, out, err = probe("--enumerate", "--insecure", "--json", f"127.0.0.1:{srv.getsockname()[1]}")
        self.assertIn("enumerate: no TLS version accepted", err)
        self.assertIn("a HelloRetryRequest for group 0x0999, never offered", err)

    def test_p384_only_group_needs_hello_retry(self):
        s = self.serve("-groups", "P-384")
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertEqual(j["tls"]["group"], "P-384")
        self.assertTrue(j["tls"]["hrr"])
        self.assertEqual(field(text, "group"), "P-384 (after HelloRetryRequest)")
        code, _, j, _ = self.both("--ca-file", cert("ca.pem"), "--groups", "X25519", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 5)
        self.assertEqual(j["error"]["alert"], 40)

    def test_resume_and_checks(self):
        s = self.serve()
        code, text, j, err = self.both("--ca-file", cert("ca.pem"), "--resume", "--expect-version", "1.3",
                                       "--min-days-left", "30", "--expect-spki-pin",
                                       "sha256//Q8a4HZ22yTNwWQqTnIeQxmNVqc7cFQE/F3Yt86yoQt0=",
                                       f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        self.assertTrue(j["tls"]["resumed"])
        self.assertEqual(field(text, "resumed"), "yes")
        code, _, j, err = self.both("--ca-file", cert("ca.pem"), "--expect-version", "1.2",
                                    "--min-days-left", "100000", "--expect-cipher", "TLS_AES_256_GCM_SHA384",
                                    f"127.0.0.1:{s.port}")
        self.assertEqual(code, 7)
        self.assertEqual(j["checks_failed"][0], "expect-version: got TLSv1.3, want TLSv1.2")
        self.assertEqual(j["checks_failed"][1], "expect-cipher: got TLS_AES_128_GCM_SHA256, want TLS_AES_256_GCM_SHA384")
        self.assertRegex(j["checks_failed"][2], r"^min-days-left: certificate 0 \(CN=localhost,O=ipckit test\) has \d+ days left, want at least 100000$")

    def test_show_certs_prints_the_pem(self):
        s = self.serve()
        code, out, err = probe("--ca-file", cert("ca.pem"), "--show-certs", f"127.0.0.1:{s.port}")
        self.assertEqual(code, 0, err)
        with open(cert("server.pem")) as f:
            self.assertIn(f.read(), out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
