"""bench/echo: echod against its peers in one run, each server pinned to CPU 0
and echobench to CPU 1.

Peers: Python asyncio (Protocol echo), uvloop, Node.js net (s.pipe(s)),
socat (fork, PIPE), ncat (-k --exec /bin/cat), and epoll_echo, a minimal C
loop that is the floor reference (how close to the kernel's cost we are).
Scenarios: c=1/64 B, c=100/64 B, c=1000/1 KiB, one connection streaming
64 KiB messages, UDP 64 B; for each, requests/s (or MB/s), p99 latency, the
server's CPU time per request (from /proc/PID/stat) and its peak RSS; and the
RSS of each server holding 10,000 idle connections.

Run: bazel run -c opt //bench:echo -- [--seconds=3] [--servers=a,b] [--quick]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def python_with(module):
    for py in ("python3", "/usr/bin/python3"):
        if shutil.which(py) and subprocess.run([py, "-c", "import " + module],
                                               capture_output=True).returncode == 0:
            return py
    return None


ASYNCIO = r'''
import asyncio, sys
class Echo(asyncio.Protocol):
    def connection_made(self, t): self.t = t
    def data_received(self, d): self.t.write(d)
class Udp(asyncio.DatagramProtocol):
    def connection_made(self, t): self.t = t
    def datagram_received(self, d, a): self.t.sendto(d, a)
async def main():
    if sys.argv[1] == "uvloop":
        pass
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(Echo, "127.0.0.1", 0, backlog=4096)
    udp, _ = await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % srv.sockets[0].getsockname()[1])
    print("listening on 127.0.0.1:%d" % udp.get_extra_info("sockname")[1], flush=True)
    await asyncio.Event().wait()
if sys.argv[1] == "uvloop":
    import uvloop; uvloop.install()
asyncio.run(main())
'''

NODE = r'''
const net = require("net"), dgram = require("dgram");
const s = net.createServer(c => c.pipe(c));
s.listen({port: 0, host: "127.0.0.1", backlog: 4096}, () => {
  const u = dgram.createSocket("udp4");
  u.on("message", (m, r) => u.send(m, r.port, r.address));
  u.bind(0, "127.0.0.1", () => {
    console.log("listening on 127.0.0.1:" + s.address().port);
    console.log("listening on 127.0.0.1:" + u.address().port);
  });
});
'''


class Server:
    """A running server: its process and its TCP (and maybe UDP) address."""

    def __init__(self, name, argv, udp=False, fixed_port=None, pattern=r"listening on (\S+)"):
        self.name = name
        self.pattern = pattern
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.tcp = self.udp = None
        if fixed_port:
            self.tcp = "127.0.0.1:%d" % fixed_port
            deadline = time.time() + 10
            while not self._listening(fixed_port):
                if time.time() > deadline:
                    raise RuntimeError(name + " did not start")
                time.sleep(0.01)
        else:
            self.tcp = self._line()
            if udp:
                self.udp = self._line()
        # Keep reading what the server prints, so it never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self.pids = [self.proc.pid]

    def _line(self):
        """The address from the next line matching the pattern (other lines,
        such as s_server's banner, are skipped; up to 20)."""
        seen = []
        for _ in range(20):
            line = self.proc.stdout.readline()
            seen.append(line)
            m = re.search(self.pattern, line)
            if m:
                return m.group(1)
            if not line:
                break
        raise RuntimeError("%s: no listening line: %r" % (self.name, seen))

    @staticmethod
    def _listening(port):
        with open("/proc/net/tcp") as f:
            return any(":%04X 00000000:0000 0A" % port in l for l in f)

    def family(self):
        """The server process and its children (socat and ncat fork)."""
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                    todo += [int(x) for x in f.read().split()]
            except OSError:
                pass
        return out

    def cpu_seconds(self):
        total = 0
        for pid in self.family():
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
            except OSError:
                pass
        return total / CLK_TCK

    def rss_kib(self, key="VmRSS"):
        total = 0
        for pid in self.family():
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith(key + ":"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total

    def stop(self):
        for pid in self.family()[1:]:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        self.proc.kill()
        self.proc.wait()


WARMUP = 0.5


def print_table(results, servers, cols, first_width, width, cell):
    """Prints results[server][column] as a fixed-width table: `cell(column,
    result)` for each result, "-" for none, "ERROR" for a failed one."""
    print("%-*s" % (first_width, "server") + "".join("%-*s" % (width, c) for c in cols))
    for name in servers:
        row = "%-*s" % (first_width, name)
        for c in cols:
            r = results[name].get(c)
            text = "-" if r is None else "ERROR" if "error" in r else cell(c, r)
            row += "%-*s" % (width, text)
        print(row)


def print_errors(results, servers):
    """Prints and returns (server, column, error) for each failed result."""
    errors = [(n, c, r["error"]) for n in servers for c, r in results[n].items() if "error" in r]
    for n, c, e in errors:
        print("ERROR %s %s: %s" % (n, c, e))
    return errors


def bench(echobench, args, seconds, srv):
    """Runs echobench; the server's CPU time is sampled over the measured window only."""
    p = subprocess.Popen(["taskset", "-c", "1", echobench, "--json", "--warmup=%gs" % WARMUP,
                          "--duration=%gs" % seconds] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(WARMUP)  # Benchmark pacing: skip the warm-up before sampling CPU.
    cpu0 = srv.cpu_seconds()
    time.sleep(seconds)
    cpu = srv.cpu_seconds() - cpu0
    stdout, stderr = p.communicate()
    try:
        r = json.loads(stdout)
    except ValueError:
        return {"error": (stderr or stdout).strip()[:200]}
    r["cpu_us_per_req"] = cpu * 1e6 / max(1, r["requests"])
    if r["requests"] == 0:
        r["error"] = "no request completed"
    elif r["verify_errors"] or r["lost"] or r["connect_errors"]:
        r["error"] = "errors: verify %d lost %d connect %d" % (r["verify_errors"], r["lost"],
                                                              r["connect_errors"])
    return r


def measure(make_server, echobench, args, seconds, udp=False):
    """Starts a fresh server, runs echobench against its TCP (or UDP) address
    and stops it: the result with the server's peak RSS, or None when the
    server has no such address."""
    srv = make_server()
    try:
        target = srv.udp if udp else srv.tcp
        if target is None:
            return None
        r = bench(echobench, args + [target], seconds, srv)
        r["peak_rss_kib"] = srv.rss_kib("VmHWM")
        return r
    finally:
        srv.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--echod", required=True)
    p.add_argument("--echobench", required=True)
    p.add_argument("--epoll-echo", required=True)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--servers", default="echod,epoll_echo,asyncio,uvloop,node,socat,ncat")
    p.add_argument("--quick", action="store_true", help="tiny run for tests: no idle test")
    p.add_argument("--echod-args", default="", help="extra echod flags, e.g. '--buffer=256K'")
    p.add_argument("--scenarios", default="", help="comma-separated subset, e.g. 'c=100 64B,idle'")
    a = p.parse_args()

    py_asyncio = python_with("asyncio")
    py_uvloop = python_with("uvloop")
    makers = {
        "echod": lambda: Server("echod", [a.echod, "--workers=1"] + a.echod_args.split() + ["-l", "127.0.0.1:0", "-u", "127.0.0.1:0"], udp=True),
        "epoll_echo": lambda: Server("epoll_echo", [a.epoll_echo]),
        "asyncio": lambda: Server("asyncio", [py_asyncio, "-c", ASYNCIO, "asyncio"], udp=True),
        "uvloop": lambda: Server("uvloop", [py_uvloop, "-c", ASYNCIO, "uvloop"], udp=True),
        "node": lambda: Server("node", ["node", "-e", NODE], udp=True),
    }
    port = {}

    def socat():
        port["socat"] = free_port()
        return Server("socat", ["socat", "TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr,backlog=4096" % port["socat"], "PIPE"], fixed_port=port["socat"])

    def ncat():
        port["ncat"] = free_port()
        return Server("ncat", ["ncat", "-lk", "-m", "2000", "127.0.0.1", str(port["ncat"]), "--exec", "/bin/cat"], fixed_port=port["ncat"])

    makers["socat"], makers["ncat"] = socat, ncat
    available = {"uvloop": py_uvloop, "node": shutil.which("node"), "socat": shutil.which("socat"),
                 "ncat": shutil.which("ncat"), "asyncio": py_asyncio}
    servers = [s for s in a.servers.split(",") if available.get(s, True)]
    skipped = [s for s in a.servers.split(",") if s not in servers]

    scenarios = [
        ("c=1 64B", ["-c", "1", "-m", "64"], "tcp"),
        ("c=100 64B", ["-c", "100", "-m", "64"], "tcp"),
        ("c=1000 1KiB", ["-c", "1000", "-m", "1024"], "tcp"),
        ("stream 64KiB", ["-c", "1", "-m", "65536", "--depth", "4"], "tcp"),
        ("udp 64B", ["-u", "-c", "8", "-m", "64", "--timeout=1s"], "udp"),
    ]
    want_idle = not a.quick
    if a.quick:
        scenarios = [scenarios[1], scenarios[4]]
    if a.scenarios:
        chosen = a.scenarios.split(",")
        scenarios = [s for s in scenarios if s[0] in chosen]
        want_idle = "idle" in chosen
    results = {}
    for name in servers:
        results[name] = {}
        for label, args, kind in scenarios:
            if kind == "udp" and name in ("epoll_echo", "socat", "ncat"):
                continue
            r = measure(makers[name], a.echobench, args, a.seconds, udp=kind == "udp")
            if r is not None:
                results[name][label] = r
        if want_idle:
            srv = makers[name]()
            try:
                base = srv.rss_kib()
                hold = subprocess.Popen(["taskset", "-c", "1", a.echobench, "-c", "10000", "--rate", "1",
                                         "--duration=3s", srv.tcp], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
                time.sleep(2.5)  # Benchmark pacing, not a test wait: sample while all are open.
                results[name]["idle 10k RSS"] = {"rss_kib": srv.rss_kib(), "base_kib": base}
                hold.wait()
            finally:
                srv.stop()

    # The table.
    cols = [s[0] for s in scenarios] + (["idle 10k RSS"] if want_idle else [])

    def cell(c, r):
        if c == "idle 10k RSS":
            return "%.1f MiB" % (r["rss_kib"] / 1024)
        if c.startswith("stream"):
            return "%.0f MB/s p99 %.0fus %.2fus/r %.0fM" % (r["mb_per_second"], r["latency_us"]["p99"], r["cpu_us_per_req"], r["peak_rss_kib"] / 1024)
        return "%.0f/s p99 %.0fus %.2fus/r %.0fM" % (r["requests_per_second"], r["latency_us"]["p99"], r["cpu_us_per_req"], r["peak_rss_kib"] / 1024)
    print_table(results, servers, cols, 11, 32, cell)
    print("(cells: rate, p99 latency, server CPU time per request, server peak RSS)")
    errors = print_errors(results, servers)

    # echod against the best peer (the epoll reference is the floor, shown apart).
    if "echod" in results:
        for c in cols:
            mine = results["echod"].get(c)
            if not mine or "error" in mine:
                continue
            def value(r):
                if c == "idle 10k RSS":
                    return -r["rss_kib"]
                return r["mb_per_second"] if c.startswith("stream") else r["requests_per_second"]
            peers = [(n, results[n][c]) for n in servers
                     if n not in ("echod", "epoll_echo") and c in results[n] and "error" not in results[n][c]]
            parts = []
            if peers:
                best_name, best = max(peers, key=lambda kv: value(kv[1]))
                if c == "idle 10k RSS":
                    parts.append("%.1f MiB vs best peer %s %.1f MiB" % (mine["rss_kib"] / 1024, best_name, best["rss_kib"] / 1024))
                else:
                    parts.append("%.2fx best peer (%s)" % (value(mine) / value(best), best_name))
                    cpu_best = min((r["cpu_us_per_req"], n) for n, r in peers)
                    parts.append("CPU/req %.1fus vs lowest peer %.1fus (%s)" % (mine["cpu_us_per_req"], cpu_best[0], cpu_best[1]))
            ref = results.get("epoll_echo", {}).get(c)
            if ref and "error" not in ref and c != "idle 10k RSS":
                parts.append("%.2fx epoll_echo" % (value(mine) / value(ref)))
            print("echod %-13s %s" % (c + ":", "; ".join(parts)))
    if skipped:
        print("skipped (not installed): " + ", ".join(skipped))
    # A peer's failure is reported; only ours (or the reference's) fails the run.
    if any(n in ("echod", "epoll_echo") for n, _, _ in errors):
        sys.exit(1)


if __name__ == "__main__":
    main()
