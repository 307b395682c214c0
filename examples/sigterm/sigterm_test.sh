#!/bin/bash
# sigterm_test: a daemon's SIGTERM handling, checked with `sigtest run`.
# Readiness is the daemon's "ready" line, read with a deadline; no sleeps.
set -uo pipefail
sigtest=$1 daemon=$2 stubborn=$3

# 1. SIGTERM to sigtest is forwarded to the daemon's group; the daemon
#    cleans up and exits 0, which sigtest reports and exits with.
coproc RUN { exec "$sigtest" run -- "$daemon" 2>&1; }
pid=$RUN_PID
exec {out}<&"${RUN[0]}"
read -t 10 -r line <&"$out" || { echo "FAIL: no ready line"; exit 1; }
[[ "$line" == "daemon: ready" ]] || { echo "FAIL: [$line]"; exit 1; }
kill -TERM "$pid"
rest=$(timeout 10 cat <&"$out")
wait "$pid"
code=$?
[[ $code == 0 ]] || { echo "FAIL: exit $code: $rest"; exit 1; }
[[ "$rest" == $'daemon: clean shutdown\nsigtest: exit=0' ]] || { echo "FAIL: output [$rest]"; exit 1; }

# 2. A daemon that ignores SIGTERM: --timeout sends TERM, --kill-after
#    escalates to KILL, and sigtest says so (exit 137, as timeout(1)).
out2=$("$sigtest" run --timeout 200ms --kill-after 200ms -- "$stubborn" 2>&1)
code=$?
[[ $code == 137 ]] || { echo "FAIL: stubborn exit $code: $out2"; exit 1; }
[[ "$out2" == *"stubborn: ready"* && "$out2" == *"sigtest: timeout=200ms signal=KILL"* ]] ||
  { echo "FAIL: stubborn output [$out2]"; exit 1; }
echo "sigterm_test: OK"
