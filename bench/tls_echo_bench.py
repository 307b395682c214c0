"""bench/tls_echo: echod --tls against TLS peers in one run, each server pinned
to CPU 0 and echobench (BoringSSL client, --insecure) to CPU 1.

Peers: openssl s_server (handshakes only: it cannot echo), Python asyncio
with ssl, uvloop with ssl, Node.js tls (s.pipe(s)). Scenarios: full
handshakes per second (echobench --connect-only: connect, TLS 1.3 handshake,
close_notify, close; 16 in flight, as from many clients) and 1 KiB ping-pong over 100 TLS
connections. For each: rate, p99, server CPU time per handshake or request,
peak RSS; and echod's ratio to the best peer.

Run: bazel run -c opt //bench:tls_echo -- [--seconds=3] [--servers=a,b] [--quick]
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from echo_bench import Server, measure, print_errors, print_table, python_with  # noqa: E402

ASYNCIO_TLS = r'''
import asyncio, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
class Echo(asyncio.Protocol):
    def connection_made(self, t): self.t = t
    def data_received(self, d): self.t.write(d)
async def main():
    srv = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", 0, ssl=ctx, backlog=4096)
    print("listening on 127.0.0.1:%d" % srv.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
if sys.argv[1] == "uvloop":
    import uvloop; uvloop.install()
asyncio.run(main())
'''

NODE_TLS = r'''
const tls = require("tls"), fs = require("fs");
const s = tls.createServer({key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[1])},
                           c => c.pipe(c));
s.listen({port: 0, host: "127.0.0.1", backlog: 4096},
         () => console.log("listening on 127.0.0.1:" + s.address().port));
'''


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--echod", required=True)
    p.add_argument("--echobench", required=True)
    p.add_argument("--certs", required=True)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--servers", default="echod,s_server,asyncio,uvloop,node")
    p.add_argument("--quick", action="store_true", help="tiny run for tests")
    a = p.parse_args()
    cert, key = os.path.join(a.certs, "server.pem"), os.path.join(a.certs, "server.key")
    py_asyncio, py_uvloop = python_with("ssl"), python_with("uvloop")
    makers = {
        "echod": lambda: Server("echod", [a.echod, "--workers=1", "-l", "tls:127.0.0.1:0", "--cert", cert,
                                          "--key", key]),
        "s_server": lambda: Server("s_server", ["openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
                                                "-cert", cert, "-key", key],
                                   pattern=r"ACCEPT (127\.0\.0\.1:\d+)"),
        "asyncio": lambda: Server("asyncio", [py_asyncio, "-c", ASYNCIO_TLS, "asyncio", cert, key]),
        "uvloop": lambda: Server("uvloop", [py_uvloop, "-c", ASYNCIO_TLS, "uvloop", cert, key]),
        "node": lambda: Server("node", ["node", "-e", NODE_TLS, cert, key]),
    }
    available = {"uvloop": py_uvloop, "node": shutil.which("node"), "asyncio": py_asyncio,
                 "s_server": shutil.which("openssl")}
    servers = [s for s in a.servers.split(",") if available.get(s, True)]
    skipped = [s for s in a.servers.split(",") if s not in servers]
    scenarios = [
        ("handshakes", ["--tls", "--insecure", "--connect-only", "-c", "16"]),
        ("c=100 1KiB", ["--tls", "--insecure", "-c", "100", "-m", "1024"]),
    ]
    if a.quick:
        scenarios = [(label, args) for label, args in scenarios]
    results = {}
    for name in servers:
        results[name] = {}
        for label, args in scenarios:
            if name == "s_server" and label != "handshakes":
                continue
            results[name][label] = measure(makers[name], a.echobench, args, a.seconds)
    cols = [s[0] for s in scenarios]
    print_table(results, servers, cols, 10, 36, lambda c, r: "%.0f/s p99 %.0fus %.1fus/op %.0fM" % (
        r["requests_per_second"], r["latency_us"]["p99"], r["cpu_us_per_req"], r["peak_rss_kib"] / 1024))
    print("(cells: rate, p99 latency, server CPU time per handshake or request, server peak RSS)")
    errors = print_errors(results, servers)
    if "echod" in results:
        for c in cols:
            mine = results["echod"].get(c)
            if not mine or "error" in mine:
                continue
            peers = [(n, results[n][c]) for n in servers
                     if n != "echod" and c in results[n] and "error" not in results[n][c]]
            if not peers:
                continue
            best_name, best = max(peers, key=lambda kv: kv[1]["requests_per_second"])
            cpu_best = min((r["cpu_us_per_req"], n) for n, r in peers)
            print("echod %-12s %.2fx best peer (%s); server CPU/op %.1fus vs lowest peer %.1fus (%s) = %.2fx less" % (
                c + ":", mine["requests_per_second"] / best["requests_per_second"], best_name,
                mine["cpu_us_per_req"], cpu_best[0], cpu_best[1], cpu_best[0] / max(mine["cpu_us_per_req"], 1e-9)))
    if skipped:
        print("skipped (not installed): " + ", ".join(skipped))
    if any(n == "echod" for n, _, _ in errors):
        sys.exit(1)


if __name__ == "__main__":
    main()
