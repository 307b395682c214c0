#!/bin/bash
# crashing_server.sh: a server that says it listens, serves a moment, and
# then crashes (SIGSEGV), as a buggy server under test would.
echo "listening on 127.0.0.1:1 (tcp)"
sleep 0.3
echo "about to crash: lost the connection table"
kill -SEGV $$
