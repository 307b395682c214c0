#!/bin/bash
# bench/report: runs report.py (see there). Writes to --out, or under a test
# to $TEST_UNDECLARED_OUTPUTS_DIR.
#   bazel run -c opt //bench:report -- --out=$PWD/bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
  if [[ -e "$d/bench/report.py" ]]; then
    cd "$d"
    args=("$@")
    [[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]] && args+=("--out=$TEST_UNDECLARED_OUTPUTS_DIR")
    exec python3 bench/report.py "${args[@]}"
  fi
done
echo "bench/report: cannot find bench/report.py" >&2
exit 1
