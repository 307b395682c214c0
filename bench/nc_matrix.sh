#!/usr/bin/env bash
# nc_matrix: nc throughput as people run it. Client -> listener over loopback
# TCP, for every pair of an ordinary producer and consumer, for ipckit's nc
# and its peers (netcat-openbsd, ncat, socat) in the same run:
#
#   producers  file   nc < F                 (F on /dev/shm: not disk-bound)
#              cat    cat F | nc
#              gen    stream_check gen N | nc
#   consumers  file   nc -l > OUT            (OUT on /dev/shm)
#              cksum  nc -l | cksum
#              cat    nc -l | cat > OUT      (OUT on /dev/shm; /dev/null could not be checked)
#              check  nc -l | stream_check check N
#
# Every byte is checked in every run (OUT compared with F, cksum's line with
# F's, stream_check's own check), after the clock stops. Tools take turns
# (run 1 of each, then run 2 of each, ...); each cell is the best of --runs,
# and the last column is ipckit's rate over the best peer's. A second table
# gives the CPU time (user + sys) both ncs spent per GiB, which does not
# depend on how the two cores were shared with the producer and consumer.
#
#   bazel run -c opt //bench:nc_matrix -- [--bytes=1G] [--runs=3] [--tools=LIST]
#       [--producers=file,cat,gen] [--consumers=file,cksum,cat,check]
#
# Exit status 1 if any byte differs.
set -euo pipefail

bytes=1G
runs=3
tools="ipckit,nc.openbsd,ncat,socat"
producers="file,cat,gen"
consumers="file,cksum,cat,check"
bench=nc_matrix
for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit/bench" "${TEST_SRCDIR:-/nonexistent}/ipckit/bench" "$(dirname "$0")"; do
  [[ -f $d/nc_peers.sh ]] && { source "$d/nc_peers.sh"; break; }
done
bench_args 2,23 bytes runs tools producers consumers -- "$@"
NC=$(find_bin tools/nc/nc)
CHECK=$(find_bin bench/stream_check)
shm=/dev/shm
[[ -d $shm && -w $shm ]] || shm=${TEST_TMPDIR:-/tmp}
tmp=$(mktemp -d "$shm/nc_matrix.XXXXXX")
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null || true' EXIT

size_bytes=$(size_bytes "$bytes")
input="$tmp/input"
"$CHECK" gen "$size_bytes" > "$input"
want_cksum=$(cksum < "$input")

# consume TOOL PORT CONSUMER: the listener side, in the background; its
# result (cksum's line) goes to $tmp/result.
# timed CMD...: runs CMD with its CPU time (user+sys seconds) added to the
# file named by $cpu_file; the tool's own stderr still reaches ours.
TIMEFORMAT='%U %S'
timed() {
  { time "$@" 2>&3; } 3>&2 2>>"$cpu_file"
}
consume() {
  local l
  l=$(listener_cmd "$1" "$2")
  case "$3" in
    file) timed $l > "$tmp/out" ;;
    cksum) timed $l | cksum > "$tmp/result" ;;
    cat) timed $l | cat > "$tmp/out" ;;
    check) timed $l | "$CHECK" check "$size_bytes" ;;
  esac
}
produce() {  # TOOL PORT PRODUCER
  local c
  c=$(client_cmd "$1" "$2")
  case "$3" in
    file) timed $c < "$input" ;;
    cat) cat "$input" | timed $c ;;
    gen) "$CHECK" gen "$size_bytes" | timed $c ;;
  esac
}
verify() {  # CONSUMER: every byte arrived.
  case "$1" in
    file|cat) cmp -s "$input" "$tmp/out" ;;
    cksum) [[ "$(cat "$tmp/result")" == "$want_cksum" ]] ;;
    check) true ;;  # stream_check's exit status said it.
  esac
}

run_one() {  # TOOL PRODUCER CONSUMER -> prints "SECONDS CPU_SECONDS" (CPU: client + listener)
  local tool=$1 port
  rm -f "$tmp/out" "$tmp/result"
  cpu_file="$tmp/cpu"
  : > "$cpu_file"
  port=$(free_port)
  consume "$tool" "$port" "$3" &
  local lpid=$!
  wait_listening "$tool" "$port" || return 1
  local start end
  start=$(date +%s.%N)
  produce "$tool" "$port" "$2"
  local ok=1
  wait "$lpid" || ok=0
  end=$(date +%s.%N)  # The check below is not timed.
  if [[ $ok == 0 ]] || ! verify "$3"; then
    echo "nc_matrix: $tool $2 -> $3: data check FAILED" >&2
    return 1
  fi
  local cpu
  cpu=$(awk '{c += $1 + $2} END {printf "%.3f", c}' "$cpu_file")
  echo "$start $end $cpu" | awk '{printf "%.3f %s\n", $2 - $1, $3}'
}

cpu_rows=()
IFS=, read -r -a tool_list <<<"$tools"
IFS=, read -r -a producer_list <<<"$producers"
IFS=, read -r -a consumer_list <<<"$consumers"
check_tools "${tool_list[@]}"

echo "MB/s, best of $runs, $bytes client -> listener on loopback, every byte checked"
printf '%-6s %-6s' producer consumer
for tool in "${tool_list[@]}"; do printf ' %10s' "$tool"; done
printf '  %s\n' "ipckit/best peer"
for p in "${producer_list[@]}"; do
  for c in "${consumer_list[@]}"; do
    printf '%-6s -> %-6s' "$p" "$c"
    declare -A rate=() best=() best_cpu=()
    cpu_row=$(printf '%-6s -> %-6s' "$p" "$c")
    # Round-robin: run i of every tool before run i+1 of any, so that no tool
    # always runs first in a cell (the first runs after a cell that wrote no
    # file were measured up to 40% slower, whichever tool they were).
    for ((i = 0; i < runs; i++)); do
      for tool in "${tool_list[@]}"; do
        read -r t cpu < <(run_one "$tool" "$p" "$c") || exit 1
        [[ -n $t ]] || exit 1
        if [[ -z ${best[$tool]:-} ]] || awk -v a="$t" -v b="${best[$tool]}" 'BEGIN {exit !(a < b)}'; then
          best[$tool]=$t
          best_cpu[$tool]=$cpu
        fi
      done
    done
    for tool in "${tool_list[@]}"; do
      cpu_row+=$(awk -v c="${best_cpu[$tool]}" -v b="$size_bytes" 'BEGIN {printf " %10.2f", c / (b / 1073741824)}')
      rate[$tool]=$(awk -v b="$size_bytes" -v t="${best[$tool]}" 'BEGIN {printf "%.0f", b / t / 1e6}')
      printf ' %10s' "${rate[$tool]}"
    done
    best_peer=0
    for tool in "${tool_list[@]}"; do
      [[ $tool == ipckit ]] && continue
      ((${rate[$tool]} > best_peer)) && best_peer=${rate[$tool]}
    done
    if [[ -n ${rate[ipckit]:-} && $best_peer -gt 0 ]]; then
      awk -v a="${rate[ipckit]}" -v b="$best_peer" 'BEGIN {printf "  %.2fx\n", a / b}'
    else
      echo
    fi
    unset rate best best_cpu
    cpu_rows+=("$cpu_row")
  done
done
echo
echo "CPU seconds per GiB, client + listener (user + sys), in the best run of each cell:"
printf '%-16s' "producer consumer"
for tool in "${tool_list[@]}"; do printf ' %10s' "$tool"; done
echo
printf '%s\n' "${cpu_rows[@]}"
