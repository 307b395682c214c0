#!/bin/bash
# echod TLS listeners end to end against Python ssl, openssl s_client and tlsprobe.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$here/tools/echod/echod_tls_e2e_test.py" "$here/tools/echod/echod" "$here/tools/tlsprobe/tlsprobe" \
  "$here/testdata/tls"
