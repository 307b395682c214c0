#!/bin/bash
# bench/fmap: runs fmap_bench.py with the fmap binary (see there).
#   bazel run -c opt //bench:fmap -- [--size=2G] [--dump-size=256M] [--runs=3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/fmap: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/fmap_bench.py)" --fmap "$(find_file tools/fmap/fmap)" "$@"
