#!/bin/bash
# daemon.sh: a stand-in for a daemon that must shut down cleanly on SIGTERM.
trap 'echo "daemon: clean shutdown"; kill "$idle" 2>/dev/null; exit 0' TERM
echo "daemon: ready"
tail -f /dev/null &
idle=$!
wait
