"""The end-to-end harness: what every end-to-end test of ipckit uses.

The contract: servers bind port 0 and announce where ("listening on ADDR",
or netcat-openbsd's "Listening on HOST PORT" / "Bound on HOST PORT"); every
wait has a deadline; nothing sleeps for a fixed time; every process started
runs in a group of its own and is killed after its test (TestCase). Peers
(ssl, socket servers) live in the test's process or are started beside the
tools through these helpers.

Every end-to-end test is a Python unittest declared with ipckit_e2e_test
(lib/testing/e2e.bzl), which runs it through run_e2e.sh with this directory
on sys.path; tools and test data are found with runfile():

    import harness
    ECHOD = harness.runfile("tools/echod/echod")
    server = harness.serve([ECHOD, "-l", "127.0.0.1:0"], listeners=1)
    ... server.addresses[0], server.port() ...
    server.stop()

    p = harness.start([NC, "-lv", "127.0.0.1", "0"])   # a Proc: out, err, wait, ...
    port = harness.port_of(p.wait_for_listening("err"))
"""

import atexit
import os
import random
import re
import select
import signal
import socket
import subprocess
import threading
import time
import unittest

DEADLINE = 10.0  # Seconds any one wait may take.

# The readiness lines of lib/net/listening_line.h: ipckit's "listening on
# ADDR" anywhere in a line, netcat-openbsd's "Listening on HOST PORT",
# "Bound on HOST PORT" or "... on PATH" at its start.
_IPCKIT = re.compile(rb"listening on (\S+)")
_OPENBSD = re.compile(rb"^(?:Listening|Bound) on (\S+)(?: (\d+))?$")


def listening_address(line):
    """The address a readiness line announces ("127.0.0.1:40123", "[::1]:8",
    a path), or None."""
    line = line.rstrip(b"\n")
    m = _IPCKIT.search(line)
    if m:
        return m.group(1).decode()
    m = _OPENBSD.match(line)
    if not m:
        return None
    host = m.group(1).decode()
    if not m.group(2):
        return host  # A socket path.
    return f"[{host}]:{m.group(2).decode()}" if ":" in host else f"{host}:{m.group(2).decode()}"


def listening_transport(line):
    """The transport an ipckit readiness line names in parentheses ("tcp",
    "udp", "unix+tls"), or None."""
    m = re.search(rb"listening on \S+ \((\S+)\)", line)
    return m.group(1).decode() if m else None


def run(argv, stdin=b"", deadline=DEADLINE, env=None, text=False):
    """Runs `argv` to completion with `stdin` and returns (code, stdout, stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    if text and isinstance(stdin, bytes):
        stdin = stdin.decode()
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=deadline, env=e, text=text)
    return p.returncode, p.stdout, p.stderr


def wait_for(cond, what, deadline=DEADLINE):
    """Polls `cond` until it returns something true (returned), or raises
    AssertionError naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline}s waiting for {what}")
        time.sleep(0.01)


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port that was free a moment ago, for peers that cannot bind port 0
    and say which they got (ncat, socat). Another process may take it: use
    wait_connectable, and retry."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_connectable(port, proc, host="127.0.0.1", deadline=DEADLINE):
    """Waits until a TCP connect to `port` succeeds (True), or `proc` exits
    or the deadline passes (False)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def runfile(path):
    """The absolute path of `path` (relative to the workspace root) in the
    test's runfiles; outside Bazel, relative to this checkout."""
    root = os.environ.get("TEST_SRCDIR")
    if root:
        return os.path.join(root, os.environ.get("TEST_WORKSPACE", "ipckit"), path)
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", path)


def test_bytes(n, seed=0):
    """`n` reproducible pseudo-random bytes for `seed` (each seed its own)."""
    return random.Random(seed).randbytes(n)


def recv_all(sock):
    """Reads `sock` (a socket, or an ssl socket) until EOF and returns the bytes."""
    out = b""
    while True:
        b = sock.recv(1 << 20)
        if not b:
            return out
        out += b


