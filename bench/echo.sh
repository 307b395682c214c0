#!/usr/bin/env bash
# bench/echo: runs echo_bench.py with the binaries it measures (see there).
#   bazel run -c opt //bench:echo -- [--seconds=3] [--servers=echod,asyncio,...] [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/echo: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/echo_bench.py)" \
  --echod "$(find_file tools/echod/echod)" \
  --echobench "$(find_file tools/echobench/echobench)" \
  --epoll-echo "$(find_file bench/epoll_echo)" "$@"
