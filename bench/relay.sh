#!/usr/bin/env bash
# bench/relay: runs relay_bench.py with the binaries it measures (see there).
#   bazel run -c opt //bench:relay -- [--bytes=1G] [--seconds=3] [--proxies=relay,haproxy,...] [--pairs=9000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "bench/relay: cannot find $1" >&2; exit 1
}
exec python3 "$(find_file bench/relay_bench.py)" \
  --relay "$(find_file tools/relay/relay)" \
  --echod "$(find_file tools/echod/echod)" \
  --echobench "$(find_file tools/echobench/echobench)" \
  --cert "$(find_file testdata/tls/server.pem)" \
  --key "$(find_file testdata/tls/server.key)" "$@"
