#!/bin/bash
# The differential test: nc against nc.openbsd and ncat (nc_diff_test.py).
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 -W ignore::ResourceWarning "$here/tools/nc/nc_diff_test.py" "$here/tools/nc/nc"
