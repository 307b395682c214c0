#!/bin/bash
# tlsprobe end to end against openssl s_server and small Python peers.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$here/tools/tlsprobe/tlsprobe_e2e_test.py" "$here/tools/tlsprobe/tlsprobe" "$here/testdata/tls"
