#!/bin/bash
# bench/tlsprobe: runs tlsprobe_bench.py with the tlsprobe binary (see there).
#   bazel run -c opt //bench:tlsprobe -- [--runs=5] [--testssl]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/tlsprobe: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/tlsprobe_bench.py)" --tlsprobe "$(find_file tools/tlsprobe/tlsprobe)" \
  --certs "$(dirname "$(find_file testdata/tls/ca.pem)")" "$@"
