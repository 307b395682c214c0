"""sigtest end to end against oracles: bash's `kill -l`, procps `kill -q`
(sigqueue), /bin/kill, GNU timeout, tini, dumb-init, Python's os.WCOREDUMP
and /proc/PID/status of a Python child."""

import os
import re
import signal
import sys
import tempfile
import time
import unittest

import harness

SIGTEST = harness.runfile("tools/sigtest/sigtest")
DEADLINE = 20


def run(argv):
    """Runs `argv` with empty stdin: (exit code as the shell sees it, stdout, stderr)."""
    p = harness.start(argv, stdin="")
    return harness.shell_code(p.wait(DEADLINE)), p.out, p.err


def output(argv):
    code, out, err = run(argv)
    assert code == 0, f"{argv}: exit {code}: {err}"
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def code(argv):
    return run(argv)[0]


class SigtestE2eTest(harness.TestCase):
    def test_list_names_match_bash(self):
        numbers = [str(i) for i in range(1, 65) if i not in (32, 33)]
        bash = output(["bash", "-c", f"for i in {' '.join(numbers)}; do kill -l $i; done"])
        self.assertEqual(output([SIGTEST, "list"] + numbers), bash)

    def test_list_names_to_numbers_and_table(self):
        self.assertEqual(output([SIGTEST, "list", "TERM", "SIGRTMIN+2", "rtmax"]), "15\n36\n64\n")
        table = output([SIGTEST, "list"])
        self.assertIn("11 SEGV      core\n", table)
        self.assertIn("17 CHLD      ignore\n", table)
        self.assertIn("64 RTMAX     term\n", table)
        self.assertEqual(output([SIGTEST, "list", "--json", "34"]), '{"number":34,"name":"RTMIN"}\n')

    def start_log(self, d, *flags):
        """Starts `sigtest log` and waits for its ready file: (Proc, PID text)."""
        ready = os.path.join(d, "ready")
        p = harness.start([SIGTEST, "log", "--ready-file", ready] + list(flags))
        pid = harness.wait_for(lambda: os.path.exists(ready) and open(ready).read().endswith("\n")
                               and open(ready).read().strip(), "the ready file")
        return p, pid

    def test_log_shows_queued_real_time_signals_with_payloads_in_order(self):
        with tempfile.TemporaryDirectory() as d:
            log, pid = self.start_log(d, "--catch", "RTMIN+1,USR1", "--count", "6")
            for v in range(1, 5):
                self.assertEqual(output([SIGTEST, "send", "-s", "RTMIN+1", "--value", str(v * 10), pid]), "")
            # procps kill as the oracle sender: sigqueue with a value.
            self.assertEqual(output(["env", "kill", "-q", "50", "-s", "RTMIN+1", pid]), "")
            self.assertEqual(output([SIGTEST, "send", "-s", "USR1", pid]), "")
            self.assertEqual(log.wait(DEADLINE), 0)
            lines = log.out.splitlines()
            self.assertEqual(len(lines), 6, log.out)
            for i in range(5):
                self.assertRegex(lines[i], r"^[0-9.]+ [0-9.]+ RTMIN\+1 code=SI_QUEUE pid=[0-9]+ uid=[0-9]+ "
                                           f"value={(i + 1) * 10}$")
            self.assertRegex(lines[5], r"^[0-9.]+ [0-9.]+ USR1 code=SI_USER pid=[0-9]+ uid=[0-9]+ value=0$")

    def test_log_json(self):
        with tempfile.TemporaryDirectory() as d:
            log, pid = self.start_log(d, "--all", "--count", "1", "--json")
            self.assertEqual(output(["env", "kill", "-s", "HUP", pid]), "")
            self.assertEqual(log.wait(DEADLINE), 0)
            self.assertRegex(log.out, r'^\{"mono":[0-9.]+,"wall":[0-9.]+,"signal":"HUP","number":1,'
                                      r'"code":"SI_USER","pid":[0-9]+,"uid":[0-9]+,"value":0\}\n\Z')

    def test_mask_of_a_python_child(self):
        script = """
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGRTMIN + 2})
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.signal(signal.SIGHUP, lambda *a: None)
print("ready", flush=True)
sys.stdin.read()
"""
        py = harness.start([sys.executable, "-c", script])
        py.wait_for_line("out", "ready")
        os.kill(py.pid, signal.SIGUSR1)  # Blocked: stays pending.
        out = output([SIGTEST, "mask", str(py.pid)])
        self.assertIn("blocked:        USR1,RTMIN+2\n", out)
        self.assertRegex(out, r"ignored:        [A-Z0-9,]*USR2")
        self.assertRegex(out, r"caught:         HUP,INT")
        self.assertIn("shared pending: USR1\n", out)
        self.assertIn('"blocked":"USR1,RTMIN+2"', output([SIGTEST, "mask", "--json", str(py.pid)]))

    def test_send_to_process_group(self):
        group = harness.start(["sh", "-c", "sleep 1000 & sleep 1000 & echo up; wait"])
        group.wait_for_line("out", "up")
        self.assertEqual(output([SIGTEST, "send", "-s", "KILL", "--", f"-{group.pid}"]), "")
        self.assertEqual(group.wait(DEADLINE), -signal.SIGKILL)

    def test_errors(self):
        self.assertEqual(run([SIGTEST, "send", "999999999"]),
                         (1, "", "sigtest send: kill 999999999: No such process\n"))
        self.assertEqual(run([SIGTEST, "send", "-s", "FOO", "1"]),
                         (2, "", "sigtest send: unknown signal 'FOO'\nTry 'sigtest send --help'.\n"))
        self.assertEqual(run([SIGTEST, "log", "--catch", "KILL"]),
                         (2, "", "sigtest log: KILL cannot be caught\nTry 'sigtest log --help'.\n"))
        self.assertEqual(run([SIGTEST]), (2, "", "sigtest: missing command\nTry 'sigtest --help'.\n"))
        self.assertEqual(run([SIGTEST, "mask", "999999999"]), (1, "", "sigtest mask: no process 999999999\n"))

    def test_send_zero_and_several_targets_as_kill(self):
        me = str(os.getpid())
        for targets in ([me], ["999999999"], [me, "999999999", me]):
            c, _, err = run([SIGTEST, "send", "-s", "0", "--"] + targets)
            self.assertEqual(c, code(["/bin/kill", "-0", "--"] + targets), targets)
            self.assertEqual(err, "sigtest send: kill 999999999: No such process\n"
                             if "999999999" in targets else "")


