"""Tests for harness.py, run against small shell servers."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class HarnessTest(unittest.TestCase):
    def test_listening_address_dialects(self):
        self.assertEqual(harness.listening_address(b"listening on 127.0.0.1:7 (tcp)\n"), "127.0.0.1:7")
        self.assertEqual(harness.listening_address(b"echod: listening on [::1]:8"), "[::1]:8")
        self.assertEqual(harness.listening_address(b"Listening on ::1 9"), "[::1]:9")
        self.assertEqual(harness.listening_address(b"Bound on 127.0.0.1 10"), "127.0.0.1:10")
        self.assertEqual(harness.listening_address(b"listening on /tmp/e.sock (unix)"), "/tmp/e.sock")
        self.assertEqual(harness.listening_address(b"Listening on s.sock"), "s.sock")
        self.assertIsNone(harness.listening_address(b"booting"))

    def test_start_server_reads_each_line_then_stops(self):
        s = harness.start_server(["sh", "-c", "echo boot; echo listening on 127.0.0.1:7; "
                                  "echo 'Listening on ::1 8'; exec sleep 30"], listeners=2)
        self.assertEqual(s.addresses, ["127.0.0.1:7", "[::1]:8"])
        self.assertEqual(s.port(1), 8)
        self.assertEqual(s.transports, [None, None])
        code, _ = s.stop()
        self.assertEqual(code, -15)

    def test_transports_of_ipckit_lines(self):
        self.assertEqual(harness.listening_transport(b"listening on /s (unix+tls)"), "unix+tls")
        self.assertIsNone(harness.listening_transport(b"Listening on ::1 9"))

    def test_start_server_fails_with_the_output(self):
        with self.assertRaisesRegex(RuntimeError, "did not announce 1 listener"):
            harness.start_server(["sh", "-c", "echo nothing here"], deadline=5)

    def test_wait_for_has_a_deadline(self):
        self.assertEqual(harness.wait_for(lambda: 3, "three"), 3)
        with self.assertRaisesRegex(AssertionError, "waiting for never"):
            harness.wait_for(lambda: None, "never", deadline=0.05)

    def test_run(self):
        self.assertEqual(harness.run(["cat"], b"x"), (0, b"x", b""))


if __name__ == "__main__":
    unittest.main(verbosity=2)
