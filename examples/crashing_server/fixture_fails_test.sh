#!/bin/bash
# fixture_fails_test: the fixture's own test. A server that crashes while
# the test command runs must fail the run (with_server's 125), with the
# reason and the server's last log lines on stderr, and must not wait for
# the command to finish by itself.
set -uo pipefail
with_server=$1
server=$2
start=$(date +%s%N)
err=$("$with_server" --server "CRASHY=$server" -- sleep 30 2>&1 >/dev/null)
code=$?
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
fail=0
[[ $code == 125 ]] || { echo "FAIL: want exit 125, got $code"; fail=1; }
[[ $err == *"with_server: CRASHY was killed by signal 11"*"while the command ran; log: "* ]] ||
  { echo "FAIL: no crash report in: $err"; fail=1; }
[[ $err == *"  | about to crash: lost the connection table"* ]] || { echo "FAIL: no log tail in: $err"; fail=1; }
(( took_ms < 10000 )) || { echo "FAIL: took ${took_ms}ms: the command was not stopped"; fail=1; }
(( fail == 0 )) && echo "ok: a crash failed the run in ${took_ms}ms: $err"
exit $fail
