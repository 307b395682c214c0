"""bench/relay: relay beside the forwarders people use, in one run.

Peers (Debian's): socat (TCP-LISTEN,fork), haproxy (mode tcp, one thread),
rinetd, redir; for TLS termination stunnel4 and haproxy (`bind ... ssl`).
Every proxy forwards to a local server and is started fresh for
each column; the proxy runs on CPU 0, everything else (server, clients) on
CPU 1, and the proxy's CPU time (its children's too: socat and redir fork a
process per client) is read from /proc over each measured window.

Columns:
  stream MB/s      one connection: `nc.openbsd -N < FILE` through the proxy
                   into `nc.openbsd -l | cksum` (checked against the file's),
                   and the proxy's CPU per MB moved.
  c=100 req/s      echobench -c 100 -m 64 through the proxy to echod: every
                   byte checked; req/s and the proxy's CPU per request.
  conn/s           echobench --connect-only -c 50: new proxied connections
                   per second, and the proxy's CPU per connection.
  tls hs/s         (terminators only) echobench --tls --connect-only -c 50:
                   full handshakes per second, CPU per handshake.
  idle RSS         the proxy's RSS holding N idle proxied pairs (client and
                   upstream connection each), and per pair.

When the load generator shares the two cores with the proxy, req/s and
conn/s are bounded by the machine as much as by the proxy: CPU per operation
is the figure that does not depend on it.
"""

import argparse
import hashlib
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import json

DEADLINE = 20


_NEXT_IP = [1]


def fresh_ip():
    """A loopback address not used yet in this run (127.0.X.Y). Each proxy
    and server gets its own, so the TIME_WAIT sockets one column leaves
    (tens of thousands after conn/s) cannot collide with the next column's
    connections: a collision costs a 1 s SYN retransmission."""
    _NEXT_IP[0] += 1
    n = _NEXT_IP[0]
    return f"127.0.{n // 250}.{n % 250 + 2}"