def shell_code(returncode):
    """A Popen return code as the shell reports it: 128+N for death by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def port_of(text):
    """The port at the end of "ADDR:PORT" or "... PORT", as a string."""
    return re.split(r"[: ]", text.rstrip())[-1]


class Proc:
    """A started process (in a process group of its own) whose stdout and stderr are collected as they come
    (so neither pipe ever fills), as a test drives a tool: write to its
    stdin, close it, wait for a line with a deadline, signal it, wait for its
    exit with a deadline. `out` and `err` are what it printed so far (text,
    undecodable bytes replaced); `out_bytes` the raw stdout."""

    def __init__(self, argv, stdin=subprocess.PIPE, cwd=None, env=None):
        e = None
        if env is not None:
            e = dict(os.environ)
            e.update(env)
        self.argv = argv
        # In a process group of its own: the group
        # can be signalled, and kill() takes the children it left too.
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=cwd, env=e, bufsize=0, process_group=0)
        self.pid = self.proc.pid
        self.addresses, self.transports = [], []  # Set by serve().
        _LIVE.append(self)
        self._buf = {"out": bytearray(), "err": bytearray()}
        self._cond = threading.Condition()
        self._open = 2
        self._writer = None
        for name, pipe in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._collect, args=(name, pipe), daemon=True).start()

    def _collect(self, name, pipe):
        while True:
            chunk = os.read(pipe.fileno(), 1 << 20)
            with self._cond:
                if not chunk:
                    pipe.close()  # A test that starts many processes does not run out of descriptors.
                    self._open -= 1
                    self._cond.notify_all()
                    return
                self._buf[name] += chunk
                self._cond.notify_all()

    @property
    def out_bytes(self):
        with self._cond:
            return bytes(self._buf["out"])

    @property
    def out(self):
        return self.out_bytes.decode(errors="replace")

    @property
    def err(self):
        with self._cond:
            return bytes(self._buf["err"]).decode(errors="replace")

    def write(self, data, close=False):
        """Writes `data` to stdin from a thread (a big input never blocks the
        test), then closes stdin if `close`."""
        if isinstance(data, str):
            data = data.encode()

        def feed():
            try:
                if data:
                    self.proc.stdin.write(data)
                if close:
                    self.proc.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
        self._writer = threading.Thread(target=feed, daemon=True)
        self._writer.start()

    def close_stdin(self):
        self.write(b"", close=True)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def end_by_signal(self, sig, deadline=DEADLINE):
        """Sends `sig` and returns wait()'s exit code. Under ThreadSanitizer
        (--config=tsan sets TSAN_OPTIONS) it sends `sig` again each second
        until the process ends: GCC 12's libtsan does not mark poll, accept
        and the like as blocking calls, so a signal that comes as the process
        enters one is held back until the call returns, which an idle
        listener's never does (fixed upstream by llvm-project PR 77789). Any
        other build is held to one signal."""
        self.signal(sig)
        if "TSAN_OPTIONS" in os.environ:
            end = time.monotonic() + deadline
            while time.monotonic() < end:
                try:
                    self.proc.wait(timeout=1)
                    break
                except subprocess.TimeoutExpired:
                    self.signal(sig)
        return self.wait(deadline)

    def wait(self, deadline=DEADLINE):
        """The exit code (negative: the signal that ended it) once the process
        has exited and its output is all read; kills it and raises
        AssertionError after `deadline` seconds."""
        try:
            self.proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.argv} still running after {deadline}s; "
                                 f"out {self.out[-500:]!r} err {self.err[-500:]!r}")
        with self._cond:
            self._cond.wait_for(lambda: self._open == 0, timeout=deadline)
        return self.proc.returncode

    def lines(self, stream):
        """The complete lines of `stream` ("out" or "err") so far, without newlines."""
        with self._cond:
            return bytes(self._buf[stream]).decode(errors="replace").split("\n")[:-1]

    def wait_for_line(self, stream, match, deadline=DEADLINE, skip=0):
        """The first complete line of `stream` ("out" or "err"), after the
        first `skip` (lines already seen), that contains `match` (a string)
        or for which `match` (a function) is true, without its newline;
        raises AssertionError naming what was seen after `deadline` seconds
        or once the stream ends."""
        test = match if callable(match) else (lambda l: match in l)
        end = time.monotonic() + deadline
        with self._cond:
            while True:
                lines = bytes(self._buf[stream]).decode(errors="replace").split("\n")[:-1]
                for line in lines[skip:]:
                    if test(line):
                        return line
                left = end - time.monotonic()
                if left <= 0 or (self._open == 0 and self.proc.poll() is not None):
                    raise AssertionError(f"no line matching {match!r} on std{stream} of {self.argv[0]} "
                                         f"within {deadline}s; it printed {lines[-5:]!r}")
                self._cond.wait(timeout=min(left, 0.1))

    def wait_for_listening(self, stream, deadline=DEADLINE):
        """The address in the first readiness line (either dialect) on `stream`."""
        line = self.wait_for_line(stream, lambda l: listening_address(l.encode()) is not None, deadline)
        return listening_address(line.encode())

    def port(self, i=0):
        """The port of the i-th address serve() read."""
        return int(self.addresses[i].rsplit(":", 1)[1])

    def stop(self, sig=None, deadline=DEADLINE):
        """Sends `sig` (SIGTERM by default) if it still runs, waits (within the
        deadline) and returns (exit code, stderr text)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM if sig is None else sig)
        return self.wait(deadline), self.err

    def kill(self):
        """Kills its process group (what it started too) and reaps it."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()


def fresh_certificate(case, days=90):
    """Makes a self-signed ECDSA P-256 certificate for localhost and
    127.0.0.1, valid `days` from now, in a folder removed after `case`;
    returns (certificate path, key path). Mozilla's TLS policies judge a
    certificate's lifespan (366 days at most for intermediate), and the
    committed test certificates (testdata/tls) live a century."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp()
    case.addCleanup(shutil.rmtree, d)
    pem, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", pem, "-days", str(days), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=DEADLINE)
    return pem, key


