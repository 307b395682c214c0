#!/bin/bash
# relay end to end against echod, http.server, openssl, socat and Python ssl.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$here/tools/relay/relay_e2e_test.py" "$here/tools/relay/relay" "$here/tools/echod/echod" \
  "$here/tools/nc/nc" "$here/testdata/tls"
