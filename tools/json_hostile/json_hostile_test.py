"""Every tool's JSON, fed hostile strings, parsed by Python's json module.

File names, socket paths, targets and server names with quotes,
backslashes, control bytes, invalid UTF-8 and valid UTF-8 go through each
--json output (fmap, echod, echobench, sigtest, tlsprobe, relay's fault
names and stats; nc has no JSON, and a test says so); every line must
parse, and each string must come back as the tools document it: valid UTF-8
as is, every other byte as the character U+00XX (lib/json's rule).

The tools come from the test's runfiles (harness.runfile).
"""

import codecs
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

import harness  # noqa: E402

DEADLINE = 20.0

# The hostile names (bytes: file names need not be UTF-8).
HOSTILE = [
    b'quote"d',
    b"back\\slash",
    b"new\nline",
    b"tab\tand\rcr",
    b"ctl\x01\x1f\x7f",
    b"latin1\xff\xfe",
    b"utf8-\xc3\xa9\xe2\x82\xac",
    b"surrogate\xed\xa0\x80",
    b"overlong\xc0\xaf",
    b"trunc\xe2\x82",
]

codecs.register_error("ipckit_bytes", lambda e: ("".join(chr(b) for b in e.object[e.start:e.end]), e.end))


def expected(name):
    """What a JSON reader gets back for `name`: lib/json's documented rule."""
    return name.decode("utf-8", errors="ipckit_bytes")


def tool(name):
    return harness.runfile(f"tools/{name}/{name}")


def run(argv):
    return harness.run(argv, deadline=DEADLINE)


def objects(out):
    """Parses every line of `out` as JSON (raising on any that does not)."""
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


class FmapTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.files = []
        for n in HOSTILE:
            path = os.path.join(os.fsencode(self.dir), n)
            with open(path, "wb") as f:
                f.write(b"hello, hostile world\n")
            self.files.append(path)

    def check(self, args, per_file=True):
        for path in self.files:
            rc, out, err = run([tool("fmap")] + args + [path])
            self.assertEqual(rc, 0, (args, path, err))
            objs = objects(out)
            self.assertTrue(objs, (args, path))
            for o in objs:
                self.assertEqual(o["file"], expected(path), (args, o))

    def test_every_command(self):
        self.check(["info", "--json"])
        self.check(["find", "--json", "--string", "o"])
        self.check(["find", "--json", "--count", "--string", "o"])
        self.check(["find", "--json", "--last", "--string", "o"])
        self.check(["dump", "--json"])
        self.check(["sum", "--json"])
        self.check(["residency", "--json", "--ranges"])
        self.check(["touch", "--json"])
        self.check(["evict", "--json"])
        self.check(["write", "--write", "--offset", "0", "--string", 'X"\\', "--json"])
        self.check(["resize", "--write", "--size", "30", "--json"])
        self.check(["sync", "--json"])
        self.check(["advise", "--advice", "willneed", "--json"])

    def test_several_files_in_one_run(self):
        rc, out, err = run([tool("fmap"), "info", "--json"] + self.files)
        self.assertEqual(rc, 0, err)
        *per_file, total = objects(out)
        self.assertEqual([o["file"] for o in per_file], [expected(p) for p in self.files])
        self.assertEqual(total["files"], len(self.files))