def free_port(ip="127.0.0.1"):
    s = socket.socket()
    s.bind((ip, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    """Whether a TCP socket listens on `port`, any address (from
    /proc/net/tcp: no probe connection, which a one-shot upstream would take
    for its client)."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(path).read().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def wait_port(port, proc, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        if listening(port):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{proc.args[0]} did not listen on {port}")


def proc_cpu(pid):
    """CPU seconds of `pid` and of its reaped children."""
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_pids(pid):
    """`pid` and its descendants (socat and redir fork per client)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                kids = open(f"/proc/{p}/task/{t}/children").read().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            pass
    return out


def tree_cpu(pid):
    return sum(proc_cpu(p) if p == pid else proc_cpu(p) for p in tree_pids(pid))


def tree_rss_kib(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            total += int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{p}/status").read()).group(1))
        except (OSError, AttributeError):
            pass
    return total


class Proxy:
    """One forwarder, started on `ip`:`port` (its config written to `tmp`)."""

    def __init__(self, name, argv, ip, port, tmp, config=None):
        self.name, self.ip, self.port = name, ip, port
        if config:
            path = os.path.join(tmp, f"{name}.cfg")
            with open(path, "w") as f:
                f.write(config)
            argv = [a.replace("{cfg}", path) for a in argv]
        # Logs go to a file: a pipe nobody reads would stall a proxy that
        # logs each connection (stunnel, redir) once it filled.
        self.log = open(os.path.join(tmp, f"{name}.log"), "ab")
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        wait_port(port, self.proc)

    def cpu(self):
        return tree_cpu(self.proc.pid)

    def rss_kib(self):
        return tree_rss_kib(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


HAPROXY = """global
  maxconn 9500
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend f
  bind {ip}:{port}{ssl}
  default_backend b
backend b
  server s {target}
"""

STUNNEL = """foreground = yes
pid =
debug = 3
[t]
accept = {ip}:{port}
connect = {target}
cert = {cert}
key = {key}
"""


def start(name, target, a, tmp, tls=False):
    """Starts forwarder `name` toward `target` ("IP:PORT"; a TLS terminator
    with `tls`) on a fresh loopback address."""
    ip = fresh_ip()
    port = free_port(ip)
    if name == "relay":
        front = f"tls:{ip}:{port}" if tls else f"{ip}:{port}"
        extra = ["--cert", a.cert, "--key", a.key] if tls else []
        return Proxy(name, [a.relay, front, target] + extra, ip, port, tmp)
    if name == "socat":
        return Proxy(name, ["socat", f"TCP-LISTEN:{port},bind={ip},reuseaddr,fork,backlog=4096", f"TCP:{target}"],
                     ip, port, tmp)
    if name == "haproxy":
        pem = ""
        if tls:
            pem = os.path.join(tmp, "haproxy.pem")
            with open(pem, "w") as f:
                f.write(open(a.cert).read() + open(a.key).read())
        cfg = HAPROXY.format(ip=ip, port=port, target=target, ssl=f" ssl crt {pem}" if tls else "")
        return Proxy(name, ["haproxy", "-db", "-f", "{cfg}"], ip, port, tmp, cfg)
    if name == "rinetd":
        tip, tport = target.rsplit(":", 1)
        return Proxy(name, ["rinetd", "-f", "-c", "{cfg}"], ip, port, tmp, f"{ip} {port} {tip} {tport}\n")
    if name == "redir":
        return Proxy(name, ["redir", "-n", f"{ip}:{port}", target], ip, port, tmp)
    if name == "stunnel":
        cfg = STUNNEL.format(ip=ip, port=port, target=target, cert=a.cert, key=a.key)
        return Proxy(name, ["stunnel4", "{cfg}"], ip, port, tmp, cfg)
    raise ValueError(name)


def start_echod(a):
    """echod on a fresh loopback address: (process, "IP:PORT")."""
    echo = subprocess.Popen(["taskset", "-c", "1", a.echod, "-l", f"{fresh_ip()}:0", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return echo, echo.stdout.readline().split()[2]


def stream(name, a, tmp, data_path, size, want_sum):
    ip = fresh_ip()
    port = free_port(ip)
    sink = subprocess.Popen(["taskset", "-c", "1", "sh", "-c", f"nc.openbsd -lv {ip} {port} | cksum"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sink.stderr.readline()  # "Listening on IP PORT": ready (a probe would be its one client).
    p = start(name, f"{ip}:{port}", a, tmp)
    try:
        cpu0, t0 = p.cpu(), time.monotonic()
        with open(data_path, "rb") as f:
            subprocess.run(["taskset", "-c", "1", "nc.openbsd", "-N", p.ip, str(p.port)], stdin=f,
                           check=True, timeout=300)
        got = sink.communicate(timeout=300)[0].strip()
        took, cpu = time.monotonic() - t0, p.cpu() - cpu0
    finally:
        p.stop()
        sink.kill()
    if got != want_sum:
        return {"error": f"cksum {got} != {want_sum}"}
    mb = size / 1e6
    return {"value": mb / took, "cpu": cpu * 1e3 / mb, "unit": "MB/s", "cpu_unit": "ms/MB"}


def echobench(name, a, tmp, args, tls=False):
    echo, target = start_echod(a)
    p = start(name, target, a, tmp, tls)
    try:
        cmd = ["taskset", "-c", "1", a.echobench, "--json", "--warmup", "0.5s", "--duration", f"{a.seconds}s"] + args
        if tls:
            cmd += ["--tls", "--insecure"]
        run = subprocess.Popen(cmd + [f"{p.ip}:{p.port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        # CPU is sampled inside the measured window, while socat's and
        # redir's per-client children are alive (their time is theirs until reaped).
        time.sleep(0.5 + 0.05)  # Benchmark pacing: past echobench's warm-up.
        cpu0, t0 = p.cpu(), time.monotonic()
        time.sleep(max(0.05, a.seconds - 0.15))
        cpu, window = p.cpu() - cpu0, time.monotonic() - t0
        out, err = run.communicate(timeout=120)
        r = subprocess.CompletedProcess(cmd, run.returncode, out, err)
    finally:
        p.stop()
        echo.terminate()
        echo.wait()
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return {"error": (r.stderr or r.stdout).strip()[:100]}
    if j.get("verify_errors") or j.get("lost"):
        return {"error": f"verify {j.get('verify_errors')} lost {j.get('lost')}"}
    if j.get("connect_errors"):
        return {"error": f"connect errors {j['connect_errors']}"}
    rate = j["requests_per_second"]
    if rate == 0:
        return {"error": "nothing completed"}
    return {"value": rate, "cpu": cpu * 1e6 / max(1, rate * window), "unit": "/s", "cpu_unit": "us/op"}


def idle(name, a, tmp, pairs):
    echo, target = start_echod(a)
    p = start(name, target, a, tmp)
    socks = []
    end = time.monotonic() + 60  # The whole column; a proxy that stalls gets an error, not an hour.
    try:
        base = p.rss_kib()
        for i in range(pairs):
            s = socket.create_connection((p.ip, p.port), timeout=5)
            socks.append(s)
        # Every pair is proxied once one byte has made the round trip.
        for s in socks:
            s.sendall(b"x")
        for i, s in enumerate(socks):
            s.settimeout(max(0.01, end - time.monotonic()))
            if s.recv(1) != b"x":
                return {"error": f"pair {i} did not echo"}
        rss = p.rss_kib()
    except OSError as e:
        return {"error": f"after {len(socks)} pairs: {e}"[:80]}
    finally:
        for s in socks:
            s.close()
        p.stop()
        echo.terminate()
        echo.wait()
    return {"value": rss / 1024, "cpu": (rss - base) / pairs, "unit": "MiB", "cpu_unit": "KiB/pair", "base": base}


def fmt(r):
    if r is None:
        return "-"
    if "error" in r:
        return "ERR " + r["error"][:30]
    v = r["value"]
    main = f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    return f"{main} ({r['cpu']:.2f} {r['cpu_unit']})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--relay", required=True)
    ap.add_argument("--echod", required=True)
    ap.add_argument("--echobench", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--proxies", default="relay,haproxy,socat,rinetd,redir,stunnel")
    ap.add_argument("--columns", default="stream,c100,conn,tls,idle")
    ap.add_argument("--bytes", default="1G", help="stream size (K/M/G)")
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--pairs", type=int, default=9000, help="idle pairs (fds: 2 per pair in the proxy)")
    ap.add_argument("--small-pairs", type=int, default=500,
                    help="pairs for socat and redir (a process per pair) and rinetd (select(2): 1024 fds)")
    a = ap.parse_args()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    size = int(a.bytes[:-1]) * mult[a.bytes[-1]] if a.bytes[-1] in mult else int(a.bytes)
    proxies = [p for p in a.proxies.split(",") if p == "relay" or shutil.which({"stunnel": "stunnel4"}.get(p, p))]
    cols = a.columns.split(",")
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "data")
    with open(data, "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(max(1, size >> 20)):
            f.write(chunk)
    size = os.path.getsize(data)
    want = subprocess.run(["cksum"], stdin=open(data, "rb"), capture_output=True, text=True).stdout.strip()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = {}
    for name in proxies:
        r = results[name] = {}
        terminator = name in ("stunnel",)
        if "stream" in cols and not terminator:
            r["stream"] = stream(name, a, tmp, data, size, want)
        if "c100" in cols and not terminator:
            r["c100"] = echobench(name, a, tmp, ["-c", "100", "-m", "64"])
        if "conn" in cols and not terminator:
            r["conn"] = echobench(name, a, tmp, ["--connect-only", "-c", "50"])
        if "tls" in cols and name in ("relay", "haproxy", "stunnel"):
            r["tls"] = echobench(name, a, tmp, ["--connect-only", "-c", "50"], tls=True)
        if "idle" in cols and not terminator:
            r["idle"] = idle(name, a, tmp, a.small_pairs if name in ("socat", "redir", "rinetd") else a.pairs)
        print(f"# {name}: {json.dumps(r)}", file=sys.stderr, flush=True)
    names = {"stream": f"stream {size >> 20} MiB, MB/s (CPU)", "c100": "c=100 64B req/s (CPU)",
             "conn": "conn/s (CPU)", "tls": "TLS hs/s (CPU)", "idle": "idle RSS MiB (per pair)"}
    print("| proxy | " + " | ".join(names[c] for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name in proxies:
        print(f"| {name} | " + " | ".join(fmt(results[name].get(c)) for c in cols) + " |")
    print()
    rel = results.get("relay", {})
    for c in cols:
        for peer in proxies:
            if peer == "relay":
                continue
            x, y = rel.get(c), results[peer].get(c)
            if not x or not y or "error" in x or "error" in y:
                continue
            if c == "idle":
                print(f"{c}: relay {x['cpu']:.2f} KiB/pair vs {peer} {y['cpu']:.2f}: "
                      f"{y['cpu'] / max(x['cpu'], 1e-9):.1f}x less")
            else:
                print(f"{c}: relay/{peer} = {x['value'] / y['value']:.2f}x; CPU per op {peer}/relay = "
                      f"{y['cpu'] / max(x['cpu'], 1e-9):.2f}x")
    if "idle" in cols and "idle" in rel and "error" not in rel["idle"]:
        est = (rel["idle"]["base"] + rel["idle"]["cpu"] * 10000) / 1024
        print(f"relay holding 10,000 idle pairs (from {a.pairs}): {est:.1f} MiB (goal: under 32 MiB)")
    bad = [n for n in results for c in results[n].values() if c and "error" in c]
    return 1 if "relay" in bad else 0


if __name__ == "__main__":
    sys.exit(main())
