#!/bin/bash
# bench/soak: runs soak.py with echod and echobench (see there).
#   bazel run -c opt //bench:soak -- [--seconds=120] [--load=200] [--idle=10000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/soak: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/soak.py)" --echod "$(find_file tools/echod/echod)" \
  --echobench "$(find_file tools/echobench/echobench)" "$@"
