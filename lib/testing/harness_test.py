"""Tests for harness.py, run against small shell servers."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def gone(pid):
    """True once `pid` has exited (reaped, or a zombie of whoever adopted it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] == "Z"
    except OSError:  # FileNotFoundError, or ESRCH while it goes.
        return True


class LeakCheckTest(unittest.TestCase):
    def test_a_double_forked_process_is_found_by_its_mark_and_killed(self):
        # A daemon leaves its process group and its parent; the mark its
        # environment inherited still names the test that started it.
        mark = f"leak-test-{os.getpid()}"
        env = dict(os.environ, **{harness.MARK: mark})
        import subprocess
        subprocess.run(["sh", "-c", "(setsid sleep 30 &) ; exit 0"], env=env, check=True, timeout=10)
        left = harness.marked(mark)
        self.assertEqual(len(left), 1, left)
        self.assertIn("sleep 30", left[0][1])
        self.assertEqual(harness.marked(mark + "x"), [])
        self.assertEqual(harness.marked(mark.rsplit("-", 1)[0], exact=True), [])
        killed = harness.kill_leaks(mark, grace=0.2)
        self.assertEqual([p for p, _ in killed], [left[0][0]])
        harness.wait_for(lambda: gone(left[0][0]), "the leaked sleep to die")
        self.assertEqual(harness.kill_leaks(mark, grace=0), [])


class HarnessTest(unittest.TestCase):
    def test_listening_address_dialects(self):
        self.assertEqual(harness.listening_address(b"listening on 127.0.0.1:7 (tcp)\n"), "127.0.0.1:7")
        self.assertEqual(harness.listening_address(b"echod: listening on [::1]:8"), "[::1]:8")
        self.assertEqual(harness.listening_address(b"Listening on ::1 9"), "[::1]:9")
        self.assertEqual(harness.listening_address(b"Bound on 127.0.0.1 10"), "127.0.0.1:10")
        self.assertEqual(harness.listening_address(b"listening on /tmp/e.sock (unix)"), "/tmp/e.sock")
        self.assertEqual(harness.listening_address(b"Listening on s.sock"), "s.sock")
        self.assertIsNone(harness.listening_address(b"booting"))

    def test_serve_reads_each_line_then_stops(self):
        s = harness.serve(["sh", "-c", "echo boot; echo listening on 127.0.0.1:7; "
                           "echo 'Listening on ::1 8'; exec sleep 30"], listeners=2)
        self.assertEqual(s.addresses, ["127.0.0.1:7", "[::1]:8"])
        self.assertEqual(s.port(1), 8)
        self.assertEqual(s.transports, [None, None])
        code, _ = s.stop()
        self.assertEqual(code, -15)

    def test_transports_of_ipckit_lines(self):
        self.assertEqual(harness.listening_transport(b"listening on /s (unix+tls)"), "unix+tls")
        self.assertIsNone(harness.listening_transport(b"Listening on ::1 9"))

    def test_serve_fails_with_the_output(self):
        with self.assertRaisesRegex(RuntimeError, "did not announce 1 listener.*nothing here"):
            harness.serve(["sh", "-c", "echo nothing here"], deadline=5)

    def test_wait_for_has_a_deadline(self):
        self.assertEqual(harness.wait_for(lambda: 3, "three"), 3)
        with self.assertRaisesRegex(AssertionError, "waiting for never"):
            harness.wait_for(lambda: None, "never", deadline=0.05)

    def test_run(self):
        self.assertEqual(harness.run(["cat"], b"x"), (0, b"x", b""))

    def test_proc_collects_both_streams_and_takes_input(self):
        p = harness.start(["sh", "-c", "read x; echo out $x; echo err >&2; read y; echo $y"])
        p.write("one\n")
        self.assertEqual(p.wait_for_line("out", "out"), "out one")
        self.assertEqual(p.wait_for_line("err", lambda l: l.startswith("e")), "err")
        p.write("two\n", close=True)
        self.assertEqual(p.wait(), 0)
        self.assertEqual((p.out, p.err), ("out one\ntwo\n", "err\n"))

    def test_wait_for_line_names_what_it_saw_when_the_stream_ends(self):
        p = harness.start(["sh", "-c", "echo booting; echo done"], stdin="")
        with self.assertRaisesRegex(AssertionError, r"no line matching 'ready' on stdout of sh .*'booting', 'done'"):
            p.wait_for_line("out", "ready")

    def test_wait_kills_after_the_deadline(self):
        p = harness.start(["sleep", "30"])
        with self.assertRaisesRegex(AssertionError, r"still running after 0.2s"):
            p.wait(0.2)
        self.assertEqual(p.proc.returncode, -9)

    def test_kill_takes_the_process_group(self):
        p = harness.start(["sh", "-c", "sleep 30 & echo $!; wait"])
        child = int(p.wait_for_line("out", lambda l: l != ""))
        p.kill()
        harness.wait_for(lambda: gone(child), "the child to die")

    def test_serve_reads_addresses_from_either_stream(self):
        s = harness.serve(["sh", "-c", "echo 'Listening on 127.0.0.1 5' >&2; echo 'Bound on ::1 6' >&2; sleep 30"],
                          listeners=2, stream="err")
        self.assertEqual(s.addresses, ["127.0.0.1:5", "[::1]:6"])
        s.kill()
        p = harness.start(["sh", "-c", "echo one; echo two; echo one"], stdin="")
        p.wait(5)
        self.assertEqual(p.lines("out"), ["one", "two", "one"])
        self.assertEqual(p.wait_for_line("out", "o", skip=1), "two")

    def test_small_helpers(self):
        self.assertEqual(harness.shell_code(-15), 143)
        self.assertEqual(harness.shell_code(3), 3)
        self.assertEqual(harness.port_of("127.0.0.1:8080"), "8080")
        self.assertEqual(harness.port_of("Listening on ::1 9"), "9")
        self.assertEqual(harness.test_bytes(64, 1), harness.test_bytes(64, 1))
        self.assertNotEqual(harness.test_bytes(64, 1), harness.test_bytes(64, 2))
        self.assertTrue(os.path.exists(harness.runfile("lib/testing/harness.py")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