class SigtestRunTest(harness.TestCase):
    def test_exit_codes_match_the_shell_and_coreutils(self):
        self.assertEqual(run([SIGTEST, "run", "--", "sh", "-c", "exit 7"]), (7, "", "sigtest: exit=7\n"))
        c, _, err = run([SIGTEST, "run", "--", "sh", "-c", "kill -SEGV $$"])
        self.assertEqual(c, code(["bash", "-c", "sh -c 'kill -SEGV $$'; exit $?"]))
        self.assertRegex(err, r"^sigtest: signal=SEGV core=(true|false)\n\Z")
        self.assertEqual(run([SIGTEST, "run", "--", "ipckit-no-such-command"]),
                         (127, "", "sigtest run: exec ipckit-no-such-command: No such file or directory\n"))
        self.assertEqual(code([SIGTEST, "run", "--remap", "7=0", "--", "sh", "-c", "exit 7"]), 0)

    def test_core_report_matches_python_wcoredump(self):
        # Python's os.WCOREDUMP on the same kind of death, in the same environment.
        py = output([sys.executable, "-c",
                     "import os, subprocess\n"
                     "p = subprocess.Popen(['sh', '-c', 'kill -SEGV $$'])\n"
                     "_, st = os.waitpid(p.pid, 0)\n"
                     "print('core=' + str(os.WCOREDUMP(st)).lower())"])
        self.assertEqual(run([SIGTEST, "run", "--", "sh", "-c", "kill -SEGV $$"]),
                         (128 + signal.SIGSEGV, "", "sigtest: signal=SEGV " + py))

    def test_timeout_and_escalation_as_coreutils(self):
        start = time.monotonic()
        c, _, err = run([SIGTEST, "run", "--timeout=200ms", "--", "sleep", "10"])
        self.assertEqual(c, code(["timeout", "0.2", "sleep", "10"]))
        self.assertEqual(err, "sigtest: timeout=200ms signal=TERM core=false\n")
        self.assertGreaterEqual(time.monotonic() - start, 0.4)  # Ours, then coreutils'.
        self.assertLess(time.monotonic() - start, 5)
        stubborn = "trap '' TERM; sleep 10"
        c, _, err = run([SIGTEST, "run", "--timeout=100ms", "--kill-after=100ms", "--", "sh", "-c", stubborn])
        self.assertEqual(c, code(["timeout", "-k", "0.1", "0.1", "sh", "-c", stubborn]))
        self.assertEqual(err, "sigtest: timeout=100ms signal=KILL core=false\n")

    def test_agrees_with_gnu_timeout(self):
        # One row per case: name, GNU timeout's options, ours, duration, command.
        with tempfile.TemporaryDirectory() as d:
            text_file = os.path.join(d, "notes.txt")
            with open(text_file, "w") as f:
                f.write("not a program\n")
            script = os.path.join(d, "script")
            with open(script, "w") as f:
                f.write("exit 7\n")
            os.chmod(script, 0o755)
            stubborn = ["sh", "-c", "trap '' TERM; sleep 10"]
            trap_exits = ["sh", "-c", "trap 'exit 5' TERM; sleep 10 & wait"]
            cases = [
                ("command's code", [], [], "5", ["sh", "-c", "exit 3"]),
                ("0 is no timeout", [], [], "0", ["sh", "-c", "sleep 0.2; exit 3"]),
                ("TERM at the timeout", [], [], "0.2", ["sleep", "10"]),
                ("KILL at the timeout", ["-s", "KILL"], ["--signal", "KILL"], "0.2", ["sleep", "10"]),
                ("--preserve-status", ["--preserve-status"], ["--preserve-status"], "0.2", ["sleep", "10"]),
                ("a trap that exits", [], [], "0.2", trap_exits),
                ("a trap that exits, preserved", ["--preserve-status"], ["--preserve-status"], "0.2", trap_exits),
                ("ignores TERM: KILL after", ["-k", "0.2"], ["--kill-after", "0.2"], "0.2", stubborn),
                ("ignores TERM, preserved", ["--preserve-status", "-k", "0.2"],
                 ["--preserve-status", "--kill-after", "0.2"], "0.2", stubborn),
                ("--foreground", ["--foreground"], ["--foreground"], "0.2", ["sh", "-c", "sleep 10"]),
                ("not found", [], [], "5", ["ipckit-no-such-command"]),
                ("not executable", [], [], "5", [text_file]),
                # A child that stopped itself: TERM stays pending until
                # SIGCONT, which GNU timeout sends after it (issue 27: hung).
                ("a stopped child", [], [], "0.5", ["sh", "-c", "kill -STOP $$"]),
                ("a stopped child, preserved", ["--preserve-status"], ["--preserve-status"], "0.5",
                 ["sh", "-c", "kill -STOP $$"]),
                # A script without "#!": execvp's ENOEXEC rule runs it with /bin/sh.
                ("a script without #!", [], [], "5", [script]),
            ]
            for sig in ("HUP", "INT", "QUIT", "ABRT", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "SYS"):
                cases.append((f"killed by its own {sig}", [], [], "5", ["sh", "-c", f"ulimit -c 0; kill -{sig} $$"]))
            for name, gnu, ours, duration, command in cases:
                start = time.monotonic()
                self.assertEqual(code([SIGTEST, "run"] + ours + ["--timeout=" + duration, "--"] + command),
                                 code(["timeout"] + gnu + [duration] + command), name)
                if name.startswith("a stopped child"):  # Both, well before the test's deadline.
                    self.assertLess(time.monotonic() - start, 10, name)

    def test_command_gets_the_terminal(self):
        # Under script(1) there is a terminal: the command reads it, and the
        # shell has it back afterwards. GNU timeout's command cannot (SIGTTIN)
        # unless --foreground.
        p = harness.start(["script", "-qec", f"{SIGTEST} run -- sh -c 'read x; echo got $x'; read y; "
                           "echo shell got $y", "/dev/null"])
        p.write("one\n")
        p.wait_for_line("out", "got one")
        p.write("two\n")
        p.wait_for_line("out", "shell got two")
        p.close_stdin()
        self.assertEqual(p.wait(DEADLINE), 0)
        # tini gives its child the terminal too, but keeps it from the shell after
        # it: the shell's read fails (EIO). sigtest takes it back.
        t = harness.start(["script", "-qec", "tini -s -- sh -c 'read x; echo got $x'; read y || "
                           "echo shell read failed", "/dev/null"])
        t.write("one\n")
        t.wait_for_line("out", "got one")
        t.write("two\n")
        t.wait_for_line("out", "shell read failed")
        t.close_stdin()
        self.assertEqual(t.wait(DEADLINE), 0)

    def test_rewrites_forwarded_signals_as_dumb_init(self):
        # The same child under sigtest --rewrite TERM=USR1 and dumb-init -r 15:10:
        # TERM to the supervisor reaches the child as USR1, and both exit 0.
        child = ("trap 'echo got USR1; exit 0' USR1; trap 'echo got TERM; exit 1' TERM; echo up; "
                 "while :; do sleep 0.05; done")
        for argv in ([SIGTEST, "run", "--rewrite", "TERM=USR1", "--"], ["dumb-init", "-r", "15:10", "--"]):
            p = harness.start(argv + ["sh", "-c", child])
            p.wait_for_line("out", "up")
            p.signal(signal.SIGTERM)
            self.assertEqual(p.wait(DEADLINE), 0, argv[0])
            self.assertIn("got USR1", p.out, argv[0])

    def test_parent_death_signal(self):
        p = harness.start([SIGTEST, "run", "--pdeathsig", "TERM", "--", "sh", "-c", "echo $$; exec sleep 30"])
        child = int(p.wait_for_line("out", lambda l: l != ""))
        p.signal(signal.SIGKILL)  # sigtest dies without forwarding anything.
        self.assertEqual(p.wait(DEADLINE), -signal.SIGKILL)
        harness.wait_for(lambda: not alive(child), f"child {child} to end with sigtest")

    def test_forwards_to_the_group_and_reaps_grandchildren(self):
        with tempfile.TemporaryDirectory() as d:
            p = harness.Proc([SIGTEST, "run", "--", "sh", "-c", "sleep 1000 & echo $! > grandchild; echo up; wait"],
                             cwd=d)
            p.wait_for_line("out", "up")
            p.signal(signal.SIGTERM)
            self.assertEqual(p.wait(DEADLINE), 128 + signal.SIGTERM)
            self.assertEqual(p.err, "sigtest: signal=TERM core=false\n")
            grandchild = int(open(os.path.join(d, "grandchild")).read())
            self.assertGreater(grandchild, 0)
            self.assertFalse(alive(grandchild), "grandchild still exists")

    def test_reports_and_kills_orphans(self):
        c, _, err = run([SIGTEST, "run", "--kill-orphans", "--", "sh", "-c", "setsid sleep 1000 & sleep 0.1; exit 3"])
        self.assertEqual(c, 3)
        self.assertRegex(err, r"^sigtest: killed orphans: [0-9]+ \((sh|sleep)\)\nsigtest: exit=3\n\Z")

    def test_child_starts_with_requested_mask_and_dispositions(self):
        script = "print(''.join(l for l in open('/proc/self/status') if l.startswith(('SigBlk', 'SigIgn'))), end='')"
        out = output([SIGTEST, "run", "--block", "USR1,RTMIN+1", "--ignore", "USR2", "--", sys.executable, "-c", script])
        m = re.match(r"SigBlk:\t([0-9a-f]+)\nSigIgn:\t([0-9a-f]+)", out)
        self.assertIsNotNone(m, out)
        blocked, ignored = int(m.group(1), 16), int(m.group(2), 16)
        usr1, usr2 = 1 << (signal.SIGUSR1 - 1), 1 << (signal.SIGUSR2 - 1)
        rt1 = 1 << (signal.SIGRTMIN + 1 - 1)
        self.assertEqual(blocked & (usr1 | rt1), usr1 | rt1)
        self.assertNotEqual(ignored & usr2, 0)
        self.assertEqual(ignored & usr1, 0)

    def test_works_as_pid1_in_a_pid_namespace(self):
        c, _, err = run(["unshare", "--pid", "--fork", "--mount-proc", SIGTEST, "run", "--", "sh", "-c",
                         "echo pid=$$ >&2; sleep 1000 & exit 5"])
        if c != 5 and "unshare" in err:
            self.skipTest(f"no PID namespaces here: {err}")
        self.assertEqual(c, 5)
        self.assertRegex(err, r"^pid=2\nsigtest: orphans still running: [0-9]+ \((sh|sleep)\)\nsigtest: exit=5\n\Z")

    def test_timeout_signal_is_configurable(self):
        self.assertEqual(run([SIGTEST, "run", "--timeout=100ms", "--signal=INT", "--", "sleep", "10"]),
                         (124, "", "sigtest: timeout=100ms signal=INT core=false\n"))

    def test_forward_to_child_only_leaves_the_group(self):
        p = harness.start([SIGTEST, "run", "--forward=child", "--kill-orphans", "--", "sh", "-c",
                           "sleep 1000 & echo up; wait"])
        p.wait_for_line("out", "up")
        p.signal(signal.SIGTERM)
        self.assertEqual(p.wait(DEADLINE), 128 + signal.SIGTERM)
        # Only sh got TERM: its sleep was still running, and --kill-orphans killed it.
        self.assertRegex(p.err, r"^sigtest: killed orphans: [0-9]+ \(sleep\)\nsigtest: signal=TERM core=false\n\Z")

    def test_default_restores_an_inherited_ignore(self):
        show = "print([l for l in open('/proc/self/status') if l.startswith('SigIgn')][0], end='')"

        def ignored_int(flags):
            out = output(["sh", "-c", f"trap '' INT; exec {SIGTEST} run {flags} -- {sys.executable} -c \"{show}\""])
            m = re.match(r"SigIgn:\t([0-9a-f]+)", out)
            self.assertIsNotNone(m, out)
            return int(m.group(1), 16) & (1 << (signal.SIGINT - 1)) != 0
        self.assertTrue(ignored_int(""))
        self.assertFalse(ignored_int("--default INT"))

    def test_usage_errors(self):
        self.assertEqual(run([SIGTEST, "run"]),
                         (2, "", "sigtest run: missing command (sigtest run [OPTIONS] -- CMD...)\n"
                                 "Try 'sigtest run --help'.\n"))
        self.assertEqual(run([SIGTEST, "run", "--remap", "x", "--", "true"]),
                         (2, "", "sigtest run: --remap: expected FROM=TO, got 'x'\nTry 'sigtest run --help'.\n"))


