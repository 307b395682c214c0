#!/bin/bash
# Every tool's --json with hostile strings, parsed by Python (json_hostile_test.py).
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 -W ignore::ResourceWarning "$here/tools/json_hostile/json_hostile_test.py" "$here"
