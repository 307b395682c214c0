#!/bin/bash
# run_e2e.sh SCRIPT [ARGS...]: runs the Python end-to-end test SCRIPT (a path
# from the workspace root) with lib/testing, home of harness.py, on its path.
# ipckit_e2e_test (lib/testing/e2e.bzl) is the only user.
#
# The leak check: every process the test starts inherits IPCKIT_E2E_MARK
# (harness.MARK). Once the test has ended, any marked process still alive
# (a server, a daemon, a grandchild) is listed and killed, and the test
# fails even if its assertions passed.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
script="$1"
shift
export PYTHONPATH="$here/lib/testing${PYTHONPATH:+:$PYTHONPATH}"
export IPCKIT_E2E_MARK="e2e-$$-$RANDOM"
rc=0
python3 -W ignore::ResourceWarning "$here/$script" "$@" || rc=$?
if ! python3 -c 'import harness, sys; sys.exit(harness.leak_check_main(sys.argv[1]))' "$IPCKIT_E2E_MARK"; then
  [[ $rc -ne 0 ]] || rc=1
fi
exit "$rc"