def openssl_handshake(port, *flags, host="127.0.0.1"):
    """The suite `openssl s_client -connect HOST:PORT FLAGS` negotiates (e.g.
    "ECDHE-ECDSA-AES128-GCM-SHA256"), or None when the handshake fails.
    Old versions need "-cipher DEFAULT:@SECLEVEL=0" in FLAGS: Debian's
    OpenSSL refuses them on its own side otherwise."""
    p = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}"] + list(flags), input=b"",
                       capture_output=True, timeout=DEADLINE)
    m = re.search(rb"Cipher is (\S+)", p.stdout)
    return m.group(1).decode() if p.returncode == 0 and m and m.group(1) != b"(NONE)" else None


# LEGACY_CLIENTS: openssl s_client flags of clients below Mozilla's
# "intermediate" profile (TLS 1.0, TLS 1.1, TLS 1.2 with CBC suites), which a
# default ipckit TLS listener refuses and one with --tls-legacy accepts.
LEGACY_CLIENTS = [
    ("-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"),
    ("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"),
    ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0"),
]


_LIVE = []
atexit.register(lambda: [p.kill() for p in _LIVE])  # Nothing a failed test started outlives it.


def serve(argv, listeners=1, stream="out", deadline=DEADLINE, cwd=None):
    """Starts `argv` as a Proc and waits (one deadline) for `listeners`
    readiness lines on `stream`; their addresses (and the transports ipckit's
    lines name, else None) are in `.addresses` and `.transports`, in order.
    Raises RuntimeError with its output, after killing it, if they do not
    come."""
    p = Proc(argv, cwd=cwd)
    found = []

    def enough(_):
        found[:] = [l for l in p.lines(stream) if listening_address(l.encode())]
        return len(found) >= listeners
    try:
        p.wait_for_line(stream, enough, deadline)
    except AssertionError:
        p.kill()
        raise RuntimeError(f"{argv[0]} did not announce {listeners} listener(s) within {deadline}s: "
                           f"stdout {p.out[-500:]!r} stderr {p.err[-500:]!r}") from None
    p.addresses = [listening_address(l.encode()) for l in found[:listeners]]
    p.transports = [listening_transport(l.encode()) for l in found[:listeners]]
    return p


# MARK is the environment variable that marks every process a test starts:
# run_e2e.sh sets it for the test file, TestCase narrows it per test, and
# every child inherits it (daemons, grandchildren, a double fork), so what a
# test leaves running is found in /proc whatever it became.
MARK = "IPCKIT_E2E_MARK"


def marked(mark, exact=False):
    """[(pid, command line)] of live processes whose environment carries
    MARK=`mark` (or, unless `exact`, a per-test mark below it), other than
    this process and its ancestors."""
    ours = set()
    pid = os.getpid()
    while pid > 1:
        ours.add(pid)
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    found = []
    want = f"{MARK}={mark}".encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in ours:
            continue
        try:
            env = open(f"/proc/{name}/environ", "rb").read().split(b"\0")
            state = open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()[0]
            cmd = open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # Gone meanwhile, or not ours to read.
        if state == "Z":
            continue
        if any(e == want or (not exact and e.startswith(want + b"/")) for e in env):
            found.append((int(name), cmd))
    return found


def kill_leaks(mark, grace=3.0, exact=False):
    """Waits up to `grace` seconds for the processes marked `mark` to end,
    then SIGKILLs those left and returns them ([(pid, command line)])."""
    end = time.monotonic() + grace
    while True:
        left = marked(mark, exact)
        if not left or time.monotonic() >= end:
            break
        time.sleep(0.05)
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def leak_check_main(mark):
    """run_e2e.sh's check after a test file: 0, or 1 having listed (and
    killed) what it left running."""
    left = kill_leaks(mark)
    for pid, cmd in left:
        print(f"leak check: left running after the test: pid {pid}: {cmd}", flush=True)
    return 1 if left else 0


class TestCase(unittest.TestCase):
    """A unittest.TestCase that kills, after each test, every Proc the test
    started and left running (a failed assertion never leaves a server up
    for the next test), and then fails the test if any other process it
    started (a daemon, a grandchild) is still alive: each test runs under a
    mark of its own (MARK), which its processes inherit."""

    _count = 0

    def setUp(self):
        mark = len(_LIVE)
        base = os.environ.get(MARK, f"pid{os.getpid()}").split("/")[0]
        TestCase._count += 1
        mine = f"{base}/{TestCase._count}"
        os.environ[MARK] = mine
        self.addCleanup(self._check_leaks, mine, base)
        self.addCleanup(lambda: stop_all(_LIVE[mark:]))

    def _check_leaks(self, mine, base):
        os.environ[MARK] = base
        left = kill_leaks(mine, exact=True)
        self.assertEqual(left, [], "the test left these running (now killed)")


def start(argv, stdin=None, cwd=None, env=None):
    """Starts `argv` as a Proc. With `stdin` (bytes or str) it is written and
    stdin closed; without, stdin stays an open pipe (write/close_stdin)."""
    p = Proc(argv, cwd=cwd, env=env)
    if stdin is not None:
        p.write(stdin, close=True)
    return p


def stop_all(procs):
    """Kills what is still running among `procs` (a test's cleanup)."""
    for p in procs:
        p.kill()
