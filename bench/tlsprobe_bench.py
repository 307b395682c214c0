"""bench/tlsprobe: tlsprobe against the tools people use, in one run, on
local `openssl s_server`s: a tidy one (TLS 1.2 and 1.3, five suites in server
order, two groups) and a misconfigured one (every suite OpenSSL has at every
version, anonymous ones too, an RSA certificate, server order); and on
gnutls-serv with GnuTLS's NORMAL priorities, with the ECDSA and the RSA
certificate (it listens with a backlog of 10):

  single probe:  tlsprobe  vs  openssl s_client (stdin /dev/null)   wall time
  enumeration:   tlsprobe --enumerate  vs  sslscan  (and testssl.sh --fast
                 with --testssl: minutes)                           wall time

and it checks that the enumerations agree: every version, every suite at each
(sslscan's OpenSSL names mapped to IANA names with `openssl ciphers -stdname`)
and every group at the version tlsprobe measured groups at.

Run: bazel run -c opt //bench:tlsprobe -- [--runs=5] [--testssl]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

SERVER_SUITES = ("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
                 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
SCENARIOS = {
    "tidy": (["-cipher", SERVER_SUITES, "-serverpref", "-groups", "X25519:P-256", "-min_protocol", "TLSv1.2"],
             "server"),
    "misconfigured": (["-cipher", "ALL:@SECLEVEL=0", "-serverpref"], "server-rsa"),
    "gnutls ECDSA": ("NORMAL", "server"),
    "gnutls RSA": ("NORMAL", "server-rsa"),
}


def start_gnutls(certs, priority, name):
    """gnutls-serv on a port that was free a moment ago (it cannot bind port
    0 and say which it got): (Popen, port)."""
    for _ in range(5):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        proc = subprocess.Popen(["gnutls-serv", "-p", str(port), "--x509certfile", os.path.join(certs, name + ".pem"),
                                 "--x509keyfile", os.path.join(certs, name + ".key"), "--priority", priority],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return proc, port
            except OSError:
                time.sleep(0.02)
        proc.kill()
        proc.wait()
    sys.exit("bench/tlsprobe: gnutls-serv did not start")


def start_server(certs, scenario):
    sys.path.insert(0, certs)
    import s_server  # testdata/tls/s_server.py
    args, name = SCENARIOS[scenario]
    if scenario.startswith("gnutls"):
        return start_gnutls(certs, args, name)
    try:
        return s_server.start(certs, args, name=name)
    except RuntimeError as e:
        sys.exit(f"bench/tlsprobe: {e}")


def wall(argv, runs, stdin=subprocess.DEVNULL):
    """Median wall time and the last run's stdout."""
    times, out = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdin=stdin, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        out = p.stdout
    return statistics.median(times), out


def stdnames():
    out = subprocess.run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True,
                         text=True).stdout
    m = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "-":
            m[parts[2]] = parts[0]
    return m


def sslscan_findings(text, names):
    """versions, suites per version (IANA names), groups per version."""
    versions, suites, groups = set(), {}, {}
    for line in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.match(r"\s*(SSLv3|TLSv1\.[0-3])\s+enabled", line)
        if m:
            versions.add(m.group(1))
        m = re.match(r"(?:Preferred|Accepted)\s+(TLSv1\.[0-3])\s+\d+ bits\s+(\S+)", line)
        if m:
            suites.setdefault(m.group(1), set()).add(names.get(m.group(2), m.group(2)))
        m = re.match(r"(TLSv1\.[23])\s+\d+ bits\s+(\S+)", line)
        if m:
            groups.setdefault(m.group(1), set()).add(m.group(2))
    return versions, suites, groups


def enumeration(a, scenario, rows, problems):
    """Times tlsprobe --enumerate and sslscan on `scenario` and compares them."""
    server, port = start_server(a.certs, scenario)
    target = f"127.0.0.1:{port}"
    try:
        t_enum, out = wall([a.tlsprobe, "--json", "--enumerate", "--insecure", target], a.runs)
        e = json.loads(out)["enumerate"]
        ours_versions = {v for v, ok in e["versions"].items() if ok}
        ours_suites = {v: set(s) for v, s in e["ciphers"].items() if s}
        ours_groups = {g for g, ok in e["groups"].items() if ok}
        names = stdnames()
        if scenario == "tidy":
            want_order = [names.get(n, n) for n in SERVER_SUITES.split(":")]
            in_order = e["server_order"] and e["ciphers"].get("TLSv1.2") == want_order
            if not in_order:
                problems.append("server order")
            print(f"{scenario}: server order: tlsprobe {'matches' if in_order else 'DIFFERS from'} "
                  f"the configured -cipher order ({len(want_order)} suites)")
        if not shutil.which("sslscan"):
            print("sslscan not installed (third_party/install_deps.sh installs it): skipped")
            return
        t_scan, scan_out = wall(["sslscan", "--no-colour", target], max(1, a.runs // 2))
        rows.append((f"enumerate ({scenario})", "sslscan", t_enum, t_scan))
        versions, suites, groups = sslscan_findings(scan_out, names)
        their_groups = groups.get(e["groups_version"], set())
        agree = versions == ours_versions and suites == ours_suites and their_groups == ours_groups
        print(f"{scenario}: tlsprobe versions {sorted(ours_versions)} suites "
              f"{ {k: len(v) for k, v in sorted(ours_suites.items())} } groups {sorted(ours_groups)}")
        print(f"{' ' * len(scenario)}  sslscan  versions {sorted(versions)} suites "
              f"{ {k: len(v) for k, v in sorted(suites.items())} } groups {sorted(their_groups)}")
        print(f"{' ' * len(scenario)}  agree: {'yes' if agree else 'NO'}")
        if not agree:
            problems.append(f"{scenario}: findings differ from sslscan")
            print("tlsprobe suites:", ours_suites, "\nsslscan suites: ", suites)
        if a.testssl and shutil.which("testssl"):
            t_testssl, _ = wall(["testssl", "--fast", "--quiet", "--color", "0", "--warnings", "off", target], 1)
            rows.append((f"enumerate ({scenario})", "testssl.sh --fast", t_enum, t_testssl))
    finally:
        server.kill()
        server.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tlsprobe", required=True)
    p.add_argument("--certs", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--testssl", action="store_true", help="also time testssl.sh --fast (minutes)")
    a = p.parse_args()
    rows, problems = [], []
    server, port = start_server(a.certs, "tidy")
    target = f"127.0.0.1:{port}"
    ca = os.path.join(a.certs, "ca.pem")
    try:
        t_probe, _ = wall([a.tlsprobe, "-q", "--ca-file", ca, target], a.runs)
        t_sclient, _ = wall(["openssl", "s_client", "-connect", target, "-CAfile", ca], a.runs)
        rows.append(("single probe", "openssl s_client", t_probe, t_sclient))
    finally:
        server.kill()
        server.wait()
    for scenario in SCENARIOS:
        enumeration(a, scenario, rows, problems)
    print()
    print(f"{'job':<26}{'peer':<20}{'tlsprobe':>12}{'peer time':>12}{'speedup':>10}")
    for job, peer, ours, theirs in rows:
        print(f"{job:<26}{peer:<20}{ours * 1000:>10.1f}ms{theirs * 1000:>10.1f}ms{theirs / ours:>9.2f}x")
    print(f"(median of {a.runs} runs each; sslscan: {max(1, a.runs // 2)}; openssl s_server and gnutls-serv on "
          "loopback)")
    if problems:
        sys.exit("bench/tlsprobe: " + ", ".join(problems))


if __name__ == "__main__":
    main()
