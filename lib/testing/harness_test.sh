#!/bin/bash
# harness_test.py: the Python test harness's own tests.
set -euo pipefail
exec python3 -W ignore::ResourceWarning "$TEST_SRCDIR/$TEST_WORKSPACE/lib/testing/harness_test.py"
