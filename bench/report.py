"""bench/report: runs every benchmark in one go and writes bench/RESULTS.md
(each benchmark's own output, the machine it ran on) and PNG plots in
bench/plots/ (gnuplot) of ours against the peers.

Run: bazel run -c opt //bench:report -- --out=$PWD/bench [--quick]
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

BENCHES = [
    # name, script, full args, quick args
    ("nc_throughput", "bench/nc_throughput.sh", ["--bytes=2G", "--runs=3"], ["--bytes=64M", "--runs=1"]),
    ("echo", "bench/echo.sh", ["--seconds=3"], ["--seconds=0.5", "--quick"]),
    ("tls_echo", "bench/tls_echo.sh", ["--seconds=3"], ["--seconds=0.5", "--quick"]),
    ("relay", "bench/relay.sh", ["--seconds=3", "--bytes=1G"],
     ["--bytes=16M", "--seconds=0.3", "--pairs=200", "--small-pairs=20", "--proxies=relay,socat"]),
    ("fmap", "bench/fmap.sh", ["--size=2G", "--dump-size=256M"], ["--size=64M", "--dump-size=8M", "--runs=1", "--sparse=512M"]),
    ("sigtest", "bench/sigtest_latency.sh", ["--iterations=20000"], ["--iterations=2000"]),
    ("tlsprobe", "bench/tlsprobe.sh", ["--runs=5"], ["--runs=1"]),
    ("soak", "bench/soak.sh", ["--seconds=120"], ["--seconds=5", "--load=20", "--idle=500", "--bad-threads=3", "--rss-slack=256"]),
]


def runfile(path):
    for d in (os.environ.get("RUNFILES_DIR", ""), os.path.join(os.path.dirname(sys.argv[0]), "..")):
        p = os.path.join(d, "ipckit", path) if d.endswith("runfiles") else os.path.join(d, path)
        if os.path.exists(p):
            return p
    p = os.path.join(os.getcwd(), path)
    return p


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB RAM" % (int(f.readline().split()[1]) / 1048576)
    except OSError:
        pass
    return "%d cores (%s), %s, Linux %s" % (os.cpu_count(), cpu, mem, platform.release())


def bars(path, title, ylabel, rows, log=False):
    """A bar chart of (label, value) rows with gnuplot, ours first."""
    if not rows or not shutil.which("gnuplot"):
        return False
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as f:
        for label, value in rows:
            f.write('"%s" %g\n' % (label, value))
        data = f.name
    script = """
set terminal pngcairo size 720,360 noenhanced font ",10"
set output "%s"
set title "%s"
set ylabel "%s"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
%s
set xtics nomirror rotate by -20
plot "%s" using 0:2:xtic(1) with boxes lc rgb "#4477aa" notitle, \\
     "" using 0:2:(sprintf("%%.3g", $2)) with labels offset 0,0.7 notitle
