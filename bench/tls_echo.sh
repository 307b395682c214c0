#!/bin/bash
# bench/tls_echo: runs tls_echo_bench.py with echod and echobench (see there).
#   bazel run -c opt //bench:tls_echo -- [--seconds=3] [--servers=a,b]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/tls_echo: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/tls_echo_bench.py)" --echod "$(find_file tools/echod/echod)" \
  --echobench "$(find_file tools/echobench/echobench)" --certs "$(dirname "$(find_file testdata/tls/ca.pem)")" "$@"
