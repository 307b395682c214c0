#!/usr/bin/env bash
# nc_throughput: bytes through a TCP connection on loopback, client ->
# listener, for ipckit's nc and its peers in the same run: netcat-openbsd,
# ncat and socat, each with its default settings. Input comes from a pipe
# (stream_check gen) and output goes to a pipe (stream_check check), which
# verifies every byte. Prints MB/s per tool and ipckit's ratio to the best peer.
#
#   bazel run -c opt //bench:nc_throughput -- [--bytes=2G] [--runs=3] [--tools=LIST]
#
# Each run starts a listener on a free port (found by binding port 0), waits
# until /proc/net/tcp shows it listening (connecting would use up a one-shot
# listener), and times from the client's start to the listener's exit. The
# best of --runs runs counts. Exit status 1 if any byte differs.
set -euo pipefail

bytes=2G
runs=3
tools="ipckit,nc.openbsd,ncat,socat"
bench=nc_throughput
for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit/bench" "${TEST_SRCDIR:-/nonexistent}/ipckit/bench" "$(dirname "$0")"; do
  [[ -f $d/nc_peers.sh ]] && { source "$d/nc_peers.sh"; break; }
done
bench_args 2,14 bytes runs tools -- "$@"
NC=$(find_bin tools/nc/nc)
CHECK=$(find_bin bench/stream_check)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null || true' EXIT

run_one() {  # TOOL -> prints seconds
  local tool=$1 port
  port=$(free_port)
  $(listener_cmd "$tool" "$port") | "$CHECK" check "$bytes" &
  local lpid=$!
  wait_listening "$tool" "$port" || return 1
  local start end
  start=$(date +%s.%N)
  "$CHECK" gen "$bytes" | $(client_cmd "$tool" "$port")
  if ! wait "$lpid"; then echo "nc_throughput: $tool: data check FAILED" >&2; return 1; fi
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.3f\n", $2 - $1}'
}

size_bytes=$(size_bytes "$bytes")

printf '%-12s %10s %10s  %s\n' tool "MB/s" "best s" "runs (s)"
declare -A rate
IFS=, read -r -a list <<<"$tools"
check_tools "${list[@]}"
for tool in "${list[@]}"; do
  times=()
  for ((i = 0; i < runs; i++)); do times+=("$(run_one "$tool")"); done
  best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  rate[$tool]=$(awk -v b="$size_bytes" -v t="$best" 'BEGIN {printf "%.0f", b / t / 1e6}')
  printf '%-12s %10s %10s  %s\n' "$tool" "${rate[$tool]}" "$best" "${times[*]}"
done

if [[ -n ${rate[ipckit]:-} ]]; then
  best_peer=""; best_rate=0
  for tool in "${list[@]}"; do
    [[ $tool == ipckit ]] && continue
    if (( ${rate[$tool]} > best_rate )); then best_rate=${rate[$tool]}; best_peer=$tool; fi
  done
  if [[ -n $best_peer ]]; then
    awk -v a="${rate[ipckit]}" -v b="$best_rate" -v p="$best_peer" \
      'BEGIN {printf "ipckit / best peer (%s): %.2fx\n", p, a / b}'
  fi
fi