""" % (path, title, ylabel, "set logscale y\nset yrange [0.5:*]" if log else "set yrange [0:*]", data)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(data)
    if r.returncode != 0 and "pngcairo" in r.stderr:
        r = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True, capture_output=True)
    return r.returncode == 0


def table_column(out, first_width, width, column):
    """(row label, leading number) for one column of a fixed-width table whose
    header row starts with "server"."""
    lines = out.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("server"):
            header = [line[first_width + k * width:first_width + (k + 1) * width].strip()
                      for k in range((len(line) - first_width + width - 1) // width)]
            if column not in header:
                return []
            k = header.index(column)
            rows = []
            for row in lines[i + 1:]:
                if not row.strip() or row.startswith("("):
                    break
                cell = row[first_width + k * width:first_width + (k + 1) * width]
                m = re.match(r"\s*([\d.]+)", cell)
                if m:
                    rows.append((row[:first_width].strip(), float(m.group(1))))
            return rows
    return []


def plots(outputs, plot_dir):
    made = []
    out = outputs.get("nc_throughput", "")
    rows = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^(\S+)\s+(\d+)\s+[\d.]+\s+[\d. ]+$", out, re.M)]
    if bars(os.path.join(plot_dir, "nc_throughput.png"), "nc: MB/s, 2 GiB through loopback (higher is better)",
            "MB/s", rows):
        made.append(("nc throughput", "nc_throughput.png"))
    rows = table_column(outputs.get("echo", ""), 11, 32, "c=100 64B")
    if bars(os.path.join(plot_dir, "echo_c100.png"), "echo servers: requests/s, 100 connections, 64 B (higher is better)",
            "requests/s", rows):
        made.append(("echo, c=100", "echo_c100.png"))
    rows = table_column(outputs.get("tls_echo", ""), 10, 36, "handshakes")
    if bars(os.path.join(plot_dir, "tls_handshakes.png"), "TLS servers: full handshakes/s (higher is better)",
            "handshakes/s", rows):
        made.append(("TLS handshakes", "tls_handshakes.png"))
    out = outputs.get("fmap", "")
    rows = [(m.group(1).strip() + " vs " + m.group(3), float(m.group(2)))
            for m in re.finditer(r"^(\S+ ?\S*?)\s+[\d.]+\s+.*?->\s+([\d.]+)x best \((\S+)\)", out, re.M)]
    if bars(os.path.join(plot_dir, "fmap.png"), "fmap: times faster than the best peer (1 = as fast)",
            "speed-up", rows):
        made.append(("fmap", "fmap.png"))
    out = outputs.get("tlsprobe", "")
    rows = [(m.group(1) + " vs " + m.group(2).strip(), float(m.group(4)) / max(float(m.group(3)), 1e-9))
            for m in re.finditer(r"^(single probe|enumerate(?: \(\w+\))?)\s+(.+?)\s{2,}([\d.]+)ms\s+([\d.]+)ms", out, re.M)]
    if bars(os.path.join(plot_dir, "tlsprobe.png"), "tlsprobe: times faster than each peer (log scale)",
            "speed-up", rows, log=True):
        made.append(("tlsprobe", "tlsprobe.png"))
    return made


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True, help="directory for RESULTS.md and plots/ (e.g. $PWD/bench)")
    p.add_argument("--quick", action="store_true", help="small sizes, for the smoke test")
    p.add_argument("--only", default="", help="comma-separated subset")
    a = p.parse_args()
    plot_dir = os.path.join(a.out, "plots")
    os.makedirs(plot_dir, exist_ok=True)
    chosen = [b for b in BENCHES if not a.only or b[0] in a.only.split(",")]
    outputs, failed = {}, []
    for name, script, full, quick in chosen:
        argv = ["bash", runfile(script)] + (quick if a.quick else full)
        print("report: running %s" % name, flush=True)
        r = subprocess.run(argv, capture_output=True, text=True)
        outputs[name] = r.stdout.strip()
        if r.returncode != 0:
            failed.append(name)
            outputs[name] += "\n(exit %d)\n%s" % (r.returncode, r.stderr.strip()[-2000:])
    made = plots(outputs, plot_dir)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmark results", "",
             "Written by `bazel run -c opt //bench:report -- --out=$PWD/bench`%s on %s." % (
                 " (--quick: small sizes, not for comparison)" if a.quick else "", when),
             "", "Machine: %s." % machine(), "",
             "Every benchmark runs ipckit and its peers in the same run; see bench/README.md for what each one",
             "measures and how. Servers are pinned to CPU 0 and load generators to CPU 1 where the benchmark says so.",
             ""]
    for title, png in made:
        lines += ["![%s](plots/%s)" % (title, png), ""]
    for name, _, _, _ in chosen:
        lines += ["## %s" % name, "", "```", outputs.get(name, ""), "```", ""]
    if failed:
        lines += ["Failed: " + ", ".join(failed), ""]
    with open(os.path.join(a.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(lines))
    print("report: wrote %s and %d plots" % (os.path.join(a.out, "RESULTS.md"), len(made)))
    if failed:
        sys.exit("report: failed: " + ", ".join(failed))


if __name__ == "__main__":
    main()
