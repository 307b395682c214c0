"""bench/soak: echod under a long mixed load with misbehaving clients, then
checked for leaks. Loopback only; bounded in time.

For --seconds (default 120): echobench drives --load connections with 1 KiB
ping-pong (every byte verified), another echobench holds --idle connections
open, and threads of bad clients loop: resetters (send, then RST), half-
closers (send, shutdown, read the echo to EOF and compare), stallers (send a
megabyte without reading, then vanish), churners (connect, close). After the
load, echod must: report 0 active connections within 10 s, hold no more file
descriptors than at the start (+2), have its RSS back within --rss-slack MiB
of the start, still echo, and echobench must have seen zero corrupted bytes.

Run: bazel run -c opt //bench:soak -- [--seconds=120] [--load=200] [--idle=10000]
"""
import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time


def count_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Echod:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "--workers=2", "-l", "127.0.0.1:0", "--json"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.addr = line.split()[2]
        self.host, port = self.addr.rsplit(":", 1)
        self.port = int(port)
        self.stats_lines = []
        threading.Thread(target=self._read_stats, daemon=True).start()

    def _read_stats(self):
        for line in self.proc.stderr:
            self.stats_lines.append(line)

    def stats(self, deadline=5.0):
        """Asks for stats with SIGUSR1 and returns the next JSON line."""
        n = len(self.stats_lines)
        self.proc.send_signal(signal.SIGUSR1)
        end = time.time() + deadline
        while time.time() < end:
            if len(self.stats_lines) > n:
                return json.loads(self.stats_lines[-1])
            time.sleep(0.01)  # Polling a list filled by a reader thread, with a deadline.
        raise RuntimeError("echod gave no stats")


def bad_clients(host, port, stop, counts, errors):
    rnd = random.Random(threading.get_ident())
    kinds = ["reset", "halfclose", "stall", "churn"]
    while not stop.is_set():
        kind = rnd.choice(kinds)
        try:
            s = socket.create_connection((host, port), timeout=5)
            if kind == "reset":
                s.sendall(os.urandom(rnd.randint(1, 20000)))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            elif kind == "halfclose":
                data = os.urandom(rnd.randint(1, 50000))
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                got = b""
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    got += b
                if got != data:
                    errors.append("half-close echo differs: %d of %d bytes" % (len(got), len(data)))
                s.close()
            elif kind == "stall":
                s.setblocking(False)
                sent = 0
                try:
                    while sent < 1 << 20:
                        sent += s.send(b"x" * 65536)
                except BlockingIOError:
                    pass  # Backpressure: echod stopped reading us.
                s.close()
            else:
                s.close()
            counts[kind] += 1
        except OSError as e:
            counts["oserror"] += 1
            if counts["oserror"] < 5:
                errors.append("%s: %s" % (kind, e))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--echod", required=True)
    p.add_argument("--echobench", required=True)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--load", type=int, default=200)
    p.add_argument("--idle", type=int, default=10000)
    p.add_argument("--bad-threads", type=int, default=8)
    p.add_argument("--rss-slack", type=float, default=16, help="MiB")
    a = p.parse_args()

    e = Echod(a.echod)
    base_fds, base_rss = count_fds(e.proc.pid), rss_kib(e.proc.pid)
    print("soak: echod %s: %d fds, %.1f MiB RSS at start" % (e.addr, base_fds, base_rss / 1024))
    secs = "%gs" % a.seconds
    load = subprocess.Popen([a.echobench, "--json", "-c", str(a.load), "-m", "1K", "--duration=" + secs, e.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    idle = subprocess.Popen([a.echobench, "--json", "-c", str(a.idle), "--rate", "50", "-m", "16",
                             "--duration=" + secs, e.addr], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    counts = {"reset": 0, "halfclose": 0, "stall": 0, "churn": 0, "oserror": 0}
    errors = []
    threads = [threading.Thread(target=bad_clients, args=(e.host, e.port, stop, counts, errors))
               for _ in range(a.bad_threads)]
    for t in threads:
        t.start()
    peak_rss = 0
    end = time.time() + a.seconds
    while time.time() < end:
        peak_rss = max(peak_rss, rss_kib(e.proc.pid))
        time.sleep(min(1.0, max(0, end - time.time())))  # Sampling RSS once a second.
    stop.set()
    for t in threads:
        t.join()
    load_out, _ = load.communicate()
    idle_out, _ = idle.communicate()
    failures = []
    r = json.loads(load_out)
    print("soak: load: %d requests (%.0f/s), verify errors %d, connect errors %d" % (
        r["requests"], r["requests_per_second"], r["verify_errors"], r["connect_errors"]))
    if r["verify_errors"] or r["requests"] == 0:
        failures.append("load: %d verify errors, %d requests" % (r["verify_errors"], r["requests"]))
    ri = json.loads(idle_out)
    print("soak: idle holders: %d connections, %d requests, verify errors %d, connect errors %d" % (
        a.idle, ri["requests"], ri["verify_errors"], ri["connect_errors"]))
    if ri["verify_errors"]:
        failures.append("idle: %d verify errors" % ri["verify_errors"])
    print("soak: bad clients: %s" % counts)
    failures += errors[:5]
    # Afterwards: everything closed, nothing leaked, still serving.
    active = None
    end = time.time() + 10
    while time.time() < end:
        active = e.stats()["active"]
        if active == 0:
            break
        time.sleep(0.1)  # Re-asking echod for stats until the deadline.
    fds, rss = count_fds(e.proc.pid), rss_kib(e.proc.pid)
    print("soak: after: %s active, %d fds (start %d), RSS %.1f MiB (start %.1f, peak %.1f)" % (
        active, fds, base_fds, rss / 1024, base_rss / 1024, peak_rss / 1024))
    if active != 0:
        failures.append("%s connections still active" % active)
    if fds > base_fds + 2:
        failures.append("fd leak: %d fds, %d at start" % (fds, base_fds))
    if rss > base_rss + a.rss_slack * 1024:
        failures.append("RSS %.1f MiB, %.1f at start" % (rss / 1024, base_rss / 1024))
    with socket.create_connection((e.host, e.port), timeout=5) as s:
        s.sendall(b"still there?")
        s.shutdown(socket.SHUT_WR)
        if s.recv(100) != b"still there?":
            failures.append("echod does not echo any more")
    st = e.stats()
    print("soak: echod stats: %s" % json.dumps(st))
    e.proc.send_signal(signal.SIGTERM)
    e.proc.wait(timeout=10)
    if failures:
        print("soak: FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("soak: OK")


if __name__ == "__main__":
    main()
