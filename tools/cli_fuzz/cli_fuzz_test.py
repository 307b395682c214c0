"""Seeded random command lines for every ipckit tool and subcommand.

For each command, the options its --help lists (short and long, with or
without a value) are combined at random with values from a pool of good and
bad ones (empty, zero, negative, huge, garbage, addresses, durations, sizes,
a file, a missing file) and positional arguments, and run with stdin from
/dev/null. Checked for every run:
  - no crash: never killed by a signal of its own (SIGSEGV, SIGABRT, ...);
  - no hang: a run still going after RUN_SECONDS (a server, a listener, a
    hold: legitimately waiting) stops within STOP_SECONDS of SIGTERM, and
    nothing of its process group is left;
  - a usage error (exit 2) is one line "TOOL: message" and then
    "Try 'TOOL --help'.".
The seed is printed; CLI_FUZZ_SEED and CLI_FUZZ_CASES (per command) change them.
Loopback only: every address in the pool is numeric and local; sigtest send
(which signals PIDs) and fmap lock --daemon (which leaves on purpose) are left
out.
"""

import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import harness

SEED = int(os.environ.get("CLI_FUZZ_SEED", "26"))
CASES = int(os.environ.get("CLI_FUZZ_CASES", "40"))
RUN_SECONDS = 1.5
STOP_SECONDS = 5.0

TOOLS = {
    "nc": [None], "echod": [None], "echobench": [None], "relay": [None], "tlsprobe": [None],
    "with_server": [None],
    "fmap": ["info", "find", "dump", "undump", "write", "resize", "sync", "advise", "sum", "residency", "touch",
             "evict", "lock"],
    "sigtest": ["list", "mask", "log", "run", "coalesce", "alarm", "latency"],
}

OPTION = re.compile(r"^\s{2,}(?:-(\w)(?:, |\s|=|$))?(?:\s*--([\w-]+))?(?:[= ](\S+))?")


def options(argv):
    """(flag text, takes a value) for each option --help lists."""
    out = subprocess.run(argv + ["--help"], capture_output=True, timeout=20, text=True).stdout
    found = []
    for line in out.splitlines():
        m = OPTION.match(line)
        if not m or not (m.group(1) or m.group(2)):
            continue
        if m.group(2) in ("help", "version"):
            continue
        value = m.group(3) is not None and not m.group(3).startswith("-")
        if m.group(1):
            found.append(("-" + m.group(1), value))
        if m.group(2):
            found.append(("--" + m.group(2), value))
    return found


class CliFuzzTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.file = os.path.join(self.d, "f")
        with open(self.file, "wb") as f:
            f.write(b"hello\n" * 100)

    def tearDown(self):
        shutil.rmtree(self.d, ignore_errors=True)

    def values(self):
        return ["", "0", "-1", "1", "7", "99999999999999999999", "abc", "1s", "250ms", "-5s", "64K", "1Q",
                "127.0.0.1", "127.0.0.1:0", "127.0.0.1:9", "[::1]:0", "::1", "0x", "a,b", "TERM", "99", "-",
                "http", "5", "%s%n", "\x01", self.file, os.path.join(self.d, "missing"), "unix:" + self.d + "/s"]

    def positionals(self):
        return ["127.0.0.1", "9", "0", "127.0.0.1:9", "127.0.0.1:0", self.file, "-", "1-3", "TERM",
                "/nonexistent/x"]

    def one(self, rng, base, opts):
        argv = list(base)
        for _ in range(rng.randrange(0, 5)):
            if not opts:
                break
            flag, value = rng.choice(opts)
            if value:
                v = rng.choice(self.values())
                argv += [flag + "=" + v] if flag.startswith("--") and rng.random() < 0.5 else [flag, v]
            else:
                argv.append(flag)
        if rng.random() < 0.15:
            argv.append(rng.choice(["--bogus", "-%", "--" + rng.choice(opts)[0].lstrip("-")[:3] if opts else "-%"]))
        argv += [rng.choice(self.positionals()) for _ in range(rng.randrange(0, 3))]
        return argv

    def run_one(self, argv, name):
        """Runs argv; returns None, or what is wrong."""
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=self.d, start_new_session=True)
        try:
            out, err = p.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                out, err = p.communicate(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.communicate()
                if name == "sigtest log" and ({"-a", "--all"} & set(argv) or any("TERM" in a for a in argv)):
                    return None  # Told to catch SIGTERM and log it: it does (SIGKILL ends it).
                return f"still running {STOP_SECONDS}s after SIGTERM"
            # Its group: anything still there (after a moment for children
            # that are exiting to be reaped) is a leak.
            end = time.monotonic() + 2
            while True:
                try:
                    os.killpg(p.pid, 0)
                except ProcessLookupError:
                    return None
                if time.monotonic() > end:
                    os.killpg(p.pid, signal.SIGKILL)
                    return "left processes behind after SIGTERM"
                time.sleep(0.05)
        if p.returncode < 0 and -p.returncode not in (signal.SIGPIPE,):
            return f"killed by signal {-p.returncode}: {err[-300:]!r}"
        if p.returncode >= 128:
            return f"exit {p.returncode}: {err[-300:]!r}"
        if p.returncode == 2:
            # One message line, and the --help hint where the options were
            # wrong (tlsprobe's "no targets" from stdin has none).
            lines = err.decode(errors="replace").split("\n")
            if lines[-1] != "" or not lines[0].startswith(name + ": ") or \
                    lines[1:-1] not in ([], [f"Try '{name} --help'."]):
                return f"usage error not one line (and the hint): {err[-400:]!r}"
        return None

    def test_random_command_lines(self):
        print(f"note: seed {SEED} (CLI_FUZZ_SEED), {CASES} cases a command (CLI_FUZZ_CASES)")
        rng = random.Random(SEED)
        jobs = []
        for tool, subs in TOOLS.items():
            binary = harness.runfile(f"tools/{tool}/{tool}")
            for sub in subs:
                base = [binary] + ([sub] if sub else [])
                name = tool + (" " + sub if sub else "")
                opts = options(base)
                if name == "fmap lock":  # A daemon leaves the process group on purpose; its own test owns it.
                    opts = [o for o in opts if o[0] not in ("-d", "--daemon", "--pidfile")]
                self.assertTrue(opts, f"{name}: no options read from --help")
                for _ in range(CASES):
                    jobs.append((self.one(rng, base, opts), name))
        problems = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for (argv, name), wrong in zip(jobs, pool.map(lambda j: self.run_one(*j), jobs)):
                if wrong:
                    problems.append(f"{name}: {[os.fsdecode(a) for a in argv[1:]]}: {wrong}")
        print(f"note: {len(jobs)} command lines, {len(problems)} problems")
        self.assertEqual(problems, [], "\n".join(problems[:20]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
