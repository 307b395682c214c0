"""nc end to end, against itself and real peers: Debian's netcat-openbsd
(nc.openbsd), ncat, socat and Python's socket module (tools/nc/testdata/peer.py
and in-process sockets)."""

import array
import hashlib
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness

NC = harness.runfile("tools/nc/nc")
PEER = harness.runfile("tools/nc/testdata/peer.py")
DEADLINE = 20


def sha256(data):
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def peer(*args):
    """Starts testdata/peer.py in a mode: (Proc, port)."""
    p = harness.serve([sys.executable, PEER] + list(args), deadline=DEADLINE)
    return p, harness.port_of(p.addresses[0])


def nc_listener(*extra, host="127.0.0.1"):
    """Starts our nc -lv with `extra` flags on HOST port 0: (Proc, port from its -v line)."""
    p = harness.serve([NC, "-lv"] + list(extra) + [host, "0"], stream="err", deadline=DEADLINE)
    return p, harness.port_of(p.addresses[0])


def spawn(argv, stdin="", close_stdin=True):
    """Starts `argv` with `stdin`, closed after it unless `close_stdin` is false."""
    p = harness.start(argv)
    p.write(stdin, close=close_stdin)
    return p


def free_tcp_port(host="127.0.0.1"):
    """A port nothing listens on (bound, then released)."""
    return str(harness.free_port(host=host))


