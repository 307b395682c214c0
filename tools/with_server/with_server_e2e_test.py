"""with_server end to end: readiness of every kind (and its failure within
the deadline, with the log's tail), servers in order with references to
earlier ones, crashes and unclean stops that fail the run, variables, exit
codes, logs, SIGTERM then SIGKILL, signal forwarding.

Servers are real: echod, relay, nc, netcat-openbsd, `python3 -m http.server`
and small shell scripts that misbehave on purpose.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

import harness  # noqa: E402

W = harness.runfile("tools/with_server/with_server")
ECHOD = harness.runfile("tools/echod/echod")
NC = harness.runfile("tools/nc/nc")
RELAY = harness.runfile("tools/relay/relay")
CERTS = harness.runfile("testdata/tls")

warnings.simplefilter("ignore", ResourceWarning)
OUT = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR") or tempfile.mkdtemp()
os.makedirs(OUT, exist_ok=True)
HTTP = f"{sys.executable} -u -m http.server"


def ws(*args, timeout=30):
    """Runs with_server with `args` and returns (code, stdout, stderr) as text."""
    code, out, err = harness.run([W] + list(args), deadline=timeout, env={"TEST_UNDECLARED_OUTPUTS_DIR": OUT})
    return code, out.decode(), err.decode()


def sh(script):
    return ["--", "bash", "-c", script, "_", NC]


class Basics(unittest.TestCase):
    def test_two_listeners_a_port_file_and_the_commands_status(self):
        code, out, err = ws("--server", f"ECHO:2={ECHOD} -l 127.0.0.1:0 -U {{tmpdir}}/e.sock",
                            "--server", f"NC={NC} -l 127.0.0.1 0 --port-file {{port_file}}", "--may-exit", "NC",
                            *sh('echo tcp | "$1" -N "$ECHO_HOST" "$ECHO_PORT"; echo unix | "$1" -U -N "$ECHO_SOCKET_1";'
                                'echo to-nc | "$1" -N 127.0.0.1 "$NC_PORT"; echo "[$ECHO_ADDR_0][$NC_ADDR]"; exit 7'))
        self.assertEqual(code, 7, err)
        self.assertIn("tcp\nunix\n", out)
        self.assertRegex(out, r"\[127\.0\.0\.1:\d+\]\[127\.0\.0\.1:\d+\]")
        self.assertIn("to-nc", open(os.path.join(OUT, "NC.log")).read())

    def test_netcat_openbsd_readiness_lines(self):
        code, out, err = ws("--server", f"TCP={NC} -lkvn 127.0.0.1 0", "--server", f"UDP={NC} -lukvn ::1 0",
                            "--server", "OBSD=nc.openbsd -lkvn 127.0.0.1 0",
                            "--server", f"UNIX={NC} -lkvU {{tmpdir}}/n.sock",
                            *sh('echo "[$TCP_ADDR][$UDP_HOST][$OBSD_HOST][$UNIX_SOCKET]"'))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^\[127\.0\.0\.1:\d+\]\[::1\]\[127\.0\.0\.1\]\[/.*/n\.sock\]")

    def test_log_dir_and_verbose(self):
        logs = tempfile.mkdtemp()
        code, out, err = ws("-v", "--log-dir", logs, "--server", f"ECHO={ECHOD} -l 127.0.0.1:0", "--", "true")
        self.assertEqual(code, 0, err)
        self.assertIn("listening on", open(os.path.join(logs, "ECHO.log")).read())
        self.assertIn(f"with_server: ECHO_LOG={logs}/ECHO.log", err)

    def test_a_signalled_command_is_128_plus_n(self):
        code, out, err = ws("--server", f"ECHO={ECHOD} -l 127.0.0.1:0", "--", "bash", "-c", "kill -TERM $$")
        self.assertEqual(code, 143)

    def test_usage_errors(self):
        for args, message in [
            (["--server", "echo=x", "--", "true"], "with_server: --server 'echo=x': NAME must be [A-Z][A-Z0-9_]*"),
            (["--server", "E=x"], "with_server: missing command after --"),
            (["--server", "E=x", "--ready-log", "F=y", "--", "true"], "with_server: --ready-log 'F=y': no --server F"),
            (["--server", "E=x", "--ready-log", "E=(", "--", "true"], "with_server: --ready-log 'E=(': bad pattern '('"),
            (["--server", "E=x", "--ready-http", "E=health", "--", "true"],
             "with_server: --ready-http 'E=health': PATH must start with /"),
            (["--server", "E=x {port}", "--socket-activation", "E", "--", "true"],
             "with_server: --socket-activation E: with_server listens for it"),
            # References to a later or unknown server passed through literally (issue 27).
            (["--server", "A=x {B_ADDR}", "--server", "B=y", "--", "true"],
             "with_server: --server A: {B_ADDR} names B, which starts after A (servers start in the order given)"),
            (["--server", "A=x", "--server", "B=sh:y {C_PORT}", "--", "true"],
             "with_server: --server B: {C_PORT} names no server"),
        ]:
            code, out, err = ws(*args)
            self.assertEqual(code, 2, args)
            self.assertIn(message, err)


class Readiness(unittest.TestCase):
    def test_a_ready_log_line_before_the_port_listens_is_confirmed(self):
        # mosquitto prints "Opening ipv4 listen socket on port N" before it
        # listens; a connect confirms the port before the command runs.
        early = f"sh:echo opening port {{port}}; sleep 0.5; exec {NC} -lk 127.0.0.1 {{port}}"
        code, out, err = ws("--server", f"S={early}", "--ready-log", r"S=opening port (\d+)",
                            *sh('echo hi | "$1" -N 127.0.0.1 "$S_PORT" && echo sent'))
        self.assertEqual(code, 0, err)
        self.assertIn("sent", out)

    def test_a_listening_line_without_an_address_keeps_waiting_and_is_quoted(self):
        # "listening on port 8080" names no address: with_server does not
        # take "port" for one; it waits, and its timeout quotes the line.
        code, out, err = ws("--ready-timeout", "500ms", "--server", "P=sh:echo 'listening on port 8080'; exec sleep 30",
                            "--", "true")
        self.assertEqual(code, 125, err)
        self.assertIn("P not ready after 500ms (saw 0 of 1 'listening on' lines; passed over 'listening on port 8080', "
                      "which names no address: give --ready-log)", err)

    def test_socat_debug_lines_name_the_family_first(self):
        # socat -d -d: "listening on AF=2 0.0.0.0:PORT" (issue 27: "AF=2" was
        # taken for the address and the run failed with 1).
        code, out, err = ws("--server", "S=socat -d -d TCP-LISTEN:0,bind=127.0.0.1,fork,reuseaddr SYSTEM:cat",
                            "--server", "U=socat -d -d UNIX-LISTEN:{tmpdir}/s.sock,fork SYSTEM:cat",
                            *sh('echo tcp | "$1" -N "$S_HOST" "$S_PORT"; echo unix | "$1" -U -N "$U_SOCKET";'
                                'echo "[$S_ADDR]"'))
        self.assertEqual(code, 0, err)
        self.assertIn("tcp\nunix\n", out)
        self.assertRegex(out, r"\[127\.0\.0\.1:\d+\]")

    def test_port_placeholder_and_http_readiness_with_http_server(self):
        code, out, err = ws("--server", f"HTTP={HTTP} {{port}} --bind 127.0.0.1", "--ready-http", "HTTP=/",
                            *sh('printf "GET / HTTP/1.0\\r\\n\\r\\n" | "$1" -N "$HTTP_HOST" "$HTTP_PORT" | head -1'))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^HTTP/1\.0 200 OK")

    def test_ready_log_reads_the_port_from_http_servers_own_words(self):
        code, out, err = ws("--server", f"HTTP={HTTP} 0 --bind 127.0.0.1",
                            "--ready-log", r"HTTP=Serving HTTP on .* port (\d+)",
                            *sh('echo "$HTTP_ADDR"; printf "GET / HTTP/1.0\\r\\n\\r\\n" | "$1" -N "$HTTP_HOST" '
                                '"$HTTP_PORT" | head -1'))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^127\.0\.0\.1:\d+\nHTTP/1\.0 200 OK")

    def test_socket_activation_hands_echod_its_socket(self):
        code, out, err = ws("--server", f"ECHO={ECHOD}", "--socket-activation", "ECHO",
                            *sh('echo activated | "$1" -N "$ECHO_HOST" "$ECHO_PORT"'))
        self.assertEqual((code, out), (0, "activated\n"), err)

    def test_a_bare_port_in_a_port_file_takes_the_bind_address(self):
        code, out, err = ws("--server", f"ECHO={ECHOD} -l [::1]:0 --port-file {{port_file}}",
                            *sh('echo "$ECHO_HOST $ECHO_ADDR"; echo v6 | "$1" -N "$ECHO_HOST" "$ECHO_PORT"'))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^::1 \[::1\]:\d+\nv6\n$")

    def assert_not_ready(self, args, name, missing):
        """`args` never become ready: 125 within the deadline, saying what was missing, with the log's tail."""
        start = time.monotonic()
        code, out, err = ws("--ready-timeout", "500ms", *args, "--", "true")
        took = time.monotonic() - start
        self.assertEqual(code, 125, err)
        self.assertIn(f"with_server: {name} not ready after 500ms ({missing}", err)
        self.assertIn("  | tail of the log", err)
        self.assertLess(took, 5)

    def test_each_kind_fails_within_the_deadline(self):
        quiet = "sh:echo tail of the log; exec sleep 30"
        self.assert_not_ready(["--server", f"S={quiet}"], "S", "saw 0 of 1 'listening on' lines")
        self.assert_not_ready(["--server", "S=sh:: {port_file}; echo tail of the log; exec sleep 30"], "S",
                              "saw 0 of 1 lines in its port file")
        self.assert_not_ready(["--server", "S=sh:: {port}; echo tail of the log; exec sleep 30"], "S",
                              "nothing accepted connections on 127.0.0.1:")
        self.assert_not_ready(["--server", f"S={quiet}", "--ready-log", r"S=port (\d+)"], "S",
                              "no log line matched 'port (\\d+)'")
        http = f"sh:echo tail of the log; exec {HTTP} {{port}} --bind 127.0.0.1"
        self.assert_not_ready(["--server", f"S={http}", "--ready-http", "S=/missing"], "S",
                              "GET /missing on 127.0.0.1:")

    def test_exit_before_ready_shows_the_log(self):
        code, out, err = ws("--server", f"BAD={ECHOD} -l nonsense", "--", "true")
        self.assertEqual(code, 125)
        # Under Bazel the log is named where the user finds it once the sandbox is gone.
        self.assertIn("with_server: BAD exited with status 2 before it was ready; log: bazel-testlogs/tools/"
                      f"with_server/with_server_e2e_test/test.outputs/BAD.log (or in outputs.zip there; now at "
                      f"{OUT}/BAD.log)", err)
        self.assertIn("  | echod: invalid listener 'nonsense'", err)


