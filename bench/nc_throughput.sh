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
for arg in "$@"; do
  case "$arg" in
    --bytes=*) bytes=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --tools=*) tools=${arg#*=} ;;
    -h|--help) sed -n "2,14p" "$0"; exit 0 ;;
    *) echo "nc_throughput: unknown argument $arg" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
find_bin() {  # The file in runfiles (bazel run/test) or next to this script.
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -x "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "nc_throughput: cannot find $1" >&2; exit 1
}
NC=$(find_bin tools/nc/nc)
CHECK=$(find_bin bench/stream_check)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null || true' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

listener_cmd() {  # TOOL PORT
  case "$1" in
    ipckit) echo "$NC -l 127.0.0.1 $2" ;;
    nc.openbsd) echo "nc.openbsd -l 127.0.0.1 $2" ;;
    ncat) echo "ncat -l --recv-only 127.0.0.1 $2" ;;
    socat) echo "socat -u TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr -" ;;
  esac
}
client_cmd() {  # TOOL PORT
  case "$1" in
    ipckit) echo "$NC -N 127.0.0.1 $2" ;;
    nc.openbsd) echo "nc.openbsd -N 127.0.0.1 $2" ;;
    ncat) echo "ncat --send-only 127.0.0.1 $2" ;;
    socat) echo "socat -u - TCP:127.0.0.1:$2" ;;
  esac
}

run_one() {  # TOOL -> prints seconds
  local tool=$1 port
  port=$(free_port)
  $(listener_cmd "$tool" "$port") | "$CHECK" check "$bytes" &
  local lpid=$!
  # Readiness without connecting: the port shows up in /proc/net/tcp as LISTEN (0A).
  local hexport deadline=$((SECONDS + 10))
  hexport=$(printf '%04X' "$port")
  until grep -q ":$hexport 00000000:0000 0A" /proc/net/tcp; do
    ((SECONDS < deadline)) || { echo "nc_throughput: $tool never listened" >&2; return 1; }
  done
  local start end
  start=$(date +%s.%N)
  "$CHECK" gen "$bytes" | $(client_cmd "$tool" "$port")
  if ! wait "$lpid"; then echo "nc_throughput: $tool: data check FAILED" >&2; return 1; fi
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.3f\n", $2 - $1}'
}

size_bytes=$(python3 -c "
s='$bytes'.upper().rstrip('IB').rstrip('B'); u={'K':1<<10,'M':1<<20,'G':1<<30,'T':1<<40}
print(int(s[:-1])*u[s[-1]] if s[-1] in u else int(s))")

printf '%-12s %10s %10s  %s\n' tool "MB/s" "best s" "runs (s)"
declare -A rate
IFS=, read -r -a list <<<"$tools"
for tool in "${list[@]}"; do
  if [[ $tool != ipckit ]] && ! command -v "$tool" >/dev/null; then
    echo "nc_throughput: $tool is not installed (third_party/install_deps.sh)" >&2; exit 1
  fi
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
