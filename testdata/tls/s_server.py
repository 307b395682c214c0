"""s_server.py: start `openssl s_server` on 127.0.0.1 port 0 with a test
certificate and read the bound port from its `ACCEPT 127.0.0.1:PORT` line,
with a deadline. Shared by the tlsprobe tests and bench/tlsprobe.

    proc, port = s_server.start(certs_dir, ["-tls1_3"], name="server")
"""
import os
import re
import select
import subprocess
import threading
import time


def _drain(fd):
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def start(certs, args=(), name="server", deadline=10.0):
    """Returns (Popen, port); raises RuntimeError with s_server's output if it
    does not report its port within `deadline` seconds."""
    cmd = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
           "-cert", os.path.join(certs, name + ".pem"), "-key", os.path.join(certs, name + ".key")] + list(args)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            bufsize=0)
    fd = proc.stdout.fileno()
    end = time.monotonic() + deadline
    seen = b""
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        chunk = os.read(fd, 4096) if r else b""
        if not chunk:
            break
        seen += chunk
        m = re.search(rb"ACCEPT 127\.0\.0\.1:(\d+)\n", seen)
        if m:
            # Keep draining so s_server never blocks on a full pipe.
            threading.Thread(target=_drain, args=(fd,), daemon=True).start()
            return proc, int(m.group(1))
    proc.kill()
    proc.wait()
    raise RuntimeError(f"s_server did not start: {seen!r}")


def stop(proc):
    proc.kill()
    proc.wait()
    proc.stdout.close()