class EchoTest(unittest.TestCase):
    """echod serves a Unix socket at a hostile path; echobench loads it."""

    def test_socket_paths(self):
        d = os.fsencode(tempfile.mkdtemp(dir="/tmp"))
        for n in HOSTILE:
            if b"\n" in n:
                continue  # echod announces one address per line.
            path = os.path.join(d, n + b".sock")
            server = subprocess.Popen([tool("echod"), "-U", path, "--json"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
            try:
                harness.wait_for(lambda: os.path.exists(path), "echod's socket")
                rc, out, err = run([tool("echobench"), "-U", "-c", "2", "-d", "100ms", "--json", path])
                self.assertEqual(rc, 0, err)
                (report,) = objects(out)
                self.assertEqual(report["target"], expected(path))
                self.assertEqual(report["transport"], "unix")
                self.assertGreater(report["requests"], 0)
            finally:
                server.send_signal(signal.SIGTERM)
                out, err = server.communicate(timeout=DEADLINE)
            self.assertEqual(server.returncode, 0, err)
            stats = objects(err)  # At exit, echod prints its stats on stderr.
            self.assertEqual(len(stats), 1, err)
            self.assertGreater(stats[-1]["accepted"], 0)


class SigtestTest(unittest.TestCase):
    def test_every_json_output(self):
        s = tool("sigtest")
        for args in (["list", "--json"], ["list", "--json", "34", "TERM"], ["coalesce", "--json"],
                     ["alarm", "--json", "-i", "5ms", "-n", "3"], ["latency", "--json", "-n", "50"],
                     ["mask", "--json", str(os.getpid())]):
            rc, out, err = run([s] + args)
            self.assertEqual(rc, 0, (args, err))
            self.assertTrue(objects(out), args)
        rc, out, err = run([s, "run", "--json", "--", "sh", "-c", "exit 3"])
        self.assertEqual(rc, 3)
        (o,) = objects(err)
        self.assertEqual(o["result"], "exit=3")

    def test_log(self):
        d = tempfile.mkdtemp()
        ready = os.path.join(d, "ready")
        p = subprocess.Popen([tool("sigtest"), "log", "--catch", "USR1", "--count", "1", "--json",
                              "--ready-file", ready], stdout=subprocess.PIPE)
        harness.wait_for(lambda: os.path.exists(ready) and os.path.getsize(ready) > 0, "sigtest log's ready file")
        os.kill(p.pid, signal.SIGUSR1)
        out, _ = p.communicate(timeout=DEADLINE)
        (o,) = objects(out)
        self.assertEqual(o["signal"], "USR1")
        self.assertEqual(o["pid"], os.getpid())


class TlsprobeTest(unittest.TestCase):
    def test_target_and_servername(self):
        for n in HOSTILE:
            if b"\n" in n or b"\r" in n:
                continue  # Targets are one per line where a list is read.
            rc, out, err = run([tool("tlsprobe"), "--json", "-w", "1s", n + b":9"])
            (o,) = objects(out)
            self.assertEqual(o["target"], expected(n + b":9"))
            self.assertEqual(o["host"], expected(n))
            rc, out, err = run([tool("tlsprobe"), "--json", "-w", "1s", "--servername", n, "127.0.0.1:9"])
            (o,) = objects(out)
            self.assertEqual(o["sni"], expected(n))
            self.assertEqual(o["exit"], 3)


class RelayTest(unittest.TestCase):
    """relay's JSON: the fault list (fault names are the user's, from --fault
    and from the control socket) and its stats (SIGUSR1, control, exit)."""

    def control(self, path, line):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(DEADLINE)
            s.connect(path)
            s.sendall(line + b"\n")
            s.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        return reply

    def test_fault_names_and_stats(self):
        ctl = os.path.join(tempfile.mkdtemp(), "ctl.sock")
        names = [n for n in HOSTILE if not any(c in n for c in b" \t\r\n")]  # A fault is one line of words.
        half = len(names) // 2
        argv = [tool("relay"), "127.0.0.1:0", "127.0.0.1:9", "--control", ctl, "--json"]
        for n in names[:half]:
            argv += ["--fault", b"latency 1ms name=" + n]
        r = harness.serve(argv)
        try:
            for n in names[half:]:
                self.assertEqual(self.control(ctl, b"fault add slicer 10 name=" + n), b"ok " + n + b"\n")
            listed = json.loads(self.control(ctl, b"fault list").decode("utf-8"))
            self.assertEqual([f["name"] for f in listed], [expected(n) for n in names])
            stats = json.loads(self.control(ctl, b"stats").decode("utf-8"))
            self.assertEqual(stats["accepted"], 0)
        finally:
            r.stop()
        (at_exit,) = [json.loads(l) for l in r.lines("err") if l.startswith("{")]
        self.assertIn("bytes_up", at_exit)


class NcTest(unittest.TestCase):
    def test_nc_has_no_json(self):
        # nc writes no JSON (its reports are netcat-openbsd's lines); if it
        # gains any, this test must grow to feed it hostile strings.
        rc, out, err = run([harness.runfile("tools/nc/nc"), "--help"])
        self.assertEqual(rc, 0, err)
        self.assertNotIn(b"json", out.lower())


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
