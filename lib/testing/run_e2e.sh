#!/bin/bash
# run_e2e.sh SCRIPT [ARGS...]: runs the Python end-to-end test SCRIPT (a path
# from the workspace root) with lib/testing, home of harness.py, on its path.
# ipckit_e2e_test (lib/testing/e2e.bzl) is the only user.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
script="$1"
shift
export PYTHONPATH="$here/lib/testing${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -W ignore::ResourceWarning "$here/$script" "$@"
