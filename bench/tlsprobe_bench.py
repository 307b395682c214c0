"""bench/tlsprobe: tlsprobe against the tools people use, in one run, on one
local `openssl s_server` (TLS 1.2 and 1.3, several suites in server order,
two groups):

  single probe:  tlsprobe  vs  openssl s_client (stdin /dev/null)   wall time
  enumeration:   tlsprobe --enumerate  vs  sslscan  (and testssl.sh --fast
                 with --testssl: minutes)                           wall time

and it checks that the enumerations agree: every version, every pre-1.3 suite
(sslscan's OpenSSL names mapped to IANA names with `openssl ciphers -stdname`)
and every group that both tools can offer.

Run: bazel run -c opt //bench:tlsprobe -- [--runs=5] [--testssl]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

SERVER_SUITES = ("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
                 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
GROUP_NAMES = {"x25519": "X25519", "secp256r1": "P-256", "prime256v1": "P-256", "secp384r1": "P-384",
               "secp521r1": "P-521"}


def start_server(certs):
    sys.path.insert(0, certs)
    import s_server  # testdata/tls/s_server.py
    try:
        return s_server.start(certs, ["-cipher", SERVER_SUITES, "-serverpref", "-groups", "X25519:P-256",
                                      "-min_protocol", "TLSv1.2"])
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
    versions, suites, groups = set(), {}, set()
    for line in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.match(r"\s*(TLSv1\.[0-3])\s+enabled", line)
        if m:
            versions.add(m.group(1))
        m = re.match(r"(?:Preferred|Accepted)\s+(TLSv1\.[0-2])\s+\d+ bits\s+(\S+)", line)
        if m:
            suites.setdefault(m.group(1), set()).add(names.get(m.group(2), m.group(2)))
        m = re.match(r"(TLSv1\.[23])\s+\d+ bits\s+(\S+)", line)
        if m and m.group(2) in GROUP_NAMES:
            groups.add(GROUP_NAMES[m.group(2)])
    return versions, suites, groups


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tlsprobe", required=True)
    p.add_argument("--certs", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--testssl", action="store_true", help="also time testssl.sh --fast (minutes)")
    a = p.parse_args()
    server, port = start_server(a.certs)
    target = f"127.0.0.1:{port}"
    ca = os.path.join(a.certs, "ca.pem")
    rows = []
    problems = []
    try:
        t_probe, _ = wall([a.tlsprobe, "-q", "--ca-file", ca, target], a.runs)
        t_sclient, _ = wall(["openssl", "s_client", "-connect", target, "-CAfile", ca], a.runs)
        rows.append(("single probe", "openssl s_client", t_probe, t_sclient))

        t_enum, out = wall([a.tlsprobe, "--json", "--enumerate", "--insecure", target], a.runs)
        e = json.loads(out)["enumerate"]
        ours_versions = {v for v, ok in e["versions"].items() if ok}
        ours_suites = {v: set(s) for v, s in e["ciphers"].items() if s}
        ours_groups = {g for g, ok in e["groups"].items() if ok}
        names = stdnames()
        want_order = [names.get(n, n) for n in SERVER_SUITES.split(":")]
        if not (e["server_order"] and e["ciphers"].get("TLSv1.2") == want_order):
            problems.append("server order")
        print(f"server order: tlsprobe {'matches' if e['server_order'] and e['ciphers'].get('TLSv1.2') == want_order else 'DIFFERS from'} "
              f"the configured -cipher order ({len(want_order)} suites)")
        if shutil.which("sslscan"):
            t_scan, scan_out = wall(["sslscan", "--no-colour", target], max(1, a.runs // 2))
            rows.append(("enumerate", "sslscan", t_enum, t_scan))
            versions, suites, groups = sslscan_findings(scan_out, names)
            agree = (versions == ours_versions and suites == ours_suites and
                     groups & {"X25519", "P-256", "P-384", "P-521"} == ours_groups)
            print(f"findings: tlsprobe versions {sorted(ours_versions)} suites "
                  f"{ {k: len(v) for k, v in ours_suites.items()} } groups {sorted(ours_groups)}")
            print(f"          sslscan  versions {sorted(versions)} suites "
                  f"{ {k: len(v) for k, v in suites.items()} } groups {sorted(groups)}")
            print(f"          agree: {'yes' if agree else 'NO'}")
            if not agree:
                problems.append("findings differ from sslscan")
                print("tlsprobe suites:", ours_suites, "\nsslscan suites: ", suites)
        else:
            print("sslscan not installed (third_party/install_deps.sh installs it): skipped")
        if a.testssl and shutil.which("testssl"):
            t_testssl, _ = wall(["testssl", "--fast", "--quiet", "--color", "0", "--warnings", "off", target], 1)
            rows.append(("enumerate", "testssl.sh --fast", t_enum, t_testssl))
    finally:
        server.kill()
        server.wait()
    print()
    print(f"{'job':<14}{'peer':<20}{'tlsprobe':>12}{'peer time':>12}{'speedup':>10}")
    for job, peer, ours, theirs in rows:
        print(f"{job:<14}{peer:<20}{ours * 1000:>10.1f}ms{theirs * 1000:>10.1f}ms{theirs / ours:>9.2f}x")
    print(f"(median of {a.runs} runs each; sslscan: {max(1, a.runs // 2)}; one openssl s_server on loopback)")
    if problems:
        sys.exit("bench/tlsprobe: " + ", ".join(problems))


if __name__ == "__main__":
    main()
