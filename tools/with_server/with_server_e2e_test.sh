#!/bin/bash
# with_server end to end: environment, exit codes, readiness failures within
# the deadline, SIGTERM then SIGKILL, logs, signal forwarding.
set -uo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
W="$here/tools/with_server/with_server"
ECHOD="$here/tools/echod/echod"
NC="$here/tools/nc/nc"
fail=0
check() {  # NAME WANT GOT
  if [[ "$2" != "$3" ]]; then echo "FAIL: $1: want [$2] got [$3]"; fail=1; else echo "ok: $1"; fi
}
contains() {  # NAME NEEDLE HAYSTACK
  if [[ "$3" != *"$2"* ]]; then echo "FAIL: $1: [$2] not in [$3]"; fail=1; else echo "ok: $1"; fi
}
export TEST_UNDECLARED_OUTPUTS_DIR="$TEST_TMPDIR/outputs"
mkdir -p "$TEST_UNDECLARED_OUTPUTS_DIR"

# Two listeners, a port-file server, variables, and the command's status.
out=$("$W" --server "ECHO:2=$ECHOD -l 127.0.0.1:0 -U {tmpdir}/e.sock" \
           --server "NC=$NC -l 127.0.0.1 0 --port-file {port_file}" -- \
      bash -c 'echo tcp | "$1" -N "$ECHO_HOST" "$ECHO_PORT"; echo unix | "$1" -U -N "$ECHO_SOCKET_1";
               echo to-nc | "$1" -N 127.0.0.1 "$NC_PORT"; echo "[$ECHO_ADDR_0][$NC_ADDR]"; exit 7' _ "$NC" 2>&1)
code=$?
check "command status passes through" 7 "$code"
contains "tcp echo" "tcp" "$out"
contains "unix echo" "unix" "$out"
[[ "$out" =~ \[127\.0\.0\.1:[0-9]+\]\[127\.0\.0\.1:[0-9]+\] ]] && echo "ok: addresses" || { echo "FAIL: addresses: $out"; fail=1; }
contains "nc's log kept in the outputs dir" "to-nc" "$(cat "$TEST_UNDECLARED_OUTPUTS_DIR/NC.log")"

# netcat-openbsd's readiness lines (nc -lv, nc.openbsd -lv): "Listening on HOST PORT",
# "Bound on HOST PORT" for UDP; a Unix listener's "Bound on" + "Listening on" count once.
out=$("$W" --server "TCP=$NC -lkvn 127.0.0.1 0" --server "UDP=$NC -lukvn ::1 0" \
           --server "OBSD=nc.openbsd -lkvn 127.0.0.1 0" --server "UNIX=$NC -lkvU {tmpdir}/n.sock" -- \
      bash -c 'echo "[$TCP_ADDR][$UDP_HOST][$OBSD_HOST][$UNIX_SOCKET]"; echo hi | "$1" -N "$TCP_HOST" "$TCP_PORT"' _ "$NC" 2>&1)
[[ "$out" =~ ^\[127\.0\.0\.1:[0-9]+\]\[::1\]\[127\.0\.0\.1\]\[/.*/n\.sock\] ]] && echo "ok: nc -lv readiness" ||
  { echo "FAIL: nc -lv readiness: $out"; fail=1; }

# --log-dir and -v: logs where asked, the exported variables on stderr.
mkdir -p "$TEST_TMPDIR/logs"
msg=$("$W" -v --log-dir "$TEST_TMPDIR/logs" --server "ECHO=$ECHOD -l 127.0.0.1:0" -- true 2>&1)
check "log dir" "listening on" "$(grep -o 'listening on' "$TEST_TMPDIR/logs/ECHO.log")"
contains "-v prints the variables" "with_server: ECHO_LOG=$TEST_TMPDIR/logs/ECHO.log" "$msg"

# A command killed by a signal: 128+n.
"$W" --server "ECHO=$ECHOD -l 127.0.0.1:0" -- bash -c 'kill -TERM $$' 2>/dev/null
check "signaled command" 143 "$?"

# Never ready: a clear message within the deadline, exit 125.
start=$(date +%s%N)
msg=$("$W" --ready-timeout 300ms --server "SILENT=sh:exec tail -f /dev/null" -- true 2>&1)
code=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
check "not ready exits 125" 125 "$code"
contains "not ready message" "with_server: SILENT not ready after 300ms (saw 0 of 1 'listening on' lines); log: " "$msg"
(( took < 3000 )) && echo "ok: failed within the deadline (${took}ms)" || { echo "FAIL: took ${took}ms"; fail=1; }

# Exits before ready: the log's end is shown.
msg=$("$W" --server "BAD=$ECHOD -l nonsense" -- true 2>&1)
check "early exit is 125" 125 "$?"
contains "early exit message" "with_server: BAD exited with status 2 before it was ready; log: $TEST_UNDECLARED_OUTPUTS_DIR/BAD.log" "$msg"
contains "log tail" "  | echod: invalid listener 'nonsense'" "$msg"

# A server that ignores SIGTERM is killed after --grace, and nothing is left.
script='trap "" TERM; echo "listening on 127.0.0.1:1"; tail -f /dev/null'
msg=$("$W" --grace 200ms --server "STUBBORN=sh:$script" -- bash -c 'echo $STUBBORN_PID > '"$TEST_TMPDIR/pid" 2>&1)
check "stubborn: command status" 0 "$?"
contains "stubborn killed" "with_server: STUBBORN did not stop within 200ms of SIGTERM: killed" "$msg"
pid=$(cat "$TEST_TMPDIR/pid")
kill -0 "$pid" 2>/dev/null && { echo "FAIL: server $pid still running"; fail=1; } || echo "ok: server reaped"

# SIGTERM to with_server reaches the command, which decides how to end.
# Readiness is the command's "ready" line, read with a deadline.
coproc FWD { exec "$W" --server "ECHO=$ECHOD -l 127.0.0.1:0" -- \
  bash -c 'trap "kill %1; exit 42" TERM; echo ready; tail -f /dev/null & wait'; }
wpid=$FWD_PID
exec {fwd_out}<&"${FWD[0]}"
read -t 10 -r line <&"$fwd_out"
check "command ready" ready "$line"
kill -TERM "$wpid"
wait "$wpid"
check "forwarded SIGTERM" 42 "$?"

# Usage errors.
msg=$("$W" --server "echo=x" -- true 2>&1)
check "usage exit" 2 "$?"
contains "usage message" "with_server: --server 'echo=x': NAME must be [A-Z][A-Z0-9_]*" "$msg"
msg=$("$W" --server "E=x" 2>&1)
contains "missing command" "with_server: missing command after --" "$msg"
exit $fail
