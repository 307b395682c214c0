#!/usr/bin/env bash
# bench/sigtest: signal round-trip latency between two processes, in one run:
# `sigtest latency`, a plain C sigwaitinfo ping-pong (the reference), and the
# same ping-pong in Python. Prints p50/p99 and sigtest's ratios.
#   bazel run -c opt //bench:sigtest -- [--iterations=20000]
set -euo pipefail
n=20000
for arg in "$@"; do
  case "$arg" in
    --iterations=*) n=${arg#*=} ;;
    *) echo "bench/sigtest: unknown argument $arg" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
find_bin() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -x "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/sigtest: cannot find $1" >&2; exit 1
}
SIGTEST=$(find_bin tools/sigtest/sigtest)
REF=$(find_bin bench/sigwait_pingpong)

read -r ours_p50 ours_p99 < <("$SIGTEST" latency -n "$n" --json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["p50_us"], r["p99_us"])')
read -r ref_p50 ref_p99 < <("$REF" "$n")
read -r py_p50 py_p99 < <(python3 - "$n" <<'PY'
import os, signal, sys, time
n = int(sys.argv[1])
sigs = {signal.SIGUSR1, signal.SIGUSR2}
signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
parent = os.getpid()
child = os.fork()
if child == 0:
    for _ in range(n):
        signal.sigwaitinfo(sigs)
        os.kill(parent, signal.SIGUSR2)
    os._exit(0)
rtt = []
for _ in range(n):
    t0 = time.perf_counter_ns()
    os.kill(child, signal.SIGUSR1)
    signal.sigwaitinfo(sigs)
    rtt.append(time.perf_counter_ns() - t0)
os.waitpid(child, 0)
rtt.sort()
print("%.2f %.2f" % (rtt[n // 2] / 1e3, rtt[n * 99 // 100] / 1e3))
PY
)
printf '%-22s %10s %10s\n' "round trip ($n)" "p50 us" "p99 us"
printf '%-22s %10s %10s\n' "sigtest latency" "$ours_p50" "$ours_p99"
printf '%-22s %10s %10s\n' "C sigwait reference" "$ref_p50" "$ref_p99"
printf '%-22s %10s %10s\n' "Python sigwaitinfo" "$py_p50" "$py_p99"
awk -v o="$ours_p50" -v r="$ref_p50" -v p="$py_p50" \
  'BEGIN {printf "sigtest p50 / C reference: %.2fx (lower is better); Python / sigtest: %.2fx\n", o / r, p / o}'
