"""peer.py: small real peers for nc's end-to-end tests, on Python's socket module.

Each mode binds 127.0.0.1 (or ::1 with --v6) port 0, prints
"listening on ADDR:PORT" on stdout, serves one client (or datagrams) and exits.

  hold            accept, read and discard, never close (until killed)
  reply-after-eof read until EOF, wait --delay seconds, send --data, close
  send-close      accept, send --data, close
  stream          accept, send endless data until the client goes away
  udp-echo        echo every datagram back to its sender, forever
  sink            accept, read until EOF, print "got N bytes sha256 HEX" on stdout
"""
import argparse
import hashlib
import socket
import struct
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("--v6", action="store_true")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--data", default="")
    a = p.parse_args()
    family = socket.AF_INET6 if a.v6 else socket.AF_INET
    host = "::1" if a.v6 else "127.0.0.1"
    kind = socket.SOCK_DGRAM if a.mode == "udp-echo" else socket.SOCK_STREAM
    s = socket.socket(family, kind)
    s.bind((host, 0))
    port = s.getsockname()[1]
    shown = f"[{host}]:{port}" if a.v6 else f"{host}:{port}"
    if kind == socket.SOCK_DGRAM:
        print(f"listening on {shown}", flush=True)
        while True:
            data, addr = s.recvfrom(65536)
            s.sendto(data, addr)
    s.listen(16)
    print(f"listening on {shown}", flush=True)
    c, _ = s.accept()
    if a.mode == "hold":
        while c.recv(65536):
            pass
        time.sleep(3600)
    elif a.mode == "reply-after-eof":
        while c.recv(65536):
            pass
        time.sleep(a.delay)
        c.sendall(a.data.encode())
        c.close()
    elif a.mode == "send-close":
        c.sendall(a.data.encode())
        c.close()
    elif a.mode == "send-rst":
        c.sendall(a.data.encode())
        time.sleep(a.delay)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    elif a.mode == "stream":
        chunk = b"y" * 65536
        try:
            while True:
                c.sendall(chunk)
        except OSError:
            pass
    elif a.mode == "sink":
        h = hashlib.sha256()
        n = 0
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
        print(f"got {n} bytes sha256 {h.hexdigest()}", flush=True)
    else:
        sys.exit(f"unknown mode {a.mode}")


if __name__ == "__main__":
    main()