class OrderAndFailures(unittest.TestCase):
    def test_later_servers_use_earlier_ones_variables(self):
        # A TLS relay in front of a plain echod, declared after it.
        certs = CERTS
        code, out, err = ws("-v", "--server", f"ECHO={ECHOD} -l 127.0.0.1:0",
                            "--server", f"TLS={RELAY} tls:127.0.0.1:0 {{ECHO_ADDR}} --cert {certs}/server.pem "
                                        f"--key {certs}/server.key",
                            *sh(f'echo through-tls | "$1" --ssl --ssl-trustfile {certs}/ca.pem --ssl-servername '
                                f'localhost -N "$TLS_HOST" "$TLS_PORT"'))
        self.assertEqual((code, out), (0, "through-tls\n"), err)
        started = re.findall(r"with_server: started (\w+)", err)
        self.assertEqual(started, ["ECHO", "TLS"])

    def test_servers_stop_in_reverse_order(self):
        log = os.path.join(tempfile.mkdtemp(), "order")
        script = "trap 'echo {n} stopped >> " + log + "; exit 0' TERM; echo listening on 127.0.0.1:{p}; " \
                 "while :; do sleep 0.02; done"
        code, out, err = ws("--server", "A=sh:" + script.format(n="A", p=1),
                            "--server", "B=sh:" + script.format(n="B", p=2), "--", "true")
        self.assertEqual(code, 0, err)
        self.assertEqual(open(log).read(), "B stopped\nA stopped\n")

    def test_a_crash_while_the_command_runs_fails_the_run(self):
        crash = "sh:echo listening on 127.0.0.1:1; sleep 0.3; echo dying; exit 3"
        start = time.monotonic()
        code, out, err = ws("--server", f"FLAKY={crash}", "--", "sleep", "20")
        self.assertEqual(code, 125, err)
        self.assertLess(time.monotonic() - start, 10)
        self.assertIn("with_server: FLAKY exited with status 3 while the command ran; log: ", err)
        self.assertIn("  | dying", err)
        code, out, err = ws("--server", f"FLAKY={crash}", "--may-exit", "FLAKY", "--", "sleep", "0.6")
        self.assertEqual(code, 0, err)
        # Without --log-dir or a test's outputs directory, the log named is
        # kept (issue 27: it was in a temporary directory deleted at exit).
        code, out, err = harness.run([W, "--server", f"FLAKY={crash}", "--", "sleep", "20"], deadline=30,
                                     env={"TEST_UNDECLARED_OUTPUTS_DIR": ""})
        self.assertEqual(code, 125, err)
        log = re.search(r"; log: (\S+)", err.decode()).group(1)
        self.assertIn("dying", open(log).read())

    def test_a_server_that_forks_into_the_background_is_stopped_and_named(self):
        # redis-server --daemonize yes: the process exits 0 and its daemon
        # listens (issue 27: exit 125 with no hint, the daemon left running).
        code, out, err = ws("--server", "R=redis-server --port {port} --save '' --daemonize yes", "--", "true")
        self.assertEqual(code, 125, err)
        # Whether its exit or its port is seen first, the daemon is named,
        # stopped, and the flag to keep it in the foreground given.
        self.assertRegex(err, r"pid \d+ \(redis-server [^)]*\)[^\n]*Keep (the server|servers) in the foreground: "
                              r"redis-server: --daemonize no")
        code, out, err = ws("--server", "R=redis-server --port {port} --save '' --daemonize no",
                            "--", "sh", "-c", 'redis-cli -p "$R_PORT" ping')
        self.assertEqual((code, out), (0, "PONG\n"), err)
        # nginx without "daemon off;": its master leaves; with --may-exit the
        # run used to pass and leak master and workers.
        conf = ("pid {tmpdir}/nginx.pid; error_log {tmpdir}/error.log; events {} "
                "http { access_log off; client_body_temp_path {tmpdir}/b; proxy_temp_path {tmpdir}/p; "
                "fastcgi_temp_path {tmpdir}/f; uwsgi_temp_path {tmpdir}/u; scgi_temp_path {tmpdir}/s; "
                "server { listen 127.0.0.1:{port}; return 200 ok; } }")
        nginx = f"sh:echo '{conf}' > {{tmpdir}}/n.conf && exec nginx -p {{tmpdir}} -c {{tmpdir}}/n.conf"
        # The command waits until nginx has daemonized (its master writes the pid file).
        wait_pid = 'while [ ! -s "$WITH_SERVER_TMPDIR/nginx.pid" ]; do sleep 0.01; done'
        code, out, err = ws("--server", f"N={nginx}", "--may-exit", "N", "--", "sh", "-c", wait_pid)
        self.assertEqual(code, 125, err)
        self.assertRegex(err, r"pid \d+ \(nginx[^)]*\)[^\n]*Keep (the server|servers) in the "
                              r"foreground: nginx: -g 'daemon off;'")
        code, out, err = ws("--server", f"N={nginx} -g 'daemon off;'", *sh('"$1" -z 127.0.0.1 "$N_PORT" && echo open'))
        self.assertEqual((code, out), (0, "open\n"), err)

    def test_what_the_command_leaves_running_is_stopped(self):
        # A server crash stops the command as a group: its `sleep 300`
        # (issue 27: left running) goes with it.
        d = tempfile.mkdtemp()

        def gone(pid):
            try:
                return open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
            except FileNotFoundError:
                return True
        code, out, err = ws("--server", f"E={ECHOD} -l 127.0.0.1:0", "--",
                            "sh", "-c", f'sleep 300 & echo $! > {d}/bg; kill -SEGV "$E_PID"; wait')
        self.assertEqual(code, 125, err)
        pid = int(open(f"{d}/bg").read())
        harness.wait_for(lambda: gone(pid), "the command's background sleep to end")
        # A job that leaves the command's group (setsid) is adopted, named and stopped.
        code, out, err = ws("--server", f"E={ECHOD} -l 127.0.0.1:0", "--",
                            "sh", "-c", f'setsid sleep 300 & echo $! > {d}/bg2; '
                            'until [ "$(tr "\\0" " " < /proc/$!/cmdline)" = "sleep 300 " ]; do sleep 0.01; done')
        self.assertEqual(code, 0, err)
        pid = int(open(f"{d}/bg2").read())
        self.assertIn(f"with_server: stopped pid {pid} (sleep 300), left running by the command", err)
        harness.wait_for(lambda: gone(pid), "the setsid sleep to end")

    def test_sigkill_of_with_server_takes_its_servers(self):
        # A hard test timeout SIGKILLs with_server; its servers get SIGTERM
        # (a parent-death signal) instead of outliving it.
        d = tempfile.mkdtemp()
        p = harness.start([W, "--server", f"E={ECHOD} -l 127.0.0.1:0", "--", "sh", "-c",
                           f'echo "$E_PID" > {d}/pid; exec sleep 300'])
        harness.wait_for(lambda: os.path.exists(f"{d}/pid") and os.path.getsize(f"{d}/pid") > 0, "E's pid")
        pid = int(open(f"{d}/pid").read())
        p.signal(signal.SIGKILL)
        p.wait()

        def gone(pid):
            try:
                return open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
            except FileNotFoundError:
                return True
        harness.wait_for(lambda: gone(pid), "the server to end with with_server")
        # The command (exec'd sleep) got its SIGTERM too: the file's leak check would see it otherwise.

    def test_an_unclean_stop_fails_a_passing_run(self):
        unclean = "sh:trap 'echo sanitizer report; exit 23' TERM; echo listening on 127.0.0.1:1; " \
                  "while :; do sleep 0.02; done"
        code, out, err = ws("--server", f"LEAKY={unclean}", "--", "true")
        self.assertEqual(code, 125, err)
        self.assertIn("with_server: error: LEAKY exited with status 23 after SIGTERM; log: ", err)
        self.assertIn("  | sanitizer report", err)
        code, out, err = ws("--server", f"LEAKY={unclean}", "--", "false")
        self.assertEqual(code, 1, err)  # The command's own failure stays its status.
        code, out, err = ws("--server", f"LEAKY={unclean}", "--allow-unclean-stop", "LEAKY", "--", "true")
        self.assertEqual(code, 0, err)

    def test_a_server_that_ignores_sigterm_is_killed_after_grace(self):
        pidfile = os.path.join(tempfile.mkdtemp(), "pid")
        stubborn = "sh:trap '' TERM; echo listening on 127.0.0.1:1; tail -f /dev/null"
        code, out, err = ws("--grace", "200ms", "--server", f"STUBBORN={stubborn}",
                            "--", "bash", "-c", f"echo $STUBBORN_PID > {pidfile}")
        self.assertEqual(code, 125, err)
        self.assertIn("with_server: error: STUBBORN did not stop within 200ms of SIGTERM: killed", err)
        pid = int(open(pidfile).read())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)
        code, out, err = ws("--grace", "200ms", "--server", f"STUBBORN={stubborn}",
                            "--allow-unclean-stop", "STUBBORN", "--", "true")
        self.assertEqual(code, 0, err)

    def test_sigterm_reaches_the_command(self):
        p = subprocess.Popen([W, "--server", f"ECHO={ECHOD} -l 127.0.0.1:0", "--", "bash", "-c",
                              'trap "kill %1; exit 42" TERM; echo ready; tail -f /dev/null & wait'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.stdout.readline(), b"ready\n")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 42)


if __name__ == "__main__":
    unittest.main(verbosity=2)