class SigtestDemoTest(harness.TestCase):
    def test_coalesce_shows_the_numbers(self):
        self.assertEqual(output([SIGTEST, "coalesce", "--count", "7"]),
                         "USR1: sent 7, delivered 1 (coalesced)\nRTMIN: sent 7, delivered 7 (queued)\n")
        self.assertEqual(output([SIGTEST, "coalesce", "--json"]), '{"sent":5,"USR1":1,"RTMIN":5}\n')

    def test_alarm_ticks(self):
        start = time.monotonic()
        out = output([SIGTEST, "alarm", "--interval", "20ms", "--count", "3"])
        self.assertGreaterEqual(time.monotonic() - start, 0.06)
        # A loaded machine may deliver a tick late: it then shows as an overrun
        # and the tick numbers skip, which is what the demo is for.
        self.assertRegex(out, r"^tick 1 \+0\.[0-9]+s jitter=[-+][0-9]+us overrun=[0-9]+\n"
                              r"(tick [0-9]+ \+[0-9.]+s jitter=[-+][0-9]+us overrun=[0-9]+\n){2}"
                              r"jitter p50 [-+][0-9]+us p99 [-+][0-9]+us max [-+][0-9]+us, overruns [0-9]+\n\Z")

    def test_latency_reports_percentiles(self):
        self.assertRegex(output([SIGTEST, "latency", "-n", "300"]),
                         r"^round trips: 300, p50 [0-9.]+us p99 [0-9.]+us max [0-9.]+us\n\Z")


if __name__ == "__main__":
    unittest.main(verbosity=2)
