"""Every tool's JSON, fed hostile strings, parsed by Python's json module.

File names, socket paths, targets and server names with quotes,
backslashes, control bytes, invalid UTF-8 and valid UTF-8 go through each
--json output (fmap, echod, echobench, sigtest, tlsprobe); every line must
parse, and each string must come back as the tools document it: valid UTF-8
as is, every other byte as the character U+00XX (lib/json's rule).

The tools come from the test's runfiles (harness.runfile).
"""

import codecs
import json
import os
import signal
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


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