class NcE2eTest(harness.TestCase):
    def test_bulk_from_openbsd_nc_to_our_listener(self):
        data = harness.test_bytes(16 << 20)
        listener, port = nc_listener("-v")
        client = spawn(["nc.openbsd", "-N", "127.0.0.1", port], data)
        self.assertEqual(client.wait(DEADLINE), 0)
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertEqual(len(listener.out_bytes), len(data))
        self.assertEqual(sha256(listener.out_bytes), sha256(data))
        self.assertIn(f"received {len(data)} bytes", listener.err)

    def test_bulk_from_our_client_to_openbsd_nc_listener(self):
        data = harness.test_bytes(16 << 20)
        server = harness.start(["nc.openbsd", "-lv", "127.0.0.1", "0"])
        port = harness.port_of(server.wait_for_line("err", "Listening on"))
        client = spawn([NC, "-N", "127.0.0.1", port], data)
        self.assertEqual(client.wait(DEADLINE), 0)
        self.assertEqual(server.wait(DEADLINE), 0)
        self.assertEqual(sha256(server.out_bytes), sha256(data))

    def test_bulk_to_python_sink_and_back_from_socat(self):
        data = harness.test_bytes(8 << 20)
        sink, port = peer("sink")
        client = spawn([NC, "-N", "127.0.0.1", port], data)
        self.assertEqual(client.wait(DEADLINE), 0)
        self.assertEqual(sink.wait_for_line("out", "got"), f"got {len(data)} bytes sha256 {sha256(data)}")
        # socat sends to our listener; our stdout must match byte for byte.
        listener, lport = nc_listener()
        s = spawn(["socat", "-u", "-", f"TCP:127.0.0.1:{lport}"], data)
        self.assertEqual(s.wait(DEADLINE), 0)
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertEqual(sha256(listener.out_bytes), sha256(data))

    def test_half_close_request_gets_delayed_reply(self):
        _, port = peer("reply-after-eof", "--delay", "0.3", "--data", "the reply\n")
        nc = spawn([NC, "-N", "127.0.0.1", port], "request\n")
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertEqual(nc.out, "the reply\n")

    def test_quit_is_a_hard_deadline_against_a_peer_that_holds(self):
        _, port = peer("hold")
        start = time.monotonic()
        nc = spawn([NC, "-q", "0.3", "127.0.0.1", port], "data")
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_peer_close_ends_client_while_stdin_stays_open(self):
        _, port = peer("send-close", "--data", "bye\n")
        nc = spawn([NC, "127.0.0.1", port], close_stdin=False)
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertEqual(nc.out, "bye\n")

    def test_peer_reset_is_an_error_not_an_end(self):
        _, port = peer("send-rst", "--delay", "0.2", "--data", "partial\n")
        nc = spawn([NC, "127.0.0.1", port], close_stdin=False)
        self.assertEqual(nc.wait(DEADLINE), 1)
        self.assertEqual(nc.out, "partial\n")
        self.assertEqual(nc.err, "nc: read net: Connection reset by peer\n")

    def test_dev_null_stdin_works_in_both_modes(self):
        _, port = peer("send-close", "--data", "x")
        nc = spawn(["sh", "-c", f"{NC} 127.0.0.1 {port} </dev/null"])
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertEqual(nc.out, "x")
        # A listener with closed stdin serves a client who sends and closes.
        l = harness.serve(["sh", "-c", f"{NC} -lv 127.0.0.1 0 <&-"], stream="err")
        c = spawn(["nc.openbsd", "-N", "127.0.0.1", harness.port_of(l.addresses[0])], "hi")
        self.assertEqual(c.wait(DEADLINE), 0)
        self.assertEqual(l.wait(DEADLINE), 0)
        self.assertEqual(l.out, "hi")

    def test_refused_connection_exits_one_with_message(self):
        port = free_tcp_port()
        nc = spawn([NC, "127.0.0.1", port])
        self.assertEqual(nc.wait(DEADLINE), 1)
        self.assertEqual(nc.err, f"nc: connect to 127.0.0.1 port {port} (tcp) failed: Connection refused\n")

    def test_wait_for_gives_up_with_exit_three_after_the_deadline(self):
        port = free_tcp_port()
        start = time.monotonic()
        nc = spawn([NC, "-z", "--wait-for", "400ms", "127.0.0.1", port])
        self.assertEqual(nc.wait(DEADLINE), 3)
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        self.assertEqual(nc.err, f"nc: 127.0.0.1 port {port} (tcp) not open after 400ms (last: Connection refused)\n")

    def test_wait_for_bounds_each_try_when_syns_are_dropped(self):
        # A full accept queue drops SYNs: one connect would wait for the
        # kernel's retries (2+ minutes; issue 27: 135 s for --wait-for 5s).
        l = socket.socket()
        l.bind(("127.0.0.1", 0))
        l.listen(0)
        port = l.getsockname()[1]
        fillers = []
        for _ in range(3):  # Past the backlog; none is accepted.
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", port))
            fillers.append(f)
        try:
            start = time.monotonic()
            nc = spawn([NC, "-z", "--wait-for", "1s", "127.0.0.1", str(port)])
            self.assertEqual(nc.wait(DEADLINE), 3, nc.err)
            self.assertLess(time.monotonic() - start, 4)
            self.assertRegex(nc.err, rf"^nc: 127.0.0.1 port {port} \(tcp\) not open after 1s \(last: timed out\)\n$")
        finally:
            for f in fillers:
                f.close()
            l.close()

    def test_wait_for_connects_once_the_server_comes_up(self):
        port = free_tcp_port()
        nc = spawn(["sh", "-c", f"echo late hello | {NC} -N --wait-for 10s 127.0.0.1 {port}"])
        time.sleep(0.3)  # Test pacing: the server starts late on purpose.
        with socket.create_server(("127.0.0.1", int(port))) as late:
            late.settimeout(DEADLINE)
            c, _ = late.accept()
            c.settimeout(DEADLINE)
            got = b""
            while True:
                b = c.recv(100)
                if not b:
                    break
                got += b
            self.assertEqual(got, b"late hello\n")
            c.shutdown(socket.SHUT_WR)
            self.assertEqual(nc.wait(DEADLINE), 0)
            c.close()

    def test_connect_timeout_against_full_accept_queue_exits_three(self):
        l = socket.socket()
        l.bind(("127.0.0.1", 0))
        l.listen(0)
        port = l.getsockname()[1]
        fillers = []
        for _ in range(16):
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                break
            fillers.append(s)
        nc = spawn([NC, "-w", "300ms", "127.0.0.1", str(port)])
        self.assertEqual(nc.wait(DEADLINE), 3)
        self.assertEqual(nc.err, f"nc: connect to 127.0.0.1 port {port} (tcp) timed out: Operation now in progress\n")
        l.close()

    def test_scan_over_twenty_ports(self):
        open_ = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
        ports = [str(s.getsockname()[1]) for s in open_] + [free_tcp_port() for _ in range(18)]
        nc = spawn([NC, "-zv", "-r", "127.0.0.1", ",".join(ports)])
        self.assertEqual(nc.wait(DEADLINE), 0)
        for i, p in enumerate(ports):
            self.assertIn(f"Connection to 127.0.0.1 {p} port [tcp/*] succeeded!\n" if i < 2 else
                          f"nc: connect to 127.0.0.1 port {p} (tcp) failed: Connection refused\n", nc.err)
        # All closed: exit 1, and without -v nothing on stderr (as netcat-openbsd).
        none = spawn([NC, "-z", "127.0.0.1", ",".join(ports[2:])])
        self.assertEqual(none.wait(DEADLINE), 1)
        self.assertEqual(none.err, "")

    def test_udp_scan_reports_icmp_refusal_as_closed(self):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        open_port = str(u.getsockname()[1])
        closed_port = str(harness.free_port(socket.SOCK_DGRAM))
        nc = spawn([NC, "-uzv", "-w", "500ms", "127.0.0.1", f"{open_port},{closed_port}"])
        self.assertEqual(nc.wait(DEADLINE), 0)
        # netcat-openbsd's words for the open port; the closed one is reported at -vv only.
        self.assertEqual(nc.err, f"Connection to 127.0.0.1 {open_port} port [udp/*] succeeded!\n")
        vv = spawn([NC, "-uzvv", "-w", "500ms", "127.0.0.1", f"{open_port},{closed_port}"])
        self.assertEqual(vv.wait(DEADLINE), 0)
        self.assertIn(f"nc: connect to 127.0.0.1 port {closed_port} (udp) failed: Connection refused\n", vv.err)

    def test_udp_echo_over_ipv4_and_ipv6(self):
        for v6 in (False, True):
            _, port = peer("udp-echo", *(["--v6"] if v6 else []))
            nc = spawn([NC, "-u", "-w", "500ms", "::1" if v6 else "127.0.0.1", port], "ping\n")
            self.assertEqual(nc.wait(DEADLINE), 0)
            self.assertEqual(nc.out, "ping\n", "v6" if v6 else "v4")

    def test_udp_datagram_boundaries_up_to_65507_bytes(self):
        _, port = peer("udp-echo")
        big = harness.test_bytes(65507)
        nc = spawn([NC, "-u", "-w", "500ms", "127.0.0.1", port], big)
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertEqual(sha256(nc.out_bytes), sha256(big))

    def test_udp_listener_keeps_serving_three_peers(self):
        listener, port = nc_listener("-uk")
        for i in range(3):
            c = spawn(["socat", "-u", "-", f"UDP-SENDTO:127.0.0.1:{port}"], f"peer{i}\n")
            self.assertEqual(c.wait(DEADLINE), 0)
            listener.wait_for_line("out", f"peer{i}")

    def test_udp_listener_accounts_for_every_datagram(self):
        # 50 senders x 100 datagrams into one nc -k -u -l: every datagram is on
        # stdout, whole (senders pace themselves; -I gives the socket room).
        listener, port = nc_listener("-uk", "-I", "4M")
        senders, each = 50, 100

        def send(s):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.connect(("127.0.0.1", int(port)))
                for i in range(each):
                    u.send(f"s{s}-{i}\n".encode())
                    time.sleep(0.001)
        threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        harness.wait_for(lambda: listener.out.count("\n") >= senders * each, "5000 lines", DEADLINE)
        lines = listener.out.split("\n")[:-1]
        self.assertEqual(len(lines), senders * each)
        self.assertEqual(set(lines), {f"s{s}-{i}" for s in range(senders) for i in range(each)})

    def test_exec_keep_listening_serves_twenty_clients_at_once(self):
        # nc -lk --sh-exec serves 20 clients at once, each with its own child and
        # its own bytes back, EOF relayed both ways (issue: one client, ever).
        _, port = nc_listener("-k", "--sh-exec", "cat")
        base = harness.test_bytes(32 << 10)
        errors = []

        def client(i):
            try:
                mine = base[i * 512:]
                with socket.create_connection(("127.0.0.1", int(port)), timeout=DEADLINE) as s:
                    s.sendall(mine)
                    s.shutdown(socket.SHUT_WR)
                    back = b""
                    while True:
                        b = s.recv(1 << 16)
                        if not b:
                            break
                        back += b
                if back != mine:
                    errors.append(f"client {i}: {len(back)} bytes back")
            except OSError as e:
                errors.append(f"client {i}: {e}")
        threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_keep_listening_serves_clients_one_after_another(self):
        listener, port = nc_listener("-k")
        listener.close_stdin()  # stdin EOF must not stop a -k listener.
        for who in ("first", "second", "third"):
            c = spawn(["ncat", "--send-only", "127.0.0.1", port], f"{who}\n")
            self.assertEqual(c.wait(DEADLINE), 0)
            self.assertEqual(listener.wait_for_line("out", who), who)

    def test_broken_stdout_exits_promptly(self):
        _, port = peer("stream")
        sh = spawn(["bash", "-c", f"{NC} 127.0.0.1 {port} </dev/null | head -c 10 >/dev/null; "
                    "echo rc=${PIPESTATUS[0]} >&2"])
        self.assertEqual(sh.wait(DEADLINE), 0)
        self.assertEqual(sh.err, "nc: write stdout: Broken pipe\nrc=1\n")

    def test_full_disk_stdout_is_an_error_not_a_hang(self):
        _, port = peer("stream")
        sh = spawn(["bash", "-c", f"{NC} 127.0.0.1 {port} </dev/null >/dev/full; echo rc=$? >&2"])
        self.assertEqual(sh.wait(DEADLINE), 0)
        self.assertEqual(sh.err, "nc: write stdout: No space left on device\nrc=1\n")

    def test_unix_stream_with_socat_and_live_path_safety(self):
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            path = f"{d}/nc.sock"
            l = harness.serve([NC, "-lvU", path], stream="err")
            self.assertEqual(l.addresses[0], path)
            # A second listener must not steal the live path.
            thief = spawn([NC, "-lU", path])
            self.assertEqual(thief.wait(DEADLINE), 1)
            self.assertEqual(thief.err, f"nc: listen {path}: a server is already listening there\n")
            c = spawn(["socat", "-", f"UNIX-CONNECT:{path}"], "over unix\n")
            self.assertEqual(c.wait(DEADLINE), 0)
            self.assertEqual(l.wait(DEADLINE), 0)
            self.assertEqual(l.out, "over unix\n")
            self.assertFalse(os.path.lexists(path), "socket path left behind")

    def test_exec_children_end_with_their_session_as_a_group(self):
        # An idle timeout ends the session: the --sh-exec child's group goes
        # (sh and its background sleep) instead of holding nc (issue 27).
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            listener, port = nc_listener("--idle-timeout", "500ms", "--sh-exec",
                                         f"sleep 30 & echo $! > {d}/bg; echo $$ > {d}/sh; wait")
            client = socket.create_connection(("127.0.0.1", int(port)), timeout=DEADLINE)
            harness.wait_for(lambda: os.path.exists(f"{d}/sh") and os.path.getsize(f"{d}/sh") > 0, "the child's pids")
            pids = [int(open(f"{d}/{n}").read()) for n in ("bg", "sh")]
            start = time.monotonic()
            self.assertEqual(listener.wait(DEADLINE), 1, listener.err)  # ncat's exit for --idle-timeout.
            self.assertLess(time.monotonic() - start, 5)

            def gone(pid):
                try:
                    return open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
                except FileNotFoundError:
                    return True
            harness.wait_for(lambda: all(gone(p) for p in pids), "sh and its sleep to end")
            client.close()

    def test_a_unix_listener_killed_by_a_signal_removes_its_path(self):
        # The README says the listener removes its path when it exits; a
        # signal is how -lUu (and often -lU) ends (issue 27: the file stayed).
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            for flags in ("-lvU", "-luvU"):
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    with self.subTest(flags=flags, sig=sig):
                        path = f"{d}/s.sock"
                        l = harness.serve([NC, flags, path], stream="err")
                        self.assertTrue(os.path.lexists(path))
                        self.assertIn(l.end_by_signal(sig), (-sig, 128 + sig))
                        self.assertFalse(os.path.lexists(path), "socket path left behind")

    def test_unix_datagram_and_abstract(self):
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            path = f"{d}/d.sock"
            l = harness.serve([NC, "-luvU", path], stream="err")
            c = spawn(["socat", "-u", "-", f"UNIX-SENDTO:{path}"], "dgram\n")
            self.assertEqual(c.wait(DEADLINE), 0)
            l.wait_for_line("out", "dgram")
        name = f"@ipckit-nc-{os.getpid()}"
        al = harness.serve([NC, "-lvU", name], stream="err")
        self.assertEqual(al.addresses[0], name)
        ac = spawn([NC, "-NU", name], "abstract\n")
        self.assertEqual(ac.wait(DEADLINE), 0)
        self.assertEqual(al.wait(DEADLINE), 0)
        self.assertEqual(al.out, "abstract\n")

    def test_unix_datagram_client_binds_a_private_path_and_removes_it(self):
        # A Unix datagram client binds a private path so that replies reach it
        # (netcat-openbsd's recv.sock); the path is 0600 and goes when nc ends,
        # also by a signal. With -s PATH it binds that path instead.
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            server = f"{d}/srv.sock"
            echo = harness.start(["socat", f"UNIX-RECVFROM:{server},fork", "EXEC:cat"])
            harness.wait_for(lambda: os.path.exists(server), f"{server} ({echo.err})")
            c = spawn([NC, "-uUv", "-w", "1", server], "reply to me")
            self.assertEqual(c.wait(DEADLINE), 0)
            self.assertEqual(c.out, "reply to me")
            self.assertTrue(c.err.startswith("Bound on "), c.err)
            mine = c.err[9:c.err.index("\n")]
            self.assertFalse(os.path.lexists(mine), f"{mine} left behind")

            # Ended by SIGTERM while it waits: the path and its directory go, and
            # the signal is what ends it.
            held = harness.start([NC, "-uUv", server])
            path = held.wait_for_line("err", "Bound on ")[9:]
            self.assertEqual(stat.S_IMODE(os.lstat(path).st_mode), 0o600)
            held.signal(signal.SIGTERM)
            self.assertEqual(held.wait(DEADLINE), -signal.SIGTERM)
            self.assertFalse(os.path.lexists(path), f"{path} left behind")
            self.assertFalse(os.path.lexists(os.path.dirname(path)), "directory left behind")

            # -s PATH names the client's path.
            named = f"{d}/me.sock"
            s = spawn([NC, "-uU", "-w", "1", "-s", named, server], "named")
            self.assertEqual(s.wait(DEADLINE), 0)
            self.assertEqual(s.out, "named")
            self.assertFalse(os.path.lexists(named), f"{named} left behind")

    def test_source_address_port_and_crlf(self):
        listener, port = nc_listener()
        sport = free_tcp_port("127.0.0.2")
        c = spawn([NC, "-C", "-N", "-s", "127.0.0.2", "-p", sport, "127.0.0.1", port], "a\nb\n")
        self.assertEqual(c.wait(DEADLINE), 0)
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertEqual(listener.out, "a\r\nb\r\n")
        self.assertIn(f"Connection received on 127.0.0.2 {sport}\n", listener.err)

    def test_exec_relays_eof_both_ways_without_losing_the_last_bytes(self):
        listener, port = nc_listener("-v", "--sh-exec", "tr a-z A-Z; echo last words")
        c = spawn(["nc.openbsd", "-N", "127.0.0.1", port], "hello\n")
        self.assertEqual(c.wait(DEADLINE), 0)
        self.assertEqual(c.out, "HELLO\nlast words\n")
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertIn("exited with status 0", listener.err)

    def test_exec_as_client(self):
        _, port = peer("reply-after-eof", "--data", "pong")
        c = spawn([NC, "--exec", "echo ping", "127.0.0.1", port])
        self.assertEqual(c.wait(DEADLINE), 0)

    def test_send_only_and_recv_only(self):
        _, port = peer("send-close", "--data", "incoming")
        r = spawn([NC, "--recv-only", "127.0.0.1", port], "never sent", close_stdin=False)
        self.assertEqual(r.wait(DEADLINE), 0)
        self.assertEqual(r.out, "incoming")
        sink, sport = peer("sink")
        s = spawn([NC, "--send-only", "-N", "127.0.0.1", sport], "outgoing")
        self.assertEqual(s.wait(DEADLINE), 0)
        self.assertEqual(sink.wait_for_line("out", "got"), f"got 8 bytes sha256 {sha256('outgoing')}")

    def test_port_file_and_usage_errors(self):
        with tempfile.TemporaryDirectory() as d:
            pf = f"{d}/port"
            l = harness.start([NC, "-l", "127.0.0.1", "0", "--port-file", pf])
            port = harness.wait_for(lambda: os.path.exists(pf) and open(pf).read().endswith("\n")
                                    and open(pf).read().strip(), "the port file")
            c = spawn(["nc.openbsd", "-N", "127.0.0.1", port], "via port file")
            self.assertEqual(c.wait(DEADLINE), 0)
            self.assertEqual(l.wait(DEADLINE), 0)
            self.assertEqual(l.out, "via port file")
        bad = spawn([NC, "-e", "/bin/sh", "host", "1"])
        self.assertEqual(bad.wait(DEADLINE), 2)
        self.assertEqual(bad.err, "nc: -e is not supported: it means 'exec' only in some netcats; use --exec CMD or "
                                  "--sh-exec CMD\nTry 'nc --help'.\n")

    def test_pass_fd_hands_the_connected_socket_to_stdout(self):
        sink, port = peer("sink")
        # The test receives the descriptor nc -F passes over its stdout (a
        # socketpair, so not a Proc), and uses it.
        a, b = socket.socketpair()
        nc = subprocess.Popen([NC, "-F", "127.0.0.1", port], stdout=b, stdin=subprocess.DEVNULL)
        b.close()
        a.settimeout(DEADLINE)
        _, anc, _, _ = a.recvmsg(1, socket.CMSG_LEN(4))
        fd = array.array("i", anc[0][2])[0]
        with socket.socket(fileno=fd) as s:
            s.sendall(b"over a passed fd")
            s.shutdown(socket.SHUT_WR)
        self.assertEqual(nc.wait(DEADLINE), 0)
        self.assertEqual(sink.wait_for_line("out", "got"), f"got 16 bytes sha256 {sha256('over a passed fd')}")

    def test_family_and_numeric_flags(self):
        listener, port = nc_listener(host="::1")
        # -4 turns localhost into 127.0.0.1 only, where nothing listens.
        v4 = spawn([NC, "-4", "localhost", port])
        self.assertEqual(v4.wait(DEADLINE), 1)
        self.assertEqual(v4.err, f"nc: connect to localhost (127.0.0.1) port {port} (tcp) failed: Connection refused\n")
        n = spawn([NC, "-n", "localhost", port])
        self.assertEqual(n.wait(DEADLINE), 1)
        self.assertEqual(n.err, f'nc: getaddrinfo for host "localhost" port {port}: Name or service not known\n')
        not6 = spawn([NC, "-6", "127.0.0.1", port])
        self.assertEqual(not6.wait(DEADLINE), 1)
        self.assertEqual(not6.err, f'nc: getaddrinfo for host "127.0.0.1" port {port}: '
                                   "Address family for hostname not supported\n")
        v6 = spawn([NC, "-6", "-N", "::1", port], "over v6")
        self.assertEqual(v6.wait(DEADLINE), 0)
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertEqual(listener.out, "over v6")

    def test_no_stdin_and_line_interval(self):
        _, port = peer("send-close", "--data", "from peer")
        d = spawn([NC, "-d", "127.0.0.1", port], "never read", close_stdin=False)
        self.assertEqual(d.wait(DEADLINE), 0)
        self.assertEqual(d.out, "from peer")
        sink, sport = peer("sink")
        start = time.monotonic()
        i = spawn([NC, "-N", "-i", "100ms", "127.0.0.1", sport], "1\n2\n3\n")
        self.assertEqual(i.wait(DEADLINE), 0)
        self.assertGreaterEqual(time.monotonic() - start, 0.2)  # Two pauses between three lines.
        self.assertEqual(sink.wait_for_line("out", "got"), "got 6 bytes sha256 " + sha256("1\n2\n3\n"))

    def test_a_silent_proxy_is_bounded_by_w_and_idle_timeout(self):
        # A proxy that accepts and never answers: the handshake is bounded
        # like the connect (-w, exit 3) or an idle session (--idle-timeout).
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = str(silent.getsockname()[1])
        try:
            for flags, code in ((["-w", "1", "-x", f"127.0.0.1:{port}"], 3),
                                (["-w", "1", "-x", f"127.0.0.1:{port}", "-X", "connect"], 3),
                                (["--idle-timeout", "1", "--proxy", f"127.0.0.1:{port}", "--proxy-type", "socks5"], 3),
                                (["--idle-timeout", "1", "--proxy", f"127.0.0.1:{port}"], 3)):
                with self.subTest(flags=flags):
                    start = time.monotonic()
                    c = spawn([NC] + flags + ["example.org", "80"])
                    self.assertEqual(c.wait(DEADLINE), code, c.err)
                    self.assertEqual(c.err, "nc: proxy: timed out\n")
                    self.assertLess(time.monotonic() - start, 5)
        finally:
            silent.close()

    def test_ncat_proxy_means_http_and_x_means_socks5(self):
        # Each proxy hears the first bytes of its protocol: "CONNECT " or SOCKS5's 0x05.
        for flags, first in ((["--proxy"], b"CONNECT "), (["-x"], b"\x05"), (["--proxy-type", "socks5", "--proxy"], b"\x05"),
                             (["-X", "connect", "-x"], b"CONNECT ")):
            with self.subTest(flags=flags):
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                s.listen(1)
                try:
                    c = spawn([NC, "-w", "5"] + flags + [f"127.0.0.1:{s.getsockname()[1]}", "example.org", "80"])
                    s.settimeout(DEADLINE)
                    conn, _ = s.accept()
                    conn.settimeout(DEADLINE)
                    got = conn.recv(len(first), socket.MSG_WAITALL)
                    conn.close()
                    self.assertEqual(got, first)
                    c.wait(DEADLINE)
                finally:
                    s.close()

    def test_ipv6_listener_refuses_ipv4_clients(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        listener, port = nc_listener("-6", host="::")
        v4 = socket.socket()
        self.assertNotEqual(v4.connect_ex(("127.0.0.1", int(port))), 0, "nc -6 -l took an IPv4 client")
        v4.close()
        v6 = socket.create_connection(("::1", int(port)), timeout=DEADLINE)
        v6.sendall(b"six\n")
        v6.close()
        self.assertEqual(listener.wait(DEADLINE), 0)
        self.assertEqual(listener.out_bytes, b"six\n")

    def test_usage_errors_for_empty_zero_and_abbreviated_values(self):
        for argv, message in ((["--exec", "", "-l", "0"], "--exec: empty value"),
                              (["--sh-exec=", "-l", "0"], "--sh-exec: empty value"),
                              (["--deny", "", "-l", "0"], "--deny: empty value"),
                              (["--idle-timeout", "0", "h", "1"], "--idle-timeout: must be more than 0"),
                              (["--proxy", "127.0.0.1:", "h", "1"], "--proxy: '127.0.0.1:' needs HOST or HOST:PORT"),
                              (["--ssl", "--ssl-verify", "--insecure", "h", "1"],
                               "cannot use --ssl-verify with --insecure"),
                              (["--ssl-verify-clien", "ca", "h", "1"], "unrecognized option '--ssl-verify-clien'"),
                              (["--hex", "127.0.0.1", "1"], "unrecognized option '--hex'")):
            with self.subTest(argv=argv):
                c = spawn([NC] + argv)
                self.assertEqual(c.wait(DEADLINE), 2)
                self.assertEqual(c.err, f"nc: {message}\nTry 'nc --help'.\n")
        # --no-shutdown cancels -N, as --help says.
        sink, port = peer("sink")
        c = spawn([NC, "-N", "--no-shutdown", "-q", "0", "127.0.0.1", port], "x")
        self.assertEqual(c.wait(DEADLINE), 0, c.err)

    def test_help_documents_every_option_and_the_state_machine(self):
        h = spawn([NC, "--help"])
        self.assertEqual(h.wait(DEADLINE), 0)
        for flag in ("-4", "-6", "-C", "-d", "-F", "-I SIZE", "-i, --interval", "-k", "-l", "-N", "-n", "-O SIZE",
                     "-p, --source-port", "-q SECS", "-r", "-s, --source", "-T, --tos", "-U", "-u", "-v",
                     "-w, --wait", "-z", "--send-only", "--recv-only", "--no-shutdown", "--keep-sending",
                     "--port-file", "--exec", "--sh-exec", "-4, --ipv4", "-6, --ipv6", "-n, --nodns",
                     "-x HOST[:PORT]", "--proxy=HOST[:PORT]", "--proxy-type", "--proxy-auth", "--delay", "--idle-timeout", "--max-conns",
                     "--allow", "--deny", "--output", "--hex-dump", "--append-output"):
            self.assertIn(flag, h.out, flag)
        self.assertIn("End of input and timers:", h.out)
        self.assertIn("3 connect timed out", h.out)
        self.assertIn("-q T implies -N", h.out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
